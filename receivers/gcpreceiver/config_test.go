package gcpreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/receivers/gcpreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	f := cloudscrapetest.ConfigCases[*Config](t, filepath.Join("testdata", "config.yaml"), createDefaultConfig)
	// The minimum: one project, application default credentials, Google's endpoints.
	f(component.NewID(metadata.Type), func(c *Config) {
		if c.Auth.Mode != AuthDefault || c.Insecure || c.Period != time.Minute || c.MaxBackfill != 3*time.Hour || c.Endpoints != (EndpointsConfig{}) {
			t.Errorf("defaults: %+v", c)
		}
	})
	f(component.NewIDWithName(metadata.Type, "full"), func(c *Config) {
		if c.Auth.KeyFile != "/etc/mcobs/gcp-key.json" || !c.Insecure || c.Endpoints.Monitoring != "127.0.0.1:4568" ||
			c.Period != 5*time.Minute || len(c.Projects) != 2 || c.LabelFilters["team"][0] != "checkout" {
			t.Errorf("full: %+v", c)
		}
	})
	// Every problem at once, each naming its key and value, each once.
	f(component.NewIDWithName(metadata.Type, "invalid"), nil,
		"`auth.key_file` is required with `auth.mode` service_account_key",
		"`projects[0]` is not a project id (6 to 30 lowercase letters, digits and hyphens), got \"Prod\"",
		"`projects[2]` repeats \"my-project-1\"",
		"`endpoints.compute` must be an absolute URL, got \"compute.googleapis.com\"",
		"`period` must be a whole number of minutes (Cloud Monitoring's alignment periods), got \"1m30s\"",
		"`shard.index` must be in [0, 2), got 2",
	)
	f(component.NewIDWithName(metadata.Type, "invalid_mode"), nil,
		"`auth.mode` must be one of default, service_account_key, workload_identity_federation, got \"api_key\"",
		"`projects` must list at least one project id",
	)
}
