package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/prometheus/common/model"
)

// dashboardsDir holds the dashboards Grafana provisions (provisioning/dashboards/mcobs).
const dashboardsDir = "../../provisioning/dashboards/mcobs"

// insightsUID is the provisioned uid of this datasource; only its targets reach the backend.
const insightsUID = "mcobs-insights"

// panelWidth stands in for a panel's maxDataPoints, which Grafana takes from the panel's width
// in pixels when the panel sets none; it decides $__interval.
const panelWidth = 1000

// dashboard is the part of a dashboard JSON that decides what Grafana sends to the backend.
type dashboard struct {
	Time       struct{ From, To string } `json:"time"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

// panel is a panel or a row; a collapsed row holds its panels.
type panel struct {
	Title         string            `json:"title"`
	Datasource    json.RawMessage   `json:"datasource"`
	Interval      string            `json:"interval"`
	MaxDataPoints int64             `json:"maxDataPoints"`
	Targets       []json.RawMessage `json:"targets"`
	Panels        []panel           `json:"panels"`
}

// variable is a dashboard template variable.
type variable struct {
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Multi    bool            `json:"multi"`
	AllValue string          `json:"allValue"`
	Query    json.RawMessage `json:"query"`
}

// grafanaTarget is a target as Grafana sends it: the backend's query model plus the keys
// Grafana itself adds. Decoding a dashboard target into it with unknown fields disallowed
// catches a key the backend would silently ignore ("legend" for "legendFormat").
type grafanaTarget struct {
	queryModel
	RefID         string          `json:"refId"`
	Datasource    json.RawMessage `json:"datasource"`
	Hide          bool            `json:"hide"`
	Key           string          `json:"key"`
	IntervalMs    float64         `json:"intervalMs"`
	MaxDataPoints int64           `json:"maxDataPoints"`
}

// Grafana's variable syntaxes: ${name}, ${name:format}, [[name]], [[name:format]] and $name.
var varRE = regexp.MustCompile(`\$\{(\w+)(?::([^}]+))?\}|\[\[(\w+)(?::([^\]]+))?\]\]|\$(\w+)`)

// multiEqRE finds a label matched with = or != against a string holding a variable; with a
// multi-value variable that compares to the literal ".*" or "(a|b)" and matches nothing.
var multiEqRE = regexp.MustCompile(`(\w+)\s*(!=|=)\s*"([^"]*)"`)

// metricNameRE finds the metric names of the vector selectors in a PromQL expression.
var metricNameRE = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{`)

// labelValuesRE reads the label of a label_values(selector, label) variable query.
var labelValuesRE = regexp.MustCompile(`^\s*label_values\((?:.*,)?\s*(\w+)\s*\)\s*$`)

// templatedKeys are the model keys the frontend's applyTemplateVariables interpolates; the
// others reach the backend as written.
var templatedKeys = []string{"expr", "horizon", "history", "step", "legendFormat"}

// dashboardChecker runs dashboard targets through the real QueryData against the fixture and
// reports each problem through report, so that a test of the checker can collect them.
type dashboardChecker struct {
	t       *testing.T
	ds      *Datasource
	report  func(string)
	targets int
	queries int
	labels  map[string][]string
	metrics map[string][]string
}

func newDashboardChecker(t *testing.T, report func(string)) *dashboardChecker {
	return &dashboardChecker{
		t: t, ds: newTestDatasource(t, realPrometheus(t), `{}`, nil), report: report,
		labels: map[string][]string{}, metrics: map[string][]string{},
	}
}

// TestDashboardTargets sends every mcobs-insights target of the provisioned dashboards to the
// backend as Grafana would, over the dashboard's own time range ending at the fixture's end.
func TestDashboardTargets(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(dashboardsDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s: %v", dashboardsDir, err)
	}
	c := newDashboardChecker(t, func(s string) { t.Error(s) })
	for _, f := range files {
		js, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c.checkDashboard(filepath.Base(f), js)
	}
	if c.targets == 0 {
		t.Fatalf("no %s targets in %s", insightsUID, dashboardsDir)
	}
	t.Logf("%d targets of %d dashboards, %d queries", c.targets, len(files), c.queries)
}

// checkDashboard checks every mcobs-insights target of the dashboard JSON js.
func (c *dashboardChecker) checkDashboard(name string, js []byte) {
	var d dashboard
	if err := json.Unmarshal(js, &d); err != nil {
		c.t.Fatalf("%s: %v", name, err)
	}
	from, to := c.timeRange(name, d.Time.From), c.timeRange(name, d.Time.To)
	vars := map[string]variable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, raw := range p.Targets {
				uid, typ := datasourceRef(raw, p.Datasource)
				if typ == "mcobs-insights-datasource" && uid != insightsUID {
					c.report(fmt.Sprintf("%s: panel %q: datasource uid %q is not the provisioned %q", name, p.Title, uid, insightsUID))
				}
				if uid == insightsUID {
					c.targets++
					c.checkTarget(fmt.Sprintf("%s: panel %q", name, p.Title), p, raw, vars, from, to)
				}
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
}

// timeRange reads "now" or "now-6h" with now at the fixture's end.
func (c *dashboardChecker) timeRange(name, s string) time.Time {
	if s == "now" {
		return fixtureEnd
	}
	d, err := model.ParseDuration(strings.TrimPrefix(s, "now-"))
	if err != nil || !strings.HasPrefix(s, "now-") {
		c.t.Fatalf("%s: time %q: only now and now-<duration> are supported: %v", name, s, err)
	}
	return fixtureEnd.Add(-time.Duration(d))
}

// datasourceRef is a target's datasource uid and type, else its panel's.
func datasourceRef(target, panelDS json.RawMessage) (uid, typ string) {
	var t struct {
		Datasource json.RawMessage `json:"datasource"`
	}
	_ = json.Unmarshal(target, &t)
	for _, ds := range []json.RawMessage{t.Datasource, panelDS} {
		var ref struct{ UID, Type string }
		if json.Unmarshal(ds, &ref) == nil && ref.UID != "" {
			return ref.UID, ref.Type
		}
		if json.Unmarshal(ds, &uid) == nil && uid != "" {
			return uid, ""
		}
	}
	return "", ""
}

// checkTarget checks the target's keys, then runs it once per combination of the values of the
// single-value variables it uses: no combination may fail, each whose series the fixture holds
// must give data, and at least one must.
func (c *dashboardChecker) checkTarget(where string, p panel, raw json.RawMessage, vars map[string]variable, from, to time.Time) {
	var strict grafanaTarget
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&strict); err != nil {
		c.report(fmt.Sprintf("%s: target does not fit the backend's query model: %v", where, err))
		return
	}
	where += " refId " + strict.RefID
	if strict.Hide {
		return
	}
	exprs := []string{strict.Expr}
	for _, r := range strict.Resources {
		exprs = append(exprs, r.Expr)
	}
	c.checkMultiEquals(where, exprs, vars)
	interval, maxDP := panelInterval(p, from, to)
	values := builtinVars(from, to, interval)
	singles := c.bindVars(strict.queryModel, vars, values)
	var names []string
	for _, e := range exprs {
		for _, m := range metricNameRE.FindAllStringSubmatch(e, -1) {
			names = append(names, m[1])
		}
	}
	held := 0
	for _, combo := range combinations(singles) {
		for k, v := range combo {
			values[k] = v.value
		}
		want := expectation{data: c.fixtureHolds(names, combo)}
		if want.data {
			held++
			if strict.QueryType == typeAnomalies && len(names) == 1 {
				want.band = c.scoredAs(names[0], combo)
			}
		}
		c.run(fmt.Sprintf("%s %v", where, combo), raw, values, want, from, to, interval, maxDP)
	}
	if held == 0 {
		c.report(fmt.Sprintf("%s: the fixture has no series of %q for any value of the variables %v: a metric the stack does not write, or one to add to dashboardSeries in fixture_test.go", where, names, singles))
	}
}

// checkMultiEquals reports a multi-value variable compared with = or !=: its "All" (.*) or
// several values ((a|b)) are then a literal and match nothing.
func (c *dashboardChecker) checkMultiEquals(where string, exprs []string, vars map[string]variable) {
	for _, e := range exprs {
		for _, m := range multiEqRE.FindAllStringSubmatch(e, -1) {
			for _, ref := range varRE.FindAllStringSubmatch(m[3], -1) {
				if v, ok := vars[refName(ref)]; ok && v.Multi {
					c.report(fmt.Sprintf("%s: multi-value variable $%s is matched with %s in `%s`: use =~ (or !~)", where, v.Name, m[2], m[0]))
				}
			}
		}
	}
}

func refName(ref []string) string { return ref[1] + ref[3] + ref[5] }

// panelInterval is Grafana's $__interval for the panel: the range over the panel's data
// points, not below the panel's minimum interval. (Grafana also rounds it to a "nice" value.)
func panelInterval(p panel, from, to time.Time) (time.Duration, int64) {
	maxDP := cmpOr(p.MaxDataPoints, panelWidth)
	iv := max(to.Sub(from)/time.Duration(maxDP), time.Second).Truncate(time.Second)
	if d, err := model.ParseDuration(p.Interval); err == nil {
		iv = max(iv, time.Duration(d))
	}
	return iv, maxDP
}

func cmpOr(v, def int64) int64 {
	if v > 0 {
		return v
	}
	return def
}

// builtinVars are Grafana's global variables as it formats them.
func builtinVars(from, to time.Time, interval time.Duration) map[string]string {
	rng := to.Sub(from)
	return map[string]string{
		"__interval": model.Duration(interval).String(), "__interval_ms": strconv.FormatInt(interval.Milliseconds(), 10),
		"__range": strconv.FormatInt(int64(rng.Seconds()), 10) + "s", "__range_s": strconv.FormatInt(int64(rng.Seconds()), 10),
		"__range_ms": strconv.FormatInt(rng.Milliseconds(), 10),
		"__from":     strconv.FormatInt(from.UnixMilli(), 10), "__to": strconv.FormatInt(to.UnixMilli(), 10),
	}
}

// binding is one value of a single-value variable, with the label it filters on.
type binding struct{ label, value string }

func (b binding) String() string { return b.value }

// bindVars sets every multi-value variable the target uses to "All" in values and returns the
// fixture's values of each single-value variable it uses. Variables that are not defined
// (such as $__rate_interval, which only Grafana's Prometheus datasource knows) stay unset.
func (c *dashboardChecker) bindVars(m queryModel, vars map[string]variable, values map[string]string) map[string][]binding {
	singles := map[string][]binding{}
	js, _ := json.Marshal(m)
	for _, ref := range varRE.FindAllStringSubmatch(string(js), -1) {
		v, ok := vars[refName(ref)]
		if !ok {
			continue
		}
		label, options := c.variableOptions(v)
		switch {
		case v.Multi && v.AllValue != "":
			// Grafana inserts a custom "All" value unformatted.
			values[v.Name] = v.AllValue
		case v.Multi:
			values[v.Name] = promRegexAlternation(options)
		default:
			singles[v.Name] = nil
			for _, o := range options {
				singles[v.Name] = append(singles[v.Name], binding{label, o})
			}
		}
	}
	return singles
}

// variableOptions are the values a query variable takes on the fixture, the values of its
// label_values label, or a custom variable's comma-separated options.
func (c *dashboardChecker) variableOptions(v variable) (string, []string) {
	var q string
	if json.Unmarshal(v.Query, &q) != nil {
		var obj struct{ Query string }
		_ = json.Unmarshal(v.Query, &obj)
		q = obj.Query
	}
	if v.Type == "custom" {
		return "", strings.Split(q, ",")
	}
	m := labelValuesRE.FindStringSubmatch(q)
	if v.Type != "query" || m == nil {
		c.t.Fatalf("variable %q: only custom and label_values(...) query variables are supported, got %s %q", v.Name, v.Type, q)
	}
	if _, ok := c.labels[m[1]]; !ok {
		c.labels[m[1]] = c.resourceList("label-values", url.Values{"label": {m[1]}})
	}
	return m[1], c.labels[m[1]]
}

// promRegexAlternation is the frontend's formatPromValue of several values: (a|b), escaped.
func promRegexAlternation(vs []string) string {
	esc := make([]string, len(vs))
	for i, v := range vs {
		esc[i] = regexp.QuoteMeta(v)
	}
	return "(" + strings.Join(esc, "|") + ")"
}

// resourceList calls a resource path of the datasource, as the query editor does.
func (c *dashboardChecker) resourceList(path string, q url.Values) []string {
	status, body := callResource(c.t, c.ds, path, q)
	var out []string
	if err := json.Unmarshal(body, &out); status != 200 || err != nil {
		c.t.Fatalf("%s %v: HTTP %d %s", path, q, status, body)
	}
	return out
}

// fixtureHolds tells whether the fixture has every metric of names under the combination's
// label values (a host with the target's metrics); without single-value variables, it must.
func (c *dashboardChecker) fixtureHolds(names []string, combo map[string]binding) bool {
	for _, b := range combo {
		if b.label == "" {
			continue // a custom variable: its value is not a label value of the fixture
		}
		sel := fmt.Sprintf("{%s=%q}", b.label, b.value)
		if _, ok := c.metrics[sel]; !ok {
			c.metrics[sel] = c.resourceList("metrics", url.Values{"match": {sel}})
		}
		for _, n := range names {
			if !slices.Contains(c.metrics[sel], n) {
				return false
			}
		}
	}
	return true
}

// scoredAs is the anomaly_metric under which the fixture holds the anomaly processor's band for
// the Prometheus metric name under the combination's labels, or "". The OTel name is the
// Prometheus name's prefix with dots for underscores (system.cpu.utilization for
// system_cpu_utilization_ratio), a rule stated here apart from the plugin's own mapping.
func (c *dashboardChecker) scoredAs(name string, combo map[string]binding) string {
	var matchers []string
	for _, b := range combo {
		if b.label == "" {
			continue
		}
		matchers = append(matchers, fmt.Sprintf("%s=%q", b.label, b.value))
	}
	sel := "anomaly_expected{" + strings.Join(matchers, ",") + "}"
	for _, otel := range c.resourceList("label-values", url.Values{"label": {"anomaly_metric"}, "match": {sel}}) {
		if strings.HasPrefix(name, strings.ReplaceAll(otel, ".", "_")) {
			return otel
		}
	}
	return ""
}

// expectation is what a query must answer on the fixture: numbers, and the anomaly band of
// the named anomaly_metric.
type expectation struct {
	data bool
	band string
}

// combinations is every choice of one value per variable; one empty choice without variables.
func combinations(singles map[string][]binding) []map[string]binding {
	out := []map[string]binding{{}}
	for name, opts := range singles {
		var next []map[string]binding
		for _, base := range out {
			for _, o := range opts {
				m := map[string]binding{name: o}
				for k, v := range base {
					m[k] = v
				}
				next = append(next, m)
			}
		}
		out = next
	}
	return out
}

// run interpolates the target like the frontend's applyTemplateVariables, sends it with the
// keys Grafana adds, and checks the response.
func (c *dashboardChecker) run(where string, raw json.RawMessage, values map[string]string, want expectation, from, to time.Time, interval time.Duration, maxDP int64) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		c.t.Fatal(err)
	}
	subst := func(s string) string {
		return varRE.ReplaceAllStringFunc(s, func(ref string) string {
			sm := varRE.FindStringSubmatch(ref)
			if v, ok := values[refName(sm)]; ok && sm[2]+sm[4] == "" {
				return v
			}
			return ref
		})
	}
	for _, k := range templatedKeys {
		if s, ok := m[k].(string); ok {
			m[k] = subst(s)
		}
	}
	if rs, ok := m["resources"].([]any); ok {
		for _, r := range rs {
			if r, ok := r.(map[string]any); ok {
				if s, ok := r["expr"].(string); ok {
					r["expr"] = subst(s)
				}
			}
		}
	}
	delete(m, "datasource")
	body, _ := json.Marshal(m)
	if left := varRE.FindAllString(string(body), -1); len(left) > 0 {
		c.report(fmt.Sprintf("%s: %q left in the query Grafana sends: an undefined variable, a format this test does not apply, or a key the frontend does not interpolate", where, left))
		return
	}
	m["intervalMs"], m["maxDataPoints"] = interval.Milliseconds(), maxDP
	m["datasource"] = map[string]string{"type": "mcobs-insights-datasource", "uid": insightsUID}
	js, _ := json.Marshal(m)
	refID, _ := m["refId"].(string)
	qt, _ := m["queryType"].(string)
	c.queries++
	resp, err := c.ds.QueryData(context.Background(), &backend.QueryDataRequest{Queries: []backend.DataQuery{{
		RefID: refID, QueryType: qt, JSON: js, Interval: interval, MaxDataPoints: maxDP,
		TimeRange: backend.TimeRange{From: from, To: to},
	}}})
	if err != nil {
		c.t.Fatal(err)
	}
	dr := resp.Responses[refID]
	c.t.Logf("%s: %d frames, data %t, want %+v", where, len(dr.Frames), framesHaveData(dr.Frames), want)
	switch {
	case dr.Error != nil:
		c.report(fmt.Sprintf("%s: status %d: %v", where, dr.Status, dr.Error))
	case want.data && !framesHaveData(dr.Frames):
		c.report(fmt.Sprintf("%s: no data in %d frames, where the fixture holds the series it reads", where, len(dr.Frames)))
	case want.band != "" && !framesHaveData(fieldsNamed(dr.Frames, "expected")):
		c.report(fmt.Sprintf("%s: no expected values, where the fixture holds the band of anomaly_metric %q", where, want.band))
	}
}

// fieldsNamed is the frames cut down to their fields of that name.
func fieldsNamed(frames data.Frames, name string) data.Frames {
	var out data.Frames
	for _, f := range frames {
		if fld, i := f.FieldByName(name); i >= 0 {
			out = append(out, data.NewFrame(f.Name, fld))
		}
	}
	return out
}

// framesHaveData tells whether any numeric field of the frames holds a number.
func framesHaveData(frames data.Frames) bool {
	for _, f := range frames {
		for _, fld := range f.Fields {
			if !fld.Type().Numeric() {
				continue
			}
			for i := range fld.Len() {
				if _, ok := fld.ConcreteAt(i); !ok {
					continue
				}
				if v, err := fld.FloatAt(i); err == nil && !math.IsNaN(v) {
					return true
				}
			}
		}
	}
	return false
}

// brokenDashboard has one target per mistake the checker must report, and one good target.
const brokenDashboard = `{
  "time": {"from": "now-6h", "to": "now"},
  "templating": {"list": [
    {"name": "provider", "type": "query", "multi": true, "includeAll": true, "allValue": ".*",
     "query": {"query": "label_values(system_cpu_utilization_ratio, cloud_provider)"}},
    {"name": "target", "type": "query", "multi": false, "query": "label_values(system_cpu_utilization_ratio, host_name)"}
  ]},
  "panels": [
    {"title": "good", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "forecast", "expr": "avg without (cpu) (system_cpu_utilization_ratio{host_name=\"$target\", cloud_provider=~\"$provider\"})", "horizon": "1d", "history": "3d", "step": "1h", "legendFormat": "{{host_name}}"}]},
    {"title": "another datasource", "datasource": {"uid": "mcobs-prometheus"}, "targets": [{"refId": "A", "expr": "up", "legend": "x"}]},
    {"title": "row", "panels": [
      {"title": "legend", "targets": [{"refId": "A", "datasource": {"uid": "mcobs-insights"}, "queryType": "forecast", "expr": "demo_load", "legend": "{{host_name}}"}]}]},
    {"title": "threshold as text", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "runway", "resources": [{"name": "cpu", "threshold": "0.9"}]}]},
    {"title": "misspelt resource key", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "runway", "resources": [{"name": "cpu", "thresold": 0.9}]}]},
    {"title": "multi with =", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "forecast", "expr": "demo_load{host_name=\"web-1\", cloud_provider=\"$provider\"}", "history": "1d", "step": "1h"}]},
    {"title": "rate interval", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "forecast", "expr": "rate(demo_load[$__rate_interval])"}]},
    {"title": "datasource variable", "datasource": {"type": "mcobs-insights-datasource", "uid": "${insights}"}, "targets": [{"refId": "A", "expr": "demo_load"}]},
    {"title": "bad horizon", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "forecast", "expr": "demo_load", "horizon": "7 days"}]},
    {"title": "wrong anomaly metric", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "anomalies", "expr": "system_cpu_utilization_ratio{host_name=\"$target\"}", "anomalyMetric": "system.cpu.util"}]},
    {"title": "no such metric", "datasource": {"uid": "mcobs-insights"}, "targets": [
      {"refId": "A", "queryType": "anomalies", "expr": "db_connections{host_name=\"$target\"}"}]}
  ]
}`

// TestDashboardCheckerFindsBrokenTargets shows that the check of the provisioned dashboards
// fails on each kind of mistake, naming the panel, and passes the good target.
func TestDashboardCheckerFindsBrokenTargets(t *testing.T) {
	var got []string
	c := newDashboardChecker(t, func(s string) { got = append(got, s) })
	c.checkDashboard("broken.json", []byte(brokenDashboard))
	want := []struct{ panel, finding string }{
		{"legend", `json: unknown field "legend"`},
		{"threshold as text", "cannot unmarshal string into Go struct field"},
		{"misspelt resource key", `json: unknown field "thresold"`},
		{"multi with =", "multi-value variable $provider is matched with = in `cloud_provider=\"$provider\"`: use =~"},
		// The literal ".*" matches no series.
		{"multi with =", "no data in 1 frames, where the fixture holds the series it reads"},
		{"rate interval", `["$__rate_interval"] left in the query Grafana sends`},
		{"datasource variable", `datasource uid "${insights}" is not the provisioned "mcobs-insights"`},
		{"bad horizon", "status 400: `horizon` must be a positive duration"},
		{"wrong anomaly metric", `no expected values, where the fixture holds the band of anomaly_metric "system.cpu.utilization"`},
		{"no such metric", `the fixture has no series of ["db_connections"] for any value of the variables`},
	}
	if c.targets != 9 {
		t.Errorf("checked %d targets, want the 9 with uid mcobs-insights", c.targets)
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(s string) bool {
			return strings.HasPrefix(s, fmt.Sprintf("broken.json: panel %q", w.panel)) && strings.Contains(s, w.finding)
		})
		if i < 0 {
			t.Errorf("panel %q: no finding with %q", w.panel, w.finding)
			continue
		}
		got = slices.Delete(got, i, i+1)
	}
	for _, s := range got {
		t.Errorf("unexpected finding: %s", s)
	}
}
