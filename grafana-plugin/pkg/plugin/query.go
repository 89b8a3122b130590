package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/prometheus/common/model"
)

// Query types of the query model's queryType.
const (
	typeForecast  = "forecast"
	typeRunway    = "runway"
	typeAnomalies = "anomalies"
)

// maxPoints is the most points per series Prometheus returns from a range query (its own
// limit is 11 000); a coarser step is chosen rather than an error.
const maxPoints = 11_000

// maxSteps bounds a forecast's length in steps so that a horizon typed in the wrong unit
// ("7y" at 1m) fails with a message instead of building a frame of millions of rows.
const maxSteps = 100_000

// queryModel is DataQuery.JSON as the query editor writes it (README, "Query model").
type queryModel struct {
	QueryType     string          `json:"queryType"`
	Expr          string          `json:"expr"`
	Horizon       string          `json:"horizon"`
	History       string          `json:"history"`
	Step          string          `json:"step"`
	LegendFormat  string          `json:"legendFormat"`
	Resources     []resourceQuery `json:"resources"`
	AnomalyMetric string          `json:"anomalyMetric"`
}

// query is a parsed query; zero durations mean "use the query type's default".
type query struct {
	refID, typ, expr, legend, anomalyMetric string
	horizon, history, step                  time.Duration
	resources                               []resourceQuery
	from, to                                time.Time
	interval                                time.Duration
}

// QueryData answers every query on its own: one query's error is that query's response and
// never fails the others.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		resp.Responses[q.RefID] = d.query(ctx, q)
	}
	return resp, nil
}

func (d *Datasource) query(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	q, err := parseQuery(dq)
	if err != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, err.Error())
	}
	var frames data.Frames
	switch q.typ {
	case typeForecast:
		frames, err = d.forecastQuery(ctx, q)
	case typeRunway:
		frames, err = d.runwayQuery(ctx, q)
	case typeAnomalies:
		frames, err = d.anomaliesQuery(ctx, q)
	}
	if err != nil {
		return errResponse(err)
	}
	return backend.DataResponse{Frames: frames}
}

// errResponse maps an error to a status Grafana shows: a rejected query is the user's to fix,
// an unreachable or failing server is downstream.
func errResponse(err error) backend.DataResponse {
	var se *serverError
	var ue *userError
	switch {
	case errors.As(err, &ue):
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourcePlugin, err.Error())
	case errors.As(err, &se) && se.isBadQuery():
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
	case errors.As(err, &se) && se.isAuth():
		return backend.ErrDataResponseWithSource(backend.StatusUnauthorized, backend.ErrorSourceDownstream, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return backend.ErrDataResponseWithSource(backend.StatusTimeout, backend.ErrorSourceDownstream, err.Error())
	}
	return backend.ErrDataResponseWithSource(backend.StatusBadGateway, backend.ErrorSourceDownstream, err.Error())
}

// userError is a query the user must change (a missing expression, a bad resource).
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }

func userErrorf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

// parseQuery reads the query model; an empty queryType is a forecast, the editor's default.
func parseQuery(dq backend.DataQuery) (query, error) {
	var m queryModel
	if err := json.Unmarshal(dq.JSON, &m); err != nil {
		return query{}, fmt.Errorf("parse query %q: %w", dq.RefID, err)
	}
	q := query{
		refID: dq.RefID, typ: m.QueryType, expr: strings.TrimSpace(m.Expr), legend: m.LegendFormat,
		resources: m.Resources, anomalyMetric: m.AnomalyMetric,
		from: dq.TimeRange.From, to: dq.TimeRange.To, interval: dq.Interval,
	}
	if q.typ == "" {
		q.typ = dq.QueryType
	}
	if q.typ == "" {
		q.typ = typeForecast
	}
	if q.typ != typeForecast && q.typ != typeRunway && q.typ != typeAnomalies {
		return query{}, fmt.Errorf("unknown `queryType` %q: want forecast, runway or anomalies", q.typ)
	}
	var errs []error
	for _, f := range []struct {
		key, raw string
		dst      *time.Duration
	}{{"horizon", m.Horizon, &q.horizon}, {"history", m.History, &q.history}, {"step", m.Step, &q.step}} {
		if strings.TrimSpace(f.raw) == "" {
			continue
		}
		d, err := model.ParseDuration(strings.TrimSpace(f.raw))
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("`%s` must be a positive duration such as \"7d\" or \"5m\", got %q", f.key, f.raw))
			continue
		}
		*f.dst = time.Duration(d)
	}
	if q.to.IsZero() {
		errs = append(errs, errors.New("the query has no time range"))
	}
	return q, errors.Join(errs...)
}

// window is the evaluation range of a query: it ends at the query's time range end (never the
// wall clock, so a result is reproducible), aligned down to the step so consecutive refreshes
// and the different series of one query share timestamps.
func window(to time.Time, length, step time.Duration) (start, end time.Time, st time.Duration) {
	st = max(step, time.Second, (length+maxPoints-1)/maxPoints)
	st = st.Truncate(time.Second)
	end = time.UnixMilli(to.UnixMilli() - to.UnixMilli()%st.Milliseconds()).UTC()
	n := max(int64(length/st), 1)
	return end.Add(-time.Duration(n) * st), end, st
}

// checkSteps rejects horizons that would make absurdly long frames.
func checkSteps(horizon, step time.Duration) error {
	if n := int64(horizon / step); n > maxSteps {
		return userErrorf("`horizon` %s is %d steps of %s; at most %d, choose a larger `step`", model.Duration(horizon), n, model.Duration(step), maxSteps)
	}
	return nil
}

// seriesSamples converts a Prometheus series to the engine's input; Prometheus' NaN stays NaN
// (missing to the engine).
func seriesSamples(ss *model.SampleStream) ([]time.Time, []float64) {
	times := make([]time.Time, len(ss.Values))
	values := make([]float64, len(ss.Values))
	for i, p := range ss.Values {
		times[i] = p.Timestamp.Time().UTC()
		values[i] = float64(p.Value)
	}
	return times, values
}

// seriesLabels are a series' labels for a data field, without the metric name.
func seriesLabels(m model.Metric) data.Labels {
	l := data.Labels{}
	for k, v := range m {
		if k != model.MetricNameLabel {
			l[string(k)] = string(v)
		}
	}
	return l
}

var legendRE = regexp.MustCompile(`\{\{\s*(.+?)\s*\}\}`)

// legend renders legendFormat ("{{host_name}} {{mountpoint}}") like Prometheus' datasource;
// empty, it is the series' label set.
func legend(format string, m model.Metric) string {
	if format == "" {
		return m.String()
	}
	return legendRE.ReplaceAllStringFunc(format, func(s string) string {
		return string(m[model.LabelName(legendRE.FindStringSubmatch(s)[1])])
	})
}

// warningNotices passes the server's warnings (e.g. a partial answer from Thanos) on to the panel.
func warningNotices(warnings []string) []data.Notice {
	var n []data.Notice
	for _, w := range warnings {
		n = append(n, data.Notice{Severity: data.NoticeSeverityWarning, Text: w})
	}
	return n
}
