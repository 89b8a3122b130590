package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	alertrules "github.com/mcobs/mcobs/alert-rules"
	"github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter"
	"github.com/mcobs/mcobs/internal/stack"
)

// amActionRunnerURL is the action runner's webhook in alert-rules/alertmanager.yml; the test
// points it at a recorder instead.
const amActionRunnerURL = "http://127.0.0.1:9095/api/v1/alerts"

// amWebhookRecorder stands in for the action runner: it records Alertmanager's webhooks.
type amWebhookRecorder struct {
	mu    sync.Mutex
	auth  []string
	seen  map[string]time.Time // host_id of a firing alert -> first delivery
	token string
}

func (w *amWebhookRecorder) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	var msg struct {
		Receiver string `json:"receiver"`
		Alerts   []struct {
			Status string            `json:"status"`
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.auth = append(w.auth, r.Header.Get("Authorization"))
	if r.Header.Get("Authorization") != "Bearer "+w.token || json.Unmarshal(body, &msg) != nil || msg.Receiver != "action-runner" {
		rw.WriteHeader(http.StatusUnauthorized)
		return
	}
	for _, a := range msg.Alerts {
		if _, ok := w.seen[a.Labels["host_id"]]; !ok && a.Status == "firing" {
			w.seen[a.Labels["host_id"]] = now
		}
	}
}

func (w *amWebhookRecorder) deliveredAt(hostID string) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.seen[hostID]
	return t, ok
}

// amStart runs the real Alertmanager with the embedded alertmanager.yml and templates,
// the action runner's URL replaced by runnerURL.
func amStart(t *testing.T, bin, runnerURL, token string) int {
	t.Helper()
	dir := t.TempDir()
	err := fs.WalkDir(alertrules.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (p != "alertmanager.yml" && !strings.HasPrefix(p, "templates/")) {
			return err
		}
		b, err := fs.ReadFile(alertrules.FS, p)
		if err != nil {
			return err
		}
		if p == "alertmanager.yml" {
			if !strings.Contains(string(b), amActionRunnerURL) {
				return fmt.Errorf("alertmanager.yml no longer sends to %s", amActionRunnerURL)
			}
			b = []byte(strings.ReplaceAll(string(b), amActionRunnerURL, runnerURL))
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secrets", "action-runner-token"), []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePorts(t, 1)[0]
	p := &stack.Process{
		Name: "alertmanager",
		Path: filepath.Join(bin, "alertmanager"),
		Args: []string{
			"--config.file=" + filepath.Join(dir, "alertmanager.yml"),
			"--storage.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
			"--cluster.listen-address=",
		},
		Dir:      dir,
		LogPath:  filepath.Join(dir, "alertmanager.log"),
		ReadyURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/-/ready",
	}
	startProcess(t, p, 30*time.Second)
	return port
}

// amAlert is an alert as Alertmanager's GET /api/v2/alerts returns it.
type amAlert struct {
	EndsAt      time.Time         `json:"endsAt"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

func amGetAlerts(ctx context.Context, port int) ([]amAlert, error) {
	return amGetAlertsNamed(ctx, port, "McobsAnomalyInstant")
}

// amGetAlertsNamed returns Alertmanager's active alerts named name.
func amGetAlertsNamed(ctx context.Context, port int, name string) ([]amAlert, error) {
	q := url.Values{"filter": {`alertname="` + name + `"`}}
	var out []amAlert
	return out, getJSON(ctx, "http://127.0.0.1:"+strconv.Itoa(port)+"/api/v2/alerts?"+q.Encode(), &out)
}

// amLevelPoints is what the anomaly processor emits for one scored point of host hostID.
func amLevelPoints(hostID, level string, ts time.Time) pmetric.Metrics {
	md, m := awsHostMetric(hostID, "anomaly.level")
	dps := m.SetEmptyGauge().DataPoints()
	for _, l := range []string{"none", "info", "warning", "critical"} {
		dp := dps.AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.Attributes().PutStr("anomaly.metric", "system.cpu.utilization")
		dp.Attributes().PutStr("anomaly.level", l)
		if l == level {
			dp.SetDoubleValue(1)
		} else {
			dp.SetDoubleValue(0)
		}
	}
	return md
}

// awsHostMetric starts md with one metric named name of a simulated AWS host hostID (account
// 111111111111, us-east-1, host name web-<hostID>).
func awsHostMetric(hostID, name string) (pmetric.Metrics, pmetric.Metric) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	a := rm.Resource().Attributes()
	a.PutStr("cloud.provider", "aws")
	a.PutStr("cloud.account.id", "111111111111")
	a.PutStr("cloud.region", "us-east-1")
	a.PutStr("host.id", hostID)
	a.PutStr("host.name", "web-"+hostID)
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	return md, m
}

// amWaitFor polls until cond holds or timeout passes, and returns when it first held.
func amWaitFor(timeout time.Duration, cond func() bool) (time.Time, bool) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return time.Now(), true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Time{}, false
}

// TestAlertExporterReachesAlertmanager sends anomaly level changes through the
// mcobs_alertmanager exporter (its factory: sending queue, retry) to two real Alertmanager
// peers running the repository's alertmanager.yml and templates, and sees each alert in both
// peers' /api/v2/alerts, then at the action runner's webhook, then resolved. It logs the
// latency from a point entering the exporter to Alertmanager having it, which
// scripts/bench.d/alerting.sh prints.
func TestAlertExporterReachesAlertmanager(t *testing.T) {
	bin := binDir(t, "alertmanager")
	runner := &amWebhookRecorder{seen: map[string]time.Time{}, token: "e2e-token"}
	rsrv := httptest.NewServer(runner)
	defer rsrv.Close()
	ports := []int{
		amStart(t, bin, rsrv.URL+"/api/v1/alerts", runner.token),
		amStart(t, bin, rsrv.URL+"/api/v1/alerts", runner.token),
	}

	f := mcobsalertmanagerexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*mcobsalertmanagerexporter.Config)
	for _, p := range ports {
		cfg.Endpoints = append(cfg.Endpoints, "http://127.0.0.1:"+strconv.Itoa(p))
	}
	exp, err := f.CreateMetrics(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := exp.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}()

	const n = 10
	var toAM, toRunner []time.Duration
	for i := range n {
		host := fmt.Sprintf("i-%02d", i)
		start := time.Now()
		amSend(t, exp, amLevelPoints(host, "none", start.Add(-time.Minute)))
		entered := time.Now()
		amSend(t, exp, amLevelPoints(host, "critical", entered))
		var last []amAlert
		at, ok := amWaitFor(15*time.Second, func() bool {
			for _, p := range ports {
				alerts, err := amGetAlerts(context.Background(), p)
				if err != nil || amFindAlert(alerts, host) == nil {
					return false
				}
				last = alerts
			}
			return true
		})
		if !ok {
			t.Fatalf("alert of %s not in both Alertmanagers after 15s", host)
		}
		toAM = append(toAM, at.Sub(entered))
		a := amFindAlert(last, host)
		if a.Labels["severity"] != "critical" || a.Labels["cloud_account_id"] != "111111111111" || a.Labels["host_name"] != "web-"+host || a.Status.State != "active" {
			t.Errorf("alert of %s: labels %v, state %q", host, a.Labels, a.Status.State)
		}
		if !strings.Contains(a.Annotations["description"], "account 111111111111, region us-east-1, resource web-"+host) {
			t.Errorf("alert of %s: description %q does not name account, region and resource", host, a.Annotations["description"])
		}
		if d := a.StartsAt.Sub(entered).Abs(); d > time.Millisecond {
			t.Errorf("alert of %s starts at %s, want the point's time %s", host, a.StartsAt, entered)
		}
		if _, ok := amWaitFor(30*time.Second, func() bool { _, ok := runner.deliveredAt(host); return ok }); !ok {
			t.Fatalf("alert of %s not delivered to the action runner's webhook after 30s (authorization headers seen: %v)", host, runner.auth)
		}
		first, _ := runner.deliveredAt(host)
		toRunner = append(toRunner, first.Sub(entered))
	}

	// Back to none: resolved in both peers (no longer listed as active).
	host := "i-00"
	amSend(t, exp, amLevelPoints(host, "none", time.Now()))
	if _, ok := amWaitFor(15*time.Second, func() bool {
		for _, p := range ports {
			alerts, err := amGetAlerts(context.Background(), p)
			if err != nil || amFindAlert(alerts, host) != nil {
				return false
			}
		}
		return true
	}); !ok {
		alerts, err := amGetAlerts(context.Background(), ports[0])
		t.Fatalf("alert of %s still active after the level returned to none: %+v (%v)", host, amFindAlert(alerts, host), err)
	}

	t.Logf("FIGURE instant path, point entering the exporter -> both Alertmanagers list it: median %s, max %s over %d alerts (goal 5s)",
		amMedian(toAM), amMax(toAM), n)
	t.Logf("FIGURE instant path, point entering the exporter -> action runner webhook (alertmanager.yml group_wait 1s): median %s, max %s over %d alerts",
		amMedian(toRunner), amMax(toRunner), n)
}

func amSend(t *testing.T, exp exporter.Metrics, md pmetric.Metrics) {
	t.Helper()
	if err := exp.ConsumeMetrics(context.Background(), md); err != nil {
		t.Fatal(err)
	}
}

func amFindAlert(alerts []amAlert, hostID string) *amAlert {
	for i := range alerts {
		if alerts[i].Labels["host_id"] == hostID {
			return &alerts[i]
		}
	}
	return nil
}

func amMedian(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(time.Millisecond)
}

func amMax(d []time.Duration) time.Duration {
	var m time.Duration
	for _, x := range d {
		m = max(m, x)
	}
	return m.Round(time.Millisecond)
}
