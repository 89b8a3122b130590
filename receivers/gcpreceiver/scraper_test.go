package gcpreceiver

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/internal/sim"
	simgcp "github.com/mcobs/mcobs/internal/sim/gcp"
	"github.com/mcobs/mcobs/receivers/gcpreceiver/internal/metadata"
)

var simStart = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func smallFleet() sim.Config {
	cfg := sim.DefaultConfig()
	cfg.GCP.Instances = 6
	cfg.GCP.SQLInstances = 1
	return cfg
}

// harness is the receiver against the simulator, through the real Google Cloud clients.
type harness struct {
	srv  *simgcp.TestServer
	scfg sim.Config
	clk  *cloudscrapetest.Clock
	tel  *componenttest.Telemetry
	loop *cloudscrapetest.Loop
	cfg  *Config
	dir  string
}

func newHarness(t testing.TB, scfg sim.Config, mod func(*Config)) *harness {
	t.Helper()
	clk := &cloudscrapetest.Clock{T: simStart}
	h := &harness{srv: simgcp.NewTestServer(t, scfg, sim.WithClock(clk.Now)), scfg: scfg, clk: clk, tel: componenttest.NewTelemetry(), dir: t.TempDir()}
	t.Cleanup(func() { _ = h.tel.Shutdown(t.Context()) })
	h.restart(t, mod)
	t.Cleanup(func() { _ = h.loop.R.Shutdown(t.Context()) })
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
	cfg.Auth = AuthConfig{Mode: AuthServiceAccountKey, KeyFile: h.srv.KeyFile}
	cfg.Projects = []string{h.scfg.GCP.Projects[0].ID}
	cfg.Endpoints = EndpointsConfig{Monitoring: h.srv.GRPCAddr, Compute: h.srv.URL + "/compute/v1/", SQLAdmin: h.srv.URL + "/"}
	cfg.Insecure = true
	cfg.Retry.MaxAttempts = 8
	cfg.Retry.MaxBackoff = 10 * time.Millisecond
	if mod != nil {
		mod(cfg)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	prov := newProvider(cfg, nopLogger)
	prov.now = h.clk.Now
	h.loop = cloudscrapetest.Start(t, metadata.Type, &cfg.Config, prov, scopeName, h.clk, h.tel, h.dir)
	h.cfg = cfg
}

// TestScrapeGolden compares one poll of a small simulated project with the golden file.
// Answers split over pages of a few points must give the same metrics.
func TestScrapeGolden(t *testing.T) {
	f := func(maxPointsPerPage int) {
		t.Helper()
		scfg := smallFleet()
		scfg.GCP.MaxPointsPerPage = maxPointsPerPage
		h := newHarness(t, scfg, func(c *Config) { c.MaxBackfill = c.CollectionInterval })
		h.clk.T = simStart.Add(10 * time.Minute)
		md, err := h.loop.Poll()
		if err != nil {
			t.Fatal(err)
		}
		goldenPath := filepath.Join("testdata", "scrape", "expected.yaml")
		// golden.WriteMetrics(t, goldenPath, md) // regenerate after a deliberate change
		cloudscrapetest.CompareGolden(t, goldenPath, md)
	}
	f(100000) // one page per metric type
	f(7)      // a series (5 points) per page
}

// TestOneCallPerMetricTypePerPoll: a poll asks ListTimeSeries once per metric type of the
// plan, over every resource of the project, whatever the fleet's size; more resources only
// add pages.
func TestOneCallPerMetricTypePerPoll(t *testing.T) {
	f := func(instances, maxPointsPerPage, wantPagesAtLeast int) {
		t.Helper()
		scfg := smallFleet()
		scfg.GCP.Instances = instances
		scfg.GCP.MaxPointsPerPage = maxPointsPerPage
		h := newHarness(t, scfg, func(c *Config) { c.MaxBackfill = c.CollectionInterval })
		h.clk.T = simStart.Add(10 * time.Minute)
		if _, err := h.loop.Poll(); err != nil {
			t.Fatal(err)
		}
		project := scfg.GCP.Projects[0].ID
		discovery := h.srv.Sim.Stats().CallsOf(project, simgcp.ServiceMonitoring, simgcp.OpListTimeSeries)
		h.srv.Sim.ResetStats()
		h.clk.T = h.clk.T.Add(5 * time.Minute)
		if _, err := h.loop.Poll(); err != nil {
			t.Fatal(err)
		}
		// Metric types: 9 Compute Engine, 2 Ops Agent, 4 Cloud SQL.
		types := len(canonical.GCP.Mappings)
		calls := h.srv.Sim.Stats().CallsOf(project, simgcp.ServiceMonitoring, simgcp.OpListTimeSeries)
		if calls < types*wantPagesAtLeast || wantPagesAtLeast == 1 && calls != types {
			t.Errorf("%d instances, %d points a page: %d ListTimeSeries calls in a poll, want %d types × at least %d pages (first poll: %d with discovery)",
				instances, maxPointsPerPage, calls, types, wantPagesAtLeast, discovery)
		}
		billed := cloudscrapetest.SelfMetric(t, h.tel, cloudscrape.MetricBilledUnits)
		if got := billed["cloud.account.id="+project+",operation=ListTimeSeries,provider=gcp,service=Monitoring"]; int(got) != discovery+calls {
			t.Errorf("billed %v ListTimeSeries calls, want %d", got, discovery+calls)
		}
	}
	// A small fleet: one call per type.
	f(6, 100000, 1)
	// Ten times the instances, still one call per type.
	f(60, 100000, 1)
	// Pages of at most 20 points (4 series of 5 points): every type of 30 instances pages.
	f(60, 20, 2)
}

// TestRestartFromCheckpointHasNoGapNorDuplicate polls, restarts over the same storage, polls
// later, and expects every series to continue one period after its last point.
func TestRestartFromCheckpointHasNoGapNorDuplicate(t *testing.T) {
	// Every instance running: a stopped one's series end before the restart by design.
	scfg := smallFleet()
	scfg.GCP.StoppedFraction = 0
	h := newHarness(t, scfg, nil)
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

// TestFaultsAreSurvived injects each fault and expects no crash, the right status and the
// right request outcome counted.
func TestFaultsAreSurvived(t *testing.T) {
	f := func(name string, faults sim.FaultConfig, wantStatus, wantOutcome string) {
		t.Run(name, func(t *testing.T) {
			scfg := smallFleet()
			scfg.Faults = faults
			h := newHarness(t, scfg, nil)
			h.clk.T = simStart.Add(10 * time.Minute)
			md, err := h.loop.Poll()
			project := scfg.GCP.Projects[0].ID
			if got := cloudscrapetest.CollectionStatus(md)[project]; got != wantStatus {
				t.Errorf("status = %q, want %q (poll error: %v)", got, wantStatus, err)
			}
			if (err != nil) != strings.HasPrefix(wantStatus, cloudscrape.StatusFailed) {
				t.Errorf("poll error %v with status %q", err, wantStatus)
			}
			if cloudscrapetest.RequestsWithOutcome(t, h.tel, wantOutcome) == 0 {
				t.Errorf("no request counted with outcome %q", wantOutcome)
			}
		})
	}
	// Half the calls RESOURCE_EXHAUSTED or 429: retried with backoff until they pass.
	f("throttling", sim.FaultConfig{ThrottleRate: 0.5}, cloudscrape.StatusSuccess+":", "throttled")
	// Half the calls UNAVAILABLE or 503: retried.
	f("unavailable", sim.FaultConfig{ServerErrorRate: 0.5}, cloudscrape.StatusSuccess+":", "error")
	// Every call says the token is no good: the project fails as auth, with the code.
	f("expired credentials", sim.FaultConfig{ExpiredCredentialsRate: 1}, cloudscrape.StatusFailed+":authError", "auth")
	// Every answer malformed: reported, not a crash.
	f("malformed answers", sim.FaultConfig{MalformedRate: 1}, cloudscrape.StatusFailed+":malformed", "ok")
}

// TestExpiredCredentialsAreRenewed: a refused token fails the poll as auth, the credentials
// are renewed (a new token fetched), and a later poll succeeds.
func TestExpiredCredentialsAreRenewed(t *testing.T) {
	scfg := smallFleet()
	scfg.Faults = sim.FaultConfig{ExpiredCredentialsRate: 0.5, Operations: []string{simgcp.OpAggregatedInstances}}
	h := newHarness(t, scfg, nil)
	project := scfg.GCP.Projects[0].ID
	h.clk.T = simStart.Add(10 * time.Minute)
	var statuses []string
	for range 8 {
		md, _ := h.loop.Poll()
		statuses = append(statuses, cloudscrapetest.CollectionStatus(md)[project])
		h.clk.T = h.clk.T.Add(5 * time.Minute)
	}
	failed := slices.Index(statuses, cloudscrape.StatusFailed+":authError")
	if failed < 0 || !slices.Contains(statuses[failed:], cloudscrape.StatusSuccess+":") {
		t.Fatalf("statuses %v: want an auth failure, then a success", statuses)
	}
	if n := h.srv.Sim.Stats().CallsOf("", simgcp.ServiceOAuth, simgcp.OpToken); n < 2 {
		t.Errorf("%d tokens fetched, want a new one after the refusal", n)
	}
}

// TestWorkloadIdentityFederation signs in with an external_account configuration: the subject
// token read from a file is exchanged at the token endpoint.
func TestWorkloadIdentityFederation(t *testing.T) {
	dir := t.TempDir()
	subject := filepath.Join(dir, "subject-token")
	conf := filepath.Join(dir, "wif.json")
	h := newHarness(t, smallFleet(), nil)
	if err := os.WriteFile(subject, []byte("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"type": "external_account", "audience": "//iam.googleapis.com/projects/100000000001/locations/global/workloadIdentityPools/pool/providers/ci",
		"subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": h.srv.URL + "/token",
		"credential_source": map[string]string{"file": subject},
	})
	if err := os.WriteFile(conf, b, 0o600); err != nil {
		t.Fatal(err)
	}
	h.restart(t, func(c *Config) { c.Auth = AuthConfig{Mode: AuthWorkloadIdentityFederation, ConfigFile: conf} })
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.loop.Poll()
	if err != nil {
		t.Fatal(err)
	}
	if got := cloudscrapetest.CollectionStatus(md)[h.cfg.Projects[0]]; got != cloudscrape.StatusSuccess+":" {
		t.Errorf("status %q", got)
	}
}

// TestSettleDelayFromDescriptors: the window ends the descriptors' longest ingest delay (240 s
// for Compute Engine) before now, not the 3-minute `delay`: at 12:10 the last period asked for
// ends at 12:06 (it is stamped with its start, 12:05).
func TestSettleDelayFromDescriptors(t *testing.T) {
	h := newHarness(t, smallFleet(), nil)
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.loop.Poll()
	if err != nil {
		t.Fatal(err)
	}
	want := simStart.Add(5 * time.Minute).UnixMilli()
	checked := 0
	for key, ts := range cloudscrapetest.Points(md) {
		if cloudscrapetest.IsInventory(key) || !strings.Contains(key, "cpu/utilization") {
			continue
		}
		if got := ts[len(ts)-1]; got > want {
			t.Errorf("%s: last point at %s, want at most %s", key, time.UnixMilli(got).UTC(), time.UnixMilli(want).UTC())
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no CPU series")
	}
	if d := h.cfg.Delay; d >= 4*time.Minute {
		t.Fatalf("the configured delay %s would explain it", d)
	}
}
