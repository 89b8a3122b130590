package simazure

import (
	"strings"

	"github.com/mcobs/mcobs/internal/sim"
)

// diskRow is a managed disk as Resource Graph returns it: managedBy names the VM.
func (srv *server) diskRow(d *sim.AzureDisk) graphRow {
	row := srv.baseRow(d.ID, d.Name, sim.AzureDiskNamespace, d.Location, d.ResourceGroup, d.Subscription, d.Tags)
	row.cols["managedBy"] = d.VM
	row.cols["sku"] = map[string]any{"name": d.SKU, "tier": strings.TrimSuffix(d.SKU, "_LRS")}
	row.cols["properties"] = map[string]any{
		"osType":            "Linux",
		"creationData":      map[string]any{"createOption": "FromImage"},
		"diskSizeGB":        d.SizeGiB,
		"diskSizeBytes":     int64(d.SizeGiB) << 30,
		"diskIOPSReadWrite": 500,
		"diskMBpsReadWrite": 100,
		"diskState":         d.State,
		"provisioningState": "Succeeded",
	}
	return row
}

// sqlRow is an Azure SQL database; its type has three segments, and its name is the
// database's alone (the server is in the id).
func (srv *server) sqlRow(db *sim.AzureSQLDatabase) graphRow {
	row := srv.baseRow(db.ID, db.Name, sim.AzureSQLNamespace, db.Location, db.ResourceGroup, db.Subscription, db.Tags)
	row.cols["kind"] = "v12.0,user,vcore"
	row.cols["sku"] = map[string]any{"name": db.SKU, "tier": db.Tier, "family": "Gen5", "capacity": 2}
	row.cols["properties"] = map[string]any{
		"collation":                     "SQL_Latin1_General_CP1_CI_AS",
		"maxSizeBytes":                  int64(db.MaxSizeBytes),
		"status":                        db.Status,
		"currentServiceObjectiveName":   db.SKU,
		"requestedServiceObjectiveName": db.SKU,
		"zoneRedundant":                 false,
		"readScale":                     "Disabled",
	}
	return row
}

// lbRow is a Standard public load balancer with one frontend and one backend pool.
func (srv *server) lbRow(lb *sim.AzureLoadBalancer) graphRow {
	row := srv.baseRow(lb.ID, lb.Name, sim.AzureLBNamespace, lb.Location, lb.ResourceGroup, lb.Subscription, lb.Tags)
	row.cols["sku"] = map[string]any{"name": "Standard", "tier": "Regional"}
	row.cols["properties"] = map[string]any{
		"provisioningState": "Succeeded",
		"frontendIPConfigurations": []any{map[string]any{
			"id": lb.ID + "/frontendIPConfigurations/frontend", "name": "frontend",
			"properties": map[string]any{"privateIPAllocationMethod": "Dynamic", "publicIPAddress": map[string]any{"id": rgPrefix(lb.ID) + "/providers/Microsoft.Network/publicIPAddresses/" + lb.Name + "-pip"}},
		}},
		"backendAddressPools": []any{map[string]any{"id": lb.ID + "/backendAddressPools/backend", "name": "backend"}},
		"probes":              []any{map[string]any{"id": lb.ID + "/probes/http", "name": "http", "properties": map[string]any{"protocol": "Http", "port": 80, "requestPath": "/healthz", "intervalInSeconds": 5}}},
	}
	return row
}
