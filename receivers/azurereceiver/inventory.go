package azurereceiver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// AttrResourceGroup is the Azure resource group of a resource; AttrManagedBy the resource
// that manages it (a disk's VM).
const (
	AttrResourceGroup = "azure.resource_group"
	AttrManagedBy     = "azure.managed_by"
)

// graphPage is how many rows a Resource Graph query returns per page (its maximum).
const graphPage = 1000

// graphQuery is the Resource Graph query for the configured types and tag filters. Types are
// compared without case (in~), as Azure does.
func graphQuery(types []string, tags map[string][]string) string {
	var b strings.Builder
	b.WriteString("Resources | where type in~ (" + quoteList(types, strings.ToLower) + ")")
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.WriteString(" | where tags[" + quote(k) + "] in~ (" + quoteList(tags[k], nil) + ")")
	}
	b.WriteString(" | project id, name, type, location, resourceGroup, subscriptionId, tags, sku, managedBy, properties")
	return b.String()
}

// quote is a KQL string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func quoteList(vs []string, f func(string) string) string {
	qs := make([]string, len(vs))
	for i, v := range vs {
		if f != nil {
			v = f(v)
		}
		qs[i] = quote(v)
	}
	return strings.Join(qs, ", ")
}

// readResources lists the subscription's resources of the configured types, page by page.
func (t *azTarget) readResources(ctx context.Context, inv *cloudscrape.Inventory) error {
	graph, _ := t.clients()
	q := graphQuery(t.p.cfg.ResourceTypes, t.p.cfg.TagFilters)
	req := armresourcegraph.QueryRequest{
		Query:         &q,
		Subscriptions: []*string{&t.sub},
		Options:       &armresourcegraph.QueryRequestOptions{ResultFormat: ptr(armresourcegraph.ResultFormatObjectArray), Top: ptr(int32(graphPage))},
	}
	for {
		resp, err := graph.Resources(ctx, req, nil)
		if err != nil {
			return fmt.Errorf("Resource Graph: %w", err)
		}
		rows, ok := resp.Data.([]any)
		if !ok && resp.Data != nil {
			return fmt.Errorf("Resource Graph: malformed data of type %T", resp.Data)
		}
		for _, row := range rows {
			if r := resourceOf(row); r != nil {
				inv.Resources[r.ID] = r
			}
		}
		if resp.SkipToken == nil || *resp.SkipToken == "" {
			return nil
		}
		req.Options.SkipToken = resp.SkipToken
	}
}

// resourceOf reads one Resource Graph row: nil when it is not a resource of a mapped type.
func resourceOf(row any) *cloudscrape.Resource {
	m, _ := row.(map[string]any)
	id, _ := m["id"].(string)
	typ, _ := m["type"].(string)
	mappings := canonical.Azure.ForNamespace(typ)
	if id == "" || len(mappings) == 0 {
		return nil
	}
	props, _ := m["properties"].(map[string]any)
	name, _ := m["name"].(string)
	attrs := map[string]string{
		canonical.AttrCloudResourceID: id,
		canonical.AttrHostID:          id,
		canonical.AttrHostName:        name,
		canonical.AttrCloudRegion:     str(m["location"]),
		AttrResourceGroup:             str(m["resourceGroup"]),
	}
	if tags, ok := m["tags"].(map[string]any); ok {
		for k, v := range tags {
			attrs[canonical.TagPrefix+k] = str(v)
		}
	}
	r := &cloudscrape.Resource{ID: strings.ToLower(id), Platform: mappings[0].Platform, Attrs: attrs}
	switch mappings[0].Platform {
	case canonical.PlatformAzureVM:
		if vmID := str(dig(props, "vmId")); vmID != "" {
			attrs[canonical.AttrHostID] = vmID
		}
		attrs[canonical.AttrHostType] = str(dig(props, "hardwareProfile", "vmSize"))
		power := str(dig(props, "extended", "instanceView", "powerState", "code"))
		attrs[canonical.AttrResourceState] = strings.TrimPrefix(power, "PowerState/")
		r.State = vmState(power)
	case canonical.PlatformAzurePostgres:
		attrs[canonical.AttrDBSystem] = "postgresql"
		attrs[canonical.AttrHostType] = str(dig(m, "sku", "name"))
		state := str(dig(props, "state"))
		attrs[canonical.AttrResourceState] = state
		r.State = serverState(state)
	case canonical.PlatformAzureSQL:
		attrs[canonical.AttrDBSystem] = "microsoft.sql_server"
		attrs[canonical.AttrHostType] = str(dig(m, "sku", "name"))
		status := str(dig(props, "status"))
		attrs[canonical.AttrResourceState] = status
		r.State = databaseState(status)
	case canonical.PlatformAzureDisk:
		// Disks and load balancers are not instances: no State, so the inventory does not
		// count them and their metrics are asked for whatever their VM does.
		attrs[canonical.AttrHostType] = str(dig(m, "sku", "name"))
		attrs[canonical.AttrResourceState] = str(dig(props, "diskState"))
		if vm := str(m["managedBy"]); vm != "" {
			attrs[AttrManagedBy] = vm
		}
	case canonical.PlatformAzureLB:
		attrs[canonical.AttrHostType] = str(dig(m, "sku", "name"))
		attrs[canonical.AttrResourceState] = str(dig(props, "provisioningState"))
	}
	return r
}

// vmState normalizes a VM's power state: deallocated VMs are stopped too (and not billed).
func vmState(code string) string {
	switch strings.TrimPrefix(code, "PowerState/") {
	case "running":
		return cloudscrape.InstanceRunning
	case "stopped", "stopping", "deallocated", "deallocating":
		return cloudscrape.InstanceStopped
	}
	return cloudscrape.InstanceOther
}

// databaseState normalizes an Azure SQL database's status: a paused serverless database
// is stopped.
func databaseState(s string) string {
	switch s {
	case "Online":
		return cloudscrape.InstanceRunning
	case "Paused", "Pausing", "Offline", "Stopped":
		return cloudscrape.InstanceStopped
	}
	return cloudscrape.InstanceOther
}

func serverState(s string) string {
	switch s {
	case "Ready":
		return cloudscrape.InstanceRunning
	case "Stopped", "Stopping":
		return cloudscrape.InstanceStopped
	}
	return cloudscrape.InstanceOther
}

// dig follows keys through nested JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// readNetworks adds each virtual network's state and each subnet's free addresses, under the
// inventory metrics every cloud shares.
func (t *azTarget) readNetworks(ctx context.Context, inv *cloudscrape.Inventory) error {
	_, vnets := t.clients()
	pager := vnets.NewListAllPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list virtual networks: %w", err)
		}
		for _, v := range page.Value {
			if v.ID == nil || v.Name == nil {
				continue
			}
			state := ""
			if v.Properties != nil && v.Properties.ProvisioningState != nil {
				state = string(*v.Properties.ProvisioningState)
			}
			id := cloudscrape.Attr{Key: "vpc.id", Value: *v.ID}
			space, subnetSpace := addressSpace(v)
			inv.Points = append(inv.Points, cloudscrape.InventoryPoint{Metric: canonical.NetworkState, Value: 1,
				Attrs: []cloudscrape.Attr{id, {Key: "state", Value: state}, {Key: canonical.AttrNetworkCIDR, Value: space}, {Key: canonical.AttrCloudRegion, Value: deref(v.Location)}}})
			rid, err := arm.ParseResourceID(*v.ID)
			if err != nil {
				continue
			}
			up := vnets.NewListUsagePager(rid.ResourceGroupName, *v.Name, nil)
			for up.More() {
				u, err := up.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("list usage of virtual network %s: %w", *v.Name, err)
				}
				for _, use := range u.Value {
					if use.ID == nil || use.Limit == nil || use.CurrentValue == nil {
						continue
					}
					inv.Points = append(inv.Points, cloudscrape.InventoryPoint{Metric: canonical.SubnetAvailableIPs,
						Value: int64(*use.Limit - *use.CurrentValue),
						Attrs: []cloudscrape.Attr{id, {Key: "subnet.id", Value: *use.ID}, {Key: canonical.AttrSubnetCIDR, Value: subnetSpace[strings.ToLower(*use.ID)]}}})
				}
			}
		}
	}
	return nil
}

// addressSpace is a virtual network's address prefixes, and each subnet's by lower-case id.
func addressSpace(v *armnetwork.VirtualNetwork) (string, map[string]string) {
	subnets := map[string]string{}
	if v.Properties == nil {
		return "", subnets
	}
	var space []string
	if v.Properties.AddressSpace != nil {
		for _, p := range v.Properties.AddressSpace.AddressPrefixes {
			space = append(space, deref(p))
		}
	}
	for _, sn := range v.Properties.Subnets {
		if sn.ID == nil || sn.Properties == nil {
			continue
		}
		prefixes := []string{deref(sn.Properties.AddressPrefix)}
		if len(sn.Properties.AddressPrefixes) > 0 {
			prefixes = prefixes[:0]
			for _, p := range sn.Properties.AddressPrefixes {
				prefixes = append(prefixes, deref(p))
			}
		}
		subnets[strings.ToLower(*sn.ID)] = strings.Join(prefixes, ",")
	}
	return strings.Join(space, ","), subnets
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
