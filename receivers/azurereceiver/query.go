package azurereceiver

import (
	"regexp"
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
	// dimension and value select one time series of a metric Azure reports split by a
	// dimension (a load balancer's Direction=In); both are empty for other metrics.
	dimension, value string
	// name and aggregation are a native query's metric, which has no mapping.
	name, aggregation string
}

// metric and stat are the Azure Monitor metric and aggregation a query asks for.
func (n native) metric() string {
	if n.mapping != nil {
		return n.mapping.Native
	}
	return n.name
}

func (n native) stat() string {
	if n.mapping != nil {
		return n.mapping.Statistic
	}
	return n.aggregation
}

// splitOf returns the dimension and the value of it that a mapping stands for, if its metric
// is split.
func splitOf(mp *canonical.Mapping) (dimension, value string) {
	d, ok := canonical.Azure.DimensionOf(mp.Namespace, mp.Native)
	if !ok {
		return "", ""
	}
	for v, attr := range d.Values {
		if slices.Contains(mp.Attrs, canonical.Attr{Key: d.Attr, Value: attr}) {
			return d.Name, v
		}
	}
	return "", ""
}

// mapped is what every resource of a platform is asked for under a canonical name, worked out
// once per plan: the mapping, its data point attributes (shared, read only) and its split.
type mapped struct {
	mp               *canonical.Mapping
	attrs            []cloudscrape.Attr
	dimension, value string
}

func mappedOf(platform string) []mapped {
	var out []mapped
	for i := range canonical.Azure.Mappings {
		mp := &canonical.Azure.Mappings[i]
		if mp.Platform != platform {
			continue
		}
		m := mapped{mp: mp, attrs: cloudscrape.MappingAttrs(mp)}
		m.dimension, m.value = splitOf(mp)
		out = append(out, m)
	}
	return out
}

// plan is a query per resource and mapped metric of its type, and per selected native
// metric and aggregation, in resource order.
func plan(inv *cloudscrape.Inventory, selection map[string]MetricSelection) []cloudscrape.Query {
	ids := make([]string, 0, len(inv.Resources))
	for id := range inv.Resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	// Azure compares resource types without case.
	selected := make(map[string]MetricSelection, len(selection))
	for typ, sel := range selection {
		selected[strings.ToLower(typ)] = sel
	}
	byPlatform := map[string][]mapped{}
	var qs []cloudscrape.Query
	for _, id := range ids {
		r := inv.Resources[id]
		ms, ok := byPlatform[r.Platform]
		if !ok {
			ms = mappedOf(r.Platform)
			byPlatform[r.Platform] = ms
		}
		if len(ms) == 0 {
			continue
		}
		rid, region := r.Attrs[canonical.AttrCloudResourceID], r.Attrs[canonical.AttrCloudRegion]
		for _, m := range ms {
			n := native{region: region, namespace: m.mp.Namespace, resourceID: rid, mapping: m.mp, dimension: m.dimension, value: m.value}
			key := id + "|" + m.mp.Native + "|" + m.mp.Statistic
			if m.dimension != "" {
				key += "|" + m.dimension + "=" + m.value
			}
			qs = append(qs, cloudscrape.Query{Resource: id, Key: key, Metric: m.mp.Metric, Attrs: m.attrs, Native: n})
		}
		typ := ms[0].mp.Namespace
		qs = append(qs, nativeQueries(id, typ, region, rid, selected[strings.ToLower(typ)])...)
	}
	return qs
}

// nativeQueries are the selected metrics of a resource's type under native names: each
// aggregation of an unmapped metric, and each aggregation of a mapped one other than its
// mapping's.
func nativeQueries(id, typ, region, resourceID string, sel MetricSelection) []cloudscrape.Query {
	aggs := sel.Aggregations
	if len(aggs) == 0 {
		aggs = []string{"Average"}
	}
	var qs []cloudscrape.Query
	for _, name := range sel.Names {
		canon := canonical.Azure.ForNative(typ, name)
		for _, agg := range aggs {
			if slices.ContainsFunc(canon, func(mp *canonical.Mapping) bool { return mp.Statistic == agg }) {
				continue
			}
			m := canonical.Metric{Name: nativeName(typ, name), Description: "Azure Monitor " + typ + " " + name}
			qs = append(qs, cloudscrape.Query{
				Resource: id, Key: id + "|" + name + "|" + agg, Metric: m,
				Attrs:  []cloudscrape.Attr{{Key: canonical.AttrNativeStatistic, Value: agg}},
				Native: native{region: region, namespace: typ, resourceID: resourceID, name: name, aggregation: agg},
			})
		}
	}
	return qs
}

// nativeName is the metric name of an Azure Monitor metric without a canonical mapping:
// azure.<type>.<metric>, lower case, with "/" read as "per" (Disk Read Operations/Sec is
// disk_read_operations_per_sec).
func nativeName(typ, metric string) string {
	clean := func(s string) string {
		s = strings.ToLower(strings.ReplaceAll(s, "/", " per "))
		return strings.Trim(nonName.ReplaceAllString(s, "_"), "_")
	}
	return "azure." + strings.ReplaceAll(strings.ToLower(typ), "/", ".") + "." + clean(metric)
}

var nonName = regexp.MustCompile(`[^a-z0-9.]+`)

// batch is the queries of one region and resource type (and dimension split): the batch
// API's unit. A filter applies to every metric of a call and each must have its dimension, so
// split metrics go in calls of their own.
type batch struct {
	region, namespace string
	dimension         string
	// custom batches carry the selected native metrics: a name Azure does not know fails its
	// whole call, so they never share one with the mapped metrics.
	custom       bool
	resources    []string // resource IDs as Azure spells them
	metrics      []string
	aggregations []string
	// index finds a query by lower-case resource ID, metric name and aggregation.
	index map[string]int
}

// calls is how many metrics:getBatch requests the batch takes.
func (b *batch) calls() int {
	return ceilDiv(len(b.resources), maxResourcesPerCall) * ceilDiv(len(b.metrics), maxMetricsPerCall)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func indexKey(resourceID, metric, aggregation, value string) string {
	return strings.ToLower(resourceID) + "|" + metric + "|" + strings.ToLower(aggregation) + "|" + strings.ToLower(value)
}

// filter is the batch's dimension filter: every value of its dimension, each a time series.
func (b *batch) filter() *string {
	if b.dimension == "" {
		return nil
	}
	f := b.dimension + " eq '*'"
	return &f
}

// batches groups queries by region, resource type and dimension split, in first-seen order.
func batches(qs []cloudscrape.Query) []*batch {
	var out []*batch
	type key struct {
		region, namespace, dimension string
		custom                       bool
	}
	byKey := map[key]*batch{}
	for i := range qs {
		n := qs[i].Native.(native)
		k := key{n.region, strings.ToLower(n.namespace), n.dimension, n.mapping == nil}
		b := byKey[k]
		if b == nil {
			b = &batch{region: n.region, namespace: n.namespace, dimension: n.dimension, custom: k.custom, index: map[string]int{}}
			byKey[k] = b
			out = append(out, b)
		}
		if !slices.Contains(b.resources, n.resourceID) {
			b.resources = append(b.resources, n.resourceID)
		}
		if !slices.Contains(b.metrics, n.metric()) {
			b.metrics = append(b.metrics, n.metric())
		}
		if !slices.Contains(b.aggregations, n.stat()) {
			b.aggregations = append(b.aggregations, n.stat())
		}
		b.index[indexKey(n.resourceID, n.metric(), n.stat(), n.value)] = i
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
				if code := deref(m.ErrorCode); code != "" && code != "Success" {
					for _, i := range b.queriesOf(rid, name, agg) {
						out[i].Err = &metricError{code: code, message: deref(m.ErrorMessage)}
					}
					continue
				}
				for _, ts := range m.TimeSeries {
					i, ok := b.index[indexKey(rid, name, agg, dimensionValue(ts, b.dimension))]
					if !ok {
						continue // a dimension value no mapping stands for
					}
					mp := qs[i].Native.(native).mapping
					for _, dp := range ts.Data {
						v := value(dp, agg)
						if v == nil || dp.TimeStamp == nil {
							continue // an interval without data
						}
						if mp != nil {
							*v = mp.Apply(*v, periodSeconds)
						}
						out[i].Samples = append(out[i].Samples, cloudscrape.Sample{T: *dp.TimeStamp, V: *v})
					}
				}
			}
		}
	}
}

// queriesOf returns the queries of a resource's metric and aggregation, one per dimension
// value for a split metric.
func (b *batch) queriesOf(resourceID, metric, aggregation string) []int {
	prefix := indexKey(resourceID, metric, aggregation, "")
	var out []int
	for k, i := range b.index {
		if strings.HasPrefix(k, prefix) {
			out = append(out, i)
		}
	}
	return out
}

// failAll sets err on the queries of the resources and metrics of one call.
func (b *batch) failAll(ids, names []string, err error, out []cloudscrape.Result) {
	for _, id := range ids {
		for _, name := range names {
			for _, agg := range b.aggregations {
				for _, i := range b.queriesOf(id, name, agg) {
					out[i].Err = err
				}
			}
		}
	}
}

// dimensionValue is a time series' value of the dimension ("" when the batch has none).
func dimensionValue(ts azmetrics.TimeSeriesElement, dimension string) string {
	if dimension == "" {
		return ""
	}
	for _, md := range ts.MetadataValues {
		if md.Name != nil && strings.EqualFold(deref(md.Name.Value), dimension) {
			return deref(md.Value)
		}
	}
	return ""
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
