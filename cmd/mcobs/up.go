package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mcobs/mcobs/internal/stack"
)

func newUpCmd() *cobra.Command {
	o := stack.DefaultOptions()
	// Grafana runs when it is installed; the library's default is none, so tests opt in.
	o.GrafanaBin = "grafana"
	// So does the long-term store of the downsampled stream, with the raw one kept a week.
	o.LongTermPort, o.RawRetention = 9091, 7*24*time.Hour
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Run the local stack: cloud simulator, otelcol-mcobs, Prometheus, Alertmanager and Grafana on 127.0.0.1",
		Long: `up starts the cloud API simulator (mcobs sim), the action runner (mcobs actions), Alertmanager, Prometheus (remote-write receiver on, mcobs rules loaded, the raw
stream for --retention), a second Prometheus holding the downsampled stream (--long-term-port,
read with --long-term-lookback) and the otelcol-mcobs collector from an embedded default
configuration, then Grafana with the mcobs
plugin and dashboards when a grafana binary is on PATH (or --grafana-bin) and ` + "`make plugin`" + ` has
built them; waits for each to be ready, prints where they answer and a live status, and stops
everything cleanly on Ctrl-C. Configuration, data and logs live under --dir.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Out = cmd.OutOrStdout()
			return runUp(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Dir, "dir", o.Dir, "directory for configuration, data and logs")
	f.StringVar(&o.BinDir, "bin-dir", o.BinDir, "directory holding prometheus, alertmanager, otelcol-mcobs and grafana/ (plugins, provisioning)")
	f.StringVar(&o.Host, "host", o.Host, "address every part listens on")
	f.IntVar(&o.SimulatorPort, "simulator-port", o.SimulatorPort, "cloud API simulator port (AWS)")
	f.IntVar(&o.AzureSimulatorPort, "azure-simulator-port", o.AzureSimulatorPort, "cloud API simulator port for Azure (TLS)")
	f.IntVar(&o.GCPSimulatorPort, "gcp-simulator-port", o.GCPSimulatorPort, "cloud API simulator port for GCP Cloud Monitoring (gRPC)")
	f.IntVar(&o.GCPRESTSimulatorPort, "gcp-rest-simulator-port", o.GCPRESTSimulatorPort, "cloud API simulator port for the GCP REST APIs (token, Compute Engine, Cloud SQL Admin)")
	f.IntVar(&o.ActionsPort, "actions-port", o.ActionsPort, "action runner port (webhook, history page)")
	f.IntVar(&o.PrometheusPort, "prometheus-port", o.PrometheusPort, "Prometheus web port")
	f.IntVar(&o.AlertmanagerPort, "alertmanager-port", o.AlertmanagerPort, "Alertmanager web port")
	f.IntVar(&o.OTLPGRPCPort, "otlp-grpc-port", o.OTLPGRPCPort, "collector OTLP gRPC port")
	f.IntVar(&o.OTLPHTTPPort, "otlp-http-port", o.OTLPHTTPPort, "collector OTLP HTTP port")
	f.IntVar(&o.HealthPort, "health-port", o.HealthPort, "collector health check port")
	f.IntVar(&o.CollectorMetricsPort, "collector-metrics-port", o.CollectorMetricsPort, "collector self-metrics port")
	f.IntVar(&o.GrafanaPort, "grafana-port", o.GrafanaPort, "Grafana web port")
	f.IntVar(&o.LongTermPort, "long-term-port", o.LongTermPort, "port of the second Prometheus, which stores the downsampled stream (0: none)")
	f.DurationVar(&o.RawRetention, "retention", o.RawRetention, "how long the first Prometheus keeps the raw stream (0: Prometheus' default, 15d)")
	f.DurationVar(&o.LongTermRetention, "long-term-retention", o.LongTermRetention, "how long the second Prometheus keeps the downsampled stream")
	f.DurationVar(&o.LongTermLookback, "long-term-lookback", o.LongTermLookback, "the second Prometheus' --query.lookback-delta and the downsample processor's lookback")
	f.StringVar(&o.GrafanaBin, "grafana-bin", o.GrafanaBin, "Grafana server binary, a path or a name on PATH (empty: no Grafana)")
	f.StringVar(&o.CollectorConfig, "collector-config", "", "collector configuration file (default: embedded)")
	f.StringVar(&o.RulesDir, "rules-dir", "", "folder of *.rules.yml files for Prometheus (default: embedded alert-rules)")
	f.StringVar(&o.AlertmanagerConfig, "alertmanager-config", "", "Alertmanager configuration file (default: embedded)")
	f.DurationVar(&o.ReadyTimeout, "ready-timeout", o.ReadyTimeout, "how long each part may take to become ready")
	f.DurationVar(&o.StatusEvery, "status-every", o.StatusEvery, "how often to print the live status (0 turns it off)")
	return cmd
}

func runUp(ctx context.Context, o stack.Options) error {
	s, err := stack.New(o)
	if err != nil {
		return err
	}
	out := o.Out
	fmt.Fprintf(out, "mcobs up: state in %s\n", s.Options().Dir)
	start := time.Now()
	if err := s.Start(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "mcobs up: healthy in %s\n", time.Since(start).Round(10*time.Millisecond))
	for _, u := range s.URLs() {
		fmt.Fprintf(out, "  %-24s %s\n", u.Name, u.URL)
	}
	if !stack.HasPrometheusUI(o) {
		fmt.Fprintln(out, "  (the Prometheus web UI is not built: `make prometheus-ui`; the API works)")
	}
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
	watchErr := s.Watch(ctx)
	fmt.Fprintln(out, "mcobs up: stopping")
	stopErr := s.Stop()
	if watchErr != nil || stopErr != nil {
		return errors.Join(watchErr, stopErr)
	}
	fmt.Fprintln(out, "mcobs up: stopped")
	return nil
}
