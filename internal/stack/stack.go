// Package stack runs the local mcobs stack: Alertmanager, Prometheus with the mcobs rules and
// remote-write receiver, the otelcol-mcobs collector and, when installed, Grafana with the mcobs
// plugin and dashboards, each as a supervised child process with its state under one directory.
// `mcobs up` and the end-to-end tests both use it.
package stack

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// Part names, used in every message.
const (
	Simulator    = "simulator"
	Actions      = "actions"
	Alertmanager = "alertmanager"
	Prometheus   = "prometheus"
	Collector    = "collector"
	// LongTerm is the second Prometheus, holding the downsampled stream.
	LongTerm = "prometheus-long"
)

const stopGrace = 15 * time.Second

// Stack is a started (or startable) set of parts.
type Stack struct {
	opts    Options
	layout  layout
	grafana grafanaFiles
	parts   []*Process // in start order
	// notes say what does not run and how to get it (Grafana not installed, plugin not built).
	notes []string
}

// New checks the options and prepares the parts; nothing runs yet.
func New(o Options) (*Stack, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o, err := o.absolute()
	if err != nil {
		return nil, err
	}
	l := newLayout(o)
	hp := func(port int) string { return o.Host + ":" + strconv.Itoa(port) }
	s := &Stack{opts: o, layout: l, grafana: newGrafanaFiles(o)}
	grafanaPath, note, err := locateGrafana(o, s.grafana)
	if err != nil {
		return nil, err
	}
	if note != "" {
		s.notes = append(s.notes, note)
	}
	s.parts = []*Process{
		{
			// The local cloud API simulator is the default data source: the stack runs without
			// cloud credentials.
			Name: Simulator,
			Path: filepath.Join(o.BinDir, "mcobs"),
			Args: []string{
				"sim", "--listen=" + hp(o.SimulatorPort), "--azure-listen=" + hp(o.AzureSimulatorPort), "--azure-ca-out=" + l.SimAzureCA,
				"--gcp-grpc-listen=" + hp(o.GCPSimulatorPort), "--gcp-http-listen=" + hp(o.GCPRESTSimulatorPort), "--gcp-key-out=" + l.SimGCPKey,
			},
			Dir:      o.Dir,
			ReadyURL: "http://" + hp(o.SimulatorPort) + "/sim/health",
		},
		{
			// The action runner receives Alertmanager's webhooks, runs scenarios and keeps
			// their history; it starts before Alertmanager so no notification is refused.
			Name: Actions,
			Path: filepath.Join(o.BinDir, "mcobs"),
			Args: []string{
				"actions", "serve",
				"--listen=" + hp(o.ActionsPort),
				"--config=" + l.ActionsConfig,
				"--db=" + l.ActionsDB,
				"--token-file=" + l.ActionsToken,
			},
			Dir:      filepath.Dir(l.ActionsConfig),
			ReadyURL: "http://" + hp(o.ActionsPort) + "/healthz",
		},
		{
			Name: Alertmanager,
			Path: filepath.Join(o.BinDir, "alertmanager"),
			Args: []string{
				"--config.file=" + l.AlertmanagerConfig,
				"--storage.path=" + l.AlertmanagerData,
				"--web.listen-address=" + hp(o.AlertmanagerPort),
				"--cluster.listen-address=", // a single local instance: no gossip port
			},
			Dir:      filepath.Dir(l.AlertmanagerConfig),
			ReadyURL: "http://" + hp(o.AlertmanagerPort) + "/-/ready",
		},
		{
			Name: Prometheus,
			Path: filepath.Join(o.BinDir, "prometheus"),
			Args: []string{
				"--config.file=" + l.PrometheusConfig,
				"--storage.tsdb.path=" + l.PrometheusData,
				"--web.listen-address=" + hp(o.PrometheusPort),
				"--web.enable-remote-write-receiver",
				"--web.enable-lifecycle",
			},
			Dir:      l.PrometheusWorkDir,
			ReadyURL: "http://" + hp(o.PrometheusPort) + "/-/ready",
		},
	}
	if o.RawRetention > 0 {
		p := s.parts[len(s.parts)-1]
		p.Args = append(p.Args, "--storage.tsdb.retention.time="+promDuration(o.RawRetention))
	}
	if o.LongTermPort != 0 {
		s.parts = append(s.parts, longTermProcess(o, l))
	}
	s.parts = append(s.parts, []*Process{
		{
			Name:     Collector,
			Path:     filepath.Join(o.BinDir, "otelcol-mcobs"),
			Args:     []string{"--config=" + l.CollectorConfig},
			Dir:      filepath.Dir(l.CollectorConfig),
			ReadyURL: "http://" + hp(o.HealthPort) + "/",
		},
	}...)
	if grafanaPath != "" {
		// Last: it only reads Prometheus, and a user opening it finds data already there.
		s.parts = append(s.parts, grafanaProcess(o, s.grafana, grafanaPath))
	}
	for _, p := range s.parts {
		p.LogPath = filepath.Join(l.Logs, p.Name+".log")
	}
	return s, nil
}

// Notes say which optional parts do not run and how to get them.
func (s *Stack) Notes() []string { return s.notes }

// Options returns the options the stack runs with, paths made absolute.
func (s *Stack) Options() Options { return s.opts }

// Start checks ports, writes the configuration and starts every part in order, waiting for
// each to be ready. On any failure it stops what it started and returns an error naming the part.
func (s *Stack) Start(ctx context.Context) error {
	grafana := s.Part(Grafana) != nil
	if err := CheckPorts(s.opts.Host, s.opts.ports(grafana)); err != nil {
		return err
	}
	if err := render(s.opts, s.layout); err != nil {
		return fmt.Errorf("write configuration under %s: %w", s.opts.Dir, err)
	}
	if grafana {
		if err := renderGrafana(s.opts, s.grafana); err != nil {
			return fmt.Errorf("write Grafana configuration under %s: %w", s.opts.Dir, err)
		}
	}
	for _, n := range s.notes {
		fmt.Fprintf(s.opts.Out, "  %s\n", n)
	}
	for _, p := range s.parts {
		if err := s.startPart(ctx, p); err != nil {
			return errors.Join(err, s.Stop())
		}
	}
	return nil
}

func (s *Stack) startPart(ctx context.Context, p *Process) error {
	fmt.Fprintf(s.opts.Out, "  starting %-12s ", p.Name)
	start := time.Now()
	if err := p.Start(); err != nil {
		fmt.Fprintln(s.opts.Out, "failed")
		return err
	}
	if err := p.WaitReady(ctx, s.opts.ReadyTimeout); err != nil {
		fmt.Fprintln(s.opts.Out, "failed")
		return err
	}
	fmt.Fprintf(s.opts.Out, "ready in %s\n", time.Since(start).Round(10*time.Millisecond))
	return nil
}

// Part returns the named part, or nil.
func (s *Stack) Part(name string) *Process {
	for _, p := range s.parts {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// StopPart stops one part, leaving the others running; tests use it to simulate an outage.
func (s *Stack) StopPart(name string) error {
	p := s.Part(name)
	if p == nil {
		return fmt.Errorf("no part %q", name)
	}
	return p.Stop(stopGrace)
}

// RestartPart starts a stopped part again with the same configuration and data.
func (s *Stack) RestartPart(ctx context.Context, name string) error {
	for i, p := range s.parts {
		if p.Name != name {
			continue
		}
		if err := p.Stop(stopGrace); err != nil {
			return err
		}
		fresh := &Process{Name: p.Name, Path: p.Path, Args: p.Args, Env: p.Env, Dir: p.Dir, LogPath: p.LogPath, ReadyURL: p.ReadyURL}
		s.parts[i] = fresh
		return s.startPart(ctx, fresh)
	}
	return fmt.Errorf("no part %q", name)
}

// Stop stops every running part in reverse start order, so the collector flushes to a
// Prometheus that is still up.
func (s *Stack) Stop() error {
	var errs []error
	for i := len(s.parts) - 1; i >= 0; i-- {
		if s.parts[i].done == nil {
			continue
		}
		errs = append(errs, s.parts[i].Stop(stopGrace))
	}
	return errors.Join(errs...)
}

// URL is a named address a person opens.
type URL struct{ Name, URL string }

// URLs lists where the parts answer.
func (s *Stack) URLs() []URL {
	o := s.opts
	h := func(port int) string { return "http://" + o.Host + ":" + strconv.Itoa(port) }
	var urls []URL
	if s.Part(Grafana) != nil {
		urls = append(urls, URL{"Grafana dashboards", h(o.GrafanaPort) + "/dashboards/f/mcobs"})
	}
	urls = append(urls, []URL{
		{"Cloud API simulator", h(o.SimulatorPort) + "/sim/stats"},
		{"Prometheus", h(o.PrometheusPort)},
	}...)
	if o.LongTermPort != 0 {
		urls = append(urls, URL{"Prometheus, downsampled", h(o.LongTermPort)})
	}
	return append(urls, []URL{
		{"Alertmanager", h(o.AlertmanagerPort)},
		{"Action history", h(o.ActionsPort)},
		{"Collector OTLP gRPC", o.Host + ":" + strconv.Itoa(o.OTLPGRPCPort)},
		{"Collector OTLP HTTP", h(o.OTLPHTTPPort)},
		{"Collector health", h(o.HealthPort)},
		{"Collector self-metrics", h(o.CollectorMetricsPort) + "/metrics"},
	}...)
}

// Watch blocks until ctx is done (returning nil) or a part exits (returning why). Every
// StatusEvery it prints a status line read from Prometheus.
func (s *Stack) Watch(ctx context.Context) error {
	var tick <-chan time.Time
	if s.opts.StatusEvery > 0 {
		t := time.NewTicker(s.opts.StatusEvery)
		defer t.Stop()
		tick = t.C
	}
	died := make(chan *Process, len(s.parts))
	for _, p := range s.parts {
		go func(p *Process) {
			select {
			case <-p.Done():
				died <- p
			case <-ctx.Done():
			}
		}(p)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-died:
			return p.ExitErr()
		case <-tick:
			st, err := ReadStatus(ctx, "http://"+s.opts.Host+":"+strconv.Itoa(s.opts.PrometheusPort))
			if err != nil {
				fmt.Fprintf(s.opts.Out, "  %s  status unavailable: %v\n", time.Now().Format(time.TimeOnly), err)
				continue
			}
			fmt.Fprintf(s.opts.Out, "  %s  %s\n", time.Now().Format(time.TimeOnly), st)
		}
	}
}
