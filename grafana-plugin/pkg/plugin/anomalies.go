package plugin

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/prometheus/common/model"
)

// selectorRE splits a metric selector into its name and its label matchers.
var selectorRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(.*)\})?$`)

// unitSuffixes are the suffixes Prometheus' OTLP translation appends to a metric name for its
// unit and type; the anomaly processor labels its series with the name before translation.
var unitSuffixes = []string{"_ratio", "_bytes", "_seconds", "_percent", "_milliseconds", "_hertz", "_meters", "_celsius"}

// joinIgnored are labels on which the anomaly processor's series may differ from their source
// series: the link itself, the level and kind, and the instrumentation scope (the processor
// emits its points under its own scope).
var joinIgnored = map[model.LabelName]bool{
	model.MetricNameLabel: true, "anomaly_metric": true, "anomaly_level": true, "anomaly_kind": true,
	"otel_scope_name": true, "otel_scope_version": true, "otel_scope_schema_url": true,
}

// anomalyMetricRE is the regular expression for the anomaly_metric label of a Prometheus
// metric name: system_cpu_utilization_ratio gives system[._]cpu[._]utilization, which matches
// the OTel name system.cpu.utilization whichever of its underscores were dots.
func anomalyMetricRE(name string) string {
	name = strings.TrimSuffix(name, "_total")
	for _, s := range unitSuffixes {
		if n, ok := strings.CutSuffix(name, s); ok {
			name = n
			break
		}
	}
	parts := strings.Split(name, "_")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return strings.Join(parts, "[._]")
}

// anomalySelectors are the source selector and the anomaly processor's selectors for it.
type anomalySelectors struct {
	source, expected, lower, upper, level, kind string
}

// buildAnomalySelectors reads expr, a metric selector, and writes the processor's selectors:
// its metrics with anomaly_metric matching the source's name and the same label matchers.
func buildAnomalySelectors(expr, anomalyMetric string) (anomalySelectors, error) {
	m := selectorRE.FindStringSubmatch(expr)
	if m == nil {
		return anomalySelectors{}, userErrorf("`expr` must be a metric selector such as system_cpu_utilization_ratio{host_name=\"web-1\"}, got %q", expr)
	}
	name, matchers := m[1], strings.TrimSpace(m[2])
	link := fmt.Sprintf(`anomaly_metric=~%q`, anomalyMetricRE(name))
	if anomalyMetric != "" {
		link = fmt.Sprintf(`anomaly_metric=%q`, anomalyMetric)
	}
	if matchers != "" {
		link += ", " + strings.TrimSuffix(matchers, ",")
	}
	sel := func(metric string) string { return metric + "{" + link + "}" }
	return anomalySelectors{
		source:   expr,
		expected: sel("anomaly_expected"),
		lower:    sel("anomaly_lower"),
		upper:    sel("anomaly_upper"),
		level:    "anomaly_level{" + link + `, anomaly_level!="none"} == 1`,
		kind:     sel("anomaly_kind"),
	}, nil
}

// byTime is a series' values by timestamp, for joining series of different queries.
type byTime = map[model.Time]float64

// indexed maps the series of a query by their join key to what val reads at each timestamp.
func indexed[V any](m model.Matrix, val func(*model.SampleStream, model.SamplePair) V) map[string]map[model.Time]V {
	out := map[string]map[model.Time]V{}
	for _, ss := range m {
		k := joinKey(ss.Metric)
		if out[k] == nil {
			out[k] = map[model.Time]V{}
		}
		for _, p := range ss.Values {
			out[k][p.Timestamp] = val(ss, p)
		}
	}
	return out
}

// joined indexes the values of a query's series.
func joined(m model.Matrix) map[string]byTime {
	return indexed(m, func(_ *model.SampleStream, p model.SamplePair) float64 { return float64(p.Value) })
}

// kinds indexes the anomaly_kind series of a query: the kind at each timestamp where the
// processor reported one.
func kinds(m model.Matrix) map[string]map[model.Time]string {
	return indexed(m, func(ss *model.SampleStream, _ model.SamplePair) string { return string(ss.Metric["anomaly_kind"]) })
}

// joinKey is a series' labels without those in joinIgnored.
func joinKey(m model.Metric) string {
	names := make([]string, 0, len(m))
	for k := range m {
		if !joinIgnored[k] {
			names = append(names, string(k))
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%s=%q,", k, m[model.LabelName(k)])
	}
	return b.String()
}

// anomaliesQuery returns per source series its values with the expected value, the band and
// the anomalous points.
func (d *Datasource) anomaliesQuery(ctx context.Context, q query) (data.Frames, error) {
	sels, err := buildAnomalySelectors(q.expr, q.anomalyMetric)
	if err != nil {
		return nil, err
	}
	start, end, step := window(q.to, q.to.Sub(q.from), cmp.Or(q.step, cmp.Or(q.interval, defaultStep)))
	var notices []data.Notice
	fetch := func(expr string) (model.Matrix, error) {
		m, warnings, err := d.prom.queryRange(ctx, expr, start, end, step)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", expr, err)
		}
		notices = append(notices, warningNotices(warnings)...)
		return m, nil
	}
	src, err := fetch(sels.source)
	if err != nil {
		return nil, err
	}
	var parts [4]map[string]byTime
	for i, expr := range []string{sels.expected, sels.lower, sels.upper, sels.level} {
		m, err := fetch(expr)
		if err != nil {
			return nil, err
		}
		parts[i] = joined(m)
	}
	km, err := fetch(sels.kind)
	if err != nil {
		return nil, err
	}
	kindOf := kinds(km)
	frames := make(data.Frames, 0, len(src))
	for _, ss := range src {
		k := joinKey(ss.Metric)
		f := anomalyFrame(ss, legend(q.legend, ss.Metric), parts[0][k], parts[1][k], parts[2][k], parts[3][k], kindOf[k])
		f.Meta.ExecutedQueryString = strings.Join([]string{sels.source, sels.expected, sels.lower, sels.upper, sels.level, sels.kind}, "\n")
		f.Meta.Notices = append(f.Meta.Notices, notices...)
		if parts[0][k] == nil {
			f.Meta.Notices = append(f.Meta.Notices, data.Notice{
				Severity: data.NoticeSeverityInfo,
				Text:     "no anomaly_expected series for this series: is its metric in the anomaly processor's `metrics`?",
			})
		}
		frames = append(frames, f)
	}
	return frames, nil
}

// anomalyFrame lays out one source series on its own timestamps; kind is set at anomalous
// points whose kind the processor reported.
func anomalyFrame(ss *model.SampleStream, name string, expected, lower, upper, level byTime, kind map[model.Time]string) *data.Frame {
	n := len(ss.Values)
	ts := make([]time.Time, n)
	cols := make([][]*float64, 5)
	for i := range cols {
		cols[i] = make([]*float64, n)
	}
	kindCol := make([]*string, n)
	at := func(s byTime, t model.Time) *float64 {
		if v, ok := s[t]; ok {
			return nullable(v)
		}
		return nil
	}
	for i, p := range ss.Values {
		ts[i] = p.Timestamp.Time().UTC()
		v := nullable(float64(p.Value))
		cols[0][i], cols[1][i], cols[2][i], cols[3][i] = v, at(expected, p.Timestamp), at(lower, p.Timestamp), at(upper, p.Timestamp)
		if _, ok := level[p.Timestamp]; ok {
			cols[4][i] = v
			if kd, ok := kind[p.Timestamp]; ok {
				kindCol[i] = &kd
			}
		}
	}
	labels := seriesLabels(ss.Metric)
	f := data.NewFrame(name, data.NewField("time", nil, ts))
	for i, fn := range []string{"value", "expected", "lower", "upper", "anomaly"} {
		f.Fields = append(f.Fields, data.NewField(fn, labels, cols[i]))
	}
	f.Fields = append(f.Fields, data.NewField("kind", labels, kindCol))
	f.SetMeta(&data.FrameMeta{Type: data.FrameTypeTimeSeriesWide})
	return f
}
