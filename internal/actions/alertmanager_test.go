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
func alertmanagerBinary(t *testing.T) string { return binary(t, "alertmanager") }

// binary finds a real Prometheus or Alertmanager: $MCOBS_<NAME>, the repository's bin/ (where
// `mcobs up` expects them) or PATH; the test is skipped without it.
func binary(t *testing.T, name string) string {
	t.Helper()
	for _, p := range []string{os.Getenv("MCOBS_" + strings.ToUpper(name)), "../../bin/" + name} {
		if p == "" {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs
			}
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	t.Skipf("%s not found (bin/%s, PATH or MCOBS_%s): the real delivery path is not tested", name, name, strings.ToUpper(name))
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
	alertmanagerBinary(t)
	dir := t.TempDir()
	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	loopDone := make(chan struct{})
	go func() { defer close(loopDone); e.runner.Loop(ctx, 50*time.Millisecond) }()
	var once sync.Once
	stopLoop := func() { once.Do(func() { cancel(); <-loopDone }) }
	defer stopLoop()

	amAddr := startAlertmanager(t, dir, e.srv.URL)
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

// startAlertmanager runs a real Alertmanager whose only receiver is the runner at runnerURL,
// authenticated with the test token from a credentials_file, and returns its address. It is
// stopped when the test ends.
func startAlertmanager(t *testing.T, dir, runnerURL string) string {
	t.Helper()
	bin := alertmanagerBinary(t)
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
`, runnerURL, tokenFile)
	cfgPath := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgPath, []byte(amCfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	startProcess(t, bin, "--config.file="+cfgPath, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	waitReady(t, "alertmanager", "http://"+addr+"/-/ready")
	return addr
}

// startProcess starts a child that is killed, and its log shown on failure, when the test ends.
func startProcess(t *testing.T, bin string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	var log bytes.Buffer
	var mu sync.Mutex
	cmd.Stdout = lockedWriter{&mu, &log}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("%s log:\n%s", filepath.Base(bin), log.String())
			mu.Unlock()
		}
	})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func waitReady(t *testing.T, what, url string) {
	t.Helper()
	eventually(t, what+" ready", func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}
