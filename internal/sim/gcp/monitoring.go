package simgcp

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/genproto/googleapis/api/label"
	"google.golang.org/genproto/googleapis/api/metric"
	"google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/mcobs/mcobs/internal/sim"
)

// maxPageSize is Cloud Monitoring's largest page: points in the FULL view, series in HEADERS.
const maxPageSize = 100000

// ListMetricDescriptors returns the descriptors whose type the filter selects
// (metric.type = "t" or metric.type = starts_with("prefix")), with their ingest delays.
func (srv *server) ListMetricDescriptors(ctx context.Context, req *monitoringpb.ListMetricDescriptorsRequest) (*monitoringpb.ListMetricDescriptorsResponse, error) {
	if _, _, err := srv.grpcBegin(ctx, req.GetName(), OpListMetricDescriptors); err != nil {
		return nil, err
	}
	f, err := parseFilter(req.GetFilter())
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	resp := &monitoringpb.ListMetricDescriptorsResponse{}
	for _, m := range sim.GCPMetrics {
		if f.field("metric.type", m.Type) {
			resp.MetricDescriptors = append(resp.MetricDescriptors, descriptor(m))
		}
	}
	return resp, nil
}

func descriptor(m *sim.GCPMetric) *metric.MetricDescriptor {
	d := &metric.MetricDescriptor{
		Name: "projects/-/metricDescriptors/" + m.Type, Type: m.Type, Unit: m.Unit,
		MetricKind:             metric.MetricDescriptor_MetricKind(metric.MetricDescriptor_MetricKind_value[m.Kind]),
		ValueType:              metric.MetricDescriptor_ValueType(metric.MetricDescriptor_ValueType_value[m.ValueType]),
		MonitoredResourceTypes: []string{m.Resource},
		Metadata: &metric.MetricDescriptor_MetricDescriptorMetadata{
			SamplePeriod: durationpb.New(time.Minute), IngestDelay: durationpb.New(m.IngestDelay),
		},
	}
	for _, l := range m.Labels {
		d.Labels = append(d.Labels, &label.LabelDescriptor{Key: l, ValueType: label.LabelDescriptor_STRING})
	}
	return d
}

// series is one output time series before it is encoded.
type series struct {
	metricLabels, resourceLabels map[string]string
	kind, valueType              string
	period                       time.Duration
	points                       []point // ascending
}

type point struct {
	end time.Time
	v   float64
}

// ListTimeSeries answers a query for one metric type (the filter's metric.type) over every
// resource the filter selects, aligned per series and reduced across series as asked.
func (srv *server) ListTimeSeries(ctx context.Context, req *monitoringpb.ListTimeSeriesRequest) (*monitoringpb.ListTimeSeriesResponse, error) {
	project, malformed, err := srv.grpcBegin(ctx, req.GetName(), OpListTimeSeries)
	if err != nil {
		return nil, err
	}
	f, err := parseFilter(req.GetFilter())
	if err == nil {
		err = f.check()
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	m := sim.GCPMetricOf(f.value("metric.type"))
	if f.value("metric.type") == "" {
		return nil, status.Error(codes.InvalidArgument, "A filter must specify a metric type: metric.type = \"...\".")
	}
	if m == nil || !f.field("resource.type", m.Resource) {
		return &monitoringpb.ListTimeSeriesResponse{}, nil
	}
	q, err := newQuery(req, m)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	var out []*series
	for _, ser := range srv.fleet.SeriesOf(project, m.Type) {
		rl, user := srv.resourceLabels(project, m, ser.Resource)
		if !f.matches("resource.", lookup(rl)) || !f.matches("metadata.user_labels.", lookup(user)) {
			continue
		}
		disk := ""
		if i := srv.instance(project, ser.Resource); i != nil {
			disk = i.DiskName
		}
		for _, s := range q.split(srv.sim, ser, rl, disk) {
			if f.matches("metric.", lookup(s.metricLabels)) && len(s.points) > 0 {
				out = append(out, s)
			}
		}
	}
	out = q.reduce(out)
	return srv.page(project, req, m, out, malformed)
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// resourceLabels are the monitored resource's labels and the resource's user labels.
func (srv *server) resourceLabels(project string, m *sim.GCPMetric, id string) (map[string]string, map[string]string) {
	user := map[string]string{}
	if m.Resource == sim.GCPSQLResource {
		rl := map[string]string{"project_id": project, "database_id": id}
		for _, d := range srv.fleet.SQLOf(project) {
			if d.DatabaseID() == id {
				rl["region"] = d.Region
				for _, t := range d.Labels {
					user[t.Key] = t.Value
				}
			}
		}
		return rl, user
	}
	zone := ""
	if i := srv.instance(project, id); i != nil {
		zone = i.Zone
		for _, t := range i.Labels {
			user[t.Key] = t.Value
		}
	}
	return map[string]string{"project_id": project, "instance_id": id, "zone": zone}, user
}

// query is a request's time range and aggregation.
type query struct {
	m                *sim.GCPMetric
	start, end, now  time.Time
	period           time.Duration
	aligner, reducer string
	groupBy          []string
	headers          bool
}

func newQuery(req *monitoringpb.ListTimeSeriesRequest, m *sim.GCPMetric) (*query, error) {
	iv := req.GetInterval()
	if iv.GetEndTime() == nil {
		return nil, fmt.Errorf("interval.end_time is required")
	}
	q := &query{m: m, end: iv.GetEndTime().AsTime(), headers: req.GetView() == monitoringpb.ListTimeSeriesRequest_HEADERS}
	q.start = q.end
	if iv.GetStartTime() != nil {
		q.start = iv.GetStartTime().AsTime()
	}
	if q.start.After(q.end) {
		return nil, fmt.Errorf("interval.start_time must not be after interval.end_time")
	}
	a := req.GetAggregation()
	q.aligner, q.reducer = a.GetPerSeriesAligner().String(), a.GetCrossSeriesReducer().String()
	q.groupBy = a.GetGroupByFields()
	switch q.aligner {
	case "ALIGN_NONE":
		q.period = time.Minute
		if q.reducer != "REDUCE_NONE" {
			return nil, fmt.Errorf("a cross-series reducer requires a per-series aligner")
		}
		return q, nil
	case "ALIGN_MEAN", "ALIGN_SUM", "ALIGN_MAX", "ALIGN_MIN":
	case "ALIGN_DELTA":
		if m.Kind == "GAUGE" {
			return nil, fmt.Errorf("the aligner ALIGN_DELTA cannot be applied to metrics with kind GAUGE and value type %s", m.ValueType)
		}
	default:
		return nil, fmt.Errorf("the aligner %s is not simulated", q.aligner)
	}
	q.period = a.GetAlignmentPeriod().AsDuration()
	if q.period < time.Minute || q.period%time.Minute != 0 {
		return nil, fmt.Errorf("the alignment period must be a whole number of minutes, at least 60s, got %s", q.period)
	}
	switch q.reducer {
	case "REDUCE_NONE", "REDUCE_SUM", "REDUCE_MEAN", "REDUCE_MAX", "REDUCE_MIN":
	default:
		return nil, fmt.Errorf("the reducer %s is not simulated", q.reducer)
	}
	return q, nil
}

// outKind is the metric kind and value type of the aligned series.
func (q *query) outKind() (string, string) {
	switch q.aligner {
	case "ALIGN_MEAN":
		return "GAUGE", "DOUBLE"
	case "ALIGN_NONE", "ALIGN_SUM", "ALIGN_DELTA":
		return q.m.Kind, q.m.ValueType
	}
	return "GAUGE", q.m.ValueType
}

// split aligns one resource's series and shares it out over the metric's label values.
func (q *query) split(s *sim.Simulator, ser sim.Series, rl map[string]string, disk string) []*series {
	// Periods end at end, end-period, ... as Cloud Monitoring anchors them; each starts at or
	// after start.
	n := int(q.end.Sub(q.start) / q.period)
	first := q.end.Add(-time.Duration(n) * q.period)
	ws := s.Windows(ser, first, q.period, q.end, s.Now())
	kind, vt := q.outKind()
	splits := q.m.Split
	if len(splits) == 0 {
		splits = []sim.GCPLabelValue{{Share: 1}}
	}
	out := make([]*series, len(splits))
	for i, sp := range splits {
		ml := map[string]string{}
		for j, l := range q.m.Labels {
			switch {
			case j == 0:
				ml[l] = sp.Value
			case l == "device_name":
				ml[l] = disk
			default:
				ml[l] = "sda1"
			}
		}
		out[i] = &series{metricLabels: ml, resourceLabels: rl, kind: kind, valueType: vt, period: q.period}
	}
	for _, w := range ws {
		if w.Count == 0 {
			continue
		}
		v := q.aligned(w)
		rest := v
		for i, sp := range splits {
			part := v * sp.Share
			switch {
			case sp.Complement:
				part = 100 - v
			case q.m.ValueType == "INT64" && i == len(splits)-1:
				part = rest
			case q.m.ValueType == "INT64":
				part = math.Round(part)
				rest -= part
			}
			out[i].points = append(out[i].points, point{end: w.Start.Add(q.period), v: part})
		}
	}
	return out
}

func (q *query) aligned(w sim.Window) float64 {
	switch q.aligner {
	case "ALIGN_MEAN":
		return w.Average()
	case "ALIGN_MAX":
		return w.Maximum
	case "ALIGN_MIN":
		return w.Minimum
	}
	return w.Sum
}

// reduce combines series across the group_by_fields, point by point.
func (q *query) reduce(in []*series) []*series {
	if q.reducer == "REDUCE_NONE" || q.reducer == "" {
		return in
	}
	groups := map[string]*series{}
	counts := map[string]map[time.Time]int{}
	var order []string
	for _, s := range in {
		g := &series{metricLabels: map[string]string{}, resourceLabels: map[string]string{}, kind: s.kind, valueType: s.valueType, period: s.period}
		var key strings.Builder
		for _, field := range q.groupBy {
			v := ""
			if k, ok := cutAny(field, "resource."); ok {
				v = s.resourceLabels[k]
				g.resourceLabels[k] = v
			} else if k, ok := cutAny(field, "metric."); ok {
				v = s.metricLabels[k]
				g.metricLabels[k] = v
			}
			key.WriteString(field + "=" + v + ";")
		}
		if q.reducer == "REDUCE_MEAN" {
			g.valueType = "DOUBLE"
		}
		k := key.String()
		cur, ok := groups[k]
		if !ok {
			groups[k], counts[k], cur = g, map[time.Time]int{}, g
			order = append(order, k)
		}
		cur.points = q.merge(cur.points, s.points, counts[k])
	}
	out := make([]*series, 0, len(order))
	for _, k := range order {
		if q.reducer == "REDUCE_MEAN" {
			for i := range groups[k].points {
				groups[k].points[i].v /= float64(counts[k][groups[k].points[i].end])
			}
		}
		out = append(out, groups[k])
	}
	return out
}

// merge adds b's points into a (both ascending), counting contributions per end time.
func (q *query) merge(a, b []point, n map[time.Time]int) []point {
	byEnd := map[time.Time]int{}
	for i, p := range a {
		byEnd[p.end] = i
	}
	for _, p := range b {
		n[p.end]++
		i, ok := byEnd[p.end]
		if !ok {
			a = append(a, p)
			continue
		}
		switch q.reducer {
		case "REDUCE_SUM", "REDUCE_MEAN":
			a[i].v += p.v
		case "REDUCE_MAX":
			a[i].v = max(a[i].v, p.v)
		case "REDUCE_MIN":
			a[i].v = min(a[i].v, p.v)
		}
	}
	slices.SortFunc(a, func(x, y point) int { return x.end.Compare(y.end) })
	return a
}

// page encodes the series from the page token on, up to the page size (points in FULL, series
// in HEADERS), whole series only; a malformed answer loses its first point's value.
func (srv *server) page(project string, req *monitoringpb.ListTimeSeriesRequest, m *sim.GCPMetric, all []*series, malformed bool) (*monitoringpb.ListTimeSeriesResponse, error) {
	offset := 0
	if tok := req.GetPageToken(); tok != "" {
		var err error
		if offset, err = strconv.Atoi(tok); err != nil || offset < 0 || offset > len(all) {
			return nil, status.Errorf(codes.InvalidArgument, "invalid page token %q", tok)
		}
	}
	limit := min(maxPageSize, srv.cfg.MaxPointsPerPage)
	if ps := int(req.GetPageSize()); ps > 0 {
		limit = min(limit, ps)
	}
	headers := req.GetView() == monitoringpb.ListTimeSeriesRequest_HEADERS
	resp := &monitoringpb.ListTimeSeriesResponse{}
	size := 0
	i := offset
	for ; i < len(all); i++ {
		n := len(all[i].points)
		if headers {
			n = 1
		}
		if size > 0 && size+n > limit {
			break
		}
		size += n
		resp.TimeSeries = append(resp.TimeSeries, encode(m, all[i], headers))
	}
	if i < len(all) {
		resp.NextPageToken = strconv.Itoa(i)
	}
	srv.sim.CountMetricsRequested(project, len(resp.TimeSeries))
	if malformed && len(resp.TimeSeries) > 0 && len(resp.TimeSeries[0].Points) > 0 {
		resp.TimeSeries[0].Points[0].Value = nil
	}
	return resp, nil
}

func encode(m *sim.GCPMetric, s *series, headers bool) *monitoringpb.TimeSeries {
	ts := &monitoringpb.TimeSeries{
		Metric:     &metric.Metric{Type: m.Type, Labels: maps.Clone(s.metricLabels)},
		Resource:   &monitoredres.MonitoredResource{Type: m.Resource, Labels: maps.Clone(s.resourceLabels)},
		MetricKind: metric.MetricDescriptor_MetricKind(metric.MetricDescriptor_MetricKind_value[s.kind]),
		ValueType:  metric.MetricDescriptor_ValueType(metric.MetricDescriptor_ValueType_value[s.valueType]),
		Unit:       m.Unit,
	}
	if headers {
		return ts
	}
	// Newest first, as Cloud Monitoring returns them.
	for i := len(s.points) - 1; i >= 0; i-- {
		p := s.points[i]
		iv := &monitoringpb.TimeInterval{EndTime: timestamppb.New(p.end), StartTime: timestamppb.New(p.end)}
		if s.kind == "DELTA" {
			iv.StartTime = timestamppb.New(p.end.Add(-s.period))
		}
		v := &monitoringpb.TypedValue{Value: &monitoringpb.TypedValue_DoubleValue{DoubleValue: p.v}}
		if s.valueType == "INT64" {
			v.Value = &monitoringpb.TypedValue_Int64Value{Int64Value: int64(math.Round(p.v))}
		}
		ts.Points = append(ts.Points, &monitoringpb.Point{Interval: iv, Value: v})
	}
	return ts
}
