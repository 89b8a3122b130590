package sim

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Azure resource types beyond VMs and PostgreSQL servers: each VM's managed OS disk, SQL
// databases and load balancers.
const (
	AzureDiskNamespace = "Microsoft.Compute/disks"
	AzureSQLNamespace  = "Microsoft.Sql/servers/databases"
	AzureLBNamespace   = "Microsoft.Network/loadBalancers"
)

// Managed disk states (properties.diskState): a deallocated VM's disks are Reserved.
const (
	DiskAttached = "Attached"
	DiskReserved = "Reserved"
)

// AzureDisk is a VM's managed OS disk.
type AzureDisk struct {
	ID, Name, Subscription, ResourceGroup, Location string
	SizeGiB                                         int
	SKU                                             string
	State                                           string
	// VM is the id of the VM the disk is attached to (managedBy); Until is when that VM
	// stopped, which ends the disk's metrics.
	VM    string
	Until time.Time
	Tags  []Tag
}

// AzureSQLDatabase is a database on its own Azure SQL logical server.
type AzureSQLDatabase struct {
	ID, Name, Server, Subscription, ResourceGroup, Location string
	SKU, Tier                                               string
	MaxSizeBytes                                            float64
	Status                                                  string
	Tags                                                    []Tag
}

// AzureLoadBalancer is a Standard public load balancer.
type AzureLoadBalancer struct {
	ID, Name, Subscription, ResourceGroup, Location string
	FrontendIP                                      string
	Tags                                            []Tag
}

// addMoreResources adds each VM's disk and, per subscription and region, the SQL databases
// and load balancers.
func (f *AzureFleet) addMoreResources(seed int64, ac AzureConfig) {
	for _, vm := range f.VMs {
		h := hashOf(seed, "azure-disk", vm.ID)
		name := vm.Name + "_OsDisk_1"
		d := &AzureDisk{
			ID:   rgID(vm.Subscription, vm.ResourceGroup) + "/providers/Microsoft.Compute/disks/" + name,
			Name: name, Subscription: vm.Subscription, ResourceGroup: vm.ResourceGroup, Location: vm.Location,
			SizeGiB: []int{64, 128, 256}[mix(h)%3], SKU: "Premium_LRS", State: DiskAttached,
			VM: vm.ID, Until: vm.StoppedAt, Tags: vm.Tags,
		}
		if vm.PowerState == PowerDeallocated {
			d.State = DiskReserved
		}
		f.Disks = append(f.Disks, d)
	}
	for si, sub := range f.Subscriptions {
		for ri, region := range f.Regions {
			for j := range ac.SQLDatabases {
				h := hashOf(seed, "azure-sql", sub.ID, region, j)
				app := dbApps[int(mix(h^1)%uint64(len(dbApps)))]
				server := fmt.Sprintf("sql-%s-%s-%04x", app, region, uint16(mix(h^2)))
				name := fmt.Sprintf("%sdb%d", app, j)
				f.SQLDatabases = append(f.SQLDatabases, &AzureSQLDatabase{
					ID:   rgID(sub.ID, azurePlatformRG) + "/providers/Microsoft.Sql/servers/" + server + "/databases/" + name,
					Name: name, Server: server, Subscription: sub.ID, ResourceGroup: azurePlatformRG, Location: region,
					SKU: "GP_Gen5_2", Tier: "GeneralPurpose", MaxSizeBytes: float64([]int{32, 64, 128}[mix(h^3)%3]) * (1 << 30),
					Status: "Online",
					Tags:   []Tag{{"env", pick(mix(h^4), environments)}, {"team", pick(mix(h^5), teams)}, {"app", app}},
				})
			}
			for j := range ac.LoadBalancers {
				h := hashOf(seed, "azure-lb", sub.ID, region, j)
				name := fmt.Sprintf("lb-%s-%02d", region, j)
				f.LoadBalancers = append(f.LoadBalancers, &AzureLoadBalancer{
					ID:   rgID(sub.ID, azureAppsRG) + "/providers/Microsoft.Network/loadBalancers/" + name,
					Name: name, Subscription: sub.ID, ResourceGroup: azureAppsRG, Location: region,
					FrontendIP: fmt.Sprintf("20.%d.%d.%d", 40+si, 10+ri, 1+mix(h)%250),
					Tags:       []Tag{{"env", "prod"}, {"team", pick(mix(h^1), teams)}},
				})
			}
		}
	}
}

// ofSubscription keeps the resources of a subscription and region (all regions when region is
// empty), sorted by id.
func ofSubscription[T any](all []*T, key func(*T) (id, sub, region string), sub, region string) []*T {
	var out []*T
	for _, r := range all {
		if _, s, l := key(r); s == sub && (region == "" || l == region) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		x, _, _ := key(out[a])
		y, _, _ := key(out[b])
		return x < y
	})
	return out
}

// DisksOf returns the managed disks of a subscription and region sorted by id; an empty
// region means all.
func (f *AzureFleet) DisksOf(sub, region string) []*AzureDisk {
	return ofSubscription(f.Disks, func(d *AzureDisk) (string, string, string) { return d.ID, d.Subscription, d.Location }, sub, region)
}

// SQLDatabasesOf returns the SQL databases of a subscription and region sorted by id.
func (f *AzureFleet) SQLDatabasesOf(sub, region string) []*AzureSQLDatabase {
	return ofSubscription(f.SQLDatabases, func(d *AzureSQLDatabase) (string, string, string) { return d.ID, d.Subscription, d.Location }, sub, region)
}

// LoadBalancersOf returns the load balancers of a subscription and region sorted by id.
func (f *AzureFleet) LoadBalancersOf(sub, region string) []*AzureLoadBalancer {
	return ofSubscription(f.LoadBalancers, func(l *AzureLoadBalancer) (string, string, string) { return l.ID, l.Subscription, l.Location }, sub, region)
}

// AzureDirection is the Direction dimension of a load balancer's byte and packet counts.
const AzureDirection = "Direction"

// azureLBDirections are its values.
var azureLBDirections = []string{"In", "Out"}

// Metrics of the other resource types. Disk rates are per second; load balancer counts per
// minute, one series per Direction.
var (
	azureDiskMetrics = []metricDef{
		{namespace: AzureDiskNamespace, name: "Composite Disk Read Bytes/sec", unit: "BytesPerSecond", lo: 2e4, hi: 4e6, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001},
		{namespace: AzureDiskNamespace, name: "Composite Disk Write Bytes/sec", unit: "BytesPerSecond", lo: 5e4, hi: 8e6, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001},
		{namespace: AzureDiskNamespace, name: "Composite Disk Read Operations/sec", unit: "CountPerSecond", lo: 0.5, hi: 80, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001},
		{namespace: AzureDiskNamespace, name: "Composite Disk Write Operations/sec", unit: "CountPerSecond", lo: 2, hi: 150, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001},
	}
	azureSQLMetrics = []metricDef{
		{namespace: AzureSQLNamespace, name: "cpu_percent", unit: "Percent", lo: 5, hi: 50, daily: 0.4, weekly: 0.2, noise: 0.07, target: 1.5, perDay: 0.002, max: 100},
		{namespace: AzureSQLNamespace, name: "sessions_count", unit: "Count", lo: 5, hi: 90, daily: 0.5, weekly: 0.3, noise: 0.05, target: 1.5, perDay: 0.002, count: true},
		{namespace: AzureSQLNamespace, name: "storage", unit: "Bytes", percentOf: "storage_percent"},
		{namespace: AzureSQLNamespace, name: "storage_percent", unit: "Percent", lo: 25, hi: 60, noise: 0.0005, target: 1.4, perDay: 0.003, max: 100},
	}
	azureLBMetrics = []metricDef{
		{namespace: AzureLBNamespace, name: "ByteCount", unit: "Bytes", lo: 2e7, hi: 6e8, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: AzureLBNamespace, name: "PacketCount", unit: "Count", lo: 2e4, hi: 5e5, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: AzureLBNamespace, name: "VipAvailability", unit: "Count", lo: 99.6, hi: 100, noise: 0.001, max: 100},
		{namespace: AzureLBNamespace, name: "DipAvailability", unit: "Count", lo: 96, hi: 100, noise: 0.005, max: 100},
	}
)

// azureSplitMetrics are the metrics reported per value of a dimension.
var azureSplitMetrics = map[string]map[string][]string{
	strings.ToLower(AzureLBNamespace): {"ByteCount": {AzureDirection}, "PacketCount": {AzureDirection}},
}

// AzureDimensionOf returns the dimension a metric of a resource type is reported by, or "".
func AzureDimensionOf(namespace, metric string) string {
	for name, dims := range azureSplitMetrics[strings.ToLower(namespace)] {
		if strings.EqualFold(name, metric) {
			return dims[0]
		}
	}
	return ""
}

// addMoreSeries registers the other resource types' series; a split metric has a series per
// dimension value, filed under "<metric>|<dimension>=<value>".
func (f *AzureFleet) addMoreSeries(add func(sub, region, ns, id string, until time.Time, capacity float64, defs []metricDef)) {
	for _, d := range f.Disks {
		add(d.Subscription, d.Location, AzureDiskNamespace, d.ID, d.Until, 0, azureDiskMetrics)
	}
	for _, db := range f.SQLDatabases {
		add(db.Subscription, db.Location, AzureSQLNamespace, db.ID, time.Time{}, db.MaxSizeBytes, azureSQLMetrics)
	}
	for _, lb := range f.LoadBalancers {
		add(lb.Subscription, lb.Location, AzureLBNamespace, lb.ID, time.Time{}, 0, azureLBMetrics)
	}
}

// SplitSeries returns the per-dimension-value series of a split metric of a resource, in
// dimension value order, or nil when the metric is not split.
func (f *AzureFleet) SplitSeries(resourceID, metric string) []Series {
	dim := AzureDimensionOf(resourceNamespace(resourceID), metric)
	if dim == "" {
		return nil
	}
	var out []Series
	for _, v := range azureLBDirections {
		if s, ok := f.series[strings.ToLower(resourceID)+"|"+strings.ToLower(metric)+"|"+strings.ToLower(dim+"="+v)]; ok {
			out = append(out, s)
		}
	}
	return out
}

// resourceNamespace is the resource type of an ARM resource id: the provider namespace and
// the type segments after it (Microsoft.Sql/servers/databases).
func resourceNamespace(id string) string {
	_, rest, ok := strings.Cut(id, "/providers/")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 3 {
		return ""
	}
	ns := parts[0] + "/" + parts[1]
	for i := 3; i+1 < len(parts); i += 2 {
		ns += "/" + parts[i]
	}
	return ns
}
