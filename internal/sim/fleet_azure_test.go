package sim

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAzureConfigValidationNamesTheKey(t *testing.T) {
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
	// Identities.
	f("azure: {tenant_id: contoso, client_id: '', client_secret: ''}",
		"azure.tenant_id", "azure.client_id", "azure.client_secret")
	// Subscriptions: malformed, repeated, unnamed.
	f("azure: {subscriptions: [{id: x, name: a}, {id: 33333333-3333-4333-8333-333333333333, name: ''}, {id: 33333333-3333-4333-8333-333333333333, name: b}]}",
		"azure.subscriptions[0].id", "azure.subscriptions[1].name", "azure.subscriptions[2].id")
	// Regions, sizes and fractions.
	f("azure: {regions: [East-US, eastus, eastus], vms: -1, stopped_fraction: 2, postgres_servers: -1}",
		"azure.regions[0]", "azure.regions[2]", "azure.vms", "azure.stopped_fraction", "azure.postgres_servers")
	// No subscription at all.
	f("azure: {subscriptions: [], regions: []}", "azure.subscriptions", "azure.regions")
	// A subscription is a valid fault target, an unknown GUID is not.
	if _, err := ParseConfig([]byte("faults: {accounts: ['22222222-2222-4222-8222-222222222222', '72f988bf-0000-4000-8000-000000000001']}")); err != nil {
		t.Errorf("subscription and tenant as fault targets: %v", err)
	}
	f("faults: {accounts: ['44444444-4444-4444-8444-444444444444']}", "faults.accounts[0]")
}

func TestDefaultAzureFleet(t *testing.T) {
	s := newTestSim(t, DefaultConfig())
	f := s.Azure()
	if len(f.Subscriptions) != 2 || len(f.VMs) != 24 || len(f.PostgresServers) != 4 || len(f.VNets) != 4 {
		t.Fatalf("%d subscriptions, %d VMs, %d PostgreSQL servers, %d VNets", len(f.Subscriptions), len(f.VMs), len(f.PostgresServers), len(f.VNets))
	}
	for _, sub := range f.Subscriptions {
		states := map[string]int{}
		groups := map[string]bool{}
		for _, vm := range f.VMsOf(sub.ID, "") {
			states[vm.PowerState]++
			groups[vm.ResourceGroup] = true
			want := "/subscriptions/" + sub.ID + "/resourceGroups/" + vm.ResourceGroup + "/providers/Microsoft.Compute/virtualMachines/" + vm.Name
			if vm.ID != want {
				t.Errorf("VM id %q, want %q", vm.ID, want)
			}
			if (vm.PowerState == PowerRunning) != vm.StoppedAt.IsZero() {
				t.Errorf("%s: %s but stopped at %v", vm.Name, vm.PowerState, vm.StoppedAt)
			}
		}
		if states[PowerStopped] == 0 || states[PowerDeallocated] == 0 || states[PowerStarting] != 1 || states[PowerRunning] < 6 {
			t.Errorf("%s power states %v, want some stopped, some deallocated, one starting, most running", sub.Name, states)
		}
		if len(groups) != 2 {
			t.Errorf("%s: VMs in %d resource groups, want 2", sub.Name, len(groups))
		}
		nics := 0
		for _, v := range f.VNetsOf(sub.ID) {
			if n := len(v.Subnets); n < 2 || n > 3 {
				t.Errorf("%s: %d subnets", v.ID, n)
			}
			for _, sn := range v.Subnets {
				nics += len(sn.NICs)
				if sn.Limit() != 251 {
					t.Errorf("%s: limit %d, want 251 for a /24", sn.ID, sn.Limit())
				}
			}
		}
		if nics != len(f.VMsOf(sub.ID, "")) {
			t.Errorf("%s: %d NICs in subnets, %d VMs", sub.Name, nics, len(f.VMsOf(sub.ID, "")))
		}
	}
}

func TestAzureStoppedVMHasNoDataAfterItStopped(t *testing.T) {
	s := newTestSim(t, DefaultConfig())
	for _, vm := range s.Azure().VMs {
		if vm.PowerState == PowerRunning {
			continue
		}
		ser, ok := s.Azure().Series(strings.ToUpper(vm.ID), "percentage cpu")
		if !ok {
			t.Fatalf("no CPU series for %s (case-insensitive lookup)", vm.ID)
		}
		if _, ok := s.Sample(ser, vm.StoppedAt.Add(-time.Minute)); !ok {
			t.Errorf("%s: no sample the minute before it stopped", vm.Name)
		}
		if _, ok := s.Sample(ser, vm.StoppedAt); ok {
			t.Errorf("%s: a sample the minute it stopped", vm.Name)
		}
	}
}

func TestAzureAvailableMemoryBytesFollowsThePercentage(t *testing.T) {
	s := newTestSim(t, DefaultConfig())
	vm := s.Azure().VMs[0]
	pct, _ := s.Azure().Series(vm.ID, "Available Memory Percentage")
	bytes, _ := s.Azure().Series(vm.ID, "Available Memory Bytes")
	at := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	p, ok1 := s.Sample(pct, at)
	b, ok2 := s.Sample(bytes, at)
	if !ok1 || !ok2 || p <= 0 || p > 100 || math.Abs(b-math.Round(p/100*vm.MemoryBytes)) > 0 {
		t.Errorf("%.2f%% of %.0f bytes is %.0f bytes available, want %.0f", p, vm.MemoryBytes, b, p/100*vm.MemoryBytes)
	}
}

func TestAzureAnomaliesChangeTheirSeries(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Anomalies.Start = "2026-11-18T00:00:00Z"
	with := newTestSim(t, cfg)
	cfg.Anomalies.Count = 0
	without := newTestSim(t, cfg)
	var n int
	for _, a := range with.Truth() {
		if a.Cloud != "azure" {
			continue
		}
		n++
		ser, ok := with.Azure().Series(a.Resource, a.MetricName)
		if !ok || ser.Account != a.Account || ser.Region != a.Region || ser.Namespace != a.Namespace {
			t.Fatalf("anomaly on unknown series %+v", a)
		}
		at := a.Start.Add(2 * time.Minute)
		if a.Kind == AnomalyMemoryLeak {
			at = a.Start.Add(3 * time.Hour)
		}
		v, _ := with.Sample(ser, at)
		base, _ := without.Sample(ser, at)
		if falls := a.Kind == AnomalyMemoryLeak; falls != (v < base) || v == base {
			t.Errorf("%s on %s %s: %v with the anomaly, %v without", a.Kind, a.MetricName, a.Resource, v, base)
		}
		if a.Kind == AnomalyMemoryLeak {
			bytes, _ := with.Azure().Series(a.Resource, "Available Memory Bytes")
			vb, _ := with.Sample(bytes, at)
			bb, _ := without.Sample(bytes, at)
			if vb >= bb {
				t.Errorf("memory leak on %s: available bytes %v, %v without", a.Resource, vb, bb)
			}
		}
	}
	if n != DefaultConfig().Anomalies.Count {
		t.Errorf("%d Azure anomalies, want anomalies.count = %d", n, DefaultConfig().Anomalies.Count)
	}
}

// The Azure fleet draws from its own hash streams: resizing it moves no AWS anomaly.
func TestAzureLeavesAWSUnchanged(t *testing.T) {
	a := newTestSim(t, DefaultConfig())
	cfg := DefaultConfig()
	cfg.Azure.VMs = 3
	cfg.Azure.Regions = []string{"northeurope"}
	b := newTestSim(t, cfg)
	if !reflect.DeepEqual(awsTruth(a), awsTruth(b)) {
		t.Error("AWS anomalies depend on the Azure configuration")
	}
}

func TestAzureStoppedFractionZeroKeepsEveryVMRunning(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Azure.StoppedFraction = 0
	for _, vm := range newTestSim(t, cfg).Azure().VMs {
		if vm.PowerState != PowerRunning {
			t.Errorf("%s is %s with stopped_fraction 0", vm.Name, vm.PowerState)
		}
	}
}
