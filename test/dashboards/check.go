package dashboards

import (
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

var promql = parser.NewParser(parser.Options{})

// ParseExpanded expands q's variables with values and parses the result as PromQL.
func ParseExpanded(q Query, values map[string]string) (parser.Expr, string, error) {
	expr := Expand(q.Expr, values)
	if left := Unexpanded(expr); len(left) > 0 {
		return nil, expr, fmt.Errorf("undefined template variables %q in %q", left, q.Expr)
	}
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return nil, expr, fmt.Errorf("parse %q: %w", expr, err)
	}
	return e, expr, nil
}

// MetricNames returns the metric names e selects.
func MetricNames(e parser.Expr) []string {
	var out []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if vs.Name != "" {
			out = append(out, vs.Name)
			return nil
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
				out = append(out, m.Value)
			}
		}
		return nil
	})
	return out
}

// Check reports every problem of d at once: a missing uid, title or "mcobs" tag, panel ids
// repeated or a panel outside the 24-column grid, a repeated refId, a panel,
// target or variable whose datasource is not provisioned (datasources: uid to type), an mcobs
// Insights target of an unknown query type, PromQL that does not parse once the variables are
// substituted, and a metric name that known (from KnownMetrics) lacks.
func Check(d Dashboard, datasources, known map[string]string) error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(d.File+": "+format, a...)) }
	if d.UID == "" || d.Title == "" {
		bad("uid %q and title %q must both be set", d.UID, d.Title)
	}
	if !slices.Contains(d.Tags, "mcobs") {
		bad("tags %q lack \"mcobs\"", d.Tags)
	}
	checkRef := func(where string, ref *DatasourceRef) {
		switch {
		case ref == nil:
			bad("%s has no datasource", where)
		case datasources[ref.UID] == "":
			bad("%s uses datasource uid %q, which is not provisioned", where, ref.UID)
		case ref.Type != "" && datasources[ref.UID] != ref.Type:
			bad("%s names datasource %q as type %q, provisioned as %q", where, ref.UID, ref.Type, datasources[ref.UID])
		}
	}
	ids := map[int]string{}
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			walk(p.Panels)
			if other, dup := ids[p.ID]; dup {
				bad("panels %q and %q share id %d", other, p.Title, p.ID)
			}
			ids[p.ID] = p.Title
			if g := p.GridPos; g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 {
				bad("panel %q gridPos %+v is outside Grafana's 24 columns", p.Title, g)
			}
			if p.Type == "row" {
				continue
			}
			checkRef(fmt.Sprintf("panel %q", p.Title), p.Datasource)
			if len(p.Targets) == 0 {
				bad("panel %q has no queries", p.Title)
			}
			refs := map[string]bool{}
			for _, t := range p.Targets {
				if refs[t.RefID] || t.RefID == "" {
					bad("panel %q has an empty or repeated refId %q", p.Title, t.RefID)
				}
				refs[t.RefID] = true
				if t.Datasource != nil {
					checkRef(fmt.Sprintf("panel %q target %s", p.Title, t.RefID), t.Datasource)
				}
			}
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			checkRef("variable "+v.Name, v.Datasource)
		}
	}
	values := d.AnyValues()
	for _, q := range d.Queries() {
		if err := checkQuery(q, values, known); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", q.Where(), err))
		}
	}
	return errors.Join(errs...)
}

func checkQuery(q Query, values, known map[string]string) error {
	switch q.Kind {
	case KindPrometheus, KindVariable, KindForecast, KindRunway, KindAnomalies:
	default:
		return fmt.Errorf("unknown mcobs Insights query type %q", q.Kind)
	}
	if q.Expr == "" {
		return errors.New("empty expression")
	}
	e, _, err := ParseExpanded(q, values)
	if err != nil {
		return err
	}
	if _, ok := e.(*parser.VectorSelector); q.Kind == KindAnomalies && !ok {
		return fmt.Errorf("anomalies expr %q must be a series selector (grafana-plugin/README.md)", q.Expr)
	}
	var errs []error
	for _, n := range MetricNames(e) {
		if known[n] == "" {
			errs = append(errs, fmt.Errorf("metric %q is not produced by mcobs (canonical model, rules, self-metrics)", n))
		}
	}
	return errors.Join(errs...)
}
