package simaws

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"

	"github.com/mcobs/mcobs/internal/sim"
)

// maxQueries is GetMetricData's limit on MetricDataQueries.
const maxQueries = 500

var metricIDRe = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// cborStr reads a string member of a CBOR map.
func cborStr(m cbor.Map, key string) string {
	if s, ok := m[key].(cbor.String); ok {
		return string(s)
	}
	return ""
}

func cborMap(m cbor.Map, key string) cbor.Map {
	v, _ := m[key].(cbor.Map)
	return v
}

func cborList(m cbor.Map, key string) cbor.List {
	v, _ := m[key].(cbor.List)
	return v
}

func decodeCBORBody(c *call) (cbor.Map, *apiError) {
	if len(c.body) == 0 {
		return cbor.Map{}, nil
	}
	v, err := cbor.Decode(c.body)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "SerializationException", "decode CBOR body: %v", err)
	}
	m, ok := v.(cbor.Map)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "SerializationException", "CBOR body is not a map")
	}
	return m, nil
}

func writeCBOR(c *call, v cbor.Map) {
	c.w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	c.w.Header().Set("Content-Type", "application/cbor")
	c.w.Header().Set("X-Amzn-Requestid", c.requestID)
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(cbor.Encode(v))
}

func cborTime(t time.Time) cbor.Value {
	return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1e3)}
}

func cborDims(ds []sim.Dimension) cbor.List {
	out := cbor.List{}
	for _, d := range ds {
		out = append(out, cbor.Map{"Name": cbor.String(d.Name), "Value": cbor.String(d.Value)})
	}
	return out
}

// encodeToken and decodeToken make opaque paging tokens bound to an operation.
func encodeToken(kind string, parts ...int) string {
	s := kind
	for _, p := range parts {
		s += ":" + strconv.Itoa(p)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func decodeToken(kind, tok string, n int) ([]int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, false
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != n+1 || parts[0] != kind {
		return nil, false
	}
	out := make([]int, n)
	for i, p := range parts[1:] {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

func invalidNextToken(p protocol) *apiError {
	if p == protoCBOR {
		return errorf(http.StatusBadRequest, "InvalidNextToken", "The service couldn't process your request because the NextToken is invalid.")
	}
	return invalidParam(p, "Invalid pagination token")
}

func (s *Server) listMetrics(c *call) *apiError {
	in, aerr := decodeCBORBody(c)
	if aerr != nil {
		return aerr
	}
	namespace, name := cborStr(in, "Namespace"), cborStr(in, "MetricName")
	recently := cborStr(in, "RecentlyActive")
	if recently != "" && recently != "PT3H" {
		return errorf(http.StatusBadRequest, "InvalidParameterValue", "RecentlyActive must be PT3H, got %q", recently)
	}
	var filters []sim.Dimension
	for _, v := range cborList(in, "Dimensions") {
		m, _ := v.(cbor.Map)
		filters = append(filters, sim.Dimension{Name: cborStr(m, "Name"), Value: cborStr(m, "Value")})
	}
	var matched []sim.Series
	for _, ser := range s.sim.Fleet().SeriesIn(c.principal.Account, c.region) {
		if namespace != "" && ser.Namespace != namespace || name != "" && ser.MetricName != name {
			continue
		}
		if recently != "" && !ser.Active {
			continue
		}
		if !dimsMatch(ser.Dimensions, filters) {
			continue
		}
		matched = append(matched, ser)
	}
	offset := 0
	if tok := cborStr(in, "NextToken"); tok != "" {
		p, ok := decodeToken("lm", tok, 1)
		if !ok || p[0] > len(matched) {
			return invalidNextToken(c.proto)
		}
		offset = p[0]
	}
	end := min(offset+s.sim.Config().AWS.ListMetricsPageSize, len(matched))
	metrics := cbor.List{}
	for _, ser := range matched[offset:end] {
		metrics = append(metrics, cbor.Map{
			"Namespace": cbor.String(ser.Namespace), "MetricName": cbor.String(ser.MetricName),
			"Dimensions": cborDims(ser.Dimensions),
		})
	}
	out := cbor.Map{"Metrics": metrics}
	if end < len(matched) {
		out["NextToken"] = cbor.String(encodeToken("lm", end))
	}
	writeCBOR(c, out)
	return nil
}

// dimsMatch applies ListMetrics dimension filters: each filter's name must be present, with
// the value when one is given.
func dimsMatch(have []sim.Dimension, filters []sim.Dimension) bool {
	for _, f := range filters {
		found := false
		for _, d := range have {
			if d.Name == f.Name && (f.Value == "" || d.Value == f.Value) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// metricQuery is one parsed MetricDataQuery.
type metricQuery struct {
	id, label, stat string
	// unit, when set, must equal the series' unit or the query returns no data, as on AWS.
	unit            string
	returnData      bool
	period          time.Duration
	namespace, name string
	dims            []sim.Dimension
}

func parseQueries(p protocol, list cbor.List) ([]metricQuery, *apiError) {
	if len(list) == 0 {
		return nil, errorf(http.StatusBadRequest, "MissingParameter", "The parameter MetricDataQueries is required.")
	}
	if len(list) > maxQueries {
		return nil, errorf(http.StatusBadRequest, "ValidationError",
			"1 validation error detected: Value at 'metricDataQueries' failed to satisfy constraint: Member must have length less than or equal to %d", maxQueries)
	}
	seen := map[string]bool{}
	out := make([]metricQuery, 0, len(list))
	for i, v := range list {
		m, _ := v.(cbor.Map)
		q := metricQuery{id: cborStr(m, "Id"), label: cborStr(m, "Label"), returnData: true}
		if !metricIDRe.MatchString(q.id) {
			return nil, invalidParam(p, "MetricDataQueries[%d].Id %q must start with a lowercase letter and contain only letters, digits and underscores", i, q.id)
		}
		if seen[q.id] {
			return nil, invalidParam(p, "The value %s for field Id is duplicated", q.id)
		}
		seen[q.id] = true
		if b, ok := m["ReturnData"].(cbor.Bool); ok {
			q.returnData = bool(b)
		}
		if cborStr(m, "Expression") != "" {
			return nil, invalidParam(p, "MetricDataQueries[%d]: metric math expressions are not simulated", i)
		}
		ms := cborMap(m, "MetricStat")
		if ms == nil {
			return nil, invalidParam(p, "MetricDataQueries[%d] must have a MetricStat", i)
		}
		metric := cborMap(ms, "Metric")
		q.namespace, q.name, q.stat = cborStr(metric, "Namespace"), cborStr(metric, "MetricName"), cborStr(ms, "Stat")
		q.unit = cborStr(ms, "Unit")
		for _, d := range cborList(metric, "Dimensions") {
			dm, _ := d.(cbor.Map)
			q.dims = append(q.dims, sim.Dimension{Name: cborStr(dm, "Name"), Value: cborStr(dm, "Value")})
		}
		if !sim.ValidStat(q.stat) {
			return nil, invalidParam(p, "MetricDataQueries[%d].MetricStat.Stat %q is not one of Average, Minimum, Maximum, Sum, SampleCount", i, q.stat)
		}
		period, err := cbor.AsInt64(ms["Period"])
		if err != nil || period < 60 || period%60 != 0 {
			return nil, invalidParam(p, "MetricDataQueries[%d].MetricStat.Period must be a multiple of 60 seconds", i)
		}
		q.period = time.Duration(period) * time.Second
		out = append(out, q)
	}
	return out, nil
}

func (s *Server) getMetricData(c *call) *apiError {
	in, aerr := decodeCBORBody(c)
	if aerr != nil {
		return aerr
	}
	queries, aerr := parseQueries(c.proto, cborList(in, "MetricDataQueries"))
	if aerr != nil {
		return aerr
	}
	start, err1 := cbor.AsTime(in["StartTime"])
	end, err2 := cbor.AsTime(in["EndTime"])
	if err1 != nil || err2 != nil {
		return errorf(http.StatusBadRequest, "MissingParameter", "StartTime and EndTime are required timestamps.")
	}
	if !end.After(start) {
		return invalidParam(c.proto, "The parameter StartTime must be less than the parameter EndTime.")
	}
	descending := true
	switch scan := cborStr(in, "ScanBy"); scan {
	case "", "TimestampDescending":
	case "TimestampAscending":
		descending = false
	default:
		return invalidParam(c.proto, "ScanBy %q must be TimestampDescending or TimestampAscending", scan)
	}
	qi, pi := 0, 0
	if tok := cborStr(in, "NextToken"); tok != "" {
		p, ok := decodeToken("gmd", tok, 2)
		if !ok || p[0] >= len(queries) {
			return invalidNextToken(c.proto)
		}
		qi, pi = p[0], p[1]
	}
	now := s.sim.Now()
	budget := s.sim.Config().AWS.MaxDatapointsPerCall
	if md, err := cbor.AsInt64(in["MaxDatapoints"]); err == nil && md > 0 && int(md) < budget {
		budget = int(md)
	}
	results := cbor.List{}
	var next string
	for ; qi < len(queries); qi, pi = qi+1, 0 {
		q := queries[qi]
		if !q.returnData {
			continue
		}
		var points []sim.Point
		if ser, ok := s.sim.Fleet().FindSeries(c.principal.Account, c.region, q.namespace, q.name, q.dims); ok && (q.unit == "" || q.unit == ser.Unit) {
			points = s.sim.Aggregate(ser, q.stat, q.period, start, end, now)
		}
		if descending {
			for i, j := 0, len(points)-1; i < j; i, j = i+1, j-1 {
				points[i], points[j] = points[j], points[i]
			}
		}
		if pi > len(points) {
			return invalidNextToken(c.proto)
		}
		points = points[pi:]
		status := "Complete"
		if len(points) > budget {
			points = points[:budget]
			status = "PartialData"
			next = encodeToken("gmd", qi, pi+budget)
		}
		budget -= len(points)
		ts, vs := cbor.List{}, cbor.List{}
		for _, p := range points {
			ts = append(ts, cborTime(p.Timestamp))
			vs = append(vs, cbor.Float64(p.Value))
		}
		label := q.label
		if label == "" {
			label = q.name
		}
		results = append(results, cbor.Map{
			"Id": cbor.String(q.id), "Label": cbor.String(label), "Timestamps": ts, "Values": vs,
			"StatusCode": cbor.String(status),
		})
		if next != "" {
			break
		}
		if budget == 0 && qi+1 < len(queries) {
			next = encodeToken("gmd", qi+1, 0)
			break
		}
	}
	s.sim.CountMetricsRequested(c.principal.Account, len(queries))
	out := cbor.Map{"MetricDataResults": results, "Messages": cbor.List{}}
	if next != "" {
		out["NextToken"] = cbor.String(next)
	}
	writeCBOR(c, out)
	return nil
}
