package actions

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultMaxBodyBytes is the largest webhook accepted; Alertmanager's payloads are far smaller
// unless max_alerts is unbounded.
const DefaultMaxBodyBytes = 1 << 20

// Server is the webhook receiver, the history API and the history page over one Runner.
type Server struct {
	runner    *Runner
	token     string
	basicUser string
	maxBody   int64

	maxRejected int
	sampler     *rejectSampler
	registry    *prometheus.Registry
	metrics     *rejectMetrics
}

// ServerOptions configure the HTTP side.
type ServerOptions struct {
	// Token is required on the webhook, as `Authorization: Bearer <token>` or as the password of
	// basic auth (Alertmanager's http_config authorization or basic_auth). Must not be empty.
	Token string
	// BasicUser, when set, is the only username basic auth accepts.
	BasicUser string
	// MaxBodyBytes is the largest webhook body accepted (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// MaxRejectedEvents bounds the rejected events kept in the history
	// (default DefaultMaxRejectedEvents); the oldest go first.
	MaxRejectedEvents int
	// RejectedPerMinute bounds how many refused requests are recorded per minute
	// (default DefaultRejectedPerMinute); all of them are counted in the self-metrics.
	RejectedPerMinute int
}

// NewServer returns the HTTP side of a runner.
func NewServer(r *Runner, o ServerOptions) (*Server, error) {
	if o.Token == "" {
		return nil, errors.New("webhook token must not be empty")
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxRejectedEvents <= 0 {
		o.MaxRejectedEvents = DefaultMaxRejectedEvents
	}
	if o.RejectedPerMinute <= 0 {
		o.RejectedPerMinute = DefaultRejectedPerMinute
	}
	reg := prometheus.NewRegistry()
	return &Server{
		runner: r, token: o.Token, basicUser: o.BasicUser, maxBody: o.MaxBodyBytes,
		maxRejected: o.MaxRejectedEvents,
		sampler:     &rejectSampler{perWindow: o.RejectedPerMinute, window: time.Minute},
		registry:    reg,
		metrics:     newRejectMetrics(reg),
	}, nil
}

// Handler routes POST /api/v1/alerts, GET /api/v1/history, GET /healthz, GET /metrics (the
// runner's self-metrics) and the page at /.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/alerts", s.handleWebhook)
	mux.HandleFunc("GET /api/v1/history", s.handleHistory)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", s.handlePage)
	return mux
}

// Serve answers on ln and runs due stages until ctx ends, then shuts the server down and
// lets running stages finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener, poll time.Duration) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	loopCtx, stopLoop := context.WithCancel(context.WithoutCancel(ctx))
	loopDone := make(chan struct{})
	go func() { defer close(loopDone); s.runner.Loop(loopCtx, poll) }()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.runner.log.Info("action runner listening", slog.String("addr", ln.Addr().String()))
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	stopLoop()
	<-loopDone
	s.runner.log.Info("action runner stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (s *Server) authorized(r *http.Request) bool {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return subtle.ConstantTimeCompare([]byte(strings.TrimPrefix(h, "Bearer ")), []byte(s.token)) == 1
	}
	if u, p, ok := r.BasicAuth(); ok {
		userOK := s.basicUser == "" || subtle.ConstantTimeCompare([]byte(u), []byte(s.basicUser)) == 1
		return userOK && subtle.ConstantTimeCompare([]byte(p), []byte(s.token)) == 1
	}
	return false
}

func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mcobs-actions"`)
		s.reject(w, r, http.StatusUnauthorized, "missing or wrong credentials")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.reject(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.maxBody))
			return
		}
		s.reject(w, r, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	m, err := decodeMessage(body)
	if err != nil {
		s.reject(w, r, http.StatusBadRequest, err.Error())
		return
	}
	n, err := s.runner.ingest(r.Context(), m, r.RemoteAddr)
	if err != nil {
		// 5xx so Alertmanager retries: nothing of this payload was recorded.
		s.runner.log.Error("recording a webhook", slog.Any("error", err))
		http.Error(w, "history unavailable", http.StatusInternalServerError)
		return
	}
	if n > 0 {
		s.runner.Kick()
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"alerts":%d,"scheduled":%d}`+"\n", len(m.Alerts), n)
}

func queryFrom(r *http.Request) (Query, error) {
	q := Query{Alertname: r.URL.Query().Get("alertname"), Status: r.URL.Query().Get("status"), Limit: 100}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 || n > 10000 {
			return q, fmt.Errorf("`limit` must be an integer from 1 to 10000, got %q", l)
		}
		q.Limit = n
	}
	return q, nil
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	_, h, ok := s.readHistory(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(h)
}

// readHistory answers the query in r's parameters for the history API and the page alike,
// writing the 4xx or 5xx itself when it fails.
func (s *Server) readHistory(w http.ResponseWriter, r *http.Request) (Query, *History, bool) {
	q, err := queryFrom(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return q, nil, false
	}
	h, err := s.runner.store.History(r.Context(), q)
	if err != nil {
		s.runner.log.Error("reading history", slog.Any("error", err))
		http.Error(w, "history unavailable", http.StatusInternalServerError)
		return q, nil, false
	}
	return q, h, true
}
