package simaws

import (
	"net/http/httptest"
	"testing"

	"github.com/mcobs/mcobs/internal/sim"
)

// NewTestServer starts the AWS simulator on an httptest server for another package's tests
// and closes it when the test ends. Point an SDK client's BaseEndpoint at url, sign with one
// of cfg.AWS.Accounts' keys (sim.DefaultConfig() has two, see internal/sim/README.md), and
// assert on s.Stats() and s.Truth(). Pass sim.WithClock to control settling and expiry.
func NewTestServer(tb testing.TB, cfg sim.Config, opts ...sim.Option) (url string, s *sim.Simulator) {
	tb.Helper()
	s, err := sim.New(cfg, opts...)
	if err != nil {
		tb.Fatalf("simaws.NewTestServer: %v", err)
	}
	srv := httptest.NewServer(NewServer(s))
	tb.Cleanup(srv.Close)
	return srv.URL, s
}
