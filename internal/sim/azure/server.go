package simazure

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

// Service is the service name of every Azure call in /sim/stats.
const Service = "azure"

// Operation names as counted in /sim/stats and matched by faults.operations.
const (
	OpToken                   = "Token"
	OpListSubscriptions       = "ListSubscriptions"
	OpResourceGraph           = "ResourceGraph"
	OpListVirtualNetworks     = "ListVirtualNetworks"
	OpListVirtualNetworkUsage = "ListVirtualNetworkUsage"
	OpMetricsBatch            = "MetricsBatch"
)

// maxBody bounds request bodies; a getBatch body with 50 resource ids is a few kilobytes.
const maxBody = 1 << 20

// server is the Azure side of the simulator.
type server struct {
	sim   *sim.Simulator
	cfg   sim.AzureConfig
	fleet *sim.AzureFleet
	mux   *http.ServeMux
	// key signs access tokens; derived from the seed and the client secret so tokens stay
	// valid across restarts of the same configuration.
	key []byte
	// wall is the clock token lifetimes are checked on (see token.go).
	wall    func() time.Time
	quota   *quota
	nextID  atomic.Uint64
	errorsN atomic.Uint64
}

// Handler returns the Azure handler for a simulator: the /sim endpoints, Entra ID, ARM,
// Azure Resource Graph and the regional metrics endpoints, all on one address. Serve it over
// TLS: azcore refuses to send bearer tokens over plain HTTP.
func Handler(s *sim.Simulator) http.Handler {
	srv := &server{
		sim: s, cfg: s.Config().Azure, fleet: s.Azure(), mux: http.NewServeMux(),
		key: signingKey(s.Config()), wall: time.Now, quota: newQuota(),
	}
	srv.routes()
	simHandler := s.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/sim/") {
			simHandler.ServeHTTP(w, r)
			return
		}
		srv.mux.ServeHTTP(w, r)
	})
}

func (srv *server) routes() {
	m := srv.mux
	m.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", srv.openIDConfiguration)
	m.HandleFunc("POST /{tenant}/oauth2/v2.0/token", srv.token)
	m.Handle("GET /subscriptions", srv.api(OpListSubscriptions, srv.tenantScope, srv.listSubscriptions))
	m.Handle("POST /providers/Microsoft.ResourceGraph/resources", srv.api(OpResourceGraph, srv.tenantScope, srv.resourceGraph))
	m.Handle("GET /subscriptions/{sub}/providers/Microsoft.Network/virtualNetworks",
		srv.api(OpListVirtualNetworks, srv.subscriptionScope, srv.listVirtualNetworks))
	m.Handle("GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/usages",
		srv.api(OpListVirtualNetworkUsage, srv.vnetScope, srv.listVirtualNetworkUsage))
	m.Handle("POST /regions/{region}/subscriptions/{sub}/metrics:getBatch", srv.api(OpMetricsBatch, srv.metricsScope, srv.metricsBatch))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		srv.sim.CountRejected("unknown_path")
		writeAPIError(w, apiErrorf(http.StatusNotFound, "NotFound", "The path %q is not simulated.", r.URL.Path))
	})
}

// call is one authenticated API request on its way to an operation.
type call struct {
	w  http.ResponseWriter
	r  *http.Request
	op string
	// account is the subscription of subscription-scoped operations and the tenant id of
	// tenant-wide ones (ListSubscriptions, ResourceGraph); faults.accounts matches it.
	account   string
	region    string
	requestID string
	vnet      *sim.AzureVNet
}

// scopeFunc resolves the account and region of a call from its path, or rejects it.
type scopeFunc func(*call) *apiError

func (srv *server) tenantScope(c *call) *apiError {
	c.account = srv.cfg.TenantID
	return nil
}

func (srv *server) subscriptionScope(c *call) *apiError {
	sub, ok := srv.fleet.Subscription(c.r.PathValue("sub"))
	if !ok {
		return apiErrorf(http.StatusNotFound, "SubscriptionNotFound", "The subscription '%s' could not be found.", c.r.PathValue("sub"))
	}
	c.account = sub.ID
	return nil
}

func (srv *server) vnetScope(c *call) *apiError {
	if err := srv.subscriptionScope(c); err != nil {
		return err
	}
	for _, v := range srv.fleet.VNetsOf(c.account) {
		if strings.EqualFold(v.ResourceGroup, c.r.PathValue("rg")) && strings.EqualFold(v.Name, c.r.PathValue("vnet")) {
			c.vnet, c.region = v, v.Location
		}
	}
	return nil
}

func (srv *server) metricsScope(c *call) *apiError {
	if err := srv.subscriptionScope(c); err != nil {
		return err
	}
	c.region = strings.ToLower(c.r.PathValue("region"))
	return nil
}

// api wraps an operation: authenticate the bearer token, check api-version, resolve the
// scope, count the call, apply latency and the fault schedule, then run it.
func (srv *server) api(op string, scope scopeFunc, h func(*call) *apiError) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, op: op, requestID: srv.requestID()}
		w.Header().Set("x-ms-request-id", c.requestID)
		w.Header().Set("x-ms-correlation-request-id", c.requestID)
		if reason, aerr := srv.authenticate(r); aerr != nil {
			srv.sim.CountRejected(reason)
			srv.fail(c, aerr)
			return
		}
		if r.URL.Query().Get("api-version") == "" {
			srv.sim.CountRejected("missing_api_version")
			srv.fail(c, apiErrorf(http.StatusBadRequest, "MissingApiVersionParameter",
				"The api-version query parameter (?api-version=) is required for all requests."))
			return
		}
		if aerr := scope(c); aerr != nil {
			srv.sim.CountRejected("unknown_subscription")
			srv.fail(c, aerr)
			return
		}
		srv.sim.CountCall(c.account, c.region, Service, op)
		if d := srv.sim.Latency(c.account, op); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		srv.rateLimitHeaders(c)
		switch srv.sim.Fault(c.account, Service, op) {
		case sim.FaultThrottle:
			w.Header().Set("Retry-After", "1")
			srv.fail(c, throttleError())
		case sim.FaultServerError:
			srv.fail(c, srv.serverError(c))
		case sim.FaultExpired:
			srv.fail(c, srv.expiredError(r, srv.sim.Now()))
		case sim.FaultMalformed:
			tw := sim.NewTruncatingWriter(w)
			c.w = tw
			srv.run(c, h)
			tw.Flush()
		default:
			srv.run(c, h)
		}
	})
}

func (srv *server) run(c *call, h func(*call) *apiError) {
	if err := h(c); err != nil {
		srv.fail(c, err)
	}
}

func (srv *server) fail(c *call, e *apiError) {
	if e.Status == http.StatusUnauthorized {
		c.w.Header().Set("WWW-Authenticate", fmt.Sprintf(
			`Bearer authorization_uri="%s/%s", error="invalid_token", error_description="%s"`,
			baseURL(c.r), srv.cfg.TenantID, e.Message))
	}
	writeAPIError(c.w, e)
}

// rateLimitHeaders adds ARM's remaining-reads headers: per subscription (or per tenant for
// tenant-wide reads) and sim-clock hour, counting down from 12000 as ARM's classic limits
// did; Resource Graph answers with its own per-user quota of 15 queries per 5 seconds.
func (srv *server) rateLimitHeaders(c *call) {
	now := srv.sim.Now()
	h := c.w.Header()
	switch c.op {
	case OpListSubscriptions:
		left, _ := srv.quota.take("tenant|"+c.account, now, time.Hour, 12000)
		h.Set("x-ms-ratelimit-remaining-tenant-reads", fmt.Sprint(left))
	case OpListVirtualNetworks, OpListVirtualNetworkUsage:
		left, _ := srv.quota.take("sub|"+c.account, now, time.Hour, 12000)
		h.Set("x-ms-ratelimit-remaining-subscription-reads", fmt.Sprint(left))
	case OpResourceGraph:
		left, reset := srv.quota.take("graph|"+c.account, now, 5*time.Second, 15)
		h.Set("x-ms-user-quota-remaining", fmt.Sprint(left))
		h.Set("x-ms-user-quota-resets-after", fmt.Sprintf("00:00:%02d", int(reset.Seconds()+0.999)))
	}
}

func (srv *server) requestID() string {
	n := srv.nextID.Add(1)
	return fmt.Sprintf("00000000-0000-4000-a000-%012d", n)
}

// quota counts calls per key in fixed windows of the simulator clock.
type quota struct {
	mu   sync.Mutex
	used map[string]quotaWindow
}

type quotaWindow struct {
	start time.Time
	n     int
}

func newQuota() *quota { return &quota{used: map[string]quotaWindow{}} }

// take counts one call and returns what is left of limit in the current window and how long
// until the window resets.
func (q *quota) take(key string, now time.Time, window time.Duration, limit int) (int, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	start := now.Truncate(window)
	w := q.used[key]
	if !w.start.Equal(start) {
		w = quotaWindow{start: start}
	}
	w.n++
	q.used[key] = w
	return max(limit-w.n, 0), start.Add(window).Sub(now)
}

// baseURL is the scheme and host the client reached the simulator at, for the URLs the
// OpenID configuration and challenges hand out.
func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"InternalServerError","message":"encode response"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// contextDone reports whether the request was cancelled, for long loops.
func contextDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}
