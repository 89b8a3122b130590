package gcpreceiver

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/credentials"
	gax "github.com/googleapis/gax-go/v2"
	"go.uber.org/zap"
	"google.golang.org/api/googleapi"
	rpccode "google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// provider is Google Cloud on the collection loop: a target per project.
type provider struct {
	cfg    *Config
	logger *zap.Logger
	tel    *cloudscrape.Telemetry
	// now is the clock discovery reads (which instances reported Ops Agent metrics lately).
	now func() time.Time

	mu      sync.Mutex // guards targets, which Close reaches
	targets []*gcpTarget
}

func newProvider(cfg *Config, logger *zap.Logger) *provider {
	return &provider{cfg: cfg, logger: logger, now: time.Now}
}

var _ cloudscrape.Provider = (*provider)(nil)

func (*provider) Name() string { return canonical.ProviderGCP }

// listPrice is Cloud Monitoring's list price of a read API call in USD, $0.01 per 1,000 calls
// beyond the free allotment; Compute Engine and Cloud SQL Admin reads are free.
const listPrice = 0.01 / 1000

// scope is the OAuth scope asked for; the service account's IAM roles (Monitoring Viewer,
// Compute Viewer, Cloud SQL Viewer) bound what it can read.
const scope = "https://www.googleapis.com/auth/cloud-platform"

// Targets returns a target per configured project. Listing every project the credentials can
// see would call Resource Manager's projects.search, paged over the whole organization: a
// cost and a permission a collector rarely has, so projects are listed in the configuration.
func (p *provider) Targets(ctx context.Context, tel *cloudscrape.Telemetry) ([]cloudscrape.Target, error) {
	p.tel = tel
	out := make([]cloudscrape.Target, 0, len(p.cfg.Projects))
	for _, project := range p.cfg.Projects {
		t := &gcpTarget{p: p, project: project}
		if err := t.connect(ctx); err != nil {
			p.Close()
			return nil, err
		}
		p.mu.Lock()
		p.targets = append(p.targets, t)
		p.mu.Unlock()
		out = append(out, t)
	}
	return out, nil
}

// Close closes every target's connections; the loop calls it at shutdown.
func (p *provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, t := range p.targets {
		errs = append(errs, t.close())
	}
	p.targets = nil
	return errors.Join(errs...)
}

// credentials reads the configured credentials, fetching tokens through client (counted).
func (p *provider) credentials(client *http.Client) (*auth.Credentials, error) {
	opts := &credentials.DetectOptions{Scopes: []string{scope}, Client: client}
	switch p.cfg.Auth.Mode {
	case AuthServiceAccountKey:
		c, err := credentials.NewCredentialsFromFile(credentials.ServiceAccount, p.cfg.Auth.KeyFile, opts)
		if err != nil {
			return nil, &configError{key: "auth.key_file", err: err}
		}
		return c, nil
	case AuthWorkloadIdentityFederation:
		c, err := credentials.NewCredentialsFromFile(credentials.ExternalAccount, p.cfg.Auth.ConfigFile, opts)
		if err != nil {
			return nil, &configError{key: "auth.config_file", err: err}
		}
		return c, nil
	}
	return credentials.DetectDefault(opts)
}

// configError is a configured file the credentials could not be read from.
type configError struct {
	key string
	err error
}

func (e *configError) Error() string { return "`" + e.key + "`: " + e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// retry is the loop's retry policy as a gax retryer of the given codes: exponential backoff with
// jitter, at most retry.max_attempts attempts per call.
func (p *provider) retry(r func(gax.Backoff) gax.Retryer) gax.CallOption {
	maxBackoff := p.cfg.Retry.MaxBackoff
	bo := gax.Backoff{Initial: min(100*time.Millisecond, maxBackoff), Max: maxBackoff, Multiplier: 2}
	return gax.WithRetry(func() gax.Retryer {
		return &limitedRetryer{next: r(bo), left: p.cfg.Retry.MaxAttempts - 1}
	})
}

// grpcRetry retries RESOURCE_EXHAUSTED and UNAVAILABLE, the codes Cloud Monitoring documents
// as retryable for reads.
func (p *provider) grpcRetry() gax.CallOption {
	return p.retry(func(bo gax.Backoff) gax.Retryer {
		return gax.OnCodes([]codes.Code{codes.ResourceExhausted, codes.Unavailable}, bo)
	})
}

// httpRetry retries the REST answers of the same meaning: 429, 500, 502, 503, 504.
func (p *provider) httpRetry() gax.CallOption {
	return p.retry(func(bo gax.Backoff) gax.Retryer {
		return gax.OnHTTPCodes(bo, http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout)
	})
}

type limitedRetryer struct {
	next gax.Retryer
	left int
}

func (r *limitedRetryer) Retry(err error) (time.Duration, bool) {
	if r.left <= 0 {
		return 0, false
	}
	r.left--
	return r.next.Retry(err)
}

// Classify reads Google's answers: RESOURCE_EXHAUSTED (429) throttled; UNAUTHENTICATED and
// PERMISSION_DENIED (401, 403) and a refused token refused credentials; UNAVAILABLE and 5xx
// transient; an unreadable answer malformed; anything else permanent.
func (*provider) Classify(err error) (cloudscrape.ErrorClass, string) {
	var (
		ge   *googleapi.Error
		ae   *auth.Error
		ce   *configError
		me   *malformedError
		se   *json.SyntaxError
		te   *json.UnmarshalTypeError
		grpc interface{ GRPCStatus() *status.Status }
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return cloudscrape.Transient, "timeout"
	case errors.As(err, &ce):
		return cloudscrape.Permanent, "config"
	case errors.As(err, &ae):
		return cloudscrape.Auth, "AuthenticationFailed"
	case errors.As(err, &ge):
		return classifyHTTP(ge)
	case errors.As(err, &me), errors.As(err, &se), errors.As(err, &te), errors.Is(err, io.ErrUnexpectedEOF):
		return cloudscrape.Transient, "malformed"
	case errors.As(err, &grpc) && grpc.GRPCStatus() != nil:
		return classifyCode(grpc.GRPCStatus().Code())
	}
	return cloudscrape.Transient, "error"
}

func classifyHTTP(e *googleapi.Error) (cloudscrape.ErrorClass, string) {
	code := strings.ReplaceAll(http.StatusText(e.Code), " ", "")
	if len(e.Errors) > 0 && e.Errors[0].Reason != "" {
		code = e.Errors[0].Reason
	}
	switch {
	case e.Code == http.StatusTooManyRequests:
		return cloudscrape.Throttled, code
	case e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden:
		return cloudscrape.Auth, code
	case e.Code >= 500:
		return cloudscrape.Transient, code
	}
	return cloudscrape.Permanent, code
}

func classifyCode(c codes.Code) (cloudscrape.ErrorClass, string) {
	name := codeName(c)
	switch c {
	case codes.ResourceExhausted:
		return cloudscrape.Throttled, name
	case codes.Unauthenticated, codes.PermissionDenied:
		return cloudscrape.Auth, name
	case codes.Unavailable, codes.Internal, codes.DeadlineExceeded, codes.Unknown, codes.Aborted:
		return cloudscrape.Transient, name
	}
	return cloudscrape.Permanent, name
}

// codeName is a gRPC code as Google's APIs spell it: RESOURCE_EXHAUSTED.
func codeName(c codes.Code) string { return rpccode.Code_name[int32(c)] }

// malformedError is an answer the API gave that the receiver cannot read (a point without a
// value or interval): the query's window stays open and the next poll asks again.
type malformedError struct{ what string }

func (e *malformedError) Error() string { return "malformed Cloud Monitoring answer: " + e.what }
