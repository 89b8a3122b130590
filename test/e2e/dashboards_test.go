package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/mcobs/mcobs/test/dashboards"
)

// mayBeEmpty lists the panel queries that legitimately return nothing on a fresh, healthy
// stack, with the reason. They must still run without error; every other query must return
// data. Keys are Query.Where().
var mayBeEmpty = map[string]string{
	"overview.json: Firing alerts per target by level (A)": "nothing fires on a healthy stack a minute old: every mcobs alert has a `for` of at least 1m",
	"overview.json: Firing alerts (A)":                     "nothing fires on a healthy stack a minute old: every mcobs alert has a `for` of at least 1m",
	"anomalies.json: Current anomalies (A)":                "every model is in warm-up (150 points, over 1.5 h of 1-minute cloud data) and rates its series level none",
	"anomalies.json: Anomaly kinds (A)":                    "anomaly_kind exists only at warning and critical points, and every model is still in warm-up",
}

// TestDashboardQueriesReturnData starts the stack and runs every query of every provisioned
// dashboard as Grafana would, with the template variables at their defaults ("All", or for a
// single-value variable each value its query lists, needing data for at least one): Prometheus
// targets as instant or range queries, and for mcobs Insights targets the PromQL the plugin
// builds on (the expression, each runway resource, and for anomalies the anomaly processor's
// expected, lower, upper and level series of the selected source).
func TestDashboardQueriesReturnData(t *testing.T) {
	// Mostly waiting for cloud data: it runs beside the other long wait, the rule path test.
	t.Parallel()
	o := testOptions(t)
	boards, err := dashboards.LoadAll(dashboards.DashboardDir(dashboards.ProvisioningDir()))
	if err != nil {
		t.Fatal(err)
	}
	otel, err := dashboards.OTelNames()
	if err != nil {
		t.Fatal(err)
	}
	startStack(t, o)
	p := promAPI{base: "http://127.0.0.1:" + strconv.Itoa(o.PrometheusPort)}
	start := time.Now()

	// Poll until every query has returned data once (cloud data and the rules reading it take
	// about a minute after start), re-running only those still empty.
	done := map[string]bool{}
	var pending []string
	deadline := time.Now().Add(3 * time.Minute)
	for {
		pending = pending[:0]
		for _, d := range boards {
			for _, view := range views(d) {
				choices, err := p.variableChoices(d, view)
				if err != nil { // no values yet: the cloud data has not arrived
					pending = append(pending, err.Error())
					continue
				}
				for _, q := range d.Queries() {
					key := q.Where() + viewName(view)
					if done[key] {
						continue
					}
					ok, err := p.anyHasData(q, choices, otel)
					if err != nil {
						t.Fatal(err) // a query Prometheus rejects never gets better by waiting
					}
					_, exempt := mayBeEmpty[q.Where()]
					done[key] = ok || exempt
					if !done[key] {
						pending = append(pending, key)
					}
				}
			}
		}
		if len(pending) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Second)
	}
	for _, w := range pending {
		t.Errorf("%s: no data %s after the stack started", w, time.Since(start).Round(time.Second))
	}
	if len(pending) > 0 {
		return
	}
	t.Logf("every dashboard query returned data %s after the stack started", time.Since(start).Round(time.Second))
}

// views are the variable settings the test looks through: everything ("All"), and the
// simulated cloud alone, so that a panel only this machine's host metrics fill does not pass for
// one that shows the cloud's resources.
func views(d dashboards.Dashboard) []map[string]string {
	for _, v := range d.Templating.List {
		if v.Name == "provider" {
			return []map[string]string{nil, {"provider": "aws"}}
		}
	}
	return []map[string]string{nil}
}

func viewName(view map[string]string) string {
	if view == nil {
		return ""
	}
	return " [provider=" + view["provider"] + "]"
}

// anyHasData runs q with each assignment of the variables until one gives data.
func (p promAPI) anyHasData(q dashboards.Query, choices []map[string]string, otel map[string]string) (bool, error) {
	for _, vals := range choices {
		ok, err := p.queryHasData(q, vals, otel)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// variableChoices returns the variable assignments to try: every variable at view's value or
// "All", except one single-value variable (a resource), which takes each value its query lists.
// A dashboard has at most one such variable.
func (p promAPI) variableChoices(d dashboards.Dashboard, view map[string]string) ([]map[string]string, error) {
	base := map[string]string{}
	for k, v := range dashboards.Builtins {
		base[k] = v
	}
	var single string
	for _, v := range d.Templating.List {
		if val, ok := view[v.Name]; ok {
			base[v.Name] = val
			continue
		}
		if v.IsAllValue() {
			base[v.Name] = v.AllValue
			continue
		}
		if single != "" {
			return nil, fmt.Errorf("%s: single-value variables %q and %q: the test tries the values of one only", d.File, single, v.Name)
		}
		single = v.Name
	}
	if single == "" {
		return []map[string]string{base}, nil
	}
	var q dashboards.Query
	for _, vq := range d.Queries() {
		if vq.Kind == dashboards.KindVariable && vq.Variable == single {
			q = vq
		}
	}
	values, err := p.labelValues(dashboards.Expand(q.Expr, base), q.Label)
	if err != nil {
		return nil, fmt.Errorf("%s: values of variable %q: %w", d.File, single, err)
	}
	if len(values) == 0 {
		return nil, fmt.Errorf("%s: variable %q lists no values", d.File, single)
	}
	out := make([]map[string]string, 0, len(values))
	for _, v := range values {
		m := map[string]string{single: v}
		for k, bv := range base {
			m[k] = bv
		}
		out = append(out, m)
	}
	return out, nil
}

func (p promAPI) queryHasData(q dashboards.Query, vals, otel map[string]string) (bool, error) {
	e, expr, err := dashboards.ParseExpanded(q, vals)
	if err != nil {
		return false, err
	}
	switch q.Kind {
	case dashboards.KindVariable:
		v, err := p.labelValues(expr, q.Label)
		return len(v) > 0, err
	case dashboards.KindPrometheus:
		if q.Instant {
			return p.hasData("query", expr)
		}
		return p.hasData("query_range", expr)
	case dashboards.KindAnomalies:
		vs, ok := e.(*parser.VectorSelector)
		if !ok {
			return false, fmt.Errorf("%s: anomalies expr %q is not a series selector", q.Where(), q.Expr)
		}
		return p.anomalyHasData(vs, otel)
	default: // forecast, runway: the plugin reads the expression's history
		return p.hasData("query_range", expr)
	}
}

// anomalyHasData checks the source series and the four anomaly series the plugin joins to it.
func (p promAPI) anomalyHasData(src *parser.VectorSelector, otel map[string]string) (bool, error) {
	var matchers []string
	for _, m := range src.LabelMatchers {
		if m.Name != model.MetricNameLabel {
			matchers = append(matchers, m.String())
		}
	}
	name, ok := otel[src.Name]
	if !ok {
		return false, fmt.Errorf("anomalies of %q: not a canonical metric the anomaly processor scores", src.Name)
	}
	sel := "{" + strings.Join(append(matchers, `anomaly_metric="`+name+`"`), ", ") + "}"
	for _, e := range []string{src.String(), "anomaly_expected" + sel, "anomaly_lower" + sel, "anomaly_upper" + sel, "anomaly_level" + sel} {
		if ok, err := p.hasData("query_range", e); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// promAPI is the part of Prometheus's HTTP API Grafana's panels use.
type promAPI struct{ base string }

// hasData runs an instant query at now or a range query over the last 15 minutes at 15s steps.
func (p promAPI) hasData(endpoint, expr string) (bool, error) {
	now := time.Now()
	v := url.Values{"query": {expr}, "time": {strconv.FormatInt(now.Unix(), 10)}}
	if endpoint == "query_range" {
		v = url.Values{
			"query": {expr}, "start": {strconv.FormatInt(now.Add(-15*time.Minute).Unix(), 10)},
			"end": {strconv.FormatInt(now.Unix(), 10)}, "step": {"15"},
		}
	}
	var r struct {
		Result []json.RawMessage `json:"result"`
	}
	if err := p.get("/api/v1/"+endpoint, v, &r); err != nil {
		return false, fmt.Errorf("%s %q: %w", endpoint, expr, err)
	}
	return len(r.Result) > 0, nil
}

// labelValues returns the values of label over the series selector matches in the last hour,
// as Grafana's label_values(selector, label) does.
func (p promAPI) labelValues(selector, label string) ([]string, error) {
	now := time.Now()
	v := url.Values{
		"match[]": {selector}, "start": {strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)},
		"end": {strconv.FormatInt(now.Unix(), 10)},
	}
	var vals []string
	if err := p.get("/api/v1/label/"+url.PathEscape(label)+"/values", v, &vals); err != nil {
		return nil, fmt.Errorf("label values %q of %q: %w", label, selector, err)
	}
	sort.Strings(vals)
	return vals, nil
}

func (p promAPI) get(path string, v url.Values, data any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return promGet(ctx, p.base, path, v, data)
}
