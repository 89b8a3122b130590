package e2e

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/prompb"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
	"github.com/mcobs/mcobs/internal/stack"
	"github.com/mcobs/mcobs/internal/tsio"
)

// dsSeries is one real series, its tolerance and what the downsampler keeps of it.
type dsSeries struct {
	name  string
	orig  []reduce.Point
	kept  []reduce.Point
	tol   float64
	worst float64 // the largest difference seen, original against reduced
}

// TestDownsampledSeriesReadWithinToleranceInPrometheus writes real series and what the
// downsampler keeps of them side by side into a real Prometheus whose lookback is the one the
// compressor was given, and asks Prometheus itself: an instant query at every original
// timestamp and range queries at several steps must return, wherever the original has a value,
// a reduced value within the tolerance, and no value wherever the original has none.
func TestDownsampledSeriesReadWithinToleranceInPrometheus(t *testing.T) {
	t.Parallel()
	bin := binDir(t, "prometheus")
	const lookback = time.Hour
	end := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	series := loadDownsampleSeries(t, end, lookback)
	port := startLookbackPrometheus(t, bin, lookback)

	var samples int
	for _, s := range series {
		remoteWrite(t, port, "ds_original", s.name, s.orig)
		remoteWrite(t, port, "ds_reduced", s.name, s.kept)
		samples += len(s.orig) + len(s.kept)
	}
	waitForCount(t, port, samples)

	first := end
	var times []int64
	for _, s := range series {
		first = time.Unix(0, min(first.UnixNano(), s.orig[0].T))
		for _, p := range s.orig {
			times = append(times, p.T)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	times = dedup(times)
	ctx := context.Background()
	for _, ts := range times {
		checkDownsampleVector(t, series, time.Unix(0, ts), instantQuery(ctx, t, port, ts))
	}
	steps := []time.Duration{5 * time.Minute, 17 * time.Minute, time.Hour, 6*time.Hour + 13*time.Minute}
	for _, step := range steps {
		for ts, v := range rangeQuery(ctx, t, port, first, end.Add(2*lookback), step) {
			checkDownsampleVector(t, series, ts, v)
		}
	}
	// One sample a minute over the last half day, between the original samples too.
	for ts, v := range rangeQuery(ctx, t, port, end.Add(-12*time.Hour), end.Add(lookback+time.Minute), time.Minute) {
		checkDownsampleVector(t, series, ts, v)
	}
	for _, s := range series {
		t.Logf("%s: kept %d of %d samples (%.1f%%), largest difference %.4g = %.1f%% of the tolerance %.4g",
			s.name, len(s.kept), len(s.orig), 100*float64(len(s.kept))/float64(len(s.orig)), s.worst, 100*s.worst/s.tol, s.tol)
	}
}

// loadDownsampleSeries reads testdata/downsample/*.csv, shifts each series to end at end and
// reduces it with the processor's default algorithm for last-value reads at 5% of its range.
func loadDownsampleSeries(t *testing.T, end time.Time, lookback time.Duration) []*dsSeries {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "downsample", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test series: %v", err)
	}
	var out []*dsSeries
	for _, f := range files {
		raw, err := tsio.Read(f)
		if err != nil {
			t.Fatal(err)
		}
		shift := end.Sub(raw.Points[len(raw.Points)-1].Time)
		s := &dsSeries{name: strings.TrimSuffix(filepath.Base(f), ".csv")}
		for _, p := range raw.Points {
			s.orig = append(s.orig, reduce.Point{T: p.Time.Add(shift).UnixNano(), V: p.Value})
		}
		s.tol = 0.05 * reduce.SeriesRange(s.orig)
		o := reduce.Options{Reader: reduce.ReaderLastValue, Lookback: int64(lookback), Absolute: s.tol}
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		s.kept, _, _ = reduce.Compress(s.orig, &o)
		out = append(out, s)
	}
	// Keeping everything would pass trivially. Development figures on these series with a 1h
	// lookback: 21%, 19%, 10% and 62% (noisy integers with silences) kept.
	var kept, all int
	for _, s := range out {
		kept, all = kept+len(s.kept), all+len(s.orig)
	}
	if kept*3 > all {
		t.Fatalf("kept %d of %d samples", kept, all)
	}
	return out
}

// startLookbackPrometheus starts Prometheus with the given lookback and a retention and
// out-of-order window wide enough for weeks-old samples.
func startLookbackPrometheus(t *testing.T, bin string, lookback time.Duration) int {
	t.Helper()
	dir := t.TempDir()
	cfg := "global: {scrape_interval: 1m}\nstorage:\n  tsdb:\n    out_of_order_time_window: 60d\n"
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	port := freePorts(t, 1)[0]
	startProcess(t, &stack.Process{
		Name: "prometheus",
		Path: filepath.Join(bin, "prometheus"),
		Args: []string{
			"--config.file=" + filepath.Join(dir, "prometheus.yml"),
			"--storage.tsdb.path=" + filepath.Join(dir, "data"),
			"--storage.tsdb.retention.time=90d",
			"--query.lookback-delta=" + lookback.String(),
			"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
			"--web.enable-remote-write-receiver",
		},
		Dir:      dir,
		LogPath:  filepath.Join(dir, "prometheus.log"),
		ReadyURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/-/ready",
	}, 60*time.Second)
	return port
}

// remoteWrite sends pts as the series metric{series=name}, in requests of at most 2,000.
func remoteWrite(t *testing.T, port int, metric, name string, pts []reduce.Point) {
	t.Helper()
	for from := 0; from < len(pts); from += 2000 {
		ts := prompb.TimeSeries{Labels: []prompb.Label{{Name: "__name__", Value: metric}, {Name: "series", Value: name}}}
		for _, p := range pts[from:min(from+2000, len(pts))] {
			ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: p.T / 1e6, Value: p.V})
		}
		postRemoteWrite(t, port, &prompb.WriteRequest{Timeseries: []prompb.TimeSeries{ts}})
	}
}

// waitForCount waits until Prometheus holds want samples of both metrics together.
func waitForCount(t *testing.T, port, want int) {
	t.Helper()
	q := url.Values{"query": {`sum(count_over_time(ds_original[120d])) + sum(count_over_time(ds_reduced[120d]))`}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		}
		err := promGet(context.Background(), "http://127.0.0.1:"+strconv.Itoa(port), "/api/v1/query", q, &data)
		got := -1
		if err == nil && len(data.Result) == 1 {
			s, _ := data.Result[0].Value[1].(string)
			got, _ = strconv.Atoi(s)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus holds %d samples, want %d (last error %v)", got, want, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// dsVector is what one evaluation returned: value by metric and series.
type dsVector map[[2]string]float64

func instantQuery(ctx context.Context, t *testing.T, port int, ts int64) dsVector {
	t.Helper()
	q := url.Values{"query": {`{__name__=~"ds_original|ds_reduced"}`}, "time": {promTime(time.Unix(0, ts))}}
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := promGet(ctx, "http://127.0.0.1:"+strconv.Itoa(port), "/api/v1/query", q, &data); err != nil {
		t.Fatal(err)
	}
	v := dsVector{}
	for _, r := range data.Result {
		v[[2]string{r.Metric["__name__"], r.Metric["series"]}] = parseValue(t, r.Value[1])
	}
	return v
}

func rangeQuery(ctx context.Context, t *testing.T, port int, from, to time.Time, step time.Duration) map[time.Time]dsVector {
	t.Helper()
	q := url.Values{
		"query": {`{__name__=~"ds_original|ds_reduced"}`},
		"start": {promTime(from)}, "end": {promTime(to)}, "step": {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"`
		} `json:"result"`
	}
	if err := promGet(ctx, "http://127.0.0.1:"+strconv.Itoa(port), "/api/v1/query_range", q, &data); err != nil {
		t.Fatalf("range query at step %s: %v", step, err)
	}
	out := map[time.Time]dsVector{}
	// Every step is evaluated, also those where neither metric has a value.
	for ts := from; !ts.After(to); ts = ts.Add(step) {
		out[ts.Truncate(time.Millisecond)] = dsVector{}
	}
	for _, r := range data.Result {
		for _, p := range r.Values {
			sec, _ := p[0].(float64)
			ts := time.UnixMilli(int64(math.Round(sec * 1000)))
			if out[ts] == nil {
				t.Fatalf("range query at step %s returned an unexpected time %s", step, ts)
			}
			out[ts][[2]string{r.Metric["__name__"], r.Metric["series"]}] = parseValue(t, p[1])
		}
	}
	return out
}

// checkDownsampleVector compares, for every series, the reduced value with the original one at
// one evaluation time.
func checkDownsampleVector(t *testing.T, series []*dsSeries, at time.Time, v dsVector) {
	t.Helper()
	for _, s := range series {
		o, hasO := v[[2]string{"ds_original", s.name}]
		r, hasR := v[[2]string{"ds_reduced", s.name}]
		switch {
		case hasO && !hasR:
			t.Fatalf("%s at %s: the original reads %v, the reduced series has no value (a gap)", s.name, at.UTC(), o)
		case !hasO && hasR:
			t.Fatalf("%s at %s: the original has no value, the reduced series reads %v", s.name, at.UTC(), r)
		case hasO:
			d := math.Abs(o - r)
			s.worst = max(s.worst, d)
			if !(d <= s.tol) {
				t.Fatalf("%s at %s: original %v, reduced %v: difference %g > tolerance %g", s.name, at.UTC(), o, r, d, s.tol)
			}
		}
	}
}

func parseValue(t *testing.T, v any) float64 {
	t.Helper()
	s, _ := v.(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("value %v: %v", v, err)
	}
	return f
}

// settledCount waits until a store holds samples of sel and their count has not changed for a
// few seconds, and returns it.
func settledCount(t *testing.T, url, sel string) int {
	t.Helper()
	ctx := t.Context()
	deadline := time.Now().Add(2 * time.Minute)
	last, same := -1, 0
	for {
		n := countSamples(ctx, url, sel)
		if n > 0 && n == last {
			if same++; same == 2 {
				return n
			}
		} else {
			same = 0
		}
		last = n
		if time.Now().After(deadline) {
			t.Fatalf("%s at %s: %d samples, not settled in 2 minutes", sel, url, n)
		}
		time.Sleep(2 * time.Second)
	}
}

func promTime(ts time.Time) string {
	return fmt.Sprintf("%d.%03d", ts.Unix(), ts.Nanosecond()/1e6)
}

func dedup(ts []int64) []int64 {
	out := ts[:0]
	for i, x := range ts {
		if i == 0 || x != ts[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestLongTermStoreHoldsTheDownsampledStream runs the stack as `mcobs up` does, with the
// long-term Prometheus, and checks that the downsampled stream reaches it: this machine's CPU
// time (a counter: its first sample is kept at once) and the simulated fleet's CPU utilization
// (gauges: the first start's 3h backfill closes segments at once), fewer samples than the raw
// Prometheus holds, read with the configured lookback.
func TestLongTermStoreHoldsTheDownsampledStream(t *testing.T) {
	t.Parallel()
	o := testOptions(t)
	for o.LongTermPort == 0 || slices.Contains([]int{o.PrometheusPort, o.AlertmanagerPort, o.OTLPGRPCPort, o.OTLPHTTPPort,
		o.HealthPort, o.CollectorMetricsPort, o.SimulatorPort, o.ActionsPort, o.AzureSimulatorPort}, o.LongTermPort) {
		o.LongTermPort = freePorts(t, 1)[0]
	}
	o.RawRetention = 7 * 24 * time.Hour
	startStack(t, o)
	long := "http://127.0.0.1:" + strconv.Itoa(o.LongTermPort)
	raw := "http://127.0.0.1:" + strconv.Itoa(o.PrometheusPort)
	const fleetCPU = `system_cpu_utilization_ratio{cloud_provider="aws",cloud_platform="aws_ec2"}`
	ctx := context.Background()
	deadline := time.Now().Add(2 * time.Minute)
	for countSamples(ctx, long, "system_cpu_time_seconds_total") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no system_cpu_time_seconds_total in the long-term Prometheus")
		}
		time.Sleep(2 * time.Second)
	}
	// The two stores are fed by separate pipelines and remote-write queues: compare them once
	// each holds the first poll's backfill in full, not while one is still receiving it.
	nRaw, nLong := settledCount(t, raw, fleetCPU), settledCount(t, long, fleetCPU)
	t.Logf("simulated fleet CPU, last 4h: %d samples raw, %d in the long-term store", nRaw, nLong)
	if nLong >= nRaw {
		t.Errorf("the long-term store holds %d samples of %s, the raw one %d: nothing was reduced", nLong, fleetCPU, nRaw)
	}
	var flags map[string]string
	if err := promGet(ctx, long, "/api/v1/status/flags", nil, &flags); err != nil {
		t.Fatal(err)
	}
	if flags["query.lookback-delta"] != "6h" {
		t.Errorf("long-term Prometheus reads with lookback %q, want 6h (the processor's)", flags["query.lookback-delta"])
	}
}

// countSamples returns how many samples of sel the Prometheus at base holds from the last 4h.
func countSamples(ctx context.Context, base, sel string) int {
	var data struct {
		Result []struct {
			Value [2]any `json:"value"`
		} `json:"result"`
	}
	q := url.Values{"query": {"sum(count_over_time(" + sel + "[4h]))"}}
	if err := promGet(ctx, base, "/api/v1/query", q, &data); err != nil || len(data.Result) == 0 {
		return 0
	}
	s, _ := data.Result[0].Value[1].(string)
	n, _ := strconv.Atoi(s)
	return n
}
