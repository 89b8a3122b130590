package stack

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	alertrules "github.com/mcobs/mcobs/alert-rules"
)

// defaultActionsAddr is where alert-rules/alertmanager.yml sends the action runner's webhooks.
const defaultActionsAddr = "127.0.0.1:9095"

//go:embed defaults/*.tmpl defaults/*.yml
var defaults embed.FS

// layout is where each part keeps its files under Options.Dir.
type layout struct {
	CollectorConfig    string
	PrometheusConfig   string
	PrometheusRules    string
	PrometheusData     string
	PrometheusWorkDir  string
	AlertmanagerConfig string
	AlertmanagerData   string
	// AlertmanagerSecrets holds the files alertmanager.yml reads credentials and URLs from.
	AlertmanagerSecrets string
	ActionsConfig       string
	ActionsDB           string
	ActionsToken        string
	// SimAzureCA is the simulator's self-signed certificate, which the azure receiver trusts.
	SimAzureCA string
	// SimGCPKey is the service account key the simulator wrote, which the gcp receiver reads.
	SimGCPKey string
	Logs      string

	// LongTermConfig and LongTermData are the long-term Prometheus' (Options.LongTermPort).
	LongTermConfig string
	LongTermData   string
}

func newLayout(o Options) layout {
	return layout{
		CollectorConfig:     filepath.Join(o.Dir, "collector", "config.yaml"),
		PrometheusConfig:    filepath.Join(o.Dir, "prometheus", "prometheus.yml"),
		PrometheusRules:     filepath.Join(o.Dir, "prometheus", "rules"),
		PrometheusData:      filepath.Join(o.Dir, "prometheus", "data"),
		PrometheusWorkDir:   prometheusWorkDir(o),
		LongTermConfig:      filepath.Join(o.Dir, "prometheus-long", "prometheus.yml"),
		LongTermData:        filepath.Join(o.Dir, "prometheus-long", "data"),
		AlertmanagerConfig:  filepath.Join(o.Dir, "alertmanager", "alertmanager.yml"),
		AlertmanagerData:    filepath.Join(o.Dir, "alertmanager", "data"),
		AlertmanagerSecrets: filepath.Join(o.Dir, "alertmanager", "secrets"),
		ActionsConfig:       filepath.Join(o.Dir, "actions", "scenarios.yml"),
		ActionsDB:           filepath.Join(o.Dir, "actions", "actions.db"),
		ActionsToken:        filepath.Join(o.Dir, "alertmanager", "secrets", "action-runner-token"),
		SimAzureCA:          filepath.Join(o.Dir, "sim", "azure-ca.pem"),
		SimGCPKey:           filepath.Join(o.Dir, "sim", "gcp-key.json"),
		Logs:                filepath.Join(o.Dir, "logs"),
	}
}

// prometheusWorkDir is where Prometheus runs. A Prometheus built without embedded assets serves
// its web UI from ./web/ui/static when its working directory is named "prometheus"; `make
// prometheus-ui` builds the UI there. Without it the API works and the UI answers 404.
func prometheusWorkDir(o Options) string {
	ui := filepath.Join(o.BinDir, "prometheus-ui", "prometheus")
	if st, err := os.Stat(filepath.Join(ui, "web", "ui", "static")); err == nil && st.IsDir() {
		return ui
	}
	return filepath.Join(o.Dir, "prometheus")
}

// HasPrometheusUI tells whether the Prometheus web UI has been built.
func HasPrometheusUI(o Options) bool {
	o, _ = o.absolute()
	return strings.HasPrefix(prometheusWorkDir(o), o.BinDir)
}

// render writes every part's configuration under o.Dir. User-supplied files are copied as they
// are; the embedded defaults are templates filled with o.
func render(o Options, l layout) error {
	for _, d := range []string{
		filepath.Dir(l.CollectorConfig), l.PrometheusRules, l.PrometheusData,
		filepath.Dir(l.AlertmanagerConfig), l.AlertmanagerData, l.AlertmanagerSecrets,
		filepath.Dir(l.ActionsConfig), filepath.Dir(l.SimAzureCA), l.Logs,
	} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := writeConfig(l.CollectorConfig, o.CollectorConfig, "defaults/collector.yaml.tmpl", o); err != nil {
		return err
	}
	if err := writeConfig(l.PrometheusConfig, "", "defaults/prometheus.yml.tmpl", o); err != nil {
		return err
	}
	if err := copyRules(o.RulesDir, l.PrometheusRules); err != nil {
		return err
	}
	if o.LongTermPort != 0 {
		if err := os.MkdirAll(l.LongTermData, 0o755); err != nil {
			return err
		}
		if err := writeConfig(l.LongTermConfig, "", "defaults/prometheus-long.yml.tmpl", o); err != nil {
			return err
		}
	}
	var am []byte
	var err error
	if o.AlertmanagerConfig != "" {
		am, err = os.ReadFile(o.AlertmanagerConfig)
	} else {
		am, err = alertrules.FS.ReadFile("alertmanager.yml")
		// The embedded configuration names the action runner's default address; point it at
		// the one this stack runs on.
		am = bytes.ReplaceAll(am, []byte(defaultActionsAddr), []byte(net.JoinHostPort(o.Host, strconv.Itoa(o.ActionsPort))))
	}
	if err != nil {
		return fmt.Errorf("alertmanager config: %w", err)
	}
	if err := os.WriteFile(l.AlertmanagerConfig, am, 0o644); err != nil {
		return err
	}
	if err := copyTemplates(filepath.Join(filepath.Dir(l.AlertmanagerConfig), "templates")); err != nil {
		return err
	}
	if err := writeIfMissing(l.ActionsConfig, mustDefault("defaults/actions-scenarios.yml"), 0o644); err != nil {
		return err
	}
	return writeSecrets(o, l)
}

// writeSecrets creates the files alertmanager.yml reads secrets from, once: a user's edits
// survive restarts. The action runner's token is random. Locally the chat and page webhooks go
// to the action runner too (basic auth with the token as password), so every notification
// shows in its history instead of failing against a service that is not there; SMTP points at
// example.invalid and fails visibly in Alertmanager's log until configured.
func writeSecrets(o Options, l layout) error {
	tok := make([]byte, 24)
	if _, err := rand.Read(tok); err != nil {
		return err
	}
	if err := writeIfMissing(l.ActionsToken, []byte(hex.EncodeToString(tok)), 0o600); err != nil {
		return err
	}
	token, err := os.ReadFile(l.ActionsToken)
	if err != nil {
		return err
	}
	local := fmt.Sprintf("http://mcobs:%s@%s/api/v1/alerts", strings.TrimSpace(string(token)),
		net.JoinHostPort(o.Host, strconv.Itoa(o.ActionsPort)))
	for name, content := range map[string]string{
		"page-webhook-url": local,
		"chat-webhook-url": local,
		"smtp-password":    "not-configured",
	} {
		if err := writeIfMissing(filepath.Join(l.AlertmanagerSecrets, name), []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

func writeIfMissing(path string, content []byte, perm os.FileMode) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	return os.WriteFile(path, content, perm)
}

func mustDefault(name string) []byte {
	b, err := defaults.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: a missing file is a build mistake
	}
	return b
}

// copyTemplates writes the embedded notification templates to dst, where alertmanager.yml's
// `templates: [templates/*.tmpl]` finds them (Alertmanager resolves it from the config's
// directory).
func copyTemplates(dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	files, err := fs.Glob(alertrules.FS, "templates/*.tmpl")
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := fs.ReadFile(alertrules.FS, f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeConfig copies userFile to dst, or renders the embedded template tmplName with data.
func writeConfig(dst, userFile, tmplName string, data any) error {
	if userFile != "" {
		b, err := os.ReadFile(userFile)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	}
	t, err := template.ParseFS(defaults, tmplName)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return fmt.Errorf("render %s: %w", tmplName, err)
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}

// copyRules replaces the rule files Prometheus loads with those of dir, or the embedded ones.
func copyRules(dir, dst string) error {
	var src fs.FS = alertrules.FS
	if dir != "" {
		src = os.DirFS(dir)
	}
	old, _ := filepath.Glob(filepath.Join(dst, "*.rules.yml"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	files, err := fs.Glob(src, "*.rules.yml")
	if err != nil {
		return err
	}
	for _, f := range files {
		b, err := fs.ReadFile(src, f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, f), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
