package sim

import (
	"fmt"
	"strings"
	"time"
)

// Azure metric namespaces, which are also the ARM resource types of the simulated resources.
const (
	AzureVMNamespace       = "Microsoft.Compute/virtualMachines"
	AzurePostgresNamespace = "Microsoft.DBforPostgreSQL/flexibleServers"
)

// Azure VM power states, as Azure Resource Graph reports them in
// properties.extended.instanceView.powerState.code.
const (
	PowerRunning     = "PowerState/running"
	PowerStopped     = "PowerState/stopped"
	PowerDeallocated = "PowerState/deallocated"
	PowerStarting    = "PowerState/starting"
)

// AzureSubscription is one simulated subscription.
type AzureSubscription struct {
	ID   string
	Name string
}

// AzureVM is a simulated Azure virtual machine.
type AzureVM struct {
	// ID is the ARM resource id:
	// /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}.
	ID            string
	Name          string
	Subscription  string
	ResourceGroup string
	Location      string
	// VMID is the VM's unique id (properties.vmId).
	VMID        string
	Size        string
	OSType      string // Linux or Windows
	MemoryBytes float64
	PowerState  string
	// StoppedAt is when a VM that is not running stopped: its metrics end there. Zero for
	// running VMs.
	StoppedAt time.Time
	// SubnetID is the subnet of the VM's one network interface, NICID that interface.
	SubnetID    string
	NICID       string
	PrivateIP   string
	TimeCreated time.Time
	Tags        []Tag
}

// AzurePostgres is a simulated Azure Database for PostgreSQL flexible server.
type AzurePostgres struct {
	ID            string
	Name          string
	Subscription  string
	ResourceGroup string
	Location      string
	Version       string
	SKU           string
	Tier          string
	StorageGiB    int
	State         string
	Zone          string
	Tags          []Tag
}

// AzureVNet is a simulated virtual network, one per subscription and region.
type AzureVNet struct {
	ID            string
	Name          string
	Subscription  string
	ResourceGroup string
	Location      string
	AddressPrefix string
	// GUID is the network's resourceGuid.
	GUID    string
	Subnets []*AzureSubnet
	Tags    []Tag
}

// AzureSubnet is a subnet of a virtual network.
type AzureSubnet struct {
	ID            string
	Name          string
	AddressPrefix string
	// Size is the number of addresses in the prefix; Azure reserves 5 of them.
	Size int
	// NICs are the ids of the network interfaces (one per VM) with an address in the subnet.
	NICs []string
}

// Limit is the number of addresses a subnet can hand out: its size minus Azure's 5 reserved.
func (s *AzureSubnet) Limit() int { return s.Size - 5 }

// AzureFleet is the deterministic set of simulated Azure resources.
type AzureFleet struct {
	TenantID        string
	Subscriptions   []AzureSubscription
	Regions         []string
	VMs             []*AzureVM
	PostgresServers []*AzurePostgres
	VNets           []*AzureVNet
	Disks           []*AzureDisk
	SQLDatabases    []*AzureSQLDatabase
	LoadBalancers   []*AzureLoadBalancer

	// series maps a lowercased resource id and metric name to the series.
	series map[string]Series
	// byResource maps a lowercased resource id to its series, in metric order.
	byResource map[string][]Series
}

// Azure resource groups: VMs are spread over both, networks and databases live in the second.
const (
	azureAppsRG     = "rg-apps"
	azurePlatformRG = "rg-platform"
)

// azureVMSizes are the simulated sizes with their memory in GiB.
var azureVMSizes = []struct {
	name   string
	memGiB float64
}{
	{"Standard_B2s", 4}, {"Standard_D2s_v5", 8}, {"Standard_D4s_v5", 16}, {"Standard_E4s_v5", 32}, {"Standard_F4s_v2", 8},
}

var azureSubnetNames = []string{"snet-frontend", "snet-backend", "snet-data"}

// guidOf renders a hash as a version-4-shaped GUID.
func guidOf(h uint64) string {
	l := mix(h ^ 0x5bd1e995)
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff,
		0x8000|uint16(l>>48)&0x3fff, l&0xffffffffffff)
}

// NewAzureFleet builds the Azure fleet for a seed. Stopped VMs stopped between one and six
// hours before start (truncated to the hour), so their data ends in the recent past.
func NewAzureFleet(seed int64, cfg Config, start time.Time) *AzureFleet {
	ac := cfg.Azure
	f := &AzureFleet{TenantID: ac.TenantID, Regions: append([]string(nil), ac.Regions...)}
	for si, sc := range ac.Subscriptions {
		sub := sc.ID
		f.Subscriptions = append(f.Subscriptions, AzureSubscription{ID: sub, Name: sc.Name})
		for ri, region := range ac.Regions {
			f.addVNet(seed, sub, region, si, ri)
			for j := range ac.PostgresServers {
				f.PostgresServers = append(f.PostgresServers, newAzurePostgres(seed, sub, region, j))
			}
		}
		f.addVMs(seed, sub, ac, start.UTC().Truncate(time.Hour))
	}
	f.addMoreResources(seed, ac)
	f.buildSeries()
	return f
}

func rgID(sub, rg string) string { return "/subscriptions/" + sub + "/resourceGroups/" + rg }

func (f *AzureFleet) addVNet(seed int64, sub, region string, si, ri int) {
	h := hashOf(seed, "azure-vnet", sub, region)
	name := "vnet-" + region
	v := &AzureVNet{
		ID:   rgID(sub, azurePlatformRG) + "/providers/Microsoft.Network/virtualNetworks/" + name,
		Name: name, Subscription: sub, ResourceGroup: azurePlatformRG, Location: region,
		AddressPrefix: fmt.Sprintf("10.%d.0.0/16", 64+si*16+ri), GUID: guidOf(h),
		Tags: []Tag{{"env", "prod"}, {"team", "platform"}},
	}
	n := 2 + int(mix(h^1)%2)
	for s := range n {
		v.Subnets = append(v.Subnets, &AzureSubnet{
			ID: v.ID + "/subnets/" + azureSubnetNames[s], Name: azureSubnetNames[s],
			AddressPrefix: fmt.Sprintf("10.%d.%d.0/24", 64+si*16+ri, s), Size: 256,
		})
	}
	f.VNets = append(f.VNets, v)
}

func (f *AzureFleet) addVMs(seed int64, sub string, ac AzureConfig, hour time.Time) {
	nRegions := len(ac.Regions)
	stopped := 0
	var last *AzureVM
	for n := range ac.VMs {
		region := ac.Regions[n%nRegions]
		k := n / nRegions
		rg := []string{azureAppsRG, azurePlatformRG}[k%2]
		h := hashOf(seed, "azure-vm", sub, n)
		app := pick(mix(h^4), apps)
		size := azureVMSizes[mix(h^5)%uint64(len(azureVMSizes))]
		name := fmt.Sprintf("%s-%s-%02d", app, region, n)
		vnet := f.VNet(sub, region)
		subnet := vnet.Subnets[mix(h^3)%uint64(len(vnet.Subnets))]
		vm := &AzureVM{
			ID:   rgID(sub, rg) + "/providers/Microsoft.Compute/virtualMachines/" + name,
			Name: name, Subscription: sub, ResourceGroup: rg, Location: region,
			VMID: guidOf(h), Size: size.name, OSType: "Linux", MemoryBytes: size.memGiB * (1 << 30),
			PowerState: PowerRunning, SubnetID: subnet.ID,
			NICID:       rgID(sub, rg) + "/providers/Microsoft.Network/networkInterfaces/" + name + "-nic",
			PrivateIP:   fmt.Sprintf("%s.%d", strings.TrimSuffix(subnet.AddressPrefix, ".0/24"), 4+len(subnet.NICs)),
			TimeCreated: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(mix(h^6)%(200*24)) * time.Hour),
			Tags: []Tag{
				{"env", pick(mix(h^7), environments)},
				{"team", pick(mix(h^8), teams)},
				{"app", app},
			},
		}
		if mix(h^9)%4 == 0 {
			vm.OSType = "Windows"
		}
		subnet.NICs = append(subnet.NICs, vm.NICID)
		if spread(k, unit(hashOf(seed, "azure-stopped", sub, region))) < ac.StoppedFraction {
			vm.PowerState = PowerStopped
			if stopped%2 == 1 {
				vm.PowerState = PowerDeallocated
			}
			stopped++
			vm.StoppedAt = hour.Add(-time.Duration(1+mix(h^10)%6) * time.Hour)
		} else {
			last = vm
		}
		f.VMs = append(f.VMs, vm)
	}
	// When some VMs are not running, one more per subscription is starting again after a
	// deallocation: no data since then, none yet, and a power state a collector has to map.
	// A stopped_fraction of 0 keeps every VM running.
	if last != nil && ac.StoppedFraction > 0 && ac.VMs >= 4 && stopped+1 < ac.VMs {
		last.PowerState = PowerStarting
		last.StoppedAt = hour.Add(-time.Duration(1+mix(hashOf(seed, "azure-starting", last.ID))%6) * time.Hour)
	}
}

func newAzurePostgres(seed int64, sub, region string, j int) *AzurePostgres {
	h := hashOf(seed, "azure-postgres", sub, region, j)
	app := dbApps[int(mix(h^1)%uint64(len(dbApps)))]
	// Server names are global DNS names, so they carry a few hex digits of the hash.
	name := fmt.Sprintf("pg-%s-%s-%02d-%04x", app, region, j, uint16(mix(h^2)))
	return &AzurePostgres{
		ID:   rgID(sub, azurePlatformRG) + "/providers/Microsoft.DBforPostgreSQL/flexibleServers/" + name,
		Name: name, Subscription: sub, ResourceGroup: azurePlatformRG, Location: region,
		Version: "16", SKU: "Standard_D2ds_v5", Tier: "GeneralPurpose",
		StorageGiB: []int{64, 128, 256}[mix(h^3)%3], State: "Ready", Zone: fmt.Sprint(1 + mix(h^4)%3),
		Tags: []Tag{{"env", pick(mix(h^5), environments)}, {"team", pick(mix(h^6), teams)}, {"app", app}},
	}
}

func (f *AzureFleet) buildSeries() {
	f.series = map[string]Series{}
	f.byResource = map[string][]Series{}
	add := func(sub, region, ns, id string, until time.Time, capacity float64, defs []metricDef) {
		for _, d := range defs {
			ser := Series{
				Account: sub, Region: region, Namespace: ns, MetricName: d.name, Unit: d.unit,
				Resource: id, Active: true, Until: until, Capacity: capacity,
			}
			key := strings.ToLower(id) + "|" + strings.ToLower(d.name)
			rkey := strings.ToLower(id)
			if dim := AzureDimensionOf(ns, d.name); dim != "" {
				for _, v := range azureLBDirections {
					split := ser
					split.Dimensions = []Dimension{{dim, v}}
					f.series[key+"|"+strings.ToLower(dim+"="+v)] = split
					f.byResource[rkey] = append(f.byResource[rkey], split)
				}
				continue
			}
			f.series[key] = ser
			f.byResource[rkey] = append(f.byResource[rkey], ser)
		}
	}
	for _, vm := range f.VMs {
		add(vm.Subscription, vm.Location, AzureVMNamespace, vm.ID, vm.StoppedAt, vm.MemoryBytes, azureVMMetrics)
	}
	for _, pg := range f.PostgresServers {
		add(pg.Subscription, pg.Location, AzurePostgresNamespace, pg.ID, time.Time{}, float64(pg.StorageGiB)*(1<<30), azurePostgresMetrics)
	}
	f.addMoreSeries(add)
}

// Series returns the series of a metric of a resource; the resource id and the metric name
// match case-insensitively, as Azure Monitor matches them. A metric split by a dimension has
// no single series: see SplitSeries.
func (f *AzureFleet) Series(resourceID, metric string) (Series, bool) {
	s, ok := f.series[strings.ToLower(resourceID)+"|"+strings.ToLower(metric)]
	return s, ok
}

// ResourceSeries returns every series of a resource, or nil for an unknown resource id.
func (f *AzureFleet) ResourceSeries(resourceID string) []Series {
	return f.byResource[strings.ToLower(resourceID)]
}

// VNet returns the virtual network of a subscription and region, or nil.
func (f *AzureFleet) VNet(sub, region string) *AzureVNet {
	for _, v := range f.VNets {
		if v.Subscription == sub && v.Location == region {
			return v
		}
	}
	return nil
}

// VNetsOf returns the virtual networks of a subscription in region order.
func (f *AzureFleet) VNetsOf(sub string) []*AzureVNet {
	var out []*AzureVNet
	for _, v := range f.VNets {
		if v.Subscription == sub {
			out = append(out, v)
		}
	}
	return out
}

// Subscription returns the subscription with the id, matched case-insensitively.
func (f *AzureFleet) Subscription(id string) (AzureSubscription, bool) {
	for _, s := range f.Subscriptions {
		if strings.EqualFold(s.ID, id) {
			return s, true
		}
	}
	return AzureSubscription{}, false
}

// VMsOf returns the VMs of a subscription and region sorted by id; an empty region means all.
func (f *AzureFleet) VMsOf(sub, region string) []*AzureVM {
	return ofSubscription(f.VMs, func(vm *AzureVM) (string, string, string) { return vm.ID, vm.Subscription, vm.Location }, sub, region)
}

// PostgresOf returns the PostgreSQL servers of a subscription and region sorted by id; an
// empty region means all.
func (f *AzureFleet) PostgresOf(sub, region string) []*AzurePostgres {
	return ofSubscription(f.PostgresServers, func(pg *AzurePostgres) (string, string, string) { return pg.ID, pg.Subscription, pg.Location }, sub, region)
}

// AzureMetric describes one metric the simulator serves for an Azure resource type.
type AzureMetric struct {
	Name string
	Unit string
}

// AzureMetrics lists the metrics of an Azure resource type (namespace, case-insensitive) in
// a fixed order, or nil for a namespace the simulator does not serve.
func AzureMetrics(namespace string) []AzureMetric {
	var defs []metricDef
	switch {
	case strings.EqualFold(namespace, AzureVMNamespace):
		defs = azureVMMetrics
	case strings.EqualFold(namespace, AzurePostgresNamespace):
		defs = azurePostgresMetrics
	case strings.EqualFold(namespace, AzureDiskNamespace):
		defs = azureDiskMetrics
	case strings.EqualFold(namespace, AzureSQLNamespace):
		defs = azureSQLMetrics
	case strings.EqualFold(namespace, AzureLBNamespace):
		defs = azureLBMetrics
	}
	out := make([]AzureMetric, 0, len(defs))
	for _, d := range defs {
		out = append(out, AzureMetric{Name: d.name, Unit: d.unit})
	}
	return out
}

// Azure metrics. Byte and operation counts are per minute; the operation rates are per second.
var (
	azureVMMetrics = []metricDef{
		{namespace: AzureVMNamespace, name: "Percentage CPU", unit: "Percent", lo: 5, hi: 55, daily: 0.35, weekly: 0.2, noise: 0.08, target: 1.6, perDay: 0.002, max: 100},
		{namespace: AzureVMNamespace, name: "Available Memory Bytes", unit: "Bytes", percentOf: "Available Memory Percentage"},
		{namespace: AzureVMNamespace, name: "Available Memory Percentage", unit: "Percent", lo: 35, hi: 80, daily: -0.1, weekly: -0.05, noise: 0.02, target: 0.8, perDay: 0.002, max: 100, free: true},
		{namespace: AzureVMNamespace, name: "Network In Total", unit: "Bytes", lo: 5e6, hi: 2e8, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: AzureVMNamespace, name: "Network Out Total", unit: "Bytes", lo: 2e6, hi: 1.5e8, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: AzureVMNamespace, name: "Disk Read Bytes", unit: "Bytes", lo: 1e5, hi: 5e7, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001, count: true},
		{namespace: AzureVMNamespace, name: "Disk Write Bytes", unit: "Bytes", lo: 1e6, hi: 8e7, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001, count: true},
		{namespace: AzureVMNamespace, name: "Disk Read Operations/Sec", unit: "CountPerSecond", lo: 0.5, hi: 60, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001},
		{namespace: AzureVMNamespace, name: "Disk Write Operations/Sec", unit: "CountPerSecond", lo: 2, hi: 120, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001},
	}
	azurePostgresMetrics = []metricDef{
		{namespace: AzurePostgresNamespace, name: "cpu_percent", unit: "Percent", lo: 8, hi: 45, daily: 0.4, weekly: 0.2, noise: 0.07, target: 1.5, perDay: 0.002, max: 100},
		{namespace: AzurePostgresNamespace, name: "active_connections", unit: "Count", lo: 10, hi: 150, daily: 0.5, weekly: 0.3, noise: 0.05, target: 1.5, perDay: 0.002, count: true},
		{namespace: AzurePostgresNamespace, name: "storage_free", unit: "Bytes", lo: 0.4, hi: 0.85, scaled: true, noise: 0.0005, target: 0.2, perDay: 0.003, count: true},
		{namespace: AzurePostgresNamespace, name: "disk_read_latency", unit: "MilliSeconds", lo: 0.4, hi: 4, daily: 0.3, weekly: 0.1, noise: 0.15},
	}
)
