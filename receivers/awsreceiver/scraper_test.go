package awsreceiver

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/internal/sim"
	simaws "github.com/mcobs/mcobs/internal/sim/aws"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/metadata"
)

var simStart = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func smallFleet() sim.Config {
	cfg := sim.DefaultConfig()
	cfg.Fleet.Regions = []string{"us-east-1"}
	cfg.Fleet.Instances = 4
	cfg.Fleet.RDSInstances = 1
	return cfg
}

// harness is a receiver against a simulator, with its clock, telemetry and consumer.
type harness struct {
	sim  *sim.Simulator
	scfg sim.Config
	url  string
	clk  *cloudscrapetest.Clock
	tel  *componenttest.Telemetry
	next *cloudscrapetest.Consumer
	r    *cloudscrape.Receiver
	cfg  *Config
	// dir holds the file-backed checkpoint storage, so a new receiver over it is a restart.
	dir string
}

func newHarness(t testing.TB, scfg sim.Config, mod func(*Config)) *harness {
	t.Helper()
	clk := &cloudscrapetest.Clock{T: simStart}
	url, s := simaws.NewTestServer(t, scfg, sim.WithClock(clk.Now))
	h := &harness{sim: s, scfg: scfg, url: url, clk: clk, tel: componenttest.NewTelemetry(), dir: t.TempDir()}
	t.Cleanup(func() { _ = h.tel.Shutdown(context.Background()) })
	h.restart(t, mod)
	return h
}

// restart shuts the receiver down, if one runs, and starts a new one over the same storage.
func (h *harness) restart(t testing.TB, mod func(*Config)) {
	t.Helper()
	if h.r != nil {
		if err := h.r.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = h.url
	cfg.Regions = h.scfg.Fleet.Regions
	acct := h.scfg.AWS.Accounts[0]
	cfg.Auth.AccessKeyID = acct.AccessKeyID
	cfg.Auth.SecretAccessKey = configopaque.String(acct.SecretAccessKey)
	cfg.Retry.MaxAttempts = 8
	cfg.Retry.MaxBackoff = 10 * time.Millisecond
	if mod != nil {
		mod(cfg)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	l := cloudscrapetest.Start(t, metadata.Type, &cfg.Config, &provider{cfg: cfg}, scopeName, h.clk, h.tel, h.dir)
	h.r, h.next, h.cfg = l.R, l.Next, cfg
}

// poll runs one poll and returns everything the receiver handed to the consumer, in one batch.
func (h *harness) poll() (pmetric.Metrics, error) {
	return (&cloudscrapetest.Loop{R: h.r, Next: h.next}).Poll()
}

// TestScrapeGolden compares one poll of a small simulated fleet with the golden file. The
// backfill is one interval to keep the file short; TestFirstStartBackfills checks the default.
func TestScrapeGolden(t *testing.T) {
	h := newHarness(t, smallFleet(), func(c *Config) { c.MaxBackfill = c.CollectionInterval })
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.poll()
	if err != nil {
		t.Fatal(err)
	}
	goldenPath := filepath.Join("testdata", "scrape", "expected.yaml")
	// golden.WriteMetrics(t, goldenPath, md) // regenerate after a deliberate change
	cloudscrapetest.CompareGolden(t, goldenPath, md)
}

// TestFirstStartBackfills: without a checkpoint the first poll reaches back max_backfill (3 h by
// default), so every series starts with hours of history, and the windows self-metric says so.
func TestFirstStartBackfills(t *testing.T) {
	h := newHarness(t, smallFleet(), nil)
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.poll()
	if err != nil {
		t.Fatal(err)
	}
	end := h.clk.T.Add(-h.cfg.Delay).Truncate(time.Minute)
	wantFirst := end.Add(-h.cfg.MaxBackfill).UnixMilli()
	checked := 0
	for key, ts := range cloudscrapetest.Points(md) {
		if cloudscrapetest.IsInventory(key) {
			continue
		}
		checked++
		if ts[0] != wantFirst || len(ts) != int(h.cfg.MaxBackfill/time.Minute) {
			t.Errorf("%s: %d points from %s, want %d from %s", key, len(ts), time.UnixMilli(ts[0]).UTC(),
				int(h.cfg.MaxBackfill/time.Minute), time.UnixMilli(wantFirst).UTC())
		}
	}
	if checked == 0 {
		t.Fatal("no series")
	}
	got := cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricWindows)
	if got["backfill=true,cloud.account.id=111111111111,outcome=completed,provider=aws"] != 1 {
		t.Errorf("windows = %v, want one completed backfill", got)
	}
}

// TestGetMetricDataCallsAndBilling checks the cost model: exactly ceil(q/500) GetMetricData
// calls per poll for q metric-statistic queries, each billing its queries once.
func TestGetMetricDataCallsAndBilling(t *testing.T) {
	scfg := sim.DefaultConfig()
	scfg.Fleet.Regions = []string{"us-east-1"}
	scfg.Fleet.Instances = 90
	scfg.Fleet.StoppedFraction = 0
	h := newHarness(t, scfg, nil)
	h.clk.T = simStart.Add(10 * time.Minute)
	if _, err := h.poll(); err != nil {
		t.Fatal(err)
	}
	acct := scfg.AWS.Accounts[0].ID
	q := int(cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricSeries)["cloud.account.id="+acct+",cloud.region=us-east-1,provider=aws"])
	if q <= maxQueriesPerCall {
		t.Fatalf("fleet too small to need more than one call: %d queries", q)
	}
	stats := h.sim.Stats()
	want := (q + maxQueriesPerCall - 1) / maxQueriesPerCall
	if got := stats.CallsOf(acct, "monitoring", "GetMetricData"); got != want {
		t.Errorf("GetMetricData calls = %d, want ceil(%d/500) = %d", got, q, want)
	}
	if got := stats.MetricsRequestedBy(acct); got != q {
		t.Errorf("metrics requested = %d, want %d", got, q)
	}
	assertBilled(t, h, acct, q, stats.CallsOf(acct, "monitoring", "ListMetrics"))
}

// TestRestartFromCheckpointHasNoGapNorDuplicate polls, restarts the receiver over the same
// storage, polls again later, and expects every series to continue exactly one period after
// its last point before the restart.
func TestRestartFromCheckpointHasNoGapNorDuplicate(t *testing.T) {
	h := newHarness(t, smallFleet(), nil)
	h.clk.T = simStart.Add(10 * time.Minute)
	md1, err := h.poll()
	if err != nil {
		t.Fatal(err)
	}
	h.clk.T = h.clk.T.Add(17 * time.Minute) // a missed poll or two while it was down
	h.restart(t, nil)
	md2, err := h.poll()
	if err != nil {
		t.Fatal(err)
	}
	cloudscrapetest.AssertContinues(t, cloudscrapetest.Points(md1), cloudscrapetest.Points(md2), time.Minute)
}

// TestRefusedBatchIsCollectedAgain: when the next consumer refuses a target's points (a memory
// limiter, a full queue), the checkpoint does not move, and the next poll hands over the same
// points again, then continues: every point reaches the pipeline exactly once.
func TestRefusedBatchIsCollectedAgain(t *testing.T) {
	h := newHarness(t, smallFleet(), nil)
	h.clk.T = simStart.Add(10 * time.Minute)
	h.next.Refuse = 1
	if _, err := h.poll(); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("poll with a refusing consumer: error %v, want the refusal", err)
	}
	h.clk.T = h.clk.T.Add(5 * time.Minute)
	md, err := h.poll()
	if err != nil {
		t.Fatal(err)
	}
	// What a receiver that was never refused emits at the same two polls, together, is what
	// must have arrived: the first start's backfill included, from the same first minute.
	ref := newHarness(t, smallFleet(), nil)
	exp := map[string][]int64{}
	for _, at := range []time.Time{simStart.Add(10 * time.Minute), h.clk.T} {
		ref.clk.T = at
		md, err := ref.poll()
		if err != nil {
			t.Fatal(err)
		}
		for k, ts := range cloudscrapetest.Points(md) {
			exp[k] = append(exp[k], ts...)
		}
	}
	got := cloudscrapetest.Points(md)
	for key, ts := range exp {
		if cloudscrapetest.IsInventory(key) {
			continue
		}
		if !slices.Equal(got[key], ts) {
			t.Errorf("%s: %d points after the refusal, want %d (%v...)", key, len(got[key]), len(ts), ts[:1])
		}
	}
	if w := cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricWindows); w["backfill=true,cloud.account.id=111111111111,outcome=failed,provider=aws"] != 1 {
		t.Errorf("windows = %v, want the refused one counted as failed", w)
	}
}

// TestAccountsAndRegionsInParallel polls 2 accounts (assumed roles) × 2 regions concurrently
// with checkpoints (run with -race: the checkpoint store is shared), and counts AssumeRole as an
// API request of the account it opens.
func TestAccountsAndRegionsInParallel(t *testing.T) {
	scfg := smallFleet()
	scfg.Fleet.Regions = []string{"us-east-1", "eu-west-1"}
	h := newHarness(t, scfg, func(c *Config) {
		for _, a := range scfg.AWS.Accounts {
			c.Accounts = append(c.Accounts, AccountConfig{
				RoleARN:    "arn:aws:iam::" + a.ID + ":role/" + a.Roles[0].Name,
				ExternalID: configopaque.String(a.Roles[0].ExternalID),
			})
		}
	})
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.poll()
	if err != nil {
		t.Fatal(err)
	}
	status := cloudscrapetest.CollectionStatus(md)
	reqs := cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricAPIRequests)
	series := cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricSeries)
	for _, a := range scfg.AWS.Accounts {
		if status[a.ID] != cloudscrape.StatusSuccess+":" {
			t.Errorf("status of %s = %q", a.ID, status[a.ID])
		}
		if reqs["cloud.account.id="+a.ID+",operation=AssumeRole,outcome=ok,provider=aws,service=STS"] < 1 {
			t.Errorf("no AssumeRole counted for %s: %v", a.ID, reqs)
		}
		for _, region := range scfg.Fleet.Regions {
			if series["cloud.account.id="+a.ID+",cloud.region="+region+",provider=aws"] == 0 {
				t.Errorf("no series polled in %s %s", a.ID, region)
			}
		}
	}
}

// TestFaultsAreSurvived injects each fault and expects no crash: throttling and 5xx are retried
// by the SDK and counted; expired credentials fail the account with a reason and a partial
// scrape error.
func TestFaultsAreSurvived(t *testing.T) {
	f := func(name string, faults sim.FaultConfig, wantErr bool, wantOutcome, wantReason string) {
		t.Run(name, func(t *testing.T) {
			scfg := smallFleet()
			scfg.Faults = faults
			h := newHarness(t, scfg, nil)
			h.clk.T = simStart.Add(10 * time.Minute)
			md, err := h.poll()
			if (err != nil) != wantErr {
				t.Fatalf("scrape error = %v, want error %v", err, wantErr)
			}
			status := cloudscrapetest.CollectionStatus(md)
			acct := scfg.AWS.Accounts[0].ID
			if wantErr {
				// The account's id comes from STS, which failed too: the status is reported
				// without one rather than guessed.
				if st := status[""] + status[acct]; !strings.HasPrefix(st, cloudscrape.StatusFailed) {
					t.Errorf("collection status = %v, want failed", status)
				}
			}
			if !wantErr && status[acct] != cloudscrape.StatusSuccess+":" {
				t.Errorf("collection status of %s = %q, want success", acct, status[acct])
			}
			if wantReason != "" && !strings.HasSuffix(status[""]+status[acct], ":"+wantReason) {
				t.Errorf("collection status = %v, want reason %q", status, wantReason)
			}
			seen := false
			for k, v := range cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricAPIRequests) {
				if strings.Contains(k, "outcome="+wantOutcome+",") && v > 0 {
					seen = true
				}
			}
			if !seen {
				t.Errorf("no API call counted with outcome %q", wantOutcome)
			}
			if !wantErr {
				assertBilledAsServed(t, h, acct)
			}
		})
	}
	// Half the calls throttled: retried with backoff until they pass.
	f("throttling", sim.FaultConfig{ThrottleRate: 0.5}, false, "throttled", "")
	// Half the calls answered 500: retried.
	f("server errors", sim.FaultConfig{ServerErrorRate: 0.5}, false, "error", "")
	// Every call says the token expired: the account fails with the short code as the reason,
	// the call is counted as an auth failure, nothing crashes.
	f("expired credentials", sim.FaultConfig{ExpiredCredentialsRate: 1}, true, "auth", "ExpiredToken")
	// Every body malformed: reported, not a crash.
	f("malformed bodies", sim.FaultConfig{MalformedRate: 1}, true, "error", "malformed")
}

// assertBilledAsServed checks that the billed units equal what the simulator answered
// successfully: the metrics of successful GetMetricData calls and the ListMetrics calls that
// were not answered with a fault. Retried attempts must not be billed.
func assertBilledAsServed(t *testing.T, h *harness, acct string) {
	t.Helper()
	st := h.sim.Stats()
	lists := st.CallsOf(acct, "monitoring", "ListMetrics")
	for _, c := range st.Faults {
		if c.Account == acct && c.Operation == "ListMetrics" {
			lists -= c.Count
		}
	}
	assertBilled(t, h, acct, st.MetricsRequestedBy(acct), lists)
}

// assertBilled checks the billed-units self-metric of acct: metrics requested by GetMetricData
// and ListMetrics requests, nothing else.
func assertBilled(t *testing.T, h *harness, acct string, metrics, lists int) {
	t.Helper()
	want := map[string]float64{
		"cloud.account.id=" + acct + ",operation=GetMetricData,provider=aws,service=CloudWatch": float64(metrics),
		"cloud.account.id=" + acct + ",operation=ListMetrics,provider=aws,service=CloudWatch":   float64(lists),
	}
	if got := cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricBilledUnits); !maps.Equal(got, want) {
		t.Errorf("billed units = %v, want %v", got, want)
	}
}

// TestSelectionBillsOnlyWhatIsAsked: asking for one metric of AWS/EC2 bills one metric per
// running instance, not every mapped one.
func TestSelectionBillsOnlyWhatIsAsked(t *testing.T) {
	scfg := smallFleet()
	scfg.Fleet.StoppedFraction = 0
	h := newHarness(t, scfg, func(c *Config) {
		c.Namespaces = []string{"AWS/EC2"}
		c.Metrics = map[string]MetricSelection{"AWS/EC2": {Names: []string{"CPUUtilization"}}}
	})
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.poll()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for key := range cloudscrapetest.Points(md) {
		if !cloudscrapetest.IsInventory(key) {
			names[strings.Fields(key)[1]]++
		}
	}
	// The account's share of the fleet: the simulator spreads instances over its accounts.
	cpu := names["system.cpu.utilization"]
	if len(names) != 1 || cpu == 0 {
		t.Errorf("series by metric = %v, want system.cpu.utilization only", names)
	}
	acct := scfg.AWS.Accounts[0].ID
	if got := h.sim.Stats().MetricsRequestedBy(acct); got != cpu {
		t.Errorf("metrics billed = %d, want one per instance: %d", got, cpu)
	}
}
