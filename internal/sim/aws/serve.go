package simaws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

// Serve answers the simulated AWS APIs and the /sim endpoints on ln until ctx is done, then
// shuts down gracefully. It is what `mcobs sim` runs.
func Serve(ctx context.Context, ln net.Listener, s *sim.Simulator, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           NewServer(s),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("simulator listening", slog.String("address", ln.Addr().String()),
		slog.Int64("seed", s.Config().Seed), slog.Int("instances", len(s.Fleet().Instances)),
		slog.Int("db_instances", len(s.Fleet().DBInstances)), slog.Int("anomalies", len(s.Truth())))
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	log.Info("simulator stopped")
	return err
}
