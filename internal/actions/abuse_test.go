package actions

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestHistoryPageEscapesLabelsAndSendsCSP checks over plain HTTP (no browser) what
// TestHistoryPageInHeadlessChromium checks where Chromium is installed: hostile label values
// come back as text, and the page forbids scripts whatever it contains.
func TestHistoryPageEscapesLabelsAndSendsCSP(t *testing.T) {
	t.Parallel()
	e := newHTTPEnv(t, "http://127.0.0.1:1/", ServerOptions{})
	hostile := map[string]string{
		"alertname": "<script>alert(1)</script>",
		"severity":  `"><img src=x onerror=alert(2)>`,
		"note":      "</pre><script>alert(3)</script>",
	}
	if code := e.post(webhook("firing", t0, hostile)); code != 200 {
		t.Fatalf("webhook status %d, want 200", code)
	}
	resp, err := e.srv.Client().Get(e.srv.URL + "/?limit=10&alertname=" + url.QueryEscape(`"><script>alert(4)</script>`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET / status %d:\n%s", resp.StatusCode, page)
	}
	if got := resp.Header.Get("Content-Security-Policy"); got != pageCSP {
		t.Errorf("Content-Security-Policy = %q, want %q", got, pageCSP)
	}
	if !strings.Contains(pageCSP, "default-src 'none'") || strings.Contains(pageCSP, "script-src") {
		t.Errorf("CSP %q must deny scripts (default-src 'none', no script-src)", pageCSP)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
	// The filter matches nothing, so the hostile alert shows only through the unfiltered page.
	if !strings.Contains(page, `value="&#34;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"`) {
		t.Errorf("the alertname filter is not echoed escaped:\n%s", page)
	}
	resp, err = e.srv.Client().Get(e.srv.URL + "/?limit=10")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	page = string(body)
	for _, want := range []string{
		"<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>",
		"<td>&#34;&gt;&lt;img src=x onerror=alert(2)&gt;</td>",
		`note=&#34;&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;&#34;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped %q", want)
		}
	}
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(page, bad) {
			t.Errorf("a label value reached the page unescaped (%q)", bad)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", page)
	}
}

// TestRejectedRequestsStayWithinBound sends thousands of refused requests, one a second on the
// injected clock: all are counted in the self-metrics, a rate-limited sample is recorded, and
// the history keeps at most MaxRejectedEvents of them, each with a bounded detail, next to the
// accepted alert it must not push out.
func TestRejectedRequestsStayWithinBound(t *testing.T) {
	t.Parallel()
	const (
		n    = 3000
		keep = 50
	)
	clock := &fakeClock{t: t0}
	e := newEnv(t, t.TempDir(), "scenarios: []\n# %[1]s %[2]s\n", clock,
		ServerOptions{MaxRejectedEvents: keep, MaxBodyBytes: 8 << 10})
	if code := e.post(webhook("firing", t0, map[string]string{"alertname": "Legit"})); code != 200 {
		t.Fatalf("webhook status %d, want 200", code)
	}
	huge := strings.Repeat("<x>", 2500) // quoted back by the validation error: 7.5 KB of detail
	bad := fmt.Sprintf(`{"version":"4","alerts":[{"status":%q,"labels":{"alertname":"X"},"startsAt":"2026-11-22T06:00:00Z"}]}`, huge)
	oversize := `{"version":"4","groupKey":"` + strings.Repeat("x", 9<<10) + `"}`
	for i := range n {
		clock.Add(time.Second)
		var code, want int
		switch i % 3 {
		case 0:
			code, want = e.postAuth([]byte(bad), nil), 401
		case 1:
			code, want = e.post([]byte(bad)), 400
		default:
			code, want = e.post([]byte(oversize)), 413
		}
		if code != want {
			t.Fatalf("request %d: status %d, want %d", i, code, want)
		}
	}

	var rows, maxDetail, legit, skippedNoted int
	err := e.store.db.QueryRowContext(context.Background(), `SELECT count(*), coalesce(max(length(detail)), 0),
		(SELECT count(*) FROM events WHERE alertname = 'Legit'),
		(SELECT count(*) FROM events WHERE detail LIKE '% (+50 earlier rejection(s) not recorded)')
		FROM events WHERE outcome = 'rejected'`).Scan(&rows, &maxDetail, &legit, &skippedNoted)
	if err != nil {
		t.Fatal(err)
	}
	if rows != keep {
		t.Errorf("%d rejected events in the history, want the bound %d", rows, keep)
	}
	// The 400's detail is cut to maxRejectDetail bytes plus the "… [N bytes]" and skip notes.
	if limit := maxRejectDetail + 80; maxDetail > limit {
		t.Errorf("longest rejected detail %d bytes, want at most %d", maxDetail, limit)
	}
	if legit != 1 {
		t.Errorf("%d events of the accepted alert left, want 1", legit)
	}
	// 60 requests a minute, 10 recorded: each window's first record stands for the 50 before.
	if skippedNoted == 0 {
		t.Errorf("no recorded rejection says how many were left out before it")
	}
	var pages, pageSize int64
	if err := e.store.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := e.store.db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	// Without the bound the 1,000 400s alone would hold 7.5 MB of detail.
	if size := pages * pageSize; size > 512<<10 {
		t.Errorf("database is %d bytes after %d refused requests, want at most 512 KiB", size, n)
	}
	t.Logf("after %d refused requests: %d rejected events kept, database %d pages of %d bytes", n, rows, pages, pageSize)

	// Every refused request is counted; 50 minutes at 10 a minute were recorded.
	expected := `
# HELP mcobs_actions_rejected_requests_recorded_total Refused webhook requests written to the history (a rate-limited sample of mcobs_actions_rejected_requests_total).
# TYPE mcobs_actions_rejected_requests_recorded_total counter
mcobs_actions_rejected_requests_recorded_total 500
# HELP mcobs_actions_rejected_requests_total Webhook requests refused with a 4xx, by HTTP status code (all of them, recorded in the history or not).
# TYPE mcobs_actions_rejected_requests_total counter
mcobs_actions_rejected_requests_total{code="400"} 1000
mcobs_actions_rejected_requests_total{code="401"} 1000
mcobs_actions_rejected_requests_total{code="413"} 1000
`
	if err := testutil.ScrapeAndCompare(e.srv.URL+"/metrics", strings.NewReader(expected),
		"mcobs_actions_rejected_requests_total", "mcobs_actions_rejected_requests_recorded_total"); err != nil {
		t.Error(err)
	}
}

func TestRejectSamplerWindows(t *testing.T) {
	s := &rejectSampler{perWindow: 2, window: time.Minute}
	type step struct {
		at      time.Duration
		ok      bool
		skipped int64
	}
	for i, st := range []step{
		{0, true, 0}, {time.Second, true, 0}, {2 * time.Second, false, 0}, {59 * time.Second, false, 0},
		{60 * time.Second, true, 2}, {61 * time.Second, true, 0}, {62 * time.Second, false, 0},
		{10 * time.Minute, true, 1},
		{0, true, 0}, // a clock stepped back starts a new window
	} {
		ok, skipped := s.admit(t0.Add(st.at))
		if ok != st.ok || skipped != st.skipped {
			t.Errorf("step %d at +%v: admit = %v, %d; want %v, %d", i, st.at, ok, skipped, st.ok, st.skipped)
		}
	}
}

func TestTruncateKeepsRunes(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc… [6 bytes]"},
		{"aé", 2, "a… [3 bytes]"}, // é is two bytes: never cut inside it
	} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
