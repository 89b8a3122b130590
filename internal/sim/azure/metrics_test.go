package simazure_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azmetrics"

	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

var vmMetricNames = []string{
	"Percentage CPU", "Available Memory Bytes", "Available Memory Percentage", "Network In Total", "Network Out Total",
	"Disk Read Bytes", "Disk Write Bytes", "Disk Read Operations/Sec", "Disk Write Operations/Sec",
}

const allAggregations = "average,total,minimum,maximum,count"

func timeParam(t time.Time) *string { return ptr(t.UTC().Format("2006-01-02T15:04:05.000Z")) }

// batch queries one metrics:getBatch call with PT1M and every aggregation.
func (e *env) batch(t *testing.T, region, sub, namespace string, names, ids []string, start, end time.Time) (azmetrics.QueryResourcesResponse, error) {
	t.Helper()
	return e.metrics(t, region).QueryResources(ctx(t), sub, namespace, names, azmetrics.ResourceIDList{ResourceIDs: ids},
		&azmetrics.QueryResourcesOptions{StartTime: timeParam(start), EndTime: timeParam(end), Interval: ptr("PT1M"), Aggregation: ptr(allAggregations)})
}

func (e *env) vmIDs(sub, region string) []string {
	var ids []string
	for _, vm := range e.sim.Azure().VMsOf(sub, region) {
		ids = append(ids, vm.ID)
	}
	return ids
}

func TestMetricsBatchServesEveryVMMetric(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	ids := e.vmIDs(sub1, "eastus")
	start := simNow.Add(-30 * time.Minute)
	resp, err := e.batch(t, "eastus", sub1, sim.AzureVMNamespace, vmMetricNames, ids, start, simNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Values) != len(ids) {
		t.Fatalf("%d resources answered, %d asked", len(resp.Values), len(ids))
	}
	settled := simNow.Add(-time.Minute - e.cfg.SettleDelay)
	for i, rv := range resp.Values {
		vm := e.sim.Azure().VMsOf(sub1, "eastus")[i]
		if *rv.ResourceID != vm.ID || *rv.ResourceRegion != "eastus" || *rv.Namespace != "microsoft.compute/virtualmachines" || *rv.Interval != "PT1M" {
			t.Fatalf("resource %d: %s %s %s %s", i, *rv.ResourceID, *rv.ResourceRegion, *rv.Namespace, *rv.Interval)
		}
		if len(rv.Values) != len(vmMetricNames) {
			t.Fatalf("%s: %d metrics", vm.Name, len(rv.Values))
		}
		for j, m := range rv.Values {
			ser, _ := e.sim.Azure().Series(vm.ID, vmMetricNames[j])
			if *m.Name.Value != vmMetricNames[j] || string(*m.Unit) != ser.Unit || *m.ErrorCode != "Success" || len(m.TimeSeries) != 1 {
				t.Fatalf("%s metric %d: %s in %s, %s, %d series", vm.Name, j, *m.Name.Value, *m.Unit, *m.ErrorCode, len(m.TimeSeries))
			}
			data := m.TimeSeries[0].Data
			if len(data) != 30 {
				t.Fatalf("%s %s: %d entries, want one per minute of 30", vm.Name, *m.Name.Value, len(data))
			}
			for k, d := range data {
				ts := start.Add(time.Duration(k) * time.Minute)
				if !d.TimeStamp.Equal(ts) {
					t.Fatalf("entry %d at %v, want %v", k, d.TimeStamp, ts)
				}
				v, ok := e.sim.Sample(ser, ts)
				switch {
				case vm.PowerState != sim.PowerRunning && d.Average != nil:
					t.Errorf("%s is %s but has a %s point at %v", vm.Name, vm.PowerState, *m.Name.Value, ts)
				case vm.PowerState == sim.PowerRunning && ts.Before(settled) &&
					(d.Average == nil || *d.Average != v || *d.Total != v || *d.Minimum != v || *d.Maximum != v || *d.Count != 1 || !ok):
					t.Errorf("%s %s at %v: %+v, want the sample %v", vm.Name, *m.Name.Value, ts, d, v)
				}
			}
		}
	}
}

func TestMetricsBatchPostgres(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	pg := e.sim.Azure().PostgresOf(sub2, "westeurope")[0]
	resp, err := e.batch(t, "westeurope", sub2, "microsoft.dbforpostgresql/flexibleservers",
		[]string{"cpu_percent", "active_connections", "storage_free", "disk_read_latency"}, []string{pg.ID}, simNow.Add(-time.Hour), simNow)
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]string{}
	for _, m := range resp.Values[0].Values {
		units[*m.Name.Value] = string(*m.Unit)
		if d := m.TimeSeries[0].Data[0]; d.Average == nil || *d.Average < 0 {
			t.Errorf("%s: first point %+v", *m.Name.Value, d)
		}
	}
	want := map[string]string{"cpu_percent": "Percent", "active_connections": "Count", "storage_free": "Bytes", "disk_read_latency": "MilliSeconds"}
	if fmt.Sprint(units) != fmt.Sprint(want) {
		t.Errorf("units %v, want %v", units, want)
	}
}

func TestStoppedVMHasNoPointsAfterItStopped(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	var vm *sim.AzureVM
	for _, v := range e.sim.Azure().VMsOf(sub1, "") {
		if v.PowerState == sim.PowerDeallocated {
			vm = v
			break
		}
	}
	if vm == nil {
		t.Fatal("no deallocated VM in the default fleet")
	}
	resp, err := e.batch(t, vm.Location, sub1, sim.AzureVMNamespace, []string{"Percentage CPU"}, []string{vm.ID},
		vm.StoppedAt.Add(-10*time.Minute), vm.StoppedAt.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	data := resp.Values[0].Values[0].TimeSeries[0].Data
	if len(data) != 20 {
		t.Fatalf("%d entries, want 20", len(data))
	}
	for _, d := range data {
		if before := d.TimeStamp.Before(vm.StoppedAt); before != (d.Average != nil) {
			t.Errorf("%v (stopped at %v): average %v", d.TimeStamp, vm.StoppedAt, d.Average)
		}
	}
}

func TestMetricsBatchLimits(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	ids := e.vmIDs(sub1, "eastus")
	pg := e.sim.Azure().PostgresOf(sub1, "eastus")[0]
	f := func(region string, names, ids []string, namespace, wantText string) {
		t.Helper()
		_, err := e.batch(t, region, sub1, namespace, names, ids, simNow.Add(-time.Hour), simNow)
		if code, status := errorCode(err); status != http.StatusBadRequest || (code != "BadRequest" && code != "ResourceNotFound") {
			t.Fatalf("%s: %v, want a 400", wantText, err)
		}
		if !strings.Contains(err.Error(), wantText) {
			t.Errorf("%v does not say %q", err, wantText)
		}
	}
	var many []string
	for i := range 51 {
		many = append(many, fmt.Sprintf("/subscriptions/%s/resourceGroups/rg-apps/providers/Microsoft.Compute/virtualMachines/vm-%02d", sub1, i))
	}
	// 51 resource ids.
	f("eastus", vmMetricNames, many, sim.AzureVMNamespace, "exceeds the maximum of 50")
	// 21 metric names.
	f("eastus", append(append(append([]string{}, vmMetricNames...), vmMetricNames...), "Percentage CPU", "Percentage CPU", "Percentage CPU"), ids, sim.AzureVMNamespace, "exceeds the maximum of 20")
	// An unknown metric.
	f("eastus", []string{"Percentage CPU", "CPU Credits Consumed"}, ids, sim.AzureVMNamespace, "Failed to find metric configuration")
	// A resource of another subscription.
	f("eastus", vmMetricNames, append(ids[:1:1], e.vmIDs(sub2, "eastus")[0]), sim.AzureVMNamespace, "not in subscription")
	// A resource of another region.
	f("westeurope", vmMetricNames, ids[:1], sim.AzureVMNamespace, "all resources of a batch must be in the region")
	// A resource of another type.
	f("eastus", vmMetricNames, []string{ids[0], pg.ID}, sim.AzureVMNamespace, "not of the metric namespace")
	// A resource that does not exist.
	f("eastus", vmMetricNames, []string{many[0]}, sim.AzureVMNamespace, "was not found")
	// None of these calls counts as a batch.
	if b := e.sim.Stats().MetricBatchesIn(sub1, "", ""); b.Calls != 0 {
		t.Errorf("rejected batches counted: %+v", b)
	}
}

// A collector that splits its resources into batches of 50 and its metrics into batches of
// 20 makes ceil(resources/50) x ceil(metrics/20) calls per subscription, region and type,
// and the stats show exactly that.
func TestMetricBatchStatsPerPoll(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Azure.Regions = []string{"eastus"}
	cfg.Azure.VMs = 120
	e := newEnv(t, cfg)
	ids := e.vmIDs(sub1, "eastus")
	for lo := 0; lo < len(ids); lo += 50 {
		if _, err := e.batch(t, "eastus", sub1, sim.AzureVMNamespace, vmMetricNames, ids[lo:min(lo+50, len(ids))], simNow.Add(-5*time.Minute), simNow); err != nil {
			t.Fatal(err)
		}
	}
	pg := e.sim.Azure().PostgresOf(sub1, "eastus")[0]
	if _, err := e.batch(t, "eastus", sub1, sim.AzurePostgresNamespace, []string{"cpu_percent", "storage_free"}, []string{pg.ID}, simNow.Add(-5*time.Minute), simNow); err != nil {
		t.Fatal(err)
	}
	st := e.sim.Stats()
	if got, want := st.MetricBatchesIn(sub1, "eastus", sim.AzureVMNamespace),
		(sim.MetricBatchCount{Account: sub1, Region: "eastus", Namespace: sim.AzureVMNamespace, Calls: 3, Resources: 120, Metrics: 1080}); got != want {
		t.Errorf("VM batches %+v, want %+v", got, want)
	}
	if got := st.MetricBatchesIn(sub1, "eastus", "microsoft.dbforpostgresql/flexibleservers"); got.Calls != 1 || got.Metrics != 2 {
		t.Errorf("PostgreSQL batches %+v", got)
	}
	if st.CallsIn(sub1, "eastus", simazure.Service, simazure.OpMetricsBatch) != 4 || st.MetricsRequestedBy(sub1) != 1082 {
		t.Errorf("%d calls, %d metrics requested; want 4 and 1082", st.CallsIn(sub1, "eastus", simazure.Service, simazure.OpMetricsBatch), st.MetricsRequestedBy(sub1))
	}
	// The same counters over GET /sim/stats on the simulator's address.
	var wire sim.Stats
	getJSON(t, e, "/sim/stats", &wire)
	if got := wire.MetricBatchesIn(sub1, "eastus", sim.AzureVMNamespace); got.Calls != 3 {
		t.Errorf("/sim/stats metric_batches %+v", wire.MetricBatches)
	}
}

func TestMetricsSettle(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	vm := e.sim.Azure().VMsOf(sub1, "eastus")[0]
	if vm.PowerState != sim.PowerRunning {
		t.Fatal("the first VM is not running")
	}
	start := simNow.Add(-10 * time.Minute)
	series := func() []azmetrics.MetricValue {
		t.Helper()
		resp, err := e.batch(t, "eastus", sub1, sim.AzureVMNamespace, []string{"Network In Total"}, []string{vm.ID}, start, simNow)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Values[0].Values[0].TimeSeries[0].Data
	}
	early := series()
	e.clock.Set(simNow.Add(e.cfg.SettleDelay + time.Minute))
	late := series()
	missing := 0
	for i := range early {
		if early[i].Total == nil {
			missing++
			if late[i].Total == nil {
				t.Errorf("%v still missing after the settle delay", late[i].TimeStamp)
			}
		} else if *early[i].Total != *late[i].Total {
			t.Errorf("%v changed after it settled: %v then %v", early[i].TimeStamp, *early[i].Total, *late[i].Total)
		}
	}
	if missing == 0 || early[0].Total == nil {
		t.Errorf("%d of the last minutes missing at query time, want some, and not the oldest", missing)
	}
}

func TestSameSeedSameValues(t *testing.T) {
	values := func(seed int64) (string, string) {
		cfg := sim.DefaultConfig()
		cfg.Seed = seed
		e := newEnv(t, cfg)
		ids := e.vmIDs(sub1, "westeurope")
		resp, err := e.batch(t, "westeurope", sub1, sim.AzureVMNamespace, vmMetricNames, ids, simNow.Add(-20*time.Minute), simNow.Add(-5*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, rv := range resp.Values {
			for _, m := range rv.Values {
				for _, d := range m.TimeSeries[0].Data {
					if d.Average != nil {
						fmt.Fprintf(&b, "%v ", *d.Average)
					}
				}
			}
		}
		return strings.Join(ids, ","), b.String()
	}
	ids1, a := values(1)
	ids1b, b := values(1)
	_, c := values(2)
	if ids1 != ids1b || a != b || a == "" {
		t.Error("the same seed served different values")
	}
	if a == c {
		t.Error("seeds 1 and 2 served the same values")
	}
}

func TestAzureAnomaliesInTheTruthShowInTheMetrics(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Anomalies.Start = "2026-11-18T10:00:00Z"
	cfg.Anomalies.Window = 4 * time.Hour
	e := newEnv(t, cfg)
	cfg.Anomalies.Count = 0
	clean := newEnv(t, cfg)
	var truth struct {
		Anomalies []sim.Anomaly `json:"anomalies"`
	}
	getJSON(t, e, "/sim/truth", &truth)
	n := 0
	for _, a := range truth.Anomalies {
		if a.Cloud != "azure" {
			continue
		}
		n++
		at := a.Start.Add(2 * time.Minute)
		point := func(e *env) float64 {
			t.Helper()
			resp, err := e.batch(t, a.Region, a.Account, a.Namespace, []string{a.MetricName}, []string{a.Resource}, at, at.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			d := resp.Values[0].Values[0].TimeSeries[0].Data[0]
			if d.Average == nil {
				t.Fatalf("%s %s at %v: no point", a.Resource, a.MetricName, at)
			}
			return *d.Average
		}
		if with, without := point(e), point(clean); with == without {
			t.Errorf("%s on %s %s: %v with and without the anomaly", a.Kind, a.MetricName, a.Resource, with)
		}
	}
	if n != sim.DefaultConfig().Anomalies.Count {
		t.Errorf("%d Azure anomalies in /sim/truth, want %d", n, sim.DefaultConfig().Anomalies.Count)
	}
}

func getJSON(t *testing.T, e *env, path string, v any) {
	t.Helper()
	resp, err := e.client.Get(e.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, b)
	}
}
