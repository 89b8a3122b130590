package gcpreceiver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/api/iterator"
	"google.golang.org/genproto/googleapis/api/metric"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// Monitored resource types and the label that names a resource in each.
var resourceTypes = map[string]struct{ typ, idLabel string }{
	canonical.PlatformGCPCompute:  {"gce_instance", "instance_id"},
	canonical.PlatformGCPCloudSQL: {"cloudsql_database", "database_id"},
}

// stateLabels pins a metric label to the value its canonical metric means: the Ops Agent
// reports memory and disk percent per state (used, free, cached, ...).
var stateLabels = map[string][2]string{
	"agent.googleapis.com/memory/percent_used": {"state", "used"},
	"agent.googleapis.com/disk/percent_used":   {"state", "used"},
}

// agentProbe is the metric whose presence tells an instance runs the Ops Agent.
const agentProbe = "agent.googleapis.com/memory/percent_used"

// native is what a query asks Cloud Monitoring for.
type native struct {
	metricType, resourceType, idLabel, resourceID string
	mapping                                       *canonical.Mapping
	// reducer folds the metric's other labels (a network's loadbalanced, a disk's device) so
	// one series per resource comes back: REDUCE_SUM for amounts, REDUCE_MAX for gauges.
	reducer monitoringpb.Aggregation_Reducer
}

// Discover reads the descriptors of the mapped metric types (their ingest delays set the
// settle delay, their labels the reducers), asks which instances report Ops Agent metrics, and
// plans a query per resource and mapped metric; instances without the agent get markers for
// the metrics only it gives.
func (t *gcpTarget) Discover(ctx context.Context, inv *cloudscrape.Inventory) (*cloudscrape.Plan, error) {
	descs, err := t.descriptors(ctx)
	if err != nil {
		return nil, err
	}
	agents, err := t.agentInstances(ctx, inv)
	if err != nil {
		return nil, err
	}
	settle := time.Duration(0)
	for _, d := range descs {
		if d.GetMetadata().GetIngestDelay() != nil {
			settle = max(settle, d.GetMetadata().GetIngestDelay().AsDuration())
		}
	}
	t.mu.Lock()
	t.settle = settle
	t.mu.Unlock()
	return plan(inv, descs, agents), nil
}

// descriptors lists the descriptors of every mapped domain (compute.googleapis.com/, ...): one
// call per domain rather than one per metric type.
func (t *gcpTarget) descriptors(ctx context.Context) (map[string]*metric.MetricDescriptor, error) {
	mc, _, _ := t.clients()
	out := map[string]*metric.MetricDescriptor{}
	for _, domain := range canonical.GCP.Namespaces() {
		it := mc.ListMetricDescriptors(ctx, &monitoringpb.ListMetricDescriptorsRequest{
			Name: "projects/" + t.project, Filter: fmt.Sprintf("metric.type = starts_with(%q)", domain+"/"),
		}, t.p.grpcRetry())
		for {
			d, err := it.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("Cloud Monitoring ListMetricDescriptors %s: %w", domain, err)
			}
			if len(canonical.GCP.ForNative(domain, strings.TrimPrefix(d.GetType(), domain+"/"))) > 0 {
				out[d.GetType()] = d
			}
		}
	}
	return out, nil
}

// agentInstances asks which instances reported the agent's memory metric in the last
// discovery interval (series headers only: no points are read).
func (t *gcpTarget) agentInstances(ctx context.Context, inv *cloudscrape.Inventory) (map[string]bool, error) {
	out := map[string]bool{}
	if !slices.ContainsFunc(mapsValues(inv.Resources), func(r *cloudscrape.Resource) bool { return r.Platform == canonical.PlatformGCPCompute }) {
		return out, nil
	}
	mc, _, _ := t.clients()
	now := t.p.now()
	lookback := max(t.p.cfg.DiscoveryInterval, 2*t.p.cfg.CollectionInterval)
	it := mc.ListTimeSeries(ctx, &monitoringpb.ListTimeSeriesRequest{
		Name:     "projects/" + t.project,
		Filter:   fmt.Sprintf("metric.type = %q AND resource.type = \"gce_instance\"", agentProbe),
		Interval: &monitoringpb.TimeInterval{StartTime: timestamppb.New(now.Add(-lookback)), EndTime: timestamppb.New(now)},
		View:     monitoringpb.ListTimeSeriesRequest_HEADERS,
	}, t.p.grpcRetry())
	for {
		ts, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("Cloud Monitoring ListTimeSeries %s headers: %w", agentProbe, err)
		}
		out[ts.GetResource().GetLabels()["instance_id"]] = true
	}
}

func mapsValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// plan is a query per resource and mapped metric whose descriptor Cloud Monitoring has, in
// resource order.
func plan(inv *cloudscrape.Inventory, descs map[string]*metric.MetricDescriptor, agents map[string]bool) *cloudscrape.Plan {
	ids := make([]string, 0, len(inv.Resources))
	for id := range inv.Resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	p := &cloudscrape.Plan{}
	for _, id := range ids {
		r := inv.Resources[id]
		rt := resourceTypes[r.Platform]
		agent := agents[id]
		for i := range canonical.GCP.Mappings {
			mp := &canonical.GCP.Mappings[i]
			d := descs[mp.Namespace+"/"+mp.Native]
			if mp.Platform != r.Platform || d == nil || mp.Agent != "" && !agent {
				continue
			}
			p.Queries = append(p.Queries, query(id, rt.typ, rt.idLabel, mp, d))
		}
		for _, u := range canonical.GCP.Unsupported {
			if u.Platform == r.Platform && (u.UnlessAgent == "" || !agent) {
				p.Unsupported = append(p.Unsupported, cloudscrape.Marker{Resource: id, Metric: u.Metric.Name, Reason: u.Reason})
			}
		}
	}
	return p
}

func query(id, resourceType, idLabel string, mp *canonical.Mapping, d *metric.MetricDescriptor) cloudscrape.Query {
	attrs := cloudscrape.MappingAttrs(mp)
	typ := mp.Namespace + "/" + mp.Native
	n := native{metricType: typ, resourceType: resourceType, idLabel: idLabel, resourceID: id, mapping: mp}
	// A label pinned by stateLabels is filtered, not folded; any other label is folded.
	pinned := stateLabels[typ][0]
	for _, l := range d.GetLabels() {
		if l.GetKey() == pinned {
			continue
		}
		n.reducer = monitoringpb.Aggregation_REDUCE_MAX
		if d.GetMetricKind() != metric.MetricDescriptor_GAUGE {
			n.reducer = monitoringpb.Aggregation_REDUCE_SUM
		}
	}
	return cloudscrape.Query{Resource: id, Key: id + "|" + typ, Metric: mp.Metric, Attrs: attrs, Native: n}
}

// group is the queries of one metric type: one ListTimeSeries call (and its pages).
type group struct {
	native
	// index finds a query by the resource's id label.
	index map[string]int
}

// groups groups queries by metric type, in first-seen order.
func groups(qs []cloudscrape.Query) []*group {
	var out []*group
	byType := map[string]*group{}
	for i := range qs {
		n := qs[i].Native.(native)
		g := byType[n.metricType]
		if g == nil {
			g = &group{native: n, index: map[string]int{}}
			byType[n.metricType] = g
			out = append(out, g)
		}
		g.index[n.resourceID] = i
	}
	return out
}

// request is the ListTimeSeries request of a group over [start, end): every resource of the
// type at once, aligned to the period, other labels folded.
func (t *gcpTarget) request(g *group, start, end time.Time) *monitoringpb.ListTimeSeriesRequest {
	filter := fmt.Sprintf("metric.type = %q AND resource.type = %q", g.metricType, g.resourceType)
	if l, ok := stateLabels[g.metricType]; ok {
		filter += fmt.Sprintf(" AND metric.label.%s = %q", l[0], l[1])
	}
	agg := &monitoringpb.Aggregation{
		AlignmentPeriod:  durationpb.New(t.p.cfg.Period),
		PerSeriesAligner: monitoringpb.Aggregation_Aligner(monitoringpb.Aggregation_Aligner_value[g.mapping.Statistic]),
	}
	if g.reducer != monitoringpb.Aggregation_REDUCE_NONE {
		agg.CrossSeriesReducer = g.reducer
		agg.GroupByFields = []string{"resource.label." + g.idLabel}
	}
	return &monitoringpb.ListTimeSeriesRequest{
		Name:        "projects/" + t.project,
		Filter:      filter,
		Interval:    &monitoringpb.TimeInterval{StartTime: timestamppb.New(start), EndTime: timestamppb.New(end)},
		Aggregation: agg,
		View:        monitoringpb.ListTimeSeriesRequest_FULL,
	}
}

// Fetch asks for each metric type once, over every resource of the project, and hands each
// series' points to its query. A type whose call failed marks its queries failed and the
// others go on; refused credentials stop the fetch.
func (t *gcpTarget) Fetch(ctx context.Context, qs []cloudscrape.Query, start, end time.Time) ([]cloudscrape.Result, error) {
	out := make([]cloudscrape.Result, len(qs))
	mc, _, _ := t.clients()
	for _, g := range groups(qs) {
		it := mc.ListTimeSeries(ctx, t.request(g, start, end), t.p.grpcRetry())
		for {
			ts, err := it.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				err = fmt.Errorf("Cloud Monitoring ListTimeSeries %s: %w", g.metricType, err)
				if class, _ := t.p.Classify(err); class == cloudscrape.Auth || ctx.Err() != nil {
					return out, err
				}
				for _, i := range g.index {
					out[i].Err = err
				}
				break
			}
			i, ok := g.index[ts.GetResource().GetLabels()[g.idLabel]]
			if !ok {
				continue // a resource the inventory does not have (yet)
			}
			samples, err := t.samples(ts, g.mapping)
			out[i].Samples = append(out[i].Samples, samples...)
			if err != nil {
				out[i].Err = err
			}
		}
	}
	for i := range out {
		slices.SortFunc(out[i].Samples, func(a, b cloudscrape.Sample) int { return a.T.Compare(b.T) })
	}
	return out, nil
}

// samples reads a series' points, newest first as Cloud Monitoring returns them, stamped at
// the start of their period (as the other clouds stamp theirs) and in canonical units.
func (t *gcpTarget) samples(ts *monitoringpb.TimeSeries, mp *canonical.Mapping) ([]cloudscrape.Sample, error) {
	period := t.p.cfg.Period
	out := make([]cloudscrape.Sample, 0, len(ts.GetPoints()))
	for _, p := range ts.GetPoints() {
		end := p.GetInterval().GetEndTime()
		var v float64
		switch x := p.GetValue().GetValue().(type) {
		case *monitoringpb.TypedValue_DoubleValue:
			v = x.DoubleValue
		case *monitoringpb.TypedValue_Int64Value:
			v = float64(x.Int64Value)
		default:
			return out, &malformedError{what: fmt.Sprintf("point of %s without a numeric value", ts.GetMetric().GetType())}
		}
		if end == nil {
			return out, &malformedError{what: fmt.Sprintf("point of %s without an end time", ts.GetMetric().GetType())}
		}
		out = append(out, cloudscrape.Sample{T: end.AsTime().Add(-period), V: mp.Apply(v, period.Seconds())})
	}
	return out, nil
}
