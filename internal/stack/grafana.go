package stack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Grafana is the name of the optional Grafana part.
const Grafana = "grafana"

// PluginID is the mcobs Insights datasource plugin, which `make plugin` builds into
// <bin-dir>/grafana/plugins.
const PluginID = "mcobs-insights-datasource"

// grafanaFiles are where Grafana's state and the built plugin and provisioning are.
type grafanaFiles struct {
	// Config, Data and Logs are under the state directory.
	Config, Data, Logs string
	// Plugins and Provisioning are what `make plugin` lays out under the bin directory.
	Plugins, Provisioning string
}

func newGrafanaFiles(o Options) grafanaFiles {
	return grafanaFiles{
		Config:       filepath.Join(o.Dir, "grafana", "grafana.ini"),
		Data:         filepath.Join(o.Dir, "grafana", "data"),
		Logs:         filepath.Join(o.Dir, "grafana", "logs"),
		Plugins:      filepath.Join(o.BinDir, "grafana", "plugins"),
		Provisioning: filepath.Join(o.BinDir, "grafana", "provisioning"),
	}
}

// locateGrafana finds the Grafana binary o asks for. It returns "" and a note saying how to get
// Grafana when there is none, or the plugin is not built, so the rest of the stack runs
// without it; an explicit path that does not exist is an error.
func locateGrafana(o Options, f grafanaFiles) (path, note string, err error) {
	if o.GrafanaBin == "" {
		return "", "", nil
	}
	path, lookErr := exec.LookPath(o.GrafanaBin)
	switch {
	case lookErr != nil && strings.ContainsRune(o.GrafanaBin, os.PathSeparator):
		return "", "", fmt.Errorf("--grafana-bin %q: %w", o.GrafanaBin, lookErr)
	case lookErr != nil:
		return "", fmt.Sprintf("grafana: no %q binary on PATH, so no dashboards: install Grafana 12 or later "+
			"(https://grafana.com/grafana/download, or pass --grafana-bin), run `make plugin` to build the mcobs "+
			"plugin and dashboards, and rerun `mcobs up`", o.GrafanaBin), nil
	}
	if _, err := os.Stat(filepath.Join(f.Plugins, PluginID, "plugin.json")); err != nil {
		return "", fmt.Sprintf("grafana: the mcobs plugin is not built in %s, so Grafana is not started: "+
			"run `make plugin` and rerun `mcobs up`", filepath.Join(f.Plugins, PluginID)), nil
	}
	if _, err := os.Stat(filepath.Join(f.Provisioning, "dashboards")); err != nil {
		return "", fmt.Sprintf("grafana: the dashboards are not in %s, so Grafana is not started: "+
			"run `make plugin` and rerun `mcobs up`", f.Provisioning), nil
	}
	return path, "", nil
}

// grafanaHome is Grafana's home (conf/defaults.ini, public/) for the binary at path: the
// directory above bin/ in a release archive or a package (/usr/share/grafana), "" when the
// binary's own lookup should decide.
func grafanaHome(path string) string {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		real = path
	}
	home := filepath.Dir(filepath.Dir(real))
	if _, err := os.Stat(filepath.Join(home, "conf", "defaults.ini")); err == nil {
		return home
	}
	return ""
}

// grafanaProcess is the Grafana part: `grafana server` with the rendered configuration.
func grafanaProcess(o Options, f grafanaFiles, path string) *Process {
	args := []string{"server", "--config=" + f.Config}
	if home := grafanaHome(path); home != "" {
		args = append(args, "--homepath="+home)
	}
	hp := o.Host + ":" + strconv.Itoa(o.GrafanaPort)
	return &Process{
		Name:     Grafana,
		Path:     path,
		Args:     args,
		Env:      grafanaEnv(o, f),
		Dir:      filepath.Dir(f.Config),
		ReadyURL: "http://" + hp + "/api/health",
	}
}

// grafanaEnv is what the provisioning files read (MCOBS_PROMETHEUS_URL in the datasources,
// GF_PATHS_PROVISIONING in the dashboard provider's path) and the unsigned plugin allowance.
// Grafana's GF_ variables override grafana.ini with the same values.
func grafanaEnv(o Options, f grafanaFiles) []string {
	return []string{
		"MCOBS_PROMETHEUS_URL=http://" + o.Host + ":" + strconv.Itoa(o.PrometheusPort),
		"GF_PATHS_PROVISIONING=" + f.Provisioning,
		"GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=" + PluginID,
	}
}

// renderGrafana writes grafana.ini and creates Grafana's data and log directories.
func renderGrafana(o Options, f grafanaFiles) error {
	for _, d := range []string{f.Data, f.Logs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	return writeConfig(f.Config, "", "defaults/grafana.ini.tmpl", map[string]any{
		"Host": o.Host, "Port": o.GrafanaPort, "Data": f.Data, "Logs": f.Logs,
		"Plugins": f.Plugins, "Provisioning": f.Provisioning, "PluginID": PluginID,
		"HomeDashboard": filepath.Join(f.Provisioning, "dashboards", "mcobs", "overview.json"),
	})
}
