package actions

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// escalationConfig: chat at once, sms after 10m, remediation after 30m, each a helper run
// whose argv names the stage.
const escalationConfig = `
scripts:
  chat: {argv: [%[1]s, chat], env: {MCOBS_ACTIONS_HELPER: record, HELPER_OUT: %[2]s}}
  sms: {argv: [%[1]s, sms], env: {MCOBS_ACTIONS_HELPER: record, HELPER_OUT: %[2]s}}
  remediate: {argv: [%[1]s, remediate], args_from_labels: [host_id], env: {MCOBS_ACTIONS_HELPER: record, HELPER_OUT: %[2]s}}
scenarios:
  - name: disk
    matchers: ['alertname="DiskFull"']
    severities: [critical]
    stages:
      - {name: chat, actions: [{script: chat}]}
      - {name: sms, delay: 10m, actions: [{script: sms}]}
      - {name: remediate, delay: 30m, actions: [{script: remediate}]}
`

// escalationIn is escalationConfig with the helper's output file in dir.
func escalationIn(dir string) string {
	return strings.ReplaceAll(escalationConfig, "%[2]s", jsonQuote(helperOut(dir)))
}

var diskLabels = map[string]string{"alertname": "DiskFull", "severity": "critical", "host_id": "i-0abc"}

// ranStages lists the stage names the helper recorded, in order.
func ranStages(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, r := range readHelper(t, filepath.Join(dir, "out")) {
		out = append(out, r.Args[0])
	}
	return out
}

func helperOut(dir string) string { return filepath.Join(dir, "out") }

func TestEscalationRunsLaterStagesOnlyWhileFiring(t *testing.T) {
	t.Parallel()
	f := func(resolveAfter time.Duration, want []string) {
		t.Helper()
		dir := t.TempDir()
		clock := &fakeClock{t: t0}
		e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
		if code := e.post(webhook("firing", t0.Add(-5*time.Minute), diskLabels)); code != 200 {
			t.Fatalf("firing webhook: %d", code)
		}
		for _, step := range []time.Duration{0, 5 * time.Minute, 5 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute} {
			clock.Add(step)
			if resolveAfter > 0 && clock.Now().Sub(t0) == resolveAfter {
				if code := e.post(webhook("resolved", t0.Add(-5*time.Minute), diskLabels)); code != 200 {
					t.Fatalf("resolved webhook: %d", code)
				}
			}
			// Alertmanager repeats the firing notification; it must not restart the escalation.
			if resolveAfter == 0 || clock.Now().Sub(t0) < resolveAfter {
				e.post(webhook("firing", t0.Add(-5*time.Minute), diskLabels))
			}
			e.runDue()
		}
		if got := ranStages(t, dir); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("resolve after %s: ran %v, want %v", resolveAfter, got, want)
		}
	}
	// keeps firing: every stage once, in order
	f(0, []string{"chat", "sms", "remediate"})
	// resolved at 5m: the sms and remediation stages are cancelled
	f(5*time.Minute, []string{"chat"})
	// resolved at 20m: sms ran, remediation cancelled
	f(20*time.Minute, []string{"chat", "sms"})
}

func TestResolvedCancelsPendingStagesInHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
	e.post(webhook("firing", t0, diskLabels))
	e.runDue()
	clock.Add(time.Minute)
	e.post(webhook("resolved", t0, diskLabels))
	states := map[string]string{}
	for _, s := range e.history(Query{}).Stages {
		states[s.Name] = s.State
	}
	if states["chat"] != StateDone || states["sms"] != StateCancelled || states["remediate"] != StateCancelled {
		t.Errorf("stage states = %v, want chat done, sms and remediate cancelled", states)
	}
	ev := e.history(Query{Status: "resolved"}).Events
	if len(ev) != 1 || ev[0].Outcome != OutcomeResolved || ev[0].Detail != "cancelled 2 pending stage(s)" {
		t.Errorf("resolved events = %+v", ev)
	}
}

func TestRestartResumesRemainingStageExactlyOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := escalationIn(dir)
	clock := &fakeClock{t: t0}
	first := newEnv(t, dir, cfg, clock, ServerOptions{})
	first.post(webhook("firing", t0, diskLabels))
	first.runDue()
	first.close() // the runner is killed mid-escalation: sms and remediate pending

	// A new runner on the same database, 12 minutes later: the sms stage is overdue.
	clock2 := &fakeClock{t: t0.Add(12 * time.Minute)}
	second := newEnv(t, dir, cfg, clock2, ServerOptions{})
	second.runDue()
	second.runDue()
	second.post(webhook("firing", t0, diskLabels)) // a repeat notification after the restart
	second.runDue()
	if got := ranStages(t, dir); strings.Join(got, ",") != "chat,sms" {
		t.Fatalf("after restart ran %v, want chat,sms", got)
	}
	clock2.Add(20 * time.Minute)
	second.runDue()
	second.runDue()
	if got := ranStages(t, dir); strings.Join(got, ",") != "chat,sms,remediate" {
		t.Fatalf("ran %v, want chat,sms,remediate", got)
	}
	if n := len(second.history(Query{Status: StateDone}).Stages); n != 3 {
		t.Errorf("%d stages done, want 3", n)
	}
}

func TestStageRunningAtCrashIsNotRunAgain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := escalationIn(dir)
	clock := &fakeClock{t: t0}
	first := newEnv(t, dir, cfg, clock, ServerOptions{})
	first.post(webhook("firing", t0, diskLabels))
	// Simulate a crash after the claim was recorded but before the stage finished.
	if ok, err := first.store.claim(context.Background(), first.history(Query{}).Stages[2].Key, clock.Now()); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	first.close()

	second := newEnv(t, dir, cfg, clock, ServerOptions{})
	second.runDue()
	if got := ranStages(t, dir); len(got) != 0 {
		t.Errorf("ran %v, want nothing: the chat stage was running when the runner died", got)
	}
	st := second.history(Query{Status: StateInterrupted}).Stages
	if len(st) != 1 || st[0].Name != "chat" {
		t.Errorf("interrupted stages = %+v, want the chat stage", st)
	}
}

func TestInjectionInLabelsReachesNoShell(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pwned := filepath.Join(dir, "pwned")
	values := []string{
		"$(touch " + pwned + ")",
		"; touch " + pwned,
		"`touch " + pwned + "`",
		"x' && touch " + pwned + " #",
		"a\nb | touch " + pwned,
		"; touch /tmp/pwned",
		"$(rm -rf /)",
	}
	_, statErr := os.Stat("/tmp/pwned")
	tmpPwnedBefore := statErr == nil
	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
	for i, v := range values {
		ls := map[string]string{"alertname": "DiskFull", "severity": "critical", "host_id": v, "instance": string(rune('a' + i))}
		if code := e.post(webhook("firing", t0, ls)); code != 200 {
			t.Fatalf("webhook: %d", code)
		}
	}
	clock.Add(time.Hour)
	e.runDue()
	if _, err := os.Stat(pwned); !os.IsNotExist(err) {
		t.Fatalf("%s exists (stat err %v): a label value reached a shell", pwned, err)
	}
	if _, err := os.Stat("/tmp/pwned"); err == nil && !tmpPwnedBefore {
		t.Fatal("/tmp/pwned was created: a label value reached a shell")
	}
	got := map[string]bool{}
	for _, r := range readHelper(t, helperOut(dir)) {
		if r.Args[0] != "remediate" {
			continue
		}
		if len(r.Args) != 2 {
			t.Errorf("argv %q: the label must be exactly one argument", r.Args)
			continue
		}
		if r.Env["MCOBS_LABEL_HOST_ID"] != r.Args[1] {
			t.Errorf("env MCOBS_LABEL_HOST_ID = %q, argument %q: want the same literal", r.Env["MCOBS_LABEL_HOST_ID"], r.Args[1])
		}
		got[r.Args[1]] = true
	}
	for _, v := range values {
		if !got[v] {
			t.Errorf("script did not receive the literal %q; got %v", v, got)
		}
	}
}

func TestScriptEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("MCOBS_ACTIONS_SECRET_PROBE", "x") // must not leak: scripts get a minimal env
	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
	e.post(webhook("firing", t0, map[string]string{"alertname": "DiskFull", "severity": "critical", "cloud.region": "eu-west-1"}))
	e.runDue()
	recs := readHelper(t, helperOut(dir))
	if len(recs) != 1 {
		t.Fatalf("%d runs, want 1", len(recs))
	}
	want := map[string]string{
		"MCOBS_ALERTNAME": "DiskFull", "MCOBS_SCENARIO": "disk", "MCOBS_STAGE": "chat",
		"MCOBS_LABEL_CLOUD_REGION": "eu-west-1", "MCOBS_LABEL_SEVERITY": "critical",
	}
	for k, v := range want {
		if recs[0].Env[k] != v {
			t.Errorf("%s = %q, want %q", k, recs[0].Env[k], v)
		}
	}
	if _, ok := recs[0].Env["MCOBS_ACTIONS_SECRET_PROBE"]; ok {
		t.Error("the runner's own environment leaked into the script")
	}
}

// A stage still running (a long remediation) must not hold back another escalation's stage:
// the waiting script only finishes if the other alert's script runs while it waits.
func TestLongStageDoesNotBlockOtherEscalations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	flag := jsonQuote(filepath.Join(dir, "flag"))
	cfg := `
scripts:
  wait: {argv: [%[1]s], env: {MCOBS_ACTIONS_HELPER: waitfor, HELPER_WAIT: ` + flag + `}, timeout: 60s}
  create: {argv: [%[1]s], env: {MCOBS_ACTIONS_HELPER: create, HELPER_CREATE: ` + flag + `}}
scenarios:
  - {name: slow, matchers: ['alertname="Slow"'], stages: [{name: s, actions: [{script: wait}]}]}
  - {name: fast, matchers: ['alertname="Fast"'], stages: [{name: f, actions: [{script: create}]}]}
# %[2]s
`
	e := newEnv(t, dir, cfg, &fakeClock{t: t0}, ServerOptions{})
	e.post(webhook("firing", t0, map[string]string{"alertname": "Slow"}))
	if err := e.runner.dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.post(webhook("firing", t0, map[string]string{"alertname": "Fast"}))
	e.runDue()
	for _, a := range e.history(Query{}).Actions {
		if a.Status != ActionOK {
			t.Errorf("%s: %s (exit %d): the fast stage did not run while the slow one waited", a.Target, a.Status, a.ExitCode)
		}
	}
	if n := len(e.history(Query{Status: StateDone}).Stages); n != 2 {
		t.Errorf("%d stages done, want 2", n)
	}
}

// A later stage never overtakes an earlier one that is still running.
func TestStagesDoNotOvertake(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
	e.post(webhook("firing", t0, diskLabels))
	chat := e.history(Query{}).Stages[2]
	if chat.Name != "chat" {
		t.Fatalf("stage %+v, want chat", chat)
	}
	ctx := context.Background()
	if ok, err := e.store.claim(ctx, chat.Key, clock.Now()); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	clock.Add(15 * time.Minute)
	e.runDue()
	if got := ranStages(t, dir); len(got) != 0 {
		t.Fatalf("ran %v while chat was still running, want nothing", got)
	}
	if err := e.store.finishStage(ctx, chat.Key, StateDone, "", clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.runDue()
	if got := ranStages(t, dir); strings.Join(got, ",") != "sms" {
		t.Errorf("ran %v after chat finished, want sms", got)
	}
}

func TestStoreOpensPathsWithURICharacters(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "odd ?#% dir")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a?b#c.db")
	s, err := OpenStore(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordEvent(context.Background(), &Event{ReceivedAt: t0, Status: "rejected", Outcome: "rejected", HTTPStatus: 401}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %q: %v", path, err)
	}
	ro, err := OpenStore(path, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ro.Close(); err != nil {
			t.Error(err)
		}
	})
	h, err := ro.History(context.Background(), Query{})
	if err != nil || len(h.Events) != 1 {
		t.Fatalf("read-only history: %+v, %v", h, err)
	}
}

func TestPruneKeepsPendingStages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := &fakeClock{t: t0}
	e := newEnv(t, dir, escalationIn(dir), clock, ServerOptions{})
	e.post(webhook("firing", t0, diskLabels))
	e.runDue() // chat done at t0; sms and remediate pending
	e.post([]byte("{"))
	clock.Add(48 * time.Hour)
	e.post(webhook("firing", clock.Now(), map[string]string{"alertname": "Recent"}))
	n, err := e.store.Prune(context.Background(), clock.Now().Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h := e.history(Query{})
	// gone: two old events, the chat action and the chat stage
	if n != 4 {
		t.Errorf("pruned %d rows, want 4", n)
	}
	if len(h.Events) != 1 || h.Events[0].Alertname != "Recent" {
		t.Errorf("events after prune = %+v, want only the recent one", h.Events)
	}
	if len(h.Actions) != 0 {
		t.Errorf("actions after prune = %+v", h.Actions)
	}
	if len(h.Stages) != 2 || h.Stages[0].State != StatePending || h.Stages[1].State != StatePending {
		t.Fatalf("stages after prune = %+v, want the two pending ones", h.Stages)
	}
	e.runDue() // the pending stages still run: their escalation was kept
	if got := ranStages(t, dir); strings.Join(got, ",") != "chat,sms,remediate" {
		t.Errorf("ran %v, want chat,sms,remediate", got)
	}
}
