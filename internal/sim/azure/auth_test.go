package simazure_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mcobs/mcobs/internal/sim"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

func TestClientSecretCredentialGetsATokenARMAccepts(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	tok, err := e.cred.GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Token == "" || tok.ExpiresOn.IsZero() {
		t.Fatalf("token %+v", tok)
	}
	// The token authorizes ARM calls; the credential caches it for the next ones. (The ARM
	// pipeline asks for a CAE token, which azidentity caches apart from the one above.)
	e.sim.ResetStats()
	for range 2 {
		pager := e.subscriptions(t).NewListPager(nil)
		if _, err := pager.NextPage(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.sim.Stats().CallsOf(e.cfg.Azure.TenantID, simazure.Service, simazure.OpToken); got != 1 {
		t.Errorf("%d token requests, want 1 (cached)", got)
	}
}

func TestBadClientCredentialsAreInvalidClient(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	f := func(clientID, secret string) {
		t.Helper()
		_, err := e.credential(t, clientID, secret).GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{"https://management.azure.com/.default"}})
		var afe *azidentity.AuthenticationFailedError
		if !errors.As(err, &afe) || afe.RawResponse == nil || afe.RawResponse.StatusCode != http.StatusUnauthorized {
			t.Fatalf("client %s: %v, want an AuthenticationFailedError with 401", clientID, err)
		}
		if want := "invalid_client"; !strings.Contains(err.Error(), want) {
			t.Errorf("client %s: %v does not say %s", clientID, err, want)
		}
	}
	// A wrong secret.
	f(e.cfg.Azure.ClientID, "wrong")
	// An unknown application.
	f("00000000-0000-4000-8000-000000000009", e.cfg.Azure.ClientSecret)
	if got := e.sim.Stats().RejectedFor("invalid_client"); got < 2 {
		t.Errorf("%d rejected invalid_client, want at least 2", got)
	}
}

func TestAPICallsNeedAValidToken(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	f := func(auth, wantCode string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx(t), http.MethodGet, e.url+"/subscriptions?api-version=2022-12-01", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		code, status := errorCode(runtime.NewResponseError(resp))
		if status != http.StatusUnauthorized || code != wantCode || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%q: %d %s (WWW-Authenticate %q), want 401 %s", auth, status, code, resp.Header.Get("WWW-Authenticate"), wantCode)
		}
	}
	// No header.
	f("", "AuthenticationFailed")
	// A token the simulator did not issue.
	f("Bearer eyJhbGciOiJIUzI1NiJ9.e30.forged", "InvalidAuthenticationToken")
	if st := e.sim.Stats(); st.RejectedFor("missing_authentication") != 1 || st.RejectedFor("invalid_token") != 1 ||
		st.CallsOf(e.cfg.Azure.TenantID, simazure.Service, simazure.OpListSubscriptions) != 0 {
		t.Errorf("rejections %+v, calls %+v", st.Rejected, st.Calls)
	}
}
