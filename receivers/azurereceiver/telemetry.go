package azurereceiver

import (
	"crypto"
	"crypto/x509"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// countPolicy counts every attempt of every SDK call in the loop's self-metrics: the request by
// service, operation and outcome; the billed units of a metrics batch that succeeded; and ARM's
// rate-limit headers. It runs per retry, so throttles the SDK absorbed are counted too.
type countPolicy struct {
	tel     *cloudscrape.Telemetry
	account string
}

func (p *countPolicy) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	if p.tel == nil {
		return resp, err
	}
	ctx := req.Raw().Context()
	service, op := operationOf(req.Raw().URL.Path)
	p.tel.Request(ctx, p.account, service, op, cloudscrape.HTTPOutcome(resp, err))
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusOK && op == "MetricsBatch" {
		p.tel.Bill(ctx, p.account, service, op, 1, listPrice)
	}
	p.quotas(resp.Header)
	return resp, err
}

// quotas records ARM's x-ms-ratelimit-remaining-* headers (subscription-reads, tenant-reads,
// resource-requests).
func (p *countPolicy) quotas(h http.Header) {
	for k, vs := range h {
		k = strings.ToLower(k)
		if !strings.HasPrefix(k, "x-ms-ratelimit-remaining-") || len(vs) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(vs[0], 10, 64); err == nil {
			p.tel.Quota(p.account, strings.TrimPrefix(k, "x-ms-ratelimit-remaining-"), n)
		}
	}
}

// operationOf names a request by the API it calls.
func operationOf(path string) (service, operation string) {
	switch {
	case strings.HasSuffix(path, "/oauth2/v2.0/token"):
		return "EntraID", "Token"
	case strings.HasSuffix(path, "/.well-known/openid-configuration"):
		return "EntraID", "Discovery"
	case strings.HasSuffix(path, "/providers/Microsoft.ResourceGraph/resources"):
		return "ResourceGraph", "Resources"
	case strings.HasSuffix(path, "/metrics:getBatch"):
		return "Monitor", "MetricsBatch"
	case strings.Contains(path, "/virtualNetworks/") && strings.HasSuffix(path, "/usages"):
		return "Network", "ListVirtualNetworkUsage"
	case strings.HasSuffix(path, "/virtualNetworks"):
		return "Network", "ListVirtualNetworks"
	case strings.HasSuffix(path, "/subscriptions"):
		return "ARM", "ListSubscriptions"
	}
	return "ARM", path[strings.LastIndex(path, "/")+1:]
}

// loadCertificate reads a PEM or PKCS#12 certificate with its private key.
func loadCertificate(path, password string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var pw []byte
	if password != "" {
		pw = []byte(password)
	}
	return azidentity.ParseCertificates(b, pw)
}
