package simazure

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mcobs/mcobs/internal/sim"
)

// NewTestServer starts the Azure simulator on an httptest TLS server for another package's
// tests and closes it when the test ends. baseURL is https://127.0.0.1:<port>; client trusts
// the server's certificate: pass it as the SDK's transport (azcore.ClientOptions.Transport).
// Point the SDK's cloud.Configuration at baseURL (see internal/sim/README.md), authenticate
// with cfg.Azure's tenant, client id and secret, and assert on s.Stats() and s.Truth().
func NewTestServer(tb testing.TB, cfg sim.Config, opts ...sim.Option) (baseURL string, client *http.Client, s *sim.Simulator) {
	tb.Helper()
	s, err := sim.New(cfg, opts...)
	if err != nil {
		tb.Fatalf("simazure.NewTestServer: %v", err)
	}
	srv := httptest.NewTLSServer(Handler(s))
	tb.Cleanup(srv.Close)
	return srv.URL, srv.Client(), s
}
