package azurereceiver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azmetrics"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armsubscriptions"
	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// provider is Azure on the collection loop: a target per subscription.
type provider struct {
	cfg    *Config
	logger *zap.Logger
	tel    *cloudscrape.Telemetry
	client *http.Client
}

func (*provider) Name() string { return canonical.ProviderAzure }

// listPrice is Azure Monitor's public price of a metrics query, in USD per API call
// ($0.01 per 1,000 calls); ARM and Resource Graph reads are free.
const listPrice = 0.01 / 1000

// Targets signs in and returns a target per subscription: the configured ones, or every one the
// identity can see.
func (p *provider) Targets(ctx context.Context, tel *cloudscrape.Telemetry) ([]cloudscrape.Target, error) {
	p.tel = tel
	if p.client == nil {
		tlsCfg, err := p.cfg.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("`tls`: %w", err)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tlsCfg
		p.client = &http.Client{Transport: tr, Timeout: p.cfg.Timeout}
	}
	subs := p.cfg.Subscriptions
	if len(subs) == 0 {
		var err error
		if subs, err = p.listSubscriptions(ctx); err != nil {
			return nil, err
		}
	}
	out := make([]cloudscrape.Target, 0, len(subs))
	for _, s := range subs {
		t := &azTarget{p: p, sub: strings.ToLower(s)}
		if err := t.connect(); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (p *provider) listSubscriptions(ctx context.Context) ([]string, error) {
	cred, err := p.credential()
	if err != nil {
		return nil, err
	}
	c, err := armsubscriptions.NewClient(cred, p.armOptions(""))
	if err != nil {
		return nil, err
	}
	var subs []string
	pager := c.NewListPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list subscriptions: %w", err)
		}
		for _, s := range page.Value {
			if s.SubscriptionID != nil && (s.State == nil || *s.State == armsubscriptions.SubscriptionStateEnabled) {
				subs = append(subs, *s.SubscriptionID)
			}
		}
	}
	if len(subs) == 0 {
		return nil, errors.New("list subscriptions: the identity sees no enabled subscription")
	}
	return subs, nil
}

// cloudConfig is the public cloud with the configured endpoints.
func (p *provider) cloudConfig() cloud.Configuration {
	c := cloud.AzurePublic
	c.Services = map[cloud.ServiceName]cloud.ServiceConfiguration{}
	for k, v := range cloud.AzurePublic.Services {
		c.Services[k] = v
	}
	e := p.cfg.Endpoints
	if e.Authority != "" {
		c.ActiveDirectoryAuthorityHost = e.Authority
	}
	if e.ResourceManager != "" {
		rm := c.Services[cloud.ResourceManager]
		rm.Endpoint = e.ResourceManager
		c.Services[cloud.ResourceManager] = rm
	}
	return c
}

// clientOptions are every SDK client's: the cloud, the transport, the loop's retry policy
// (azcore honours Retry-After on 429 and 503) and the request-counting policy of account.
func (p *provider) clientOptions(account string) azcore.ClientOptions {
	return azcore.ClientOptions{
		Cloud:     p.cloudConfig(),
		Transport: p.client,
		Retry: policy.RetryOptions{
			MaxRetries:    int32(p.cfg.Retry.MaxAttempts - 1),
			MaxRetryDelay: p.cfg.Retry.MaxBackoff,
		},
		PerRetryPolicies: []policy.Policy{&countPolicy{tel: p.tel, account: account}},
	}
}

func (p *provider) armOptions(account string) *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: p.clientOptions(account)}
}

func (p *provider) metricsOptions(account string) *azmetrics.ClientOptions {
	return &azmetrics.ClientOptions{ClientOptions: p.clientOptions(account)}
}

// credential signs in as configured. Constructing one calls nothing; its first token does.
func (p *provider) credential() (azcore.TokenCredential, error) {
	a := p.cfg.Auth
	opts := p.clientOptions("")
	// A custom authority (a sovereign cloud, the simulator) has no instance metadata to discover.
	custom := p.cfg.Endpoints.Authority != ""
	switch a.Mode {
	case AuthClientSecret:
		return azidentity.NewClientSecretCredential(a.TenantID, a.ClientID, string(a.ClientSecret),
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
	case AuthClientCertificate:
		certs, key, err := loadCertificate(a.CertificatePath, string(a.CertificatePassword))
		if err != nil {
			return nil, fmt.Errorf("`auth.certificate_path`: %w", err)
		}
		return azidentity.NewClientCertificateCredential(a.TenantID, a.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: custom})
	case AuthWorkloadIdentity:
		return azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
			ClientOptions: opts, TenantID: a.TenantID, ClientID: a.ClientID, TokenFilePath: a.FederatedTokenFile,
			DisableInstanceDiscovery: custom,
		})
	case AuthManagedIdentity:
		mi := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if a.ClientID != "" {
			mi.ID = azidentity.ClientID(a.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(mi)
	}
	return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
		ClientOptions: opts, TenantID: a.TenantID, DisableInstanceDiscovery: custom,
	})
}

// Classify reads Azure's answers: 429 throttled, 401 and 403 refused credentials, 5xx transient,
// other 4xx permanent; a failed sign-in is an auth error; an unreadable body is malformed.
func (*provider) Classify(err error) (cloudscrape.ErrorClass, string) {
	var re *azcore.ResponseError
	var af *azidentity.AuthenticationFailedError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return cloudscrape.Transient, "timeout"
	case errors.As(err, &af):
		return cloudscrape.Auth, "AuthenticationFailed"
	case errors.As(err, &re):
		code := re.ErrorCode
		if code == "" {
			code = strings.ReplaceAll(http.StatusText(re.StatusCode), " ", "")
		}
		switch {
		case re.StatusCode == http.StatusTooManyRequests:
			return cloudscrape.Throttled, code
		case re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden:
			return cloudscrape.Auth, code
		case re.StatusCode >= 500:
			return cloudscrape.Transient, code
		}
		return cloudscrape.Permanent, code
	case strings.Contains(err.Error(), "unmarshalling type"), strings.Contains(err.Error(), "unexpected end of JSON"):
		// azcore wraps JSON errors with %s: the text is all that is left of them.
		return cloudscrape.Transient, "malformed"
	}
	return cloudscrape.Transient, "error"
}

var _ component.Config = (*Config)(nil)
