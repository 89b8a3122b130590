package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// alertmanagerBinary finds a real Alertmanager: $MCOBS_ALERTMANAGER, the repository's bin/
// (where `mcobs up` expects it) or PATH.
func alertmanagerBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("MCOBS_ALERTMANAGER"), "../../bin/alertmanager"} {
		if p == "" {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs
			}
		}
	}
	if p, err := exec.LookPath("alertmanager"); err == nil {
		return p
	}
	t.Skip("alertmanager not found (bin/alertmanager, PATH or MCOBS_ALERTMANAGER): the real delivery path is not tested")
	return ""
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// eventually polls cond; the limit guards against a hang, it is not what the test measures.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 600 {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within 30s", what)
}

// TestRealAlertmanagerEscalation: a real Alertmanager delivers the alert to the runner with a
// bearer token from a file; the first stage runs, the second after the (injected) 10 minutes,
// and the resolved notification cancels the remediation.
func TestRealAlertmanagerEscalation(t *testing.T) {
	bin := alertmanagerBinary(t)
	dir := t.TempDir()
	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, strings.ReplaceAll(escalationConfig, "%[2]s", jsonQuote(helperOut(dir))), clock, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	loopDone := make(chan struct{})
	go func() { defer close(loopDone); e.runner.Loop(ctx, 50*time.Millisecond) }()
	var once sync.Once
	stopLoop := func() { once.Do(func() { cancel(); <-loopDone }) }
	defer stopLoop()

	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(testToken), 0o600); err != nil {
		t.Fatal(err)
	}
	amCfg := fmt.Sprintf(`
route:
  receiver: actions
  group_by: [alertname, host_id]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: actions
    webhook_configs:
      - url: %s/api/v1/alerts
        send_resolved: true
        http_config:
          authorization: {type: Bearer, credentials_file: %s}
`, e.srv.URL, tokenFile)
	amCfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(amCfgPath, []byte(amCfg), 0o600); err != nil {
		t.Fatal(err)
	}
	amAddr := freeAddr(t)
	amCtx, amCancel := context.WithCancel(context.Background())
	am := exec.CommandContext(amCtx, bin, "--config.file="+amCfgPath, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	var amLog bytes.Buffer
	am.Stdout, am.Stderr = &amLog, &amLog
	if err := am.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		amCancel()
		_ = am.Wait()
		if t.Failed() {
			t.Logf("alertmanager log:\n%s", amLog.String())
		}
	}()
	eventually(t, "alertmanager ready", func() bool {
		resp, err := http.Get("http://" + amAddr + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})

	startsAt := time.Now().UTC().Add(-time.Minute)
	postAlert := func(endsAt time.Time) {
		t.Helper()
		b, _ := json.Marshal([]map[string]any{{
			"labels": diskLabels, "annotations": map[string]string{"summary": "disk full"},
			"startsAt": startsAt, "endsAt": endsAt,
		}})
		resp, err := http.Post("http://"+amAddr+"/api/v2/alerts", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("alertmanager POST /api/v2/alerts: %d", resp.StatusCode)
		}
	}
	stageState := func(name string) string {
		for _, s := range e.history(Query{}).Stages {
			if s.Name == name {
				return s.State
			}
		}
		return ""
	}

	postAlert(time.Now().UTC().Add(time.Hour))
	eventually(t, "chat stage done", func() bool { return stageState("chat") == StateDone })
	clock.Add(10 * time.Minute)
	eventually(t, "sms stage done", func() bool { return stageState("sms") == StateDone })
	postAlert(time.Now().UTC()) // resolved: endsAt now
	eventually(t, "remediate stage cancelled", func() bool { return stageState("remediate") == StateCancelled })
	clock.Add(30 * time.Minute)
	stopLoop() // RunDue and Loop are not meant to run side by side
	if err := e.runner.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ranStages(t, dir); strings.Join(got, ",") != "chat,sms" {
		t.Errorf("ran %v, want chat,sms", got)
	}
	for _, ev := range e.history(Query{}).Events {
		if ev.Outcome == OutcomeRejected || ev.Outcome == OutcomeUnmatched {
			t.Errorf("alertmanager's delivery was not accepted: %+v", ev)
		}
	}
}
