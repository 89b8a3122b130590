package awsreceiver

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// maxQueriesPerCall is GetMetricData's limit of metric data queries in one request.
const maxQueriesPerCall = 500

// native is what a query asks CloudWatch for, and how its values become canonical ones.
type native struct {
	metric  cwtypes.Metric
	stat    string
	mapping *canonical.Mapping // nil for explicit queries: values are kept as they are
}

// listMetrics lists the recently active metrics of the configured namespaces.
func (t *awsTarget) listMetrics(ctx context.Context) ([]cwtypes.Metric, error) {
	var out []cwtypes.Metric
	for _, ns := range t.cfg.Namespaces {
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

// mappedNamespaces are the namespaces the canonical table maps metrics of.
var mappedNamespaces = func() map[string]bool {
	out := map[string]bool{}
	for _, m := range canonical.AWS.Mappings {
		out[m.Namespace] = true
	}
	return out
}()

// plan turns discovered metrics into queries, as the per-namespace selection says: a metric
// with a canonical mapping, of a known and allowed instance, always becomes the canonical
// metric (its mapping's statistic), and the native one for any other statistic asked for; a metric without
// a mapping (of a namespace without mappings, or named in the selection) becomes the native
// metric, on the tagged resource its dimensions name when tag filters are set (and is dropped
// when none matches), else on the target. Explicit queries follow.
func (t *awsTarget) plan(metrics []cwtypes.Metric, inv *cloudscrape.Inventory) []cloudscrape.Query {
	var qs []cloudscrape.Query
	for _, m := range metrics {
		ns, name := aws.ToString(m.Namespace), aws.ToString(m.MetricName)
		sel := t.cfg.Metrics[ns]
		if len(sel.Names) > 0 && !slices.Contains(sel.Names, name) {
			continue
		}
		mappings := canonical.AWS.ForNative(ns, name)
		id := resourceOf(m)
		if len(mappings) == 0 {
			if len(sel.Names) == 0 && mappedNamespaces[ns] {
				// The unmapped rest of AWS/EC2 or AWS/RDS (credit balances, burst buckets)
				// only when named: collecting it unasked would raise the bill.
				continue
			}
			if t.tagIndex != nil {
				if id = t.taggedResource(m); id == "" {
					continue
				}
			}
			stats := sel.Statistics
			if len(stats) == 0 {
				stats = []string{"Average"}
			}
			for _, st := range stats {
				qs = append(qs, nativeQuery(id, m, st))
			}
			continue
		}
		if inv.Resources[id] == nil || (t.allowed != nil && !t.allowed[id]) {
			continue
		}
		for _, mp := range mappings {
			qs = append(qs, newQuery(id, mp.Metric, native{metric: m, stat: mp.Statistic, mapping: mp}))
		}
		for _, st := range sel.Statistics {
			if !slices.ContainsFunc(mappings, func(mp *canonical.Mapping) bool { return mp.Statistic == st }) {
				qs = append(qs, nativeQuery(id, m, st))
			}
		}
	}
	for i := range t.cfg.Queries {
		c := &t.cfg.Queries[i]
		m := cwtypes.Metric{Namespace: aws.String(c.Namespace), MetricName: aws.String(c.MetricName)}
		for _, k := range slices.Sorted(maps.Keys(c.Dimensions)) {
			m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(c.Dimensions[k])})
		}
		for _, st := range c.Statistics {
			qs = append(qs, nativeQuery(resourceOf(m), m, st))
		}
	}
	return qs
}

// nativeQuery asks for a metric under its native name, values as CloudWatch gives them.
func nativeQuery(resource string, m cwtypes.Metric, stat string) cloudscrape.Query {
	cm := canonical.Metric{Name: customName(m), Description: "CloudWatch " + aws.ToString(m.Namespace) + " " + aws.ToString(m.MetricName)}
	return newQuery(resource, cm, native{metric: m, stat: stat})
}

// newQuery builds a query's key and data point attributes once, at discovery.
func newQuery(resource string, m canonical.Metric, n native) cloudscrape.Query {
	var attrs []cloudscrape.Attr
	if n.mapping != nil {
		for _, a := range n.mapping.Attrs {
			attrs = append(attrs, cloudscrape.Attr{Key: a.Key, Value: a.Value})
		}
	}
	attrs = append(attrs,
		cloudscrape.Attr{Key: canonical.AttrNativeNamespace, Value: aws.ToString(n.metric.Namespace)},
		cloudscrape.Attr{Key: canonical.AttrNativeName, Value: aws.ToString(n.metric.MetricName)},
		cloudscrape.Attr{Key: canonical.AttrNativeStatistic, Value: n.stat})
	if n.mapping != nil && n.mapping.NativeUnit != "" {
		attrs = append(attrs, cloudscrape.Attr{Key: canonical.AttrNativeUnit, Value: n.mapping.NativeUnit})
	}
	for _, d := range n.metric.Dimensions {
		if name := aws.ToString(d.Name); name != "InstanceId" && name != "DBInstanceIdentifier" {
			attrs = append(attrs, cloudscrape.Attr{Key: dimensionAttr(name), Value: aws.ToString(d.Value)})
		}
	}
	return cloudscrape.Query{Resource: resource, Key: seriesKey(n), Metric: m, Attrs: attrs, Native: n}
}

// seriesKey identifies a query's series in the checkpoint state.
func seriesKey(n native) string {
	var b strings.Builder
	b.WriteString(aws.ToString(n.metric.Namespace) + "/" + aws.ToString(n.metric.MetricName) + "/" + n.stat)
	dims := append([]cwtypes.Dimension(nil), n.metric.Dimensions...)
	sort.Slice(dims, func(i, j int) bool { return aws.ToString(dims[i].Name) < aws.ToString(dims[j].Name) })
	for _, d := range dims {
		b.WriteString("|" + aws.ToString(d.Name) + "=" + aws.ToString(d.Value))
	}
	return b.String()
}

// unsupported marks, for every running allowed instance, the canonical metrics its platform
// cannot give without an agent it does not run.
func (t *awsTarget) unsupported(metrics []cwtypes.Metric, inv *cloudscrape.Inventory) []cloudscrape.Marker {
	hasAgent := map[string]bool{}
	for _, m := range metrics {
		if aws.ToString(m.Namespace) == "CWAgent" {
			hasAgent[resourceOf(m)] = true
		}
	}
	// Without discovering the agent's namespace nobody knows where it runs: no agent marker
	// rather than a wrong one on every instance.
	agentKnown := slices.Contains(t.cfg.Namespaces, "CWAgent")
	var out []cloudscrape.Marker
	for id, r := range inv.Resources {
		if r.State != cloudscrape.InstanceRunning || (t.allowed != nil && !t.allowed[id]) {
			continue
		}
		for _, u := range canonical.AWS.Unsupported {
			if u.Platform != r.Platform || (u.UnlessAgent == canonical.AgentCloudWatch && (hasAgent[id] || !agentKnown)) {
				continue
			}
			out = append(out, cloudscrape.Marker{Resource: id, Metric: u.Metric.Name, Reason: u.Reason})
		}
	}
	return out
}

// queryError is a GetMetricData query CloudWatch answered with a status other than Complete
// (InternalError, Forbidden): an APIError with that status as its code, so it is classified
// and reported like a failed call.
type queryError struct {
	status, message string
}

func (e *queryError) Error() string {
	return "CloudWatch GetMetricData query status " + e.status + ": " + e.message
}
func (e *queryError) ErrorCode() string    { return e.status }
func (e *queryError) ErrorMessage() string { return e.message }
func (e *queryError) ErrorFault() smithy.ErrorFault {
	if e.status == string(cwtypes.StatusCodeInternalError) {
		return smithy.FaultServer
	}
	return smithy.FaultClient
}

// fetch runs the queries in ceil(len/500) GetMetricData requests (pages of a request follow
// its NextToken) and returns each query's points in time order.
func (t *awsTarget) fetch(ctx context.Context, qs []cloudscrape.Query, start, end time.Time) ([]cloudscrape.Result, error) {
	out := make([]cloudscrape.Result, len(qs))
	period := int32(t.cfg.Period / time.Second)
	ids := make([]string, min(len(qs), maxQueriesPerCall))
	for i := range ids {
		ids[i] = "q" + strconv.Itoa(i)
	}
	for lo := 0; lo < len(qs); lo += maxQueriesPerCall {
		hi := min(lo+maxQueriesPerCall, len(qs))
		mdq := make([]cwtypes.MetricDataQuery, hi-lo)
		for i := lo; i < hi; i++ {
			n := qs[i].Native.(native)
			mdq[i-lo] = cwtypes.MetricDataQuery{
				Id:         aws.String(ids[i-lo]),
				MetricStat: &cwtypes.MetricStat{Metric: &n.metric, Period: aws.Int32(period), Stat: aws.String(n.stat)},
				ReturnData: aws.Bool(true),
			}
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
				if err != nil || i < 0 || i >= hi-lo || len(r.Timestamps) != len(r.Values) {
					return out, fmt.Errorf("CloudWatch GetMetricData: %w", &smithy.DeserializationError{Err: fmt.Errorf("malformed result %q", aws.ToString(r.Id))})
				}
				t.accept(&out[lo+i], qs[lo+i].Native.(native), r)
			}
		}
	}
	// Asked in ascending order, the points come sorted; pages of a query may not.
	byTime := func(a, b cloudscrape.Sample) int { return a.T.Compare(b.T) }
	for i := range out {
		if s := out[i].Samples; !slices.IsSortedFunc(s, byTime) {
			slices.SortStableFunc(s, byTime)
		}
	}
	return out, nil
}

// accept adds one page's result of a query: its values in canonical units, or its failure.
// PartialData only says more pages follow, which the paginator fetches.
func (t *awsTarget) accept(res *cloudscrape.Result, n native, r cwtypes.MetricDataResult) {
	switch r.StatusCode {
	case cwtypes.StatusCodeComplete, cwtypes.StatusCodePartialData, "":
	default:
		var msgs []string
		for _, m := range r.Messages {
			msgs = append(msgs, aws.ToString(m.Code)+": "+aws.ToString(m.Value))
		}
		res.Err = &queryError{status: string(r.StatusCode), message: strings.Join(msgs, "; ")}
		return
	}
	if res.Samples == nil {
		res.Samples = make([]cloudscrape.Sample, 0, len(r.Values))
	}
	periodSeconds := t.cfg.Period.Seconds()
	for j, ts := range r.Timestamps {
		v := r.Values[j]
		if n.mapping != nil {
			v = n.mapping.Apply(v, periodSeconds)
		}
		res.Samples = append(res.Samples, cloudscrape.Sample{T: ts, V: v})
	}
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

// customName is the name of an explicit query's metric: aws.<namespace>.<metric>, lower case,
// so custom metrics never collide with canonical ones.
func customName(m cwtypes.Metric) string {
	ns := strings.ToLower(strings.NewReplacer("/", ".", " ", "_").Replace(aws.ToString(m.Namespace)))
	return "aws." + ns + "." + aws.ToString(m.MetricName)
}
