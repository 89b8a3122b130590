package actions

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// Defaults bounding what refused requests can write to the history. Anyone who can reach the
// port can send refused requests, so they must not be able to fill the disk or keep the single
// database connection busy: every one is counted in a self-metric, and only a sample is kept.
const (
	// DefaultMaxRejectedEvents is how many rejected events the history keeps at most; older
	// ones are deleted as new ones are recorded, whatever the retention.
	DefaultMaxRejectedEvents = 1000
	// DefaultRejectedPerMinute is how many rejected requests are recorded per minute at most;
	// the rest are only counted, and the next recorded one says how many were left out.
	DefaultRejectedPerMinute = 10
	// maxRejectDetail bounds a rejected event's detail: a decode or validation error can quote
	// up to a whole (1 MiB) body.
	maxRejectDetail = 512
)

// rejectMetrics are the action runner's self-metrics about refused requests.
type rejectMetrics struct {
	rejected *prometheus.CounterVec // by HTTP status code
	recorded prometheus.Counter
}

func newRejectMetrics(reg prometheus.Registerer) *rejectMetrics {
	m := &rejectMetrics{
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mcobs_actions_rejected_requests_total",
			Help: "Webhook requests refused with a 4xx, by HTTP status code (all of them, recorded in the history or not).",
		}, []string{"code"}),
		recorded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mcobs_actions_rejected_requests_recorded_total",
			Help: "Refused webhook requests written to the history (a rate-limited sample of mcobs_actions_rejected_requests_total).",
		}),
	}
	reg.MustRegister(m.rejected, m.recorded)
	return m
}

// rejectSampler lets at most perWindow rejections per window through to the history and
// counts the others, so the next recorded one can say how many it stands for. A fixed window
// on the injected clock is enough here: the point is a bound on writes, not smooth pacing.
type rejectSampler struct {
	perWindow int
	window    time.Duration

	mu      sync.Mutex
	start   time.Time
	used    int
	skipped int64
}

// admit reports whether the rejection at now is recorded and, if so, how many rejections
// before it were not.
func (s *rejectSampler) admit(now time.Time) (bool, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.start) >= s.window || now.Before(s.start) {
		s.start, s.used = now, 0
	}
	if s.used >= s.perWindow {
		s.skipped++
		return false, 0
	}
	s.used++
	skipped := s.skipped
	s.skipped = 0
	return true, skipped
}

// reject answers a refused request: it is always counted, and recorded in the history only
// when the sampler admits it, with its detail truncated.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, code int, detail string) {
	s.metrics.rejected.WithLabelValues(strconv.Itoa(code)).Inc()
	now := s.runner.now().UTC()
	if ok, skipped := s.sampler.admit(now); ok {
		d := truncate(detail, maxRejectDetail)
		if skipped > 0 {
			d += fmt.Sprintf(" (+%d earlier rejection(s) not recorded)", skipped)
		}
		ev := &Event{ReceivedAt: now, Remote: r.RemoteAddr, Status: OutcomeRejected, Outcome: OutcomeRejected, HTTPStatus: code, Detail: d}
		// A fresh context: the client hanging up must not leave the sample half-written.
		if err := s.runner.store.recordRejected(context.WithoutCancel(r.Context()), ev, s.maxRejected); err != nil {
			s.runner.log.Error("recording a rejected webhook", slog.Any("error", err))
		} else {
			s.metrics.recorded.Inc()
		}
	}
	http.Error(w, truncate(detail, maxRejectDetail), code)
}

// truncate cuts s to at most n bytes on a rune boundary, saying how long it was.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… [%d bytes]", len(s))
}
