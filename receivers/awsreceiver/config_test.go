package awsreceiver

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	f := cloudscrapetest.ConfigCases[*Config](t, filepath.Join("testdata", "config.yaml"), createDefaultConfig)
	// The minimum: one region, everything else defaulted.
	f(component.NewID(metadata.Type), func(c *Config) {
		if c.CollectionInterval != 5*time.Minute || c.Period != time.Minute || c.Delay != 3*time.Minute || c.MaxBackfill != 3*time.Hour {
			t.Errorf("defaults: %+v", c)
		}
	})
	// Every key set.
	f(component.NewIDWithName(metadata.Type, "full"), func(c *Config) {
		if c.Auth.SecretAccessKey != configopaque.String("secret") || len(c.Accounts) != 1 || c.Accounts[0].ExternalID != "ext" {
			t.Errorf("auth/accounts: %+v %+v", c.Auth, c.Accounts)
		}
		if c.Shard != (cloudscrape.Shard{Index: 1, Count: 3}) || c.Budget.BilledUnitsPerHour != 12000 {
			t.Errorf("shard/budget: %+v %+v", c.Shard, c.Budget)
		}
		if c.CloudWatchProtocol != "query" || c.Retry != (cloudscrape.Retry{MaxAttempts: 3, MaxBackoff: 5 * time.Second}) ||
			c.InventoryInterval != 10*time.Minute || c.DiscoveryInterval != 30*time.Minute || c.MaxConcurrency != 2 {
			t.Errorf("loop settings: %+v", c.Config)
		}
		if len(c.Queries) != 1 || c.Queries[0].Dimensions["LoadBalancer"] != "app/web/123" {
			t.Errorf("queries: %+v", c.Queries)
		}
	})
	// Every problem is reported at once, naming the key and the value.
	f(component.NewIDWithName(metadata.Type, "invalid"),
		nil,
		"`regions[0]` is not an AWS region, got \"Europe\"",
		"`auth.access_key_id` and `auth.secret_access_key` must be set together",
		"`accounts[0].role_arn` must be arn:aws:iam::<12-digit account>:role/<name>, got \"arn:aws:iam::1234:user/bob\"",
		"`period` must be a whole number of minutes (CloudWatch resolution), got \"1m30s\"",
		"`collection_interval` must be at least `period`",
		"`queries[0].statistics` has unknown statistic \"median\"",
		"`shard.index` must be in [0, 3), got 3",
		"`budget.billed_units_per_hour` must not be negative, got -1",
		"`retry.max_attempts` must be at least 1, got 0",
		"`cloudwatch_protocol` must be one of cbor, query, json, got \"xml\"",
	)
}

func TestSecretIsRedacted(t *testing.T) {
	c := AuthConfig{SecretAccessKey: "very-secret"}
	if s := c.SecretAccessKey.String(); strings.Contains(s, "very-secret") {
		t.Fatalf("secret printed as %q", s)
	}
}
