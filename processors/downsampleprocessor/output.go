package downsampleprocessor

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
)

// emitted is one output point waiting to be placed under its resource, scope and metric.
type emitted struct {
	s     *series
	agg   reduce.Agg // a gauge rollup: the metric is name.agg
	start int64
	t     int64
	v     float64
	i     int64
	isInt bool
	stale bool
	hist  pmetric.HistogramDataPoint // histogram series only
}

type outKey struct {
	res   *resEntry
	scope *scopeEntry
	name  string
	agg   reduce.Agg
}

type scopeKey struct {
	res   *resEntry
	scope *scopeEntry
}

// appendOutput adds the emitted points to md, grouped by resource, scope and metric, in the
// order they were emitted within each metric.
func appendOutput(md pmetric.Metrics, pts []emitted) int {
	rms := map[*resEntry]pmetric.ResourceMetrics{}
	sms := map[scopeKey]pmetric.ScopeMetrics{}
	ms := map[outKey]pmetric.Metric{}
	for i := range pts {
		e := &pts[i]
		s := e.s
		ok := outKey{s.res, s.scope, s.name, e.agg}
		m, found := ms[ok]
		if !found {
			sk := scopeKey{s.res, s.scope}
			sm, found := sms[sk]
			if !found {
				rm, found := rms[s.res]
				if !found {
					rm = md.ResourceMetrics().AppendEmpty()
					s.res.res.CopyTo(rm.Resource())
					rm.SetSchemaUrl(s.res.schema)
					rms[s.res] = rm
				}
				sm = rm.ScopeMetrics().AppendEmpty()
				s.scope.scope.CopyTo(sm.Scope())
				sm.SetSchemaUrl(s.scope.schema)
				sms[sk] = sm
			}
			m = sm.Metrics().AppendEmpty()
			newMetric(m, s, e.agg)
			ms[ok] = m
		}
		appendPoint(m, e)
	}
	return len(pts)
}

// newMetric sets up the output metric: the input's own for kept samples and sums, a gauge
// named <name>.<agg> for gauge rollups.
func newMetric(m pmetric.Metric, s *series, agg reduce.Agg) {
	m.SetName(s.name)
	m.SetDescription(s.desc)
	m.SetUnit(s.unit)
	if agg != 0 {
		m.SetName(s.name + "." + suffix(agg))
		if agg == reduce.AggCount {
			m.SetUnit("{sample}")
		}
		m.SetEmptyGauge()
		return
	}
	switch s.mtype {
	case pmetric.MetricTypeGauge:
		m.SetEmptyGauge()
	case pmetric.MetricTypeSum:
		sum := m.SetEmptySum()
		sum.SetAggregationTemporality(s.temporality)
		sum.SetIsMonotonic(s.monotonic)
	case pmetric.MetricTypeHistogram:
		m.SetEmptyHistogram().SetAggregationTemporality(s.temporality)
	}
}

func appendPoint(m pmetric.Metric, e *emitted) {
	if m.Type() == pmetric.MetricTypeHistogram {
		dp := m.Histogram().DataPoints().AppendEmpty()
		e.hist.MoveTo(dp)
		e.s.attrs.CopyTo(dp.Attributes())
		return
	}
	var dp pmetric.NumberDataPoint
	if m.Type() == pmetric.MetricTypeSum {
		dp = m.Sum().DataPoints().AppendEmpty()
	} else {
		dp = m.Gauge().DataPoints().AppendEmpty()
	}
	e.s.attrs.CopyTo(dp.Attributes())
	setNumber(dp, e)
}

// setNumber writes an emitted point's times, value and flags into dp; its attributes are left
// alone, and exemplars, which belonged to the input point, are dropped.
func setNumber(dp pmetric.NumberDataPoint, e *emitted) {
	dp.SetStartTimestamp(pcommon.Timestamp(e.start))
	dp.SetTimestamp(pcommon.Timestamp(e.t))
	dp.SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(e.stale))
	if dp.Exemplars().Len() > 0 {
		dp.Exemplars().RemoveIf(func(pmetric.Exemplar) bool { return true })
	}
	if e.isInt && !e.stale {
		dp.SetIntValue(e.i)
		return
	}
	dp.SetDoubleValue(e.v)
}

// suffix names the output metric of an aggregate. COUNT is "samples" so that, next to ".sum",
// Prometheus users do not mistake the pair for a classic histogram's _count and _sum.
func suffix(a reduce.Agg) string {
	if a == reduce.AggCount {
		return "samples"
	}
	return a.String()
}
