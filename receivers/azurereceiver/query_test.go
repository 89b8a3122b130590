package azurereceiver

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

func vmInventory(n int, region string) *cloudscrape.Inventory {
	inv := &cloudscrape.Inventory{Resources: map[string]*cloudscrape.Resource{}}
	for i := range n {
		id := fmt.Sprintf("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM-%03d", i)
		inv.Resources[fmt.Sprintf("%s-%d", region, i)] = &cloudscrape.Resource{
			ID: id, Platform: canonical.PlatformAzureVM,
			Attrs: map[string]string{canonical.AttrCloudResourceID: id, canonical.AttrCloudRegion: region},
		}
	}
	return inv
}

// TestBatchCallsFollowTheLimits: calls per poll are ceil(resources/50) × ceil(metrics/20) per
// region and type.
func TestBatchCallsFollowTheLimits(t *testing.T) {
	f := func(vms int, want int) {
		t.Helper()
		qs := plan(vmInventory(vms, "eastus"), nil)
		bs := batches(qs)
		if len(bs) != 1 {
			t.Fatalf("%d batches for one region and type", len(bs))
		}
		metrics := len(canonical.Azure.ForNamespace("Microsoft.Compute/virtualMachines"))
		if got := bs[0].calls(); got != want || len(bs[0].metrics) != metrics {
			t.Errorf("%d VMs: %d calls for %d metrics, want %d", vms, got, len(bs[0].metrics), want)
		}
	}
	f(1, 1)
	f(50, 1)
	f(51, 2)
	f(120, 3)
	// Two regions are two batches.
	inv := vmInventory(3, "eastus")
	for k, r := range vmInventory(3, "westeurope").Resources {
		inv.Resources[k] = r
	}
	if bs := batches(plan(inv, nil)); len(bs) != 2 {
		t.Errorf("%d batches for two regions, want 2", len(bs))
	}
}

func TestGraphQuery(t *testing.T) {
	got := graphQuery([]string{"Microsoft.Compute/virtualMachines"}, map[string][]string{"team": {"check'out"}, "env": {"prod", "stage"}})
	want := `Resources | where type in~ ('microsoft.compute/virtualmachines') | where tags['env'] in~ ('prod', 'stage') | where tags['team'] in~ ('check\'out') | project id, name, type, location, resourceGroup, subscriptionId, tags, sku, managedBy, properties`
	if got != want {
		t.Errorf("graphQuery =\n%s\nwant\n%s", got, want)
	}
}

func TestClassify(t *testing.T) {
	f := func(err error, wantClass cloudscrape.ErrorClass, wantCode string) {
		t.Helper()
		if class, code := (*provider)(nil).Classify(err); class != wantClass || code != wantCode {
			t.Errorf("Classify(%v) = %v %q, want %v %q", err, class, code, wantClass, wantCode)
		}
	}
	f(&azcore.ResponseError{StatusCode: http.StatusTooManyRequests, ErrorCode: "TooManyRequests"}, cloudscrape.Throttled, "TooManyRequests")
	f(&azcore.ResponseError{StatusCode: http.StatusUnauthorized, ErrorCode: "ExpiredAuthenticationToken"}, cloudscrape.Auth, "ExpiredAuthenticationToken")
	f(fmt.Errorf("wrapped: %w", &azcore.ResponseError{StatusCode: http.StatusServiceUnavailable}), cloudscrape.Transient, "ServiceUnavailable")
	f(&azcore.ResponseError{StatusCode: http.StatusBadRequest, ErrorCode: "BadRequest"}, cloudscrape.Permanent, "BadRequest")
	f(errors.New("unmarshalling type *azmetrics.MetricResults: unexpected end of JSON input"), cloudscrape.Transient, "malformed")
}

func TestResourceOfReadsPowerState(t *testing.T) {
	row := map[string]any{
		"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-1", "name": "web-1",
		"type": "microsoft.compute/virtualmachines", "location": "eastus", "resourceGroup": "rg",
		"tags": map[string]any{"team": "checkout"},
		"properties": map[string]any{
			"vmId":            "9a1b",
			"hardwareProfile": map[string]any{"vmSize": "Standard_D2s_v5"},
			"extended":        map[string]any{"instanceView": map[string]any{"powerState": map[string]any{"code": "PowerState/deallocated"}}},
		},
	}
	r := resourceOf(row)
	if r == nil || r.State != cloudscrape.InstanceStopped || r.Attrs[canonical.AttrHostID] != "9a1b" ||
		r.Attrs[canonical.AttrHostType] != "Standard_D2s_v5" || r.Attrs[canonical.TagPrefix+"team"] != "checkout" ||
		r.Attrs[canonical.AttrResourceState] != "deallocated" || r.Attrs[canonical.AttrCloudRegion] != "eastus" {
		t.Errorf("resourceOf = %+v", r)
	}
	if resourceOf(map[string]any{"id": "x", "type": "microsoft.web/sites"}) != nil {
		t.Error("a resource of an unmapped type was kept")
	}
}
