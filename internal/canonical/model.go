// Package canonical is mcobs's one model of cloud metrics: OpenTelemetry semantic-convention
// names and units, cloud.* resource attributes, and per-provider tables that say how each
// provider's native metric maps onto it. Every receiver normalizes through this package, so
// `system.cpu.utilization` means a 0-1 ratio whichever cloud it came from.
//
// The tables are data (tables_*.go); `(cd internal/canonical && go run ./cmd/gendoc ../../docs/canonical-model.md)`
// renders them to
// docs/canonical-model.md, which `make test` checks is current.
package canonical

// Kind says how a canonical metric is represented.
type Kind int

const (
	// Gauge is an instantaneous value (utilization, free bytes, connections, latency).
	Gauge Kind = iota
	// Counter is a monotonic cumulative sum. Providers report per-period amounts (bytes in the
	// last minute) or rates; receivers integrate them into a running total per series so
	// Prometheus `rate()` and `increase()` work the same for every cloud.
	Counter
)

func (k Kind) String() string {
	if k == Counter {
		return "cumulative sum"
	}
	return "gauge"
}

// Metric is one canonical metric.
type Metric struct {
	Name        string
	Unit        string
	Kind        Kind
	Description string
	// SemConv is false for names mcobs defines because the conventions have none yet.
	SemConv bool
}

// The canonical metrics. Utilizations are ratios in [0, 1] (unit "1"), never percent.
var (
	CPUUtilization        = Metric{"system.cpu.utilization", "1", Gauge, "Fraction of CPU capacity in use, 0 to 1.", true}
	MemoryUtilization     = Metric{"system.memory.utilization", "1", Gauge, "Fraction of memory in use, 0 to 1.", true}
	MemoryUsage           = Metric{"system.memory.usage", "By", Gauge, "Memory in bytes, by `system.memory.state` (used, free).", true}
	FilesystemUtilization = Metric{"system.filesystem.utilization", "1", Gauge, "Fraction of filesystem capacity in use, 0 to 1.", true}
	FilesystemUsage       = Metric{"system.filesystem.usage", "By", Gauge, "Filesystem space in bytes, by `system.filesystem.state` (used, free).", true}
	DiskIO                = Metric{"system.disk.io", "By", Counter, "Bytes read and written, by `disk.io.direction`.", true}
	DiskOperations        = Metric{"system.disk.operations", "{operation}", Counter, "Disk operations, by `disk.io.direction`.", true}
	NetworkIO             = Metric{"system.network.io", "By", Counter, "Bytes sent and received, by `network.io.direction`.", true}
	NetworkPackets        = Metric{"system.network.packets", "{packet}", Counter, "Packets sent and received, by `network.io.direction`.", true}
	NetworkErrors         = Metric{"system.network.errors", "{error}", Counter, "Network errors, by `network.io.direction`.", true}
	StatusCheckFailed     = Metric{"cloud.instance.status_check.failed", "", Gauge, "1 while the provider's health check of the instance fails, else 0.", false}
	DBConnections         = Metric{"db.server.connection.count", "{connection}", Gauge, "Open client connections to a managed database.", false}
	DBOperationLatency    = Metric{"db.server.io.latency", "s", Gauge, "Average latency of storage I/O of a managed database, by `disk.io.direction`.", false}
	LBAvailability        = Metric{"cloud.loadbalancer.availability", "1", Gauge, "Fraction of the provider's probes through a load balancer's frontend that succeeded, 0 to 1.", false}
	LBBackendHealth       = Metric{"cloud.loadbalancer.backend.health", "1", Gauge, "Fraction of a load balancer's health probes to its backends that succeeded, 0 to 1.", false}
	Unsupported           = Metric{"mcobs.metric.unsupported", "", Gauge, "Marker, always 1: the provider's API cannot give `metric` for this resource (`reason` says why). The metric itself is absent, never a fake zero.", false}
)

// Inventory metrics of networks, the same for every cloud (an AWS VPC, an Azure VNet, a GCP
// network), so the overview shows them side by side.
var (
	NetworkState       = Metric{"mcobs.vpc.state", "", Gauge, "1 for each VPC, with its state.", false}
	SubnetAvailableIPs = Metric{"mcobs.vpc.subnet.available_ip_addresses", "{address}", Gauge, "Available IP addresses per subnet.", false}
	NetworkRoutes      = Metric{"mcobs.vpc.routes", "{route}", Gauge, "Routes over all route tables of a VPC.", false}
)

// Attributes of the network inventory: a network's and a subnet's address ranges (CIDR
// blocks, comma-separated where a network has several).
const (
	AttrNetworkCIDR = "vpc.cidr"
	AttrSubnetCIDR  = "subnet.cidr"
)

// Metrics lists every canonical metric, in documentation order.
var Metrics = []Metric{
	CPUUtilization, MemoryUtilization, MemoryUsage, FilesystemUtilization, FilesystemUsage,
	DiskIO, DiskOperations, NetworkIO, NetworkPackets, NetworkErrors, StatusCheckFailed,
	DBConnections, DBOperationLatency, LBAvailability, LBBackendHealth, Unsupported,
}

// Data point attribute keys.
const (
	AttrDiskDirection    = "disk.io.direction"
	AttrNetworkDirection = "network.io.direction"
	AttrMemoryState      = "system.memory.state"
	AttrFilesystemState  = "system.filesystem.state"
	// AttrNativeName and the three below keep the provider's own identity of the value.
	AttrNativeName      = "cloud.metric.name"
	AttrNativeNamespace = "cloud.metric.namespace"
	AttrNativeStatistic = "cloud.metric.statistic"
	AttrNativeUnit      = "cloud.metric.unit"
	// AttrUnsupportedMetric and AttrUnsupportedReason label the Unsupported marker.
	AttrUnsupportedMetric = "metric"
	AttrUnsupportedReason = "reason"
)

// Resource attribute keys (OpenTelemetry semantic conventions) and the tag prefix.
const (
	AttrCloudProvider   = "cloud.provider"
	AttrCloudPlatform   = "cloud.platform"
	AttrCloudAccountID  = "cloud.account.id"
	AttrCloudRegion     = "cloud.region"
	AttrCloudAZ         = "cloud.availability_zone"
	AttrCloudResourceID = "cloud.resource_id"
	AttrHostID          = "host.id"
	AttrHostName        = "host.name"
	AttrHostType        = "host.type"
	AttrResourceState   = "cloud.resource.state"
	AttrDBSystem        = "db.system.name"
	// TagPrefix precedes every provider tag or label key: tag `team` becomes `cloud.tag.team`.
	TagPrefix = "cloud.tag."
)

// Provider values of cloud.provider. aws, azure and gcp are the conventions' own values; the
// conventions have none for the other three, so mcobs chose these.
const (
	ProviderAWS       = "aws"
	ProviderAzure     = "azure"
	ProviderGCP       = "gcp"
	ProviderOpenStack = "openstack"
	ProviderNCP       = "ncp"
	ProviderVMware    = "vmware"
)
