package simaws

import (
	"fmt"
	"net/http"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

const rdsNamespace = "http://rds.amazonaws.com/doc/2014-10-31/"

func (s *Server) describeDBInstances(c *call) *apiError {
	filters := parseFilters(c.form, "Filters.Filter", "Values.Value")
	id := c.form.Get("DBInstanceIdentifier")
	maxRecords, err := intParam(c.proto, c.form, "MaxRecords", 20, 100)
	if err != nil {
		return err
	}
	if maxRecords == 0 {
		maxRecords = 100
	}
	var matched []*sim.DBInstance
	for _, d := range s.sim.Fleet().DBInstancesIn(c.principal.Account, c.region) {
		if id != "" && id != d.Identifier && id != d.ARN() {
			continue
		}
		ok, err := matchFilters(c.proto, filters, nil, func(name string) ([]string, bool) {
			switch name {
			case "db-instance-id":
				return []string{d.Identifier, d.ARN()}, true
			case "dbi-resource-id":
				return []string{d.ResourceID}, true
			case "engine":
				return []string{d.Engine}, true
			case "db-cluster-id", "domain":
				return nil, true
			}
			return nil, false
		})
		if err != nil {
			return err
		}
		if ok {
			matched = append(matched, d)
		}
	}
	if id != "" && len(matched) == 0 {
		return errorf(http.StatusNotFound, "DBInstanceNotFound", "DBInstance %s not found.", id)
	}
	lo, hi, next, err := page(c.proto, "ddb", c.form.Get("Marker"), maxRecords, len(matched))
	if err != nil {
		return err
	}
	queryResponse(c, "DescribeDBInstances", rdsNamespace, func(b *xmlBuilder) {
		open(b, "DBInstances")
		for _, d := range matched[lo:hi] {
			writeDBInstance(b, d)
		}
		closeE(b, "DBInstances")
		if next != "" {
			elem(b, "Marker", next)
		}
	})
	return nil
}

func writeDBInstance(b *xmlBuilder, d *sim.DBInstance) {
	port := "5432"
	if d.Engine == "mysql" {
		port = "3306"
	}
	open(b, "DBInstance")
	elem(b, "DBInstanceIdentifier", d.Identifier)
	elem(b, "DBInstanceClass", d.Class)
	elem(b, "Engine", d.Engine)
	elem(b, "EngineVersion", d.EngineVersion)
	elem(b, "DBInstanceStatus", d.Status)
	open(b, "Endpoint")
	elem(b, "Address", fmt.Sprintf("%s.sim.%s.rds.amazonaws.com", d.Identifier, d.Region))
	elem(b, "Port", port)
	closeE(b, "Endpoint")
	elem(b, "AllocatedStorage", fmt.Sprint(d.AllocatedStorageGiB))
	elem(b, "StorageType", "gp3")
	elem(b, "InstanceCreateTime", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339))
	elem(b, "AvailabilityZone", d.AZ)
	elem(b, "MultiAZ", boolStr(d.MultiAZ))
	elem(b, "DbiResourceId", d.ResourceID)
	elem(b, "DBInstanceArn", d.ARN())
	open(b, "DBSubnetGroup")
	elem(b, "DBSubnetGroupName", "default-"+d.VPCID)
	elem(b, "VpcId", d.VPCID)
	elem(b, "SubnetGroupStatus", "Complete")
	closeE(b, "DBSubnetGroup")
	open(b, "TagList")
	for _, t := range d.Tags {
		open(b, "Tag")
		elem(b, "Key", t.Key)
		elem(b, "Value", t.Value)
		closeE(b, "Tag")
	}
	closeE(b, "TagList")
	closeE(b, "DBInstance")
}
