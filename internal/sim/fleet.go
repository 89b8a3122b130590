package sim

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"time"
)

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Instance is a simulated EC2 instance.
type Instance struct {
	ID         string
	Account    string
	Region     string
	AZ         string
	Type       string
	State      string // running or stopped
	ImageID    string
	VPCID      string
	SubnetID   string
	PrivateIP  string
	LaunchTime time.Time
	Tags       []Tag
	// Agent is true when the instance runs the CloudWatch agent (CWAgent namespace).
	Agent bool
}

// DBInstance is a simulated RDS DB instance.
type DBInstance struct {
	Identifier          string
	ResourceID          string
	Account             string
	Region              string
	AZ                  string
	Class               string
	Engine              string
	EngineVersion       string
	Status              string
	AllocatedStorageGiB int
	MultiAZ             bool
	VPCID               string
	Tags                []Tag
}

// ARN returns the DB instance's ARN.
func (d *DBInstance) ARN() string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:db:%s", d.Region, d.Account, d.Identifier)
}

// ARN returns the instance's ARN.
func (i *Instance) ARN() string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", i.Region, i.Account, i.ID)
}

// VPC is a simulated VPC.
type VPC struct {
	ID        string
	Account   string
	Region    string
	CIDR      string
	State     string
	IsDefault bool
	Tags      []Tag
}

// ARN returns the VPC's ARN.
func (v *VPC) ARN() string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s", v.Region, v.Account, v.ID)
}

// Subnet is a simulated subnet.
type Subnet struct {
	ID           string
	VPCID        string
	Account      string
	Region       string
	AZ           string
	CIDR         string
	AvailableIPs int
	Tags         []Tag
}

// ARN returns the subnet's ARN.
func (s *Subnet) ARN() string {
	return fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", s.Region, s.Account, s.ID)
}

// Route is one route of a route table.
type Route struct {
	Destination  string
	GatewayID    string
	NatGatewayID string
	State        string
	Origin       string
}

// RouteTable is a simulated route table.
type RouteTable struct {
	ID        string
	VPCID     string
	Account   string
	Region    string
	Main      bool
	SubnetIDs []string
	Routes    []Route
	Tags      []Tag
}

// Fleet is the deterministic set of simulated resources for a seed and fleet config.
type Fleet struct {
	Accounts    []string
	Regions     []string
	Instances   []*Instance
	DBInstances []*DBInstance
	VPCs        []*VPC
	Subnets     []*Subnet
	RouteTables []*RouteTable

	indexOnce sync.Once
	series    map[string][]Series
	byKey     map[string]Series
}

var (
	instanceTypes = []string{"t3.micro", "t3.medium", "m5.large", "m5.xlarge", "c5.large", "r5.large"}
	dbClasses     = []string{"db.t3.medium", "db.m5.large", "db.r5.large"}
	environments  = []string{"prod", "prod", "staging", "dev"}
	teams         = []string{"payments", "search", "platform", "checkout"}
	apps          = []string{"api", "worker", "web", "batch", "cache"}
	dbApps        = []string{"orders", "users", "inventory", "billing", "ledger", "catalog"}
)

// hexID renders a 17-hex-digit AWS-style id with a prefix, e.g. i-0a1b2c3d4e5f60718.
func hexID(prefix string, h uint64) string {
	return fmt.Sprintf("%s-0%016x", prefix, h)
}

// NewFleet builds the fleet for a seed. Same seed and config, same fleet.
func NewFleet(seed int64, cfg Config) *Fleet {
	f := &Fleet{Regions: append([]string(nil), cfg.Fleet.Regions...)}
	for _, a := range cfg.AWS.Accounts {
		f.Accounts = append(f.Accounts, a.ID)
	}
	type cell struct{ account, region string }
	var cells []cell
	for ai, acct := range f.Accounts {
		for ri, region := range f.Regions {
			cells = append(cells, cell{acct, region})
			f.addNetwork(seed, acct, region, ai, ri, cfg.Fleet.SubnetsPerVPC)
		}
	}
	if len(cells) == 0 {
		return f
	}
	for n := range cfg.Fleet.Instances {
		c := cells[n%len(cells)]
		f.Instances = append(f.Instances, f.newInstance(seed, n, n/len(cells), c.account, c.region, cfg.Fleet))
	}
	for n := range cfg.Fleet.RDSInstances {
		c := cells[n%len(cells)]
		f.DBInstances = append(f.DBInstances, f.newDB(seed, n, c.account, c.region))
	}
	f.countSubnetIPs()
	return f
}

func (f *Fleet) addNetwork(seed int64, acct, region string, ai, ri, nSubnets int) {
	vpc := &VPC{
		ID: hexID("vpc", hashOf(seed, "vpc", acct, region)), Account: acct, Region: region,
		CIDR: fmt.Sprintf("10.%d.0.0/16", ai*16+ri), State: "available",
		Tags: []Tag{{"Name", "main-" + region}, {"env", "prod"}},
	}
	f.VPCs = append(f.VPCs, vpc)
	igw := hexID("igw", hashOf(seed, "igw", vpc.ID))
	nat := hexID("nat", hashOf(seed, "nat", vpc.ID))
	public := &RouteTable{
		ID: hexID("rtb", hashOf(seed, "rtb-public", vpc.ID)), VPCID: vpc.ID, Account: acct, Region: region,
		Main: true, Tags: []Tag{{"Name", "public"}},
		Routes: []Route{
			{Destination: vpc.CIDR, GatewayID: "local", State: "active", Origin: "CreateRouteTable"},
			{Destination: "0.0.0.0/0", GatewayID: igw, State: "active", Origin: "CreateRoute"},
		},
	}
	private := &RouteTable{
		ID: hexID("rtb", hashOf(seed, "rtb-private", vpc.ID)), VPCID: vpc.ID, Account: acct, Region: region,
		Tags: []Tag{{"Name", "private"}},
		Routes: []Route{
			{Destination: vpc.CIDR, GatewayID: "local", State: "active", Origin: "CreateRouteTable"},
			{Destination: "0.0.0.0/0", NatGatewayID: nat, State: "active", Origin: "CreateRoute"},
			{Destination: "192.168.0.0/16", GatewayID: hexID("vgw", hashOf(seed, "vgw", vpc.ID)), State: "blackhole", Origin: "CreateRoute"},
		},
	}
	for s := range nSubnets {
		az := region + string(rune('a'+s%3))
		kind := "private"
		if s%2 == 0 {
			kind = "public"
		}
		sub := &Subnet{
			ID: hexID("subnet", hashOf(seed, "subnet", vpc.ID, s)), VPCID: vpc.ID, Account: acct, Region: region,
			AZ: az, CIDR: fmt.Sprintf("10.%d.%d.0/24", ai*16+ri, s),
			Tags: []Tag{{"Name", fmt.Sprintf("%s-%s", kind, az)}, {"tier", kind}},
		}
		// Reserved addresses (5 per subnet on AWS) plus other ENIs the fleet does not model.
		sub.AvailableIPs = 251 - int(hashOf(seed, "eni", sub.ID)%40)
		f.Subnets = append(f.Subnets, sub)
		if kind == "public" {
			public.SubnetIDs = append(public.SubnetIDs, sub.ID)
		} else {
			private.SubnetIDs = append(private.SubnetIDs, sub.ID)
		}
	}
	f.RouteTables = append(f.RouteTables, public, private)
}

// spread is a low-discrepancy sequence in [0, 1): the k-th instance of a cell gets
// frac(k*phi + offset), so every cell gets its share of stopped and agent instances instead of
// whatever a coin toss per instance gives.
func spread(k int, offset float64) float64 {
	return math.Mod(float64(k)*0.6180339887498949+offset, 1)
}

func (f *Fleet) newInstance(seed int64, n, k int, acct, region string, fc FleetConfig) *Instance {
	h := hashOf(seed, "instance", n)
	subnets := f.subnetsIn(acct, region)
	sub := subnets[int(mix(h^3)%uint64(len(subnets)))]
	app := pick(mix(h^4), apps)
	inst := &Instance{
		ID: hexID("i", h), Account: acct, Region: region, AZ: sub.AZ,
		Type: pick(mix(h^5), instanceTypes), State: "running",
		ImageID: hexID("ami", hashOf(seed, "ami", app)), VPCID: sub.VPCID, SubnetID: sub.ID,
		PrivateIP:  fmt.Sprintf("%s.%d", sub.CIDR[:len(sub.CIDR)-5], 10+n%240),
		LaunchTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(mix(h^6)%(200*24)) * time.Hour),
		Tags: []Tag{
			{"Name", fmt.Sprintf("%s-%s-%02d", app, region, n)},
			{"env", pick(mix(h^7), environments)},
			{"team", pick(mix(h^8), teams)},
			{"app", app},
		},
	}
	if spread(k, unit(hashOf(seed, "stopped", acct, region))) < fc.StoppedFraction {
		inst.State = "stopped"
	} else if spread(k, unit(hashOf(seed, "agent", acct, region))) < fc.AgentFraction/(1-fc.StoppedFraction+1e-9) {
		inst.Agent = true
		inst.Tags = append(inst.Tags, Tag{"cloudwatch-agent", "true"})
	}
	return inst
}

func (f *Fleet) newDB(seed int64, n int, acct, region string) *DBInstance {
	h := hashOf(seed, "db", n)
	app := dbApps[n%len(dbApps)]
	engine, version := "postgres", "16.4"
	if mix(h^1)%3 == 0 {
		engine, version = "mysql", "8.0.39"
	}
	var vpcID string
	if v := f.vpcIn(acct, region); v != nil {
		vpcID = v.ID
	}
	return &DBInstance{
		Identifier: fmt.Sprintf("%s-db-%d", app, n), ResourceID: fmt.Sprintf("db-%016X%010X", h, mix(h)&0xffffffffff),
		Account: acct, Region: region, AZ: region + string(rune('a'+mix(h^2)%3)),
		Class: pick(mix(h^3), dbClasses), Engine: engine, EngineVersion: version, Status: "available",
		AllocatedStorageGiB: []int{100, 200, 500}[mix(h^4)%3], MultiAZ: mix(h^5)%2 == 0, VPCID: vpcID,
		Tags: []Tag{{"env", pick(mix(h^6), environments)}, {"team", pick(mix(h^7), teams)}, {"app", app}},
	}
}

func (f *Fleet) subnetsIn(acct, region string) []*Subnet {
	var out []*Subnet
	for _, s := range f.Subnets {
		if s.Account == acct && s.Region == region {
			out = append(out, s)
		}
	}
	return out
}

func (f *Fleet) vpcIn(acct, region string) *VPC {
	for _, v := range f.VPCs {
		if v.Account == acct && v.Region == region {
			return v
		}
	}
	return nil
}

func (f *Fleet) countSubnetIPs() {
	used := map[string]int{}
	for _, i := range f.Instances {
		used[i.SubnetID]++
	}
	for _, s := range f.Subnets {
		s.AvailableIPs -= used[s.ID]
	}
}

// InstancesIn returns the instances of an account and region, sorted by id.
func (f *Fleet) InstancesIn(acct, region string) []*Instance {
	var out []*Instance
	for _, i := range f.Instances {
		if i.Account == acct && i.Region == region {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// DBInstancesIn returns the DB instances of an account and region, sorted by identifier.
func (f *Fleet) DBInstancesIn(acct, region string) []*DBInstance {
	var out []*DBInstance
	for _, d := range f.DBInstances {
		if d.Account == acct && d.Region == region {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Identifier < out[b].Identifier })
	return out
}

// VPCsIn returns the VPCs of an account and region.
func (f *Fleet) VPCsIn(acct, region string) []*VPC {
	var out []*VPC
	for _, v := range f.VPCs {
		if v.Account == acct && v.Region == region {
			out = append(out, v)
		}
	}
	return out
}

// SubnetsIn returns the subnets of an account and region.
func (f *Fleet) SubnetsIn(acct, region string) []*Subnet { return f.subnetsIn(acct, region) }

// RouteTablesIn returns the route tables of an account and region.
func (f *Fleet) RouteTablesIn(acct, region string) []*RouteTable {
	var out []*RouteTable
	for _, r := range f.RouteTables {
		if r.Account == acct && r.Region == region {
			out = append(out, r)
		}
	}
	return out
}

// Instance returns the instance with the id, or nil.
func (f *Fleet) Instance(id string) *Instance {
	for _, i := range f.Instances {
		if i.ID == id {
			return i
		}
	}
	return nil
}
