package plugin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/prometheus/common/model"

	"github.com/mcobs/mcobs/internal/analytics/forecast"
)

// defaultHorizon is how far a forecast query looks ahead when the query does not say.
const defaultHorizon = 7 * 24 * time.Hour

// defaultStep is the step of a forecast or anomalies query when neither the query nor the panel
// gives one.
const defaultStep = time.Minute

// forecastQuery evaluates expr over the history and forecasts each series to the horizon.
func (d *Datasource) forecastQuery(ctx context.Context, q query) (data.Frames, error) {
	if q.expr == "" {
		return nil, userErrorf("`expr` is empty: a forecast needs a PromQL expression")
	}
	horizon := cmp.Or(q.horizon, defaultHorizon)
	length := cmp.Or(q.history, q.to.Sub(q.from))
	start, end, step := window(q.to, length, cmp.Or(q.step, cmp.Or(q.interval, defaultStep)))
	if err := checkSteps(horizon, step); err != nil {
		return nil, err
	}
	m, warnings, err := d.prom.queryRange(ctx, q.expr, start, end, step)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", q.expr, err)
	}
	frames := make(data.Frames, 0, len(m))
	for _, ss := range m {
		f, err := forecastFrame(ss, q, horizon, step)
		if err != nil {
			return nil, err
		}
		f.Meta.Notices = append(f.Meta.Notices, warningNotices(warnings)...)
		frames = append(frames, f)
	}
	if len(frames) == 0 {
		f := data.NewFrame("")
		f.SetMeta(&data.FrameMeta{ExecutedQueryString: q.expr, Notices: append(warningNotices(warnings),
			data.Notice{Severity: data.NoticeSeverityInfo, Text: "no series: the expression returned no data in the history"})})
		frames = append(frames, f)
	}
	return frames, nil
}

// forecastFrame is one series: its history, then the forecast with its 80% and 95% intervals.
// The forecast fields also hold the last observed value at the origin, so the forecast line
// joins the history in a time-series panel instead of starting one step later.
func forecastFrame(ss *model.SampleStream, q query, horizon, step time.Duration) (*data.Frame, error) {
	times, values := seriesSamples(ss)
	name := legend(q.legend, ss.Metric)
	meta := &data.FrameMeta{Type: data.FrameTypeTimeSeriesWide, ExecutedQueryString: q.expr}
	md, err := forecast.Fit(times, values, forecast.Config{Step: step, SelectHorizon: horizon})
	if errors.Is(err, forecast.ErrNoData) {
		meta.Notices = append(meta.Notices, data.Notice{Severity: data.NoticeSeverityWarning, Text: "no finite value in the history: nothing to forecast"})
		return newForecastFrame(name, ss.Metric, times, values, nil, meta), nil
	}
	if err != nil {
		return nil, fmt.Errorf("forecast %s: %w", name, err)
	}
	fc := md.Forecast(horizon)
	info := md.Info()
	meta.Notices = append(meta.Notices, data.Notice{
		Severity: data.NoticeSeverityInfo,
		Text:     fmt.Sprintf("model %s: %s", info.Kind, info.Reason),
	})
	meta.Custom = forecastMeta{
		Model: string(info.Kind), Season: model.Duration(info.Season).String(),
		Step: model.Duration(info.Step).String(), Horizon: model.Duration(horizon).String(),
	}
	return newForecastFrame(name, ss.Metric, times, values, &fc, meta), nil
}

// forecastMeta is the frame's Meta.Custom, for panels that show which model was used.
type forecastMeta struct {
	Model   string `json:"model"`
	Season  string `json:"season"`
	Step    string `json:"step"`
	Horizon string `json:"horizon"`
}

// Field names of a forecast frame (README, "Query model").
var forecastFields = []string{"value", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"}

func newForecastFrame(name string, metric model.Metric, times []time.Time, values []float64, fc *forecast.Forecast, meta *data.FrameMeta) *data.Frame {
	n := len(times)
	if fc != nil {
		n += len(fc.Times)
	}
	ts := make([]time.Time, 0, n)
	cols := make([][]*float64, len(forecastFields))
	for i := range cols {
		cols[i] = make([]*float64, 0, n)
	}
	row := func(t time.Time, v ...float64) {
		ts = append(ts, t)
		for i, x := range v {
			cols[i] = append(cols[i], nullable(x))
		}
	}
	nan := math.NaN()
	for i, t := range times {
		if fc != nil && t.Equal(fc.Origin) {
			row(t, values[i], fc.Last, fc.Last, fc.Last, fc.Last, fc.Last)
			continue
		}
		row(t, values[i], nan, nan, nan, nan, nan)
	}
	if fc != nil {
		for i, t := range fc.Times {
			row(t, nan, fc.Mean[i], fc.Lower80[i], fc.Upper80[i], fc.Lower95[i], fc.Upper95[i])
		}
	}
	labels := seriesLabels(metric)
	f := data.NewFrame(name, data.NewField("time", nil, ts))
	for i, c := range cols {
		f.Fields = append(f.Fields, data.NewField(forecastFields[i], labels, c))
	}
	f.SetMeta(meta)
	return f
}

// nullable turns the engine's missing values (NaN) and unbounded intervals (±Inf) into nulls,
// which panels draw as gaps.
func nullable(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
