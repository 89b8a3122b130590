package e2e

import (
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"

	alertrules "github.com/mcobs/mcobs/alert-rules"
	"github.com/mcobs/mcobs/internal/stack"
)

// amStartPrometheus runs the real Prometheus with every embedded *.rules.yml, the evaluation
// interval of `mcobs up` (15s), remote write accepted, and alerts sent to Alertmanager at amPort.
func amStartPrometheus(t *testing.T, bin string, amPort int) int {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(alertrules.FS, "*.rules.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded rules: %v %v", files, err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(alertrules.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "rules", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`global: {scrape_interval: 15s, evaluation_interval: 15s}
alerting:
  alertmanagers:
    - static_configs: [{targets: ["127.0.0.1:%d"]}]
rule_files: [rules/*.rules.yml]
`, amPort)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePorts(t, 1)[0]
	p := &stack.Process{
		Name: "prometheus",
		Path: filepath.Join(bin, "prometheus"),
		Args: []string{
			"--config.file=" + filepath.Join(dir, "prometheus.yml"),
			"--storage.tsdb.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
			"--web.enable-remote-write-receiver",
		},
		Dir:      dir,
		LogPath:  filepath.Join(dir, "prometheus.log"),
		ReadyURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/-/ready",
	}
	startProcess(t, p, 60*time.Second)
	return port
}

// amRemoteWrite writes the four anomaly_level series of one scored point at ts, level at 1.
func amRemoteWrite(t *testing.T, promPort int, hostID, level string, ts time.Time) {
	t.Helper()
	var wr prompb.WriteRequest
	for _, l := range []string{"none", "info", "warning", "critical"} {
		v := 0.0
		if l == level {
			v = 1
		}
		wr.Timeseries = append(wr.Timeseries, prompb.TimeSeries{
			Labels: []prompb.Label{
				{Name: "__name__", Value: "anomaly_level"},
				{Name: "anomaly_level", Value: l},
				{Name: "anomaly_metric", Value: "system.cpu.utilization"},
				{Name: "cloud_account_id", Value: "111111111111"},
				{Name: "cloud_provider", Value: "aws"},
				{Name: "cloud_region", Value: "us-east-1"},
				{Name: "host_id", Value: hostID},
				{Name: "host_name", Value: "web-" + hostID},
			},
			Samples: []prompb.Sample{{Value: v, Timestamp: ts.UnixMilli()}},
		})
	}
	postRemoteWrite(t, promPort, &wr)
}

// TestAlertRulesReachAlertmanager is the rule path: anomaly levels remote-written to the real
// Prometheus running the repository's rules fire McobsAnomaly (critical, `for: 2m`), which the
// real Alertmanager with alertmanager.yml delivers to the action runner's webhook. It logs the
// latency from the first critical point to Alertmanager and to the webhook, for
// scripts/bench.d/alerting.sh. It takes about three minutes; -short skips it.
func TestAlertRulesReachAlertmanager(t *testing.T) {
	if testing.Short() {
		t.Skip("the rule path waits for the rule's for: 2m")
	}
	// Mostly waiting for the rule's for: it runs beside the other long wait, the dashboards test.
	t.Parallel()
	bin := binDir(t, "alertmanager", "prometheus")
	runner := &amWebhookRecorder{seen: map[string]time.Time{}, token: "e2e-token"}
	rsrv := httptest.NewServer(runner)
	defer rsrv.Close()
	amPort := amStart(t, bin, rsrv.URL+"/api/v1/alerts", runner.token)
	promPort := amStartPrometheus(t, bin, amPort)

	// A quiet host stays quiet; the other turns critical and stays so.
	first := time.Now()
	for ts := first.Add(-time.Minute); ts.Before(first); ts = ts.Add(15 * time.Second) {
		amRemoteWrite(t, promPort, "i-quiet", "none", ts)
	}
	var critical time.Time
	var seen time.Time
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		now := time.Now()
		amRemoteWrite(t, promPort, "i-quiet", "none", now)
		amRemoteWrite(t, promPort, "i-hot", "critical", now)
		if critical.IsZero() {
			critical = now
		}
		alerts, err := amGetAlertsNamed(context.Background(), amPort, "McobsAnomaly")
		if err == nil && amFindAlert(alerts, "i-quiet") != nil {
			t.Fatalf("the quiet host fired: %+v", amFindAlert(alerts, "i-quiet"))
		}
		if err == nil && amFindAlert(alerts, "i-hot") != nil {
			seen = time.Now()
			a := amFindAlert(alerts, "i-hot")
			if a.Labels["severity"] != "critical" || !strings.Contains(a.Annotations["description"], "account 111111111111 region us-east-1 resource web-i-hot") {
				t.Errorf("rule alert: labels %v, description %q", a.Labels, a.Annotations["description"])
			}
			break
		}
		time.Sleep(time.Second)
	}
	if seen.IsZero() {
		t.Fatal("McobsAnomaly of i-hot not in Alertmanager after 5 minutes")
	}
	if _, ok := amWaitFor(30*time.Second, func() bool { _, ok := runner.deliveredAt("i-hot"); return ok }); !ok {
		t.Fatal("McobsAnomaly of i-hot not delivered to the action runner's webhook")
	}
	delivered, _ := runner.deliveredAt("i-hot")
	t.Logf("FIGURE rule path, first critical point -> Alertmanager lists McobsAnomaly (for: 2m, evaluation every 15s): %s",
		seen.Sub(critical).Round(time.Second))
	t.Logf("FIGURE rule path, first critical point -> action runner webhook: %s", delivered.Sub(critical).Round(time.Second))
}
