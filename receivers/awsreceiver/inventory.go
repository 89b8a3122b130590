package awsreceiver

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// normalizeState maps provider states onto the three the overview counts.
func normalizeState(s string) string {
	switch s {
	case "running", "available":
		return cloudscrape.InstanceRunning
	case "stopped", "stopping", "shutting-down", "terminated":
		return cloudscrape.InstanceStopped
	}
	return cloudscrape.InstanceOther
}

func (t *awsTarget) collectInventory(ctx context.Context) (*cloudscrape.Inventory, error) {
	inv := &cloudscrape.Inventory{Resources: map[string]*cloudscrape.Resource{}}
	p := ec2.NewDescribeInstancesPaginator(t.ec2, &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("EC2 DescribeInstances: %w", err)
		}
		for _, r := range page.Reservations {
			for _, in := range r.Instances {
				id := aws.ToString(in.InstanceId)
				attrs := map[string]string{
					canonical.AttrHostID:          id,
					canonical.AttrHostType:        string(in.InstanceType),
					canonical.AttrCloudResourceID: fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", t.region, t.account, id),
					canonical.AttrHostName:        aws.ToString(in.PrivateDnsName),
				}
				if in.Placement != nil {
					attrs[canonical.AttrCloudAZ] = aws.ToString(in.Placement.AvailabilityZone)
				}
				for _, tag := range in.Tags {
					k, v := aws.ToString(tag.Key), aws.ToString(tag.Value)
					attrs[canonical.TagPrefix+k] = v
					if k == "Name" && v != "" {
						attrs[canonical.AttrHostName] = v
					}
				}
				state := ""
				if in.State != nil {
					state = string(in.State.Name)
				}
				attrs[canonical.AttrResourceState] = state
				inv.Resources[id] = &cloudscrape.Resource{ID: id, Platform: canonical.PlatformAWSEC2, State: normalizeState(state), Attrs: attrs}
			}
		}
	}
	rp := rds.NewDescribeDBInstancesPaginator(t.rds, &rds.DescribeDBInstancesInput{})
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("RDS DescribeDBInstances: %w", err)
		}
		for _, db := range page.DBInstances {
			id := aws.ToString(db.DBInstanceIdentifier)
			attrs := map[string]string{
				canonical.AttrHostID:          id,
				canonical.AttrHostName:        id,
				canonical.AttrHostType:        aws.ToString(db.DBInstanceClass),
				canonical.AttrCloudResourceID: aws.ToString(db.DBInstanceArn),
				canonical.AttrCloudAZ:         aws.ToString(db.AvailabilityZone),
				canonical.AttrDBSystem:        aws.ToString(db.Engine),
				canonical.AttrResourceState:   aws.ToString(db.DBInstanceStatus),
			}
			for _, tag := range db.TagList {
				attrs[canonical.TagPrefix+aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			inv.Resources[id] = &cloudscrape.Resource{ID: id, Platform: canonical.PlatformAWSRDS, State: normalizeState(aws.ToString(db.DBInstanceStatus)), Attrs: attrs}
		}
	}
	if err := t.collectVPCs(ctx, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

type vpcInfo struct {
	id, state, cidr string
	routes          int
}

// collectVPCs adds each VPC's state and routes and each subnet's free addresses.
func (t *awsTarget) collectVPCs(ctx context.Context, inv *cloudscrape.Inventory) error {
	var vpcs []vpcInfo
	vp := ec2.NewDescribeVpcsPaginator(t.ec2, &ec2.DescribeVpcsInput{})
	for vp.HasMorePages() {
		page, err := vp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("EC2 DescribeVpcs: %w", err)
		}
		for _, v := range page.Vpcs {
			vpcs = append(vpcs, vpcInfo{id: aws.ToString(v.VpcId), state: string(v.State), cidr: aws.ToString(v.CidrBlock)})
		}
	}
	byID := make(map[string]*vpcInfo, len(vpcs))
	for i := range vpcs {
		byID[vpcs[i].id] = &vpcs[i]
	}
	var subnets []cloudscrape.InventoryPoint
	sp := ec2.NewDescribeSubnetsPaginator(t.ec2, &ec2.DescribeSubnetsInput{})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("EC2 DescribeSubnets: %w", err)
		}
		for _, sn := range page.Subnets {
			if v := byID[aws.ToString(sn.VpcId)]; v != nil {
				subnets = append(subnets, cloudscrape.InventoryPoint{Metric: canonical.SubnetAvailableIPs, Value: int64(aws.ToInt32(sn.AvailableIpAddressCount)),
					Attrs: []cloudscrape.Attr{{Key: "vpc.id", Value: v.id}, {Key: "subnet.id", Value: aws.ToString(sn.SubnetId)},
						{Key: canonical.AttrSubnetCIDR, Value: aws.ToString(sn.CidrBlock)}, {Key: canonical.AttrCloudAZ, Value: aws.ToString(sn.AvailabilityZone)}}})
			}
		}
	}
	rp := ec2.NewDescribeRouteTablesPaginator(t.ec2, &ec2.DescribeRouteTablesInput{})
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("EC2 DescribeRouteTables: %w", err)
		}
		for _, rt := range page.RouteTables {
			if v := byID[aws.ToString(rt.VpcId)]; v != nil {
				v.routes += len(rt.Routes)
			}
		}
	}
	for _, v := range vpcs {
		id := cloudscrape.Attr{Key: "vpc.id", Value: v.id}
		inv.Points = append(inv.Points,
			cloudscrape.InventoryPoint{Metric: canonical.NetworkState, Value: 1, Attrs: []cloudscrape.Attr{id, {Key: "state", Value: v.state}, {Key: canonical.AttrNetworkCIDR, Value: v.cidr}}},
			cloudscrape.InventoryPoint{Metric: canonical.NetworkRoutes, Value: int64(v.routes), Attrs: []cloudscrape.Attr{id}})
	}
	inv.Points = append(inv.Points, subnets...)
	return nil
}

// defaultNamespaces are those whose resources the inventory reads itself (EC2 and RDS).
var defaultNamespaces = map[string]bool{"AWS/EC2": true, "CWAgent": true, "AWS/RDS": true}

// applyTagFilters finds the resources that match the configured tag filters with the Resource
// Groups Tagging API: EC2 and RDS instances become allowed ids; resources of any other type
// (load balancers, functions, queues) are added to the inventory under their ARN, with their
// tags, so the metrics of any namespace can be kept by tag and carry them (tagIndex). Without
// tag filters every resource is allowed (nil).
func (t *awsTarget) applyTagFilters(ctx context.Context, inv *cloudscrape.Inventory) error {
	t.allowed, t.tagIndex = nil, nil
	if len(t.cfg.TagFilters) == 0 {
		return nil
	}
	var filters []taggingtypes.TagFilter
	for _, k := range slices.Sorted(maps.Keys(t.cfg.TagFilters)) {
		filters = append(filters, taggingtypes.TagFilter{Key: aws.String(k), Values: t.cfg.TagFilters[k]})
	}
	in := &resourcegroupstaggingapi.GetResourcesInput{TagFilters: filters}
	if !t.otherNamespaces() {
		// Only EC2 and RDS metrics are collected: ask for their resources only.
		in.ResourceTypeFilters = []string{"ec2:instance", "rds:db"}
	}
	t.allowed, t.tagIndex = map[string]bool{}, map[string][]arn.ARN{}
	p := resourcegroupstaggingapi.NewGetResourcesPaginator(t.tagging, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("tagging GetResources: %w", err)
		}
		for _, m := range page.ResourceTagMappingList {
			a, err := arn.Parse(aws.ToString(m.ResourceARN))
			if err != nil {
				continue
			}
			// instance/i-0abc, db:mydb, loadbalancer/app/web/123, function:name, queue-name
			last := a.Resource[strings.LastIndexAny(a.Resource, "/:")+1:]
			if (a.Service == "ec2" && strings.HasPrefix(a.Resource, "instance/")) || (a.Service == "rds" && strings.HasPrefix(a.Resource, "db:")) {
				t.allowed[last] = true
				continue
			}
			attrs := map[string]string{canonical.AttrCloudResourceID: a.String()}
			for _, tag := range m.Tags {
				attrs[canonical.TagPrefix+aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			inv.Resources[a.String()] = &cloudscrape.Resource{ID: a.String(), Attrs: attrs}
			t.tagIndex[last] = append(t.tagIndex[last], a)
		}
	}
	return nil
}

// otherNamespaces tells whether a namespace beyond EC2, RDS and the agent's is collected.
func (t *awsTarget) otherNamespaces() bool {
	for _, ns := range t.cfg.Namespaces {
		if !defaultNamespaces[ns] {
			return true
		}
	}
	return false
}

// taggedResource returns the ARN of the tagged resource a metric's dimensions name: one whose
// ARN resource part is a dimension's value or ends with "/value" or ":value" (a load balancer's
// app/web/123, a function's name, a queue's name).
func (t *awsTarget) taggedResource(m cwtypes.Metric) string {
	for _, d := range m.Dimensions {
		v := aws.ToString(d.Value)
		for _, a := range t.tagIndex[v[strings.LastIndexAny(v, "/:")+1:]] {
			if r := a.Resource; r == v || strings.HasSuffix(r, "/"+v) || strings.HasSuffix(r, ":"+v) {
				return a.String()
			}
		}
	}
	return ""
}
