package simgcp

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mcobs/mcobs/internal/sim"
)

// computeBase is the prefix of the selfLinks Compute Engine returns.
const computeBase = "https://www.googleapis.com/compute/v1/projects/"

// defaultMaxResults is Compute Engine's page size when the request names none.
const defaultMaxResults = 500

// The Compute Engine v1 resources, with the fields the simulator fills (names as in the API).
type (
	instance struct {
		Kind              string             `json:"kind"`
		ID                string             `json:"id"`
		Name              string             `json:"name"`
		Zone              string             `json:"zone"`
		MachineType       string             `json:"machineType"`
		Status            string             `json:"status"`
		CreationTimestamp string             `json:"creationTimestamp"`
		Labels            map[string]string  `json:"labels,omitempty"`
		NetworkInterfaces []networkInterface `json:"networkInterfaces"`
		Disks             []attachedDisk     `json:"disks"`
		SelfLink          string             `json:"selfLink"`
	}
	networkInterface struct {
		Name       string `json:"name"`
		Network    string `json:"network"`
		Subnetwork string `json:"subnetwork"`
		NetworkIP  string `json:"networkIP"`
	}
	attachedDisk struct {
		DeviceName string `json:"deviceName"`
		Source     string `json:"source"`
		Boot       bool   `json:"boot"`
		Type       string `json:"type"`
		DiskSizeGb string `json:"diskSizeGb"`
	}
	scoped struct {
		Instances   []instance   `json:"instances,omitempty"`
		Subnetworks []subnetwork `json:"subnetworks,omitempty"`
		Warning     *warning     `json:"warning,omitempty"`
	}
	warning struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	aggregatedList struct {
		Kind          string            `json:"kind"`
		ID            string            `json:"id"`
		Items         map[string]scoped `json:"items"`
		NextPageToken string            `json:"nextPageToken,omitempty"`
		SelfLink      string            `json:"selfLink"`
	}
	network struct {
		Kind                  string   `json:"kind"`
		ID                    string   `json:"id"`
		Name                  string   `json:"name"`
		AutoCreateSubnetworks bool     `json:"autoCreateSubnetworks"`
		Subnetworks           []string `json:"subnetworks"`
		SelfLink              string   `json:"selfLink"`
	}
	networkList struct {
		Kind     string    `json:"kind"`
		Items    []network `json:"items"`
		SelfLink string    `json:"selfLink"`
	}
	subnetwork struct {
		Kind           string `json:"kind"`
		ID             string `json:"id"`
		Name           string `json:"name"`
		Network        string `json:"network"`
		Region         string `json:"region"`
		IPCidrRange    string `json:"ipCidrRange"`
		GatewayAddress string `json:"gatewayAddress"`
		SelfLink       string `json:"selfLink"`
	}
)

// pageOf reads maxResults and pageToken (an offset) of a list request.
func pageOf(r *http.Request) (offset, size int, err error) {
	size = defaultMaxResults
	if v := r.URL.Query().Get("maxResults"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > defaultMaxResults {
			return 0, 0, status.Errorf(codes.InvalidArgument, "Invalid value for field 'maxResults': '%s'. Must be between 1 and 500.", v)
		}
	}
	if v := r.URL.Query().Get("pageToken"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, status.Errorf(codes.InvalidArgument, "Invalid value for field 'pageToken': '%s'.", v)
		}
	}
	return offset, size, nil
}

// aggregatedInstances is instances.aggregatedList: every zone of the project is a key of
// items, those without instances on this page carry a NO_RESULTS_ON_PAGE warning.
func (srv *server) aggregatedInstances(r *http.Request, project string) (any, error) {
	offset, size, err := pageOf(r)
	if err != nil {
		return nil, err
	}
	all := srv.fleet.InstancesOf(project)
	resp := aggregatedList{
		Kind: "compute#instanceAggregatedList", ID: "projects/" + project + "/aggregated/instances",
		Items: map[string]scoped{}, SelfLink: computeBase + project + "/aggregated/instances",
	}
	end := min(len(all), offset+size)
	for _, i := range all[min(offset, len(all)):end] {
		k := "zones/" + i.Zone
		sc := resp.Items[k]
		sc.Instances = append(sc.Instances, instanceJSON(i))
		resp.Items[k] = sc
	}
	for _, z := range srv.fleet.Zones {
		if _, ok := resp.Items["zones/"+z]; !ok {
			resp.Items["zones/"+z] = scoped{Warning: &warning{Code: "NO_RESULTS_ON_PAGE", Message: fmt.Sprintf("There are no results for scope 'zones/%s' on this page.", z)}}
		}
	}
	if end < len(all) {
		resp.NextPageToken = strconv.Itoa(end)
	}
	return resp, nil
}

func instanceJSON(i *sim.GCPInstance) instance {
	zone := computeBase + i.Project + "/zones/" + i.Zone
	labels := map[string]string{}
	for _, t := range i.Labels {
		labels[t.Key] = t.Value
	}
	return instance{
		Kind: "compute#instance", ID: strconv.FormatUint(i.ID, 10), Name: i.Name, Zone: zone,
		MachineType: zone + "/machineTypes/" + i.MachineType, Status: i.Status,
		CreationTimestamp: i.Created.In(time.FixedZone("PST", -8*3600)).Format("2006-01-02T15:04:05.000-07:00"),
		Labels:            labels,
		NetworkInterfaces: []networkInterface{{
			Name: "nic0", Network: computeBase + i.Project + "/global/networks/" + i.Network,
			Subnetwork: computeBase + i.Project + "/regions/" + i.Region() + "/subnetworks/" + i.Subnetwork, NetworkIP: i.IP,
		}},
		Disks: []attachedDisk{{
			DeviceName: i.DiskName, Source: zone + "/disks/" + i.DiskName, Boot: true, Type: "PERSISTENT",
			DiskSizeGb: strconv.Itoa(i.DiskGB),
		}},
		SelfLink: zone + "/instances/" + i.Name,
	}
}

// listNetworks is networks.list: the project's one custom-mode VPC network.
func (srv *server) listNetworks(_ *http.Request, project string) (any, error) {
	resp := networkList{Kind: "compute#networkList", Items: []network{}, SelfLink: computeBase + project + "/global/networks"}
	if n := srv.fleet.Network(project); n != nil {
		nw := network{
			Kind: "compute#network", ID: strconv.FormatUint(n.ID, 10), Name: n.Name,
			SelfLink: computeBase + project + "/global/networks/" + n.Name,
		}
		for _, s := range n.Subnets {
			nw.Subnetworks = append(nw.Subnetworks, subnetLink(project, s))
		}
		resp.Items = append(resp.Items, nw)
	}
	return resp, nil
}

func subnetLink(project string, s *sim.GCPSubnet) string {
	return computeBase + project + "/regions/" + s.Region + "/subnetworks/" + s.Name
}

// aggregatedSubnetworks is subnetworks.aggregatedList, one page.
func (srv *server) aggregatedSubnetworks(_ *http.Request, project string) (any, error) {
	resp := aggregatedList{
		Kind: "compute#subnetworkAggregatedList", ID: "projects/" + project + "/aggregated/subnetworks",
		Items: map[string]scoped{}, SelfLink: computeBase + project + "/aggregated/subnetworks",
	}
	if n := srv.fleet.Network(project); n != nil {
		for _, s := range n.Subnets {
			k := "regions/" + s.Region
			sc := resp.Items[k]
			sc.Subnetworks = append(sc.Subnetworks, subnetwork{
				Kind: "compute#subnetwork", ID: strconv.FormatUint(s.ID, 10), Name: s.Name,
				Network: computeBase + project + "/global/networks/" + n.Name,
				Region:  computeBase + project + "/regions/" + s.Region, IPCidrRange: s.CIDR,
				GatewayAddress: s.CIDR[:len(s.CIDR)-len("0/24")] + "1", SelfLink: subnetLink(project, s),
			})
			resp.Items[k] = sc
		}
	}
	return resp, nil
}

// listSQLInstances is Cloud SQL Admin's instances.list.
func (srv *server) listSQLInstances(_ *http.Request, project string) (any, error) {
	type settings struct {
		Tier             string            `json:"tier"`
		ActivationPolicy string            `json:"activationPolicy"`
		DataDiskSizeGb   string            `json:"dataDiskSizeGb"`
		UserLabels       map[string]string `json:"userLabels,omitempty"`
	}
	type sqlInstance struct {
		Kind            string   `json:"kind"`
		Name            string   `json:"name"`
		Project         string   `json:"project"`
		Region          string   `json:"region"`
		GceZone         string   `json:"gceZone"`
		DatabaseVersion string   `json:"databaseVersion"`
		State           string   `json:"state"`
		ConnectionName  string   `json:"connectionName"`
		Settings        settings `json:"settings"`
	}
	items := []sqlInstance{}
	for _, d := range srv.fleet.SQLOf(project) {
		labels := map[string]string{}
		for _, t := range d.Labels {
			labels[t.Key] = t.Value
		}
		items = append(items, sqlInstance{
			Kind: "sql#instance", Name: d.Name, Project: project, Region: d.Region, GceZone: d.Region + "-a",
			DatabaseVersion: d.DatabaseVersion, State: d.State, ConnectionName: project + ":" + d.Region + ":" + d.Name,
			Settings: settings{Tier: d.Tier, ActivationPolicy: "ALWAYS", DataDiskSizeGb: strconv.Itoa(d.DiskGB), UserLabels: labels},
		})
	}
	return map[string]any{"kind": "sql#instancesList", "items": items}, nil
}
