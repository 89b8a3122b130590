package cloudscrape

import (
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/canonical"
)

// batch is one target's output of one poll, in the canonical model: a ResourceMetrics per
// resource (and one for the target itself), a metric per name within it.
type batch struct {
	md        pmetric.Metrics
	provider  string
	scope     string
	t         Target
	inv       *Inventory
	resources map[string]pmetric.MetricSlice
	metrics   map[metricKey]pmetric.Metric
}

type metricKey struct{ resource, name string }

func newBatch(provider, scope string, t Target, inv *Inventory) *batch {
	return &batch{
		md: pmetric.NewMetrics(), provider: provider, scope: scope, t: t, inv: inv,
		resources: map[string]pmetric.MetricSlice{}, metrics: map[metricKey]pmetric.Metric{},
	}
}

// slice returns the metrics of resource id ("" for the target), creating its ResourceMetrics.
func (b *batch) slice(id string) pmetric.MetricSlice {
	if ms, ok := b.resources[id]; ok {
		return ms
	}
	rm := b.md.ResourceMetrics().AppendEmpty()
	a := rm.Resource().Attributes()
	a.PutStr(canonical.AttrCloudProvider, b.provider)
	a.PutStr(canonical.AttrCloudAccountID, b.t.Account())
	if region := b.t.Region(); region != "" {
		a.PutStr(canonical.AttrCloudRegion, region)
	}
	if r := b.inv.Resources[id]; id != "" && r != nil {
		if r.Platform != "" {
			a.PutStr(canonical.AttrCloudPlatform, r.Platform)
		}
		for k, v := range r.Attrs {
			if v != "" {
				a.PutStr(k, v)
			}
		}
	}
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName(b.scope)
	b.resources[id] = sm.Metrics()
	return sm.Metrics()
}

// metric returns metric m of resource id, creating it as a gauge or a cumulative sum.
// A resource the inventory does not know (an explicit query's) is the target's.
func (b *batch) metric(id string, m canonical.Metric) pmetric.Metric {
	if b.inv.Resources[id] == nil {
		id = ""
	}
	k := metricKey{id, m.Name}
	if pm, ok := b.metrics[k]; ok {
		return pm
	}
	pm := b.slice(id).AppendEmpty()
	pm.SetName(m.Name)
	pm.SetUnit(m.Unit)
	pm.SetDescription(m.Description)
	if m.Kind == canonical.Counter {
		sum := pm.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	} else {
		pm.SetEmptyGauge()
	}
	b.metrics[k] = pm
	return pm
}

func putAttrs(m pcommon.Map, attrs []Attr) {
	m.EnsureCapacity(m.Len() + len(attrs))
	for _, a := range attrs {
		m.PutStr(a.Key, a.Value)
	}
}

// inventory writes the target-level inventory gauges, stamped at ts.
func (b *batch) inventory(ts pcommon.Timestamp) {
	for _, p := range b.inv.Points {
		dp := b.metric("", p.Metric).Gauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetIntValue(p.Value)
		putAttrs(dp.Attributes(), p.Attrs)
	}
}

// markers writes the unsupported markers of the plan (in resource order: discover sorts them
// once), stamped at ts, for
// the resources the inventory still has running (the plan may be older than the inventory).
func (b *batch) markers(plan *Plan, ts pcommon.Timestamp) {
	for _, mk := range plan.Unsupported {
		if r := b.inv.Resources[mk.Resource]; r == nil || (r.State != "" && r.State != InstanceRunning) {
			continue
		}
		dp := b.metric(mk.Resource, canonical.Unsupported).Gauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetIntValue(1)
		dp.Attributes().PutStr(canonical.AttrUnsupportedMetric, mk.Metric)
		dp.Attributes().PutStr(canonical.AttrUnsupportedReason, mk.Reason)
	}
}

// series writes the points of q that st has not emitted before, staging them in st.
func (b *batch) series(st *State, q *Query, samples []Sample) (emitted, dups, invalid int) {
	counter := q.Metric.Kind == canonical.Counter
	var dps pmetric.NumberDataPointSlice
	for _, s := range samples {
		if counter && (math.IsNaN(s.V) || math.IsInf(s.V, 0)) {
			// A non-finite amount would make the running total NaN or Inf for good, and the
			// checkpoint unwritable (JSON has neither).
			invalid++
			continue
		}
		v, start, ok := st.Accept(q.Key, s.T, s.V, counter)
		if !ok {
			dups++
			continue
		}
		if emitted == 0 {
			m := b.metric(q.Resource, q.Metric)
			if counter {
				dps = m.Sum().DataPoints()
			} else {
				dps = m.Gauge().DataPoints()
			}
			dps.EnsureCapacity(dps.Len() + len(samples))
		}
		dp := dps.AppendEmpty()
		if counter {
			dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		}
		dp.SetTimestamp(pcommon.NewTimestampFromTime(s.T))
		dp.SetDoubleValue(v)
		putAttrs(dp.Attributes(), q.Attrs)
		emitted++
	}
	return emitted, dups, invalid
}

// stamp is a poll's time as a data point timestamp.
func stamp(now time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(now) }
