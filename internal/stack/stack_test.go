package stack

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"gopkg.in/yaml.v3"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestValidate(t *testing.T) {
	f := func(mod func(*Options), want string) {
		t.Helper()
		o := DefaultOptions()
		mod(&o)
		err := o.Validate()
		if want == "" {
			if err != nil {
				t.Fatalf("Validate() = %v, want nil", err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Validate() = %v, want an error containing %q", err, want)
		}
	}
	// The defaults are valid.
	f(func(*Options) {}, "")
	// Two parts on one port name both flags.
	f(func(o *Options) { o.AlertmanagerPort = o.PrometheusPort }, "--prometheus-port and --alertmanager-port both use port 9090")
	// Out of range names the flag and the value.
	f(func(o *Options) { o.HealthPort = 70000 }, "--health-port must be a port between 1 and 65535, got 70000")
	f(func(o *Options) { o.Dir = "" }, "--dir must not be empty")
}

func TestCheckPortsNamesPartAndFlag(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	free, err := FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	err = CheckPorts("127.0.0.1", []Port{
		{Part: "prometheus", What: "web", Flag: "prometheus-port", Port: taken},
		{Part: "alertmanager", What: "web", Flag: "alertmanager-port", Port: free},
	})
	want := "prometheus: web port 127.0.0.1:" + strconv.Itoa(taken) + " is already in use (change it with --prometheus-port)"
	if err == nil || err.Error() != want {
		t.Fatalf("CheckPorts() = %v, want %q", err, want)
	}
}

func TestProcessMissingBinaryNamesPart(t *testing.T) {
	p := &Process{Name: "prometheus", Path: filepath.Join(t.TempDir(), "prometheus"), LogPath: filepath.Join(t.TempDir(), "p.log")}
	err := p.Start()
	if err == nil || !strings.HasPrefix(err.Error(), "prometheus: binary ") || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("Start() = %v, want an error naming the part and how to build it", err)
	}
}

func TestProcessThatDiesIsReportedWithItsLog(t *testing.T) {
	p := &Process{
		Name:     "collector",
		Path:     "/bin/sh",
		Args:     []string{"-c", "echo 'cannot unmarshal the configuration'; exit 3"},
		LogPath:  filepath.Join(t.TempDir(), "collector.log"),
		ReadyURL: "http://127.0.0.1:1/",
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	err := p.WaitReady(context.Background(), 30*time.Second)
	if err == nil {
		t.Fatal("WaitReady() = nil for a process that exited")
	}
	for _, want := range []string{"collector exited unexpectedly", "exit status 3", "cannot unmarshal the configuration"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("WaitReady() = %q, want it to contain %q", err, want)
		}
	}
}

func TestProcessStopTerminates(t *testing.T) {
	p := &Process{Name: "sleeper", Path: "/bin/sleep", Args: []string{"60"}, LogPath: filepath.Join(t.TempDir(), "s.log")}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(5 * time.Second); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("process still running after Stop")
	}
}

func TestStartWithoutBinariesNamesFirstPart(t *testing.T) {
	o := DefaultOptions()
	o.Dir = t.TempDir()
	o.BinDir = t.TempDir()
	useFreePorts(t, &o)
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Start(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "simulator: binary ") {
		t.Fatalf("Start() = %v, want the missing simulator (the first part) named", err)
	}
}

// TestRenderedConfigs checks that the embedded defaults render to YAML that carries the chosen
// ports and paths, and that the embedded rule files are copied for Prometheus.
func TestRenderedConfigs(t *testing.T) {
	o, l := renderTemp(t, func(o *Options) { o.PrometheusPort, o.HealthPort = 19090, 23133 })
	var col struct {
		Exporters map[string]struct {
			Endpoint string `yaml:"endpoint"`
			WAL      struct {
				Directory string `yaml:"directory"`
			} `yaml:"wal"`
		} `yaml:"exporters"`
		Extensions map[string]map[string]any `yaml:"extensions"`
	}
	readYAML(t, l.CollectorConfig, &col)
	prw := col.Exporters["prometheus_remote_write"]
	if prw.Endpoint != "http://127.0.0.1:19090/api/v1/write" {
		t.Errorf("remote write endpoint = %q", prw.Endpoint)
	}
	if prw.WAL.Directory != filepath.Join(o.Dir, "collector", "wal") {
		t.Errorf("WAL directory = %q, want it under the state dir", prw.WAL.Directory)
	}
	if got := col.Extensions["health_check"]["endpoint"]; got != "127.0.0.1:23133" {
		t.Errorf("health_check endpoint = %v", got)
	}
	var prom struct {
		RuleFiles []string `yaml:"rule_files"`
	}
	readYAML(t, l.PrometheusConfig, &prom)
	if len(prom.RuleFiles) != 1 || prom.RuleFiles[0] != "rules/*.rules.yml" {
		t.Errorf("rule_files = %v", prom.RuleFiles)
	}
	rules, _ := filepath.Glob(filepath.Join(l.PrometheusRules, "*.rules.yml"))
	if len(rules) == 0 {
		t.Error("no rule files copied for Prometheus")
	}
	if _, err := os.Stat(l.AlertmanagerConfig); err != nil {
		t.Error(err)
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestAlertmanagerReachesTheRunnerOnItsPort checks that the embedded alertmanager.yml is
// pointed at the action runner's port of this stack, not the default one.
func TestAlertmanagerReachesTheRunnerOnItsPort(t *testing.T) {
	_, l := renderTemp(t, func(o *Options) { o.ActionsPort = 19195 })
	b, err := os.ReadFile(l.AlertmanagerConfig)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "http://127.0.0.1:19195/api/v1/alerts") || strings.Contains(string(b), defaultActionsAddr) {
		t.Fatalf("alertmanager.yml does not send to the runner on port 19195:\n%s", b)
	}
	url, err := os.ReadFile(filepath.Join(l.AlertmanagerSecrets, "chat-webhook-url"))
	if err != nil || !strings.Contains(string(url), "@127.0.0.1:19195/api/v1/alerts") {
		t.Fatalf("chat webhook URL = %q, %v", url, err)
	}
}

// renderTemp renders the default configuration, changed by mod, into a temporary state dir.
func renderTemp(t *testing.T, mod func(*Options)) (Options, layout) {
	t.Helper()
	o := DefaultOptions()
	o.Dir = t.TempDir()
	mod(&o)
	o, err := o.absolute()
	if err != nil {
		t.Fatal(err)
	}
	l := newLayout(o)
	if err := render(o, l); err != nil {
		t.Fatal(err)
	}
	return o, l
}

// useFreePorts puts every part of o but Grafana on a free port; the test is skipped in the rare
// case the kernel hands out one port twice.
func useFreePorts(t *testing.T, o *Options) {
	t.Helper()
	ps := make([]int, 11)
	for i := range ps {
		p, err := FreePort("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		ps[i] = p
	}
	o.SimulatorPort, o.ActionsPort, o.PrometheusPort, o.AlertmanagerPort = ps[0], ps[1], ps[2], ps[3]
	o.OTLPGRPCPort, o.OTLPHTTPPort, o.HealthPort, o.CollectorMetricsPort = ps[4], ps[5], ps[6], ps[7]
	o.AzureSimulatorPort, o.GCPSimulatorPort, o.GCPRESTSimulatorPort = ps[8], ps[9], ps[10]
	if err := o.Validate(); err != nil {
		t.Skipf("the kernel handed out a port twice: %v", err)
	}
}
