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
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// resource is one EC2 instance or RDS instance with the attributes its metrics carry.
type resource struct {
	id       string
	platform string
	state    string
	attrs    map[string]string
}

// inventory is what one poll learnt about a target's resources.
type inventory struct {
	resources map[string]*resource // by EC2 instance id or RDS identifier
	vpcs      []vpcInfo
}

type vpcInfo struct {
	id, state string
	subnets   []subnetInfo
	routes    int
}

type subnetInfo struct {
	id, az    string
	available int32
}

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

func (s *awsScraper) collectInventory(ctx context.Context, t *target) (*inventory, error) {
	inv := &inventory{resources: map[string]*resource{}}
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
				inv.resources[id] = &resource{id: id, platform: canonical.PlatformAWSEC2, state: state, attrs: attrs}
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
			inv.resources[id] = &resource{id: id, platform: canonical.PlatformAWSRDS, state: aws.ToString(db.DBInstanceStatus), attrs: attrs}
		}
	}
	if err := s.collectVPCs(ctx, t, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

func (s *awsScraper) collectVPCs(ctx context.Context, t *target, inv *inventory) error {
	byID := map[string]*vpcInfo{}
	vp := ec2.NewDescribeVpcsPaginator(t.ec2, &ec2.DescribeVpcsInput{})
	for vp.HasMorePages() {
		page, err := vp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("EC2 DescribeVpcs: %w", err)
		}
		for _, v := range page.Vpcs {
			inv.vpcs = append(inv.vpcs, vpcInfo{id: aws.ToString(v.VpcId), state: string(v.State)})
		}
	}
	for i := range inv.vpcs {
		byID[inv.vpcs[i].id] = &inv.vpcs[i]
	}
	sp := ec2.NewDescribeSubnetsPaginator(t.ec2, &ec2.DescribeSubnetsInput{})
	for sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("EC2 DescribeSubnets: %w", err)
		}
		for _, sn := range page.Subnets {
			if v := byID[aws.ToString(sn.VpcId)]; v != nil {
				v.subnets = append(v.subnets, subnetInfo{id: aws.ToString(sn.SubnetId), az: aws.ToString(sn.AvailabilityZone), available: aws.ToInt32(sn.AvailableIpAddressCount)})
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
	return nil
}

// allowedByTags returns the ids of resources that match the configured tag filters, or nil
// when there are none (everything allowed).
func (s *awsScraper) allowedByTags(ctx context.Context, t *target) (map[string]bool, error) {
	if len(s.cfg.TagFilters) == 0 {
		return nil, nil
	}
	var filters []taggingtypes.TagFilter
	for k, vs := range s.cfg.TagFilters {
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

// setResource writes the resource attributes of r in target t onto res.
func setResource(res pcommon.Resource, t *target, r *resource) {
	a := res.Attributes()
	a.PutStr(canonical.AttrCloudProvider, canonical.ProviderAWS)
	a.PutStr(canonical.AttrCloudPlatform, r.platform)
	a.PutStr(canonical.AttrCloudAccountID, t.account)
	a.PutStr(canonical.AttrCloudRegion, t.region)
	for k, v := range r.attrs {
		if v != "" {
			a.PutStr(k, v)
		}
	}
}
