package actions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The test binary doubles as the registered script, so no test depends on a shell: with
// MCOBS_ACTIONS_HELPER set it records its argv and MCOBS_* environment and exits.
func TestMain(m *testing.M) {
	if mode := os.Getenv("MCOBS_ACTIONS_HELPER"); mode != "" {
		os.Exit(helperMain(mode))
	}
	goleak.VerifyTestMain(m)
}

type helperRecord struct {
	Args []string          `json:"args"`
	Env  map[string]string `json:"env"`
}

func helperMain(mode string) int {
	rec := helperRecord{Args: os.Args[1:], Env: map[string]string{}}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && (strings.HasPrefix(k, "MCOBS_") || k == "HOME") {
			rec.Env[k] = v
		}
	}
	if out := os.Getenv("HELPER_OUT"); out != "" {
		f, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return 99
		}
		b, _ := json.Marshal(rec)
		_, _ = f.Write(append(b, '\n'))
		_ = f.Close()
	}
	switch mode {
	case "exit7":
		fmt.Println("about to fail")
		return 7
	case "spam":
		_, _ = os.Stdout.Write(bytes.Repeat([]byte("x"), 1<<20))
	case "sleep":
		time.Sleep(time.Minute)
	case "spawn":
		// Start a sleeping child sharing our output, record its pid, then sleep too.
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), "MCOBS_ACTIONS_HELPER=sleep", "HELPER_OUT=")
		child.Stdout = os.Stdout
		if err := child.Start(); err != nil {
			return 5
		}
		if err := os.WriteFile(os.Getenv("HELPER_PID"), []byte(strconv.Itoa(child.Process.Pid)), 0o600); err != nil {
			return 6
		}
		time.Sleep(time.Minute)
	case "waitfor":
		for range 400 {
			if _, err := os.Stat(os.Getenv("HELPER_WAIT")); err == nil {
				return 0
			}
			time.Sleep(50 * time.Millisecond)
		}
		return 3
	case "create":
		if err := os.WriteFile(os.Getenv("HELPER_CREATE"), nil, 0o600); err != nil {
			return 4
		}
	}
	return 0
}

// readHelper returns what the helper recorded, one entry per run.
func readHelper(t *testing.T, path string) []helperRecord {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var recs []helperRecord
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var r helperRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("helper output %q: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func helperPath(t testing.TB) string {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var t0 = time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)

const testToken = "s3cret-token"

// env is a runner, its store and its HTTP server under test.
type env struct {
	t      testing.TB
	dir    string
	dbPath string
	cfg    *Config
	store  *Store
	runner *Runner
	srv    *httptest.Server
	clock  *fakeClock
}

// newEnv starts a runner on dir's database with the config text (%[1]s is the helper binary,
// %[2]s the directory, both JSON-quoted).
func newEnv(t testing.TB, dir, cfgText string, clock *fakeClock, so ServerOptions) *env {
	t.Helper()
	hp, _ := json.Marshal(helperPath(t))
	dp, _ := json.Marshal(dir)
	cfg, err := ParseConfig([]byte(fmt.Sprintf(cfgText, hp, dp)))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	e := &env{t: t, dir: dir, dbPath: filepath.Join(dir, "actions.db"), cfg: cfg, clock: clock}
	if e.store, err = OpenStore(e.dbPath, false); err != nil {
		t.Fatal(err)
	}
	if e.runner, err = NewRunner(context.Background(), cfg, e.store, Options{Now: clock.Now, Logger: discardLogger()}); err != nil {
		t.Fatal(err)
	}
	if so.Token == "" {
		so.Token = testToken
	}
	s, err := NewServer(e.runner, so)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.close)
	return e
}

func (e *env) close() {
	if e.srv != nil {
		e.srv.Close()
		e.srv = nil
	}
	if e.store != nil {
		if err := e.store.Close(); err != nil {
			e.t.Error(err)
		}
		e.store = nil
	}
}

// post sends a webhook with the bearer token and returns the status code.
func (e *env) post(body []byte) int {
	e.t.Helper()
	return e.postAuth(body, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testToken) })
}

func (e *env) postAuth(body []byte, auth func(*http.Request)) int {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/alerts", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != nil {
		auth(req)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *env) runDue() {
	e.t.Helper()
	if err := e.runner.RunDue(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) history(q Query) *History {
	e.t.Helper()
	h, err := e.store.History(context.Background(), q)
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

// webhook builds an Alertmanager version 4 payload.
func webhook(status string, startsAt time.Time, labels ...map[string]string) []byte {
	m := Message{Version: "4", Status: status, Receiver: "mcobs-actions", GroupKey: "{}:{}"}
	for _, ls := range labels {
		a := Alert{Status: status, Labels: ls, StartsAt: startsAt, Annotations: map[string]string{"summary": "test"}}
		if status == "resolved" {
			a.EndsAt = startsAt.Add(time.Minute)
		}
		m.Alerts = append(m.Alerts, a)
	}
	b, _ := json.Marshal(m)
	return b
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
