package simazure

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mcobs/mcobs/internal/sim"
)

// listSubscriptions is GET /subscriptions: every configured subscription, in one page.
func (srv *server) listSubscriptions(c *call) *apiError {
	type policies struct {
		LocationPlacementID string `json:"locationPlacementId"`
		QuotaID             string `json:"quotaId"`
		SpendingLimit       string `json:"spendingLimit"`
	}
	type subscription struct {
		ID                   string   `json:"id"`
		AuthorizationSource  string   `json:"authorizationSource"`
		ManagedByTenants     []string `json:"managedByTenants"`
		SubscriptionID       string   `json:"subscriptionId"`
		TenantID             string   `json:"tenantId"`
		DisplayName          string   `json:"displayName"`
		State                string   `json:"state"`
		SubscriptionPolicies policies `json:"subscriptionPolicies"`
	}
	var out []subscription
	for _, s := range srv.fleet.Subscriptions {
		out = append(out, subscription{
			ID: "/subscriptions/" + s.ID, AuthorizationSource: "RoleBased", ManagedByTenants: []string{},
			SubscriptionID: s.ID, TenantID: srv.cfg.TenantID, DisplayName: s.Name, State: "Enabled",
			SubscriptionPolicies: policies{"Public_2014-09-01", "PayAsYouGo_2014-09-01", "Off"},
		})
	}
	writeJSON(c.w, http.StatusOK, map[string]any{
		"value": out,
		"count": map[string]any{"type": "Total", "value": len(out)},
	})
	return nil
}

type idRef struct {
	ID string `json:"id"`
}

type armSubnet struct {
	Name       string `json:"name"`
	ID         string `json:"id"`
	Etag       string `json:"etag"`
	Type       string `json:"type"`
	Properties struct {
		ProvisioningState                 string  `json:"provisioningState"`
		AddressPrefix                     string  `json:"addressPrefix"`
		IPConfigurations                  []idRef `json:"ipConfigurations,omitempty"`
		Delegations                       []any   `json:"delegations"`
		PrivateEndpointNetworkPolicies    string  `json:"privateEndpointNetworkPolicies"`
		PrivateLinkServiceNetworkPolicies string  `json:"privateLinkServiceNetworkPolicies"`
	} `json:"properties"`
}

type armVNet struct {
	Name       string            `json:"name"`
	ID         string            `json:"id"`
	Etag       string            `json:"etag"`
	Type       string            `json:"type"`
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags,omitempty"`
	Properties struct {
		ProvisioningState string `json:"provisioningState"`
		ResourceGUID      string `json:"resourceGuid"`
		AddressSpace      struct {
			AddressPrefixes []string `json:"addressPrefixes"`
		} `json:"addressSpace"`
		Subnets                []armSubnet `json:"subnets"`
		VirtualNetworkPeerings []any       `json:"virtualNetworkPeerings"`
		EnableDdosProtection   bool        `json:"enableDdosProtection"`
	} `json:"properties"`
}

func vnetJSON(v *sim.AzureVNet) armVNet {
	var out armVNet
	etag := fmt.Sprintf(`W/"%s"`, v.GUID)
	out.Name, out.ID, out.Etag, out.Type, out.Location = v.Name, v.ID, etag, "Microsoft.Network/virtualNetworks", v.Location
	out.Tags = tagMap(v.Tags)
	p := &out.Properties
	p.ProvisioningState, p.ResourceGUID = "Succeeded", v.GUID
	p.AddressSpace.AddressPrefixes = []string{v.AddressPrefix}
	p.VirtualNetworkPeerings = []any{}
	for _, s := range v.Subnets {
		var sn armSubnet
		sn.Name, sn.ID, sn.Etag, sn.Type = s.Name, s.ID, etag, "Microsoft.Network/virtualNetworks/subnets"
		sn.Properties.ProvisioningState, sn.Properties.AddressPrefix = "Succeeded", s.AddressPrefix
		for _, nic := range s.NICs {
			sn.Properties.IPConfigurations = append(sn.Properties.IPConfigurations, idRef{nic + "/ipConfigurations/ipconfig1"})
		}
		sn.Properties.Delegations = []any{}
		sn.Properties.PrivateEndpointNetworkPolicies, sn.Properties.PrivateLinkServiceNetworkPolicies = "Disabled", "Enabled"
		p.Subnets = append(p.Subnets, sn)
	}
	return out
}

// listVirtualNetworks is VirtualNetworks_ListAll: the subscription's networks in one page.
func (srv *server) listVirtualNetworks(c *call) *apiError {
	out := []armVNet{}
	for _, v := range srv.fleet.VNetsOf(c.account) {
		out = append(out, vnetJSON(v))
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"value": out})
	return nil
}

// listVirtualNetworkUsage is VirtualNetworks_ListUsage: per subnet the addresses in use (one
// per VM network interface in it, whatever the VM's power state: a stopped or deallocated
// VM keeps its private address) and the limit (the prefix size minus Azure's 5 reserved).
func (srv *server) listVirtualNetworkUsage(c *call) *apiError {
	if c.vnet == nil {
		rg := c.r.PathValue("rg")
		if !srv.hasResourceGroup(c.account, rg) {
			return apiErrorf(http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", rg)
		}
		return apiErrorf(http.StatusNotFound, "ResourceNotFound",
			"The Resource 'Microsoft.Network/virtualNetworks/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
			c.r.PathValue("vnet"), rg)
	}
	type name struct {
		LocalizedValue string `json:"localizedValue"`
		Value          string `json:"value"`
	}
	type usage struct {
		CurrentValue float64 `json:"currentValue"`
		ID           string  `json:"id"`
		Limit        float64 `json:"limit"`
		Name         name    `json:"name"`
		Unit         string  `json:"unit"`
	}
	out := []usage{}
	for _, s := range c.vnet.Subnets {
		out = append(out, usage{
			CurrentValue: float64(len(s.NICs)), ID: s.ID, Limit: float64(s.Limit()),
			Name: name{"Subnet size and usage", "Subnet size and usage"}, Unit: "Count",
		})
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"value": out})
	return nil
}

// hasResourceGroup reports whether any simulated resource of the subscription is in rg.
func (srv *server) hasResourceGroup(sub, rg string) bool {
	for _, vm := range srv.fleet.VMsOf(sub, "") {
		if strings.EqualFold(vm.ResourceGroup, rg) {
			return true
		}
	}
	for _, v := range srv.fleet.VNetsOf(sub) {
		if strings.EqualFold(v.ResourceGroup, rg) {
			return true
		}
	}
	return false
}

func tagMap(tags []sim.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}
