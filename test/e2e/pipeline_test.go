package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mcobs/mcobs/internal/stack"
)

// pipelineConfig is a collector configuration that takes OTLP/HTTP and remote-writes through
// the exporter's write-ahead log to writePort.
func pipelineConfig(o stack.Options, writePort int) string {
	return fmt.Sprintf(`
extensions:
  health_check:
    endpoint: 127.0.0.1:%[1]d
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%[2]d
processors:
  batch:
    timeout: 200ms
exporters:
  prometheus_remote_write:
    endpoint: http://127.0.0.1:%[3]d/api/v1/write
    wal:
      directory: %[4]s
      buffer_size: 1
    retry_on_failure:
      initial_interval: 200ms
      max_interval: 2s
      max_elapsed_time: 0
service:
  extensions: [health_check]
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %[5]d
  pipelines:
    metrics:
      receivers: [otlp]
      processors: [batch]
      exporters: [prometheus_remote_write]
`, o.HealthPort, o.OTLPHTTPPort, writePort, filepath.Join(o.Dir, "wal"), o.CollectorMetricsPort)
}

// startPipeline starts Alertmanager, Prometheus and the collector with pipelineConfig, the
// collector writing through a countingProxy.
func startPipeline(t *testing.T) (*stack.Stack, *countingProxy) {
	t.Helper()
	o := testOptions(t)
	proxyPort := freePorts(t, 1)[0]
	o.CollectorConfig = filepath.Join(t.TempDir(), "collector.yaml")
	if err := os.WriteFile(o.CollectorConfig, []byte(pipelineConfig(o, proxyPort)), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy := newCountingProxy(t, proxyPort, o.PrometheusPort)
	return startStack(t, o), proxy
}

func assertExactly(t *testing.T, got, want []sample, proxy *countingProxy) {
	t.Helper()
	sortSamples(want)
	if len(got) != len(want) {
		t.Fatalf("Prometheus holds %d samples, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sample %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for s, n := range proxy.deliveries(want) {
		if n != 1 {
			t.Errorf("sample %+v was accepted by Prometheus %d times, want exactly once", s, n)
		}
	}
}

// TestPipelineDeliversExactValues sends known gauges over OTLP and reads exactly those values
// and timestamps back through Prometheus's query API.
func TestPipelineDeliversExactValues(t *testing.T) {
	s, proxy := startPipeline(t)
	o := s.Options()
	start := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	md, want := gauges("mcobs.e2e.exact", []string{"a", "b", "c"}, start, 15*time.Second, 20, 0)
	sendOTLP(t, o.OTLPHTTPPort, md)
	got := waitForSamples(t, o.PrometheusPort, "mcobs_e2e_exact", len(want), 60*time.Second)
	assertExactly(t, got, want, proxy)
}

// TestPipelineSurvivesPrometheusOutage stops Prometheus, sends while it is down, restarts the
// collector too (so the points can only survive on disk), brings Prometheus back, and expects
// every point to arrive from the collector's write-ahead log, none twice.
func TestPipelineSurvivesPrometheusOutage(t *testing.T) {
	s, proxy := startPipeline(t)
	o := s.Options()
	ids := []string{"a", "b"}
	start := time.Now().Add(-15 * time.Minute).Truncate(time.Second)

	before, wantBefore := gauges("mcobs.e2e.outage", ids, start, 15*time.Second, 10, 0)
	sendOTLP(t, o.OTLPHTTPPort, before)
	if got := waitForSamples(t, o.PrometheusPort, "mcobs_e2e_outage", len(wantBefore), 60*time.Second); len(got) != len(wantBefore) {
		t.Fatalf("before the outage Prometheus holds %d samples, want %d", len(got), len(wantBefore))
	}

	if err := s.StopPart(stack.Prometheus); err != nil {
		t.Fatal(err)
	}
	during, wantDuring := gauges("mcobs.e2e.outage", ids, start.Add(10*15*time.Second), 15*time.Second, 10, 100)
	sendOTLP(t, o.OTLPHTTPPort, during)
	// Let the exporter fail against the stopped Prometheus for a while, then restart the
	// collector: what it accepted must be in its write-ahead log, not only in memory.
	time.Sleep(3 * time.Second)
	if err := s.RestartPart(context.Background(), stack.Collector); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	if err := s.RestartPart(context.Background(), stack.Prometheus); err != nil {
		t.Fatal(err)
	}

	want := append(wantBefore, wantDuring...)
	got := waitForSamples(t, o.PrometheusPort, "mcobs_e2e_outage", len(want), 90*time.Second)
	assertExactly(t, got, want, proxy)
}
