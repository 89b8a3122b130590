package azurereceiver

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
	"github.com/mcobs/mcobs/receivers/azurereceiver/internal/metadata"
)

var simStart = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func smallFleet() sim.Config {
	cfg := sim.DefaultConfig()
	cfg.Azure.VMs = 4
	cfg.Azure.PostgresServers = 1
	return cfg
}

// harness is the receiver against the simulator, through the real Azure SDK clients.
type harness struct {
	sim    *sim.Simulator
	scfg   sim.Config
	url    string
	client *http.Client
	clk    *cloudscrapetest.Clock
	tel    *componenttest.Telemetry
	loop   *cloudscrapetest.Loop
	cfg    *Config
	dir    string
}

func newHarness(t testing.TB, scfg sim.Config, mod func(*Config)) *harness {
	t.Helper()
	clk := &cloudscrapetest.Clock{T: simStart}
	url, client, s := simazure.NewTestServer(t, scfg, sim.WithClock(clk.Now))
	h := &harness{sim: s, scfg: scfg, url: url, client: client, clk: clk, tel: componenttest.NewTelemetry(), dir: t.TempDir()}
	t.Cleanup(func() { _ = h.tel.Shutdown(t.Context()) })
	h.restart(t, mod)
	return h
}

// restart shuts the receiver down, if one runs, and starts a new one over the same storage.
func (h *harness) restart(t testing.TB, mod func(*Config)) {
	t.Helper()
	if h.loop != nil {
		if err := h.loop.R.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	cfg := createDefaultConfig().(*Config)
	a := h.scfg.Azure
	cfg.Auth = AuthConfig{Mode: AuthClientSecret, TenantID: a.TenantID, ClientID: a.ClientID, ClientSecret: configopaque.String(a.ClientSecret)}
	cfg.Subscriptions = []string{a.Subscriptions[0].ID}
	cfg.Endpoints = EndpointsConfig{Authority: h.url + "/", ResourceManager: h.url, Metrics: h.url + "/regions/{region}"}
	cfg.Retry.MaxAttempts = 8
	cfg.Retry.MaxBackoff = 10 * time.Millisecond
	if mod != nil {
		mod(cfg)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	prov := &provider{cfg: cfg, logger: nopLogger, client: h.client}
	h.loop = cloudscrapetest.Start(t, metadata.Type, &cfg.Config, prov, scopeName, h.clk, h.tel, h.dir)
	h.cfg = cfg
}

// TestScrapeGolden compares one poll of a small simulated subscription with the golden file.
func TestScrapeGolden(t *testing.T) {
	h := newHarness(t, smallFleet(), func(c *Config) { c.MaxBackfill = c.CollectionInterval })
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.loop.Poll()
	if err != nil {
		t.Fatal(err)
	}
	goldenPath := filepath.Join("testdata", "scrape", "expected.yaml")
	// golden.WriteMetrics(t, goldenPath, md) // regenerate after a deliberate change
	cloudscrapetest.CompareGolden(t, goldenPath, md)
}

// TestBatchCallsPerPoll: a poll asks ceil(resources/50) × ceil(metrics/20) metrics:getBatch
// calls per subscription, region and type, and bills each once.
func TestBatchCallsPerPoll(t *testing.T) {
	scfg := sim.DefaultConfig()
	scfg.Azure.VMs = 130
	scfg.Azure.StoppedFraction = 0
	// Calls per poll do not depend on the window's length: a five-minute window (no
	// backfill) keeps the test short. Over 500 resources in one poll still take more than the
	// default minute on a loaded machine under the race detector.
	h := newHarness(t, scfg, func(c *Config) {
		c.MaxBackfill = c.CollectionInterval
		c.Timeout = 5 * time.Minute
	})
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.loop.Poll()
	if err != nil {
		t.Fatal(err)
	}
	sub := scfg.Azure.Subscriptions[0].ID
	stats := h.sim.Stats()
	want := 0
	for _, region := range scfg.Azure.Regions {
		for _, ns := range canonical.Azure.Namespaces() {
			got := stats.MetricBatchesIn(sub, region, ns)
			// Metrics split by a dimension take calls of their own (a filter applies to every
			// metric of a call).
			plain, split := nativeMetrics(ns)
			groups := ceilDiv(plain, maxMetricsPerCall) + ceilDiv(split, maxMetricsPerCall)
			resources := got.Resources / groups // each group of metrics asks for every resource once
			wantCalls := ceilDiv(resources, maxResourcesPerCall) * groups
			if got.Calls != wantCalls || resources == 0 || got.Resources != resources*groups {
				t.Errorf("%s %s: %d batch calls carrying %d resources, want %d calls for %d groups of metrics", region, ns, got.Calls, got.Resources, wantCalls, groups)
			}
			want += wantCalls
		}
		// Each VM call carries at most 50 resources: the running VMs of a region over the calls.
		vms := stats.MetricBatchesIn(sub, region, "Microsoft.Compute/virtualMachines")
		if running := inventoryCount(md, region, canonical.PlatformAzureVM, cloudscrape.InstanceRunning); vms.Resources != running || running <= maxResourcesPerCall {
			t.Errorf("%s: VM batches carried %d resources, want the %d running VMs (more than one call's)", region, vms.Resources, running)
		}
	}
	billed := cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricBilledUnits)
	if got := billed["cloud.account.id="+sub+",operation=MetricsBatch,provider=azure,service=Monitor"]; int(got) != want {
		t.Errorf("billed %v batch calls, want %d", got, want)
	}
}

// nativeMetrics counts the distinct native metrics of a resource type, plain and split by a
// dimension.
func nativeMetrics(ns string) (plain, split int) {
	seen := map[string]bool{}
	for _, mp := range canonical.Azure.ForNamespace(ns) {
		if seen[mp.Native] {
			continue
		}
		seen[mp.Native] = true
		if _, ok := canonical.Azure.DimensionOf(ns, mp.Native); ok {
			split++
		} else {
			plain++
		}
	}
	return plain, split
}

// inventoryCount reads the inventory metric of a region, platform and state.
func inventoryCount(md pmetric.Metrics, region, platform, state string) int {
	n := 0
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for j := 0; j < ms.Len(); j++ {
			if ms.At(j).Name() != cloudscrape.MetricInventoryInstances {
				continue
			}
			dps := ms.At(j).Gauge().DataPoints()
			for k := 0; k < dps.Len(); k++ {
				a := dps.At(k).Attributes().AsRaw()
				if a["cloud.region"] == region && a["cloud.platform"] == platform && a["state"] == state {
					n += int(dps.At(k).IntValue())
				}
			}
		}
	}
	return n
}

// TestRestartFromCheckpointHasNoGapNorDuplicate polls, restarts over the same storage, polls
// later, and expects every series to continue one period after its last point.
func TestRestartFromCheckpointHasNoGapNorDuplicate(t *testing.T) {
	h := newHarness(t, smallFleet(), nil)
	h.clk.T = simStart.Add(10 * time.Minute)
	md1, err := h.loop.Poll()
	if err != nil {
		t.Fatal(err)
	}
	h.clk.T = h.clk.T.Add(17 * time.Minute)
	h.restart(t, nil)
	md2, err := h.loop.Poll()
	if err != nil {
		t.Fatal(err)
	}
	cloudscrapetest.AssertContinues(t, cloudscrapetest.Points(md1), cloudscrapetest.Points(md2), time.Minute)
}

// TestEverySubscriptionWhenNoneIsListed: without `subscriptions`, the identity's enabled
// subscriptions are targets, each with its own status.
func TestEverySubscriptionWhenNoneIsListed(t *testing.T) {
	scfg := smallFleet()
	h := newHarness(t, scfg, func(c *Config) { c.Subscriptions = nil })
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.loop.Poll()
	if err != nil {
		t.Fatal(err)
	}
	status := cloudscrapetest.CollectionStatus(md)
	for _, s := range scfg.Azure.Subscriptions {
		if status[s.ID] != cloudscrape.StatusSuccess+":" {
			t.Errorf("status of %s = %q (all: %v)", s.ID, status[s.ID], status)
		}
	}
}

// TestFaultsAreSurvived injects each fault and expects no crash, the right status and the
// right request outcome counted.
func TestFaultsAreSurvived(t *testing.T) {
	f := func(name string, faults sim.FaultConfig, wantStatus, wantOutcome string) {
		t.Run(name, func(t *testing.T) {
			scfg := smallFleet()
			scfg.Faults = faults
			h := newHarness(t, scfg, func(c *Config) {
				if faults.ThrottleRate > 0 {
					// azcore does not retry when the service's Retry-After (the simulator's:
					// 1 s) is longer than the longest pause allowed.
					c.Retry.MaxBackoff = 2 * time.Second
				}
			})
			h.clk.T = simStart.Add(10 * time.Minute)
			md, err := h.loop.Poll()
			sub := scfg.Azure.Subscriptions[0].ID
			if got := cloudscrapetest.CollectionStatus(md)[sub]; got != wantStatus {
				t.Errorf("status = %q, want %q (poll error: %v)", got, wantStatus, err)
			}
			if (err != nil) != strings.HasPrefix(wantStatus, cloudscrape.StatusFailed) {
				t.Errorf("poll error %v with status %q", err, wantStatus)
			}
			seen := false
			for k, v := range cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricAPIRequests) {
				if strings.Contains(k, "outcome="+wantOutcome+",") && v > 0 {
					seen = true
				}
			}
			if !seen {
				t.Errorf("no request counted with outcome %q", wantOutcome)
			}
		})
	}
	// Half the calls throttled (429 with Retry-After): retried until they pass.
	f("throttling", sim.FaultConfig{ThrottleRate: 0.5}, cloudscrape.StatusSuccess+":", "throttled")
	// Half the calls answered 5xx: retried.
	f("server errors", sim.FaultConfig{ServerErrorRate: 0.5}, cloudscrape.StatusSuccess+":", "error")
	// Every ARM call says the token expired: the subscription fails with the code, as auth.
	f("expired token", sim.FaultConfig{ExpiredCredentialsRate: 1}, cloudscrape.StatusFailed+":ExpiredAuthenticationToken", "auth")
	// Every body malformed: reported, not a crash.
	f("malformed bodies", sim.FaultConfig{MalformedRate: 1}, cloudscrape.StatusFailed+":malformed", "ok")
}

// TestSelectedMetricsUnderNativeNames: another aggregation of a mapped metric comes under its
// native name beside the canonical one; a name Azure Monitor does not know fails only its own
// call, which the subscription's status reports, while every mapped metric still arrives.
func TestSelectedMetricsUnderNativeNames(t *testing.T) {
	vmType := "Microsoft.Compute/virtualMachines"
	poll := func(names ...string) (map[string][]int64, string) {
		h := newHarness(t, smallFleet(), func(c *Config) {
			c.MaxBackfill = c.CollectionInterval
			c.Metrics = map[string]MetricSelection{vmType: {Names: names, Aggregations: []string{"Average", "Maximum"}}}
		})
		h.clk.T = simStart.Add(10 * time.Minute)
		md, _ := h.loop.Poll()
		return cloudscrapetest.Points(md), cloudscrapetest.CollectionStatus(md)[h.cfg.Subscriptions[0]]
	}
	// count counts the points of a metric of VMs: keys are "<host.id> <metric> <attributes>",
	// and a VM's host.id is its vmId (other resources' are resource ids).
	count := func(points map[string][]int64, name string) int {
		n := 0
		for k, ts := range points {
			if host, _, _ := strings.Cut(k, " "); strings.Contains(k, " "+name+" ") && !strings.Contains(host, "/") {
				n += len(ts)
			}
		}
		return n
	}
	native := "azure.microsoft.compute.virtualmachines.percentage_cpu"
	points, status := poll("Percentage CPU")
	if status != cloudscrape.StatusSuccess+":" {
		t.Fatalf("status %q", status)
	}
	cpu, maxCPU := count(points, canonical.CPUUtilization.Name), count(points, native)
	if cpu == 0 || maxCPU != cpu {
		t.Errorf("%d Maximum points of %s, want one per canonical CPU point (%d); the Average is the canonical metric's", maxCPU, native, cpu)
	}

	points, status = poll("Percentage CPU", "No Such Metric")
	if !strings.HasPrefix(status, cloudscrape.StatusFailed) {
		t.Errorf("status %q with a metric Azure does not know, want failed", status)
	}
	if got := count(points, canonical.CPUUtilization.Name); got != cpu {
		t.Errorf("%d canonical CPU points beside the unknown metric, want %d", got, cpu)
	}
}
