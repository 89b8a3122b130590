package gcpreceiver

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/compute/v1"
	sqladmin "google.golang.org/api/sqladmin/v1"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// pageSize is the largest page Compute Engine's list methods return.
const pageSize = 500

// readInstances lists the project's instances of every zone with their status, page by page,
// and returns how many use each subnetwork (by selfLink).
func (t *gcpTarget) readInstances(ctx context.Context, inv *cloudscrape.Inventory) (map[string]int, error) {
	_, comp, _ := t.clients()
	used := map[string]int{}
	token := ""
	for {
		var page *compute.InstanceAggregatedList
		err := gax.Invoke(ctx, func(ctx context.Context, _ gax.CallSettings) error {
			var err error
			page, err = comp.Instances.AggregatedList(t.project).MaxResults(pageSize).PageToken(token).ReturnPartialSuccess(true).Context(ctx).Do()
			return err
		}, t.p.httpRetry())
		if err != nil {
			return nil, fmt.Errorf("Compute Engine instances.aggregatedList: %w", err)
		}
		for _, scoped := range page.Items {
			for _, i := range scoped.Instances {
				for _, ni := range i.NetworkInterfaces {
					used[ni.Subnetwork]++
				}
				if r := t.instanceOf(i); r != nil {
					inv.Resources[r.ID] = r
				}
			}
		}
		if token = page.NextPageToken; token == "" {
			return used, nil
		}
	}
}

// instanceOf is the resource of an instance, or nil when the label filters leave it out.
func (t *gcpTarget) instanceOf(i *compute.Instance) *cloudscrape.Resource {
	if !t.p.cfg.keeps(i.Labels) {
		return nil
	}
	zone := last(i.Zone)
	id := fmt.Sprint(i.Id)
	attrs := map[string]string{
		canonical.AttrCloudResourceID: i.SelfLink,
		canonical.AttrHostID:          id,
		canonical.AttrHostName:        i.Name,
		canonical.AttrHostType:        last(i.MachineType),
		canonical.AttrCloudRegion:     regionOf(zone),
		canonical.AttrCloudAZ:         zone,
		canonical.AttrResourceState:   i.Status,
	}
	for k, v := range i.Labels {
		attrs[canonical.TagPrefix+k] = v
	}
	return &cloudscrape.Resource{ID: id, Platform: canonical.PlatformGCPCompute, State: instanceState(i.Status), Attrs: attrs}
}

// instanceState normalizes an instance status: TERMINATED (stopped) and SUSPENDED instances
// are stopped, and so are those on their way there; starting and repairing ones are other.
func instanceState(s string) string {
	switch s {
	case "RUNNING":
		return cloudscrape.InstanceRunning
	case "TERMINATED", "STOPPED", "STOPPING", "SUSPENDED", "SUSPENDING":
		return cloudscrape.InstanceStopped
	}
	return cloudscrape.InstanceOther
}

// readSQL lists the project's Cloud SQL instances.
func (t *gcpTarget) readSQL(ctx context.Context, inv *cloudscrape.Inventory) error {
	_, _, sql := t.clients()
	token := ""
	for {
		var page *sqladmin.InstancesListResponse
		err := gax.Invoke(ctx, func(ctx context.Context, _ gax.CallSettings) error {
			var err error
			page, err = sql.Instances.List(t.project).MaxResults(pageSize).PageToken(token).Context(ctx).Do()
			return err
		}, t.p.httpRetry())
		if err != nil {
			return fmt.Errorf("Cloud SQL Admin instances.list: %w", err)
		}
		for _, d := range page.Items {
			if r := t.sqlOf(d); r != nil {
				inv.Resources[r.ID] = r
			}
		}
		if token = page.NextPageToken; token == "" {
			return nil
		}
	}
}

// sqlOf is the resource of a Cloud SQL instance, keyed by its database_id (project:name) as
// Cloud Monitoring labels it, or nil when the label filters leave it out.
func (t *gcpTarget) sqlOf(d *sqladmin.DatabaseInstance) *cloudscrape.Resource {
	var labels map[string]string
	policy := ""
	if d.Settings != nil {
		labels, policy = d.Settings.UserLabels, d.Settings.ActivationPolicy
	}
	if !t.p.cfg.keeps(labels) {
		return nil
	}
	id := t.project + ":" + d.Name
	attrs := map[string]string{
		canonical.AttrCloudResourceID: id,
		canonical.AttrHostID:          id,
		canonical.AttrHostName:        d.Name,
		canonical.AttrCloudRegion:     d.Region,
		canonical.AttrResourceState:   d.State,
		canonical.AttrDBSystem:        dbSystem(d.DatabaseVersion),
	}
	if d.Settings != nil {
		attrs[canonical.AttrHostType] = d.Settings.Tier
	}
	for k, v := range labels {
		attrs[canonical.TagPrefix+k] = v
	}
	state := cloudscrape.InstanceOther
	switch {
	case d.State == "RUNNABLE" && policy != "NEVER":
		state = cloudscrape.InstanceRunning
	case d.State == "RUNNABLE", d.State == "SUSPENDED", d.State == "STOPPED":
		state = cloudscrape.InstanceStopped
	}
	return &cloudscrape.Resource{ID: id, Platform: canonical.PlatformGCPCloudSQL, State: state, Attrs: attrs}
}

// dbSystem is the db.system.name of a Cloud SQL database version (POSTGRES_16).
func dbSystem(version string) string {
	switch {
	case strings.HasPrefix(version, "POSTGRES"):
		return "postgresql"
	case strings.HasPrefix(version, "MYSQL"):
		return "mysql"
	case strings.HasPrefix(version, "SQLSERVER"):
		return "microsoft.sql_server"
	}
	return strings.ToLower(version)
}

// readNetworks adds each VPC network and each subnetwork's free addresses (its primary range
// less Google's 4 reserved addresses and the instances' interfaces in it), under the
// inventory metrics every cloud shares.
func (t *gcpTarget) readNetworks(ctx context.Context, inv *cloudscrape.Inventory, used map[string]int) error {
	_, comp, _ := t.clients()
	var nets *compute.NetworkList
	err := gax.Invoke(ctx, func(ctx context.Context, _ gax.CallSettings) error {
		var err error
		nets, err = comp.Networks.List(t.project).MaxResults(pageSize).Context(ctx).Do()
		return err
	}, t.p.httpRetry())
	if err != nil {
		return fmt.Errorf("Compute Engine networks.list: %w", err)
	}
	for _, n := range nets.Items {
		inv.Points = append(inv.Points, cloudscrape.InventoryPoint{Metric: canonical.NetworkState, Value: 1,
			Attrs: []cloudscrape.Attr{{Key: "vpc.id", Value: n.Name}, {Key: "state", Value: "available"}}})
	}
	var subs *compute.SubnetworkAggregatedList
	err = gax.Invoke(ctx, func(ctx context.Context, _ gax.CallSettings) error {
		var err error
		subs, err = comp.Subnetworks.AggregatedList(t.project).MaxResults(pageSize).ReturnPartialSuccess(true).Context(ctx).Do()
		return err
	}, t.p.httpRetry())
	if err != nil {
		return fmt.Errorf("Compute Engine subnetworks.aggregatedList: %w", err)
	}
	for _, scoped := range subs.Items {
		for _, s := range scoped.Subnetworks {
			p, err := netip.ParsePrefix(s.IpCidrRange)
			if err != nil {
				continue
			}
			size := int64(1) << (p.Addr().BitLen() - p.Bits())
			inv.Points = append(inv.Points, cloudscrape.InventoryPoint{Metric: canonical.SubnetAvailableIPs,
				Value: size - 4 - int64(used[s.SelfLink]),
				Attrs: []cloudscrape.Attr{{Key: "vpc.id", Value: last(s.Network)}, {Key: "subnet.id", Value: s.Name}, {Key: canonical.AttrCloudRegion, Value: last(s.Region)}}})
		}
	}
	return nil
}

// keeps tells whether resource labels pass label_filters.
func (c *Config) keeps(labels map[string]string) bool {
	for k, vs := range c.LabelFilters {
		v, ok := labels[k]
		if !ok || !contains(vs, v) {
			return false
		}
	}
	return true
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// last is the last segment of a resource URL.
func last(url string) string { return url[strings.LastIndex(url, "/")+1:] }

func regionOf(zone string) string {
	if i := strings.LastIndex(zone, "-"); i > 0 {
		return zone[:i]
	}
	return zone
}
