package dashboards

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/mod/modfile"
	"gopkg.in/yaml.v3"
)

// Dashboard is the part of Grafana's dashboard JSON model the checks read.
type Dashboard struct {
	// File is the base name of the JSON file the dashboard was read from.
	File       string   `json:"-"`
	UID        string   `json:"uid"`
	Title      string   `json:"title"`
	Tags       []string `json:"tags"`
	Panels     []Panel  `json:"panels"`
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
}

// Panel is one panel; rows hold their collapsed panels in Panels.
type Panel struct {
	ID         int            `json:"id"`
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Datasource *DatasourceRef `json:"datasource"`
	Targets    []Target       `json:"targets"`
	Panels     []Panel        `json:"panels"`
	GridPos    struct {
		H, W, X, Y int
	} `json:"gridPos"`
}

// DatasourceRef points at a provisioned datasource by uid.
type DatasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Target is a panel query: a Prometheus one (Expr) or one of the mcobs Insights query model
// (grafana-plugin/README.md: queryType, expr, resources).
type Target struct {
	RefID      string         `json:"refId"`
	Datasource *DatasourceRef `json:"datasource"`
	Expr       string         `json:"expr"`
	Instant    bool           `json:"instant"`
	QueryType  string         `json:"queryType"`
	Resources  []struct {
		Name      string  `json:"name"`
		Expr      string  `json:"expr"`
		Threshold float64 `json:"threshold"`
	} `json:"resources"`
}

// Variable is a template variable. Query is a string or Grafana's Prometheus variable query
// object ({"query": "label_values(...)"}).
type Variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Datasource *DatasourceRef  `json:"datasource"`
	Query      json.RawMessage `json:"query"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	Multi      bool            `json:"multi"`
}

// QueryString returns the variable's query text, whichever form it is stored in.
func (v Variable) QueryString() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var o struct {
		Query string `json:"query"`
	}
	_ = json.Unmarshal(v.Query, &o)
	return o.Query
}

// ProvisioningDir is grafana-plugin/provisioning of the source tree (RepoDir).
func ProvisioningDir() string {
	return filepath.Join(RepoDir(), "grafana-plugin", "provisioning")
}

// RepoDir is the root of the mcobs source tree: the nearest directory at or above the working
// directory (a test's is its package's) whose go.mod declares the mcobs module. The source paths
// compiled into the test binary would do too, but `go test -trimpath` (make test, so that tests
// reuse the packages compiled for the binaries) turns them into import paths. If no such go.mod
// is found it returns the working directory, and reading the files below it fails naming them.
func RepoDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modfile.ModulePath(b) == mcobsModule {
			return dir
		}
		if filepath.Dir(dir) == dir {
			return wd
		}
	}
}

const mcobsModule = "github.com/mcobs/mcobs"

// DashboardDir is where the provisioned dashboard JSON files are.
func DashboardDir(provisioning string) string {
	return filepath.Join(provisioning, "dashboards", "mcobs")
}

// LoadAll reads every *.json file of dir, sorted by name.
func LoadAll(dir string) ([]Dashboard, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	out := make([]Dashboard, 0, len(files))
	for _, f := range files {
		d, err := Load(f)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Load reads one dashboard file.
func Load(path string) (Dashboard, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Dashboard{}, err
	}
	var d Dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		return Dashboard{}, fmt.Errorf("parse dashboard %q: %w", path, err)
	}
	d.File = filepath.Base(path)
	return d, nil
}

// Datasources reads the datasource provisioning files of dir (datasources/*.yaml) and returns
// each datasource's type by uid.
func Datasources(provisioning string) (map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(provisioning, "datasources", "*.yaml"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range files {
		var p struct {
			Datasources []struct {
				UID  string `yaml:"uid"`
				Type string `yaml:"type"`
			} `yaml:"datasources"`
		}
		if err := ReadYAML(f, &p); err != nil {
			return nil, err
		}
		for _, ds := range p.Datasources {
			out[ds.UID] = ds.Type
		}
	}
	return out, nil
}

// ReadYAML decodes the YAML file at path into v.
func ReadYAML(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %q: %w", path, err)
	}
	return nil
}
