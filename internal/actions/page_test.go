package actions

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's chromium; the page test needs a real browser to prove the page
// renders without scripts and escapes what alerts put in it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("MCOBS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Skip("chromium not found (apt-get install -y chromium, or set MCOBS_CHROMIUM): the history page is not tested in a browser")
	return ""
}

func TestHistoryPageInHeadlessChromium(t *testing.T) {
	browser := chromium(t)
	dir := t.TempDir()
	clock := &fakeClock{t: t0}
	cfg := `
scripts:
  fix: {argv: [%[1]s, fix], env: {MCOBS_ACTIONS_HELPER: exit7}}
scenarios:
  - name: disk
    matchers: ['alertname=~"Disk.*"']
    stages:
      - {name: remediate, actions: [{script: fix}]}
      - {name: later, delay: 1h, actions: [{script: fix}]}
# %[2]s
`
	e := newEnv(t, dir, cfg, clock, ServerOptions{})
	e.post(webhook("firing", t0, map[string]string{"alertname": "DiskFull", "severity": "critical"}))
	e.post(webhook("firing", t0, map[string]string{"alertname": "Disk<script>document.title='pwned'</script>"}))
	e.post(webhook("firing", t0, map[string]string{"alertname": "NoScenarioForMe"}))
	e.post([]byte("{"))
	e.runDue()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(),
		"--dump-dom", e.srv.URL+"/?limit=50")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	for _, want := range []string{
		"<title>mcobs actions: history</title>",
		`<table id="events">`, `<table id="stages">`, `<table id="actions">`,
		"<td>DiskFull</td>", "<td>unmatched</td>", "<td>NoScenarioForMe</td>",
		"<td>rejected</td>", "decode webhook JSON",
		"<td>script fix</td>", "<td>failed</td>", "<td>7</td>", "about to fail",
		"<td>pending</td>", "<td>1 later</td>",
		"Disk&lt;script&gt;document.title='pwned'&lt;/script&gt;",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, "<script") {
		t.Errorf("an alert label became a script element:\n%s", dom)
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
}
