package awsreceiver

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// Inventory metrics of a target's networks.
var (
	vpcState     = canonical.Metric{Name: "mcobs.vpc.state", Description: "1 for each VPC, with its state."}
	vpcSubnetIPs = canonical.Metric{Name: "mcobs.vpc.subnet.available_ip_addresses", Unit: "{address}", Description: "Available IP addresses per subnet."}
	vpcRoutes    = canonical.Metric{Name: "mcobs.vpc.routes", Unit: "{route}", Description: "Routes over all route tables of a VPC."}
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
	id, state string
	routes    int
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
			vpcs = append(vpcs, vpcInfo{id: aws.ToString(v.VpcId), state: string(v.State)})
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
				subnets = append(subnets, cloudscrape.InventoryPoint{Metric: vpcSubnetIPs, Value: int64(aws.ToInt32(sn.AvailableIpAddressCount)),
					Attrs: []cloudscrape.Attr{{Key: "vpc.id", Value: v.id}, {Key: "subnet.id", Value: aws.ToString(sn.SubnetId)}, {Key: canonical.AttrCloudAZ, Value: aws.ToString(sn.AvailabilityZone)}}})
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
			cloudscrape.InventoryPoint{Metric: vpcState, Value: 1, Attrs: []cloudscrape.Attr{id, {Key: "state", Value: v.state}}},
			cloudscrape.InventoryPoint{Metric: vpcRoutes, Value: int64(v.routes), Attrs: []cloudscrape.Attr{id}})
	}
	inv.Points = append(inv.Points, subnets...)
	return nil
}

// allowedByTags returns the ids of resources that match the configured tag filters, or nil
// when there are none (everything allowed).
func (t *awsTarget) allowedByTags(ctx context.Context) (map[string]bool, error) {
	if len(t.cfg.TagFilters) == 0 {
		return nil, nil
	}
	var filters []taggingtypes.TagFilter
	for k, vs := range t.cfg.TagFilters {
		filters = append(filters, taggingtypes.TagFilter{Key: aws.String(k), Values: vs})
	}
	allowed := map[string]bool{}
	p := resourcegroupstaggingapi.NewGetResourcesPaginator(t.tagging, &resourcegroupstaggingapi.GetResourcesInput{
		TagFilters:          filters,
		ResourceTypeFilters: []string{"ec2:instance", "rds:db"},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("tagging GetResources: %w", err)
		}
		for _, m := range page.ResourceTagMappingList {
			a, err := arn.Parse(aws.ToString(m.ResourceARN))
			if err != nil {
				continue
			}
			// instance/i-0abc or db:mydb
			id := a.Resource[strings.LastIndexAny(a.Resource, "/:")+1:]
			allowed[id] = true
		}
	}
	return allowed, nil
}
