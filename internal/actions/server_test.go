package actions

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const httpConfig = `
scenarios:
  - name: cpu
    matchers: ['alertname="CPUHigh"']
    stages:
      - {name: chat, actions: [{http: {url: %[1]s, headers: {X-Route: oncall}}}]}
`

func newHTTPEnv(t *testing.T, target string, so ServerOptions) *env {
	t.Helper()
	cfg := strings.ReplaceAll(httpConfig, "%[1]s", jsonQuote(target))
	return newEnv(t, t.TempDir(), cfg+"\n# %[1]s %[2]s\n", &fakeClock{t: t0}, so)
}

func TestWebhookAuth(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t, "http://127.0.0.1:1/", ServerOptions{BasicUser: "alertmanager"})
	body := webhook("firing", t0, map[string]string{"alertname": "Other"})
	f := func(name string, auth func(*http.Request), want int) {
		t.Helper()
		if got := e.postAuth(body, auth); got != want {
			t.Errorf("%s: status %d, want %d", name, got, want)
		}
	}
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	header := func(v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set("Authorization", v) } }
	f("no credentials", nil, 401)
	f("wrong bearer", header("Bearer nope"), 401)
	f("bearer with a prefix of the token", header("Bearer "+testToken[:3]), 401)
	f("basic, wrong user", basic("someone", testToken), 401)
	f("basic, wrong password", basic("alertmanager", "nope"), 401)
	f("bearer", header("Bearer "+testToken), 200)
	f("basic", basic("alertmanager", testToken), 200)
	f("basic header by hand", header("Basic "+base64.StdEncoding.EncodeToString([]byte("alertmanager:"+testToken))), 200)
	rej := e.history(Query{Status: OutcomeRejected}).Events
	if len(rej) != 5 {
		t.Errorf("%d rejected events recorded, want 5", len(rej))
	}
	for _, ev := range rej {
		if ev.HTTPStatus != 401 {
			t.Errorf("rejected event %+v, want http_status 401", ev)
		}
	}
}

func TestWebhookRejectsMalformedAndOversized(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t, "http://127.0.0.1:1/", ServerOptions{MaxBodyBytes: 4096})
	f := func(body string, want int, detail string) {
		t.Helper()
		if got := e.post([]byte(body)); got != want {
			t.Errorf("body %.40q: status %d, want %d", body, got, want)
		}
		ev := e.history(Query{Limit: 1}).Events
		if len(ev) != 1 || ev[0].Outcome != OutcomeRejected || ev[0].HTTPStatus != want || !strings.Contains(ev[0].Detail, detail) {
			t.Errorf("body %.40q: last event %+v, want rejected %d with %q", body, ev, want, detail)
		}
	}
	f(`{"version":"4","alerts":[`, 400, "decode webhook JSON")
	f(`not json`, 400, "decode webhook JSON")
	f(`{"version":"3","alerts":[]}`, 400, "`version` must be \"4\"")
	f(`{"version":"4","alerts":[{"status":"firing","labels":{},"startsAt":"2026-11-22T06:00:00Z"}]}`, 400, "`alerts[0].labels.alertname` must be set")
	f(`{"version":"4","alerts":[{"status":"burning","labels":{"alertname":"X"},"startsAt":"2026-11-22T06:00:00Z"}]}`, 400, "`alerts[0].status` must be firing or resolved, got \"burning\"")
	f(`{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"X"}}]}`, 400, "`alerts[0].startsAt` must be set")
	big := `{"version":"4","alerts":[],"groupKey":"` + strings.Repeat("x", 5000) + `"}`
	f(big, 413, "body larger than 4096 bytes")
	if n := len(e.history(Query{}).Stages); n != 0 {
		t.Errorf("%d stages scheduled from rejected payloads", n)
	}
}

func TestUnknownScenarioIsRecordedNotGuessed(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t, "http://127.0.0.1:1/", ServerOptions{})
	if code := e.post(webhook("firing", t0, map[string]string{"alertname": "CPUHighish", "severity": "critical"})); code != 200 {
		t.Fatalf("status %d", code)
	}
	h := e.history(Query{})
	if len(h.Events) != 1 || h.Events[0].Outcome != OutcomeUnmatched || h.Events[0].Scenario != "" {
		t.Errorf("events = %+v, want one unmatched", h.Events)
	}
	if len(h.Stages) != 0 {
		t.Errorf("stages = %+v, want none", h.Stages)
	}
}

func TestHTTPAction(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []httpBody
	var route string
	status := 200
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b httpBody
		_ = json.NewDecoder(r.Body).Decode(&b)
		mu.Lock()
		got, route = append(got, b), r.Header.Get("X-Route")
		code := status
		mu.Unlock()
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "noted")
	}))
	defer target.Close()
	e := newHTTPEnv(t, target.URL+"/hook", ServerOptions{})
	e.post(webhook("firing", t0, map[string]string{"alertname": "CPUHigh", "host": "a"}))
	e.runDue()
	mu.Lock()
	status = 503
	mu.Unlock()
	e.post(webhook("firing", t0, map[string]string{"alertname": "CPUHigh", "host": "b"}))
	e.runDue()

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || got[0].Labels["host"] != "a" || got[0].Scenario != "cpu" || got[0].Stage != "chat" || route != "oncall" {
		t.Fatalf("endpoint received %+v (X-Route %q)", got, route)
	}
	acts := e.history(Query{}).Actions
	if len(acts) != 2 {
		t.Fatalf("actions = %+v", acts)
	}
	// newest first
	if a := acts[0]; a.Status != ActionFailed || a.ExitCode != 503 || a.Kind != "http" {
		t.Errorf("failing call recorded as %+v", a)
	}
	if a := acts[1]; a.Status != ActionOK || a.ExitCode != 200 || a.Output != "noted" {
		t.Errorf("good call recorded as %+v", a)
	}
}

func TestScriptExitCodeOutputCapAndTimeout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := `
scripts:
  fails: {argv: [%[1]s], env: {MCOBS_ACTIONS_HELPER: exit7}}
  chatty: {argv: [%[1]s], env: {MCOBS_ACTIONS_HELPER: spam}, max_output_bytes: 1000}
  slow: {argv: [%[1]s], env: {MCOBS_ACTIONS_HELPER: sleep}, timeout: 300ms}
  missing: {argv: [/nonexistent/mcobs-script]}
scenarios:
  - name: s
    matchers: ['alertname="X"']
    stages:
      - {name: all, actions: [{script: fails}, {script: chatty}, {script: slow}, {script: missing}]}
`
	e := newEnv(t, dir, cfg, &fakeClock{t: t0}, ServerOptions{})
	e.post(webhook("firing", t0, map[string]string{"alertname": "X"}))
	e.runDue()
	byTarget := map[string]ActionResult{}
	for _, a := range e.history(Query{}).Actions {
		byTarget[a.Target] = a
	}
	if a := byTarget["fails"]; a.Status != ActionFailed || a.ExitCode != 7 || a.Output != "about to fail\n" {
		t.Errorf("fails: %+v, want failed with exit code 7 and its output", a)
	}
	if a := byTarget["chatty"]; a.Status != ActionOK || len(a.Output) != 1000 || !a.Truncated {
		t.Errorf("chatty: status %s, %d bytes kept, truncated %v; want ok, 1000, true", a.Status, len(a.Output), a.Truncated)
	}
	if a := byTarget["slow"]; a.Status != ActionTimeout || a.ExitCode != -1 {
		t.Errorf("slow: %+v, want timeout with exit code -1 (killed)", a)
	}
	if a := byTarget["missing"]; a.Status != ActionError || a.Error == "" {
		t.Errorf("missing: %+v, want error", a)
	}
	st := e.history(Query{}).Stages
	if len(st) != 1 || st[0].State != StateDone || st[0].Detail != "4 action(s), 3 failed" {
		t.Errorf("stage = %+v", st)
	}
}

// smtpSink is a tiny in-process SMTP server that keeps each message's envelope and data.
type smtpSink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	wg   sync.WaitGroup
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	reply := func(l string) { fmt.Fprintf(c, "%s\r\n", l) }
	reply("220 sink ESMTP")
	var env strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250 sink")
		case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"):
			env.WriteString(strings.TrimSpace(line) + "\n")
			reply("250 ok")
		case cmd == "DATA":
			reply("354 go ahead")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, env.String()+"\n"+data.String())
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}

func TestEmailAction(t *testing.T) {
	t.Parallel()
	sink := newSMTPSink(t)
	cfg := `
smtp: {addr: ` + jsonQuote(sink.ln.Addr().String()) + `, from: mcobs@example.com}
scenarios:
  - name: mail
    matchers: ['alertname="DiskFull"']
    stages:
      - {name: notify, actions: [{email: {to: [oncall@example.com, team@example.com]}}]}
# %[1]s %[2]s
`
	e := newEnv(t, t.TempDir(), cfg, &fakeClock{t: t0}, ServerOptions{})
	e.post(webhook("firing", t0, map[string]string{
		"alertname": "DiskFull", "severity": "warning\r\nBcc: attacker@example.com", "host": "db-1",
	}))
	e.runDue()
	if a := e.history(Query{}).Actions; len(a) != 1 || a[0].Status != ActionOK {
		t.Fatalf("actions = %+v", a)
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(sink.msgs))
	}
	m := sink.msgs[0]
	for _, want := range []string{
		"RCPT TO:<oncall@example.com>", "RCPT TO:<team@example.com>",
		"Subject: [mcobs] warning  Bcc: attacker@example.com: DiskFull (mail/notify)\r\n", "host=db-1", "summary: test",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("message lacks %q:\n%s", want, m)
		}
	}
	header, _, _ := strings.Cut(m, "\r\n\r\n")
	if strings.Contains(header, "\r\nBcc:") {
		t.Errorf("a label value added a header:\n%s", m)
	}
}

func TestHistoryAPI(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t, "http://127.0.0.1:1/", ServerOptions{})
	for i := range 5 {
		e.post(webhook("firing", t0.Add(time.Duration(i)*time.Minute), map[string]string{"alertname": "CPUHigh", "n": fmt.Sprint(i)}))
	}
	e.post(webhook("resolved", t0, map[string]string{"alertname": "Other"}))
	get := func(q string) (int, History) {
		t.Helper()
		resp, err := http.Get(e.srv.URL + "/api/v1/history" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h History
		if resp.StatusCode == 200 {
			if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, h
	}
	if code, h := get("?alertname=CPUHigh&limit=3"); code != 200 || len(h.Events) != 3 || h.Events[0].Labels["n"] != "4" || len(h.Stages) != 3 {
		t.Errorf("alertname+limit: %d %+v", code, h)
	}
	if code, h := get("?status=resolved"); code != 200 || len(h.Events) != 1 || h.Events[0].Alertname != "Other" || len(h.Stages) != 0 {
		t.Errorf("status=resolved: %d %+v", code, h)
	}
	if code, h := get("?status=pending"); code != 200 || len(h.Stages) != 0 && h.Stages[0].State != StatePending || len(h.Events) != 0 {
		t.Errorf("status=pending: %d %+v", code, h)
	}
	if code, _ := get("?limit=zero"); code != 400 {
		t.Errorf("limit=zero: %d, want 400", code)
	}
}
