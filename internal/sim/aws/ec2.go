package simaws

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

func ec2Response(c *call, op string, body func(b *xmlBuilder)) {
	var b xmlBuilder
	b.WriteString("<" + op + `Response xmlns="` + ec2Namespace + `">`)
	elem(&b, "requestId", c.requestID)
	body(&b)
	b.WriteString("</" + op + "Response>")
	writeXML(c, b.String())
}

func tagSet(b *xmlBuilder, tags []sim.Tag) {
	open(b, "tagSet")
	for _, t := range tags {
		open(b, "item")
		elem(b, "key", t.Key)
		elem(b, "value", t.Value)
		closeE(b, "item")
	}
	closeE(b, "tagSet")
}

var stateCodes = map[string]string{"pending": "0", "running": "16", "stopping": "64", "stopped": "80"}

func (s *Server) describeInstances(c *call) *apiError {
	filters := parseFilters(c.form, "Filter", "Value")
	ids := indexedList(c.form, "InstanceId")
	maxResults, err := intParam(c.proto, c.form, "MaxResults", 5, 1000)
	if err != nil {
		return err
	}
	if len(ids) > 0 && maxResults > 0 {
		return invalidParam(c.proto, "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	var matched []*sim.Instance
	for _, in := range s.sim.Fleet().InstancesIn(c.principal.Account, c.region) {
		if len(ids) > 0 && !slices.Contains(ids, in.ID) {
			continue
		}
		ok, err := matchFilters(c.proto, filters, in.Tags, func(name string) ([]string, bool) {
			switch name {
			case "instance-state-name":
				return []string{in.State}, true
			case "instance-state-code":
				return []string{stateCodes[in.State]}, true
			case "instance-type":
				return []string{in.Type}, true
			case "availability-zone":
				return []string{in.AZ}, true
			case "instance-id":
				return []string{in.ID}, true
			case "vpc-id":
				return []string{in.VPCID}, true
			case "subnet-id":
				return []string{in.SubnetID}, true
			case "image-id":
				return []string{in.ImageID}, true
			case "private-ip-address":
				return []string{in.PrivateIP}, true
			}
			return nil, false
		})
		if err != nil {
			return err
		}
		if ok {
			matched = append(matched, in)
		}
	}
	for _, id := range ids {
		if in := s.sim.Fleet().Instance(id); in == nil || in.Account != c.principal.Account || in.Region != c.region {
			return errorf(http.StatusBadRequest, "InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", id)
		}
	}
	lo, hi, next, err := page(c.proto, "di", c.form.Get("NextToken"), maxResults, len(matched))
	if err != nil {
		return err
	}
	ec2Response(c, "DescribeInstances", func(b *xmlBuilder) {
		open(b, "reservationSet")
		for _, in := range matched[lo:hi] {
			open(b, "item")
			elem(b, "reservationId", "r-"+strings.TrimPrefix(in.ID, "i-"))
			elem(b, "ownerId", in.Account)
			b.WriteString("<groupSet/>")
			open(b, "instancesSet")
			writeInstance(b, in)
			closeE(b, "instancesSet")
			closeE(b, "item")
		}
		closeE(b, "reservationSet")
		if next != "" {
			elem(b, "nextToken", next)
		}
	})
	return nil
}

func writeInstance(b *xmlBuilder, in *sim.Instance) {
	open(b, "item")
	elem(b, "instanceId", in.ID)
	elem(b, "imageId", in.ImageID)
	open(b, "instanceState")
	elem(b, "code", stateCodes[in.State])
	elem(b, "name", in.State)
	closeE(b, "instanceState")
	elem(b, "privateDnsName", "ip-"+strings.ReplaceAll(in.PrivateIP, ".", "-")+"."+in.Region+".compute.internal")
	elem(b, "instanceType", in.Type)
	elem(b, "launchTime", in.LaunchTime.UTC().Format(time.RFC3339))
	open(b, "placement")
	elem(b, "availabilityZone", in.AZ)
	elem(b, "tenancy", "default")
	closeE(b, "placement")
	open(b, "monitoring")
	elem(b, "state", "enabled")
	closeE(b, "monitoring")
	elem(b, "subnetId", in.SubnetID)
	elem(b, "vpcId", in.VPCID)
	elem(b, "privateIpAddress", in.PrivateIP)
	elem(b, "architecture", "x86_64")
	elem(b, "rootDeviceType", "ebs")
	elem(b, "virtualizationType", "hvm")
	elem(b, "hypervisor", "xen")
	elem(b, "platformDetails", "Linux/UNIX")
	if in.State == "stopped" {
		elem(b, "reason", "User initiated")
		open(b, "stateReason")
		elem(b, "code", "Client.UserInitiatedShutdown")
		elem(b, "message", "Client.UserInitiatedShutdown: User initiated shutdown")
		closeE(b, "stateReason")
	}
	tagSet(b, in.Tags)
	closeE(b, "item")
}

func (s *Server) describeVpcs(c *call) *apiError {
	filters := parseFilters(c.form, "Filter", "Value")
	ids := indexedList(c.form, "VpcId")
	maxResults, err := intParam(c.proto, c.form, "MaxResults", 5, 1000)
	if err != nil {
		return err
	}
	var matched []*sim.VPC
	for _, v := range s.sim.Fleet().VPCsIn(c.principal.Account, c.region) {
		if len(ids) > 0 && !slices.Contains(ids, v.ID) {
			continue
		}
		ok, err := matchFilters(c.proto, filters, v.Tags, func(name string) ([]string, bool) {
			switch name {
			case "vpc-id":
				return []string{v.ID}, true
			case "state":
				return []string{v.State}, true
			case "cidr", "cidr-block-association.cidr-block":
				return []string{v.CIDR}, true
			case "is-default":
				return []string{boolStr(v.IsDefault)}, true
			case "owner-id":
				return []string{v.Account}, true
			}
			return nil, false
		})
		if err != nil {
			return err
		}
		if ok {
			matched = append(matched, v)
		}
	}
	lo, hi, next, err := page(c.proto, "dv", c.form.Get("NextToken"), maxResults, len(matched))
	if err != nil {
		return err
	}
	ec2Response(c, "DescribeVpcs", func(b *xmlBuilder) {
		open(b, "vpcSet")
		for _, v := range matched[lo:hi] {
			open(b, "item")
			elem(b, "vpcId", v.ID)
			elem(b, "ownerId", v.Account)
			elem(b, "state", v.State)
			elem(b, "cidrBlock", v.CIDR)
			elem(b, "dhcpOptionsId", "dopt-"+strings.TrimPrefix(v.ID, "vpc-"))
			elem(b, "instanceTenancy", "default")
			elem(b, "isDefault", boolStr(v.IsDefault))
			tagSet(b, v.Tags)
			closeE(b, "item")
		}
		closeE(b, "vpcSet")
		if next != "" {
			elem(b, "nextToken", next)
		}
	})
	return nil
}

// azID renders an AZ id like use1-az1 for us-east-1a.
func azID(az string) string {
	parts := strings.Split(az[:len(az)-1], "-")
	short := ""
	for _, p := range parts[:len(parts)-1] {
		short += p[:1]
	}
	if len(parts[0]) == 2 {
		short = parts[0] + short[1:]
	}
	return fmt.Sprintf("%s%s-az%d", short, parts[len(parts)-1], int(az[len(az)-1]-'a')+1)
}

func (s *Server) describeSubnets(c *call) *apiError {
	filters := parseFilters(c.form, "Filter", "Value")
	ids := indexedList(c.form, "SubnetId")
	maxResults, err := intParam(c.proto, c.form, "MaxResults", 5, 1000)
	if err != nil {
		return err
	}
	var matched []*sim.Subnet
	for _, sn := range s.sim.Fleet().SubnetsIn(c.principal.Account, c.region) {
		if len(ids) > 0 && !slices.Contains(ids, sn.ID) {
			continue
		}
		ok, err := matchFilters(c.proto, filters, sn.Tags, func(name string) ([]string, bool) {
			switch name {
			case "subnet-id":
				return []string{sn.ID}, true
			case "vpc-id":
				return []string{sn.VPCID}, true
			case "availability-zone":
				return []string{sn.AZ}, true
			case "state":
				return []string{"available"}, true
			case "cidr-block":
				return []string{sn.CIDR}, true
			}
			return nil, false
		})
		if err != nil {
			return err
		}
		if ok {
			matched = append(matched, sn)
		}
	}
	lo, hi, next, err := page(c.proto, "ds", c.form.Get("NextToken"), maxResults, len(matched))
	if err != nil {
		return err
	}
	ec2Response(c, "DescribeSubnets", func(b *xmlBuilder) {
		open(b, "subnetSet")
		for _, sn := range matched[lo:hi] {
			open(b, "item")
			elem(b, "subnetId", sn.ID)
			elem(b, "subnetArn", sn.ARN())
			elem(b, "state", "available")
			elem(b, "ownerId", sn.Account)
			elem(b, "vpcId", sn.VPCID)
			elem(b, "cidrBlock", sn.CIDR)
			elem(b, "availableIpAddressCount", fmt.Sprint(sn.AvailableIPs))
			elem(b, "availabilityZone", sn.AZ)
			elem(b, "availabilityZoneId", azID(sn.AZ))
			elem(b, "defaultForAz", "false")
			elem(b, "mapPublicIpOnLaunch", "false")
			tagSet(b, sn.Tags)
			closeE(b, "item")
		}
		closeE(b, "subnetSet")
		if next != "" {
			elem(b, "nextToken", next)
		}
	})
	return nil
}

func (s *Server) describeRouteTables(c *call) *apiError {
	filters := parseFilters(c.form, "Filter", "Value")
	ids := indexedList(c.form, "RouteTableId")
	maxResults, err := intParam(c.proto, c.form, "MaxResults", 5, 100)
	if err != nil {
		return err
	}
	var matched []*sim.RouteTable
	for _, rt := range s.sim.Fleet().RouteTablesIn(c.principal.Account, c.region) {
		if len(ids) > 0 && !slices.Contains(ids, rt.ID) {
			continue
		}
		ok, err := matchFilters(c.proto, filters, rt.Tags, func(name string) ([]string, bool) {
			switch name {
			case "route-table-id":
				return []string{rt.ID}, true
			case "vpc-id":
				return []string{rt.VPCID}, true
			case "association.main":
				return []string{boolStr(rt.Main)}, true
			case "association.subnet-id":
				return rt.SubnetIDs, true
			}
			return nil, false
		})
		if err != nil {
			return err
		}
		if ok {
			matched = append(matched, rt)
		}
	}
	lo, hi, next, err := page(c.proto, "drt", c.form.Get("NextToken"), maxResults, len(matched))
	if err != nil {
		return err
	}
	ec2Response(c, "DescribeRouteTables", func(b *xmlBuilder) {
		open(b, "routeTableSet")
		for _, rt := range matched[lo:hi] {
			writeRouteTable(b, rt)
		}
		closeE(b, "routeTableSet")
		if next != "" {
			elem(b, "nextToken", next)
		}
	})
	return nil
}

func writeRouteTable(b *xmlBuilder, rt *sim.RouteTable) {
	open(b, "item")
	elem(b, "routeTableId", rt.ID)
	elem(b, "vpcId", rt.VPCID)
	elem(b, "ownerId", rt.Account)
	open(b, "routeSet")
	for _, r := range rt.Routes {
		open(b, "item")
		elem(b, "destinationCidrBlock", r.Destination)
		if r.GatewayID != "" {
			elem(b, "gatewayId", r.GatewayID)
		}
		if r.NatGatewayID != "" {
			elem(b, "natGatewayId", r.NatGatewayID)
		}
		elem(b, "state", r.State)
		elem(b, "origin", r.Origin)
		closeE(b, "item")
	}
	closeE(b, "routeSet")
	open(b, "associationSet")
	assoc := func(id, subnet string, main bool) {
		open(b, "item")
		elem(b, "routeTableAssociationId", "rtbassoc-"+id)
		elem(b, "routeTableId", rt.ID)
		if subnet != "" {
			elem(b, "subnetId", subnet)
		}
		elem(b, "main", boolStr(main))
		open(b, "associationState")
		elem(b, "state", "associated")
		closeE(b, "associationState")
		closeE(b, "item")
	}
	if rt.Main {
		assoc(strings.TrimPrefix(rt.ID, "rtb-"), "", true)
	}
	for _, sn := range rt.SubnetIDs {
		assoc(strings.TrimPrefix(sn, "subnet-"), sn, false)
	}
	closeE(b, "associationSet")
	tagSet(b, rt.Tags)
	closeE(b, "item")
}
