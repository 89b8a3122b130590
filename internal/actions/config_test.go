package actions

import (
	"os"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
)

func TestLoadExampleConfig(t *testing.T) {
	cfg, err := LoadConfig("testdata/scenarios.yml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Scripts["restart_instance"].Timeout.String(); got != "2m0s" {
		t.Errorf("restart_instance timeout = %s, want 2m0s", got)
	}
	if got := cfg.Scripts["grow_volume"].MaxOutputBytes; got != DefaultMaxOutputBytes {
		t.Errorf("grow_volume max_output_bytes = %d, want the default %d", got, DefaultMaxOutputBytes)
	}
	stages := cfg.Scenario("instance_down").Stages
	if len(stages) != 3 || stages[1].Delay.String() != "10m0s" || stages[2].Delay.String() != "30m0s" {
		t.Errorf("instance_down stages = %+v, want chat at once, sms after 10m, remediate after 30m", stages)
	}
	if m := stages[0].Actions[0].HTTP; m.Method != "POST" || m.Timeout != DefaultHTTPTimeout {
		t.Errorf("http defaults = %s %s, want POST %s", m.Method, m.Timeout, DefaultHTTPTimeout)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	_, err := ParseConfig([]byte(`
scripts:
  rel: {argv: [restart.sh], args_from_labels: ["bad-label"]}
  empty: {argv: []}
scenarios:
  - name: a
    matchers: ['alertname=~"("']
    stages:
      - name: first
        delay: 10m
        actions: [{script: missing}]
      - name: ""
        delay: 5m
        actions:
          - {http: {url: "ftp://x"}}
          - {email: {to: []}}
          - {}
  - name: a
    stages: []
`))
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{
		"`scripts.rel.argv[0]` must be an absolute path (no PATH lookup, no shell), got \"restart.sh\"",
		"`scripts.rel.args_from_labels[0]` must be a label name, got \"bad-label\"",
		"`scripts.empty.argv` must name a program",
		"`scenarios[0].matchers[0]` must be a label matcher",
		"`scenarios[0].stages[0].actions[0].script` must name a script registered under `scripts`, got \"missing\"",
		"`scenarios[0].stages[1].name` must not be empty",
		"`scenarios[0].stages[1].delay` must not be shorter than the previous stage's 10m0s, got \"5m0s\"",
		"`scenarios[0].stages[1].actions[0].http.url` must be an absolute http or https URL, got \"ftp://x\"",
		"`scenarios[0].stages[1].actions[1].email.to` must list at least one recipient",
		"`smtp.addr` must be set when scenarios[0].stages[1].actions[1] sends email",
		"`scenarios[0].stages[1].actions[2]` must set exactly one of script, http, email, got \"0 set\"",
		"`scenarios[1].name` must be unique (also scenarios[0]), got \"a\"",
		"`scenarios[1].matchers` must not be empty unless severities is set",
		"`scenarios[1].stages` must list at least one stage",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q\nfull error:\n%v", want, err)
		}
	}
}

func TestParseConfigRejectsUnknownKeys(t *testing.T) {
	_, err := ParseConfig([]byte("scenarios:\n  - name: a\n    matcher: ['x=\"y\"']\n"))
	if err == nil || !strings.Contains(err.Error(), "matcher") {
		t.Fatalf("err = %v, want an unknown key error naming matcher", err)
	}
}

func TestMatch(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
scenarios:
  - name: disk_critical
    matchers: ['alertname=~"Disk.*"', 'cloud_provider!="gcp"']
    severities: [critical]
    stages: [{name: s, actions: [{http: {url: "http://127.0.0.1:1/"}}]}]
  - name: disk_any
    matchers: ['alertname=~"Disk.*"']
    stages: [{name: s, actions: [{http: {url: "http://127.0.0.1:1/"}}]}]
  - name: not_anchored_check
    matchers: ['instance=~"web"']
    stages: [{name: s, actions: [{http: {url: "http://127.0.0.1:1/"}}]}]
`))
	if err != nil {
		t.Fatal(err)
	}
	f := func(ls model.LabelSet, want string) {
		t.Helper()
		got := ""
		if sc := cfg.Match(ls); sc != nil {
			got = sc.Name
		}
		if got != want {
			t.Errorf("Match(%v) = %q, want %q", ls, got, want)
		}
	}
	// first match wins
	f(model.LabelSet{"alertname": "DiskFull", "severity": "critical", "cloud_provider": "aws"}, "disk_critical")
	// severity not listed falls through to the next scenario
	f(model.LabelSet{"alertname": "DiskFull", "severity": "warning"}, "disk_any")
	// != excludes
	f(model.LabelSet{"alertname": "DiskFull", "severity": "critical", "cloud_provider": "gcp"}, "disk_any")
	// regexps are anchored as in Prometheus: "web" does not match "webserver"
	f(model.LabelSet{"alertname": "CPU", "instance": "webserver"}, "")
	f(model.LabelSet{"alertname": "CPU", "instance": "web"}, "not_anchored_check")
	// unknown: no scenario
	f(model.LabelSet{"alertname": "MemoryHigh"}, "")
}

func TestCheckScripts(t *testing.T) {
	dir := t.TempDir()
	plain := dir + "/plain"
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseConfig([]byte(`
scripts:
  ok: {argv: [` + jsonQuote(helperPath(t)) + `]}
  missing: {argv: [` + jsonQuote(dir+"/missing") + `]}
  plain: {argv: [` + jsonQuote(plain) + `]}
  dir: {argv: [` + jsonQuote(dir) + `]}
scenarios:
  - {name: s, matchers: ['a="b"'], stages: [{name: s, actions: [{script: ok}]}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.CheckScripts()
	if err == nil {
		t.Fatal("missing and non-executable scripts accepted")
	}
	for _, want := range []string{"`scripts.missing.argv[0]`", "`scripts.plain.argv[0]` must be an executable file", "`scripts.dir.argv[0]` must be an executable file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "scripts.ok") {
		t.Errorf("the executable script was reported:\n%v", err)
	}
}

func TestEmptyConfigOnlyRecords(t *testing.T) {
	for _, doc := range []string{"", "# nothing yet\n", "scenarios: []\n"} {
		cfg, err := ParseConfig([]byte(doc))
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if sc := cfg.Match(model.LabelSet{"alertname": "X"}); sc != nil {
			t.Errorf("%q: matched %q", doc, sc.Name)
		}
	}
}
