package azurereceiver

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/receivers/azurereceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	f := cloudscrapetest.ConfigCases[*Config](t, filepath.Join("testdata", "config.yaml"), createDefaultConfig)
	// The minimum: one subscription, the default credential chain, every mapped type.
	f(component.NewID(metadata.Type), func(c *Config) {
		if c.Auth.Mode != AuthDefault || !slices.Equal(c.ResourceTypes, canonical.Azure.Namespaces()) || len(c.ResourceTypes) != 5 || c.Period != time.Minute || c.MaxBackfill != 3*time.Hour {
			t.Errorf("defaults: %+v", c)
		}
	})
	f(component.NewIDWithName(metadata.Type, "full"), func(c *Config) {
		if c.Auth.ClientSecret.String() == "secret" || string(c.Auth.ClientSecret) != "secret" {
			t.Errorf("client_secret must be opaque: %q", c.Auth.ClientSecret.String())
		}
		if sel := c.Metrics["Microsoft.Compute/virtualMachines"]; len(sel.Names) != 2 || sel.Names[1] != "OS Disk Queue Depth" || sel.Aggregations[0] != "Maximum" {
			t.Errorf("metrics: %+v", c.Metrics)
		}
		if !c.TLS.InsecureSkipVerify || c.Endpoints.Metrics != "https://127.0.0.1:4567/regions/{region}" || c.Period != 5*time.Minute {
			t.Errorf("endpoints/tls/period: %+v %+v", c.Endpoints, c.TLS)
		}
	})
	// Every problem at once, each naming its key and value, each once.
	f(component.NewIDWithName(metadata.Type, "invalid"), nil,
		"`auth.client_id` is required with `auth.mode` client_secret",
		"`auth.client_secret` is required with `auth.mode` client_secret",
		"`auth.tenant_id` is not a tenant id (a GUID), got \"contoso\"",
		"`subscriptions[0]` is not a subscription id (a GUID), got \"prod\"",
		"`resource_types[0]` has no canonical mapping, got \"Microsoft.Web/sites\"",
		"`endpoints.metrics` must contain {region}, got \"https://eastus.metrics.monitor.azure.com\"",
		"`period` must be an Azure Monitor time grain (1m, 5m, 15m, 30m, 1h, 6h, 12h, 24h), got \"2m0s\"",
		"`shard.index` must be in [0, 2), got 2",
		"`metrics` selects resource type \"Microsoft.Sql/servers/databases\", which is not in `resource_types` [Microsoft.Web/sites]",
		"`metrics::Microsoft.Sql/servers/databases::names` must list at least one metric",
		"`metrics::Microsoft.Sql/servers/databases::aggregations[0]` must be one of Average, Minimum, Maximum, Total, Count, got \"P99\"",
	)
}
