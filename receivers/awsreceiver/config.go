package awsreceiver

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// Config of the aws receiver.
type Config struct {
	scraperhelper.ControllerConfig `mapstructure:",squash"`

	// Regions to poll in every account.
	Regions []string `mapstructure:"regions"`
	// Auth selects the base credentials: static keys, a shared profile, or (all empty) the SDK's
	// default chain (environment, shared config, instance role).
	Auth AuthConfig `mapstructure:"auth"`
	// Accounts to poll by assuming a role with the base credentials; empty means the base
	// credentials' own account.
	Accounts []AccountConfig `mapstructure:"accounts"`
	// Endpoint overrides every AWS service endpoint (the local simulator, a VPC endpoint).
	Endpoint string `mapstructure:"endpoint"`

	// Period is the CloudWatch resolution asked for.
	Period time.Duration `mapstructure:"period"`
	// Delay is how long after a period ends its value is taken as final (CloudWatch settles).
	Delay time.Duration `mapstructure:"delay"`
	// MaxBackfill bounds how far back a poll reaches after missed polls or a restart.
	MaxBackfill time.Duration `mapstructure:"max_backfill"`

	// Namespaces whose mapped metrics are discovered with ListMetrics.
	Namespaces []string `mapstructure:"namespaces"`
	// DiscoveryInterval is how long a ListMetrics discovery is reused before it is redone.
	DiscoveryInterval time.Duration `mapstructure:"discovery_interval"`
	// TagFilters keeps only resources with these tags (any of the values per key), found with
	// the Resource Groups Tagging API; empty keeps every resource.
	TagFilters map[string][]string `mapstructure:"tag_filters"`
	// Queries are explicit CloudWatch metrics of any namespace, emitted under their own names.
	Queries []QueryConfig `mapstructure:"queries"`

	// Shard splits the account/region targets between replicas.
	Shard cloudscrape.Shard `mapstructure:"shard"`
	// Budget caps billed units per account and hour.
	Budget cloudscrape.Budget `mapstructure:"budget"`
	// MaxConcurrency limits concurrent API calls per account.
	MaxConcurrency int `mapstructure:"max_concurrency"`
	// MaxAttempts is how often the SDK tries a throttled or failed call (backoff with jitter).
	MaxAttempts int `mapstructure:"max_attempts"`
	// MaxBackoff caps the pause between two attempts.
	MaxBackoff time.Duration `mapstructure:"max_backoff"`
	// Storage is the storage extension that keeps checkpoints across restarts.
	Storage *component.ID `mapstructure:"storage"`
}

// AuthConfig holds the base credentials.
type AuthConfig struct {
	AccessKeyID     string              `mapstructure:"access_key_id"`
	SecretAccessKey configopaque.String `mapstructure:"secret_access_key"`
	SessionToken    configopaque.String `mapstructure:"session_token"`
	// Profile is a shared config/credentials profile name.
	Profile string `mapstructure:"profile"`
}

// AccountConfig is one account reached by assuming a role.
type AccountConfig struct {
	// RoleARN is the role to assume, arn:aws:iam::<account>:role/<name>.
	RoleARN string `mapstructure:"role_arn"`
	// ExternalID is required by roles that trust a third party.
	ExternalID configopaque.String `mapstructure:"external_id"`
}

// QueryConfig is one explicit CloudWatch metric.
type QueryConfig struct {
	Namespace  string            `mapstructure:"namespace"`
	MetricName string            `mapstructure:"metric_name"`
	Dimensions map[string]string `mapstructure:"dimensions"`
	// Statistics to fetch, all in the same GetMetricData request.
	Statistics []string `mapstructure:"statistics"`
}

var _ component.Config = (*Config)(nil)

var (
	roleARNRe = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$`)
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	validStat = map[string]bool{"Average": true, "Minimum": true, "Maximum": true, "Sum": true, "SampleCount": true}
)

// Validate reports every problem at once, each naming its key.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Regions) == 0 {
		errs = append(errs, errors.New("`regions` must list at least one region"))
	}
	for i, r := range c.Regions {
		if !regionRe.MatchString(r) {
			errs = append(errs, fmt.Errorf("`regions[%d]` is not an AWS region, got %q", i, r))
		}
	}
	if (c.Auth.AccessKeyID == "") != (c.Auth.SecretAccessKey == "") {
		errs = append(errs, errors.New("`auth.access_key_id` and `auth.secret_access_key` must be set together"))
	}
	if c.Auth.Profile != "" && c.Auth.AccessKeyID != "" {
		errs = append(errs, errors.New("`auth.profile` and `auth.access_key_id` are exclusive"))
	}
	for i, a := range c.Accounts {
		if !roleARNRe.MatchString(a.RoleARN) {
			errs = append(errs, fmt.Errorf("`accounts[%d].role_arn` must be arn:aws:iam::<12-digit account>:role/<name>, got %q", i, a.RoleARN))
		}
	}
	if c.Period < time.Minute || c.Period%time.Minute != 0 {
		errs = append(errs, fmt.Errorf("`period` must be a whole number of minutes (CloudWatch resolution), got %q", c.Period))
	}
	if c.CollectionInterval < c.Period {
		errs = append(errs, fmt.Errorf("`collection_interval` must be at least `period` (%s), got %q", c.Period, c.CollectionInterval))
	}
	if err := (cloudscrape.Window{Period: max(c.Period, time.Second), Delay: c.Delay, MaxBackfill: c.MaxBackfill}).Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.MaxBackfill < c.CollectionInterval {
		errs = append(errs, fmt.Errorf("`max_backfill` must be at least `collection_interval` (%s) or polls leave gaps, got %q", c.CollectionInterval, c.MaxBackfill))
	}
	if c.DiscoveryInterval < 0 {
		errs = append(errs, fmt.Errorf("`discovery_interval` must not be negative, got %q", c.DiscoveryInterval))
	}
	for i, q := range c.Queries {
		if q.Namespace == "" || q.MetricName == "" {
			errs = append(errs, fmt.Errorf("`queries[%d]` needs `namespace` and `metric_name`", i))
		}
		if len(q.Statistics) == 0 {
			errs = append(errs, fmt.Errorf("`queries[%d].statistics` must list at least one statistic", i))
		}
		for _, s := range q.Statistics {
			if !validStat[s] {
				errs = append(errs, fmt.Errorf("`queries[%d].statistics` has unknown statistic %q (Average, Minimum, Maximum, Sum, SampleCount)", i, s))
			}
		}
	}
	if c.MaxConcurrency < 1 {
		errs = append(errs, fmt.Errorf("`max_concurrency` must be at least 1, got %d", c.MaxConcurrency))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("`max_attempts` must be at least 1, got %d", c.MaxAttempts))
	}
	if c.MaxBackoff <= 0 {
		errs = append(errs, fmt.Errorf("`max_backoff` must be positive, got %q", c.MaxBackoff))
	}
	errs = append(errs, c.Shard.Validate(), c.Budget.Validate())
	return errors.Join(errs...)
}
