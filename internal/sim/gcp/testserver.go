package simgcp

import (
	"net"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/mcobs/mcobs/internal/sim"
)

// TestServer is the GCP simulator of another package's tests.
type TestServer struct {
	Sim *sim.Simulator
	// GRPCAddr is the Cloud Monitoring endpoint (host:port, plaintext).
	GRPCAddr string
	// URL is the REST endpoint: URL+"/compute/v1/" for Compute Engine, URL+"/" for Cloud SQL
	// Admin, URL+"/token" the token endpoint.
	URL string
	// KeyFile is a service account key file whose token_uri is the simulator's.
	KeyFile string
}

// NewTestServer starts the GCP simulator for another package's tests and stops it when the
// test ends.
func NewTestServer(tb testing.TB, cfg sim.Config, opts ...sim.Option) *TestServer {
	tb.Helper()
	s, err := sim.New(cfg, opts...)
	if err != nil {
		tb.Fatalf("simgcp.NewTestServer: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	g := NewGRPCServer(s)
	go func() { _ = g.Serve(ln) }()
	tb.Cleanup(g.Stop)
	h := httptest.NewServer(Handler(s))
	tb.Cleanup(h.Close)
	ts := &TestServer{Sim: s, GRPCAddr: ln.Addr().String(), URL: h.URL, KeyFile: filepath.Join(tb.TempDir(), "key.json")}
	if err := WriteServiceAccountKey(ts.KeyFile, h.URL+"/token", cfg.GCP.ServiceAccount, cfg.GCP.Projects[0].ID); err != nil {
		tb.Fatal(err)
	}
	return ts
}
