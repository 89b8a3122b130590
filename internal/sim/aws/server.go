package simaws

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mcobs/mcobs/internal/sim"
)

// maxBody bounds request bodies; GetMetricData with 500 queries is well below it.
const maxBody = 8 << 20

// Server is the AWS side of the simulator: an http.Handler for all simulated services.
type Server struct {
	sim        *sim.Simulator
	simHandler http.Handler
	creds      *credStore
	ops        map[string]func(*call) *apiError
	nextID     atomic.Uint64
}

// NewServer returns the AWS handler for a simulator. It logs nothing: per-request events are
// counted in /sim/stats.
func NewServer(s *sim.Simulator) *Server {
	srv := &Server{sim: s, simHandler: s.Handler(), creds: newCredStore(s.Config())}
	srv.ops = srv.operations()
	return srv
}

// Simulator returns the core simulator.
func (s *Server) Simulator() *sim.Simulator { return s.sim }

// call is one authenticated request on its way to an operation.
type call struct {
	w         http.ResponseWriter
	r         *http.Request
	body      []byte
	form      url.Values
	proto     protocol
	service   string
	operation string
	region    string
	principal principal
	requestID string
}

func (c *call) fail(e *apiError) { writeError(c.w, c.proto, c.requestID, e) }

// ServeHTTP implements http.Handler: /sim/ endpoints, else authenticate, count, apply the
// fault schedule and run the operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/sim/") {
		s.simHandler.ServeHTTP(w, r)
		return
	}
	c := &call{w: w, r: r, requestID: s.requestID()}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	c.body = body
	auth, authErr := parseAuth(r.Header.Get("Authorization"))
	c.service, c.region = auth.Service, auth.Region
	c.proto = protocolOf(r, auth.Service)
	if aerr := c.parseOperation(); aerr != nil {
		s.sim.CountRejected("malformed_request")
		c.fail(aerr)
		return
	}
	if authErr != nil {
		s.sim.CountRejected("missing_authentication")
		c.fail(missingAuthError())
		return
	}
	p, reason, aerr := s.authenticate(c, auth)
	if aerr != nil {
		s.sim.CountRejected(reason)
		c.fail(aerr)
		return
	}
	c.principal = p
	s.sim.CountCall(p.Account, c.region, c.service, c.operation)
	if d := s.sim.Latency(p.Account, c.operation); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	switch s.sim.Fault(p.Account, c.service, c.operation) {
	case sim.FaultThrottle:
		c.fail(throttleError(c.proto))
	case sim.FaultServerError:
		c.fail(serverError(c.proto))
	case sim.FaultExpired:
		c.fail(expiredError(c.proto))
	case sim.FaultMalformed:
		tw := sim.NewTruncatingWriter(w)
		c.w = tw
		s.dispatch(c)
		tw.Flush()
	default:
		s.dispatch(c)
	}
}

// authenticate finds the principal of the access key and checks session token, signature and
// expiry, in that order; on failure it returns the rejection reason counted in /sim/stats.
func (s *Server) authenticate(c *call, auth authHeader) (principal, string, *apiError) {
	p, ok := s.creds.lookup(auth.AccessKeyID)
	if !ok {
		return p, "unknown_access_key", unknownKeyError(c.proto)
	}
	// A temporary key is only valid with its session token; checked before the signature,
	// which covers the token header and would otherwise hide the cause.
	if p.SessionToken != "" && c.r.Header.Get("X-Amz-Security-Token") != p.SessionToken {
		return p, "bad_session_token", unknownKeyError(c.proto)
	}
	if err := verifySignature(c.r, c.body, auth, p.credentials()); err != nil {
		return p, "signature_mismatch", badSignatureError(c.proto)
	}
	if !p.Expires.IsZero() && !s.sim.Now().Before(p.Expires) {
		return p, "expired_token", expiredError(c.proto)
	}
	return p, "", nil
}

func (s *Server) requestID() string {
	n := s.nextID.Add(1)
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
}

// protocolOf picks the wire protocol from the signing service name, falling back to request
// shape for unsigned requests so even the authentication error has the right form.
func protocolOf(r *http.Request, service string) protocol {
	switch service {
	case "monitoring":
		return protoCBOR
	case "ec2":
		return protoEC2Query
	case "sts", "rds":
		return protoAWSQuery
	case "tagging":
		return protoJSON11
	}
	switch {
	case r.Header.Get("Smithy-Protocol") != "":
		return protoCBOR
	case r.Header.Get("X-Amz-Target") != "":
		return protoJSON11
	}
	return protoAWSQuery
}

func (c *call) parseOperation() *apiError {
	switch c.proto {
	case protoCBOR:
		_, op, ok := strings.Cut(c.r.URL.Path, "/operation/")
		if !ok || !strings.HasPrefix(c.r.URL.Path, "/service/") {
			return errorf(http.StatusNotFound, "UnknownOperationException", "path %q is not an RPC v2 operation", c.r.URL.Path)
		}
		c.operation = op
	case protoJSON11:
		target := c.r.Header.Get("X-Amz-Target")
		_, op, ok := strings.Cut(target, ".")
		if !ok {
			return errorf(http.StatusBadRequest, "UnknownOperationException", "X-Amz-Target %q names no operation", target)
		}
		c.operation = op
	default:
		form, err := url.ParseQuery(string(c.body))
		if err != nil {
			return errorf(http.StatusBadRequest, "MalformedQueryString", "body is not a form: %v", err)
		}
		c.form = form
		c.operation = form.Get("Action")
		if c.operation == "" {
			return errorf(http.StatusBadRequest, "MissingAction", "the request must contain the parameter Action")
		}
	}
	if c.service == "" {
		c.service = map[protocol]string{protoCBOR: "monitoring", protoJSON11: "tagging"}[c.proto]
	}
	return nil
}

// operations maps "service.Operation" to its handler.
func (s *Server) operations() map[string]func(*call) *apiError {
	return map[string]func(*call) *apiError{
		"monitoring.ListMetrics":   s.listMetrics,
		"monitoring.GetMetricData": s.getMetricData,
		"ec2.DescribeInstances":    s.describeInstances,
		"ec2.DescribeVpcs":         s.describeVpcs,
		"ec2.DescribeSubnets":      s.describeSubnets,
		"ec2.DescribeRouteTables":  s.describeRouteTables,
		"rds.DescribeDBInstances":  s.describeDBInstances,
		"sts.AssumeRole":           s.assumeRole,
		"sts.GetCallerIdentity":    s.getCallerIdentity,
		"tagging.GetResources":     s.getResources,
	}
}

func (s *Server) dispatch(c *call) {
	op, ok := s.ops[c.service+"."+c.operation]
	if !ok {
		c.fail(unknownOperationError(c.proto, c.operation))
		return
	}
	if err := op(c); err != nil {
		c.fail(err)
	}
}
