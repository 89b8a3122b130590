package sim

import (
	"strings"
	"testing"
	"time"
)

func TestGCPConfigValidationNamesTheKey(t *testing.T) {
	f := func(yaml string, wantKeys ...string) {
		t.Helper()
		_, err := ParseConfig([]byte(yaml))
		if err == nil {
			t.Fatalf("%q: no error", yaml)
		}
		for _, k := range wantKeys {
			if !strings.Contains(err.Error(), "`"+k+"`") {
				t.Errorf("%q: error %q does not name `%s`", yaml, err, k)
			}
		}
	}
	f("gcp: {service_account: '', projects: [{id: Prod, number: 0}, {id: Prod, number: 1}]}",
		"gcp.service_account", "gcp.projects[0].id", "gcp.projects[0].number", "gcp.projects[1].id")
	f("gcp: {zones: [us-central1], instances: -1, stopped_fraction: 2, agent_fraction: -1, sql_instances: -1, max_points_per_page: 0}",
		"gcp.zones[0]", "gcp.instances", "gcp.stopped_fraction", "gcp.agent_fraction", "gcp.sql_instances", "gcp.max_points_per_page")
	f("gcp: {projects: [], zones: []}", "gcp.projects", "gcp.zones")
	if _, err := ParseConfig([]byte("faults: {accounts: [sim-project-2]}")); err != nil {
		t.Errorf("a project as a fault target: %v", err)
	}
}

// TestGCPFleetStatesAndAnomalies: the default fleet has instances in every status a collector
// must map, and GCP anomalies with ground truth whose series move during them.
func TestGCPFleetStatesAndAnomalies(t *testing.T) {
	start := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s, err := New(DefaultConfig(), WithClock(func() time.Time { return start }))
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, i := range s.GCP().Instances {
		states[i.Status]++
	}
	for _, st := range []string{GCPRunning, GCPTerminated, GCPSuspended, GCPStaging} {
		if states[st] == 0 {
			t.Errorf("no %s instance: %v", st, states)
		}
	}
	n := 0
	for _, a := range s.Truth() {
		if a.Cloud != "gcp" {
			continue
		}
		n++
		var ser Series
		for _, c := range s.GCP().SeriesOf(a.Account, a.Namespace+"/"+a.MetricName) {
			if c.Resource == a.Resource {
				ser = c
			}
		}
		if ser.Resource == "" {
			t.Fatalf("%s: no series of %s/%s for %s", a.Kind, a.Namespace, a.MetricName, a.Resource)
		}
		if a.Kind != AnomalySpike && a.Kind != AnomalyLevelShift {
			continue
		}
		// The anomaly adds magnitude × base; a day earlier at the same minute it is absent.
		during, _ := s.Sample(ser, a.Start)
		before, _ := s.Sample(ser, a.Start.Add(-24*time.Hour))
		if during <= before {
			t.Errorf("%s of %s/%s: %v during, %v a day before", a.Kind, a.Namespace, a.MetricName, during, before)
		}
	}
	if n != DefaultConfig().Anomalies.Count {
		t.Errorf("%d GCP anomalies, want %d", n, DefaultConfig().Anomalies.Count)
	}
}
