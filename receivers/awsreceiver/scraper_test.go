package awsreceiver

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/internal/sim"
	simaws "github.com/mcobs/mcobs/internal/sim/aws"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/metadatatest"
)

// clock is a settable time shared by the simulator and the scraper.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var simStart = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func smallFleet() sim.Config {
	cfg := sim.DefaultConfig()
	cfg.Fleet.Regions = []string{"us-east-1"}
	cfg.Fleet.Instances = 4
	cfg.Fleet.RDSInstances = 1
	return cfg
}

// harness is a scraper against a simulator.
type harness struct {
	sim *sim.Simulator
	clk *clock
	tel *componenttest.Telemetry
	s   *awsScraper
	// dir holds the file-backed checkpoint storage, so a new scraper over it is a restart.
	dir string
}

func newHarness(t testing.TB, scfg sim.Config, mod func(*Config)) *harness {
	t.Helper()
	clk := &clock{t: simStart}
	url, s := simaws.NewTestServer(t, scfg, sim.WithClock(clk.now))
	h := &harness{sim: s, clk: clk, tel: componenttest.NewTelemetry(), dir: t.TempDir()}
	t.Cleanup(func() { _ = h.tel.Shutdown(context.Background()) })
	h.s = h.newScraper(t, url, scfg, mod)
	return h
}

func (h *harness) newScraper(t testing.TB, url string, scfg sim.Config, mod func(*Config)) *awsScraper {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Endpoint = url
	cfg.Regions = scfg.Fleet.Regions
	acct := scfg.AWS.Accounts[0]
	cfg.Auth.AccessKeyID = acct.AccessKeyID
	cfg.Auth.SecretAccessKey = configopaque.String(acct.SecretAccessKey)
	cfg.MaxAttempts = 8
	cfg.MaxBackoff = 10 * time.Millisecond
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := newScraper(cfg, metadatatest.NewSettings(h.tel))
	if err != nil {
		t.Fatal(err)
	}
	s.now = h.clk.now
	if err := s.start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	s.store = cloudscrape.NewStore(storagetest.NewFileBackedClient(component.KindReceiver, component.MustNewID("aws"), "", h.dir))
	return s
}

// canonicalPoints returns, per series (resource host.id, metric, attributes), the timestamps
// emitted, from md.
func canonicalPoints(md pmetric.Metrics) map[string][]int64 {
	out := map[string][]int64{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		host, _ := rms.At(i).Resource().Attributes().Get(canonical.AttrHostID)
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				var dps pmetric.NumberDataPointSlice
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					dps = m.Gauge().DataPoints()
				case pmetric.MetricTypeSum:
					dps = m.Sum().DataPoints()
				default:
					continue
				}
				for l := 0; l < dps.Len(); l++ {
					key := host.Str() + " " + m.Name() + " " + attrString(dps.At(l).Attributes().AsRaw())
					out[key] = append(out[key], dps.At(l).Timestamp().AsTime().UnixMilli())
				}
			}
		}
	}
	return out
}

func attrString(m map[string]any) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// TestScrapeGolden compares one poll of a small simulated fleet with the golden file.
func TestScrapeGolden(t *testing.T) {
	h := newHarness(t, smallFleet(), nil)
	h.clk.t = simStart.Add(10 * time.Minute)
	md, err := h.s.scrape(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	goldenPath := filepath.Join("testdata", "scrape", "expected.yaml")
	// golden.WriteMetrics(t, goldenPath, md) // regenerate after a deliberate change
	want, err := golden.ReadMetrics(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	// golden.WriteMetrics normalizes timestamps; TestRestartFromCheckpoint checks them.
	if err := pmetrictest.CompareMetrics(want, md,
		pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
		pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder(),
		pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreScopeMetricsOrder()); err != nil {
		t.Fatal(err)
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
	h.clk.t = simStart.Add(10 * time.Minute)
	if _, err := h.s.scrape(context.Background()); err != nil {
		t.Fatal(err)
	}
	tg := h.s.targets[0]
	inv, err := h.s.collectInventory(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	q := len(h.s.plan(tg.disc.metrics, inv, nil))
	if q <= maxQueriesPerCall {
		t.Fatalf("fleet too small to need more than one call: %d queries", q)
	}
	stats := h.sim.Stats()
	acct := scfg.AWS.Accounts[0].ID
	want := (q + maxQueriesPerCall - 1) / maxQueriesPerCall
	if got := stats.CallsOf(acct, "monitoring", "GetMetricData"); got != want {
		t.Errorf("GetMetricData calls = %d, want ceil(%d/500) = %d", got, q, want)
	}
	if got := stats.MetricsRequestedBy(acct); got != q {
		t.Errorf("metrics requested = %d, want %d", got, q)
	}
	metadatatest.AssertEqualReceiverAwsBilledUnits(t, h.tel, []metricdata.DataPoint[int64]{
		{Attributes: attrSet(acct, "CloudWatch.GetMetricData"), Value: int64(q)},
		{Attributes: attrSet(acct, "CloudWatch.ListMetrics"), Value: int64(stats.CallsOf(acct, "monitoring", "ListMetrics"))},
	}, metricdatatest.IgnoreTimestamp())
}

// TestRestartFromCheckpointHasNoGapNorDuplicate polls, restarts the receiver over the same
// storage, polls again later, and expects every series to continue exactly one period after
// its last point before the restart.
func TestRestartFromCheckpointHasNoGapNorDuplicate(t *testing.T) {
	scfg := smallFleet()
	h := newHarness(t, scfg, nil)
	h.clk.t = simStart.Add(10 * time.Minute)
	md1, err := h.s.scrape(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.s.shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	url := h.s.cfg.Endpoint
	h.clk.t = h.clk.t.Add(17 * time.Minute) // a missed poll or two while it was down
	s2 := h.newScraper(t, url, scfg, nil)
	md2, err := s2.scrape(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before, after := canonicalPoints(md1), canonicalPoints(md2)
	period := time.Minute.Milliseconds()
	checked := 0
	for key, ts1 := range before {
		if strings.Contains(key, "mcobs.") {
			continue // inventory and markers are stamped at poll time, not series
		}
		ts2, ok := after[key]
		if !ok {
			t.Errorf("%s: no points after the restart", key)
			continue
		}
		if ts2[0] != ts1[len(ts1)-1]+period {
			t.Errorf("%s: last point before restart %d, first after %d: want exactly one period later", key, ts1[len(ts1)-1], ts2[0])
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no series to compare")
	}
}

// TestFaultsAreSurvived injects each fault and expects no crash: throttling and 5xx are retried
// by the SDK and counted; expired credentials fail the account with a reason and a partial
// scrape error.
func TestFaultsAreSurvived(t *testing.T) {
	f := func(name string, faults sim.FaultConfig, wantErr bool, wantOutcome string) {
		t.Run(name, func(t *testing.T) {
			scfg := smallFleet()
			scfg.Faults = faults
			h := newHarness(t, scfg, nil)
			h.clk.t = simStart.Add(10 * time.Minute)
			md, err := h.s.scrape(context.Background())
			if (err != nil) != wantErr {
				t.Fatalf("scrape error = %v, want error %v", err, wantErr)
			}
			status := collectionStatus(md)
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
			m, err := h.tel.GetMetric("otelcol_receiver_aws_api_calls")
			if err != nil {
				t.Fatal(err)
			}
			seen := false
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				if o, _ := dp.Attributes.Value("outcome"); o.AsString() == wantOutcome && dp.Value > 0 {
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
	f("throttling", sim.FaultConfig{ThrottleRate: 0.5}, false, "throttled")
	// Half the calls answered 500: retried.
	f("server errors", sim.FaultConfig{ServerErrorRate: 0.5}, false, "error")
	// Every call says the token expired: the account fails with the reason, nothing crashes.
	f("expired credentials", sim.FaultConfig{ExpiredCredentialsRate: 1}, true, "error")
	// Every body malformed: reported, not a crash.
	f("malformed bodies", sim.FaultConfig{MalformedRate: 1}, true, "error")
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
	metadatatest.AssertEqualReceiverAwsBilledUnits(t, h.tel, []metricdata.DataPoint[int64]{
		{Attributes: attrSet(acct, "CloudWatch.GetMetricData"), Value: int64(st.MetricsRequestedBy(acct))},
		{Attributes: attrSet(acct, "CloudWatch.ListMetrics"), Value: int64(lists)},
	}, metricdatatest.IgnoreTimestamp())
}

func collectionStatus(md pmetric.Metrics) map[string]string {
	out := map[string]string{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for k := 0; k < ms.Len(); k++ {
			if ms.At(k).Name() != cloudscrape.MetricCollectionStatus {
				continue
			}
			dps := ms.At(k).Gauge().DataPoints()
			for l := 0; l < dps.Len(); l++ {
				a := dps.At(l).Attributes()
				acct, _ := a.Get("cloud.account.id")
				st, _ := a.Get("state")
				rs, _ := a.Get("reason")
				out[acct.Str()] = st.Str() + ":" + rs.Str()
			}
		}
	}
	return out
}

func attrSet(account, api string) attribute.Set {
	return attribute.NewSet(attribute.String("cloud.account.id", account), attribute.String("api", api))
}
