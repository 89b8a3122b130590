package simaws_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
	simaws "github.com/mcobs/mcobs/internal/sim/aws"
)

func TestServeStopsWhenTheContextEnds(t *testing.T) {
	s, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- simaws.Serve(ctx, ln, s, nil) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/sim/stats: %s", resp.Status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the context ended")
	}
}
