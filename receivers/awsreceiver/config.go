package awsreceiver

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/cwprotocol"
)

// Config of the aws receiver.
type Config struct {
	// Config is the collection loop's part: collection_interval, period, delay, max_backfill,
	// discovery_interval, inventory_interval, shard, budget, max_concurrency, retry, storage.
	cloudscrape.Config `mapstructure:",squash"`

	// Regions to poll in every account.
	Regions []string `mapstructure:"regions"`
	// Auth selects the base credentials: static keys, a shared profile, or (all empty) the SDK's
	// default chain (environment, shared config, instance role).
	Auth AuthConfig `mapstructure:"auth"`
	// Accounts to poll by assuming a role with the base credentials; empty means the base
	// credentials' own account.
	Accounts []AccountConfig `mapstructure:"accounts"`
	// Endpoint overrides every AWS service endpoint (the local simulator, a VPC endpoint, an
	// AWS-compatible service such as moto or LocalStack).
	Endpoint string `mapstructure:"endpoint"`
	// CloudWatchProtocol is the wire protocol of CloudWatch calls: cbor (the SDK's default),
	// query or json. AWS-compatible endpoints that do not speak CBOR need query or json.
	CloudWatchProtocol string `mapstructure:"cloudwatch_protocol"`

	// Namespaces whose mapped metrics are discovered with ListMetrics.
	Namespaces []string `mapstructure:"namespaces"`
	// TagFilters keeps only resources with these tags (any of the values per key), found with
	// the Resource Groups Tagging API; empty keeps every resource.
	TagFilters map[string][]string `mapstructure:"tag_filters"`
	// Queries are explicit CloudWatch metrics of any namespace, emitted under their own names.
	Queries []QueryConfig `mapstructure:"queries"`
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

// Validate reports every problem of the AWS keys at once, each naming its key; the collector
// validates the loop's (cloudscrape.Config) on its own.
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
	if err := cwprotocol.Validate(c.CloudWatchProtocol); err != nil {
		errs = append(errs, err)
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
	return errors.Join(errs...)
}
