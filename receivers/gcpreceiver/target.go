package gcpreceiver

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/httptransport"
	monitoring "cloud.google.com/go/monitoring/apiv3/v2"
	"google.golang.org/api/compute/v1"
	"google.golang.org/api/option"
	sqladmin "google.golang.org/api/sqladmin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// gcpTarget is one project with its clients. Its resources may be in any zone: each carries
// its own cloud.region and cloud.availability_zone.
type gcpTarget struct {
	p       *provider
	project string

	mu      sync.Mutex               // guards the clients: ResetCredentials replaces them
	metrics *monitoring.MetricClient // closing it closes the plaintext connection of `insecure` too
	compute *compute.Service
	sql     *sqladmin.Service

	// settle is the longest ingest delay of the plan's metric types (from their descriptors).
	settle time.Duration
}

var (
	_ cloudscrape.CredentialResetter = (*gcpTarget)(nil)
	_ cloudscrape.SettleDelayer      = (*gcpTarget)(nil)
)

func (t *gcpTarget) Key() string     { return t.project }
func (t *gcpTarget) Account() string { return t.project }
func (t *gcpTarget) Region() string  { return "" }

// SettleDelay is the longest ingest delay Cloud Monitoring states for the metrics collected.
func (t *gcpTarget) SettleDelay() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.settle
}

// connect creates the target's clients with new credentials. Creating them calls nothing;
// the first token is fetched at the first call.
func (t *gcpTarget) connect(ctx context.Context) error {
	counted := &http.Client{Transport: &countTransport{next: http.DefaultTransport, tel: t.p.tel, account: t.project}}
	creds, err := t.p.credentials(counted)
	if err != nil {
		return err
	}
	e := t.p.cfg.Endpoints
	httpClient, err := httptransport.NewClient(&httptransport.Options{
		Credentials: creds, BaseRoundTripper: counted.Transport, DisableTelemetry: true,
	})
	if err != nil {
		return err
	}
	restOpts := func(endpoint string) []option.ClientOption {
		opts := []option.ClientOption{option.WithHTTPClient(httpClient)}
		if endpoint != "" {
			opts = append(opts, option.WithEndpoint(endpoint))
		}
		return opts
	}
	comp, err := compute.NewService(ctx, restOpts(e.Compute)...)
	if err != nil {
		return err
	}
	sql, err := sqladmin.NewService(ctx, restOpts(e.SQLAdmin)...)
	if err != nil {
		return err
	}
	count := grpc.WithChainUnaryInterceptor(countInterceptor(t.p.tel, t.project))
	var conn *grpc.ClientConn
	var mopts []option.ClientOption
	if t.p.cfg.Insecure {
		// The library sends no credentials over plaintext; the simulator wants them all the same.
		conn, err = grpc.NewClient(e.Monitoring, grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithPerRPCCredentials(tokenCredentials{creds}), count)
		if err != nil {
			return fmt.Errorf("`endpoints.monitoring`: %w", err)
		}
		mopts = []option.ClientOption{option.WithGRPCConn(conn)}
	} else {
		mopts = []option.ClientOption{option.WithAuthCredentials(creds), option.WithGRPCDialOption(count)}
		if e.Monitoring != "" {
			mopts = append(mopts, option.WithEndpoint(e.Monitoring))
		}
	}
	metrics, err := monitoring.NewMetricClient(ctx, mopts...)
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		return err
	}
	t.mu.Lock()
	old := t.metrics
	t.metrics, t.compute, t.sql = metrics, comp, sql
	t.mu.Unlock()
	if old != nil {
		return old.Close()
	}
	return nil
}

func (t *gcpTarget) close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.metrics == nil {
		return nil
	}
	err := t.metrics.Close()
	t.metrics = nil
	return err
}

// ResetCredentials signs in again at the next call: after a token was refused, the cached one
// must not be reused until its stated expiry.
func (t *gcpTarget) ResetCredentials() {
	if err := t.connect(context.Background()); err != nil {
		t.p.logger.Warn("Could not create new credentials; keeping the old ones")
	}
}

func (t *gcpTarget) clients() (*monitoring.MetricClient, *compute.Service, *sqladmin.Service) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.metrics, t.compute, t.sql
}

// tokenCredentials puts the credentials' token on every gRPC call, plaintext allowed. A token
// the endpoint refused is UNAUTHENTICATED: gRPC would report it UNAVAILABLE, which is retried.
type tokenCredentials struct{ creds *auth.Credentials }

func (c tokenCredentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	tok, err := c.creds.Token(ctx)
	if err != nil {
		return nil, status.Error(codes.Unauthenticated, err.Error())
	}
	return map[string]string{"authorization": "Bearer " + tok.Value}, nil
}

func (tokenCredentials) RequireTransportSecurity() bool { return false }

// Inventory reads the project's instances, Cloud SQL instances, networks and subnetworks.
func (t *gcpTarget) Inventory(ctx context.Context) (*cloudscrape.Inventory, error) {
	inv := &cloudscrape.Inventory{Resources: map[string]*cloudscrape.Resource{}}
	used, err := t.readInstances(ctx, inv)
	if err != nil {
		return nil, err
	}
	if err := t.readSQL(ctx, inv); err != nil {
		return nil, err
	}
	if err := t.readNetworks(ctx, inv, used); err != nil {
		return nil, err
	}
	return inv, nil
}

// Cost is what Cloud Monitoring bills for a Fetch of qs: a ListTimeSeries call per metric
// type (more when a type's answer pages, which a plan cannot know beforehand).
func (t *gcpTarget) Cost(qs []cloudscrape.Query) int { return len(groups(qs)) }
