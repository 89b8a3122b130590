package stack

import (
	"io/fs"
	"testing"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	alertrules "github.com/mcobs/mcobs/alert-rules"
	"github.com/mcobs/mcobs/internal/actions"
)

// TestEveryDefaultAlertHasAScenario: each alert the default rules can fire is handled by a
// default scenario, so the action runner's history says what was done instead of "unmatched".
func TestEveryDefaultAlertHasAScenario(t *testing.T) {
	cfg, err := actions.ParseConfig(mustDefault("defaults/actions-scenarios.yml"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(alertrules.FS, "*.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, f := range files {
		b, err := fs.ReadFile(alertrules.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Groups []struct {
				Rules []struct {
					Alert  string            `yaml:"alert"`
					Labels map[string]string `yaml:"labels"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range doc.Groups {
			for _, r := range g.Rules {
				if r.Alert == "" {
					continue // a recording rule
				}
				alerts++
				ls := model.LabelSet{model.AlertNameLabel: model.LabelValue(r.Alert)}
				for k, v := range r.Labels {
					ls[model.LabelName(k)] = model.LabelValue(v)
				}
				if cfg.Match(ls) == nil {
					t.Errorf("%s: alert %s %v matches no default scenario", f, r.Alert, r.Labels)
				}
			}
		}
	}
	if alerts < 20 {
		t.Errorf("read %d alerting rules, expected the default set (30 or so)", alerts)
	}
}
