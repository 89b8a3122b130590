package azurereceiver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azmetrics"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"

	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// azTarget is one subscription, with its clients. Its resources may be in any region: each
// carries its own cloud.region, and metrics are asked of each region's endpoint.
type azTarget struct {
	p   *provider
	sub string

	mu      sync.Mutex // guards the clients: ResetCredentials may replace them
	graph   *armresourcegraph.Client
	vnets   *armnetwork.VirtualNetworksClient
	metrics map[string]*azmetrics.Client // by region
	cred    azcore.TokenCredential
}

var _ cloudscrape.CredentialResetter = (*azTarget)(nil)

func (t *azTarget) Key() string     { return t.sub }
func (t *azTarget) Account() string { return t.sub }
func (t *azTarget) Region() string  { return "" }

// connect creates the target's clients with a new credential.
func (t *azTarget) connect() error {
	cred, err := t.p.credential()
	if err != nil {
		return err
	}
	graph, err := armresourcegraph.NewClient(cred, t.p.armOptions(t.sub))
	if err != nil {
		return err
	}
	vnets, err := armnetwork.NewVirtualNetworksClient(t.sub, cred, t.p.armOptions(t.sub))
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cred, t.graph, t.vnets, t.metrics = cred, graph, vnets, map[string]*azmetrics.Client{}
	return nil
}

// ResetCredentials signs in again at the next call: after Entra ID or ARM refused a token, the
// cached one must not be reused until its stated expiry.
func (t *azTarget) ResetCredentials() {
	if err := t.connect(); err != nil {
		t.p.logger.Warn("Could not create new credentials; keeping the old ones")
	}
}

// metricsClient returns the regional metrics client of region.
func (t *azTarget) metricsClient(region string) (*azmetrics.Client, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.metrics[region]; ok {
		return c, nil
	}
	endpoint := t.p.cfg.Endpoints.Metrics
	if endpoint == "" {
		endpoint = "https://{region}.metrics.monitor.azure.com"
	}
	c, err := azmetrics.NewClient(strings.ReplaceAll(endpoint, "{region}", region), t.cred, t.p.metricsOptions(t.sub))
	if err != nil {
		return nil, err
	}
	t.metrics[region] = c
	return c, nil
}

func (t *azTarget) clients() (*armresourcegraph.Client, *armnetwork.VirtualNetworksClient) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.graph, t.vnets
}

// Inventory reads the subscription's resources of the configured types from Resource Graph,
// with their power state, and its virtual networks with each subnet's free addresses.
func (t *azTarget) Inventory(ctx context.Context) (*cloudscrape.Inventory, error) {
	inv := &cloudscrape.Inventory{Resources: map[string]*cloudscrape.Resource{}}
	if err := t.readResources(ctx, inv); err != nil {
		return nil, err
	}
	if err := t.readNetworks(ctx, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// Discover plans a query per resource and mapped metric of its type: Azure Monitor knows each
// type's metrics, so there is nothing to list.
func (t *azTarget) Discover(_ context.Context, inv *cloudscrape.Inventory) (*cloudscrape.Plan, error) {
	return &cloudscrape.Plan{Queries: plan(inv, t.p.cfg.Metrics)}, nil
}

// Cost is what Azure Monitor bills for a Fetch of qs: one unit per metrics:getBatch call.
func (t *azTarget) Cost(qs []cloudscrape.Query) int {
	n := 0
	for _, b := range batches(qs) {
		n += b.calls()
	}
	return n
}

// Fetch asks each region's metrics endpoint for the queries' metrics, in batches of up to 50
// resources of one type and 20 metrics.
func (t *azTarget) Fetch(ctx context.Context, qs []cloudscrape.Query, start, end time.Time) ([]cloudscrape.Result, error) {
	out := make([]cloudscrape.Result, len(qs))
	for _, b := range batches(qs) {
		c, err := t.metricsClient(b.region)
		if err != nil {
			return out, err
		}
		if err := t.fetchBatch(ctx, c, b, qs, out, start, end); err != nil {
			return out, err
		}
	}
	return out, nil
}

// timeFormat is what the batch API takes for starttime and endtime.
const timeFormat = "2006-01-02T15:04:05.000Z"

func (t *azTarget) fetchBatch(ctx context.Context, c *azmetrics.Client, b *batch, qs []cloudscrape.Query, out []cloudscrape.Result, start, end time.Time) error {
	grain := timeGrains[t.p.cfg.Period]
	aggs := strings.ToLower(strings.Join(b.aggregations, ","))
	for _, ids := range chunks(b.resources, maxResourcesPerCall) {
		for _, names := range chunks(b.metrics, maxMetricsPerCall) {
			resp, err := c.QueryResources(ctx, t.sub, b.namespace, names, azmetrics.ResourceIDList{ResourceIDs: ids},
				&azmetrics.QueryResourcesOptions{
					StartTime:   ptr(start.UTC().Format(timeFormat)),
					EndTime:     ptr(end.UTC().Format(timeFormat)),
					Interval:    ptr(grain),
					Aggregation: ptr(aggs),
					Filter:      b.filter(),
				})
			var re *azcore.ResponseError
			if err != nil && b.custom && errors.As(err, &re) && re.StatusCode == http.StatusBadRequest {
				// A selected name Azure does not know: those metrics fail, every other goes on.
				b.failAll(ids, names, fmt.Errorf("metrics:getBatch %s %s %v: %w", b.region, b.namespace, names, err), out)
				continue
			}
			if err != nil {
				return fmt.Errorf("metrics:getBatch %s %s: %w", b.region, b.namespace, err)
			}
			accept(resp.Values, b, qs, out, t.p.cfg.Period.Seconds())
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
