package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/sim"
	simaws "github.com/mcobs/mcobs/internal/sim/aws"
	simazure "github.com/mcobs/mcobs/internal/sim/azure"
)

func newSimCmd() *cobra.Command {
	var (
		listen      string
		configPath  string
		seed        int64
		truthPath   string
		azureListen string
		azureCAOut  string
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the cloud API simulator (AWS on one address, optionally Azure over TLS on another)",
		Long: `sim serves a deterministic simulated AWS fleet over the real wire protocols, so SDK clients
pointed at it (BaseEndpoint) work without cloud credentials. Requests must be SigV4-signed with a
configured access key; the embedded default configuration and its keys are documented in
internal/sim/README.md. GET /sim/health answers when it is ready, GET /sim/stats counts calls,
POST /sim/stats/reset zeroes them and GET /sim/truth lists the injected anomalies.

With --azure-listen it also serves the simulated Azure fleet (Entra ID tokens, ARM
subscriptions and virtual networks, Resource Graph, metrics:getBatch) over TLS on a self-signed
certificate for 127.0.0.1 and localhost, which --azure-ca-out writes out for clients to trust.
Both addresses share one simulator: the same clock, fault schedule, counters and truth.
Stops on Ctrl-C.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := sim.DefaultConfig()
			if configPath != "" {
				var err error
				if cfg, err = sim.LoadConfig(configPath); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("seed") {
				cfg.Seed = seed
			}
			s, err := sim.New(cfg)
			if err != nil {
				return fmt.Errorf("simulator config: %w", err)
			}
			if truthPath != "" {
				if err := writeTruth(truthPath, s); err != nil {
					return err
				}
			}
			if azureCAOut != "" && azureListen == "" {
				return errors.New("--azure-ca-out needs --azure-listen")
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("listen on %q: %w", listen, err)
			}
			var azureLn net.Listener
			var cert tls.Certificate
			if azureListen != "" {
				if azureLn, cert, err = listenAzure(azureListen, azureCAOut); err != nil {
					_ = ln.Close()
					return err
				}
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			return serveSim(cmd.Context(), s, ln, azureLn, cert, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:4566", "address to serve every simulated API on")
	f.StringVar(&configPath, "config", "", "simulator YAML configuration (default: embedded default fleet)")
	f.Int64Var(&seed, "seed", 1, "seed for the fleet, metrics, anomalies and faults (overrides the config)")
	f.StringVar(&truthPath, "truth", "", "also write the injected anomalies (as GET /sim/truth) to this JSON file")
	f.StringVar(&azureListen, "azure-listen", "", "also serve the simulated Azure APIs over TLS on this address, e.g. 127.0.0.1:4567 (empty: no Azure)")
	f.StringVar(&azureCAOut, "azure-ca-out", "", "write the Azure listener's self-signed certificate (PEM) to this file, for clients to trust")
	return cmd
}

// listenAzure opens the Azure listener and makes its certificate, valid for 127.0.0.1,
// localhost and the listen host, writing the PEM to caOut when set.
func listenAzure(addr, caOut string) (net.Listener, tls.Certificate, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("--azure-listen %q: %w", addr, err)
	}
	var extra []string
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		extra = append(extra, host)
	}
	cert, pemBytes, err := simazure.SelfSignedCert(extra...)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("Azure simulator certificate: %w", err)
	}
	if caOut != "" {
		if err := os.WriteFile(caOut, pemBytes, 0o644); err != nil {
			return nil, tls.Certificate{}, fmt.Errorf("write Azure simulator certificate %q: %w", caOut, err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, tls.Certificate{}, fmt.Errorf("listen on %q: %w", addr, err)
	}
	return ln, cert, nil
}

// serveSim serves AWS on ln and, when azureLn is set, Azure on it, until ctx is done or one
// of them fails, which stops the other.
func serveSim(ctx context.Context, s *sim.Simulator, ln, azureLn net.Listener, cert tls.Certificate, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- simaws.Serve(ctx, ln, s, log) }()
	n := 1
	if azureLn != nil {
		n++
		go func() { errc <- simazure.Serve(ctx, azureLn, s, cert, log) }()
	}
	var errs []error
	for range n {
		if err := <-errc; err != nil {
			errs = append(errs, err)
		}
		cancel()
	}
	return errors.Join(errs...)
}

func writeTruth(path string, s *sim.Simulator) error {
	b, err := json.MarshalIndent(map[string]any{"seed": s.Config().Seed, "anomalies": s.Truth()}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode anomaly truth: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write anomaly truth %q: %w", path, err)
	}
	return nil
}
