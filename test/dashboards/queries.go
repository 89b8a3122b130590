package dashboards

import (
	"regexp"
	"strings"
)

// Kinds of query.
const (
	// KindPrometheus is a target of a Prometheus-datasource panel.
	KindPrometheus = "prometheus"
	// KindVariable is the series selector of a template variable's label_values() query.
	KindVariable = "variable"
	// KindForecast, KindRunway and KindAnomalies are the mcobs Insights query types; Expr is
	// the PromQL the plugin evaluates (for runway, one resource's expression).
	KindForecast  = "forecast"
	KindRunway    = "runway"
	KindAnomalies = "anomalies"
)

// InsightsType is the plugin id of the mcobs Insights datasource.
const InsightsType = "mcobs-insights-datasource"

// Query is one PromQL expression of a dashboard, with where it comes from.
type Query struct {
	Dashboard string
	// Panel is the panel title, or "variable <name>".
	Panel string
	RefID string
	// Datasource is the uid the query goes to (the target's, else the panel's).
	Datasource     string
	DatasourceType string
	Kind           string
	// Expr is the expression as written, template variables included.
	Expr string
	// Instant is set for Prometheus targets evaluated at one instant (tables, stats).
	Instant bool
	// Variable and Label name the template variable and the label it lists (KindVariable).
	Variable string
	Label    string
}

// Where names the query in messages.
func (q Query) Where() string {
	s := q.Dashboard + ": " + q.Panel
	if q.RefID != "" {
		s += " (" + q.RefID + ")"
	}
	return s
}

var labelValues = regexp.MustCompile(`^\s*label_values\(\s*(.+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$`)

// Queries lists every PromQL expression of d: panel targets (rows' nested panels included),
// the resources of runway targets and the selectors of label_values() variables.
func (d Dashboard) Queries() []Query {
	var out []Query
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q := Query{Dashboard: d.File, Panel: "variable " + v.Name, Kind: KindVariable, Variable: v.Name}
		if v.Datasource != nil {
			q.Datasource, q.DatasourceType = v.Datasource.UID, v.Datasource.Type
		}
		if m := labelValues.FindStringSubmatch(v.QueryString()); m != nil {
			q.Expr, q.Label = m[1], m[2]
		} else {
			q.Expr = v.QueryString() // not label_values(): parsed as PromQL, so it fails loudly
		}
		out = append(out, q)
	}
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			walk(p.Panels)
			for _, t := range p.Targets {
				out = append(out, targetQueries(d.File, p, t)...)
			}
		}
	}
	walk(d.Panels)
	return out
}

func targetQueries(file string, p Panel, t Target) []Query {
	ds := p.Datasource
	if t.Datasource != nil {
		ds = t.Datasource
	}
	q := Query{Dashboard: file, Panel: p.Title, RefID: t.RefID, Kind: KindPrometheus, Expr: t.Expr, Instant: t.Instant}
	if ds != nil {
		q.Datasource, q.DatasourceType = ds.UID, ds.Type
	}
	if q.DatasourceType != InsightsType {
		return []Query{q}
	}
	q.Kind = t.QueryType
	if t.QueryType != KindRunway {
		return []Query{q}
	}
	out := make([]Query, 0, len(t.Resources))
	for _, r := range t.Resources {
		rq := q
		rq.RefID = t.RefID + " " + r.Name
		rq.Expr = r.Expr
		out = append(out, rq)
	}
	return out
}

// Builtins are values for Grafana's own interval variables, as Grafana would fill them for a
// stack scraped every 15s.
var Builtins = map[string]string{
	"__rate_interval": "1m",
	"__interval":      "15s",
	"__range":         "1h",
}

var varRef = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)\]\]|\$(\w+)`)

// Expand substitutes template variables ($name, ${name}, ${name:fmt}, [[name]]) with values;
// references to names values lacks are left as they are, for Unexpanded to find.
func Expand(expr string, values map[string]string) string {
	return varRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		if v, ok := values[name]; ok {
			return v
		}
		return ref
	})
}

var leftover = regexp.MustCompile(`\$\{?[A-Za-z_]\w*|\[\[\w+\]\]`)

// Unexpanded returns the variable references left in an expanded expression ("$1" of
// label_replace is not one).
func Unexpanded(expr string) []string {
	return leftover.FindAllString(expr, -1)
}

// AnyValues are values that make every variable of d expand to valid PromQL: the "All" value
// of multi-value variables, a plain word for single-value ones, and the Builtins.
func (d Dashboard) AnyValues() map[string]string {
	vals := map[string]string{}
	for k, v := range Builtins {
		vals[k] = v
	}
	for _, v := range d.Templating.List {
		switch {
		case v.IncludeAll && v.AllValue != "":
			vals[v.Name] = v.AllValue
		case v.IncludeAll:
			vals[v.Name] = ".*"
		default:
			vals[v.Name] = "x"
		}
	}
	return vals
}

// IsAllValue tells whether a multi-value variable defaults to "All" (what a fresh dashboard shows).
func (v Variable) IsAllValue() bool {
	return v.IncludeAll && strings.TrimSpace(v.AllValue) != ""
}
