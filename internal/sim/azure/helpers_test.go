package simazure_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azmetrics"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"go.uber.org/goleak"

	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// simNow is the simulator time the tests run at: a Wednesday afternoon.
var simNow = time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)

// The default configuration's identities (internal/sim/default.yaml).
const (
	sub1 = "11111111-1111-4111-8111-111111111111"
	sub2 = "22222222-2222-4222-8222-222222222222"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is a simulator on a TLS test server and the SDK configuration to reach it.
type env struct {
	url    string
	client *http.Client
	sim    *sim.Simulator
	clock  *clock
	cfg    sim.Config
	cred   azcore.TokenCredential
}

func newEnv(t *testing.T, cfg sim.Config) *env {
	t.Helper()
	c := &clock{t: simNow}
	url, client, s := simazure.NewTestServer(t, cfg, sim.WithClock(c.Now))
	e := &env{url: url, client: client, sim: s, clock: c, cfg: cfg}
	e.cred = e.credential(t, cfg.Azure.ClientID, cfg.Azure.ClientSecret)
	return e
}

// cloud is the SDK cloud configuration the receiver uses: Entra ID, ARM and the metrics
// audience all on the simulator.
func (e *env) cloud() cloud.Configuration {
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: e.url + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: "https://management.azure.com", Endpoint: e.url},
			azmetrics.ServiceName: {Audience: "https://metrics.monitor.azure.com"},
		},
	}
}

// options retries 5xx at once and does not wait out Retry-After (1s > MaxRetryDelay), so
// fault tests do not sleep.
func (e *env) options() policy.ClientOptions {
	return policy.ClientOptions{
		Cloud: e.cloud(), Transport: e.client,
		Retry: policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Millisecond, MaxRetryDelay: 10 * time.Millisecond},
	}
}

func (e *env) credential(t *testing.T, clientID, secret string) azcore.TokenCredential {
	t.Helper()
	cred, err := azidentity.NewClientSecretCredential(e.cfg.Azure.TenantID, clientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: e.options(), DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func (e *env) subscriptions(t *testing.T) *armsubscriptions.Client {
	t.Helper()
	c, err := armsubscriptions.NewClient(e.cred, &arm.ClientOptions{ClientOptions: e.options()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) graph(t *testing.T) *armresourcegraph.Client {
	t.Helper()
	c, err := armresourcegraph.NewClient(e.cred, &arm.ClientOptions{ClientOptions: e.options()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) vnets(t *testing.T, sub string) *armnetwork.VirtualNetworksClient {
	t.Helper()
	c, err := armnetwork.NewVirtualNetworksClient(sub, e.cred, &arm.ClientOptions{ClientOptions: e.options()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) metrics(t *testing.T, region string) *azmetrics.Client {
	t.Helper()
	c, err := azmetrics.NewClient(e.url+"/regions/"+region, e.cred, &azmetrics.ClientOptions{ClientOptions: e.options()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// errorCode is the ARM error code of an SDK error and its HTTP status, or "" and 0.
func errorCode(err error) (string, int) {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode, re.StatusCode
	}
	return "", 0
}

func ptr[T any](v T) *T { return &v }

func ctx(t *testing.T) context.Context { return t.Context() }
