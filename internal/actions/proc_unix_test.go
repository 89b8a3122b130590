//go:build unix

package actions

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// A script killed at its timeout takes the processes it started with it.
func TestTimeoutKillsTheScriptsChildren(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	cfg := `
scripts:
  spawner: {argv: [%[1]s], env: {MCOBS_ACTIONS_HELPER: spawn, HELPER_PID: ` + jsonQuote(pidFile) + `}, timeout: 1s}
scenarios:
  - {name: s, matchers: ['alertname="X"'], stages: [{name: s, actions: [{script: spawner}]}]}
# %[2]s
`
	e := newEnv(t, dir, cfg, &fakeClock{t: t0}, ServerOptions{})
	e.post(webhook("firing", t0, map[string]string{"alertname": "X"}))
	e.runDue()
	if a := e.history(Query{}).Actions; len(a) != 1 || a[0].Status != ActionTimeout {
		t.Fatalf("actions = %+v, want one timeout", a)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the script did not start its child: %v", err)
	}
	pid, _ := strconv.Atoi(string(b))
	// The killed child is reaped by whoever adopted it; until then it is a zombie, which
	// /proc shows as state Z. Poll rather than assume a time.
	for range 200 {
		st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if errors.Is(err, os.ErrNotExist) || errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) || (err == nil && zombie(st)) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("child %d of the timed-out script is still running", pid)
}

// zombie reads the state field of /proc/<pid>/stat ("pid (comm) S ...").
func zombie(stat []byte) bool {
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' {
			return i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X')
		}
	}
	return false
}
