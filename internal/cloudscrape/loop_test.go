package cloudscrape

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/mcobs/mcobs/internal/canonical"
)

// fakeProvider is a cloud with targets whose answers a test sets.
type fakeProvider struct {
	targets []*fakeTarget
}

func (*fakeProvider) Name() string { return "fake" }

func (p *fakeProvider) Targets(context.Context, *Telemetry) ([]Target, error) {
	out := make([]Target, len(p.targets))
	for i, t := range p.targets {
		out[i] = t
	}
	return out, nil
}

var errAuth = errors.New("token expired")

func (*fakeProvider) Classify(err error) (ErrorClass, string) {
	if errors.Is(err, errAuth) {
		return Auth, "ExpiredToken"
	}
	return Transient, "InternalError"
}

// fakeTarget has one VM with a gauge and a counter, a sample per minute of value 1.
type fakeTarget struct {
	account, region string

	mu         sync.Mutex
	fetchErr   error // returned by the next Fetch
	queryErr   error // set on the counter's result of the next Fetch
	counterNaN bool  // the next Fetch answers the counter with NaN
	starts     []time.Time
	resets     int
	fetchCalls int
}

func (t *fakeTarget) Key() string     { return t.account + "/" + t.region }
func (t *fakeTarget) Account() string { return t.account }
func (t *fakeTarget) Region() string  { return t.region }
func (t *fakeTarget) Cost(qs []Query) int {
	return len(qs)
}
func (t *fakeTarget) ResetCredentials() { t.resets++ }

func (t *fakeTarget) Inventory(context.Context) (*Inventory, error) {
	return &Inventory{
		Resources: map[string]*Resource{"vm-1": {ID: "vm-1", Platform: "fake_vm", State: InstanceRunning, Attrs: map[string]string{"host.id": "vm-1"}}},
		Points:    []InventoryPoint{{Metric: canonical.Metric{Name: "mcobs.vpc.state"}, Value: 1, Attrs: []Attr{{"vpc.id", "vpc-1"}}}},
	}, nil
}

func (t *fakeTarget) Discover(context.Context, *Inventory) (*Plan, error) {
	return &Plan{
		Queries: []Query{
			{Resource: "vm-1", Key: "cpu", Metric: canonical.CPUUtilization, Attrs: []Attr{{"cloud.metric.name", "cpu"}}},
			{Resource: "vm-1", Key: "net", Metric: canonical.NetworkIO, Attrs: []Attr{{"cloud.metric.name", "net"}}},
		},
		Unsupported: []Marker{{Resource: "vm-1", Metric: canonical.MemoryUtilization.Name, Reason: "no agent"}},
	}, nil
}

func (t *fakeTarget) Fetch(_ context.Context, qs []Query, start, end time.Time) ([]Result, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fetchCalls++
	t.starts = append(t.starts, start)
	if err := t.fetchErr; err != nil {
		t.fetchErr = nil
		return nil, err
	}
	out := make([]Result, len(qs))
	for i := range qs {
		for ts := start; ts.Before(end); ts = ts.Add(time.Minute) {
			out[i].Samples = append(out[i].Samples, Sample{ts, 1})
		}
	}
	if t.queryErr != nil {
		out[1] = Result{Err: t.queryErr}
		t.queryErr = nil
	}
	if t.counterNaN {
		for j := range out[1].Samples {
			out[1].Samples[j].V = math.NaN()
		}
		t.counterNaN = false
	}
	return out, nil
}

type loopHarness struct {
	now  time.Time
	prov *fakeProvider
	sink *consumertest.MetricsSink
	r    *Receiver
	tel  *componenttest.Telemetry
}

func newLoopHarness(t *testing.T, cfg Config, targets ...*fakeTarget) *loopHarness {
	t.Helper()
	h := &loopHarness{now: t0, prov: &fakeProvider{targets: targets}, sink: &consumertest.MetricsSink{}, tel: componenttest.NewTelemetry()}
	set := receivertest.NewNopSettings(component.MustNewType("fake"))
	set.TelemetrySettings = h.tel.NewTelemetrySettings()
	id := storagetest.NewStorageID("cp")
	cfg.Storage = &id
	r, err := NewReceiver(&cfg, set, h.prov, h.sink, "test", WithClock(func() time.Time { return h.now }))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(context.Background(), storagetest.NewStorageHost().WithInMemoryStorageExtension("cp")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Shutdown(context.Background()); _ = h.tel.Shutdown(context.Background()) })
	h.r = r
	return h
}

// points returns the timestamps per metric name, and the status reasons, of what was consumed.
func (h *loopHarness) points() (map[string][]time.Time, string) {
	out := map[string][]time.Time{}
	var status []string
	for _, md := range h.sink.AllMetrics() {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			ms := rms.At(i).ScopeMetrics().At(0).Metrics()
			for j := 0; j < ms.Len(); j++ {
				m := ms.At(j)
				var dps pmetric.NumberDataPointSlice
				if m.Type() == pmetric.MetricTypeSum {
					dps = m.Sum().DataPoints()
				} else {
					dps = m.Gauge().DataPoints()
				}
				for k := 0; k < dps.Len(); k++ {
					if m.Name() == MetricCollectionStatus {
						st, _ := dps.At(k).Attributes().Get("state")
						rs, _ := dps.At(k).Attributes().Get("reason")
						status = append(status, fmt.Sprintf("%s/%s=%d", st.Str(), rs.Str(), dps.At(k).IntValue()))
					}
					out[m.Name()] = append(out[m.Name()], dps.At(k).Timestamp().AsTime())
				}
			}
		}
	}
	h.sink.Reset()
	return out, strings.Join(status, " ")
}

func testConfig() Config {
	c := DefaultConfig()
	c.MaxBackfill = 10 * time.Minute
	return c
}

// TestQueryErrorKeepsTheWindowOpen: CloudWatch can answer one query of a batch with an error
// (StatusCode InternalError). Its window must not complete, or that series keeps a gap: the next
// poll asks for the same range again, and emits only what is missing.
func TestQueryErrorKeepsTheWindowOpen(t *testing.T) {
	ft := &fakeTarget{account: "111", region: "r1"}
	h := newLoopHarness(t, testConfig(), ft)
	if err := h.r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.points()
	h.now = h.now.Add(5 * time.Minute)
	ft.queryErr = errors.New("InternalError")
	if err := h.r.Poll(context.Background()); err == nil {
		t.Fatal("poll with a failed query returned no error")
	}
	pts, status := h.points()
	if len(pts[canonical.CPUUtilization.Name]) != 5 || len(pts[canonical.NetworkIO.Name]) != 0 {
		t.Fatalf("failed poll: %d cpu and %d network points, want 5 and 0", len(pts[canonical.CPUUtilization.Name]), len(pts[canonical.NetworkIO.Name]))
	}
	if status != "failed/InternalError=1 success/=0" {
		t.Errorf("status = %q", status)
	}
	h.now = h.now.Add(5 * time.Minute)
	if err := h.r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	pts, status = h.points()
	if !ft.starts[2].Equal(ft.starts[1]) {
		t.Errorf("next poll started at %s, want the failed window's start %s", ft.starts[2], ft.starts[1])
	}
	// cpu: only the 5 new minutes; network: all 10 since the failure, none lost.
	if len(pts[canonical.CPUUtilization.Name]) != 5 || len(pts[canonical.NetworkIO.Name]) != 10 {
		t.Errorf("next poll: %d cpu and %d network points, want 5 and 10", len(pts[canonical.CPUUtilization.Name]), len(pts[canonical.NetworkIO.Name]))
	}
	if status != "success/=1 failed/InternalError=0" {
		t.Errorf("status = %q", status)
	}
}

// TestNonFiniteCounterValuesAreRefused: a counter answered with NaN must not poison its running
// total (nor the checkpoint, which JSON cannot hold NaN in): those samples are dropped, the
// window stays open, and the next poll continues the total from where it was.
func TestNonFiniteCounterValuesAreRefused(t *testing.T) {
	ft := &fakeTarget{account: "111", region: "r1"}
	h := newLoopHarness(t, testConfig(), ft)
	if err := h.r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := h.counterValues()
	h.now = h.now.Add(5 * time.Minute)
	ft.counterNaN = true
	if err := h.r.Poll(context.Background()); !errors.Is(err, ErrNotFinite) {
		t.Fatalf("poll with NaN counter values returned %v, want ErrNotFinite", err)
	}
	if got := h.counterValues(); len(got) != 0 {
		t.Fatalf("emitted %v for NaN answers", got)
	}
	h.now = h.now.Add(5 * time.Minute)
	if err := h.r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := h.counterValues()
	if len(before) == 0 || len(after) != 10 {
		t.Fatalf("%d points before, %d after the NaN poll; want some and the 10 minutes since", len(before), len(after))
	}
	// Each sample adds 1: the total goes on from the last value before the NaN poll.
	for i, v := range after {
		if want := before[len(before)-1] + float64(i+1); v != want {
			t.Errorf("point %d after the NaN poll = %v, want %v", i, v, want)
		}
	}
}

// counterValues returns the network counter's values consumed since the last call, in order.
func (h *loopHarness) counterValues() []float64 {
	var out []float64
	for _, md := range h.sink.AllMetrics() {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			ms := rms.At(i).ScopeMetrics().At(0).Metrics()
			for j := 0; j < ms.Len(); j++ {
				if ms.At(j).Name() != canonical.NetworkIO.Name {
					continue
				}
				dps := ms.At(j).Sum().DataPoints()
				for k := 0; k < dps.Len(); k++ {
					out = append(out, dps.At(k).DoubleValue())
				}
			}
		}
	}
	h.sink.Reset()
	return out
}

// TestFetchFailureKeepsInventory: when the metrics API fails, the inventory and the unsupported
// markers, read from other APIs, still reach the pipeline.
func TestFetchFailureKeepsInventory(t *testing.T) {
	ft := &fakeTarget{account: "111", region: "r1", fetchErr: errors.New("503")}
	h := newLoopHarness(t, testConfig(), ft)
	if err := h.r.Poll(context.Background()); err == nil {
		t.Fatal("want an error")
	}
	pts, _ := h.points()
	if len(pts["mcobs.vpc.state"]) != 1 || len(pts[canonical.Unsupported.Name]) != 1 || len(pts[MetricInventoryInstances]) != 3 {
		t.Errorf("after a failed fetch: %v", pts)
	}
}

// TestAuthErrorResetsCredentials: an expired token is not reused at the next poll.
func TestAuthErrorResetsCredentials(t *testing.T) {
	ft := &fakeTarget{account: "111", region: "r1", fetchErr: fmt.Errorf("GetMetricData: %w", errAuth)}
	h := newLoopHarness(t, testConfig(), ft)
	_ = h.r.Poll(context.Background())
	if ft.resets != 1 {
		t.Errorf("credentials reset %d times, want 1", ft.resets)
	}
	if _, status := h.points(); status != "failed/ExpiredToken=1" {
		t.Errorf("status = %q", status)
	}
}

// TestRefusedPointsAreNotCheckpointed: the window advances only after the consumer took it.
func TestRefusedPointsAreNotCheckpointed(t *testing.T) {
	ft := &fakeTarget{account: "111", region: "r1"}
	h := newLoopHarness(t, testConfig(), ft)
	if err := h.r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.points()
	h.now = h.now.Add(5 * time.Minute)
	h.r.next = consumertest.NewErr(errors.New("queue full"))
	if err := h.r.Poll(context.Background()); err == nil {
		t.Fatal("want the refusal")
	}
	h.r.next = h.sink
	h.now = h.now.Add(5 * time.Minute)
	if err := h.r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !ft.starts[2].Equal(ft.starts[1]) {
		t.Errorf("after a refusal the poll started at %s, want %s again", ft.starts[2], ft.starts[1])
	}
	// The counter goes on from its total before the refusal: 10 + 10 minutes of 1.
	if got := lastSum(t, h, canonical.NetworkIO.Name); got != 20 {
		t.Errorf("network total = %v, want 20", got)
	}
	pts, _ := h.points()
	if n := len(pts[canonical.NetworkIO.Name]); n != 10 {
		t.Errorf("%d network points after the refusal, want 10", n)
	}
}

// TestTargetsPollConcurrently: 2 accounts × 2 regions share the checkpoint store and report;
// run with -race.
func TestTargetsPollConcurrently(t *testing.T) {
	var ts []*fakeTarget
	for _, a := range []string{"111", "222"} {
		for _, r := range []string{"r1", "r2"} {
			ts = append(ts, &fakeTarget{account: a, region: r})
		}
	}
	cfg := testConfig()
	cfg.MaxConcurrency = 2
	h := newLoopHarness(t, cfg, ts...)
	for i := 0; i < 3; i++ {
		if err := h.r.Poll(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.now = h.now.Add(5 * time.Minute)
	}
	pts, _ := h.points()
	// 4 targets: 10 minutes of backfill, then 5 and 5.
	if n := len(pts[canonical.CPUUtilization.Name]); n != 4*20 {
		t.Errorf("%d cpu points, want %d", n, 4*20)
	}
}

// TestBudgetBelowOneUnitPerHour: a budget smaller than one unit an hour is still a cap. The
// bucket holds one unit; a poll of 2 runs when it is full and leaves it in debt, so polls are
// spaced to spend 0.5 units an hour on average.
func TestBudgetBelowOneUnitPerHour(t *testing.T) {
	l := Budget{BilledUnitsPerHour: 0.5}.NewLimiter()
	allowed := 0
	for m := 0; m <= 24*60; m += 5 {
		if l.Allow(t0.Add(time.Duration(m)*time.Minute), 2) {
			allowed++
		}
	}
	// The first from the full bucket, then one every 4 hours (2 units of debt repaid at 0.5/h).
	if allowed != 7 {
		t.Errorf("%d polls of 2 units allowed in 24 h at 0.5 units/h, want 7", allowed)
	}
}

// lastSum is the last value of a cumulative sum among the points consumed since the last
// points() call.
func lastSum(t *testing.T, h *loopHarness, name string) float64 {
	t.Helper()
	v := -1.0
	for _, md := range h.sink.AllMetrics() {
		rms := md.ResourceMetrics()
		for i := 0; i < rms.Len(); i++ {
			ms := rms.At(i).ScopeMetrics().At(0).Metrics()
			for j := 0; j < ms.Len(); j++ {
				if ms.At(j).Name() == name {
					dps := ms.At(j).Sum().DataPoints()
					v = dps.At(dps.Len() - 1).DoubleValue()
				}
			}
		}
	}
	return v
}

// TestFirstStartIsReplayedFromTheSameStart: a first start that dies before its window is
// checkpointed (here: the consumer refuses it) backfills from the same start when it runs
// again later, so counter totals replay the same values.
func TestFirstStartIsReplayedFromTheSameStart(t *testing.T) {
	ft := &fakeTarget{account: "111", region: "r1"}
	h := newLoopHarness(t, testConfig(), ft)
	h.r.next = consumertest.NewErr(errors.New("killed"))
	if err := h.r.Poll(context.Background()); err == nil {
		t.Fatal("want the refusal")
	}
	h.r.next = h.sink
	h.now = h.now.Add(3 * time.Minute)
	if err := h.r.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !ft.starts[1].Equal(ft.starts[0]) {
		t.Errorf("the first start's replay began at %s, want %s", ft.starts[1], ft.starts[0])
	}
	// 10 minutes of backfill and the 3 since, each 1: the total counts every minute once.
	if got := lastSum(t, h, canonical.NetworkIO.Name); got != 13 {
		t.Errorf("network total = %v, want 13", got)
	}
}
