package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Fault kinds returned by Simulator.Fault.
const (
	FaultNone        = ""
	FaultThrottle    = "throttle"
	FaultServerError = "server_error"
	FaultMalformed   = "malformed"
	FaultExpired     = "expired_credentials"
)

// Simulator is the provider-independent core: the fleet, the metric generators, the
// anomalies, the fault schedule and the counters. Provider packages (internal/sim/aws) speak
// the wire protocols on top of it.
type Simulator struct {
	cfg       Config
	fleet     *Fleet
	azure     *AzureFleet
	gcp       *GCPFleet
	now       func() time.Time
	start     time.Time
	anomalies anomalySet
	stats     *statsStore

	faultMu sync.Mutex
	faultN  map[string]uint64
}

// Option configures a Simulator.
type Option func(*Simulator)

// WithClock sets the clock the simulator reads "now" from (default time.Now). Tests inject a
// fixed or stepped clock so settling and STS expiry are deterministic.
func WithClock(now func() time.Time) Option { return func(s *Simulator) { s.now = now } }

// New builds a simulator from a validated config.
func New(cfg Config, opts ...Option) (*Simulator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Simulator{cfg: cfg, now: time.Now, stats: newStatsStore(), faultN: map[string]uint64{}}
	for _, o := range opts {
		o(s)
	}
	s.start = s.now()
	s.fleet = NewFleet(cfg.Seed, cfg)
	s.azure = NewAzureFleet(cfg.Seed, cfg, s.start)
	s.anomalies = newAnomalies(cfg.Seed, s.fleet, cfg.Anomalies, cfg.anomalyStart(s.start))
	s.anomalies.addAzure(cfg.Seed, s.azure, cfg.Anomalies, cfg.anomalyStart(s.start))
	s.gcp = NewGCPFleet(cfg.Seed, cfg, s.start)
	s.anomalies.addGCP(cfg.Seed, s.gcp, cfg.Anomalies, cfg.anomalyStart(s.start))
	return s, nil
}

// Config returns the configuration.
func (s *Simulator) Config() Config { return s.cfg }

// Fleet returns the simulated AWS resources.
func (s *Simulator) Fleet() *Fleet { return s.fleet }

// Azure returns the simulated Azure resources.
func (s *Simulator) Azure() *AzureFleet { return s.azure }

// GCP returns the simulated Google Cloud resources.
func (s *Simulator) GCP() *GCPFleet { return s.gcp }

// Now returns the simulator's current time.
func (s *Simulator) Now() time.Time { return s.now() }

// Truth returns the injected anomalies.
func (s *Simulator) Truth() []Anomaly { return slices.Clone(s.anomalies.list) }

// Latency is the latency to add to a call: faults.latency when the account and operation are
// subject to faults, else zero.
func (s *Simulator) Latency(account, operation string) time.Duration {
	if !s.faulted(account, operation) {
		return 0
	}
	return s.cfg.Faults.Latency
}

// faulted reports whether faults.operations and faults.accounts select a call.
func (s *Simulator) faulted(account, operation string) bool {
	f := s.cfg.Faults
	return (len(f.Operations) == 0 || slices.Contains(f.Operations, operation)) &&
		(len(f.Accounts) == 0 || slices.Contains(f.Accounts, account))
}

// Fault decides whether the next call of an operation by an account gets an injected fault,
// and counts it. The decision is a hash of the seed, the call and its ordinal, so a seed
// replays the same fault sequence for the same sequence of calls.
func (s *Simulator) Fault(account, service, operation string) string {
	f := s.cfg.Faults
	if !s.faulted(account, operation) {
		return FaultNone
	}
	if f.ThrottleRate+f.ServerErrorRate+f.MalformedRate+f.ExpiredCredentialsRate == 0 {
		return FaultNone
	}
	key := account + "|" + service + "|" + operation
	s.faultMu.Lock()
	n := s.faultN[key]
	s.faultN[key]++
	s.faultMu.Unlock()
	u := unit(hashOf(s.cfg.Seed, "fault", key, n))
	kind := FaultNone
	switch {
	case u < f.ThrottleRate:
		kind = FaultThrottle
	case u < f.ThrottleRate+f.ServerErrorRate:
		kind = FaultServerError
	case u < f.ThrottleRate+f.ServerErrorRate+f.MalformedRate:
		kind = FaultMalformed
	case u < f.ThrottleRate+f.ServerErrorRate+f.MalformedRate+f.ExpiredCredentialsRate:
		kind = FaultExpired
	}
	if kind != FaultNone {
		s.countFault(account, service, operation, kind)
	}
	return kind
}

// Handler serves the simulator's own endpoints: GET /sim/health (a readiness probe), GET
// /sim/stats, POST /sim/stats/reset and GET /sim/truth.
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sim/health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"status": "ok", "seed": s.cfg.Seed, "now": s.now().UTC()})
	})
	mux.HandleFunc("GET /sim/stats", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, s.Stats()) })
	mux.HandleFunc("POST /sim/stats/reset", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /sim/truth", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]any{"seed": s.cfg.Seed, "anomalies": s.Truth()})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
