package gcpreceiver

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// Config of the gcp receiver.
type Config struct {
	// Config is the collection loop's part: collection_interval, period, delay, max_backfill,
	// discovery_interval, inventory_interval, shard, budget, max_concurrency, retry, storage.
	cloudscrape.Config `mapstructure:",squash"`

	// Auth selects the credentials.
	Auth AuthConfig `mapstructure:"auth"`
	// Projects to poll, by project id.
	Projects []string `mapstructure:"projects"`
	// LabelFilters keeps only resources with these user labels (any of the values per key).
	LabelFilters map[string][]string `mapstructure:"label_filters"`
	// Endpoints override Google's (a private endpoint, the local simulator).
	Endpoints EndpointsConfig `mapstructure:"endpoints"`
	// Insecure speaks plaintext gRPC and HTTP to the endpoints, still sending the credentials'
	// tokens: for the local simulator only.
	Insecure bool `mapstructure:"insecure"`
}

// Auth modes.
const (
	AuthDefault                    = "default"
	AuthServiceAccountKey          = "service_account_key"
	AuthWorkloadIdentityFederation = "workload_identity_federation"
)

// AuthConfig is a Google identity.
type AuthConfig struct {
	// Mode is default (application default credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud's
	// credentials, the metadata server), service_account_key or workload_identity_federation.
	Mode string `mapstructure:"mode"`
	// KeyFile is a service account key (JSON) for service_account_key.
	KeyFile string `mapstructure:"key_file"`
	// ConfigFile is a workload identity federation credential configuration (an
	// external_account JSON file) for workload_identity_federation.
	ConfigFile string `mapstructure:"config_file"`
}

// EndpointsConfig are the APIs' endpoints.
type EndpointsConfig struct {
	// Monitoring is Cloud Monitoring's gRPC endpoint (host:port).
	Monitoring string `mapstructure:"monitoring"`
	// Compute is the Compute Engine REST base URL (https://compute.googleapis.com/compute/v1/).
	Compute string `mapstructure:"compute"`
	// SQLAdmin is the Cloud SQL Admin REST base URL (https://sqladmin.googleapis.com/).
	SQLAdmin string `mapstructure:"sqladmin"`
}

var _ component.Config = (*Config)(nil)

var projectRe = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)

// Validate reports every problem of the Google Cloud keys at once, each naming its key; the
// collector validates the loop's (cloudscrape.Config) on its own.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Projects) == 0 {
		errs = append(errs, errors.New("`projects` must list at least one project id"))
	}
	seen := map[string]bool{}
	for i, p := range c.Projects {
		if !projectRe.MatchString(p) {
			errs = append(errs, fmt.Errorf("`projects[%d]` is not a project id (6 to 30 lowercase letters, digits and hyphens), got %q", i, p))
		}
		if seen[p] {
			errs = append(errs, fmt.Errorf("`projects[%d]` repeats %q", i, p))
		}
		seen[p] = true
	}
	if c.Period < time.Minute || c.Period%time.Minute != 0 {
		errs = append(errs, fmt.Errorf("`period` must be a whole number of minutes (Cloud Monitoring's alignment periods), got %q", c.Period))
	}
	for k, vs := range c.LabelFilters {
		if k == "" || len(vs) == 0 {
			errs = append(errs, fmt.Errorf("`label_filters` needs a label key and at least one value, got %q: %q", k, vs))
		}
	}
	for _, e := range [...]struct{ key, url string }{{"endpoints.compute", c.Endpoints.Compute}, {"endpoints.sqladmin", c.Endpoints.SQLAdmin}} {
		if u, err := url.Parse(e.url); e.url != "" && (err != nil || u.Scheme == "" || u.Host == "") {
			errs = append(errs, fmt.Errorf("`%s` must be an absolute URL, got %q", e.key, e.url))
		}
	}
	return errors.Join(append(errs, c.Auth.validate()...)...)
}

func (a AuthConfig) validate() []error {
	var errs []error
	switch a.Mode {
	case AuthDefault:
	case AuthServiceAccountKey:
		if a.KeyFile == "" {
			errs = append(errs, errors.New("`auth.key_file` is required with `auth.mode` service_account_key"))
		}
	case AuthWorkloadIdentityFederation:
		if a.ConfigFile == "" {
			errs = append(errs, errors.New("`auth.config_file` is required with `auth.mode` workload_identity_federation"))
		}
	default:
		errs = append(errs, fmt.Errorf("`auth.mode` must be one of default, service_account_key, workload_identity_federation, got %q", a.Mode))
	}
	return errs
}
