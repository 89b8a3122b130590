package actions

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRealRulePath is the whole rule path with the real binaries: a scraped value crosses a
// threshold, Prometheus fires the alert, Alertmanager delivers it, the scenario's script runs
// and the history shows it; when the value falls back the resolved alert cancels the stage
// still pending.
func TestRealRulePath(t *testing.T) {
	prom := binary(t, "prometheus")
	alertmanagerBinary(t)
	dir := t.TempDir()

	var mu sync.Mutex
	value := 0.5
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "# TYPE mcobs_test_disk_used_ratio gauge\nmcobs_test_disk_used_ratio{host_id=\"i-0abc\"} %g\n", value)
	}))
	defer target.Close()
	setValue := func(v float64) { mu.Lock(); value = v; mu.Unlock() }

	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	loopDone := make(chan struct{})
	go func() { defer close(loopDone); e.runner.Loop(ctx, 50*time.Millisecond) }()
	defer func() { cancel(); <-loopDone }()

	amAddr := startAlertmanager(t, dir, e.srv.URL)
	rules := `groups:
  - name: test
    interval: 1s
    rules:
      - alert: DiskFull
        expr: mcobs_test_disk_used_ratio > 0.9
        for: 0s
        labels: {severity: critical}
        annotations: {summary: "disk {{ $labels.host_id }} is {{ $value }} full", description: test, runbook_url: "https://example.invalid"}
`
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "test.rules.yml"), []byte(rules), 0o600))
	promCfg := fmt.Sprintf(`global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [%q]
alerting:
  alertmanagers: [{static_configs: [{targets: [%q]}]}]
scrape_configs:
  - job_name: disk
    static_configs: [{targets: [%q]}]
`, filepath.Join(dir, "test.rules.yml"), amAddr, strings.TrimPrefix(target.URL, "http://"))
	must(os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(promCfg), 0o600))
	promAddr := freeAddr(t)
	startProcess(t, prom, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "prom"), "--web.listen-address="+promAddr)
	waitReady(t, "prometheus", "http://"+promAddr+"/-/ready")

	stageState := func(name string) string {
		for _, s := range e.history(Query{}).Stages {
			if s.Name == name {
				return s.State
			}
		}
		return ""
	}
	setValue(0.97) // crosses the threshold
	eventually(t, "chat stage done after the threshold was crossed", func() bool { return stageState("chat") == StateDone })
	setValue(0.5)
	eventually(t, "sms stage cancelled after the value fell back", func() bool { return stageState("sms") == StateCancelled })

	h := e.history(Query{Alertname: "DiskFull"})
	var firing, resolved bool
	for _, ev := range h.Events {
		firing = firing || (ev.Status == "firing" && ev.Outcome == OutcomeScheduled && ev.Labels["host_id"] == "i-0abc")
		resolved = resolved || (ev.Status == "resolved" && ev.Outcome == OutcomeResolved)
	}
	if !firing || !resolved {
		t.Errorf("history events %+v: want a scheduled firing event and a resolved one", h.Events)
	}
	if len(h.Actions) != 1 || h.Actions[0].Stage != "chat" || h.Actions[0].Status != ActionOK {
		t.Errorf("actions %+v: want the chat script, ok", h.Actions)
	}
	if got := ranStages(t, dir); strings.Join(got, ",") != "chat" {
		t.Errorf("ran %v, want chat", got)
	}
}
