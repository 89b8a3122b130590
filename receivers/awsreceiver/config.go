package awsreceiver

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
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

	// Namespaces whose metrics are discovered with ListMetrics: any CloudWatch namespace.
	// Metrics with a canonical mapping are emitted under canonical names, the others under
	// their native ones (aws.<namespace>.<MetricName>).
	Namespaces []string `mapstructure:"namespaces"`
	// Metrics selects, per namespace, the metrics and statistics collected. A namespace without
	// an entry collects every metric: mapped ones with their mapping's statistic, others with
	// Average.
	Metrics map[string]MetricSelection `mapstructure:"metrics"`
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

// MetricSelection is what is collected of one namespace.
type MetricSelection struct {
	// Names are the metric names to collect; empty means all.
	Names []string `mapstructure:"names"`
	// Statistics to fetch for each metric. A metric with a canonical mapping always gives the
	// canonical metric (the mapping's statistic), and the native metric for each other
	// statistic listed; a metric without one gives the native metric per statistic, Average
	// when none is listed.
	Statistics []string `mapstructure:"statistics"`
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
	basicStat = map[string]bool{"Average": true, "Minimum": true, "Maximum": true, "Sum": true, "SampleCount": true}
	// percentileStat is CloudWatch's percentile statistic, p0 to p100 with optional decimals.
	percentileStat = regexp.MustCompile(`^p(100|\d{1,2})(\.\d+)?$`)
)

func validStat(s string) bool { return basicStat[s] || percentileStat.MatchString(s) }

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
			if !validStat(s) {
				errs = append(errs, fmt.Errorf("`queries[%d].statistics` has unknown statistic %q (Average, Minimum, Maximum, Sum, SampleCount, pNN)", i, s))
			}
		}
	}
	errs = append(errs, c.validateMetrics()...)
	return errors.Join(errs...)
}

// validateMetrics checks the per-namespace selection: every namespace in it is discovered, and
// every statistic exists.
func (c *Config) validateMetrics() []error {
	var errs []error
	for _, ns := range slices.Sorted(maps.Keys(c.Metrics)) {
		if !slices.Contains(c.Namespaces, ns) {
			errs = append(errs, fmt.Errorf("`metrics` selects namespace %q, which is not in `namespaces` %v", ns, c.Namespaces))
		}
		for _, st := range c.Metrics[ns].Statistics {
			if !validStat(st) {
				errs = append(errs, fmt.Errorf("`metrics::%s::statistics` has unknown statistic %q (Average, Minimum, Maximum, Sum, SampleCount, pNN)", ns, st))
			}
		}
	}
	return errs
}
