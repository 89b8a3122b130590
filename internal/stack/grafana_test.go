package stack

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeGrafana lays out a Grafana release (bin/grafana, conf/defaults.ini) and returns the binary.
func fakeGrafana(t *testing.T) (bin, home string) {
	t.Helper()
	home = filepath.Join(t.TempDir(), "grafana-13.0.0")
	bin = filepath.Join(home, "bin", "grafana")
	for path, content := range map[string]string{bin: "#!/bin/sh\nsleep 60\n", filepath.Join(home, "conf", "defaults.ini"): ""} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin, home
}

// builtPlugin lays out what `make plugin` writes under a bin directory.
func builtPlugin(t *testing.T) string {
	t.Helper()
	binDir := t.TempDir()
	for _, d := range []string{filepath.Join("grafana", "plugins", PluginID), filepath.Join("grafana", "provisioning", "dashboards")} {
		if err := os.MkdirAll(filepath.Join(binDir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(binDir, "grafana", "plugins", PluginID, "plugin.json"), []byte(`{"id":"`+PluginID+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return binDir
}

func grafanaOptions(t *testing.T, grafanaBin, binDir string) Options {
	t.Helper()
	o := DefaultOptions()
	o.Dir = t.TempDir()
	o.BinDir = binDir
	o.GrafanaBin = grafanaBin
	o.PrometheusPort, o.GrafanaPort = 19090, 13000
	return o
}

func TestGrafanaNotOnPATHSaysHowAndRunsTheRest(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	s, err := New(grafanaOptions(t, "grafana", builtPlugin(t)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Part(Grafana) != nil {
		t.Fatal("a Grafana part without a grafana binary")
	}
	if s.Part(Prometheus) == nil || s.Part(Collector) == nil {
		t.Fatal("the rest of the stack is missing")
	}
	notes := strings.Join(s.Notes(), "\n")
	for _, want := range []string{`no "grafana" binary on PATH`, "install Grafana", "--grafana-bin", "`make plugin`", "rerun `mcobs up`"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
}

func TestGrafanaWithoutThePluginSaysMakePlugin(t *testing.T) {
	bin, _ := fakeGrafana(t)
	t.Setenv("PATH", filepath.Dir(bin))
	s, err := New(grafanaOptions(t, "grafana", t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if s.Part(Grafana) != nil {
		t.Fatal("a Grafana part without the plugin")
	}
	if notes := strings.Join(s.Notes(), "\n"); !strings.Contains(notes, "the mcobs plugin is not built") || !strings.Contains(notes, "run `make plugin`") {
		t.Errorf("notes %q do not say to run make plugin", notes)
	}
}

func TestGrafanaExplicitPathMissingIsAnError(t *testing.T) {
	_, err := New(grafanaOptions(t, filepath.Join(t.TempDir(), "grafana"), builtPlugin(t)))
	if err == nil || !strings.Contains(err.Error(), "--grafana-bin") {
		t.Fatalf("New() = %v, want an error naming --grafana-bin", err)
	}
}

func TestGrafanaPartCommandLineAndEnvironment(t *testing.T) {
	bin, home := fakeGrafana(t)
	binDir := builtPlugin(t)
	o := grafanaOptions(t, bin, binDir)
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes()) != 0 {
		t.Errorf("notes %q for a complete Grafana setup", s.Notes())
	}
	p := s.Part(Grafana)
	if p == nil || s.parts[len(s.parts)-1] != p {
		t.Fatal("Grafana is not the last part")
	}
	o = s.Options()
	wantArgs := []string{"server", "--config=" + filepath.Join(o.Dir, "grafana", "grafana.ini"), "--homepath=" + home}
	if p.Path != bin || !slices.Equal(p.Args, wantArgs) {
		t.Errorf("command %s %q, want %s %q", p.Path, p.Args, bin, wantArgs)
	}
	for _, want := range []string{
		"MCOBS_PROMETHEUS_URL=http://127.0.0.1:19090",
		"GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=" + PluginID,
		"GF_PATHS_PROVISIONING=" + filepath.Join(binDir, "grafana", "provisioning"),
	} {
		if !slices.Contains(p.Env, want) {
			t.Errorf("environment %q lacks %q", p.Env, want)
		}
	}
	if p.ReadyURL != "http://127.0.0.1:13000/api/health" {
		t.Errorf("ready URL %q", p.ReadyURL)
	}
	if u := s.URLs()[0]; u.URL != "http://127.0.0.1:13000/dashboards/f/mcobs" {
		t.Errorf("first URL %+v, want the mcobs dashboards folder", u)
	}
}

// TestGrafanaConfig renders grafana.ini and reads it back as Grafana would (sections of
// key = value).
func TestGrafanaConfig(t *testing.T) {
	bin, _ := fakeGrafana(t)
	binDir := builtPlugin(t)
	o, err := grafanaOptions(t, bin, binDir).absolute()
	if err != nil {
		t.Fatal(err)
	}
	f := newGrafanaFiles(o)
	if err := renderGrafana(o, f); err != nil {
		t.Fatal(err)
	}
	ini := readINI(t, f.Config)
	for key, want := range map[string]string{
		"server.http_addr":                       "127.0.0.1",
		"server.http_port":                       "13000",
		"paths.data":                             filepath.Join(o.Dir, "grafana", "data"),
		"paths.logs":                             filepath.Join(o.Dir, "grafana", "logs"),
		"paths.plugins":                          filepath.Join(binDir, "grafana", "plugins"),
		"paths.provisioning":                     filepath.Join(binDir, "grafana", "provisioning"),
		"auth.anonymous.enabled":                 "true",
		"auth.anonymous.org_role":                "Viewer",
		"plugins.allow_loading_unsigned_plugins": PluginID,
		"dashboards.default_home_dashboard_path": filepath.Join(binDir, "grafana", "provisioning", "dashboards", "mcobs", "overview.json"),
	} {
		if ini[key] != want {
			t.Errorf("%s = %q, want %q", key, ini[key], want)
		}
	}
	for _, d := range []string{f.Data, f.Logs} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Errorf("%s not created: %v", d, err)
		}
	}
}

func readINI(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, ";") || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: line %q is not key = value", path, line)
			}
			out[section+"."+strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// TestGrafanaPortCheckedBeforeAnythingStarts occupies Grafana's port and expects Start to
// refuse, naming the flag, when Grafana would run, and to ignore the port when it would not.
func TestGrafanaPortCheckedBeforeAnythingStarts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	bin, _ := fakeGrafana(t)
	o := grafanaOptions(t, bin, builtPlugin(t))
	o.GrafanaPort = l.Addr().(*net.TCPAddr).Port
	useFreePorts(t, &o)
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Start(context.Background())
	want := "grafana: web port 127.0.0.1:" + strconv.Itoa(o.GrafanaPort) + " is already in use (change it with --grafana-port)"
	if err == nil || err.Error() != want {
		t.Fatalf("Start() = %v, want %q", err, want)
	}
	// Without Grafana the same port is nobody's business: Start gets past the port check and
	// fails on the first missing binary instead.
	o.GrafanaBin = ""
	if s, err = New(o); err != nil {
		t.Fatal(err)
	}
	err = s.Start(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "simulator: binary ") {
		t.Fatalf("Start() without Grafana = %v, want the missing simulator binary", err)
	}
}

func TestValidateGrafanaPort(t *testing.T) {
	o := DefaultOptions()
	o.GrafanaPort = o.PrometheusPort
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--prometheus-port and --grafana-port both use port 9090") {
		t.Fatalf("Validate() = %v", err)
	}
}

// TestProcessEnvReachesTheChild checks that Env is added to the child's environment.
func TestProcessEnvReachesTheChild(t *testing.T) {
	p := &Process{
		Name: "env", Path: "/bin/sh", Args: []string{"-c", `echo "url=$MCOBS_PROMETHEUS_URL"`},
		Env: []string{"MCOBS_PROMETHEUS_URL=http://127.0.0.1:9"}, LogPath: filepath.Join(t.TempDir(), "env.log"),
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the child did not exit")
	}
	if tail := p.LogTail(1); !strings.Contains(tail, "url=http://127.0.0.1:9") {
		t.Fatalf("child printed %q", tail)
	}
}
