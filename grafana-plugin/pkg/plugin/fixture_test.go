package plugin

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
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

// The known data the real Prometheus holds: four weeks ending at fixtureEnd, written with
// fixed timestamps by promtool, so every query with a fixed time range is deterministic.
var (
	fixtureEnd   = time.Date(2026, 1, 29, 0, 0, 0, 0, time.UTC)
	fixtureStart = fixtureEnd.Add(-28 * 24 * time.Hour)
)

const gib = float64(1 << 30)

// The analytic runways of the fixture's linear series, in days after fixtureEnd.
const (
	cpuRunwayDays  = 32 // 0.30 + 0.01/day: 0.58 at the end, 0.9 at day 60
	varRunwayDays  = 10 // 0.33 + 0.015/day: 0.75 at the end, 0.9 at day 38
	diskRunwayDays = 20 // (49 - day) GiB free: 21 GiB at the end, 1 GiB at day 48
)

// Times of the fixture's two CPU spikes, off the hourly grid so the runway does not see them.
var spikes = []time.Time{fixtureEnd.Add(-50 * time.Minute), fixtureEnd.Add(-45 * time.Minute)}

func dayOf(t time.Time) float64 { return t.Sub(fixtureStart).Hours() / 24 }

// cpuAt is web-1's CPU without the spikes, the anomaly processor's expected value.
func cpuAt(t time.Time) float64 { return 0.30 + 0.01*dayOf(t) }

// demoLoadAt is the daily-seasonal series with a trend that forecasts are checked on; noise is
// added when it is written.
func demoLoadAt(t time.Time) float64 {
	return 100 + 20*math.Sin(2*math.Pi*float64(t.Unix()%86400)/86400) + 0.5*dayOf(t)
}

// connectionsAt is db-3's database connection count, daily-seasonal around 40.
func connectionsAt(t time.Time) float64 {
	return 40 + 10*math.Sin(2*math.Pi*float64(t.Unix()%86400)/86400)
}

// dashboardSeries writes the series only the provisioned dashboards read (dashboards_test.go):
// new metric names, or hosts and labels no other test selects, so the goldens and the other
// tests' label and metric lists stay as they are. db-3 is a managed database with connections
// and no CPU series, so the default CPU runway does not change.
func dashboardSeries(series func(family, labels string, step time.Duration, from time.Time, v func(time.Time) float64), gauge func(string)) {
	daily := func(t time.Time) float64 { return math.Sin(2 * math.Pi * float64(t.Unix()%86400) / 86400) }
	gauge("db_server_connection_count")
	series("db_server_connection_count", `cloud_provider="aws",host_name="db-3"`, 5*time.Minute, fixtureEnd.Add(-24*time.Hour), connectionsAt)
	// The recording rules of alert-rules/inventory.rules.yml and dashboards.rules.yml.
	gauge("mcobs:inventory_instances:running")
	series("mcobs:inventory_instances:running", `cloud_account_id="123456789012",cloud_provider="aws",cloud_region="us-east-1"`, time.Hour, fixtureStart,
		func(t time.Time) float64 { return math.Round(20 + 4*daily(t)) })
	gauge("provider:network_io_bytes:rate12m")
	for _, dir := range []string{"receive", "transmit"} {
		series("provider:network_io_bytes:rate12m", `cloud_provider="aws",network_io_direction="`+dir+`"`, time.Hour, fixtureStart,
			func(t time.Time) float64 { return 1e6 * (5 + daily(t) + 0.05*dayOf(t)) })
	}
}

// openMetrics writes the fixture in the OpenMetrics text format promtool backfills from.
func openMetrics() string {
	var b strings.Builder
	series := func(family, labels string, step time.Duration, from time.Time, v func(time.Time) float64) {
		for t := from; !t.After(fixtureEnd); t = t.Add(step) {
			fmt.Fprintf(&b, "%s{%s} %s %d\n", family, labels, strconv.FormatFloat(v(t), 'g', -1, 64), t.Unix())
		}
	}
	gauge := func(family string) { fmt.Fprintf(&b, "# TYPE %s gauge\n", family) }
	rng := rand.New(rand.NewPCG(1, 2))
	gauge("demo_load")
	series("demo_load", `host_name="web-1"`, 5*time.Minute, fixtureStart, func(t time.Time) float64 {
		return demoLoadAt(t) + 2*rng.NormFloat64()
	})
	gauge("system_cpu_utilization_ratio")
	series("system_cpu_utilization_ratio", `cloud_provider="aws",host_name="web-1"`, 5*time.Minute, fixtureStart, func(t time.Time) float64 {
		for _, s := range spikes {
			if t.Equal(s) {
				return 0.95
			}
		}
		return cpuAt(t)
	})
	gauge("system_memory_utilization_ratio")
	used := func(t time.Time) float64 { return 0.5 + 0.1*math.Sin(2*math.Pi*float64(t.Unix()%86400)/86400) }
	series("system_memory_utilization_ratio", `host_name="web-1",state="used"`, time.Hour, fixtureStart, used)
	series("system_memory_utilization_ratio", `host_name="web-1",state="free"`, time.Hour, fixtureStart, func(t time.Time) float64 { return 1 - used(t) })
	gauge("system_filesystem_utilization_ratio")
	series("system_filesystem_utilization_ratio", `host_name="db-1",mountpoint="/"`, time.Hour, fixtureStart, func(time.Time) float64 { return 0.3 })
	series("system_filesystem_utilization_ratio", `host_name="db-1",mountpoint="/var"`, time.Hour, fixtureStart, func(t time.Time) float64 { return 0.33 + 0.015*dayOf(t) })
	gauge("system_filesystem_usage_bytes")
	series("system_filesystem_usage_bytes", `host_name="db-2",system_filesystem_state="free"`, time.Hour, fixtureStart, func(t time.Time) float64 { return (49 - dayOf(t)) * gib })
	// The anomaly processor's output over the last three hours, under its own scope: for
	// web-1's CPU, expected is the line, the band ±0.05, and the two spikes are critical
	// (extreme) and warning (variance); for db-3's connections (see dashboardSeries) a band of
	// ±5 and no anomaly.
	scope := `otel_scope_name="github.com/mcobs/mcobs/processors/anomalyprocessor"`
	type scored struct {
		labels   string
		expected func(time.Time) float64
		band     float64
		level    func(time.Time) string
	}
	sources := []scored{
		{`anomaly_metric="system.cpu.utilization",cloud_provider="aws",host_name="web-1",` + scope, cpuAt, 0.05, func(t time.Time) string {
			switch {
			case t.Equal(spikes[0]):
				return "critical"
			case t.Equal(spikes[1]):
				return "warning"
			}
			return "none"
		}},
		{`anomaly_metric="db.server.connection.count",cloud_provider="aws",host_name="db-3",` + scope, connectionsAt, 5, func(time.Time) string { return "none" }},
	}
	recent := fixtureEnd.Add(-3 * time.Hour)
	for _, m := range []struct {
		name string
		off  float64
	}{{"anomaly_expected", 0}, {"anomaly_lower", -1}, {"anomaly_upper", 1}} {
		gauge(m.name)
		for _, src := range sources {
			series(m.name, src.labels, 5*time.Minute, recent, func(t time.Time) float64 { return src.expected(t) + m.off*src.band })
		}
	}
	gauge("anomaly_level")
	for _, src := range sources {
		for _, l := range []string{"none", "info", "warning", "critical"} {
			series("anomaly_level", src.labels+`,anomaly_level="`+l+`"`, 5*time.Minute, recent, func(t time.Time) float64 {
				if src.level(t) == l {
					return 1
				}
				return 0
			})
		}
	}
	// anomaly_kind exists only at warning and critical points: the two spikes.
	gauge("anomaly_kind")
	for i, kind := range []string{"extreme", "variance"} {
		fmt.Fprintf(&b, "anomaly_kind{%s,anomaly_kind=%q} 1 %d\n", sources[0].labels, kind, spikes[i].Unix())
	}
	dashboardSeries(series, gauge)
	b.WriteString("# EOF\n")
	return b.String()
}

// The shared Prometheus of the package's tests, started on first use and stopped by TestMain.
var (
	promOnce sync.Once
	promURL  string
	promErr  error
	promCmd  *exec.Cmd
	promDir  string
)

// realPrometheus returns the URL of a Prometheus holding the fixture. It skips the test when
// MCOBS_BIN_DIR is unset, unless MCOBS_E2E=required.
func realPrometheus(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("MCOBS_BIN_DIR")
	if bin == "" {
		if os.Getenv("MCOBS_E2E") == "required" {
			t.Fatal("MCOBS_E2E=required but MCOBS_BIN_DIR is unset: it must hold prometheus and promtool")
		}
		t.Skip("MCOBS_BIN_DIR is unset: no Prometheus to test against")
	}
	promOnce.Do(func() { promURL, promErr = startPrometheus(bin) })
	if promErr != nil {
		t.Fatal(promErr)
	}
	return promURL
}

// startPrometheus backfills the fixture into a fresh data directory and starts Prometheus on it.
func startPrometheus(bin string) (string, error) {
	dir, err := os.MkdirTemp("", "mcobs-insights-prom-")
	if err != nil {
		return "", err
	}
	input := filepath.Join(dir, "fixture.om")
	if err := os.WriteFile(input, []byte(openMetrics()), 0o644); err != nil {
		return "", err
	}
	data := filepath.Join(dir, "data")
	out, err := exec.Command(filepath.Join(bin, "promtool"), "tsdb", "create-blocks-from", "openmetrics", "--quiet", input, data).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("promtool backfill: %w: %s", err, out)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global: {scrape_interval: 1m}\n"), 0o644); err != nil {
		return "", err
	}
	addr, err := freeAddr()
	if err != nil {
		return "", err
	}
	logFile, err := os.Create(filepath.Join(dir, "prometheus.log"))
	if err != nil {
		return "", err
	}
	promDir = dir
	promCmd = exec.Command(filepath.Join(bin, "prometheus"),
		"--config.file="+cfg, "--storage.tsdb.path="+data, "--web.listen-address="+addr,
		// Retention counts back from the newest block, not from the wall clock; keep it all.
		"--storage.tsdb.retention.time=100y")
	promCmd.Dir, promCmd.Stdout, promCmd.Stderr = dir, logFile, logFile
	if err := promCmd.Start(); err != nil {
		return "", fmt.Errorf("start prometheus: %w", err)
	}
	url := "http://" + addr
	if err := waitReady(url+"/-/ready", 90*time.Second); err != nil {
		log, _ := os.ReadFile(logFile.Name())
		return "", fmt.Errorf("%w; log:\n%s", err, log)
	}
	return url, nil
}

// freeAddr is a loopback address with a port nothing listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitReady polls url until it answers 200.
func waitReady(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url) //nolint:noctx // a test poll with its own deadline
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("prometheus not ready at %s after %v", url, timeout)
}

// TestMain stops the shared Prometheus after the tests and then checks that no goroutine of
// the plugin outlived its test (a Dispose that leaves connections open would).
func TestMain(m *testing.M) {
	code := m.Run()
	if promCmd != nil {
		_ = promCmd.Process.Kill()
		_ = promCmd.Wait()
		_ = os.RemoveAll(promDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
