package awsreceiver

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// maxQueriesPerCall is GetMetricData's limit of metric data queries in one request.
const maxQueriesPerCall = 500

// discovery caches ListMetrics results for a target.
type discovery struct {
	at      time.Time
	metrics []cwtypes.Metric
}

// query is one MetricDataQuery and what its answer becomes.
type query struct {
	resourceID string
	mapping    canonical.Mapping // zero for explicit queries
	custom     *QueryConfig
	stat       string
	metric     cwtypes.Metric
}

// seriesKey identifies a query's series in the checkpoint state.
func (q query) seriesKey() string {
	var b strings.Builder
	b.WriteString(aws.ToString(q.metric.Namespace) + "/" + aws.ToString(q.metric.MetricName) + "/" + q.stat)
	dims := append([]cwtypes.Dimension(nil), q.metric.Dimensions...)
	sort.Slice(dims, func(i, j int) bool { return aws.ToString(dims[i].Name) < aws.ToString(dims[j].Name) })
	for _, d := range dims {
		b.WriteString("|" + aws.ToString(d.Name) + "=" + aws.ToString(d.Value))
	}
	return b.String()
}

// discover lists the recently active metrics of the configured namespaces, reusing the last
// listing for discovery_interval: ListMetrics is billed and the set changes slowly.
func (s *awsScraper) discover(ctx context.Context, t *target, now time.Time) ([]cwtypes.Metric, error) {
	if !t.disc.at.IsZero() && now.Sub(t.disc.at) < s.cfg.DiscoveryInterval {
		return t.disc.metrics, nil
	}
	var out []cwtypes.Metric
	for _, ns := range s.cfg.Namespaces {
		p := cloudwatch.NewListMetricsPaginator(t.cw, &cloudwatch.ListMetricsInput{
			Namespace:      aws.String(ns),
			RecentlyActive: cwtypes.RecentlyActivePt3h,
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("CloudWatch ListMetrics %s: %w", ns, err)
			}
			out = append(out, page.Metrics...)
		}
	}
	t.disc.at, t.disc.metrics = now, out
	return out, nil
}

// resourceOf returns the resource a metric's dimensions name.
func resourceOf(m cwtypes.Metric) string {
	for _, d := range m.Dimensions {
		switch aws.ToString(d.Name) {
		case "InstanceId", "DBInstanceIdentifier":
			return aws.ToString(d.Value)
		}
	}
	return ""
}

// plan turns discovered metrics into queries: every mapped statistic of every metric of a
// known, allowed resource, plus the explicit queries.
func (s *awsScraper) plan(metrics []cwtypes.Metric, inv *inventory, allowed map[string]bool) []query {
	var qs []query
	for _, m := range metrics {
		id := resourceOf(m)
		if inv.resources[id] == nil || (allowed != nil && !allowed[id]) {
			continue
		}
		for _, mp := range canonical.AWS.Mappings {
			if mp.Namespace == aws.ToString(m.Namespace) && mp.Native == aws.ToString(m.MetricName) {
				qs = append(qs, query{resourceID: id, mapping: mp, stat: mp.Statistic, metric: m})
			}
		}
	}
	for i := range s.cfg.Queries {
		c := &s.cfg.Queries[i]
		m := cwtypes.Metric{Namespace: aws.String(c.Namespace), MetricName: aws.String(c.MetricName)}
		keys := make([]string, 0, len(c.Dimensions))
		for k := range c.Dimensions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(c.Dimensions[k])})
		}
		for _, st := range c.Statistics {
			qs = append(qs, query{resourceID: resourceOf(m), custom: c, stat: st, metric: m})
		}
	}
	return qs
}

// fetch runs the queries in ceil(len/500) GetMetricData requests (pages of a request follow
// its NextToken) and returns each query's points in time order.
func (s *awsScraper) fetch(ctx context.Context, t *target, qs []query, start, end time.Time) (map[int][]cwPoint, error) {
	out := map[int][]cwPoint{}
	period := int32(s.cfg.Period / time.Second)
	for lo := 0; lo < len(qs); lo += maxQueriesPerCall {
		hi := min(lo+maxQueriesPerCall, len(qs))
		mdq := make([]cwtypes.MetricDataQuery, 0, hi-lo)
		for i := lo; i < hi; i++ {
			mdq = append(mdq, cwtypes.MetricDataQuery{
				Id:         aws.String("q" + strconv.Itoa(i)),
				MetricStat: &cwtypes.MetricStat{Metric: &qs[i].metric, Period: aws.Int32(period), Stat: aws.String(qs[i].stat)},
				ReturnData: aws.Bool(true),
			})
		}
		p := cloudwatch.NewGetMetricDataPaginator(t.cw, &cloudwatch.GetMetricDataInput{
			MetricDataQueries: mdq,
			StartTime:         aws.Time(start),
			EndTime:           aws.Time(end),
			ScanBy:            cwtypes.ScanByTimestampAscending,
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return out, fmt.Errorf("CloudWatch GetMetricData: %w", err)
			}
			for _, r := range page.MetricDataResults {
				i, err := strconv.Atoi(strings.TrimPrefix(aws.ToString(r.Id), "q"))
				if err != nil || i < lo || i >= hi || len(r.Timestamps) != len(r.Values) {
					return out, fmt.Errorf("CloudWatch GetMetricData: malformed result %q", aws.ToString(r.Id))
				}
				for j := range r.Timestamps {
					out[i] = append(out[i], cwPoint{r.Timestamps[j], r.Values[j]})
				}
			}
		}
	}
	for i := range out {
		sort.SliceStable(out[i], func(a, b int) bool { return out[i][a].ts.Before(out[i][b].ts) })
	}
	return out, nil
}

type cwPoint struct {
	ts time.Time
	v  float64
}

// emitter builds one target's canonical output.
type emitter struct {
	md        pmetric.Metrics
	t         *target
	resources map[string]pmetric.MetricSlice
	metrics   map[string]pmetric.Metric
}

func newEmitter(md pmetric.Metrics, t *target) *emitter {
	return &emitter{md: md, t: t, resources: map[string]pmetric.MetricSlice{}, metrics: map[string]pmetric.Metric{}}
}

// slice returns the metric slice of resource r, creating its ResourceMetrics.
func (e *emitter) slice(r *resource) pmetric.MetricSlice {
	key := "r/" + r.id
	if r.id == "" {
		key = "target"
	}
	if ms, ok := e.resources[key]; ok {
		return ms
	}
	rm := e.md.ResourceMetrics().AppendEmpty()
	if r.id != "" {
		setResource(rm.Resource(), e.t, r)
	} else {
		a := rm.Resource().Attributes()
		a.PutStr(canonical.AttrCloudProvider, canonical.ProviderAWS)
		a.PutStr(canonical.AttrCloudAccountID, e.t.account)
		a.PutStr(canonical.AttrCloudRegion, e.t.region)
	}
	sm := rm.ScopeMetrics().AppendEmpty()
	sm.Scope().SetName("github.com/mcobs/mcobs/receivers/awsreceiver")
	e.resources[key] = sm.Metrics()
	return sm.Metrics()
}

// metric returns the named metric of resource r, creating it as a gauge or a cumulative sum.
func (e *emitter) metric(r *resource, name, unit, desc string, counter bool) pmetric.Metric {
	key := r.id + "\x00" + name
	if m, ok := e.metrics[key]; ok {
		return m
	}
	m := e.slice(r).AppendEmpty()
	m.SetName(name)
	m.SetUnit(unit)
	m.SetDescription(desc)
	if counter {
		sum := m.SetEmptySum()
		sum.SetIsMonotonic(true)
		sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	} else {
		m.SetEmptyGauge()
	}
	e.metrics[key] = m
	return m
}

// dimensionAttr names a CloudWatch dimension other than the resource's as an attribute.
func dimensionAttr(name string) string {
	switch name {
	case "path":
		return "system.filesystem.mountpoint"
	case "device":
		return "system.device"
	case "fstype":
		return "system.filesystem.type"
	}
	return "aws.dimension." + name
}

// emit writes the new points of query q to the output through the series state.
func (e *emitter) emit(st *cloudscrape.State, q query, r *resource, pts []cwPoint, period float64) (emitted, dup int) {
	name, unit, desc, counter := customName(q), "", "CloudWatch "+aws.ToString(q.metric.MetricName), false
	if q.custom == nil {
		name, unit, desc, counter = q.mapping.Metric.Name, q.mapping.Metric.Unit, q.mapping.Metric.Description, q.mapping.Metric.Kind == canonical.Counter
	}
	var m pmetric.Metric
	key := q.seriesKey()
	for _, p := range pts {
		v := p.v
		if q.custom == nil {
			v = q.mapping.Apply(v, period)
		}
		out, start, ok := st.Accept(key, p.ts, v, counter)
		if !ok {
			dup++
			continue
		}
		if m == (pmetric.Metric{}) {
			m = e.metric(r, name, unit, desc, counter)
		}
		var dp pmetric.NumberDataPoint
		if counter {
			dp = m.Sum().DataPoints().AppendEmpty()
			dp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		} else {
			dp = m.Gauge().DataPoints().AppendEmpty()
		}
		dp.SetTimestamp(pcommon.NewTimestampFromTime(p.ts))
		dp.SetDoubleValue(out)
		a := dp.Attributes()
		for _, at := range q.mapping.Attrs {
			a.PutStr(at.Key, at.Value)
		}
		a.PutStr(canonical.AttrNativeNamespace, aws.ToString(q.metric.Namespace))
		a.PutStr(canonical.AttrNativeName, aws.ToString(q.metric.MetricName))
		a.PutStr(canonical.AttrNativeStatistic, q.stat)
		if q.mapping.NativeUnit != "" {
			a.PutStr(canonical.AttrNativeUnit, q.mapping.NativeUnit)
		}
		for _, d := range q.metric.Dimensions {
			if n := aws.ToString(d.Name); n != "InstanceId" && n != "DBInstanceIdentifier" {
				a.PutStr(dimensionAttr(n), aws.ToString(d.Value))
			}
		}
		emitted++
	}
	return emitted, dup
}

// customName is the name of an explicit query's metric: aws.<namespace>.<metric>, lower case,
// so custom metrics never collide with canonical ones.
func customName(q query) string {
	ns := strings.ToLower(strings.NewReplacer("/", ".", " ", "_").Replace(aws.ToString(q.metric.Namespace)))
	return "aws." + ns + "." + aws.ToString(q.metric.MetricName)
}
