package azurereceiver

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// Config of the azure receiver.
type Config struct {
	// Config is the collection loop's part: collection_interval, period, delay, max_backfill,
	// discovery_interval, inventory_interval, shard, budget, max_concurrency, retry, storage.
	cloudscrape.Config `mapstructure:",squash"`

	// Auth selects how the receiver signs in to Microsoft Entra ID.
	Auth AuthConfig `mapstructure:"auth"`
	// Subscriptions to poll; empty means every subscription the identity can see.
	Subscriptions []string `mapstructure:"subscriptions"`
	// ResourceTypes whose resources are discovered and whose mapped metrics are collected.
	ResourceTypes []string `mapstructure:"resource_types"`
	// Metrics selects, per resource type, more of what Azure Monitor has: metrics without a
	// canonical mapping and other aggregations of mapped ones, emitted under native names
	// (azure.<type>.<metric>). Mapped metrics are always collected under canonical names.
	Metrics map[string]MetricSelection `mapstructure:"metrics"`
	// TagFilters keeps only resources with these tags (any of the values per key).
	TagFilters map[string][]string `mapstructure:"tag_filters"`
	// Endpoints override the Azure public cloud's (a sovereign cloud, the local simulator).
	Endpoints EndpointsConfig `mapstructure:"endpoints"`
	// TLS configures the client's TLS (a private CA, such as the simulator's).
	TLS configtls.ClientConfig `mapstructure:"tls"`
}

// MetricSelection is what is collected of one resource type beyond its mapped metrics.
type MetricSelection struct {
	// Names are Azure Monitor metric names (as Azure spells them). A name without a canonical
	// mapping gives a native metric per aggregation; a mapped one gives a native metric per
	// aggregation other than its mapping's.
	Names []string `mapstructure:"names"`
	// Aggregations: Average, Minimum, Maximum, Total or Count; Average when none is listed.
	Aggregations []string `mapstructure:"aggregations"`
}

// aggregationNames are Azure Monitor's aggregation types.
var aggregationNames = []string{"Average", "Minimum", "Maximum", "Total", "Count"}

// Auth modes.
const (
	AuthClientSecret      = "client_secret"
	AuthClientCertificate = "client_certificate"
	AuthWorkloadIdentity  = "workload_identity"
	AuthManagedIdentity   = "managed_identity"
	AuthDefault           = "default"
)

// AuthConfig is a Microsoft Entra ID identity.
type AuthConfig struct {
	// Mode is client_secret, client_certificate, workload_identity, managed_identity or default
	// (the SDK's default chain: environment, workload identity, managed identity, Azure CLI).
	Mode     string `mapstructure:"mode"`
	TenantID string `mapstructure:"tenant_id"`
	// ClientID is the service principal's application id, or a user-assigned managed
	// identity's client id.
	ClientID     string              `mapstructure:"client_id"`
	ClientSecret configopaque.String `mapstructure:"client_secret"`
	// CertificatePath is a PEM or PKCS#12 file with the certificate and its private key.
	CertificatePath string `mapstructure:"certificate_path"`
	// CertificatePassword protects a PKCS#12 certificate.
	CertificatePassword configopaque.String `mapstructure:"certificate_password"`
	// FederatedTokenFile is the workload identity's token file (default: AZURE_FEDERATED_TOKEN_FILE).
	FederatedTokenFile string `mapstructure:"federated_token_file"`
}

// EndpointsConfig are the cloud's endpoints.
type EndpointsConfig struct {
	// Authority is the Entra ID authority host.
	Authority string `mapstructure:"authority"`
	// ResourceManager is the ARM endpoint (also Resource Graph's).
	ResourceManager string `mapstructure:"resource_manager"`
	// Metrics is the regional metrics endpoint, with {region} for the resources' region.
	Metrics string `mapstructure:"metrics"`
}

var _ component.Config = (*Config)(nil)

var (
	guidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// timeGrains are the periods Azure Monitor aggregates to.
	timeGrains = map[time.Duration]string{
		time.Minute: "PT1M", 5 * time.Minute: "PT5M", 15 * time.Minute: "PT15M", 30 * time.Minute: "PT30M",
		time.Hour: "PT1H", 6 * time.Hour: "PT6H", 12 * time.Hour: "PT12H", 24 * time.Hour: "P1D",
	}
)

// Validate reports every problem of the Azure keys at once, each naming its key; the collector
// validates the loop's (cloudscrape.Config) on its own.
func (c *Config) Validate() error {
	var errs []error
	for i, s := range c.Subscriptions {
		if !guidRe.MatchString(s) {
			errs = append(errs, fmt.Errorf("`subscriptions[%d]` is not a subscription id (a GUID), got %q", i, s))
		}
	}
	if _, ok := timeGrains[c.Period]; !ok {
		errs = append(errs, fmt.Errorf("`period` must be an Azure Monitor time grain (1m, 5m, 15m, 30m, 1h, 6h, 12h, 24h), got %q", c.Period))
	}
	if len(c.ResourceTypes) == 0 {
		errs = append(errs, errors.New("`resource_types` must list at least one resource type"))
	}
	for i, rt := range c.ResourceTypes {
		if len(canonical.Azure.ForNamespace(rt)) == 0 {
			errs = append(errs, fmt.Errorf("`resource_types[%d]` has no canonical mapping, got %q (mapped: %s)", i, rt, strings.Join(canonical.Azure.Namespaces(), ", ")))
		}
	}
	errs = append(errs, c.validateMetrics()...)
	errs = append(errs, c.Auth.validate()...)
	if c.Endpoints.Metrics != "" && !strings.Contains(c.Endpoints.Metrics, "{region}") {
		errs = append(errs, fmt.Errorf("`endpoints.metrics` must contain {region}, got %q", c.Endpoints.Metrics))
	}
	return errors.Join(errs...)
}

// validateMetrics checks the per-type selection: each type is collected and each
// aggregation is one Azure Monitor has.
func (c *Config) validateMetrics() []error {
	var errs []error
	for _, rt := range slices.Sorted(maps.Keys(c.Metrics)) {
		sel := c.Metrics[rt]
		if !slices.ContainsFunc(c.ResourceTypes, func(t string) bool { return strings.EqualFold(t, rt) }) {
			errs = append(errs, fmt.Errorf("`metrics` selects resource type %q, which is not in `resource_types` %v", rt, c.ResourceTypes))
		}
		if len(sel.Names) == 0 {
			errs = append(errs, fmt.Errorf("`metrics::%s::names` must list at least one metric", rt))
		}
		for i, n := range sel.Names {
			if strings.TrimSpace(n) == "" || strings.Contains(n, ",") {
				errs = append(errs, fmt.Errorf("`metrics::%s::names[%d]` is not an Azure Monitor metric name, got %q", rt, i, n))
			}
		}
		for i, a := range sel.Aggregations {
			if !slices.Contains(aggregationNames, a) {
				errs = append(errs, fmt.Errorf("`metrics::%s::aggregations[%d]` must be one of %s, got %q", rt, i, strings.Join(aggregationNames, ", "), a))
			}
		}
	}
	return errs
}

func (a AuthConfig) validate() []error {
	var errs []error
	need := func(key, v string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("`auth.%s` is required with `auth.mode` %s", key, a.Mode))
		}
	}
	switch a.Mode {
	case AuthClientSecret:
		need("tenant_id", a.TenantID)
		need("client_id", a.ClientID)
		need("client_secret", string(a.ClientSecret))
	case AuthClientCertificate:
		need("tenant_id", a.TenantID)
		need("client_id", a.ClientID)
		need("certificate_path", a.CertificatePath)
	case AuthWorkloadIdentity, AuthManagedIdentity, AuthDefault:
	default:
		errs = append(errs, fmt.Errorf("`auth.mode` must be one of client_secret, client_certificate, workload_identity, managed_identity, default, got %q", a.Mode))
	}
	if a.TenantID != "" && !guidRe.MatchString(a.TenantID) {
		errs = append(errs, fmt.Errorf("`auth.tenant_id` is not a tenant id (a GUID), got %q", a.TenantID))
	}
	return errs
}
