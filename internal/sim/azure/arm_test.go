package simazure_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

func TestListSubscriptions(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	var got []string
	var resp *http.Response
	pager := e.subscriptions(t).NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(runtime.WithCaptureResponse(ctx(t), &resp))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Value {
			if *s.ID != "/subscriptions/"+*s.SubscriptionID || *s.TenantID != e.cfg.Azure.TenantID || string(*s.State) != "Enabled" {
				t.Errorf("subscription %s: id %s, tenant %s, state %s", *s.SubscriptionID, *s.ID, *s.TenantID, *s.State)
			}
			got = append(got, *s.SubscriptionID+" "+*s.DisplayName)
		}
	}
	if len(got) != 2 || got[0] != sub1+" sim-production" || got[1] != sub2+" sim-staging" {
		t.Errorf("subscriptions %v", got)
	}
	if resp.Header.Get("x-ms-ratelimit-remaining-tenant-reads") != "11999" {
		t.Errorf("remaining tenant reads %q after one read, want 11999", resp.Header.Get("x-ms-ratelimit-remaining-tenant-reads"))
	}
	if n := e.sim.Stats().CallsOf(e.cfg.Azure.TenantID, simazure.Service, simazure.OpListSubscriptions); n != 1 {
		t.Errorf("%d ListSubscriptions calls counted, want 1", n)
	}
}

func TestVirtualNetworksAndUsage(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	fleet := e.sim.Azure()
	for _, sub := range []string{sub1, sub2} {
		client := e.vnets(t, sub)
		var resp *http.Response
		pager := client.NewListAllPager(nil)
		page, err := pager.NextPage(runtime.WithCaptureResponse(ctx(t), &resp))
		if err != nil {
			t.Fatal(err)
		}
		if pager.More() || len(page.Value) != 2 {
			t.Fatalf("%s: %d networks, more pages %v; want 2 in one page", sub, len(page.Value), pager.More())
		}
		if resp.Header.Get("x-ms-ratelimit-remaining-subscription-reads") != "11999" {
			t.Errorf("remaining reads %q, want 11999", resp.Header.Get("x-ms-ratelimit-remaining-subscription-reads"))
		}
		for _, v := range page.Value {
			want := fleet.VNet(sub, *v.Location)
			if want == nil || *v.ID != want.ID || *v.Properties.AddressSpace.AddressPrefixes[0] != want.AddressPrefix {
				t.Fatalf("network %s in %s: not the simulated one", *v.ID, *v.Location)
			}
			if n := len(v.Properties.Subnets); n < 2 || n > 3 {
				t.Errorf("%s: %d subnets, want 2 or 3", *v.Name, n)
			}
			vms := map[string]int{}
			for _, vm := range fleet.VMsOf(sub, *v.Location) {
				vms[vm.SubnetID]++
			}
			for _, s := range v.Properties.Subnets {
				if *s.Properties.AddressPrefix == "" || *s.ID != *v.ID+"/subnets/"+*s.Name {
					t.Errorf("subnet %s: prefix %q", *s.ID, *s.Properties.AddressPrefix)
				}
			}
			usage := client.NewListUsagePager(want.ResourceGroup, *v.Name, nil)
			var used int
			for usage.More() {
				up, err := usage.NextPage(ctx(t))
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range up.Value {
					if int(*u.CurrentValue) != vms[*u.ID] || *u.Limit != 251 || *u.Name.Value != "Subnet size and usage" {
						t.Errorf("usage of %s: %v of %v, want %d of 251", *u.ID, *u.CurrentValue, *u.Limit, vms[*u.ID])
					}
					used += int(*u.CurrentValue)
				}
			}
			if used != len(fleet.VMsOf(sub, *v.Location)) {
				t.Errorf("%s: %d addresses used, %d VMs", *v.Name, used, len(fleet.VMsOf(sub, *v.Location)))
			}
		}
	}
	st := e.sim.Stats()
	if st.CallsOf(sub1, simazure.Service, simazure.OpListVirtualNetworks) != 1 ||
		st.CallsIn(sub1, "eastus", simazure.Service, simazure.OpListVirtualNetworkUsage) != 1 {
		t.Errorf("calls %+v", st.Calls)
	}
}

func TestUnknownResourcesAreNotFound(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	f := func(sub, rg, vnet, wantCode string) {
		t.Helper()
		_, err := e.vnets(t, sub).NewListUsagePager(rg, vnet, nil).NextPage(ctx(t))
		if code, status := errorCode(err); status != http.StatusNotFound || code != wantCode {
			t.Errorf("%s/%s/%s: %d %s, want 404 %s", sub, rg, vnet, status, code, wantCode)
		}
	}
	// A subscription that is not configured.
	f("33333333-3333-4333-8333-333333333333", "rg-platform", "vnet-eastus", "SubscriptionNotFound")
	// A resource group without resources.
	f(sub1, "rg-nowhere", "vnet-eastus", "ResourceGroupNotFound")
	// A network that does not exist.
	f(sub1, "rg-platform", "vnet-mars", "ResourceNotFound")
}

func TestRemainingReadsCountDownPerSubscriptionAndHour(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	remaining := func(sub string) int {
		t.Helper()
		var resp *http.Response
		if _, err := e.vnets(t, sub).NewListAllPager(nil).NextPage(runtime.WithCaptureResponse(ctx(t), &resp)); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.Atoi(resp.Header.Get("x-ms-ratelimit-remaining-subscription-reads"))
		return n
	}
	if a, b, c := remaining(sub1), remaining(sub1), remaining(sub2); a != 11999 || b != 11998 || c != 11999 {
		t.Errorf("remaining reads %d, %d (same subscription), %d (other); want 11999, 11998, 11999", a, b, c)
	}
	e.clock.Set(simNow.Add(59 * time.Minute))
	if got := remaining(sub1); got != 11997 {
		t.Errorf("later in the hour %d, want 11997", got)
	}
	e.clock.Set(simNow.Add(time.Hour))
	if got := remaining(sub1); got != 11999 {
		t.Errorf("next hour %d, want 11999", got)
	}
}
