package simazure

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

// Limits of one metrics:getBatch call, as Azure Monitor enforces them.
const (
	maxBatchResources = 50
	maxBatchMetrics   = 20
	// maxBatchSpan bounds the time range of one call (Azure Monitor: 30 days).
	maxBatchSpan = 30 * 24 * time.Hour
)

// grains are the supported intervals (time grains) of the simulated metrics.
var grains = map[string]time.Duration{
	"PT1M": time.Minute, "PT5M": 5 * time.Minute, "PT15M": 15 * time.Minute, "PT30M": 30 * time.Minute,
	"PT1H": time.Hour, "PT6H": 6 * time.Hour, "PT12H": 12 * time.Hour, "P1D": 24 * time.Hour,
}

// totalMetrics are the metrics whose default (primary) aggregation is Total: per-minute byte
// counts. Every other simulated metric defaults to Average.
var totalMetrics = []string{"Network In Total", "Network Out Total", "Disk Read Bytes", "Disk Write Bytes"}

var metricDescriptions = map[string]string{
	"Percentage CPU":              "The percentage of allocated compute units that are currently in use by the Virtual Machine(s)",
	"Available Memory Bytes":      "Amount of physical memory, in bytes, immediately available for allocation to a process or for system use in the Virtual Machine",
	"Available Memory Percentage": "Amount of physical memory, in percentage, immediately available for allocation to a process or for system use in the Virtual Machine",
	"Network In Total":            "The number of bytes received on all network interfaces by the Virtual Machine(s) (Incoming Traffic)",
	"Network Out Total":           "The number of bytes out on all network interfaces by the Virtual Machine(s) (Outgoing Traffic)",
	"Disk Read Bytes":             "Bytes read from disk during monitoring period",
	"Disk Write Bytes":            "Bytes written to disk during monitoring period",
	"Disk Read Operations/Sec":    "Disk Read IOPS",
	"Disk Write Operations/Sec":   "Disk Write IOPS",
	"cpu_percent":                 "Percent of CPU in use",
	"active_connections":          "Total number of connections to the database server",
	"storage_free":                "Amount of storage space available",
	"disk_read_latency":           "Average time for a read from disk, in milliseconds",
}

var aggregations = []string{"average", "count", "maximum", "minimum", "total"}

// batchQuery is a validated metrics:getBatch request.
type batchQuery struct {
	namespace string
	metrics   []sim.AzureMetric
	// aggs are the requested aggregations, lowercase; nil means each metric's primary one.
	aggs        []string
	interval    string
	period      time.Duration
	start, end  time.Time
	resourceIDs []string
	// split is the dimension the filter splits by, with the values it keeps (nil: all).
	split        *dimensionFilter
	startEcho    string
	endEcho      string
	intervalEcho string
}

// metricsBatch is the regional data plane's metrics:getBatch: for each resource id (all of
// the path's subscription and region and of metricnamespace), each metric's one time series
// with a data entry per interval from starttime rounded down to the interval until endtime.
// Entries of intervals without settled samples (not yet settled, or after a VM stopped)
// carry only timeStamp, as Azure Monitor returns them.
func (srv *server) metricsBatch(c *call) *apiError {
	q, aerr := srv.parseBatch(c)
	if aerr != nil {
		return aerr
	}
	srv.sim.CountMetricBatch(c.account, c.region, canonicalNamespace(q.namespace), len(q.resourceIDs), len(q.metrics))
	now := srv.sim.Now()
	values := make([]resourceMetrics, 0, len(q.resourceIDs))
	for _, id := range q.resourceIDs {
		if contextDone(c.r.Context()) {
			return nil
		}
		values = append(values, srv.resourceValues(q, id, now))
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"values": values})
	return nil
}

type localizable struct {
	Value          string `json:"value"`
	LocalizedValue string `json:"localizedValue"`
}

type dataPoint struct {
	TimeStamp string   `json:"timeStamp"`
	Average   *float64 `json:"average,omitempty"`
	Minimum   *float64 `json:"minimum,omitempty"`
	Maximum   *float64 `json:"maximum,omitempty"`
	Total     *float64 `json:"total,omitempty"`
	Count     *float64 `json:"count,omitempty"`
}

type timeSeries struct {
	MetadataValues []any       `json:"metadatavalues"`
	Data           []dataPoint `json:"data"`
}

type metricJSON struct {
	ID                 string       `json:"id"`
	Type               string       `json:"type"`
	Name               localizable  `json:"name"`
	DisplayDescription string       `json:"displayDescription"`
	Unit               string       `json:"unit"`
	TimeSeries         []timeSeries `json:"timeseries"`
	ErrorCode          string       `json:"errorCode"`
}

type resourceMetrics struct {
	StartTime      string       `json:"starttime"`
	EndTime        string       `json:"endtime"`
	Interval       string       `json:"interval"`
	Value          []metricJSON `json:"value"`
	Namespace      string       `json:"namespace"`
	ResourceRegion string       `json:"resourceregion"`
	ResourceID     string       `json:"resourceid"`
}

func (srv *server) resourceValues(q batchQuery, id string, now time.Time) resourceMetrics {
	out := resourceMetrics{
		StartTime: q.startEcho, EndTime: q.endEcho, Interval: q.intervalEcho,
		Namespace: strings.ToLower(q.namespace), ResourceID: id,
	}
	for _, m := range q.metrics {
		aggs := q.aggs
		if aggs == nil {
			aggs = []string{"average"}
			if slices.Contains(totalMetrics, m.Name) {
				aggs = []string{"total"}
			}
		}
		first, end := q.start.Truncate(q.period), q.end.Truncate(q.period)
		if q.interval == "FULL" {
			first, end = q.start.Truncate(time.Minute), q.end.Truncate(time.Minute)
		}
		var series []timeSeries
		ser, ok := srv.fleet.Series(id, m.Name)
		if split := srv.fleet.SplitSeries(id, m.Name); !ok && len(split) > 0 {
			ser = split[0]
			series = splitTimeSeries(srv.sim, split, q, first, end, now, aggs)
		} else {
			series = []timeSeries{{MetadataValues: []any{}, Data: points(srv.sim.Windows(ser, first, q.period, end, now), aggs)}}
		}
		out.ResourceRegion, out.ResourceID = ser.Region, ser.Resource
		out.Value = append(out.Value, metricJSON{
			ID: ser.Resource + "/providers/Microsoft.Insights/metrics/" + m.Name, Type: "Microsoft.Insights/metrics",
			Name: localizable{m.Name, m.Name}, DisplayDescription: metricDescriptions[m.Name], Unit: m.Unit,
			TimeSeries: series, ErrorCode: "Success",
		})
	}
	return out
}

// points are a series' data entries, one per window (never null: Azure sends [] for none).
func points(ws []sim.Window, aggs []string) []dataPoint {
	data := make([]dataPoint, 0, len(ws))
	for _, w := range ws {
		data = append(data, point(w, aggs))
	}
	return data
}

func point(w sim.Window, aggs []string) dataPoint {
	p := dataPoint{TimeStamp: w.Start.UTC().Format(time.RFC3339)}
	if w.Count == 0 {
		return p
	}
	f := func(v float64) *float64 { return &v }
	for _, a := range aggs {
		switch a {
		case "average":
			p.Average = f(w.Average())
		case "minimum":
			p.Minimum = f(w.Minimum)
		case "maximum":
			p.Maximum = f(w.Maximum)
		case "total":
			p.Total = f(w.Sum)
		case "count":
			p.Count = f(float64(w.Count))
		}
	}
	return p
}

// parseBatch validates the query parameters and the body against Azure Monitor's rules.
func (srv *server) parseBatch(c *call) (batchQuery, *apiError) {
	params := lowerKeys(c.r.URL.Query())
	var q batchQuery
	q.namespace = params.Get("metricnamespace")
	if q.namespace == "" {
		return q, badRequest("The metricnamespace query parameter is required.")
	}
	known := sim.AzureMetrics(q.namespace)
	if len(known) == 0 {
		return q, badRequest("Metric namespace %q is not supported; the simulated namespaces are %s.",
			q.namespace, strings.Join(namespaces, ", "))
	}
	if aerr := q.parseMetricNames(params.Get("metricnames"), known); aerr != nil {
		return q, aerr
	}
	if aerr := q.parseAggregations(params.Get("aggregation")); aerr != nil {
		return q, aerr
	}
	if aerr := q.parseTimes(params, srv.sim.Now()); aerr != nil {
		return q, aerr
	}
	if params.Get("rollupby") != "" {
		return q, badRequest("The simulated metrics do not support rollupby.")
	}
	if aerr := q.parseFilter(params.Get("filter")); aerr != nil {
		return q, aerr
	}
	return q, srv.parseResourceIDs(c, &q)
}

func (q *batchQuery) parseMetricNames(param string, known []sim.AzureMetric) *apiError {
	if param == "" {
		return badRequest("The metricnames query parameter is required.")
	}
	names := strings.Split(param, ",")
	if len(names) > maxBatchMetrics {
		return badRequest("The number of metric names requested (%d) exceeds the maximum of %d per request.", len(names), maxBatchMetrics)
	}
	for _, n := range names {
		i := slices.IndexFunc(known, func(m sim.AzureMetric) bool { return strings.EqualFold(m.Name, strings.TrimSpace(n)) })
		if i < 0 {
			var valid []string
			for _, m := range known {
				valid = append(valid, m.Name)
			}
			provider, typ, _ := strings.Cut(canonicalNamespace(q.namespace), "/")
			return badRequest("Failed to find metric configuration for provider: %s, resource Type: %s, metric: %s, Valid metrics: %s",
				provider, typ, n, strings.Join(valid, ","))
		}
		q.metrics = append(q.metrics, known[i])
	}
	return nil
}

func (q *batchQuery) parseAggregations(param string) *apiError {
	if param == "" {
		return nil
	}
	for a := range strings.SplitSeq(param, ",") {
		a = strings.ToLower(strings.TrimSpace(a))
		if !slices.Contains(aggregations, a) {
			return badRequest("Invalid aggregation type %q; valid types are Average, Count, Maximum, Minimum, Total.", a)
		}
		q.aggs = append(q.aggs, a)
	}
	return nil
}

func (q *batchQuery) parseTimes(params url.Values, now time.Time) *apiError {
	q.interval = strings.ToUpper(params.Get("interval"))
	if q.interval == "" {
		q.interval = "PT1M"
	}
	var err error
	switch s, e := params.Get("starttime"), params.Get("endtime"); {
	case s == "" && e == "":
		q.end = now
		q.start = now.Add(-time.Hour)
	case s == "":
		return badRequest("The starttime query parameter is required when endtime is given.")
	default:
		if q.start, err = parseTime(s); err != nil {
			return badRequest("Invalid starttime %q: use the format yyyy-MM-ddTHH:mm:ss.fffZ.", s)
		}
		q.end = now
		if e != "" {
			if q.end, err = parseTime(e); err != nil {
				return badRequest("Invalid endtime %q: use the format yyyy-MM-ddTHH:mm:ss.fffZ.", e)
			}
		}
	}
	if !q.end.After(q.start) {
		return badRequest("The endtime %s must be after the starttime %s.", q.end.Format(time.RFC3339Nano), q.start.Format(time.RFC3339Nano))
	}
	if q.end.Sub(q.start) > maxBatchSpan {
		return badRequest("The time range %s exceeds the maximum of 30 days.", q.end.Sub(q.start))
	}
	if q.interval == "FULL" {
		q.period = q.end.Truncate(time.Minute).Sub(q.start.Truncate(time.Minute))
	} else if q.period = grains[q.interval]; q.period == 0 {
		return badRequest("Invalid interval (time grain) %q; supported: PT1M, PT5M, PT15M, PT30M, PT1H, PT6H, PT12H, P1D, FULL.", params.Get("interval"))
	}
	q.startEcho, q.endEcho, q.intervalEcho = q.start.Format(time.RFC3339Nano), q.end.Format(time.RFC3339Nano), q.interval
	return nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// Azure accepts UTC times without the zone suffix.
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	return t.UTC(), err
}

// parseResourceIDs reads the body and checks every resource is a simulated resource of the
// call's subscription, region and namespace.
func (srv *server) parseResourceIDs(c *call, q *batchQuery) *apiError {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	if err != nil {
		return badRequest("read request body: %v", err)
	}
	var req struct {
		ResourceIDs []string `json:"resourceids"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest("The request body is not a resource id list: %v", err)
	}
	switch n := len(req.ResourceIDs); {
	case n == 0:
		return badRequest("The request body must list at least one resource id in resourceids.")
	case n > maxBatchResources:
		return badRequest("The number of resource ids in the batch (%d) exceeds the maximum of %d.", n, maxBatchResources)
	}
	for _, id := range req.ResourceIDs {
		sub, typ, ok := parseResourceID(id)
		switch {
		case !ok:
			return badRequest("Resource id %q is not a valid Azure resource id.", id)
		case !strings.EqualFold(sub, c.account):
			return badRequest("Resource id %q is not in subscription %s: all resources of a batch must be in the subscription of the request.", id, c.account)
		case !strings.EqualFold(typ, q.namespace):
			return badRequest("Resource id %q is not of the metric namespace %s: all resources of a batch must be of the requested namespace.", id, q.namespace)
		}
		series := srv.fleet.ResourceSeries(id)
		if len(series) == 0 {
			return apiErrorf(http.StatusBadRequest, "ResourceNotFound", "The resource %q was not found.", id)
		}
		if !strings.EqualFold(series[0].Region, c.region) {
			return badRequest("Resource id %q is in region %s, not %s: all resources of a batch must be in the region of the endpoint.", id, series[0].Region, c.region)
		}
		q.resourceIDs = append(q.resourceIDs, id)
	}
	return nil
}

// parseResourceID returns the subscription and the resource type (provider/type) of an ARM
// resource id /subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{type}/{name}.
func parseResourceID(id string) (sub, typ string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(id, "/"), "/")
	if len(parts) < 8 || len(parts)%2 != 0 || !strings.EqualFold(parts[0], "subscriptions") || !strings.EqualFold(parts[2], "resourceGroups") ||
		!strings.EqualFold(parts[4], "providers") || slices.Contains(parts, "") {
		return "", "", false
	}
	// A child resource type names each level: Microsoft.Sql/servers/{server}/databases/{db}.
	typ = parts[5] + "/" + parts[6]
	for i := 8; i < len(parts); i += 2 {
		typ += "/" + parts[i]
	}
	return parts[1], typ, true
}

// namespaces are the simulated resource types.
var namespaces = []string{sim.AzureVMNamespace, sim.AzurePostgresNamespace, sim.AzureDiskNamespace, sim.AzureSQLNamespace, sim.AzureLBNamespace}

func canonicalNamespace(ns string) string {
	for _, c := range namespaces {
		if strings.EqualFold(c, ns) {
			return c
		}
	}
	return ns
}

// lowerKeys makes query parameter names case-insensitive, as Azure treats them.
func lowerKeys(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[strings.ToLower(k)] = append(out[strings.ToLower(k)], vs...)
	}
	return out
}
