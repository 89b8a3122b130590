package simazure_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

// faultEnv is a simulator that injects one fault kind into every call of the operations.
func faultEnv(t *testing.T, yaml string) *env {
	t.Helper()
	cfg, err := sim.ParseConfig([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return newEnv(t, cfg)
}

func listVNets(t *testing.T, e *env, sub string) error {
	t.Helper()
	_, err := e.vnets(t, sub).NewListAllPager(nil).NextPage(ctx(t))
	return err
}

func TestThrottleIs429WithRetryAfter(t *testing.T) {
	e := faultEnv(t, "faults: {throttle_rate: 1, operations: [ListVirtualNetworks]}")
	err := listVNets(t, e, sub1)
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusTooManyRequests || re.ErrorCode != "TooManyRequests" ||
		re.RawResponse.Header.Get("Retry-After") != "1" {
		t.Fatalf("%v, want 429 TooManyRequests with Retry-After: 1", err)
	}
	// Other operations are not faulted.
	if _, err := e.subscriptions(t).NewListPager(nil).NextPage(ctx(t)); err != nil {
		t.Errorf("ListSubscriptions: %v", err)
	}
	st := e.sim.Stats()
	// The client gave up at once: Retry-After is above its MaxRetryDelay.
	if st.FaultsOf(sim.FaultThrottle, simazure.OpListVirtualNetworks) != 1 || st.CallsOf(sub1, simazure.Service, simazure.OpListVirtualNetworks) != 1 {
		t.Errorf("faults %+v, calls %+v", st.Faults, st.Calls)
	}
}

func TestServerErrorsAre500And503AndRetried(t *testing.T) {
	e := faultEnv(t, "faults: {server_error_rate: 1, operations: [MetricsBatch]}")
	vm := e.sim.Azure().VMsOf(sub1, "eastus")[0]
	_, err := e.batch(t, "eastus", sub1, sim.AzureVMNamespace, vmMetricNames, []string{vm.ID}, simNow.Add(-10*time.Minute), simNow)
	code, status := errorCode(err)
	if status != http.StatusInternalServerError && status != http.StatusServiceUnavailable || code != "InternalServerError" && code != "ServiceUnavailable" {
		t.Fatalf("%v, want a 500 or 503", err)
	}
	// The SDK retried (MaxRetries 2): three calls, alternately 500 and 503.
	if n := e.sim.Stats().FaultsOf(sim.FaultServerError, simazure.OpMetricsBatch); n != 3 {
		t.Errorf("%d server errors, want 3 attempts", n)
	}
}

func TestMalformedBodyFailsDecoding(t *testing.T) {
	e := faultEnv(t, "faults: {malformed_rate: 1, operations: [ResourceGraph]}")
	q := receiverQuery
	_, err := e.graph(t).Resources(ctx(t), armresourcegraphRequest(q), nil)
	if err == nil {
		t.Fatal("a truncated body decoded")
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		t.Errorf("%v: a decoding error, not an HTTP error, expected", err)
	}
}

func TestExpiredCredentialsAre401WithAChallenge(t *testing.T) {
	e := faultEnv(t, "faults: {expired_credentials_rate: 1, operations: [ListVirtualNetworkUsage]}")
	v := e.sim.Azure().VNet(sub1, "eastus")
	_, err := e.vnets(t, sub1).NewListUsagePager(v.ResourceGroup, v.Name, nil).NextPage(ctx(t))
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusUnauthorized || re.ErrorCode != "ExpiredAuthenticationToken" {
		t.Fatalf("%v, want 401 ExpiredAuthenticationToken", err)
	}
	if h := re.RawResponse.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer ") || !strings.Contains(h, `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate %q", h)
	}
}

// faults.accounts fails one subscription while the other answers.
func TestFaultsLimitedToASubscription(t *testing.T) {
	e := faultEnv(t, "faults: {throttle_rate: 1, accounts: ['"+sub2+"']}")
	if err := listVNets(t, e, sub1); err != nil {
		t.Errorf("%s: %v", sub1, err)
	}
	if _, status := errorCode(listVNets(t, e, sub2)); status != http.StatusTooManyRequests {
		t.Errorf("%s: status %d, want 429", sub2, status)
	}
	// Tenant-wide operations belong to the tenant id, not to a subscription.
	if _, err := e.subscriptions(t).NewListPager(nil).NextPage(ctx(t)); err != nil {
		t.Errorf("ListSubscriptions: %v", err)
	}
}

// With faults on every operation the token endpoint still answers: it is faulted only when
// faults.operations names Token.
func TestTokenFaultsOnlyWhenNamed(t *testing.T) {
	e := faultEnv(t, "faults: {throttle_rate: 1}")
	if _, err := e.cred.GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}}); err != nil {
		t.Errorf("token with faults on all operations: %v", err)
	}
	e = faultEnv(t, "faults: {expired_credentials_rate: 1, operations: [Token]}")
	_, err := e.cred.GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) || !strings.Contains(err.Error(), "AADSTS7000222") {
		t.Errorf("%v, want an expired client secret", err)
	}
}
