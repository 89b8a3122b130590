package simgcp

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	rpccode "google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/mcobs/mcobs/internal/sim"
)

// Services of the Google Cloud calls in /sim/stats.
const (
	ServiceMonitoring = "monitoring"
	ServiceCompute    = "compute"
	ServiceSQLAdmin   = "sqladmin"
	ServiceOAuth      = "oauth2"
)

// Operation names as counted in /sim/stats and matched by faults.operations.
const (
	OpToken                 = "Token"
	OpListTimeSeries        = "ListTimeSeries"
	OpListMetricDescriptors = "ListMetricDescriptors"
	OpAggregatedInstances   = "InstancesAggregatedList"
	OpListNetworks          = "NetworksList"
	OpAggregatedSubnetworks = "SubnetworksAggregatedList"
	OpListSQLInstances      = "SqlInstancesList"
)

// server is the Google Cloud side of the simulator.
type server struct {
	monitoringpb.UnimplementedMetricServiceServer
	sim   *sim.Simulator
	cfg   sim.GCPConfig
	fleet *sim.GCPFleet
	// key signs access tokens: derived from the seed and the service account.
	key []byte
	// wall is the clock token lifetimes are checked on: the client libraries cache tokens by
	// the wall clock, whatever the simulator's clock says.
	wall func() time.Time
	// instances finds an instance by project|id.
	instances map[string]*sim.GCPInstance
}

func (srv *server) instance(project, id string) *sim.GCPInstance {
	return srv.instances[project+"|"+id]
}

func newServer(s *sim.Simulator) *server {
	cfg := s.Config()
	k := sha256.Sum256(fmt.Appendf(nil, "gcp|%d|%s", cfg.Seed, cfg.GCP.ServiceAccount))
	srv := &server{sim: s, cfg: cfg.GCP, fleet: s.GCP(), key: k[:], wall: time.Now, instances: map[string]*sim.GCPInstance{}}
	for _, i := range srv.fleet.Instances {
		srv.instances[i.Project+"|"+strconv.FormatUint(i.ID, 10)] = i
	}
	return srv
}

// NewGRPCServer returns the Cloud Monitoring MetricService of a simulator on a new gRPC
// server, plaintext: pass grpc.Creds for TLS.
func NewGRPCServer(s *sim.Simulator, opts ...grpc.ServerOption) *grpc.Server {
	g := grpc.NewServer(opts...)
	monitoringpb.RegisterMetricServiceServer(g, newServer(s))
	return g
}

// Handler returns the HTTP side of a simulator: the /sim endpoints, the token endpoint
// (/token), Compute Engine (/compute/v1/...) and Cloud SQL Admin (/v1/projects/.../instances).
func Handler(s *sim.Simulator) http.Handler {
	srv := newServer(s)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", srv.token)
	mux.Handle("GET /compute/v1/projects/{project}/aggregated/instances", srv.rest(ServiceCompute, OpAggregatedInstances, srv.aggregatedInstances))
	mux.Handle("GET /compute/v1/projects/{project}/global/networks", srv.rest(ServiceCompute, OpListNetworks, srv.listNetworks))
	mux.Handle("GET /compute/v1/projects/{project}/aggregated/subnetworks", srv.rest(ServiceCompute, OpAggregatedSubnetworks, srv.aggregatedSubnetworks))
	mux.Handle("GET /v1/projects/{project}/instances", srv.rest(ServiceSQLAdmin, OpListSQLInstances, srv.listSQLInstances))
	simHandler := s.Handler()
	mux.Handle("/sim/", simHandler)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.CountRejected("unknown_path")
		restError(w, http.StatusNotFound, "NOT_FOUND", "notFound", fmt.Sprintf("The path %q is not simulated.", r.URL.Path))
	})
	return mux
}

// begin authenticates a call of project, counts it, waits the configured latency and draws
// its fault: the gRPC status to answer with, or nil, and whether the body is to be malformed.
func (srv *server) begin(authz, projectRef, service, op string) (project string, st *status.Status, malformed bool) {
	switch srv.checkToken(authz) {
	case "missing":
		srv.sim.CountRejected("missing_credentials")
		return "", status.New(codes.Unauthenticated, "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential."), false
	case "invalid", "expired":
		srv.sim.CountRejected("invalid_credentials")
		return "", expired(), false
	}
	p, ok := srv.project(projectRef)
	if !ok {
		srv.sim.CountRejected("unknown_project")
		return "", status.Newf(codes.PermissionDenied, "Permission denied (or the resource may not exist) for project %q.", projectRef), false
	}
	srv.sim.CountCall(p.ID, "", service, op)
	if d := srv.sim.Latency(p.ID, op); d > 0 {
		time.Sleep(d)
	}
	switch srv.sim.Fault(p.ID, service, op) {
	case sim.FaultThrottle:
		return p.ID, status.Newf(codes.ResourceExhausted,
			"Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service '%s.googleapis.com' for consumer 'project_number:%d'.",
			service, p.Number), false
	case sim.FaultServerError:
		return p.ID, status.New(codes.Unavailable, "The service is currently unavailable."), false
	case sim.FaultExpired:
		return p.ID, expired(), false
	case sim.FaultMalformed:
		return p.ID, nil, true
	}
	return p.ID, nil, false
}

func expired() *status.Status {
	return status.New(codes.Unauthenticated, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.")
}

// project resolves a project id or number.
func (srv *server) project(ref string) (sim.GCPProject, bool) {
	for _, p := range srv.fleet.Projects {
		if p.ID == ref || fmt.Sprint(p.Number) == ref {
			return p, true
		}
	}
	return sim.GCPProject{}, false
}

// grpcBegin is begin for a gRPC call on projects/{ref}.
func (srv *server) grpcBegin(ctx context.Context, name, op string) (string, bool, error) {
	var authz string
	if md, ok := metadata.FromIncomingContext(ctx); ok && len(md.Get("authorization")) > 0 {
		authz = md.Get("authorization")[0]
	}
	ref, ok := strings.CutPrefix(name, "projects/")
	if !ok {
		return "", false, status.Errorf(codes.InvalidArgument, "Name must begin with projects/, got %q.", name)
	}
	project, st, malformed := srv.begin(authz, ref, ServiceMonitoring, op)
	return project, malformed, st.Err()
}

// restHandler answers one REST operation for a project; it returns the body to encode.
type restHandler func(r *http.Request, project string) (any, error)

// rest authenticates, counts and faults a REST call, then answers it as Google APIs do.
func (srv *server) rest(service, op string, h restHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		project, st, malformed := srv.begin(r.Header.Get("Authorization"), r.PathValue("project"), service, op)
		if st != nil {
			writeStatus(w, st)
			return
		}
		body, err := h(r, project)
		if err != nil {
			writeStatus(w, status.Convert(err))
			return
		}
		b, _ := json.Marshal(body)
		if malformed {
			b = b[:len(b)/2]
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		_, _ = w.Write(b)
	})
}

// httpStatus is the HTTP status and error reason Google's REST APIs give each gRPC code.
var httpStatus = map[codes.Code]struct {
	code   int
	reason string
}{
	codes.ResourceExhausted: {http.StatusTooManyRequests, "rateLimitExceeded"},
	codes.Unavailable:       {http.StatusServiceUnavailable, "backendError"},
	codes.Unauthenticated:   {http.StatusUnauthorized, "authError"},
	codes.PermissionDenied:  {http.StatusForbidden, "forbidden"},
	codes.InvalidArgument:   {http.StatusBadRequest, "invalid"},
	codes.NotFound:          {http.StatusNotFound, "notFound"},
}

func writeStatus(w http.ResponseWriter, st *status.Status) {
	h, ok := httpStatus[st.Code()]
	if !ok {
		h.code, h.reason = http.StatusInternalServerError, "backendError"
	}
	restError(w, h.code, rpccode.Code_name[int32(st.Code())], h.reason, st.Message())
}

// restError writes Google's JSON error body, which googleapi.CheckResponse turns into a
// *googleapi.Error with Code and Errors[].Reason.
func restError(w http.ResponseWriter, code int, statusName, reason, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{
		"code": code, "message": msg, "status": statusName,
		"errors": []map[string]string{{"message": msg, "domain": "global", "reason": reason}},
	}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
