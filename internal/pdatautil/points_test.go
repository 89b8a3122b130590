package pdatautil

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

func TestNumberPoints(t *testing.T) {
	f := func(set func(pmetric.Metric), want bool) {
		t.Helper()
		m := pmetric.NewMetric()
		set(m)
		dps, ok := NumberPoints(m)
		if ok != want {
			t.Fatalf("NumberPoints of a %s: ok %v, want %v", m.Type(), ok, want)
		}
		if ok && dps.Len() != 1 {
			t.Fatalf("NumberPoints of a %s: %d points, want the metric's 1", m.Type(), dps.Len())
		}
	}
	f(func(m pmetric.Metric) { m.SetEmptyGauge().DataPoints().AppendEmpty() }, true)
	f(func(m pmetric.Metric) { m.SetEmptySum().DataPoints().AppendEmpty() }, true)
	f(func(m pmetric.Metric) { m.SetEmptyHistogram().DataPoints().AppendEmpty() }, false)
	f(func(pmetric.Metric) {}, false)
}
