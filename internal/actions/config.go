package actions

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Defaults applied by LoadConfig and ParseConfig where a key is left out.
const (
	DefaultScriptTimeout  = 30 * time.Second
	DefaultMaxOutputBytes = 64 << 10
	DefaultHTTPTimeout    = 10 * time.Second
)

// Config is the scenarios file: the registered scripts, the mail relay and the scenarios.
type Config struct {
	// SMTP is the mail relay email actions send through; required when any action sends email.
	SMTP SMTPConfig `yaml:"smtp"`
	// Scripts are the programs actions may run, by name, each with a fixed argv.
	Scripts map[string]*Script `yaml:"scripts"`
	// Scenarios are tried in order; the first whose matchers and severities all match an alert
	// owns it. An alert no scenario matches is recorded as unmatched and nothing runs.
	Scenarios []*Scenario `yaml:"scenarios"`
}

// SMTPConfig is where email actions are sent.
type SMTPConfig struct {
	// Addr is the relay's host:port.
	Addr string `yaml:"addr"`
	// From is the envelope and header sender.
	From string `yaml:"from"`
	// Username enables PLAIN authentication (net/smtp only sends it over TLS or to localhost).
	Username string `yaml:"username"`
	// PasswordFile holds the password; it is read at start and never logged.
	PasswordFile string `yaml:"password_file"`

	password string
}

// Script is a program registered by name. Alert labels reach it only as environment variables
// (MCOBS_LABEL_<NAME>) and, for the labels listed in ArgsFromLabels, as appended arguments;
// it is started with exec, never through a shell.
type Script struct {
	// Argv is the program (an absolute path) and its fixed arguments.
	Argv []string `yaml:"argv"`
	// ArgsFromLabels lists labels whose values are appended to Argv, in order (missing: "").
	ArgsFromLabels []string `yaml:"args_from_labels"`
	// Env are fixed extra environment variables.
	Env map[string]string `yaml:"env"`
	// Timeout kills the script when exceeded.
	Timeout time.Duration `yaml:"timeout"`
	// MaxOutputBytes caps the combined stdout and stderr kept in the history.
	MaxOutputBytes int `yaml:"max_output_bytes"`
}

// Scenario says which alerts it owns and how to escalate them.
type Scenario struct {
	// Name identifies the scenario in the history; unique.
	Name string `yaml:"name"`
	// Matchers are Alertmanager label matchers (`alertname="DiskFull"`, `region=~"eu-.*"`),
	// all of which must match; regular expressions are anchored as in Prometheus.
	Matchers []string `yaml:"matchers"`
	// Severities, when set, restricts the scenario to alerts whose `severity` label is listed.
	Severities []string `yaml:"severities"`
	// Stages run in order, each Delay after the alert started firing, while it keeps firing.
	Stages []*Stage `yaml:"stages"`

	matchers labels.Matchers
}

// Stage is one step of an escalation.
type Stage struct {
	// Name labels the stage in the history, e.g. chat, sms, remediate.
	Name string `yaml:"name"`
	// Delay after the alert started firing (as received) before the stage runs.
	Delay time.Duration `yaml:"delay"`
	// Actions run one after another; a failing action does not stop the next.
	Actions []*Action `yaml:"actions"`
}

// Action is exactly one of Script, HTTP or Email.
type Action struct {
	// Script is the name of a registered script.
	Script string `yaml:"script"`
	// HTTP posts the alert as JSON to an endpoint.
	HTTP *HTTPAction `yaml:"http"`
	// Email sends the alert through the configured SMTP relay.
	Email *EmailAction `yaml:"email"`
}

// HTTPAction calls an endpoint with the alert, its scenario and stage as a JSON body.
type HTTPAction struct {
	// URL is an absolute http or https URL.
	URL string `yaml:"url"`
	// Method defaults to POST.
	Method string `yaml:"method"`
	// Headers are fixed request headers.
	Headers map[string]string `yaml:"headers"`
	// Timeout bounds the whole call.
	Timeout time.Duration `yaml:"timeout"`
}

// EmailAction sends a plain-text mail naming the alert, its labels and annotations.
type EmailAction struct {
	// To lists the recipients.
	To []string `yaml:"to"`
}

// LoadConfig reads, defaults and validates a scenarios file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenarios %q: %w", path, err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("scenarios %q: %w", path, err)
	}
	if p := cfg.SMTP.PasswordFile; p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		pw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read smtp.password_file %q: %w", p, err)
		}
		cfg.SMTP.password = string(trimNewline(pw))
	}
	return cfg, nil
}

// ParseConfig decodes a scenarios document (unknown keys are errors), fills defaults and
// validates it.
func ParseConfig(b []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytesReader(b))
	dec.KnownFields(true)
	// An empty file is a valid config without scenarios: the runner then only records.
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode: %w", err)
	}
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func (c *Config) setDefaults() {
	for _, s := range c.Scripts {
		if s == nil {
			continue
		}
		if s.Timeout == 0 {
			s.Timeout = DefaultScriptTimeout
		}
		if s.MaxOutputBytes == 0 {
			s.MaxOutputBytes = DefaultMaxOutputBytes
		}
	}
	for _, sc := range c.Scenarios {
		if sc == nil {
			continue
		}
		for _, st := range sc.Stages {
			if st == nil {
				continue
			}
			for _, a := range st.Actions {
				if a != nil && a.HTTP != nil {
					if a.HTTP.Method == "" {
						a.HTTP.Method = "POST"
					}
					if a.HTTP.Timeout == 0 {
						a.HTTP.Timeout = DefaultHTTPTimeout
					}
				}
			}
		}
	}
}

// Validate reports every problem at once, each naming its key and the bad value. It also
// compiles the matchers, so a validated Config is ready to match.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, msg string, v any) {
		errs = append(errs, fmt.Errorf("`%s` %s, got %q", key, msg, fmt.Sprint(v)))
	}
	for name, s := range c.Scripts {
		key := "scripts." + name
		if s == nil {
			bad(key, "must be a mapping with argv", "null")
			continue
		}
		switch {
		case len(s.Argv) == 0:
			bad(key+".argv", "must name a program", "[]")
		case !filepath.IsAbs(s.Argv[0]):
			bad(key+".argv[0]", "must be an absolute path (no PATH lookup, no shell)", s.Argv[0])
		}
		for i, l := range s.ArgsFromLabels {
			if !model.LegacyValidation.IsValidLabelName(l) {
				bad(fmt.Sprintf("%s.args_from_labels[%d]", key, i), "must be a label name", l)
			}
		}
		if s.Timeout < 0 {
			bad(key+".timeout", "must be positive", s.Timeout)
		}
		if s.MaxOutputBytes < 0 {
			bad(key+".max_output_bytes", "must be positive", s.MaxOutputBytes)
		}
	}
	seen := map[string]int{}
	for i, sc := range c.Scenarios {
		key := fmt.Sprintf("scenarios[%d]", i)
		if sc == nil {
			bad(key, "must be a mapping", "null")
			continue
		}
		if sc.Name == "" {
			bad(key+".name", "must not be empty", "")
		} else if j, dup := seen[sc.Name]; dup {
			bad(key+".name", fmt.Sprintf("must be unique (also scenarios[%d])", j), sc.Name)
		} else {
			seen[sc.Name] = i
		}
		if len(sc.Matchers) == 0 && len(sc.Severities) == 0 {
			bad(key+".matchers", "must not be empty unless severities is set (no catch-all by accident)", "[]")
		}
		sc.matchers = sc.matchers[:0]
		for j, m := range sc.Matchers {
			pm, err := labels.ParseMatcher(m)
			if err != nil {
				bad(fmt.Sprintf("%s.matchers[%d]", key, j), fmt.Sprintf("must be a label matcher (%v)", err), m)
				continue
			}
			sc.matchers = append(sc.matchers, pm)
		}
		for j, s := range sc.Severities {
			if s == "" {
				bad(fmt.Sprintf("%s.severities[%d]", key, j), "must not be empty", s)
			}
		}
		if len(sc.Stages) == 0 {
			bad(key+".stages", "must list at least one stage", "[]")
		}
		var prev time.Duration
		for j, st := range sc.Stages {
			errs = append(errs, c.validateStage(fmt.Sprintf("%s.stages[%d]", key, j), st, prev)...)
			if st != nil {
				prev = st.Delay
			}
		}
	}
	return errors.Join(errs...)
}

func (c *Config) validateStage(key string, st *Stage, prev time.Duration) []error {
	var errs []error
	bad := func(key, msg string, v any) {
		errs = append(errs, fmt.Errorf("`%s` %s, got %q", key, msg, fmt.Sprint(v)))
	}
	if st == nil {
		bad(key, "must be a mapping", "null")
		return errs
	}
	if st.Name == "" {
		bad(key+".name", "must not be empty", "")
	}
	if st.Delay < 0 {
		bad(key+".delay", "must not be negative", st.Delay)
	} else if st.Delay < prev {
		bad(key+".delay", fmt.Sprintf("must not be shorter than the previous stage's %s", prev), st.Delay)
	}
	if len(st.Actions) == 0 {
		bad(key+".actions", "must list at least one action", "[]")
	}
	for k, a := range st.Actions {
		akey := fmt.Sprintf("%s.actions[%d]", key, k)
		if a == nil {
			bad(akey, "must be a mapping", "null")
			continue
		}
		n := 0
		if a.Script != "" {
			n++
			if _, ok := c.Scripts[a.Script]; !ok {
				bad(akey+".script", "must name a script registered under `scripts`", a.Script)
			}
		}
		if a.HTTP != nil {
			n++
			u, err := url.Parse(a.HTTP.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(akey+".http.url", "must be an absolute http or https URL", a.HTTP.URL)
			}
			if a.HTTP.Timeout < 0 {
				bad(akey+".http.timeout", "must be positive", a.HTTP.Timeout)
			}
		}
		if a.Email != nil {
			n++
			if len(a.Email.To) == 0 {
				bad(akey+".email.to", "must list at least one recipient", "[]")
			}
			if c.SMTP.Addr == "" {
				bad("smtp.addr", "must be set when "+akey+" sends email", "")
			}
			if c.SMTP.From == "" {
				bad("smtp.from", "must be set when "+akey+" sends email", "")
			}
		}
		if n != 1 {
			bad(akey, "must set exactly one of script, http, email", fmt.Sprintf("%d set", n))
		}
	}
	return errs
}

// Match returns the first scenario that owns an alert with these labels, or nil.
func (c *Config) Match(ls model.LabelSet) *Scenario {
	for _, sc := range c.Scenarios {
		if sc.matches(ls) {
			return sc
		}
	}
	return nil
}

// Scenario returns the scenario with this name, or nil.
func (c *Config) Scenario(name string) *Scenario {
	for _, sc := range c.Scenarios {
		if sc.Name == name {
			return sc
		}
	}
	return nil
}

func (sc *Scenario) matches(ls model.LabelSet) bool {
	if !sc.matchers.Matches(ls) {
		return false
	}
	if len(sc.Severities) == 0 {
		return true
	}
	sev := string(ls["severity"])
	for _, s := range sc.Severities {
		if s == sev {
			return true
		}
	}
	return false
}

// CheckScripts reports, all at once, registered scripts whose program is missing or not
// executable, so `serve` fails at start instead of at 3 a.m. in the middle of an escalation.
func (c *Config) CheckScripts() error {
	var errs []error
	for _, name := range sortedScriptNames(c.Scripts) {
		p := c.Scripts[name].Argv[0]
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("`scripts.%s.argv[0]` %q: %w", name, p, err))
		case fi.IsDir() || fi.Mode().Perm()&0o111 == 0:
			errs = append(errs, fmt.Errorf("`scripts.%s.argv[0]` must be an executable file, got %q (mode %s)", name, p, fi.Mode()))
		}
	}
	return errors.Join(errs...)
}

func sortedScriptNames(m map[string]*Script) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
