package simaws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	tagtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/mcobs/mcobs/internal/sim"
)

func describeAll(t *testing.T, e *env, in *ec2.DescribeInstancesInput) ([]ec2types.Instance, int) {
	t.Helper()
	p := ec2.NewDescribeInstancesPaginator(e.ec2(), in)
	var out []ec2types.Instance
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatalf("DescribeInstances: %v", err)
		}
		pages++
		for _, r := range page.Reservations {
			out = append(out, r.Instances...)
		}
	}
	return out, pages
}

func TestDescribeInstances(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	fleet := e.sim.Fleet().InstancesIn(acct1, "us-east-1")

	all, pages := describeAll(t, e, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
	if len(all) != len(fleet) || pages != (len(fleet)+4)/5 {
		t.Fatalf("paged %d instances in %d pages, fleet has %d", len(all), pages, len(fleet))
	}
	for i, in := range all {
		want := fleet[i]
		if aws.ToString(in.InstanceId) != want.ID || string(in.InstanceType) != want.Type ||
			string(in.State.Name) != want.State || aws.ToString(in.Placement.AvailabilityZone) != want.AZ ||
			aws.ToString(in.VpcId) != want.VPCID || len(in.Tags) != len(want.Tags) || in.LaunchTime == nil {
			t.Errorf("instance %d: got %s %s %s %s, want %+v", i, aws.ToString(in.InstanceId), in.InstanceType, in.State.Name, aws.ToString(in.Placement.AvailabilityZone), want)
		}
	}

	count := func(keep func(*sim.Instance) bool) int {
		n := 0
		for _, in := range fleet {
			if keep(in) {
				n++
			}
		}
		return n
	}
	f := func(name string, filters []ec2types.Filter, keep func(*sim.Instance) bool) {
		t.Helper()
		got, _ := describeAll(t, e, &ec2.DescribeInstancesInput{Filters: filters})
		if want := count(keep); len(got) != want || want == 0 {
			t.Errorf("%s: %d instances, want %d (and more than 0)", name, len(got), want)
		}
	}
	// State.
	f("stopped", []ec2types.Filter{{Name: aws.String("instance-state-name"), Values: []string{"stopped"}}},
		func(in *sim.Instance) bool { return in.State == "stopped" })
	// A tag with two accepted values, combined with a state.
	f("env prod or dev, running", []ec2types.Filter{
		{Name: aws.String("tag:env"), Values: []string{"prod", "dev"}},
		{Name: aws.String("instance-state-name"), Values: []string{"running"}},
	}, func(in *sim.Instance) bool {
		env := ""
		for _, tg := range in.Tags {
			if tg.Key == "env" {
				env = tg.Value
			}
		}
		return in.State == "running" && (env == "prod" || env == "dev")
	})
	// Tag key presence.
	f("agent tag", []ec2types.Filter{{Name: aws.String("tag-key"), Values: []string{"cloudwatch-agent"}}},
		func(in *sim.Instance) bool { return in.Agent })
	// Wildcard on an AZ.
	f("az wildcard", []ec2types.Filter{{Name: aws.String("availability-zone"), Values: []string{"us-east-1a*"}}},
		func(in *sim.Instance) bool { return in.AZ == "us-east-1a" })

	_, err := e.ec2().DescribeInstances(ctx(t), &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("no-such-filter"), Values: []string{"x"}}}})
	if code := errorCode(err); code != "InvalidParameterValue" {
		t.Errorf("unknown filter: code %q (%v), want InvalidParameterValue", code, err)
	}
	// Another region is another inventory.
	e.cfg.Region = "eu-west-1"
	eu, _ := describeAll(t, e, &ec2.DescribeInstancesInput{})
	if want := len(e.sim.Fleet().InstancesIn(acct1, "eu-west-1")); len(eu) != want {
		t.Errorf("eu-west-1: %d instances, want %d", len(eu), want)
	}
	// Every call is counted in the region it was signed for. The SDK may retry a call whose
	// connection broke after the server counted it (seen under the race detector on a loaded
	// machine), so the regions' counts add up rather than being exactly one.
	if st := e.sim.Stats(); st.CallsIn(acct1, "eu-west-1", "ec2", "DescribeInstances") < 1 ||
		st.CallsOf(acct1, "ec2", "DescribeInstances") != st.CallsIn(acct1, "us-east-1", "ec2", "DescribeInstances")+st.CallsIn(acct1, "eu-west-1", "ec2", "DescribeInstances") {
		t.Errorf("per-region call counts: %+v faults %+v", st.Calls, st.Faults)
	}
}

func TestDescribeNetwork(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	f := e.sim.Fleet()
	vpcs, err := e.ec2().DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantVPCs := f.VPCsIn(acct1, "us-east-1")
	if len(vpcs.Vpcs) != len(wantVPCs) || aws.ToString(vpcs.Vpcs[0].VpcId) != wantVPCs[0].ID || vpcs.Vpcs[0].State != ec2types.VpcStateAvailable {
		t.Fatalf("DescribeVpcs = %+v, want %+v", vpcs.Vpcs, wantVPCs)
	}
	vpcID := wantVPCs[0].ID

	subnets, err := e.ec2().DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantSubnets := f.SubnetsIn(acct1, "us-east-1")
	if len(subnets.Subnets) != len(wantSubnets) {
		t.Fatalf("%d subnets, want %d", len(subnets.Subnets), len(wantSubnets))
	}
	for i, sn := range subnets.Subnets {
		w := wantSubnets[i]
		if aws.ToString(sn.SubnetId) != w.ID || aws.ToInt32(sn.AvailableIpAddressCount) != int32(w.AvailableIPs) ||
			aws.ToString(sn.AvailabilityZone) != w.AZ || aws.ToString(sn.CidrBlock) != w.CIDR {
			t.Errorf("subnet %d: %s ips=%d az=%s, want %+v", i, aws.ToString(sn.SubnetId), aws.ToInt32(sn.AvailableIpAddressCount), aws.ToString(sn.AvailabilityZone), w)
		}
		if w.AvailableIPs >= 251 || w.AvailableIPs <= 0 {
			t.Errorf("subnet %s: %d available IPs, want fewer than the 251 of an empty /24", w.ID, w.AvailableIPs)
		}
	}

	rts, err := e.ec2().DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	wantRTs := f.RouteTablesIn(acct1, "us-east-1")
	if len(rts.RouteTables) != len(wantRTs) {
		t.Fatalf("%d route tables, want %d", len(rts.RouteTables), len(wantRTs))
	}
	mains := 0
	for i, rt := range rts.RouteTables {
		if len(rt.Routes) != len(wantRTs[i].Routes) {
			t.Errorf("route table %s: %d routes, want %d", aws.ToString(rt.RouteTableId), len(rt.Routes), len(wantRTs[i].Routes))
		}
		for _, a := range rt.Associations {
			if aws.ToBool(a.Main) {
				mains++
			}
		}
	}
	if mains != 1 {
		t.Errorf("%d main route table associations, want 1", mains)
	}
	main, err := e.ec2().DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{
		Filters: []ec2types.Filter{{Name: aws.String("association.main"), Values: []string{"true"}}},
	})
	if err != nil || len(main.RouteTables) != 1 {
		t.Errorf("main route table filter: %v, %d tables", err, len(main.RouteTables))
	}
}

func TestDescribeDBInstances(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	want := e.sim.Fleet().DBInstancesIn(acct1, "us-east-1")
	out, err := e.rds().DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DBInstances) != len(want) || len(want) == 0 {
		t.Fatalf("%d DB instances, want %d (and more than 0)", len(out.DBInstances), len(want))
	}
	for i, d := range out.DBInstances {
		w := want[i]
		if aws.ToString(d.DBInstanceIdentifier) != w.Identifier || aws.ToString(d.Engine) != w.Engine ||
			aws.ToString(d.DBInstanceStatus) != w.Status || aws.ToString(d.DBInstanceArn) != w.ARN() ||
			aws.ToInt32(d.AllocatedStorage) != int32(w.AllocatedStorageGiB) || len(d.TagList) != len(w.Tags) {
			t.Errorf("DB %d: %+v, want %+v", i, d, w)
		}
	}
	one, err := e.rds().DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: aws.String("engine"), Values: []string{want[0].Engine}}},
	})
	if err != nil || len(one.DBInstances) == 0 {
		t.Errorf("engine filter: %v, %d instances", err, len(one.DBInstances))
	}
	_, err = e.rds().DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("nope")})
	var nf *rdstypes.DBInstanceNotFoundFault
	if !errorsAs(err, &nf) {
		t.Errorf("unknown identifier: %v, want DBInstanceNotFoundFault", err)
	}
}

func TestGetResources(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	f := e.sim.Fleet()
	prodInstances := 0
	for _, in := range f.InstancesIn(acct1, "us-east-1") {
		for _, tg := range in.Tags {
			if tg.Key == "env" && tg.Value == "prod" {
				prodInstances++
			}
		}
	}
	p := tagging.NewGetResourcesPaginator(e.tagging(), &tagging.GetResourcesInput{
		ResourceTypeFilters: []string{"ec2:instance"},
		TagFilters:          []tagtypes.TagFilter{{Key: aws.String("env"), Values: []string{"prod"}}},
		ResourcesPerPage:    aws.Int32(2),
	})
	var got []tagtypes.ResourceTagMapping
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, page.ResourceTagMappingList...)
	}
	if len(got) != prodInstances || prodInstances == 0 || pages != (prodInstances+1)/2 {
		t.Errorf("%d prod instances in %d pages, want %d in %d", len(got), pages, prodInstances, (prodInstances+1)/2)
	}
	out, err := e.tagging().GetResources(ctx(t), &tagging.GetResourcesInput{ResourceTypeFilters: []string{"rds"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceTagMappingList) != len(f.DBInstancesIn(acct1, "us-east-1")) {
		t.Errorf("rds filter: %d resources, want %d", len(out.ResourceTagMappingList), len(f.DBInstancesIn(acct1, "us-east-1")))
	}
	for _, m := range out.ResourceTagMappingList {
		if len(m.Tags) == 0 {
			t.Errorf("%s has no tags", aws.ToString(m.ResourceARN))
		}
	}
}
