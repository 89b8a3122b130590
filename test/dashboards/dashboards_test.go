package dashboards

import (
	"path/filepath"
	"strings"
	"testing"
)

// wantDashboards are the provisioned dashboards issue 6 asks for, by uid.
var wantDashboards = []string{"mcobs-anomalies", "mcobs-capacity", "mcobs-collector", "mcobs-overview", "mcobs-resource"}

func loadProvisioned(t *testing.T) ([]Dashboard, map[string]string, map[string]string) {
	t.Helper()
	prov := ProvisioningDir()
	ds, err := Datasources(prov)
	if err != nil {
		t.Fatal(err)
	}
	boards, err := LoadAll(DashboardDir(prov))
	if err != nil {
		t.Fatal(err)
	}
	known, err := KnownMetrics(RepoDir())
	if err != nil {
		t.Fatal(err)
	}
	return boards, ds, known
}

func TestProvisionedDashboardsPassEveryCheck(t *testing.T) {
	boards, ds, known := loadProvisioned(t)
	var uids []string
	for _, d := range boards {
		uids = append(uids, d.UID)
		if err := Check(d, ds, known); err != nil {
			t.Errorf("%s:\n%v", d.File, err)
		}
		t.Logf("%s: %d queries", d.File, len(d.Queries()))
		if len(d.Queries()) == 0 {
			t.Errorf("%s has no queries", d.File)
		}
	}
	if strings.Join(uids, " ") != strings.Join(wantDashboards, " ") {
		t.Errorf("dashboard uids %q, want %q", uids, wantDashboards)
	}
}

// TestEveryFileIsValidJSON covers files LoadAll would not reach through a bad name, and fails
// on a dashboard file that is not JSON at all.
func TestEveryFileIsValidJSON(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(DashboardDir(ProvisioningDir()), "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no dashboard files")
	}
	for _, f := range files {
		if filepath.Ext(f) != ".json" {
			t.Errorf("%s: a dashboard file must end in .json for the file provider to load it", f)
			continue
		}
		if _, err := Load(f); err != nil {
			t.Error(err)
		}
	}
}

func TestDatasourceProvisioning(t *testing.T) {
	ds, err := Datasources(ProvisioningDir())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"mcobs-prometheus": "prometheus", "mcobs-insights": InsightsType}
	for uid, typ := range want {
		if ds[uid] != typ {
			t.Errorf("datasource %q has type %q, want %q", uid, ds[uid], typ)
		}
	}
	var p struct {
		Datasources []struct {
			UID string `yaml:"uid"`
			URL string `yaml:"url"`
		} `yaml:"datasources"`
	}
	if err := ReadYAML(filepath.Join(ProvisioningDir(), "datasources", "mcobs.yaml"), &p); err != nil {
		t.Fatal(err)
	}
	for _, d := range p.Datasources {
		if d.URL != "$MCOBS_PROMETHEUS_URL" {
			t.Errorf("datasource %q url %q, want $MCOBS_PROMETHEUS_URL (set by mcobs up)", d.UID, d.URL)
		}
	}
}

// TestDashboardProviderPointsAtTheJSON checks that the provider's path, with the
// GF_PATHS_PROVISIONING `mcobs up` sets, is the directory holding the dashboards.
func TestDashboardProviderPointsAtTheJSON(t *testing.T) {
	var p struct {
		Providers []struct {
			Type    string `yaml:"type"`
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := ReadYAML(filepath.Join(ProvisioningDir(), "dashboards", "mcobs.yaml"), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Providers) != 1 || p.Providers[0].Type != "file" {
		t.Fatalf("providers = %+v, want one file provider", p.Providers)
	}
	path := strings.Replace(p.Providers[0].Options.Path, "$GF_PATHS_PROVISIONING", ProvisioningDir(), 1)
	if filepath.Clean(path) != filepath.Clean(DashboardDir(ProvisioningDir())) {
		t.Errorf("provider path %q resolves to %q, want %q", p.Providers[0].Options.Path, path, DashboardDir(ProvisioningDir()))
	}
}

// TestCheckFindsEachProblem breaks a valid dashboard one way at a time and expects Check to
// say so: the checks above can fail.
func TestCheckFindsEachProblem(t *testing.T) {
	_, ds, known := loadProvisioned(t)
	f := func(mod func(*Dashboard), want string) {
		t.Helper()
		d := Dashboard{File: "t.json", UID: "u", Title: "T", Tags: []string{"mcobs"}}
		d.Templating.List = []Variable{{
			Name: "provider", Type: "query", IncludeAll: true, AllValue: ".*",
			Datasource: &DatasourceRef{Type: "prometheus", UID: "mcobs-prometheus"},
			Query:      []byte(`{"query": "label_values(mcobs_inventory_instances, cloud_provider)"}`),
		}}
		d.Panels = []Panel{{
			ID: 1, Title: "p", Type: "timeseries", Datasource: &DatasourceRef{Type: "prometheus", UID: "mcobs-prometheus"},
			Targets: []Target{{RefID: "A", Expr: `provider:cpu_utilization:avg{cloud_provider=~"$provider"}`}},
		}}
		d.Panels[0].GridPos.W, d.Panels[0].GridPos.H = 12, 8
		mod(&d)
		err := Check(d, ds, known)
		if want == "" {
			if err != nil {
				t.Fatalf("Check() = %v, want nil", err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Check() = %v, want an error containing %q", err, want)
		}
	}
	// The base dashboard is valid.
	f(func(*Dashboard) {}, "")
	// Two panels with one id.
	f(func(d *Dashboard) { d.Panels = append(d.Panels, d.Panels[0]) }, `panels "p" and "p" share id 1`)
	// A panel past the right edge.
	f(func(d *Dashboard) { d.Panels[0].GridPos.X = 16 }, "outside Grafana's 24 columns")
	// Two targets with one refId.
	f(func(d *Dashboard) { d.Panels[0].Targets = append(d.Panels[0].Targets, d.Panels[0].Targets[0]) }, `repeated refId "A"`)
	// Missing uid.
	f(func(d *Dashboard) { d.UID = "" }, `uid "" and title "T" must both be set`)
	// A datasource uid nobody provisioned.
	f(func(d *Dashboard) { d.Panels[0].Datasource.UID = "prom" }, `datasource uid "prom", which is not provisioned`)
	// A target pointing at the plugin under the Prometheus type.
	f(func(d *Dashboard) {
		d.Panels[0].Targets[0].Datasource = &DatasourceRef{Type: "prometheus", UID: "mcobs-insights"}
	},
		`provisioned as "mcobs-insights-datasource"`)
	// PromQL that does not parse.
	f(func(d *Dashboard) { d.Panels[0].Targets[0].Expr = `sum by (cloud_provider (x)` }, "parse ")
	// A typo in a metric name.
	f(func(d *Dashboard) { d.Panels[0].Targets[0].Expr = `system_cpu_utilisation_ratio` }, `metric "system_cpu_utilisation_ratio" is not produced`)
	// A variable the dashboard does not define.
	f(func(d *Dashboard) { d.Panels[0].Targets[0].Expr = `up{job="$jobb"}` }, `undefined template variables ["$jobb"]`)
	// A variable query over an unknown metric.
	f(func(d *Dashboard) {
		d.Templating.List[0].Query = []byte(`"label_values(mcobs_inventory, cloud_provider)"`)
	}, `metric "mcobs_inventory" is not produced`)
	// An mcobs Insights query type the plugin does not have.
	f(func(d *Dashboard) {
		d.Panels[0].Datasource = &DatasourceRef{Type: InsightsType, UID: "mcobs-insights"}
		d.Panels[0].Targets[0].QueryType = "predict"
	}, `unknown mcobs Insights query type "predict"`)
	// anomalies needs a plain selector, not an aggregation.
	f(func(d *Dashboard) {
		d.Panels[0].Datasource = &DatasourceRef{Type: InsightsType, UID: "mcobs-insights"}
		d.Panels[0].Targets[0] = Target{RefID: "A", QueryType: KindAnomalies, Expr: `max(system_cpu_utilization_ratio)`}
	}, "must be a series selector")
	// A runway resource over an unknown metric.
	f(func(d *Dashboard) {
		d.Panels[0].Datasource = &DatasourceRef{Type: InsightsType, UID: "mcobs-insights"}
		d.Panels[0].Targets[0] = Target{RefID: "A", QueryType: KindRunway}
		d.Panels[0].Targets[0].Resources = append(d.Panels[0].Targets[0].Resources, struct {
			Name      string  `json:"name"`
			Expr      string  `json:"expr"`
			Threshold float64 `json:"threshold"`
		}{Name: "disk", Expr: "disk_full_ratio", Threshold: 0.9})
	}, `metric "disk_full_ratio" is not produced`)
}

func TestKnownMetricsFromTheirSources(t *testing.T) {
	known, err := KnownMetrics(RepoDir())
	if err != nil {
		t.Fatal(err)
	}
	// One name from each source, as Prometheus shows them in the running stack.
	for _, n := range []string{
		"system_cpu_utilization_ratio", "system_network_io_bytes_total", "db_server_io_latency_seconds", // canonical
		"mcobs_inventory_instances", "mcobs_collection_status", // cloudscrape
		"anomaly_group_score", "anomaly_level", // anomaly processor README
		"otelcol_receiver_cloud_api_requests", "otelcol_receiver_cloud_windows", "otelcol_receiver_cloud_last_success", // cloudscrape self-metrics
		"otelcol_processor_anomaly_points_non_finite",       // anomalyprocessor documentation.md
		"provider:cpu_utilization:top10", "mcobs:threshold", // recording rules
	} {
		if known[n] == "" {
			t.Errorf("%q not known", n)
		}
	}
}

func TestExpand(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got := Expand(in, map[string]string{"provider": "aws", "target": "web-1", "__rate_interval": "1m"})
		if got != want {
			t.Fatalf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
	// Every reference form.
	f(`x{a=~"$provider", b="${target}", c="${provider:regex}", d="[[target]]"}`, `x{a=~"aws", b="web-1", c="aws", d="web-1"}`)
	f(`rate(x[$__rate_interval])`, `rate(x[1m])`)
	// label_replace's "$1" and unknown names stay.
	f(`label_replace(x, "a", "$1", "b", "(.+)") + $other`, `label_replace(x, "a", "$1", "b", "(.+)") + $other`)
}
