package simazure_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"

	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

// receiverQuery is the query form the Azure receiver sends.
const receiverQuery = "Resources | where type in~ ('microsoft.compute/virtualmachines', 'microsoft.dbforpostgresql/flexibleservers') " +
	"| where tags['team'] in~ ('checkout', 'payments') | project id, name, type, location, resourceGroup, subscriptionId, tags, properties"

// queryAll pages through a query with $top rows per page and returns every row.
func queryAll(t *testing.T, e *env, query string, subs []string, top int32) []map[string]any {
	t.Helper()
	var rows []map[string]any
	var skip *string
	for page := 0; ; page++ {
		resp, err := e.graph(t).Resources(ctx(t), armresourcegraph.QueryRequest{
			Query: &query, Subscriptions: toPtrs(subs),
			Options: &armresourcegraph.QueryRequestOptions{ResultFormat: ptr(armresourcegraph.ResultFormatObjectArray), Top: &top, SkipToken: skip},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, ok := resp.Data.([]any)
		if !ok {
			t.Fatalf("data is %T, want an object array", resp.Data)
		}
		if int(*resp.Count) != len(data) || len(data) > int(top) {
			t.Fatalf("page %d: count %d, %d rows, top %d", page, *resp.Count, len(data), top)
		}
		for _, d := range data {
			rows = append(rows, d.(map[string]any))
		}
		if resp.SkipToken == nil {
			if int(*resp.TotalRecords) != len(rows) {
				t.Fatalf("totalRecords %d, %d rows paged", *resp.TotalRecords, len(rows))
			}
			return rows
		}
		skip = resp.SkipToken
	}
}

func toPtrs(ss []string) []*string {
	var out []*string
	for _, s := range ss {
		out = append(out, ptr(s))
	}
	return out
}

func TestResourceGraphReceiverQuery(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	fleet := e.sim.Azure()
	want := map[string]bool{}
	for _, sub := range []string{sub1, sub2} {
		for _, vm := range fleet.VMsOf(sub, "") {
			if team := tagOf(vm.Tags, "team"); team == "checkout" || team == "payments" {
				want[vm.ID] = true
			}
		}
		for _, pg := range fleet.PostgresOf(sub, "") {
			if team := tagOf(pg.Tags, "team"); team == "checkout" || team == "payments" {
				want[pg.ID] = true
			}
		}
	}
	rows := queryAll(t, e, receiverQuery, []string{sub1, sub2}, 3)
	if len(rows) != len(want) || len(want) == 0 {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	powers := map[string]int{}
	for _, r := range rows {
		id := r["id"].(string)
		if !want[id] {
			t.Errorf("unexpected row %s", id)
		}
		delete(want, id)
		if len(r) != 8 {
			t.Errorf("%s: %d columns, want the 8 projected", id, len(r))
		}
		if r["type"] == "microsoft.compute/virtualmachines" {
			p := r["properties"].(map[string]any)
			vmSize := dig(p, "hardwareProfile", "vmSize")
			osType := dig(p, "storageProfile", "osDisk", "osType")
			power := dig(p, "extended", "instanceView", "powerState", "code")
			if vmSize == "" || p["vmId"] == "" || (osType != "Linux" && osType != "Windows") || !strings.HasPrefix(power, "PowerState/") {
				t.Errorf("%s: size %q, os %q, power %q, vmId %v", id, vmSize, osType, power, p["vmId"])
			}
			powers[power]++
			if !strings.Contains(id, "/resourceGroups/"+r["resourceGroup"].(string)+"/providers/Microsoft.Compute/virtualMachines/"+r["name"].(string)) {
				t.Errorf("id %s does not hold resource group %v and name %v", id, r["resourceGroup"], r["name"])
			}
		}
	}
	if powers[sim.PowerRunning] == 0 {
		t.Errorf("power states %v", powers)
	}
	// The same query without the tag filter returns every VM and server, including each power state.
	all := queryAll(t, e, "Resources | where type in~ ('microsoft.compute/virtualmachines', 'microsoft.dbforpostgresql/flexibleservers') | project id, properties", nil, 1000)
	if len(all) != len(fleet.VMs)+len(fleet.PostgresServers) {
		t.Errorf("%d rows without the tag filter, want %d", len(all), len(fleet.VMs)+len(fleet.PostgresServers))
	}
	// Two tag filters are ANDed, and the type filter narrows to one type.
	both := queryAll(t, e, "Resources | where type =~ 'Microsoft.Compute/virtualMachines' | where tags['team'] in~ ('payments') | where tags['env'] in~ ('prod')", []string{sub1}, 100)
	for _, r := range both {
		tags := r["tags"].(map[string]any)
		if r["subscriptionId"] != sub1 || tags["team"] != "payments" || tags["env"] != "prod" || r["type"] != "microsoft.compute/virtualmachines" {
			t.Errorf("row %v does not match both tag filters in %s", r, sub1)
		}
	}
	if n := e.sim.Stats().CallsOf(e.cfg.Azure.TenantID, simazure.Service, simazure.OpResourceGraph); n < 3 {
		t.Errorf("%d ResourceGraph calls counted", n)
	}
}

func TestResourceGraphRejectsWhatItCannotRun(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	f := func(query string, top int32, wantDetail string) {
		t.Helper()
		_, err := e.graph(t).Resources(ctx(t), armresourcegraph.QueryRequest{
			Query: &query, Options: &armresourcegraph.QueryRequestOptions{Top: &top},
		}, nil)
		if code, status := errorCode(err); status != http.StatusBadRequest || code != "BadRequest" {
			t.Fatalf("%q: %v, want 400 BadRequest", query, err)
		}
		if !strings.Contains(err.Error(), wantDetail) {
			t.Errorf("%q: %v does not mention %q", query, err, wantDetail)
		}
	}
	// Another table.
	f("ResourceContainers | where type =~ 'microsoft.resources/subscriptions'", 10, "ParserFailure")
	// Another operator.
	f("Resources | extend x = 1", 10, "not simulated")
	// A condition on another column.
	f("Resources | where location =~ 'eastus'", 10, "only type and tags")
	// An unknown column.
	f("Resources | project id, secret", 10, "the Resources columns are")
	// A broken literal.
	f("Resources | where type in~ ('microsoft.compute/virtualmachines)", 10, "unterminated")
	// $top above Resource Graph's maximum.
	f(receiverQuery, 1001, "InvalidTopValue")
}

func TestResourceGraphSkipTokenIsBoundToTheQuery(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	q := "Resources | where type in~ ('microsoft.compute/virtualmachines')"
	top := int32(2)
	resp, err := e.graph(t).Resources(ctx(t), armresourcegraph.QueryRequest{Query: &q, Options: &armresourcegraph.QueryRequestOptions{Top: &top}}, nil)
	if err != nil || resp.SkipToken == nil {
		t.Fatalf("%v, skip token %v", err, resp.SkipToken)
	}
	other := receiverQuery
	_, err = e.graph(t).Resources(ctx(t), armresourcegraph.QueryRequest{Query: &other, Options: &armresourcegraph.QueryRequestOptions{Top: &top, SkipToken: resp.SkipToken}}, nil)
	if !strings.Contains(errString(err), "InvalidSkipToken") {
		t.Errorf("a skip token of another query: %v", err)
	}
}

func tagOf(tags []sim.Tag, key string) string {
	i := slices.IndexFunc(tags, func(t sim.Tag) bool { return t.Key == key })
	if i < 0 {
		return ""
	}
	return tags[i].Value
}

// dig returns the string at a path of nested JSON objects, or "".
func dig(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = o[p]
	}
	s, _ := v.(string)
	return s
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func armresourcegraphRequest(q string) armresourcegraph.QueryRequest {
	return armresourcegraph.QueryRequest{Query: &q, Options: &armresourcegraph.QueryRequestOptions{ResultFormat: ptr(armresourcegraph.ResultFormatObjectArray)}}
}
