package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestActionsServeAndHistory runs `mcobs actions serve` as the integrator will, posts an
// Alertmanager webhook, waits for the scenario's script to run and reads `actions history`.
func TestActionsServeAndHistory(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	cfg := `
scripts:
  mark: {argv: [/usr/bin/touch], args_from_labels: [marker], timeout: 10s}
scenarios:
  - name: disk
    matchers: ['alertname="DiskFull"']
    stages:
      - {name: remediate, actions: [{script: mark}]}
`
	cfgPath := filepath.Join(dir, "scenarios.yml")
	tokenPath := filepath.Join(dir, "token")
	dbPath := filepath.Join(dir, "state", "actions.db")
	must(t, os.WriteFile(cfgPath, []byte(cfg), 0o644))
	must(t, os.WriteFile(tokenPath, []byte("tok\n"), 0o600))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		root := newRootCmd()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs([]string{
			"actions", "serve", "--listen", addr, "--config", cfgPath, "--db", dbPath,
			"--token-file", tokenPath, "--poll", "100ms",
		})
		done <- root.ExecuteContext(ctx)
	}()
	waitFor(t, done, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})
	body := fmt.Sprintf(`{"version":"4","status":"firing","receiver":"actions","groupKey":"{}",
		"alerts":[{"status":"firing","labels":{"alertname":"DiskFull","severity":"critical","marker":%q},
		"annotations":{"summary":"disk full"},"startsAt":"2026-11-22T06:00:00Z","endsAt":"0001-01-01T00:00:00Z"}]}`, marker)
	for _, tc := range []struct {
		token string
		want  int
	}{{"wrong", 401}, {"tok", 200}} {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/alerts", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tc.token)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("token %q: status %d, want %d", tc.token, resp.StatusCode, tc.want)
		}
	}
	waitFor(t, done, func() bool { _, err := os.Stat(marker); return err == nil })
	// The action's result is recorded right after the script exits; give it the same patience.
	var out bytes.Buffer
	waitFor(t, done, func() bool {
		out.Reset()
		h := newRootCmd()
		h.SetOut(&out)
		h.SetErr(io.Discard)
		h.SetArgs([]string{"actions", "history", "--db", dbPath, "--limit", "5"})
		return h.Execute() == nil && strings.Contains(out.String(), "script mark")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	for _, want := range []string{"DiskFull", "scheduled", "rejected", "remediate", "done", "script mark", "ok"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("history lacks %q:\n%s", want, out.String())
		}
	}
}

func TestActionsHistoryMissingDB(t *testing.T) {
	root := newRootCmd()
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"actions", "history", "--db", filepath.Join(t.TempDir(), "none.db")})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "none.db") {
		t.Fatalf("err = %v, want one naming the missing database", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds; it fails if serve exits first or after 20s.
func waitFor(t *testing.T, done chan error, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestActionsCheck(t *testing.T) {
	f := func(args []string, wantErr, wantOut string) {
		t.Helper()
		var out bytes.Buffer
		root := newRootCmd()
		root.SetOut(&out)
		root.SetErr(io.Discard)
		root.SetArgs(append([]string{"actions", "check"}, args...))
		err := root.Execute()
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%v: %v", args, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%v: err %v, want one containing %q", args, err, wantErr)
		case !strings.Contains(out.String(), wantOut):
			t.Errorf("%v: output %q, want %q", args, out.String(), wantOut)
		}
	}
	example := "../../internal/actions/testdata/scenarios.yml"
	// the documented example is valid
	f([]string{"--config", example}, "", "2 scenario(s), 2 script(s): ok")
	// its programs are placeholders, which --scripts reports
	f([]string{"--config", example, "--scripts"}, "`scripts.grow_volume.argv[0]`", "")
	// a missing file names the file
	f([]string{"--config", "nope.yml"}, `"nope.yml"`, "")
}
