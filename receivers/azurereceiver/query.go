package azurereceiver

import (
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azmetrics"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// The metrics:getBatch limits: resources of one subscription, region and type per call, and
// metric names per call.
const (
	maxResourcesPerCall = 50
	maxMetricsPerCall   = 20
)

// native is what a query asks Azure Monitor for.
type native struct {
	region, namespace, resourceID string
	mapping                       *canonical.Mapping
}

// plan is a query per resource and mapped metric of its type, in resource order.
func plan(inv *cloudscrape.Inventory) []cloudscrape.Query {
	ids := make([]string, 0, len(inv.Resources))
	for id := range inv.Resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var qs []cloudscrape.Query
	for _, id := range ids {
		r := inv.Resources[id]
		rid := r.Attrs[canonical.AttrCloudResourceID]
		for _, mp := range canonical.Azure.Mappings {
			if mp.Platform != r.Platform {
				continue
			}
			attrs := make([]cloudscrape.Attr, 0, len(mp.Attrs)+4)
			for _, a := range mp.Attrs {
				attrs = append(attrs, cloudscrape.Attr{Key: a.Key, Value: a.Value})
			}
			attrs = append(attrs,
				cloudscrape.Attr{Key: canonical.AttrNativeNamespace, Value: mp.Namespace},
				cloudscrape.Attr{Key: canonical.AttrNativeName, Value: mp.Native},
				cloudscrape.Attr{Key: canonical.AttrNativeStatistic, Value: mp.Statistic},
				cloudscrape.Attr{Key: canonical.AttrNativeUnit, Value: mp.NativeUnit})
			qs = append(qs, cloudscrape.Query{
				Resource: id,
				Key:      id + "|" + mp.Native + "|" + mp.Statistic,
				Metric:   mp.Metric,
				Attrs:    attrs,
				Native:   native{region: r.Attrs[canonical.AttrCloudRegion], namespace: mp.Namespace, resourceID: rid, mapping: &mp},
			})
		}
	}
	return qs
}

// batch is the queries of one region and resource type: the batch API's unit.
type batch struct {
	region, namespace string
	resources         []string // resource IDs as Azure spells them
	metrics           []string
	aggregations      []string
	// index finds a query by lower-case resource ID, metric name and aggregation.
	index map[string]int
}

// calls is how many metrics:getBatch requests the batch takes.
func (b *batch) calls() int {
	return ceilDiv(len(b.resources), maxResourcesPerCall) * ceilDiv(len(b.metrics), maxMetricsPerCall)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func indexKey(resourceID, metric, aggregation string) string {
	return strings.ToLower(resourceID) + "|" + metric + "|" + strings.ToLower(aggregation)
}

// batches groups queries by region and resource type, in first-seen order.
func batches(qs []cloudscrape.Query) []*batch {
	var out []*batch
	byKey := map[[2]string]*batch{}
	for i := range qs {
		n := qs[i].Native.(native)
		k := [2]string{n.region, strings.ToLower(n.namespace)}
		b := byKey[k]
		if b == nil {
			b = &batch{region: n.region, namespace: n.namespace, index: map[string]int{}}
			byKey[k] = b
			out = append(out, b)
		}
		if !slices.Contains(b.resources, n.resourceID) {
			b.resources = append(b.resources, n.resourceID)
		}
		if !slices.Contains(b.metrics, n.mapping.Native) {
			b.metrics = append(b.metrics, n.mapping.Native)
		}
		if !slices.Contains(b.aggregations, n.mapping.Statistic) {
			b.aggregations = append(b.aggregations, n.mapping.Statistic)
		}
		b.index[indexKey(n.resourceID, n.mapping.Native, n.mapping.Statistic)] = i
	}
	return out
}

// chunks splits vs into slices of at most n.
func chunks(vs []string, n int) [][]string {
	var out [][]string
	for len(vs) > n {
		out = append(out, vs[:n])
		vs = vs[n:]
	}
	return append(out, vs)
}

// metricError is a metric Azure Monitor answered with an error code instead of data.
type metricError struct{ code, message string }

func (e *metricError) Error() string { return "Azure Monitor metric " + e.code + ": " + e.message }

// accept adds a batch response's points, in canonical units, to the results of their queries.
func accept(values []azmetrics.MetricData, b *batch, qs []cloudscrape.Query, out []cloudscrape.Result, periodSeconds float64) {
	for _, md := range values {
		rid := deref(md.ResourceID)
		for _, m := range md.Values {
			if m.Name == nil {
				continue
			}
			name := deref(m.Name.Value)
			for _, agg := range b.aggregations {
				i, ok := b.index[indexKey(rid, name, agg)]
				if !ok {
					continue
				}
				if code := deref(m.ErrorCode); code != "" && code != "Success" {
					out[i].Err = &metricError{code: code, message: deref(m.ErrorMessage)}
					continue
				}
				mp := qs[i].Native.(native).mapping
				for _, ts := range m.TimeSeries {
					for _, dp := range ts.Data {
						v := value(dp, agg)
						if v == nil || dp.TimeStamp == nil {
							continue // an interval without data
						}
						out[i].Samples = append(out[i].Samples, cloudscrape.Sample{T: *dp.TimeStamp, V: mp.Apply(*v, periodSeconds)})
					}
				}
			}
		}
	}
}

// value is a data point's value of an aggregation.
func value(dp azmetrics.MetricValue, aggregation string) *float64 {
	switch strings.ToLower(aggregation) {
	case "average":
		return dp.Average
	case "total":
		return dp.Total
	case "minimum":
		return dp.Minimum
	case "maximum":
		return dp.Maximum
	case "count":
		return dp.Count
	}
	return nil
}
