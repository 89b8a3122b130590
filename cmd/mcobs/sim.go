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
	simgcp "github.com/mcobs/mcobs/internal/sim/gcp"
)

func newSimCmd() *cobra.Command {
	var (
		listen      string
		configPath  string
		seed        int64
		truthPath   string
		azureListen string
		azureCAOut  string
		gcp         gcpListen
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the cloud API simulator (AWS on one address, optionally Azure over TLS and GCP on others)",
		Long: `sim serves a deterministic simulated AWS fleet over the real wire protocols, so SDK clients
pointed at it (BaseEndpoint) work without cloud credentials. Requests must be SigV4-signed with a
configured access key; the embedded default configuration and its keys are documented in
internal/sim/README.md. GET /sim/health answers when it is ready, GET /sim/stats counts calls,
POST /sim/stats/reset zeroes them and GET /sim/truth lists the injected anomalies.

With --azure-listen it also serves the simulated Azure fleet (Entra ID tokens, ARM
subscriptions and virtual networks, Resource Graph, metrics:getBatch) over TLS on a self-signed
certificate for 127.0.0.1 and localhost, which --azure-ca-out writes out for clients to trust.
With --gcp-grpc-listen and --gcp-http-listen it also serves the simulated Google Cloud
projects: Cloud Monitoring's MetricService over plaintext gRPC on the first, and the token
endpoint, Compute Engine and Cloud SQL Admin over HTTP on the second; --gcp-key-out writes a
service account key whose token_uri is the simulator's.
Every address shares one simulator: the same clock, fault schedule, counters and truth.
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
			if err := gcp.listen(cfg); err != nil {
				_ = ln.Close()
				if azureLn != nil {
					_ = azureLn.Close()
				}
				return err
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			return serveSim(cmd.Context(), s, ln, azureLn, cert, gcp, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:4566", "address to serve every simulated API on")
	f.StringVar(&configPath, "config", "", "simulator YAML configuration (default: embedded default fleet)")
	f.Int64Var(&seed, "seed", 1, "seed for the fleet, metrics, anomalies and faults (overrides the config)")
	f.StringVar(&truthPath, "truth", "", "also write the injected anomalies (as GET /sim/truth) to this JSON file")
	f.StringVar(&azureListen, "azure-listen", "", "also serve the simulated Azure APIs over TLS on this address, e.g. 127.0.0.1:4567 (empty: no Azure)")
	f.StringVar(&azureCAOut, "azure-ca-out", "", "write the Azure listener's self-signed certificate (PEM) to this file, for clients to trust")
	f.StringVar(&gcp.grpcAddr, "gcp-grpc-listen", "", "also serve Cloud Monitoring (plaintext gRPC) on this address, e.g. 127.0.0.1:4568 (empty: no GCP)")
	f.StringVar(&gcp.httpAddr, "gcp-http-listen", "", "serve the GCP token endpoint, Compute Engine and Cloud SQL Admin (HTTP) on this address, e.g. 127.0.0.1:4569")
	f.StringVar(&gcp.keyOut, "gcp-key-out", "", "write a service account key for the simulated GCP projects to this file")
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

// gcpListen is the GCP part of `mcobs sim`: its flags and listeners.
type gcpListen struct {
	grpcAddr, httpAddr, keyOut string
	grpcLn, httpLn             net.Listener
}

// listen opens both GCP listeners (or none) and writes the service account key.
func (g *gcpListen) listen(cfg sim.Config) error {
	if g.grpcAddr == "" && g.httpAddr == "" {
		if g.keyOut != "" {
			return errors.New("--gcp-key-out needs --gcp-grpc-listen and --gcp-http-listen")
		}
		return nil
	}
	if g.grpcAddr == "" || g.httpAddr == "" {
		return errors.New("--gcp-grpc-listen and --gcp-http-listen go together")
	}
	var err error
	if g.grpcLn, err = net.Listen("tcp", g.grpcAddr); err != nil {
		return fmt.Errorf("--gcp-grpc-listen %q: %w", g.grpcAddr, err)
	}
	if g.httpLn, err = net.Listen("tcp", g.httpAddr); err != nil {
		_ = g.grpcLn.Close()
		return fmt.Errorf("--gcp-http-listen %q: %w", g.httpAddr, err)
	}
	if g.keyOut != "" {
		tokenURI := "http://" + g.httpLn.Addr().String() + "/token"
		if err := simgcp.WriteServiceAccountKey(g.keyOut, tokenURI, cfg.GCP.ServiceAccount, cfg.GCP.Projects[0].ID); err != nil {
			_, _ = g.grpcLn.Close(), g.httpLn.Close()
			return fmt.Errorf("write GCP service account key %q: %w", g.keyOut, err)
		}
	}
	return nil
}

// serveSim serves AWS on ln and, when their listeners are set, Azure and GCP, until ctx is
// done or one of them fails, which stops the others.
func serveSim(ctx context.Context, s *sim.Simulator, ln, azureLn net.Listener, cert tls.Certificate, gcp gcpListen, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- simaws.Serve(ctx, ln, s, log) }()
	n := 1
	if azureLn != nil {
		n++
		go func() { errc <- simazure.Serve(ctx, azureLn, s, cert, log) }()
	}
	if gcp.grpcLn != nil {
		n++
		go func() { errc <- simgcp.Serve(ctx, gcp.grpcLn, gcp.httpLn, s, log) }()
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
