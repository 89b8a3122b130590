package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/golang/snappy"
	"github.com/prometheus/prometheus/prompb"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"

	"github.com/mcobs/mcobs/internal/stack"
)

// binDir returns where the built binaries are, skipping or failing (under `make test`) when
// one of names is missing.
func binDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := os.Getenv("MCOBS_BIN_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "bin")
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			if os.Getenv("MCOBS_E2E") == "required" {
				t.Fatalf("%s not built in %s: %v", n, dir, err)
			}
			t.Skipf("%s not built in %s (run `make build`, or `make test`)", n, dir)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// freePorts returns n distinct free ports.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	seen := map[int]bool{}
	var ports []int
	for len(ports) < n {
		p, err := stack.FreePort("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	return ports
}

// testOptions are stack options on free ports with state in a temporary directory.
func testOptions(t *testing.T) stack.Options {
	t.Helper()
	o := stack.DefaultOptions()
	o.Dir = t.TempDir()
	o.BinDir = binDir(t, "mcobs", "prometheus", "alertmanager", "otelcol-mcobs")
	p := freePorts(t, 11)
	o.SimulatorPort, o.ActionsPort, o.AzureSimulatorPort = p[6], p[7], p[8]
	o.GCPSimulatorPort, o.GCPRESTSimulatorPort = p[9], p[10]
	o.PrometheusPort, o.AlertmanagerPort, o.OTLPGRPCPort = p[0], p[1], p[2]
	o.OTLPHTTPPort, o.HealthPort, o.CollectorMetricsPort = p[3], p[4], p[5]
	o.StatusEvery = 0
	o.ReadyTimeout = 90 * time.Second
	return o
}

// sample is one value of one series as Prometheus stores it.
type sample struct {
	series string
	tsMs   int64
	value  float64
}

// gauges builds an OTLP request with one gauge per series name, n points each, one every step
// starting at start, with values that differ per series and point so any mix-up shows.
func gauges(metric string, seriesIDs []string, start time.Time, step time.Duration, n, offset int) (pmetric.Metrics, []sample) {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", "e2e")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(metric)
	g := m.SetEmptyGauge()
	var want []sample
	for si, id := range seriesIDs {
		for i := 0; i < n; i++ {
			ts := start.Add(time.Duration(i) * step)
			v := float64(si*1000+offset+i) + 0.25
			dp := g.DataPoints().AppendEmpty()
			dp.Attributes().PutStr("target", id)
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(v)
			want = append(want, sample{series: id, tsMs: ts.UnixMilli(), value: v})
		}
	}
	return md, want
}

// sendOTLP posts md to the collector's OTLP/HTTP receiver.
func sendOTLP(t *testing.T, port int, md pmetric.Metrics) {
	t.Helper()
	body, err := pmetricotlp.NewExportRequestFromMetrics(md).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://127.0.0.1:"+strconv.Itoa(port)+"/v1/metrics", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("send OTLP: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("send OTLP: status %d: %s", resp.StatusCode, b)
	}
}

// queryRaw returns every stored sample of metric in the last hour, keyed by the target label,
// read through Prometheus's HTTP query API.
func queryRaw(ctx context.Context, promPort int, metric string) ([]sample, error) {
	return queryRawBy(ctx, promPort, metric, "target")
}

// queryRawBy is queryRaw with the samples keyed by label instead of target.
func queryRawBy(ctx context.Context, promPort int, metric, label string) ([]sample, error) {
	q := url.Values{"query": {metric + "[1h]"}, "time": {strconv.FormatInt(time.Now().Unix(), 10)}}
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"`
		} `json:"result"`
	}
	if err := promGet(ctx, "http://127.0.0.1:"+strconv.Itoa(promPort), "/api/v1/query", q, &data); err != nil {
		return nil, fmt.Errorf("query %s: %w", metric, err)
	}
	var got []sample
	for _, s := range data.Result {
		for _, v := range s.Values {
			ts, _ := v[0].(float64)
			str, _ := v[1].(string)
			f, err := strconv.ParseFloat(str, 64)
			if err != nil {
				return nil, err
			}
			got = append(got, sample{series: s.Metric[label], tsMs: int64(ts*1000 + 0.5), value: f})
		}
	}
	sortSamples(got)
	return got, nil
}

// getJSON decodes the JSON answer of a GET of rawURL into v.
func getJSON(ctx context.Context, rawURL string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, http.NoBody)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// promGet calls Prometheus's HTTP API at base+path and decodes the envelope's data into data,
// or returns the API's error.
func promGet(ctx context.Context, base, path string, v url.Values, data any) error {
	var r struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := getJSON(ctx, base+path+"?"+v.Encode(), &r); err != nil {
		return err
	}
	if r.Status != "success" {
		return errors.New(r.Error)
	}
	return json.Unmarshal(r.Data, data)
}

func sortSamples(s []sample) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].series != s[j].series {
			return s[i].series < s[j].series
		}
		return s[i].tsMs < s[j].tsMs
	})
}

// waitForSamples polls Prometheus until metric holds exactly len(want) samples or the timeout
// passes, and returns what it last read.
func waitForSamples(t *testing.T, promPort int, metric string, want int, timeout time.Duration) []sample {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var got []sample
	for {
		g, err := queryRaw(ctx, promPort, metric)
		if err == nil {
			got = g
			if len(got) >= want {
				return got
			}
		}
		select {
		case <-ctx.Done():
			t.Logf("waited %s for %d samples of %s, have %d (last error %v)", timeout, want, metric, len(got), err)
			return got
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// countingProxy sits between the collector and Prometheus's remote-write endpoint and counts
// how many times each sample was accepted (a 2xx from Prometheus). Prometheus itself silently
// drops an exact duplicate, so only this count can show a sample delivered twice.
type countingProxy struct {
	target string
	mu     sync.Mutex
	seen   map[sample]int
	srv    *http.Server
	port   int
}

func newCountingProxy(t *testing.T, port, promPort int) *countingProxy {
	t.Helper()
	p := &countingProxy{target: "http://127.0.0.1:" + strconv.Itoa(promPort) + "/api/v1/write", seen: map[sample]int{}, port: port}
	p.srv = &http.Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Handler: p, ReadHeaderTimeout: 5 * time.Second}
	ln := make(chan error, 1)
	go func() { ln <- p.srv.ListenAndServe() }()
	t.Cleanup(func() { _ = p.srv.Close() })
	return p
}

func (p *countingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, p.target, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 == 2 {
		p.count(body)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(rb)
}

func (p *countingProxy) count(body []byte) {
	raw, err := snappy.Decode(nil, body)
	if err != nil {
		return
	}
	var wr prompb.WriteRequest
	if err := wr.Unmarshal(raw); err != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ts := range wr.Timeseries {
		var target string
		for _, l := range ts.Labels {
			if l.Name == "target" {
				target = l.Value
			}
		}
		if target == "" {
			continue
		}
		for _, s := range ts.Samples {
			p.seen[sample{series: target, tsMs: s.Timestamp, value: s.Value}]++
		}
	}
}

// deliveries returns how often each sample of want was accepted.
func (p *countingProxy) deliveries(want []sample) map[sample]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[sample]int, len(want))
	for _, s := range want {
		out[s] = p.seen[s]
	}
	return out
}

// startProcess starts p, stops it when the test ends (logging the end of its log if the test
// failed), and waits up to timeout for it to be ready.
func startProcess(t *testing.T, p *stack.Process, timeout time.Duration) {
	t.Helper()
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.Stop(10 * time.Second)
		if t.Failed() {
			t.Logf("%s log:\n%s", p.Name, p.LogTail(30))
		}
	})
	if err := p.WaitReady(context.Background(), timeout); err != nil {
		t.Fatal(err)
	}
}

// startStack starts the stack with o, fails the test if any part does not become ready, and
// stops it when the test ends, logging the end of the collector's and Prometheus's logs if the
// test failed.
func startStack(t *testing.T, o stack.Options) *stack.Stack {
	t.Helper()
	s, err := stack.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			for _, n := range []string{stack.Collector, stack.Prometheus} {
				t.Logf("%s log:\n%s", n, s.Part(n).LogTail(40))
			}
		}
	})
	return s
}

// upArgs are the arguments of `mcobs up` for o's directory, binaries and ports, followed by
// extra. Grafana is off (an empty --grafana-bin): a machine with Grafana installed would
// otherwise start it on port 3000, which the tests neither choose nor check.
func upArgs(o stack.Options, extra ...string) []string {
	args := []string{
		"up", "--dir", o.Dir, "--bin-dir", o.BinDir,
		"--prometheus-port", strconv.Itoa(o.PrometheusPort), "--alertmanager-port", strconv.Itoa(o.AlertmanagerPort),
		"--otlp-grpc-port", strconv.Itoa(o.OTLPGRPCPort), "--otlp-http-port", strconv.Itoa(o.OTLPHTTPPort),
		"--health-port", strconv.Itoa(o.HealthPort), "--collector-metrics-port", strconv.Itoa(o.CollectorMetricsPort),
		"--simulator-port", strconv.Itoa(o.SimulatorPort), "--azure-simulator-port", strconv.Itoa(o.AzureSimulatorPort),
		"--gcp-simulator-port", strconv.Itoa(o.GCPSimulatorPort), "--gcp-rest-simulator-port", strconv.Itoa(o.GCPRESTSimulatorPort),
		"--actions-port", strconv.Itoa(o.ActionsPort),
		"--grafana-bin", "",
	}
	// The long-term Prometheus runs by default on 9091; give it a free port too (0, none, if
	// the kernel has none to give).
	long, _ := stack.FreePort("127.0.0.1")
	args = append(args, "--long-term-port", strconv.Itoa(long))
	return append(args, extra...)
}

// postRemoteWrite sends wr to Prometheus's remote-write receiver (protocol 1.0) and fails the
// test unless it is accepted.
func postRemoteWrite(t *testing.T, port int, wr *prompb.WriteRequest) {
	t.Helper()
	raw, err := wr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost,
		"http://127.0.0.1:"+strconv.Itoa(port)+"/api/v1/write", bytes.NewReader(snappy.Encode(nil, raw)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "snappy")
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("remote write: status %d", resp.StatusCode)
	}
}
