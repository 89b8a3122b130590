package anomalyprocessor

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/internal/anomalymetrics"
)

type groupModel struct {
	model    *detect.Multi
	lastSeen int64
}

// groupValues collects, for one resource and one call, the value of every metric that belongs to
// a group: the mean of its finite data points (a metric split by attributes, such as CPU per
// core, enters a group as its average), and the latest timestamp.
type groupValues struct {
	sum map[string]float64
	n   map[string]int
	ts  pcommon.Timestamp
}

// groupBatch gathers the group members of one call by resource. A resource may come in several
// ResourceMetrics (the hostmetrics receiver sends one per scraper), so its groups are scored once
// per call, over all of them, and their points join the resource's first output.
type groupBatch struct {
	byKey map[string]*resourceGroups
	order []*resourceGroups
}

// resourceGroups is one resource's group members in a call, and the output its group points
// join.
type resourceGroups struct {
	key    string
	values groupValues
	out    *output
}

// of returns the members collected for the resource resKey, out being its output if this is
// the resource's first ResourceMetrics.
func (b *groupBatch) of(resKey string, out *output) *groupValues {
	rg := b.byKey[resKey]
	if rg == nil {
		if b.byKey == nil {
			b.byKey = map[string]*resourceGroups{}
		}
		rg = &resourceGroups{key: resKey, out: out}
		b.byKey[resKey] = rg
		b.order = append(b.order, rg)
	}
	return &rg.values
}

func (g *groupValues) add(name string, dps pmetric.NumberDataPointSlice) {
	if g.sum == nil {
		g.sum, g.n = map[string]float64{}, map[string]int{}
	}
	for k := range dps.Len() {
		dp := dps.At(k)
		v := pointValue(dp)
		if !detect.Usable(v) {
			continue
		}
		g.sum[name] += v
		g.n[name]++
		g.ts = max(g.ts, dp.Timestamp())
	}
}

// id names a group by its name and its members in order, so that a checkpointed model is
// restored only to a group with the same metrics in the same columns.
func (g GroupConfig) id() string { return g.Name + "\x1f" + strings.Join(g.Metrics, "\x1f") }

func (p *anomalyProcessor) multiConfig(g GroupConfig) detect.MultiConfig {
	c := detect.DefaultMultiConfig(len(g.Metrics))
	if g.Percentile != 0 {
		c.Percentile = g.Percentile
	}
	c.WarmUp = p.cfg.WarmUp
	return c
}

// scoreGroups scores every group whose metrics are all present for this resource.
func (p *anomalyProcessor) scoreGroups(resKey string, gv *groupValues, now time.Time, out *output, st *stats) {
	if gv.sum == nil {
		return
	}
	ts := gv.ts
	if ts == 0 {
		ts = pcommon.NewTimestampFromTime(now)
	}
	for _, g := range p.cfg.Groups {
		x := make([]float64, len(g.Metrics))
		complete := true
		for i, m := range g.Metrics {
			if gv.n[m] == 0 {
				complete = false
				break
			}
			x[i] = gv.sum[m] / float64(gv.n[m])
		}
		if !complete {
			continue
		}
		key := "group\x1e" + g.id() + "\x1e" + resKey
		gm := p.groups[key]
		if gm == nil {
			if p.models() >= p.cfg.MaxSeries {
				st.refused += int64(len(g.Metrics))
				continue
			}
			model, err := detect.NewMulti(p.multiConfig(g))
			if err != nil { // the group configuration was validated
				continue
			}
			gm = &groupModel{model: model}
			p.groups[key] = gm
			st.newModels++
			st.newBytes += int64(model.Size())
		}
		gm.lastSeen = now.Unix()
		r := gm.model.Update(x)
		out.addGroup(g, ts, r, gm.model.Contributions(make([]float64, 0, len(x))))
	}
}

// addGroup emits a group's score, energy and threshold, one series each per resource, and each
// member metric's contribution to the energy. The top contributor is a query over the
// contributions (topk), not a label on the score: such a label would start a new score series
// whenever the top metric changed and leave the old one behind in every range query.
func (o *output) addGroup(g GroupConfig, ts pcommon.Timestamp, r detect.MultiResult, contrib []float64) {
	put := func(metric, desc string, v float64) pcommon.Map {
		dp := o.gauge(metric, desc).AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetDoubleValue(v)
		dp.Attributes().PutStr(anomalymetrics.AttrGroup, g.Name)
		return dp.Attributes()
	}
	put(anomalymetrics.GroupScore, "Multivariate anomaly score in [0, 1) of the group named by anomaly.group; 0.5 is the threshold.", r.Score)
	put(anomalymetrics.GroupEnergy, "Energy (squared Mahalanobis distance) of the group's latest vector.", r.Energy)
	put(anomalymetrics.GroupThreshold, "Energy threshold: the configured percentile of the group's recent energies.", r.Threshold)
	for i, c := range contrib {
		put(anomalymetrics.GroupContribution, "Share of the group's energy due to the metric named by anomaly.metric; the shares sum to the energy.", c).
			PutStr(anomalymetrics.AttrMetric, g.Metrics[i])
	}
}
