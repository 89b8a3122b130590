package sim

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed default.yaml
var defaultConfigYAML []byte

// Config is the simulator configuration as read from YAML. Every field is documented in
// internal/sim/README.md; DefaultConfig returns the embedded default fleet.
type Config struct {
	// Seed makes the fleet, the metric values, the anomalies and the faults reproducible.
	Seed int64 `yaml:"seed"`
	// SettleDelay is how long after a minute ends its sample may still be missing: each sample
	// becomes visible at a deterministic moment within this delay, as CloudWatch data does.
	SettleDelay time.Duration `yaml:"settle_delay"`
	// Fleet sizes the simulated resources.
	Fleet FleetConfig `yaml:"fleet"`
	// Anomalies places injected anomalies in time; their ground truth is served at /sim/truth.
	Anomalies AnomalyConfig `yaml:"anomalies"`
	// Faults injects API faults; all rates are per call and deterministic for a seed.
	Faults FaultConfig `yaml:"faults"`
	// AWS holds the accounts, their credentials and assumable roles, and API limits.
	AWS AWSConfig `yaml:"aws"`
	// Azure holds the tenant, its service principal, the subscriptions and the Azure fleet.
	Azure AzureConfig `yaml:"azure"`
	// GCP holds the service account, the projects and the Google Cloud fleet.
	GCP GCPConfig `yaml:"gcp"`
}

// FleetConfig sizes the simulated fleet.
type FleetConfig struct {
	// Regions lists the regions every account has resources in.
	Regions []string `yaml:"regions"`
	// Instances is the total number of EC2 instances, spread over accounts and regions.
	Instances int `yaml:"instances"`
	// StoppedFraction is the share of instances that are stopped (0 to 1).
	StoppedFraction float64 `yaml:"stopped_fraction"`
	// AgentFraction is the share of running instances that run the CloudWatch agent (0 to 1).
	AgentFraction float64 `yaml:"agent_fraction"`
	// RDSInstances is the total number of RDS DB instances.
	RDSInstances int `yaml:"rds_instances"`
	// SubnetsPerVPC is the number of subnets in each VPC (one VPC per account and region).
	SubnetsPerVPC int `yaml:"subnets_per_vpc"`
}

// AnomalyConfig places the injected anomalies.
type AnomalyConfig struct {
	// Count is the number of anomalies to inject (0 disables them).
	Count int `yaml:"count"`
	// Start is when the anomaly window begins (RFC 3339); empty means one hour before the
	// simulator's start time truncated to the hour, so a fresh run has an anomaly or two in
	// its recent past and the rest in its first hours.
	Start string `yaml:"start"`
	// Window is how long after Start anomalies may begin.
	Window time.Duration `yaml:"window"`
}

// FaultConfig injects API faults.
type FaultConfig struct {
	// ThrottleRate is the share of calls answered with the service's throttling error.
	ThrottleRate float64 `yaml:"throttle_rate"`
	// ServerErrorRate is the share of calls answered with HTTP 500 InternalFailure.
	ServerErrorRate float64 `yaml:"server_error_rate"`
	// MalformedRate is the share of calls answered 200 with a truncated body.
	MalformedRate float64 `yaml:"malformed_rate"`
	// ExpiredCredentialsRate is the share of calls answered with ExpiredToken.
	ExpiredCredentialsRate float64 `yaml:"expired_credentials_rate"`
	// Latency is added to every call of the faulted operations before it is answered.
	Latency time.Duration `yaml:"latency"`
	// Operations limits faults and latency to these operations (e.g. "GetMetricData"); empty
	// means all.
	Operations []string `yaml:"operations"`
	// Accounts limits faults and latency to calls by these account ids, so one account can
	// fail while the others succeed; empty means all.
	Accounts []string `yaml:"accounts"`
}

// AWSConfig describes the simulated AWS accounts.
type AWSConfig struct {
	// Accounts are the simulated accounts; resources are spread over all of them.
	Accounts []AccountConfig `yaml:"accounts"`
	// MaxDatapointsPerCall caps the datapoints one GetMetricData response returns before it
	// pages with NextToken (AWS: 100,800).
	MaxDatapointsPerCall int `yaml:"max_datapoints_per_call"`
	// ListMetricsPageSize is the number of metrics per ListMetrics page (AWS: 500).
	ListMetricsPageSize int `yaml:"list_metrics_page_size"`
}

// AccountConfig is one simulated AWS account.
type AccountConfig struct {
	// ID is the 12-digit account id.
	ID string `yaml:"id"`
	// AccessKeyID and SecretAccessKey are the account's long-term credentials.
	AccessKeyID string `yaml:"access_key_id"`
	// SecretAccessKey is the secret for AccessKeyID.
	SecretAccessKey string `yaml:"secret_access_key"`
	// Roles are the IAM roles other accounts may assume in this account.
	Roles []RoleConfig `yaml:"roles"`
}

// RoleConfig is an assumable IAM role.
type RoleConfig struct {
	// Name is the role name in arn:aws:iam::<account>:role/<name>.
	Name string `yaml:"name"`
	// ExternalID, when set, must be passed by AssumeRole callers.
	ExternalID string `yaml:"external_id"`
}

// AzureConfig describes the simulated Azure tenant: the service principal that may get
// tokens, the subscriptions and the resources in each of them.
type AzureConfig struct {
	// TenantID is the Entra ID tenant (a GUID) every subscription belongs to.
	TenantID string `yaml:"tenant_id"`
	// ClientID is the application (client) id of the service principal.
	ClientID string `yaml:"client_id"`
	// ClientSecret is the service principal's secret for the client credentials grant.
	ClientSecret string `yaml:"client_secret"`
	// ClientCertificate is the PEM certificate registered for the service principal: a
	// client assertion signed by its key is accepted in place of the secret.
	ClientCertificate string `yaml:"client_certificate"`
	// FederatedSubject is the subject of the workload identity the service principal trusts
	// (a Kubernetes service account, system:serviceaccount:<namespace>:<name>).
	FederatedSubject string `yaml:"federated_subject"`
	// Subscriptions are the simulated subscriptions; each holds its own copy of the fleet.
	Subscriptions []SubscriptionConfig `yaml:"subscriptions"`
	// Regions lists the Azure regions (e.g. eastus) every subscription has resources in.
	Regions []string `yaml:"regions"`
	// VMs is the number of virtual machines per subscription, spread over the regions and
	// two resource groups.
	VMs int `yaml:"vms"`
	// StoppedFraction is the share of VMs that are stopped or deallocated (alternately, 0 to
	// 1); when it is above 0, one more VM per subscription (of at least 4) is starting.
	StoppedFraction float64 `yaml:"stopped_fraction"`
	// PostgresServers is the number of PostgreSQL flexible servers per subscription and region.
	PostgresServers int `yaml:"postgres_servers"`
	// SQLDatabases is the number of Azure SQL databases per subscription and region (each on
	// its own logical server); LoadBalancers the number of load balancers. Every VM also has a
	// managed OS disk.
	SQLDatabases  int `yaml:"sql_databases"`
	LoadBalancers int `yaml:"load_balancers"`
}

// SubscriptionConfig is one simulated Azure subscription.
type SubscriptionConfig struct {
	// ID is the subscription id (a GUID).
	ID string `yaml:"id"`
	// Name is the subscription's display name.
	Name string `yaml:"name"`
}

// DefaultConfig returns the embedded default configuration: 2 AWS accounts, 2 regions, 40 EC2
// instances and 4 RDS instances; 2 Azure subscriptions, 2 regions, 12 VMs (each with a managed
// disk), 2 PostgreSQL servers, 2 SQL databases and 2 load balancers in each subscription.
func DefaultConfig() Config {
	var cfg Config
	if err := decodeYAML(defaultConfigYAML, &cfg); err != nil {
		panic(fmt.Sprintf("embedded default.yaml: %v", err))
	}
	return cfg
}

// LoadConfig reads a YAML file over the defaults and validates it.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read simulator config %q: %w", path, err)
	}
	cfg, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("simulator config %q: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig decodes YAML over the defaults (unknown keys are errors; a list replaces the
// default list) and validates the result.
func ParseConfig(b []byte) (Config, error) {
	cfg := DefaultConfig()
	if err := decodeYAML(b, &cfg); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func decodeYAML(b []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("decode YAML: %w", err)
	}
	return nil
}

var (
	accountIDRe   = regexp.MustCompile(`^[0-9]{12}$`)
	regionRe      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	guidRe        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	azureRegionRe = regexp.MustCompile(`^[a-z]+[0-9]*$`)
)

// Validate reports every problem at once, each naming its YAML key.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.SettleDelay < 0 {
		add("`settle_delay` must not be negative, got %q", c.SettleDelay)
	}
	if len(c.Fleet.Regions) == 0 {
		add("`fleet.regions` must list at least one region")
	}
	seenRegion := map[string]bool{}
	for i, r := range c.Fleet.Regions {
		if !regionRe.MatchString(r) {
			add("`fleet.regions[%d]` must be a region name like us-east-1, got %q", i, r)
		}
		if seenRegion[r] {
			add("`fleet.regions[%d]` repeats %q", i, r)
		}
		seenRegion[r] = true
	}
	if c.Fleet.Instances < 0 {
		add("`fleet.instances` must not be negative, got %d", c.Fleet.Instances)
	}
	if c.Fleet.RDSInstances < 0 {
		add("`fleet.rds_instances` must not be negative, got %d", c.Fleet.RDSInstances)
	}
	if c.Fleet.SubnetsPerVPC < 1 || c.Fleet.SubnetsPerVPC > 6 {
		add("`fleet.subnets_per_vpc` must be between 1 and 6, got %d", c.Fleet.SubnetsPerVPC)
	}
	checkRate := func(key string, v float64) {
		if v < 0 || v > 1 {
			add("`%s` must be between 0 and 1, got %v", key, v)
		}
	}
	checkRate("fleet.stopped_fraction", c.Fleet.StoppedFraction)
	checkRate("fleet.agent_fraction", c.Fleet.AgentFraction)
	checkRate("faults.throttle_rate", c.Faults.ThrottleRate)
	checkRate("faults.server_error_rate", c.Faults.ServerErrorRate)
	checkRate("faults.malformed_rate", c.Faults.MalformedRate)
	checkRate("faults.expired_credentials_rate", c.Faults.ExpiredCredentialsRate)
	if sum := c.Faults.ThrottleRate + c.Faults.ServerErrorRate + c.Faults.MalformedRate + c.Faults.ExpiredCredentialsRate; sum > 1 {
		add("`faults` rates must add up to at most 1, got %v", sum)
	}
	if c.Faults.Latency < 0 {
		add("`faults.latency` must not be negative, got %q", c.Faults.Latency)
	}
	if c.Anomalies.Count < 0 {
		add("`anomalies.count` must not be negative, got %d", c.Anomalies.Count)
	}
	if c.Anomalies.Start != "" {
		if _, err := time.Parse(time.RFC3339, c.Anomalies.Start); err != nil {
			add("`anomalies.start` must be an RFC 3339 time, got %q", c.Anomalies.Start)
		}
	}
	if c.Anomalies.Count > 0 && c.Anomalies.Window <= 0 {
		add("`anomalies.window` must be positive when anomalies are injected, got %q", c.Anomalies.Window)
	}
	if len(c.AWS.Accounts) == 0 {
		add("`aws.accounts` must list at least one account")
	}
	if c.AWS.MaxDatapointsPerCall < 1 {
		add("`aws.max_datapoints_per_call` must be positive, got %d", c.AWS.MaxDatapointsPerCall)
	}
	if c.AWS.ListMetricsPageSize < 1 {
		add("`aws.list_metrics_page_size` must be positive, got %d", c.AWS.ListMetricsPageSize)
	}
	seenID, seenKey := map[string]bool{}, map[string]bool{}
	for i, a := range c.AWS.Accounts {
		if !accountIDRe.MatchString(a.ID) {
			add("`aws.accounts[%d].id` must be 12 digits, got %q", i, a.ID)
		}
		if seenID[a.ID] {
			add("`aws.accounts[%d].id` repeats %q", i, a.ID)
		}
		seenID[a.ID] = true
		if len(a.AccessKeyID) < 16 {
			add("`aws.accounts[%d].access_key_id` must be at least 16 characters, got %q", i, a.AccessKeyID)
		}
		if seenKey[a.AccessKeyID] {
			add("`aws.accounts[%d].access_key_id` repeats %q", i, a.AccessKeyID)
		}
		seenKey[a.AccessKeyID] = true
		if a.SecretAccessKey == "" {
			add("`aws.accounts[%d].secret_access_key` must be set", i)
		}
		for j, r := range a.Roles {
			if r.Name == "" {
				add("`aws.accounts[%d].roles[%d].name` must be set", i, j)
			}
		}
	}
	errs = append(errs, c.Azure.validate()...)
	errs = append(errs, c.GCP.validate()...)
	for _, p := range c.GCP.Projects {
		seenID[p.ID] = true
	}
	for _, s := range c.Azure.Subscriptions {
		seenID[s.ID] = true
	}
	seenID[c.Azure.TenantID] = true
	for i, id := range c.Faults.Accounts {
		if !seenID[id] {
			add("`faults.accounts[%d]` must be a configured AWS account id, Azure subscription id, Azure tenant id or GCP project id, got %q", i, id)
		}
	}
	return errors.Join(errs...)
}

// validate checks the azure section, each error naming its key.
func (a AzureConfig) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !guidRe.MatchString(a.TenantID) {
		add("`azure.tenant_id` must be a lowercase GUID, got %q", a.TenantID)
	}
	if !guidRe.MatchString(a.ClientID) {
		add("`azure.client_id` must be a lowercase GUID, got %q", a.ClientID)
	}
	if a.ClientSecret == "" {
		add("`azure.client_secret` must be set")
	}
	if len(a.Subscriptions) == 0 {
		add("`azure.subscriptions` must list at least one subscription")
	}
	seen := map[string]bool{}
	for i, s := range a.Subscriptions {
		if !guidRe.MatchString(s.ID) {
			add("`azure.subscriptions[%d].id` must be a lowercase GUID, got %q", i, s.ID)
		}
		if seen[s.ID] {
			add("`azure.subscriptions[%d].id` repeats %q", i, s.ID)
		}
		seen[s.ID] = true
		if s.Name == "" {
			add("`azure.subscriptions[%d].name` must be set", i)
		}
	}
	if len(a.Regions) == 0 {
		add("`azure.regions` must list at least one region")
	}
	seenRegion := map[string]bool{}
	for i, r := range a.Regions {
		if !azureRegionRe.MatchString(r) {
			add("`azure.regions[%d]` must be an Azure region name like eastus, got %q", i, r)
		}
		if seenRegion[r] {
			add("`azure.regions[%d]` repeats %q", i, r)
		}
		seenRegion[r] = true
	}
	if a.VMs < 0 {
		add("`azure.vms` must not be negative, got %d", a.VMs)
	}
	if a.StoppedFraction < 0 || a.StoppedFraction > 1 {
		add("`azure.stopped_fraction` must be between 0 and 1, got %v", a.StoppedFraction)
	}
	if a.PostgresServers < 0 {
		add("`azure.postgres_servers` must not be negative, got %d", a.PostgresServers)
	}
	if a.SQLDatabases < 0 {
		add("`azure.sql_databases` must not be negative, got %d", a.SQLDatabases)
	}
	if a.LoadBalancers < 0 {
		add("`azure.load_balancers` must not be negative, got %d", a.LoadBalancers)
	}
	return errs
}

// anomalyStart resolves the configured anomaly window start.
func (c Config) anomalyStart(simStart time.Time) time.Time {
	if c.Anomalies.Start != "" {
		t, err := time.Parse(time.RFC3339, c.Anomalies.Start)
		if err == nil {
			return t.UTC()
		}
	}
	return simStart.UTC().Truncate(time.Hour).Add(-time.Hour)
}
