package sim

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Monitored resource types of the simulated Google Cloud metrics.
const (
	GCPInstanceResource = "gce_instance"
	GCPSQLResource      = "cloudsql_database"
)

// Compute Engine instance statuses, as the Compute API reports them.
const (
	GCPRunning    = "RUNNING"
	GCPTerminated = "TERMINATED"
	GCPSuspended  = "SUSPENDED"
	GCPStaging    = "STAGING"
)

// GCPMetric is one Cloud Monitoring metric type the simulator serves, with its descriptor.
type GCPMetric struct {
	// Type is the full metric type: compute.googleapis.com/instance/cpu/utilization.
	Type string
	// Resource is the monitored resource type the metric is written against.
	Resource string
	// Kind is GAUGE or DELTA, ValueType DOUBLE or INT64, Unit as the descriptor says it.
	Kind, ValueType, Unit string
	// Labels are the metric's own labels; Split says how a resource's value is shared out
	// over the values of the first label (a network's bytes over loadbalanced=false|true),
	// as fractions that add up to 1, or, for state labels, that the first value carries the
	// value and the second 100 minus it (memory used and free, in percent).
	Labels []string
	Split  []GCPLabelValue
	// IngestDelay is how long after a sample's end it may take to appear (the descriptor's
	// metadata.ingest_delay); the simulator's settle_delay must not exceed it.
	IngestDelay time.Duration
	// Agent marks Ops Agent metrics, present only for instances that run it.
	Agent bool
	def   metricDef
}

// GCPLabelValue is one value of a metric's first label and its share of the resource's value.
type GCPLabelValue struct {
	Value string
	Share float64
	// Complement makes the series 100 minus the resource's value (free = 100 - used).
	Complement bool
}

// Domain is the service the metric type belongs to (compute.googleapis.com).
func (m *GCPMetric) Domain() string { return m.Type[:strings.Index(m.Type, "/")] }

// Name is the metric type without its domain (instance/cpu/utilization).
func (m *GCPMetric) Name() string { return m.Type[strings.Index(m.Type, "/")+1:] }

func gcpDef(metric, unit string, d metricDef) metricDef {
	d.namespace, d.name, d.unit = metric[:strings.Index(metric, "/")], metric[strings.Index(metric, "/")+1:], unit
	return d
}

func gcpCount(typ, unit string, labels []string, split []GCPLabelValue, d metricDef) *GCPMetric {
	d.count = true
	return &GCPMetric{Type: typ, Resource: GCPInstanceResource, Kind: "DELTA", ValueType: "INT64", Unit: unit,
		Labels: labels, Split: split, IngestDelay: 240 * time.Second, def: gcpDef(typ, unit, d)}
}

var (
	gcpLoadBalanced = []GCPLabelValue{{Value: "false", Share: 0.8}, {Value: "true", Share: 0.2}}
	gcpUsedFree     = []GCPLabelValue{{Value: "used", Share: 1}, {Value: "free", Share: 1, Complement: true}}
	gcpPD           = []GCPLabelValue{{Value: "pd-balanced", Share: 1}}
)

// GCPMetrics lists every metric type the simulator serves, in a fixed order.
var GCPMetrics = []*GCPMetric{
	{
		Type: "compute.googleapis.com/instance/cpu/utilization", Resource: GCPInstanceResource, Kind: "GAUGE", ValueType: "DOUBLE",
		Unit: "10^2.%", IngestDelay: 240 * time.Second,
		def: gcpDef("compute.googleapis.com/instance/cpu/utilization", "10^2.%", metricDef{lo: 0.05, hi: 0.55, daily: 0.35, weekly: 0.2, noise: 0.08, target: 1.6, perDay: 0.002, max: 1}),
	},
	gcpCount("compute.googleapis.com/instance/network/received_bytes_count", "By", []string{"loadbalanced"}, gcpLoadBalanced,
		metricDef{lo: 5e6, hi: 2e8, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002}),
	gcpCount("compute.googleapis.com/instance/network/sent_bytes_count", "By", []string{"loadbalanced"}, gcpLoadBalanced,
		metricDef{lo: 2e6, hi: 1.5e8, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002}),
	gcpCount("compute.googleapis.com/instance/network/received_packets_count", "1", []string{"loadbalanced"}, gcpLoadBalanced,
		metricDef{lo: 4e3, hi: 1.5e5, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002}),
	gcpCount("compute.googleapis.com/instance/network/sent_packets_count", "1", []string{"loadbalanced"}, gcpLoadBalanced,
		metricDef{lo: 2e3, hi: 1e5, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002}),
	gcpCount("compute.googleapis.com/instance/disk/read_bytes_count", "By", []string{"storage_type", "device_name"}, gcpPD,
		metricDef{lo: 1e5, hi: 5e7, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001}),
	gcpCount("compute.googleapis.com/instance/disk/write_bytes_count", "By", []string{"storage_type", "device_name"}, gcpPD,
		metricDef{lo: 1e6, hi: 8e7, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001}),
	gcpCount("compute.googleapis.com/instance/disk/read_ops_count", "1", []string{"storage_type", "device_name"}, gcpPD,
		metricDef{lo: 30, hi: 3600, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001}),
	gcpCount("compute.googleapis.com/instance/disk/write_ops_count", "1", []string{"storage_type", "device_name"}, gcpPD,
		metricDef{lo: 120, hi: 7200, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001}),
	{
		Type: "agent.googleapis.com/memory/percent_used", Resource: GCPInstanceResource, Kind: "GAUGE", ValueType: "DOUBLE", Unit: "%",
		Labels: []string{"state"}, Split: gcpUsedFree, IngestDelay: 165 * time.Second, Agent: true,
		def: gcpDef("agent.googleapis.com/memory/percent_used", "%", metricDef{lo: 25, hi: 65, daily: 0.1, weekly: 0.05, noise: 0.02, target: 1.3, perDay: 0.003, max: 100}),
	},
	{
		Type: "agent.googleapis.com/disk/percent_used", Resource: GCPInstanceResource, Kind: "GAUGE", ValueType: "DOUBLE", Unit: "%",
		Labels: []string{"state", "device"}, Split: gcpUsedFree, IngestDelay: 165 * time.Second, Agent: true,
		def: gcpDef("agent.googleapis.com/disk/percent_used", "%", metricDef{lo: 20, hi: 70, noise: 0.001, target: 1.4, perDay: 0.004, max: 100}),
	},
	{
		Type: "cloudsql.googleapis.com/database/cpu/utilization", Resource: GCPSQLResource, Kind: "GAUGE", ValueType: "DOUBLE", Unit: "10^2.%",
		IngestDelay: 210 * time.Second,
		def:         gcpDef("cloudsql.googleapis.com/database/cpu/utilization", "10^2.%", metricDef{lo: 0.08, hi: 0.45, daily: 0.4, weekly: 0.2, noise: 0.07, target: 1.5, perDay: 0.002, max: 1}),
	},
	{
		Type: "cloudsql.googleapis.com/database/network/connections", Resource: GCPSQLResource, Kind: "GAUGE", ValueType: "INT64", Unit: "1",
		IngestDelay: 210 * time.Second,
		def:         gcpDef("cloudsql.googleapis.com/database/network/connections", "1", metricDef{lo: 10, hi: 150, daily: 0.5, weekly: 0.3, noise: 0.05, target: 1.5, perDay: 0.002, count: true}),
	},
	{
		Type: "cloudsql.googleapis.com/database/memory/utilization", Resource: GCPSQLResource, Kind: "GAUGE", ValueType: "DOUBLE", Unit: "10^2.%",
		IngestDelay: 210 * time.Second,
		def:         gcpDef("cloudsql.googleapis.com/database/memory/utilization", "10^2.%", metricDef{lo: 0.3, hi: 0.7, daily: 0.1, noise: 0.02, target: 1.2, perDay: 0.002, max: 1}),
	},
	{
		Type: "cloudsql.googleapis.com/database/disk/utilization", Resource: GCPSQLResource, Kind: "GAUGE", ValueType: "DOUBLE", Unit: "10^2.%",
		IngestDelay: 210 * time.Second,
		def:         gcpDef("cloudsql.googleapis.com/database/disk/utilization", "10^2.%", metricDef{lo: 0.15, hi: 0.6, noise: 0.0005, target: 1.8, perDay: 0.003, max: 1}),
	},
}

// GCPMetricOf returns the metric of a type, or nil.
func GCPMetricOf(typ string) *GCPMetric {
	for _, m := range GCPMetrics {
		if m.Type == typ {
			return m
		}
	}
	return nil
}

func gcpMetricDefs() []metricDef {
	out := make([]metricDef, 0, len(GCPMetrics))
	for _, m := range GCPMetrics {
		out = append(out, m.def)
	}
	return out
}

// GCPProject is one simulated project.
type GCPProject struct {
	ID     string
	Number int64
}

// GCPInstance is a simulated Compute Engine instance with one persistent boot disk.
type GCPInstance struct {
	Project, Zone, Name string
	// ID is the instance's numeric id, as resource.labels.instance_id gives it.
	ID          uint64
	MachineType string
	Status      string
	// StoppedAt is when an instance that is not running stopped: its metrics end there.
	StoppedAt time.Time
	Created   time.Time
	// Network and Subnetwork are the names of the instance's one interface's network.
	Network, Subnetwork string
	IP                  string
	Labels              []Tag
	Agent               bool
	DiskName            string
	DiskGB              int
}

// Region is the region of the instance's zone.
func (i *GCPInstance) Region() string { return regionOfZone(i.Zone) }

func regionOfZone(zone string) string { return zone[:strings.LastIndex(zone, "-")] }

// GCPSQLInstance is a simulated Cloud SQL instance.
type GCPSQLInstance struct {
	Project, Region, Name string
	DatabaseVersion, Tier string
	// State is RUNNABLE, SUSPENDED or STOPPED (settings.activationPolicy NEVER).
	State  string
	DiskGB int
	Labels []Tag
}

// DatabaseID is the instance's resource.labels.database_id: project:name.
func (d *GCPSQLInstance) DatabaseID() string { return d.Project + ":" + d.Name }

// GCPNetwork is a simulated VPC network, one per project, with a subnetwork per region.
type GCPNetwork struct {
	Project, Name string
	ID            uint64
	Subnets       []*GCPSubnet
}

// GCPSubnet is a regional subnetwork.
type GCPSubnet struct {
	Name, Region, CIDR string
	ID                 uint64
	// Size is the number of addresses of the primary range; Google Cloud reserves 4.
	Size int
}

// GCPFleet is the deterministic set of simulated Google Cloud resources.
type GCPFleet struct {
	Projects     []GCPProject
	Zones        []string
	Instances    []*GCPInstance
	SQLInstances []*GCPSQLInstance
	Networks     []*GCPNetwork

	// series maps project|metric type to the series of every resource, sorted by resource.
	series map[string][]Series
}

var gcpMachineTypes = []string{"e2-standard-2", "e2-standard-4", "n2-standard-2", "n2-standard-4", "c3-standard-4"}

// NewGCPFleet builds the Google Cloud fleet for a seed. Instances that are not running
// stopped between one and six hours before start (truncated to the hour).
func NewGCPFleet(seed int64, cfg Config, start time.Time) *GCPFleet {
	gc := cfg.GCP
	f := &GCPFleet{Zones: append([]string(nil), gc.Zones...)}
	hour := start.UTC().Truncate(time.Hour)
	for pi, pc := range gc.Projects {
		f.Projects = append(f.Projects, GCPProject{ID: pc.ID, Number: pc.Number})
		f.addNetwork(seed, pc.ID, pi)
		f.addInstances(seed, pc.ID, gc, hour)
		for _, region := range f.regions() {
			for j := range gc.SQLInstances {
				f.SQLInstances = append(f.SQLInstances, newGCPSQL(seed, pc.ID, region, j))
			}
		}
	}
	f.buildSeries()
	return f
}

// regions lists the regions of the zones, in first-seen order.
func (f *GCPFleet) regions() []string {
	var out []string
	for _, z := range f.Zones {
		if r := regionOfZone(z); !containsString(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (f *GCPFleet) addNetwork(seed int64, project string, pi int) {
	n := &GCPNetwork{Project: project, Name: "vpc-main", ID: mix(hashOf(seed, "gcp-network", project)) >> 1}
	for ri, region := range f.regions() {
		n.Subnets = append(n.Subnets, &GCPSubnet{
			Name: "subnet-" + region, Region: region, CIDR: fmt.Sprintf("10.%d.%d.0/24", 128+pi, ri),
			ID: mix(hashOf(seed, "gcp-subnet", project, region)) >> 1, Size: 256,
		})
	}
	f.Networks = append(f.Networks, n)
}

func (f *GCPFleet) addInstances(seed int64, project string, gc GCPConfig, hour time.Time) {
	stopped, used := 0, map[string]int{}
	var last *GCPInstance
	for n := range gc.Instances {
		zone := gc.Zones[n%len(gc.Zones)]
		k := n / len(gc.Zones)
		h := hashOf(seed, "gcp-instance", project, n)
		app := pick(mix(h^4), apps)
		region := regionOfZone(zone)
		subnet := f.Subnet(project, region)
		used[region]++
		i := &GCPInstance{
			Project: project, Zone: zone, Name: fmt.Sprintf("%s-%s-%02d", app, zone, n),
			ID: mix(h) >> 1, MachineType: pick(mix(h^5), gcpMachineTypes), Status: GCPRunning,
			Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(mix(h^6)%(200*24)) * time.Hour),
			Network: "vpc-main", Subnetwork: subnet.Name,
			IP:     fmt.Sprintf("%s.%d", strings.TrimSuffix(subnet.CIDR, ".0/24"), 1+used[region]),
			Labels: []Tag{{"app", app}, {"env", pick(mix(h^7), environments)}, {"team", pick(mix(h^8), teams)}},
			Agent:  unit(mix(h^11)) < gc.AgentFraction,
			DiskGB: []int{20, 50, 100}[mix(h^12)%3],
		}
		i.DiskName = i.Name
		if spread(k, unit(hashOf(seed, "gcp-stopped", project, zone))) < gc.StoppedFraction {
			i.Status = GCPTerminated
			if stopped%2 == 1 {
				i.Status = GCPSuspended
			}
			stopped++
			i.StoppedAt = hour.Add(-time.Duration(1+mix(h^10)%6) * time.Hour)
		} else {
			last = i
		}
		f.Instances = append(f.Instances, i)
	}
	// As on Azure, one more instance is starting again when some are stopped: a state a
	// collector has to map to "other".
	if last != nil && gc.StoppedFraction > 0 && gc.Instances >= 4 && stopped+1 < gc.Instances {
		last.Status = GCPStaging
		last.StoppedAt = hour.Add(-time.Duration(1+mix(hashOf(seed, "gcp-staging", last.Name))%6) * time.Hour)
	}
}

func newGCPSQL(seed int64, project, region string, j int) *GCPSQLInstance {
	h := hashOf(seed, "gcp-sql", project, region, j)
	app := dbApps[int(mix(h^1)%uint64(len(dbApps)))]
	return &GCPSQLInstance{
		Project: project, Region: region, Name: fmt.Sprintf("sql-%s-%s-%02d", app, region, j),
		DatabaseVersion: "POSTGRES_16", Tier: "db-custom-2-7680", State: "RUNNABLE",
		DiskGB: []int{50, 100, 250}[mix(h^3)%3],
		Labels: []Tag{{"app", app}, {"env", pick(mix(h^5), environments)}, {"team", pick(mix(h^6), teams)}},
	}
}

func (f *GCPFleet) buildSeries() {
	f.series = map[string][]Series{}
	for _, m := range GCPMetrics {
		for _, i := range f.Instances {
			if m.Resource != GCPInstanceResource || m.Agent && !i.Agent {
				continue
			}
			key := i.Project + "|" + m.Type
			f.series[key] = append(f.series[key], Series{
				Account: i.Project, Region: i.Zone, Namespace: m.def.namespace, MetricName: m.def.name, Unit: m.Unit,
				Resource: fmt.Sprint(i.ID), Active: true, Until: i.StoppedAt,
			})
		}
		for _, d := range f.SQLInstances {
			if m.Resource != GCPSQLResource {
				continue
			}
			key := d.Project + "|" + m.Type
			f.series[key] = append(f.series[key], Series{
				Account: d.Project, Region: d.Region, Namespace: m.def.namespace, MetricName: m.def.name, Unit: m.Unit,
				Resource: d.DatabaseID(), Active: d.State == "RUNNABLE",
			})
		}
	}
	for _, list := range f.series {
		sort.Slice(list, func(a, b int) bool { return list[a].Resource < list[b].Resource })
	}
}

// SeriesOf returns the series of a metric type in a project, one per resource, sorted by
// resource. The slice is shared: do not modify.
func (f *GCPFleet) SeriesOf(project, metricType string) []Series {
	return f.series[project+"|"+metricType]
}

// Project returns the project with the id.
func (f *GCPFleet) Project(id string) (GCPProject, bool) {
	for _, p := range f.Projects {
		if p.ID == id {
			return p, true
		}
	}
	return GCPProject{}, false
}

// InstancesOf returns the instances of a project sorted by zone and name.
func (f *GCPFleet) InstancesOf(project string) []*GCPInstance {
	var out []*GCPInstance
	for _, i := range f.Instances {
		if i.Project == project {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool {
		return out[a].Zone < out[b].Zone || out[a].Zone == out[b].Zone && out[a].Name < out[b].Name
	})
	return out
}

// InstanceByID returns the instance of a project with the numeric id (as a string).
func (f *GCPFleet) InstanceByID(project, id string) *GCPInstance {
	for _, i := range f.Instances {
		if i.Project == project && fmt.Sprint(i.ID) == id {
			return i
		}
	}
	return nil
}

// SQLOf returns the Cloud SQL instances of a project sorted by name.
func (f *GCPFleet) SQLOf(project string) []*GCPSQLInstance {
	var out []*GCPSQLInstance
	for _, d := range f.SQLInstances {
		if d.Project == project {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// Network returns the project's VPC network.
func (f *GCPFleet) Network(project string) *GCPNetwork {
	for _, n := range f.Networks {
		if n.Project == project {
			return n
		}
	}
	return nil
}

// Subnet returns the project's subnetwork of a region, or nil.
func (f *GCPFleet) Subnet(project, region string) *GCPSubnet {
	if n := f.Network(project); n != nil {
		for _, s := range n.Subnets {
			if s.Region == region {
				return s
			}
		}
	}
	return nil
}

// gcpAnomalyTargets is the cycle of Google Cloud anomalies: kind and metric type.
var gcpAnomalyTargets = []struct{ kind, metric string }{
	{AnomalySpike, "compute.googleapis.com/instance/cpu/utilization"},
	{AnomalyLevelShift, "compute.googleapis.com/instance/network/received_bytes_count"},
	{AnomalyMemoryLeak, "agent.googleapis.com/memory/percent_used"},
	{AnomalySpike, "cloudsql.googleapis.com/database/cpu/utilization"},
	{AnomalyLevelShift, "cloudsql.googleapis.com/database/network/connections"},
	{AnomalySpike, "compute.googleapis.com/instance/disk/write_ops_count"},
}

// addGCP places count anomalies on series of running Google Cloud resources, in the same
// window as the others and from their own hash stream, so adding GCP moved no other anomaly.
// Namespace is the metric type's domain and MetricName the rest of it; Resource the
// instance id or the Cloud SQL database id.
func (set *anomalySet) addGCP(seed int64, f *GCPFleet, cfg AnomalyConfig, start time.Time) {
	if f == nil {
		return
	}
	for n := 0; n < cfg.Count; n++ {
		t := gcpAnomalyTargets[n%len(gcpAnomalyTargets)]
		var cands []Series
		for _, p := range f.Projects {
			for _, s := range f.SeriesOf(p.ID, t.metric) {
				if s.Active && s.Until.IsZero() {
					cands = append(cands, s)
				}
			}
		}
		if len(cands) == 0 {
			continue
		}
		set.placeOn("gcp", t.kind, cands, hashOf(seed, "gcp-anomaly", n), start, cfg.Window)
	}
}
