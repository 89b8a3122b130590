package simazure

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mcobs/mcobs/internal/sim"
)

// Resource Graph paging: $top defaults to 100 and may be at most 1000.
const (
	graphDefaultTop = 100
	graphMaxTop     = 1000
)

type graphRequest struct {
	Subscriptions    []string `json:"subscriptions"`
	ManagementGroups []string `json:"managementGroups"`
	Query            string   `json:"query"`
	Options          struct {
		SkipToken    string `json:"$skipToken"`
		Top          *int   `json:"$top"`
		Skip         *int   `json:"$skip"`
		ResultFormat string `json:"resultFormat"`
	} `json:"options"`
	Facets []json.RawMessage `json:"facets"`
}

// graphRow is one Resources row with its type and tags for filtering.
type graphRow struct {
	typ  string
	tags map[string]string
	cols map[string]any
}

// resourceGraph is POST /providers/Microsoft.ResourceGraph/resources: the supported query
// over the requested subscriptions (all when none are named; unknown ones contribute
// nothing), in objectArray format, ordered by id and paged with $skipToken.
func (srv *server) resourceGraph(c *call) *apiError {
	body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	if err != nil {
		return graphError("InvalidRequestBody", "read request body: %v", err)
	}
	var req graphRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return graphError("InvalidRequestBody", "the request body is not a QueryRequest: %v", err)
	}
	switch {
	case strings.TrimSpace(req.Query) == "":
		return graphError("InvalidQuery", "the query is empty")
	case len(req.ManagementGroups) > 0:
		return graphError("NotSimulated", "management group scopes are not simulated; name subscriptions")
	case len(req.Facets) > 0:
		return graphError("NotSimulated", "facets are not simulated")
	case req.Options.ResultFormat != "" && req.Options.ResultFormat != "objectArray":
		return graphError("NotSimulated", "resultFormat %q is not simulated; use objectArray", req.Options.ResultFormat)
	}
	q, err := parseGraphQuery(req.Query)
	if err != nil {
		return graphError("ParserFailure", "%v", err)
	}
	top := graphDefaultTop
	if req.Options.Top != nil {
		top = *req.Options.Top
		if top < 1 || top > graphMaxTop {
			return graphError("InvalidTopValue", "$top must be between 1 and %d, got %d", graphMaxTop, top)
		}
	}
	subs := srv.graphSubscriptions(req.Subscriptions)
	rows := srv.graphRows(subs, q)
	offset, aerr := graphOffset(req, subs)
	if aerr != nil {
		return aerr
	}
	offset = min(offset, len(rows))
	page := rows[offset:min(offset+top, len(rows))]
	data := make([]map[string]any, 0, len(page))
	for _, r := range page {
		data = append(data, project(r.cols, q.project))
	}
	resp := map[string]any{
		"totalRecords":    len(rows),
		"count":           len(data),
		"data":            data,
		"facets":          []any{},
		"resultTruncated": "false",
	}
	if end := offset + len(page); end < len(rows) {
		resp["$skipToken"] = skipToken(end, req.Query, subs)
	}
	writeJSON(c.w, http.StatusOK, resp)
	return nil
}

// graphSubscriptions resolves the requested subscriptions in configuration order.
func (srv *server) graphSubscriptions(req []string) []string {
	var out []string
	for _, s := range srv.fleet.Subscriptions {
		if len(req) == 0 || slices.ContainsFunc(req, func(r string) bool { return strings.EqualFold(r, s.ID) }) {
			out = append(out, s.ID)
		}
	}
	return out
}

func (srv *server) graphRows(subs []string, q graphQuery) []graphRow {
	var rows []graphRow
	for _, sub := range subs {
		for _, vm := range srv.fleet.VMsOf(sub, "") {
			rows = append(rows, srv.vmRow(vm))
		}
		for _, pg := range srv.fleet.PostgresOf(sub, "") {
			rows = append(rows, srv.postgresRow(pg))
		}
		for _, d := range srv.fleet.DisksOf(sub, "") {
			rows = append(rows, srv.diskRow(d))
		}
		for _, db := range srv.fleet.SQLDatabasesOf(sub, "") {
			rows = append(rows, srv.sqlRow(db))
		}
		for _, lb := range srv.fleet.LoadBalancersOf(sub, "") {
			rows = append(rows, srv.lbRow(lb))
		}
	}
	rows = slices.DeleteFunc(rows, func(r graphRow) bool { return !q.match(r.typ, r.tags) })
	slices.SortFunc(rows, func(a, b graphRow) int {
		return strings.Compare(strings.ToLower(a.cols["id"].(string)), strings.ToLower(b.cols["id"].(string)))
	})
	return rows
}

func project(cols map[string]any, names []string) map[string]any {
	if names == nil {
		return cols
	}
	out := make(map[string]any, len(names))
	for _, n := range names {
		out[n] = cols[n]
	}
	return out
}

// baseRow fills the columns every resource has; type is lowercase, as Resource Graph
// normalizes it.
func (srv *server) baseRow(id, name, typ, location, rg, sub string, tags []sim.Tag) graphRow {
	t := tagMap(tags)
	return graphRow{typ: strings.ToLower(typ), tags: t, cols: map[string]any{
		"id": id, "name": name, "type": strings.ToLower(typ), "tenantId": srv.cfg.TenantID, "kind": "",
		"location": location, "resourceGroup": rg, "subscriptionId": sub, "managedBy": "",
		"sku": nil, "plan": nil, "tags": t, "identity": nil, "zones": nil, "extendedLocation": nil,
	}}
}

var powerDisplay = map[string]string{
	sim.PowerRunning: "VM running", sim.PowerStopped: "VM stopped",
	sim.PowerDeallocated: "VM deallocated", sim.PowerStarting: "VM starting",
}

// vmRow is a virtual machine as Resource Graph returns it, including the power state under
// properties.extended.instanceView, which only Resource Graph (not the ARM GET) carries.
func (srv *server) vmRow(vm *sim.AzureVM) graphRow {
	row := srv.baseRow(vm.ID, vm.Name, sim.AzureVMNamespace, vm.Location, vm.ResourceGroup, vm.Subscription, vm.Tags)
	image := map[string]any{"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}
	osProfile := map[string]any{
		"computerName": vm.Name, "adminUsername": "azureuser",
		"linuxConfiguration": map[string]any{"disablePasswordAuthentication": true},
	}
	osName, osVersion := "ubuntu", "24.04"
	if vm.OSType == "Windows" {
		image = map[string]any{"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition", "version": "latest"}
		osProfile = map[string]any{
			"computerName": vm.Name, "adminUsername": "azureuser",
			"windowsConfiguration": map[string]any{"provisionVMAgent": true, "enableAutomaticUpdates": true},
		}
		osName, osVersion = "Windows Server 2022 Datacenter Azure Edition", "10.0.20348"
	}
	row.cols["properties"] = map[string]any{
		"vmId":            vm.VMID,
		"hardwareProfile": map[string]any{"vmSize": vm.Size},
		"storageProfile": map[string]any{
			"osDisk": map[string]any{
				"osType": vm.OSType, "name": vm.Name + "_OsDisk_1", "createOption": "FromImage", "caching": "ReadWrite",
				"diskSizeGB":  64,
				"managedDisk": map[string]any{"storageAccountType": "Premium_LRS", "id": rgPrefix(vm.ID) + "/providers/Microsoft.Compute/disks/" + vm.Name + "_OsDisk_1"},
			},
			"imageReference": image,
			"dataDisks":      []any{},
		},
		"osProfile":         osProfile,
		"networkProfile":    map[string]any{"networkInterfaces": []any{map[string]any{"id": vm.NICID}}},
		"provisioningState": "Succeeded",
		"timeCreated":       vm.TimeCreated.Format("2006-01-02T15:04:05.0000000Z"),
		"extended": map[string]any{"instanceView": map[string]any{
			"computerName": vm.Name, "osName": osName, "osVersion": osVersion, "hyperVGeneration": "V2",
			"powerState": map[string]any{"code": vm.PowerState, "level": "Info", "displayStatus": powerDisplay[vm.PowerState]},
		}},
	}
	return row
}

func (srv *server) postgresRow(pg *sim.AzurePostgres) graphRow {
	row := srv.baseRow(pg.ID, pg.Name, sim.AzurePostgresNamespace, pg.Location, pg.ResourceGroup, pg.Subscription, pg.Tags)
	row.cols["sku"] = map[string]any{"name": pg.SKU, "tier": pg.Tier}
	row.cols["properties"] = map[string]any{
		"fullyQualifiedDomainName": pg.Name + ".postgres.database.azure.com",
		"version":                  pg.Version,
		"minorVersion":             "4",
		"state":                    pg.State,
		"administratorLogin":       "pgadmin",
		"availabilityZone":         pg.Zone,
		"replicationRole":          "Primary",
		"storage":                  map[string]any{"storageSizeGB": pg.StorageGiB, "autoGrow": "Disabled", "tier": "P10", "iops": 500, "type": ""},
		"backup":                   map[string]any{"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"},
		"network":                  map[string]any{"publicNetworkAccess": "Enabled"},
		"highAvailability":         map[string]any{"mode": "Disabled", "state": "NotEnabled"},
	}
	return row
}

// rgPrefix is the resource group part of a resource id.
func rgPrefix(id string) string {
	i := strings.Index(id, "/providers/")
	if i < 0 {
		return id
	}
	return id[:i]
}

// skipToken encodes the next offset bound to the query and scope it pages, so a token is not
// reused for another query.
func skipToken(offset int, query string, subs []string) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%016x", offset, scopeHash(query, subs)))
}

func scopeHash(query string, subs []string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, query+"|"+strings.Join(subs, ","))
	return h.Sum64()
}

func graphOffset(req graphRequest, subs []string) (int, *apiError) {
	if req.Options.SkipToken == "" {
		if req.Options.Skip != nil {
			if *req.Options.Skip < 0 {
				return 0, graphError("InvalidSkipValue", "$skip must not be negative, got %d", *req.Options.Skip)
			}
			return *req.Options.Skip, nil
		}
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(req.Options.SkipToken)
	off, hash, ok := strings.Cut(string(raw), ":")
	n, convErr := strconv.Atoi(off)
	if err != nil || !ok || convErr != nil || n < 0 || hash != fmt.Sprintf("%016x", scopeHash(req.Query, subs)) {
		return 0, graphError("InvalidSkipToken", "the $skipToken %q is not valid for this query and scope", req.Options.SkipToken)
	}
	return n, nil
}
