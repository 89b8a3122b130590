package mcobsalertmanagerexporter

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter/internal/metadata"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	web1 = map[string]string{"cloud.provider": "aws", "cloud.account.id": "111111111111", "cloud.region": "us-east-1", "host.id": "i-0a", "host.name": "web-1"}
	db1  = map[string]string{"cloud.provider": "gcp", "cloud.account.id": "proj-1", "cloud.region": "europe-west1", "cloud.resource_id": "//sql/db-1"}
)

func testConfig(peers ...*peer) *Config {
	c := createDefaultConfig().(*Config)
	for _, p := range peers {
		c.Endpoints = append(c.Endpoints, p.srv.URL)
	}
	return c
}

func newTestExporter(t *testing.T, cfg *Config, now func() time.Time) *alertExporter {
	t.Helper()
	require.NoError(t, cfg.Validate())
	e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type), now)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.shutdown(context.Background())) })
	return e
}

// levelChangesInput is the input of the golden case: a web server going none -> warning ->
// critical -> critical -> none, and a database staying at info (below min_level) until it
// turns critical at the last point.
func levelChangesInput() []pmetric.Metrics {
	steps := [][2]string{{"none", "info"}, {"warning", "info"}, {"critical", "info"}, {"critical", "info"}, {"none", "info"}, {"none", "critical"}}
	out := make([]pmetric.Metrics, len(steps))
	for i, s := range steps {
		out[i] = anomalyMetrics(t0.Add(time.Duration(i)*time.Minute),
			point{resource: web1, metric: "system.cpu.utilization", level: s[0], score: 0.1 * float64(i+1)},
			point{resource: db1, metric: "db.server.connection.count", level: s[1], score: 0.35, kind: "extreme"})
	}
	return out
}

func stamp(md pmetric.Metrics, ts time.Time) {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				for _, dp := range m.Gauge().DataPoints().All() {
					dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
				}
			}
		}
	}
}

// pushRecord is what the peers received for one push, the golden output.
type pushRecord struct {
	Push   int       `json:"push"`
	Alerts [][]alert `json:"requests"`
}

func TestLevelChangesGolden(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "level_changes_of_two_series_reach_both_peers")
	// for i, md := range levelChangesInput() { require.NoError(t, golden.WriteMetrics(t, filepath.Join(dir, fmt.Sprintf("input_%d.yaml", i+1)), md)) }
	a, b := newPeer(t), newPeer(t)
	cfg := testConfig(a, b)
	cfg.ResendInterval = 5 * time.Minute
	clk := &clock{}
	e := newTestExporter(t, cfg, clk.now)

	var got []pushRecord
	for i := 1; ; i++ {
		md, err := golden.ReadMetrics(filepath.Join(dir, fmt.Sprintf("input_%d.yaml", i)))
		if os.IsNotExist(err) {
			break
		}
		require.NoError(t, err)
		// golden.WriteMetrics normalizes timestamps; point i is at minute i-1.
		stamp(md, t0.Add(time.Duration(i-1)*time.Minute))
		clk.set(t0.Add(time.Duration(i-1)*time.Minute + 2*time.Second))
		require.NoError(t, e.push(context.Background(), md))
		reqA, _ := a.take()
		reqB, _ := b.take()
		assert.Equal(t, reqA, reqB, "push %d: both peers get the same requests", i)
		if len(reqA) > 0 {
			got = append(got, pushRecord{Push: i, Alerts: reqA})
		}
	}
	require.NotEmpty(t, got)
	body, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	// require.NoError(t, os.WriteFile(filepath.Join(dir, "requests.json"), append(body, '\n'), 0o644))
	want, err := os.ReadFile(filepath.Join(dir, "requests.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(body))
}

// TestGoldenInputMatchesItsGenerator keeps the golden input and levelChangesInput, which
// regenerates it, in step.
func TestGoldenInputMatchesItsGenerator(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "level_changes_of_two_series_reach_both_peers")
	for i, want := range levelChangesInput() {
		got, err := golden.ReadMetrics(filepath.Join(dir, fmt.Sprintf("input_%d.yaml", i+1)))
		require.NoError(t, err)
		require.NoError(t, pmetrictest.CompareMetrics(want, got,
			pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreResourceMetricsOrder(),
			pmetrictest.IgnoreMetricsOrder(), pmetrictest.IgnoreMetricDataPointsOrder()), "input_%d.yaml", i+1)
	}
}

func TestRetryResendsOnlyToTheFailedPeer(t *testing.T) {
	t.Parallel()
	a, b := newPeer(t, http.StatusServiceUnavailable), newPeer(t)
	clk := &clock{t: t0}
	e := newTestExporter(t, testConfig(a, b), clk.now)
	md := anomalyMetrics(t0, point{resource: web1, metric: "system.cpu.utilization", level: "warning", score: 0.45})

	err := e.push(context.Background(), md)
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err), "a 503 is worth retrying: %v", err)
	require.ErrorContains(t, err, a.srv.URL)
	allA, okA := a.take()
	allB, okB := b.take()
	require.Len(t, allA, 1)
	assert.Empty(t, okA)
	require.Len(t, okB, 1)
	require.Len(t, allB, 1)

	// The exporter helper retries with the same data: the point is not new, but the alert
	// is still owed to a, and only to a.
	require.NoError(t, e.push(context.Background(), md))
	_, okA = a.take()
	allB, _ = b.take()
	require.Len(t, okA, 1)
	assert.Equal(t, okB[0], okA[0])
	assert.Empty(t, allB)

	// Nothing is owed any more.
	require.NoError(t, e.push(context.Background(), md))
	allA, _ = a.take()
	assert.Empty(t, allA)
}

func TestRefusedAlertsAreNotRetried(t *testing.T) {
	t.Parallel()
	a := newPeer(t, http.StatusBadRequest)
	clk := &clock{t: t0}
	e := newTestExporter(t, testConfig(a), clk.now)
	md := anomalyMetrics(t0, point{resource: web1, metric: "system.cpu.utilization", level: "critical", score: 0.6})
	err := e.push(context.Background(), md)
	require.Error(t, err)
	assert.True(t, consumererror.IsPermanent(err), "a 400 cannot be fixed by sending again: %v", err)
	a.take()
	require.NoError(t, e.push(context.Background(), md))
	all, _ := a.take()
	assert.Empty(t, all)
}

func TestFiringAlertIsResentAfterResendInterval(t *testing.T) {
	t.Parallel()
	a := newPeer(t)
	clk := &clock{t: t0}
	e := newTestExporter(t, testConfig(a), clk.now) // resend_interval 1m
	f := func(minute int, level string, wantRequests int) {
		t.Helper()
		ts := t0.Add(time.Duration(minute) * 30 * time.Second)
		clk.set(ts)
		require.NoError(t, e.push(context.Background(), anomalyMetrics(ts, point{resource: web1, metric: "system.cpu.utilization", level: level, score: 0.45})))
		all, _ := a.take()
		assert.Len(t, all, wantRequests, "at %s", ts)
		for _, r := range all {
			require.Len(t, r, 1)
			// a re-send keeps the start of the level and pushes the end ahead
			assert.Equal(t, formatTime(t0), r[0].StartsAt)
			assert.Equal(t, formatTime(ts.Add(15*time.Minute)), r[0].EndsAt)
		}
	}
	f(0, "warning", 1) // the change
	f(1, "warning", 0) // 30s later: within resend_interval
	f(2, "warning", 1) // 1m after the last send
	f(3, "warning", 0)
}

func TestOlderPointsDoNotChangeTheLevel(t *testing.T) {
	t.Parallel()
	a := newPeer(t)
	clk := &clock{t: t0.Add(time.Minute)}
	e := newTestExporter(t, testConfig(a), clk.now)
	require.NoError(t, e.push(context.Background(), anomalyMetrics(t0.Add(time.Minute), point{resource: web1, metric: "system.cpu.utilization", level: "warning", score: 0.45})))
	a.take()
	// A late batch with an older point must not resolve the warning.
	require.NoError(t, e.push(context.Background(), anomalyMetrics(t0, point{resource: web1, metric: "system.cpu.utilization", level: "none", score: 0.1})))
	all, _ := a.take()
	assert.Empty(t, all)
}

func TestLargeBatchesAreSplit(t *testing.T) {
	t.Parallel()
	a := newPeer(t)
	cfg := testConfig(a)
	cfg.MaxBatchSize = 2
	clk := &clock{t: t0}
	e := newTestExporter(t, cfg, clk.now)
	var pts []point
	for i := range 5 {
		pts = append(pts, point{resource: map[string]string{"host.id": fmt.Sprintf("i-%d", i)}, metric: "system.cpu.utilization", level: "critical", score: 0.7})
	}
	require.NoError(t, e.push(context.Background(), anomalyMetrics(t0, pts...)))
	all, _ := a.take()
	require.Len(t, all, 3)
	assert.Len(t, all[0], 2)
	assert.Len(t, all[1], 2)
	assert.Len(t, all[2], 1)
}

func TestHeadersAreSent(t *testing.T) {
	t.Parallel()
	a := newPeer(t)
	cfg := testConfig(a)
	cfg.Headers = map[string]configopaque.String{"Authorization": "Bearer t0ken"}
	clk := &clock{t: t0}
	e := newTestExporter(t, cfg, clk.now)
	require.NoError(t, e.push(context.Background(), anomalyMetrics(t0, point{resource: web1, metric: "system.cpu.utilization", level: "critical", score: 0.7})))
	a.mu.Lock()
	defer a.mu.Unlock()
	require.Len(t, a.headers, 1)
	assert.Equal(t, "Bearer t0ken", a.headers[0].Get("Authorization"))
	assert.Equal(t, "application/json", a.headers[0].Get("Content-Type"))
}

// TestFactoryRetriesAFailingPeer goes through the exporter helper: its retry sends the alert
// again to the peer that failed until it accepts.
func TestFactoryRetriesAFailingPeer(t *testing.T) {
	t.Parallel()
	a, b := newPeer(t, http.StatusBadGateway, http.StatusServiceUnavailable), newPeer(t)
	cfg := testConfig(a, b)
	cfg.BackOffConfig.InitialInterval = 10 * time.Millisecond
	cfg.BackOffConfig.MaxInterval = 20 * time.Millisecond
	exp, err := NewFactory().CreateMetrics(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	md := anomalyMetrics(time.Now(), point{resource: web1, metric: "system.cpu.utilization", level: "critical", score: 0.7})
	require.NoError(t, exp.ConsumeMetrics(context.Background(), md))
	require.Eventually(t, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return len(a.accepted) == 1
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, exp.Shutdown(context.Background()))
	all, ok := a.take()
	assert.Len(t, all, 3, "two failures, then accepted")
	allB, okB := b.take()
	assert.Len(t, allB, 1, "the healthy peer got it once")
	assert.Equal(t, okB[0], ok[0])
}
