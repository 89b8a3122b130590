package anomalyprocessor

import (
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/internal/anomalymetrics"
)

// attrKey is a canonical string of an attribute map, so the same attributes in any order name
// the same series.
func attrKey(m pcommon.Map) string {
	if m.Len() == 0 {
		return ""
	}
	kv := make([]string, 0, m.Len())
	for k, v := range m.All() {
		kv = append(kv, k+"\x1f"+v.AsString())
	}
	sort.Strings(kv)
	return strings.Join(kv, "\x1d")
}

// Descriptions of the univariate output metrics.
const (
	descScore    = "Anomaly score in [0, 1] of the series named by anomaly.metric."
	descExpected = "Value the anomaly model expected for the series named by anomaly.metric."
	descLower    = "Lower dynamic threshold of the series named by anomaly.metric."
	descUpper    = "Upper dynamic threshold of the series named by anomaly.metric."
	descLevel    = "1 for the current anomaly level of the series named by anomaly.metric (label anomaly.level), 0 for the others."
	descKind     = "1 at a warning or critical point of the series named by anomaly.metric; anomaly.kind says what kind of unusual it is."
)

// output collects the anomaly metrics of one resource; they are added in a scope of their own,
// after the resource's original scopes, so the originals are left as they came.
type output struct {
	sm pmetric.ScopeMetrics
	// gauges by metric name, created on first use so the output has only what was scored.
	gauges map[string]pmetric.NumberDataPointSlice
	order  []string
}

func newOutput() *output {
	return &output{gauges: map[string]pmetric.NumberDataPointSlice{}}
}

func (o *output) gauge(name, desc string) pmetric.NumberDataPointSlice {
	if dps, ok := o.gauges[name]; ok {
		return dps
	}
	if o.order == nil {
		o.sm = pmetric.NewScopeMetrics()
		o.sm.Scope().SetName(scopeName)
	}
	m := o.sm.Metrics().AppendEmpty()
	m.SetName(name)
	m.SetDescription(desc)
	dps := m.SetEmptyGauge().DataPoints()
	o.gauges[name] = dps
	o.order = append(o.order, name)
	return dps
}

func point(dps pmetric.NumberDataPointSlice, attrs pcommon.Map, ts pcommon.Timestamp, v float64) pcommon.Map {
	dp := dps.AppendEmpty()
	attrs.CopyTo(dp.Attributes())
	dp.SetTimestamp(ts)
	dp.SetDoubleValue(v)
	return dp.Attributes()
}

// reserve makes room for n more scored points, so appending does not regrow the slices.
func (o *output) reserve(n int) {
	for _, m := range []struct {
		name, desc string
		per        int
	}{
		{anomalymetrics.Score, descScore, 1},
		{anomalymetrics.Expected, descExpected, 1},
		{anomalymetrics.Lower, descLower, 1},
		{anomalymetrics.Upper, descUpper, 1},
		{anomalymetrics.Level, descLevel, int(detect.LevelCritical) + 1},
	} {
		dps := o.gauge(m.name, m.desc)
		dps.EnsureCapacity(dps.Len() + n*m.per)
	}
}

// add records the result r of the point of metric name with attributes attrs at ts.
func (o *output) add(name string, attrs pcommon.Map, ts pcommon.Timestamp, r detect.Result) {
	put := func(metric, desc string, v float64) pcommon.Map {
		a := point(o.gauge(metric, desc), attrs, ts, v)
		a.PutStr(anomalymetrics.AttrMetric, name)
		return a
	}
	put(anomalymetrics.Score, descScore, r.Score)
	put(anomalymetrics.Expected, descExpected, r.Expected)
	put(anomalymetrics.Lower, descLower, r.Lower)
	put(anomalymetrics.Upper, descUpper, r.Upper)
	for l := detect.LevelNone; l <= detect.LevelCritical; l++ {
		v := 0.0
		if l == r.Level {
			v = 1
		}
		put(anomalymetrics.Level, descLevel, v).PutStr(anomalymetrics.AttrLevel, l.String())
	}
	// The kind only at the points worth an alert: a series of its own per kind, present while
	// the series is anomalous, as an event is; on every point it would be a label that changes
	// from point to point (see README.md).
	if r.Level >= detect.LevelWarning {
		put(anomalymetrics.Kind, descKind, 1).PutStr(anomalymetrics.AttrKind, r.Kind.String())
	}
}

// appendTo adds the collected metrics to rm.
func (o *output) appendTo(rm pmetric.ResourceMetrics) {
	if o.order == nil {
		return
	}
	o.sm.MoveTo(rm.ScopeMetrics().AppendEmpty())
}
