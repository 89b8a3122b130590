package simgcp

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

// Serve answers Cloud Monitoring over gRPC on grpcLn and the REST APIs (token endpoint,
// Compute Engine, Cloud SQL Admin, /sim) over HTTP on httpLn, both plaintext, until ctx is
// done. It is what `mcobs sim --gcp-grpc-listen --gcp-http-listen` runs.
func Serve(ctx context.Context, grpcLn, httpLn net.Listener, s *sim.Simulator, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := NewGRPCServer(s)
	h := &http.Server{Handler: Handler(s), ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	errc := make(chan error, 2)
	go func() { errc <- g.Serve(grpcLn) }()
	go func() { errc <- h.Serve(httpLn) }()
	f := s.GCP()
	log.Info("GCP simulator listening", slog.String("monitoring", grpcLn.Addr().String()),
		slog.String("rest", "http://"+httpLn.Addr().String()), slog.Int("projects", len(f.Projects)),
		slog.Int("instances", len(f.Instances)), slog.Int("sql_instances", len(f.SQLInstances)))
	var err error
	select {
	case err = <-errc:
		err = fmt.Errorf("serve GCP: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g.GracefulStop()
	if serr := h.Shutdown(shutdownCtx); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	log.Info("GCP simulator stopped")
	return err
}
