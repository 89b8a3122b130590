package stack

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// Options say where the stack keeps its state, where the binaries are and which ports it uses.
// The zero value is not useful; start from DefaultOptions.
type Options struct {
	// Dir holds every part's configuration, data and logs.
	Dir string
	// BinDir holds mcobs, prometheus, alertmanager and otelcol-mcobs.
	BinDir string
	// Host is the address every part listens on.
	Host string

	SimulatorPort      int
	AzureSimulatorPort int
	// GCPSimulatorPort serves Cloud Monitoring (gRPC), GCPRESTSimulatorPort the token endpoint,
	// Compute Engine and Cloud SQL Admin (HTTP).
	GCPSimulatorPort     int
	GCPRESTSimulatorPort int
	ActionsPort          int
	PrometheusPort       int
	AlertmanagerPort     int
	OTLPGRPCPort         int
	OTLPHTTPPort         int
	HealthPort           int
	CollectorMetricsPort int
	GrafanaPort          int

	// LongTermPort, when not 0, runs a second Prometheus there: the long-term store of the
	// downsampled stream, read with LongTermLookback and kept for LongTermRetention, while the
	// first one keeps the raw stream for RawRetention. `mcobs up` sets 9091; 0 runs none.
	LongTermPort int
	// RawRetention is how long the first Prometheus keeps the raw stream; 0 leaves Prometheus'
	// default (15d).
	RawRetention time.Duration
	// LongTermRetention is how long the long-term Prometheus keeps the downsampled stream.
	LongTermRetention time.Duration
	// LongTermLookback is the long-term Prometheus' --query.lookback-delta, and the downsample
	// processor's lookback: kept samples are never further apart than this while the input
	// has samples, so its queries find no gap the raw stream does not have.
	LongTermLookback time.Duration

	// GrafanaBin is the Grafana server binary, a path or a name looked up on PATH; empty
	// runs no Grafana. `mcobs up` sets "grafana": Grafana runs when it is installed.
	GrafanaBin string

	// CollectorConfig, if set, replaces the embedded collector configuration.
	CollectorConfig string
	// RulesDir, if set, replaces the embedded alert-rules/*.rules.yml.
	RulesDir string
	// AlertmanagerConfig, if set, replaces the embedded alert-rules/alertmanager.yml.
	AlertmanagerConfig string

	// ReadyTimeout bounds how long each part may take to become ready.
	ReadyTimeout time.Duration
	// StatusEvery is how often the live status line is refreshed; 0 turns it off.
	StatusEvery time.Duration
	// Out receives progress and status; Err receives nothing else than what Up returns.
	Out io.Writer
}

// DefaultOptions are the ports a Prometheus user expects to find things on.
func DefaultOptions() Options {
	return Options{
		Dir:                  ".mcobs",
		BinDir:               "bin",
		Host:                 "127.0.0.1",
		SimulatorPort:        4566,
		AzureSimulatorPort:   4567,
		GCPSimulatorPort:     4568,
		GCPRESTSimulatorPort: 4569,
		ActionsPort:          9095,
		PrometheusPort:       9090,
		AlertmanagerPort:     9093,
		OTLPGRPCPort:         4317,
		OTLPHTTPPort:         4318,
		HealthPort:           13133,
		CollectorMetricsPort: 8888,
		GrafanaPort:          3000,
		LongTermRetention:    400 * 24 * time.Hour,
		LongTermLookback:     6 * time.Hour,
		ReadyTimeout:         60 * time.Second,
		StatusEvery:          5 * time.Second,
		Out:                  io.Discard,
	}
}

// ports lists what CheckPorts verifies before anything starts; Grafana's only when it runs.
func (o Options) ports(grafana bool) []Port {
	ports := []Port{
		{Part: "simulator", What: "cloud API", Flag: "simulator-port", Port: o.SimulatorPort},
		{Part: "simulator", What: "Azure API (TLS)", Flag: "azure-simulator-port", Port: o.AzureSimulatorPort},
		{Part: "simulator", What: "GCP Cloud Monitoring (gRPC)", Flag: "gcp-simulator-port", Port: o.GCPSimulatorPort},
		{Part: "simulator", What: "GCP REST APIs", Flag: "gcp-rest-simulator-port", Port: o.GCPRESTSimulatorPort},
		{Part: "actions", What: "webhook and history", Flag: "actions-port", Port: o.ActionsPort},
		{Part: "prometheus", What: "web", Flag: "prometheus-port", Port: o.PrometheusPort},
		{Part: "alertmanager", What: "web", Flag: "alertmanager-port", Port: o.AlertmanagerPort},
		{Part: "collector", What: "OTLP gRPC", Flag: "otlp-grpc-port", Port: o.OTLPGRPCPort},
		{Part: "collector", What: "OTLP HTTP", Flag: "otlp-http-port", Port: o.OTLPHTTPPort},
		{Part: "collector", What: "health check", Flag: "health-port", Port: o.HealthPort},
		{Part: "collector", What: "self-metrics", Flag: "collector-metrics-port", Port: o.CollectorMetricsPort},
	}
	if grafana {
		ports = append(ports, Port{Part: Grafana, What: "web", Flag: "grafana-port", Port: o.GrafanaPort})
	}
	if o.LongTermPort != 0 {
		ports = append(ports, Port{Part: LongTerm, What: "web", Flag: "long-term-port", Port: o.LongTermPort})
	}
	return ports
}

// Validate reports every bad option at once.
func (o Options) Validate() error {
	var errs []error
	seen := map[int]string{}
	for _, p := range o.ports(true) {
		if p.Port <= 0 || p.Port > 65535 {
			errs = append(errs, fmt.Errorf("--%s must be a port between 1 and 65535, got %d", p.Flag, p.Port))
			continue
		}
		if other, ok := seen[p.Port]; ok {
			errs = append(errs, fmt.Errorf("--%s and --%s both use port %d", other, p.Flag, p.Port))
		}
		seen[p.Port] = p.Flag
	}
	if o.Dir == "" {
		errs = append(errs, errors.New("--dir must not be empty"))
	}
	if o.LongTermPort != 0 && o.LongTermLookback < time.Minute {
		errs = append(errs, fmt.Errorf("--long-term-lookback must be at least 1m, got %s", o.LongTermLookback))
	}
	if o.LongTermPort != 0 && o.LongTermRetention < o.LongTermLookback {
		errs = append(errs, fmt.Errorf("--long-term-retention must be at least the lookback %s, got %s", o.LongTermLookback, o.LongTermRetention))
	}
	if o.RawRetention < 0 {
		errs = append(errs, fmt.Errorf("--retention must be >= 0, got %s", o.RawRetention))
	}
	if o.ReadyTimeout <= 0 {
		errs = append(errs, fmt.Errorf("ready timeout must be positive, got %s", o.ReadyTimeout))
	}
	return errors.Join(errs...)
}

// absolute makes the paths absolute, because the parts run in other working directories.
func (o Options) absolute() (Options, error) {
	for _, p := range []*string{&o.Dir, &o.BinDir, &o.CollectorConfig, &o.RulesDir, &o.AlertmanagerConfig} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return o, err
		}
		*p = abs
	}
	return o, nil
}
