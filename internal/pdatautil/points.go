// Package pdatautil holds small pdata helpers shared by mcobs's collector components.
package pdatautil

import "go.opentelemetry.io/collector/pdata/pmetric"

// NumberPoints returns the data points of a gauge or sum, the metric types that carry one
// number per point; false for histograms, summaries and empty metrics.
func NumberPoints(m pmetric.Metric) (pmetric.NumberDataPointSlice, bool) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		return m.Gauge().DataPoints(), true
	case pmetric.MetricTypeSum:
		return m.Sum().DataPoints(), true
	}
	return pmetric.NumberDataPointSlice{}, false
}
