package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/sim"
	simaws "github.com/mcobs/mcobs/internal/sim/aws"
)

func newSimCmd() *cobra.Command {
	var (
		listen     string
		configPath string
		seed       int64
		truthPath  string
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the cloud API simulator (AWS CloudWatch, EC2, RDS, STS, Tagging) on one address",
		Long: `sim serves a deterministic simulated AWS fleet over the real wire protocols, so SDK clients
pointed at it (BaseEndpoint) work without cloud credentials. Requests must be SigV4-signed with a
configured access key; the embedded default configuration and its keys are documented in
internal/sim/README.md. GET /sim/health answers when it is ready, GET /sim/stats counts calls,
POST /sim/stats/reset zeroes them and GET /sim/truth lists the injected anomalies. Stops on
Ctrl-C.`,
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
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("listen on %q: %w", listen, err)
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			return simaws.Serve(cmd.Context(), ln, s, log)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:4566", "address to serve every simulated API on")
	f.StringVar(&configPath, "config", "", "simulator YAML configuration (default: embedded default fleet)")
	f.Int64Var(&seed, "seed", 1, "seed for the fleet, metrics, anomalies and faults (overrides the config)")
	f.StringVar(&truthPath, "truth", "", "also write the injected anomalies (as GET /sim/truth) to this JSON file")
	return cmd
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
