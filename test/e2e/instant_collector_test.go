package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/stack"
)

// instantPathConfig is the cloud pipeline of `mcobs up` (memory_limiter, anomaly) ending in the
// instant alert exporter, fed by OTLP/HTTP.
func instantPathConfig(otlpPort, healthPort, amPort int) string {
	return fmt.Sprintf(`
extensions:
  health_check:
    endpoint: 127.0.0.1:%d
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  anomaly:
    metrics: [system.cpu.utilization]
exporters:
  mcobs_alertmanager:
    endpoints: [http://127.0.0.1:%d]
service:
  extensions: [health_check]
  telemetry:
    metrics:
      level: none
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, anomaly]
      exporters: [mcobs_alertmanager]
`, healthPort, otlpPort, amPort)
}

// cpuPoints is one host's system.cpu.utilization: n calm points a minute apart ending a minute
// before end (about 20% busy with 1% noise, seeded), then, when spike is set, one point at end.
func cpuPoints(hostID string, end time.Time, n int, spike float64, rng *rand.Rand) pmetric.Metrics {
	md, m := awsHostMetric(hostID, "system.cpu.utilization")
	m.SetUnit("1")
	dps := m.SetEmptyGauge().DataPoints()
	add := func(ts time.Time, v float64) {
		dp := dps.AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(v)
	}
	for i := n; i >= 1; i-- {
		add(end.Add(-time.Duration(i)*time.Minute), 0.2+0.01*rng.NormFloat64())
	}
	if spike > 0 {
		add(end, spike)
	}
	return md
}

// TestInstantPathThroughCollector measures the instant alert path as `mcobs up` runs it, from
// the point entering the collector's OTLP receiver (anomaly processor, batch, exporter) to a real
// Alertmanager listing the McobsAnomalyInstant alert it raised (at whatever level the detector
// gives a single spike). Each host first gets a calm
// history past the detector's warm-up, then one spike. scripts/bench.d/alerting.sh prints the
// logged figure.
func TestInstantPathThroughCollector(t *testing.T) {
	bin := binDir(t, "otelcol-mcobs", "alertmanager")
	runner := &amWebhookRecorder{seen: map[string]time.Time{}, token: "e2e-token"}
	rsrv := httptest.NewServer(runner)
	defer rsrv.Close()
	amPort := amStart(t, bin, rsrv.URL+"/api/v1/alerts", runner.token)

	ports := freePorts(t, 2)
	otlpPort, healthPort := ports[0], ports[1]
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(instantPathConfig(otlpPort, healthPort, amPort)), 0o644); err != nil {
		t.Fatal(err)
	}
	startProcess(t, &stack.Process{
		Name:     "collector",
		Path:     filepath.Join(bin, "otelcol-mcobs"),
		Args:     []string{"--config=" + cfg},
		Dir:      dir,
		LogPath:  filepath.Join(dir, "collector.log"),
		ReadyURL: "http://127.0.0.1:" + strconv.Itoa(healthPort) + "/",
	}, 60*time.Second)

	const hosts = 5
	rng := rand.New(rand.NewPCG(1, 2))
	var lat []time.Duration
	for i := range hosts {
		host := fmt.Sprintf("c-%02d", i)
		now := time.Now()
		// 300 minutes of calm history: twice the detector's 150-point warm-up.
		sendOTLP(t, otlpPort, cpuPoints(host, now, 300, 0, rng))
		entered := time.Now()
		sendOTLP(t, otlpPort, cpuPoints(host, entered, 0, 0.95, rng))
		// The alert must be the spike's: it starts at the spike's timestamp (the calm history
		// raised none, or it would start earlier).
		at, ok := amWaitFor(15*time.Second, func() bool {
			alerts, err := amGetAlerts(t.Context(), amPort)
			a := amFindAlert(alerts, host)
			return err == nil && a != nil && a.StartsAt.Sub(entered).Abs() <= time.Millisecond
		})
		if !ok {
			alerts, err := amGetAlerts(t.Context(), amPort)
			t.Fatalf("no McobsAnomalyInstant starting at the spike (%s) for %s 15s after it entered the collector; %s alert: %+v (%v)",
				entered, host, host, amFindAlert(alerts, host), err)
		}
		lat = append(lat, at.Sub(entered))
	}
	t.Logf("FIGURE instant path through the collector, point entering the OTLP receiver -> Alertmanager lists it: median %s, max %s over %d alerts (goal 5s)",
		amMedian(lat), amMax(lat), hosts)
}
