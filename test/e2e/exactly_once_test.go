package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/golang/snappy"
	"github.com/prometheus/prometheus/prompb"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/sim"
	"github.com/mcobs/mcobs/internal/stack"
)

// eoTargets is how many targets the collector polls: the embedded template's two accounts times
// its two regions.
const eoTargets = 4

// TestExactlyOnceAcrossSIGKILL runs the cloud pipeline of `mcobs up` (the embedded collector
// template: aws receiver with file_storage checkpoints, no batch processor, the remote-write
// exporter's WAL without an in-memory queue) against `mcobs sim` and a real Prometheus, kills
// the collector with SIGKILL at each kind of moment a poll has, restarts it on the same storage
// and WAL, and expects every point the simulator serves to reach Prometheus exactly once, with
// the value the simulator gives.
//
// The moments:
//   - during the first poll's GetMetricData (the simulator holds every GetMetricData 2s), before
//     any checkpoint exists;
//   - as soon as the first poll's 30-minute backfill completed (checkpoints saved, the WAL
//     perhaps not yet sent);
//   - during a later poll's GetMetricData;
//   - between the WAL write and the checkpoint save: too short to aim a signal at, so the test
//     lets a poll complete, kills, and puts back the aws receiver's storage file as it was
//     before that poll. The collector then holds the WAL entry but the old checkpoint, as after
//     such a kill.
//
// Prometheus drops a sample sent again with the same value without a word, and refuses one sent
// with another value (400, the whole request), which the exporter's WAL then sends again and
// again; so a proxy in front of it records every value sent: a replayed window must carry the
// same values, which for counters means the receiver restored its running totals.
func TestExactlyOnceAcrossSIGKILL(t *testing.T) {
	bin := binDir(t, "mcobs", "prometheus", "otelcol-mcobs")
	dir := t.TempDir()
	p := freePorts(t, 10)
	simPort, promPort, proxyPort := p[0], p[1], p[2]
	alertmanager := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(alertmanager.Close)
	amPort, _ := strconv.Atoi(alertmanager.URL[strings.LastIndex(alertmanager.URL, ":")+1:])

	simCfg := eoSimConfig(t, dir)
	if err := os.MkdirAll(filepath.Join(dir, "sim"), 0o755); err != nil {
		t.Fatal(err)
	}
	startProcess(t, &stack.Process{
		Name: "simulator",
		Path: filepath.Join(bin, "mcobs"),
		Args: []string{"sim", "--listen=127.0.0.1:" + strconv.Itoa(simPort), "--config=" + simCfg.path,
			"--azure-listen=127.0.0.1:" + strconv.Itoa(p[7]), "--azure-ca-out=" + filepath.Join(dir, "sim", "azure-ca.pem"),
			"--gcp-grpc-listen=127.0.0.1:" + strconv.Itoa(p[8]), "--gcp-http-listen=127.0.0.1:" + strconv.Itoa(p[9]),
			"--gcp-key-out=" + filepath.Join(dir, "sim", "gcp-key.json")},
		Dir:      dir,
		LogPath:  filepath.Join(dir, "simulator.log"),
		ReadyURL: "http://127.0.0.1:" + strconv.Itoa(simPort) + "/sim/health",
	}, 30*time.Second)

	o := stack.DefaultOptions()
	o.Dir, o.BinDir = dir, bin
	o.SimulatorPort, o.PrometheusPort, o.AlertmanagerPort = simPort, promPort, amPort
	o.OTLPGRPCPort, o.OTLPHTTPPort, o.HealthPort, o.CollectorMetricsPort = p[3], p[4], p[5], p[6]
	o.AzureSimulatorPort, o.GCPSimulatorPort, o.GCPRESTSimulatorPort = p[7], p[8], p[9]
	startEOPrometheus(t, o)
	proxy := newRecordingProxy(t, proxyPort, promPort)

	// The collector writes to the proxy (its template's PrometheusPort) and keeps its state
	// where `mcobs up` would, under Dir/collector.
	co := o
	co.PrometheusPort = proxyPort
	col := &eoCollector{
		t: t, bin: filepath.Join(bin, "otelcol-mcobs"), log: filepath.Join(dir, "collector.log"),
		configs:     []string{renderTemplate(t, "collector.yaml.tmpl", co, filepath.Join(dir, "collector.yaml"))},
		metricsURL:  "http://127.0.0.1:" + strconv.Itoa(o.CollectorMetricsPort) + "/metrics",
		simStatsURL: "http://127.0.0.1:" + strconv.Itoa(simPort) + "/sim/stats",
	}
	// Only what the test needs differs from what users run: a 30-minute first backfill instead
	// of 3 hours, and the first poll a second after start.
	override := filepath.Join(dir, "override.yaml")
	writeFile(t, override, "receivers:\n  aws:\n    max_backfill: 30m\n    initial_delay: 1s\n  azure:\n    max_backfill: 30m\n    initial_delay: 1s\n  gcp:\n    max_backfill: 30m\n    initial_delay: 1s\n")
	col.configs = append(col.configs, "--config="+override)
	storage := filepath.Join(dir, "collector", "storage")
	t.Cleanup(col.stop)
	start := time.Now()

	// 1. The first poll dies in GetMetricData: nothing was emitted or checkpointed.
	col.start("first poll, killed during GetMetricData")
	col.waitGetMetricData()
	col.kill()

	// 2. The first poll backfills 30 minutes and checkpoints; killed at once, before the
	// exporter perhaps sent the WAL.
	col.start("first poll completes, killed at once")
	col.waitCompleted(eoTargets)
	col.kill()
	before := filepath.Join(dir, "storage-before")
	copyDir(t, storage, before)

	// The next polls need a new period: one ends at the next minute.
	time.Sleep(time.Until(time.Now().Truncate(time.Minute).Add(time.Minute + time.Second)))

	// 3. A poll with a checkpoint dies in GetMetricData.
	col.start("later poll, killed during GetMetricData")
	col.waitGetMetricData()
	time.Sleep(time.Second)
	col.kill()

	// 4. A poll completes; its WAL entry stays, the receiver's checkpoints are undone (the other
	// components' storage stays as the kill left it), as if the kill had come between the WAL
	// write and the checkpoint save.
	col.start("later poll completes, killed, checkpoints put back")
	col.waitCompleted(eoTargets)
	col.kill()
	restoreReceiverCheckpoints(t, before, storage)

	// 5. The restart polls the same window again, then polls once more a minute later.
	col.start("replays the window, then polls once more")
	col.waitCompleted(2 * eoTargets)
	proxy.waitQuiet(t, 2*time.Second, 30*time.Second)
	t.Logf("%d collector starts in %s", col.runs, time.Since(start).Round(time.Second))

	series := promCloudSeries(t, promPort)
	first := checkAgainstSimulator(t, series, simCfg.cfg)
	// The window of step 4 begins where the first poll's 30-minute backfill ended.
	proxy.check(t, first+(30*time.Minute).Milliseconds())
	col.checkLog()
}

type eoSim struct {
	path string
	cfg  sim.Config
}

// eoSimConfig is a small fleet whose every GetMetricData takes 2s, so a kill can land inside
// one. The anomalies are placed at a fixed time, so the test's own simulator gives the values
// the running one serves.
func eoSimConfig(t *testing.T, dir string) eoSim {
	t.Helper()
	y := fmt.Sprintf(`fleet:
  instances: 5
  rds_instances: 1
anomalies:
  start: %q
faults:
  latency: 2s
  operations: [GetMetricData]
`, time.Now().UTC().Truncate(time.Hour).Add(-time.Hour).Format(time.RFC3339))
	cfg, err := sim.ParseConfig([]byte(y))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sim.yaml")
	writeFile(t, path, y)
	return eoSim{path: path, cfg: cfg}
}

// startEOPrometheus runs Prometheus as the stack does: its embedded configuration (4h
// out-of-order window) and flags.
func startEOPrometheus(t *testing.T, o stack.Options) {
	t.Helper()
	pdir := filepath.Join(o.Dir, "prometheus")
	cfg := renderTemplate(t, "prometheus.yml.tmpl", o, filepath.Join(pdir, "prometheus.yml"))
	addr := "127.0.0.1:" + strconv.Itoa(o.PrometheusPort)
	startProcess(t, &stack.Process{
		Name: "prometheus",
		Path: filepath.Join(o.BinDir, "prometheus"),
		Args: []string{
			cfg, "--storage.tsdb.path=" + filepath.Join(pdir, "data"), "--web.listen-address=" + addr,
			"--web.enable-remote-write-receiver", "--web.enable-lifecycle",
		},
		Dir:      pdir,
		LogPath:  filepath.Join(pdir, "prometheus.log"),
		ReadyURL: "http://" + addr + "/-/ready",
	}, 60*time.Second)
}

// renderTemplate fills the stack's embedded template name (read from its source file) with o,
// writes it to dst and returns the --config.file style flag naming it.
func renderTemplate(t *testing.T, name string, o stack.Options, dst string) string {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("..", "..", "internal", "stack", "defaults", name))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, o); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, b.String())
	if strings.HasPrefix(name, "prometheus") {
		return "--config.file=" + dst
	}
	return "--config=" + dst
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the regular files of src (the collector's storage: flat bbolt files) to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			t.Fatalf("unexpected %s in the collector's storage", e.Name())
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dst, e.Name()), string(b))
	}
}

// restoreReceiverCheckpoints puts back the aws receiver's storage file from the copy in src.
func restoreReceiverCheckpoints(t *testing.T, src, storage string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(src, "receiver_aws*"))
	if err != nil || len(files) != 1 {
		entries, _ := os.ReadDir(src)
		t.Fatalf("want one storage file of the aws receiver in %v (err %v)", entries, err)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(storage, filepath.Base(files[0])), string(b))
}

// eoCollector is otelcol-mcobs run directly, so the test can SIGKILL it.
type eoCollector struct {
	t                       *testing.T
	bin, log                string
	configs                 []string
	metricsURL, simStatsURL string

	cmd  *exec.Cmd
	done chan struct{}
	runs int
	// gmd is the simulator's GetMetricData count when this run started.
	gmd int
}

func (c *eoCollector) start(what string) {
	c.t.Helper()
	c.runs++
	lf, err := os.OpenFile(c.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	fmt.Fprintf(lf, "=== e2e: start %d at %s: %s\n", c.runs, time.Now().Format(time.TimeOnly), what)
	c.gmd = c.getMetricDataCalls()
	c.cmd = exec.Command(c.bin, c.configs...)
	c.cmd.Stdout, c.cmd.Stderr = lf, lf
	if err := c.cmd.Start(); err != nil {
		lf.Close()
		c.t.Fatal(err)
	}
	c.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		lf.Close()
		close(done)
	}(c.cmd, c.done)
	c.t.Logf("%s start %d: %s", time.Now().Format(time.TimeOnly), c.runs, what)
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *eoCollector) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		c.t.Fatal(err)
	}
	<-c.done
	c.t.Logf("%s killed", time.Now().Format(time.TimeOnly))
}

// stop ends a running collector as a user would, with SIGTERM.
func (c *eoCollector) stop() {
	if c.cmd == nil || c.done == nil {
		return
	}
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// waitFor polls cond every 50ms for up to timeout, failing with the collector's log if it never
// holds or the collector exits.
func (c *eoCollector) waitFor(what string, timeout time.Duration, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		select {
		case <-c.done:
			c.t.Fatalf("collector exited while waiting for %s; log:\n%s", what, c.tail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s within %s; collector log:\n%s", what, timeout, c.tail())
		}
	}
}

// waitGetMetricData waits until this run has a GetMetricData call in flight at the simulator,
// which counts a call before holding it.
func (c *eoCollector) waitGetMetricData() {
	c.t.Helper()
	c.waitFor("GetMetricData call", 30*time.Second, func() bool { return c.getMetricDataCalls() > c.gmd })
}

// waitCompleted waits until this run completed n target windows.
func (c *eoCollector) waitCompleted(n int) {
	c.t.Helper()
	c.waitFor(fmt.Sprintf("%d completed windows", n), 100*time.Second, func() bool { return c.completedWindows() >= n })
}

func (c *eoCollector) getMetricDataCalls() int {
	var st sim.Stats
	if err := getJSON(c.t.Context(), c.simStatsURL, &st); err != nil {
		c.t.Fatalf("simulator stats: %v", err)
	}
	return st.CallsOf("", "monitoring", "GetMetricData")
}

// completedWindows sums otelcol_receiver_cloud_windows{outcome="completed"} of the running
// collector's self-metrics (0 while they do not answer).
func (c *eoCollector) completedWindows() int {
	resp, err := http.Get(c.metricsURL)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	n := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "otelcol_receiver_cloud_windows") && strings.Contains(l, `outcome="completed"`) {
			v, _ := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
			n += v
		}
	}
	return int(n)
}

func (c *eoCollector) tail() string {
	b, _ := os.ReadFile(c.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-40):], "\n")
}

// checkLog stops the collector and fails the test on a panic logged by any run, or an error
// logged before this stop (v0.158's WAL reader logs one when it is stopped).
func (c *eoCollector) checkLog() {
	c.t.Helper()
	st, err := os.Stat(c.log)
	if err != nil {
		c.t.Fatal(err)
	}
	c.stop()
	b, err := os.ReadFile(c.log)
	if err != nil {
		c.t.Fatal(err)
	}
	if i := bytes.Index(b, []byte("panic")); i >= 0 {
		c.t.Errorf("collector panicked:\n%s", b[i:min(len(b), i+2000)])
	}
	errors := 0
	for _, l := range strings.Split(string(b[:st.Size()]), "\n") {
		if strings.Contains(l, "\terror\t") {
			if errors++; errors <= 5 {
				c.t.Errorf("collector logged: %.600s", l)
			}
		}
	}
	if errors > 5 {
		c.t.Errorf("... %d errors logged in all", errors)
	}
}

// promSeries is one series as Prometheus returns it.
type promSeries struct {
	labels  map[string]string
	samples []sample
}

// promCloudSeries reads every raw sample of the canonical AWS series (they carry the native
// metric's name; the anomaly processor's outputs carry anomaly_metric too). The simulated Azure
// tenant runs beside it, as in `mcobs up`, but its values are not recomputed here.
func promCloudSeries(t *testing.T, promPort int) []promSeries {
	t.Helper()
	q := url.Values{"query": {`{cloud_provider="aws",cloud_metric_name!="",anomaly_metric=""}[2h]`}, "time": {strconv.FormatInt(time.Now().Unix(), 10)}}
	var data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Values [][2]any          `json:"values"`
		} `json:"result"`
	}
	if err := promGet(t.Context(), "http://127.0.0.1:"+strconv.Itoa(promPort), "/api/v1/query", q, &data); err != nil {
		t.Fatal(err)
	}
	var out []promSeries
	for _, r := range data.Result {
		s := promSeries{labels: r.Metric}
		for _, v := range r.Values {
			ts, _ := v[0].(float64)
			str, _ := v[1].(string)
			f, err := strconv.ParseFloat(str, 64)
			if err != nil {
				t.Fatal(err)
			}
			s.samples = append(s.samples, sample{tsMs: int64(math.Round(ts * 1000)), value: f})
		}
		out = append(out, s)
	}
	return out
}

// simSeriesKey names a simulated series and statistic the way its canonical series' labels do.
func simSeriesKey(account, region, namespace, name, stat, resource string, dims map[string]string) string {
	keys := make([]string, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s %s/%s/%s %s", account, region, namespace, name, stat, resource)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, dims[k])
	}
	return b.String()
}

// labelDims maps the labels the receiver makes of CloudWatch dimensions back to them.
var labelDims = map[string]string{"system_device": "device", "system_filesystem_type": "fstype", "system_filesystem_mountpoint": "path"}

func promSeriesKey(l map[string]string) string {
	dims := map[string]string{}
	for k, v := range l {
		if d, ok := labelDims[k]; ok {
			dims[d] = v
		} else if d, ok := strings.CutPrefix(k, "aws_dimension_"); ok {
			dims[d] = v
		}
	}
	return simSeriesKey(l["cloud_account_id"], l["cloud_region"], l["cloud_metric_namespace"], l["cloud_metric_name"],
		l["cloud_metric_statistic"], l["host_id"], dims)
}

// expectedSeries is a simulated series with the mapping that makes it canonical.
type expectedSeries struct {
	ser sim.Series
	mp  canonical.Mapping
}

// simulatedSeries lists every series of the fleet the receiver should emit: the active ones
// with a canonical mapping.
func simulatedSeries(s *sim.Simulator) map[string]expectedSeries {
	out := map[string]expectedSeries{}
	cfg := s.Config()
	for _, a := range cfg.AWS.Accounts {
		for _, region := range cfg.Fleet.Regions {
			for _, ser := range s.Fleet().SeriesIn(a.ID, region) {
				if !ser.Active {
					continue
				}
				dims := map[string]string{}
				for _, d := range ser.Dimensions {
					if d.Name != "InstanceId" && d.Name != "DBInstanceIdentifier" {
						dims[d.Name] = d.Value
					}
				}
				for _, mp := range canonical.AWS.Mappings {
					if mp.Namespace == ser.Namespace && mp.Native == ser.MetricName {
						out[simSeriesKey(a.ID, region, ser.Namespace, ser.MetricName, mp.Statistic, ser.Resource, dims)] = expectedSeries{ser, mp}
					}
				}
			}
		}
	}
	return out
}

// checkAgainstSimulator expects in Prometheus exactly the simulated fleet's canonical series,
// each with one sample per minute over one common range of at least the 30-minute backfill and
// two later periods, the gauges with the simulator's value and the counters with the running
// total of its per-minute amounts from the first minute on. It returns the first minute (Unix ms).
func checkAgainstSimulator(t *testing.T, got []promSeries, cfg sim.Config) int64 {
	t.Helper()
	s, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := simulatedSeries(s)
	if len(got) == 0 || len(got[0].samples) == 0 {
		t.Fatal("no cloud series in Prometheus")
	}
	first, last := got[0].samples[0].tsMs, got[0].samples[len(got[0].samples)-1].tsMs
	seen := map[string]bool{}
	for _, ps := range got {
		key := promSeriesKey(ps.labels)
		seen[key] = true
		exp, ok := want[key]
		if !ok {
			t.Errorf("series %s (%v) is not in the simulated fleet", key, ps.labels)
			continue
		}
		if f, l := ps.samples[0].tsMs, ps.samples[len(ps.samples)-1].tsMs; f != first || l != last {
			t.Errorf("%s: samples from %s to %s, the others from %s to %s", key, ms(f), ms(l), ms(first), ms(last))
		}
		checkSeries(t, key, ps.samples, exp, s)
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("simulated series %s missing from Prometheus", key)
		}
	}
	if n := (last-first)/60000 + 1; n < 32 {
		t.Errorf("samples from %s to %s: %d minutes, want the 30-minute backfill and at least 2 later periods", ms(first), ms(last), n)
	}
	t.Logf("%d cloud series, each with one sample per minute from %s to %s", len(got), ms(first), ms(last))
	return first
}

// checkSeries expects one sample per minute with the simulator's value.
func checkSeries(t *testing.T, key string, got []sample, exp expectedSeries, s *sim.Simulator) {
	t.Helper()
	counter := exp.mp.Metric.Kind == canonical.Counter
	total := 0.0
	for i, g := range got {
		if i > 0 && g.tsMs != got[i-1].tsMs+60000 {
			t.Errorf("%s: sample at %s follows %s: want one sample per minute, no gap, no duplicate", key, ms(g.tsMs), ms(got[i-1].tsMs))
			return
		}
		minute := time.UnixMilli(g.tsMs)
		pts := s.Aggregate(exp.ser, exp.mp.Statistic, time.Minute, minute, minute.Add(time.Minute), time.Now())
		if len(pts) != 1 {
			t.Errorf("%s: Prometheus has a sample at %s, the simulator none", key, ms(g.tsMs))
			return
		}
		want := exp.mp.Apply(pts[0].Value, 60)
		if counter {
			total += want
			want = total
		}
		if math.Abs(g.value-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s at %s = %v, want %v (sample %d of %d)", key, ms(g.tsMs), g.value, want, i+1, len(got))
			return
		}
	}
}

func ms(v int64) string { return time.UnixMilli(v).UTC().Format(time.TimeOnly) }

// recordingProxy forwards remote writes to Prometheus and records every value each series and
// timestamp was sent with, and every answer other than 2xx.
type recordingProxy struct {
	target string
	mu     sync.Mutex
	values map[string]map[int64][]float64 // series labels -> timestamp -> values sent
	cloud  map[string]bool                // series that are canonical cloud series
	aws    map[string]bool                // the AWS ones: only their checkpoints are put back
	errors []string
	last   time.Time
}

func newRecordingProxy(t *testing.T, port, promPort int) *recordingProxy {
	t.Helper()
	p := &recordingProxy{
		target: "http://127.0.0.1:" + strconv.Itoa(promPort) + "/api/v1/write",
		values: map[string]map[int64][]float64{}, cloud: map[string]bool{}, aws: map[string]bool{},
	}
	srv := &http.Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.ListenAndServe() }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

func (p *recordingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.record(body)
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
	if resp.StatusCode/100 != 2 {
		p.mu.Lock()
		p.errors = append(p.errors, fmt.Sprintf("%d %s", resp.StatusCode, bytes.TrimSpace(rb)))
		p.mu.Unlock()
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(rb)
}

func (p *recordingProxy) record(body []byte) {
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
	p.last = time.Now()
	for _, ts := range wr.Timeseries {
		var b strings.Builder
		cloud, anomaly, aws := false, false, false
		for _, l := range ts.Labels {
			b.WriteString(l.Name + "=" + strconv.Quote(l.Value) + ",")
			cloud = cloud || l.Name == "cloud_metric_name"
			anomaly = anomaly || l.Name == "anomaly_metric"
			aws = aws || (l.Name == "cloud_provider" && l.Value == "aws")
		}
		key := b.String()
		if p.values[key] == nil {
			p.values[key] = map[int64][]float64{}
			p.cloud[key] = cloud && !anomaly
			p.aws[key] = cloud && !anomaly && aws
		}
		for _, s := range ts.Samples {
			p.values[key][s.Timestamp] = append(p.values[key][s.Timestamp], s.Value)
		}
	}
}

// waitQuiet waits until nothing was written for d (the WAL is sent), at most timeout.
func (p *recordingProxy) waitQuiet(t *testing.T, d, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		p.mu.Lock()
		idle := time.Since(p.last)
		p.mu.Unlock()
		if idle >= d {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the collector still writes %s after its last poll completed", timeout)
			return
		}
		time.Sleep(d - idle)
	}
}

// check fails on a non-2xx answer of Prometheus (it drops the whole request), on a cloud
// series sent with two values for one timestamp, and on an AWS cloud series sent only once at
// replayed (Unix ms), the first minute of the window the collector polled twice: then the test
// did not test a replay. It logs how many samples were sent again.
func (p *recordingProxy) check(t *testing.T, replayed int64) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errors) > 0 {
		t.Errorf("Prometheus refused %d remote writes; the first: %s; the last: %s", len(p.errors), p.errors[0], p.errors[len(p.errors)-1])
	}
	resent, conflicts, other, notReplayed := 0, 0, 0, 0
	for key, byTS := range p.values {
		if p.aws[key] && len(byTS[replayed]) < 2 {
			notReplayed++
		}
		for ts, vs := range byTS {
			if len(vs) > 1 {
				resent++
			}
			for _, v := range vs[1:] {
				if math.Float64bits(v) == math.Float64bits(vs[0]) {
					continue
				}
				if !p.cloud[key] {
					other++
					break
				}
				conflicts++
				if conflicts <= 10 {
					t.Errorf("%s at %s sent with values %v: a replayed window changed its value", key, ms(ts), vs)
				}
				break
			}
		}
	}
	if notReplayed > 0 {
		t.Errorf("%d AWS cloud series were sent fewer than twice at %s: the window was not polled again", notReplayed, ms(replayed))
	}
	if conflicts > 10 {
		t.Errorf("... %d series and timestamps sent with different values in all", conflicts)
	}
	t.Logf("%d series and timestamps were sent more than once (WAL replay, replayed window), "+
		"%d of the non-cloud ones (anomaly outputs, host metrics) with different values", resent, other)
}
