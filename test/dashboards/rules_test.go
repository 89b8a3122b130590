package dashboards

import (
	"io/fs"
	"slices"
	"testing"

	"gopkg.in/yaml.v3"

	alertrules "github.com/mcobs/mcobs/alert-rules"
)

// environmentSeries are series the rules read that mcobs does not produce: an environment
// provides them (alert-rules/README.md, "Thresholds per environment" and "Instance stopped").
var environmentSeries = []string{"mcobs_threshold", "mcobs_expected_stops"}

// TestRulesReadKnownMetrics checks every alert and recording rule of alert-rules/ the way Check
// checks a dashboard: its expression parses and reads only metrics mcobs produces, so a renamed
// metric (a receiver's self-metrics) cannot leave a rule reading nothing.
func TestRulesReadKnownMetrics(t *testing.T) {
	known, err := KnownMetrics(RepoDir())
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(alertrules.FS, "*.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no rule files")
	}
	for _, f := range files {
		b, err := fs.ReadFile(alertrules.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		var rf struct {
			Groups []struct {
				Rules []struct {
					Alert  string `yaml:"alert"`
					Record string `yaml:"record"`
					Expr   string `yaml:"expr"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(b, &rf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range rf.Groups {
			for _, r := range g.Rules {
				e, err := promql.ParseExpr(r.Expr)
				if err != nil {
					t.Errorf("%s: %s%s: %v", f, r.Alert, r.Record, err)
					continue
				}
				for _, n := range MetricNames(e) {
					if known[n] == "" && !slices.Contains(environmentSeries, n) {
						t.Errorf("%s: %s%s reads %q, which mcobs does not produce", f, r.Alert, r.Record, n)
					}
				}
			}
		}
	}
}
