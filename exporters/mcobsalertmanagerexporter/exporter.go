package mcobsalertmanagerexporter

import (
	"context"
	"maps"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.uber.org/zap"

	"github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter/internal/metadata"
	"github.com/mcobs/mcobs/internal/analytics/detect"
)

// pending is an alert not yet accepted by every peer. seq tells versions apart, so a send
// that raced with a newer change does not clear the newer one.
type pending struct {
	alert alert
	seq   uint64
	todo  []bool // per peer: still to send
}

// series is what the exporter remembers of one anomaly.level series.
type series struct {
	labels   map[string]string
	level    int
	ts       pcommon.Timestamp // event time of the last point applied
	since    time.Time         // event time the current level began
	values   values
	seen     time.Time // wall clock of the last point, for staleness
	lastSent time.Time // wall clock of the last send of the firing alert
	pending  map[int]*pending
}

type alertExporter struct {
	cfg    *Config
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	peers  *peers
	now    func() time.Time
	min    int // the detect.Level of cfg.MinLevel

	mu        sync.Mutex
	series    map[string]*series
	owing     map[string]*series // series with alerts some peer has not accepted
	seq       uint64
	lastSweep time.Time
}

func newExporter(cfg *Config, set exporter.Settings, now func() time.Time) (*alertExporter, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	ml, _ := detect.ParseLevel(cfg.MinLevel) // valid: Validate checked it
	return &alertExporter{
		cfg:    cfg,
		min:    int(ml),
		logger: set.Logger,
		tel:    tel,
		peers:  newPeers(cfg),
		now:    now,
		series: map[string]*series{},
		owing:  map[string]*series{},
	}, nil
}

func (e *alertExporter) shutdown(context.Context) error {
	e.peers.close()
	e.tel.Shutdown()
	return nil
}

// push applies md's level points to the series' state and sends every alert still owed to a
// peer. It is safe to call again with the same md (a retry): points not newer than a series'
// last one are ignored, and what a peer did not accept is still pending.
func (e *alertExporter) push(ctx context.Context, md pmetric.Metrics) error {
	obs := observe(md)
	batch := e.apply(ctx, obs)
	if len(batch) == 0 {
		return nil
	}
	results := e.peers.send(ctx, batch)
	return e.settle(ctx, batch, results)
}

// outgoing is one pending alert as snapshotted for a send.
type outgoing struct {
	key   string
	level int
	seq   uint64
	alert alert
	todo  []bool
}

// apply updates the state from obs and returns the alerts to send.
func (e *alertExporter) apply(ctx context.Context, obs []observation) []outgoing {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	before := len(e.series)
	for _, o := range obs {
		s := e.series[o.key]
		if s == nil {
			s = &series{labels: o.labels, since: o.ts.AsTime(), pending: map[int]*pending{}}
			e.series[o.key] = s
		} else if o.ts <= s.ts {
			continue // a point seen before (a retry) or older than the last one applied
		}
		s.seen = now
		if o.level != s.level {
			at := o.ts.AsTime()
			if s.level >= e.min {
				// with the values of the level's last point, not of the point that ended it
				e.owe(o.key, s, s.level, e.resolved(s, at))
			}
			s.level, s.since, s.values = o.level, at, o.values
			if s.level >= e.min {
				e.owe(o.key, s, s.level, e.firing(s, now))
				s.lastSent = now
			}
		} else {
			s.values = o.values
			if s.level >= e.min && now.Sub(s.lastSent) >= e.cfg.ResendInterval {
				e.owe(o.key, s, s.level, e.firing(s, now))
				s.lastSent = now
			}
		}
		s.ts = o.ts
	}
	e.sweep(now)
	if d := len(e.series) - before; d != 0 {
		e.tel.ExporterMcobsAlertmanagerSeries.Add(ctx, int64(d))
	}
	var out []outgoing
	for k, s := range e.owing {
		for lv, p := range s.pending {
			out = append(out, outgoing{key: k, level: lv, seq: p.seq, alert: p.alert, todo: append([]bool(nil), p.todo...)})
		}
	}
	// In the order the changes happened, so a resolved alert precedes the firing one that
	// replaced it and the requests are the same from run to run.
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// sweep forgets series without points for stale_after; their firing alerts have expired in
// Alertmanager by then (alert_ttl is shorter).
func (e *alertExporter) sweep(now time.Time) {
	if now.Sub(e.lastSweep) < time.Minute {
		return
	}
	e.lastSweep = now
	for k, s := range e.series {
		if now.Sub(s.seen) >= e.cfg.StaleAfter {
			delete(e.series, k)
			delete(e.owing, k)
		}
	}
}

func (e *alertExporter) owe(key string, s *series, level int, a alert) {
	e.owing[key] = s
	e.seq++
	todo := make([]bool, e.peers.len())
	for i := range todo {
		todo[i] = true
	}
	s.pending[level] = &pending{alert: a, seq: e.seq, todo: todo}
}

func (e *alertExporter) labels(s *series, level int) map[string]string {
	l := maps.Clone(s.labels)
	l["alertname"] = e.cfg.AlertName
	l["severity"] = detect.Level(level).String()
	return l
}

func (e *alertExporter) firing(s *series, now time.Time) alert {
	return alert{
		Labels:       e.labels(s, s.level),
		Annotations:  annotations(s.labels, detect.Level(s.level).String(), s.values),
		StartsAt:     formatTime(s.since),
		EndsAt:       formatTime(now.Add(e.cfg.AlertTTL)),
		GeneratorURL: e.cfg.GeneratorURL,
	}
}

func (e *alertExporter) resolved(s *series, at time.Time) alert {
	return alert{
		Labels:       e.labels(s, s.level),
		Annotations:  annotations(s.labels, detect.Level(s.level).String(), s.values),
		StartsAt:     formatTime(s.since),
		EndsAt:       formatTime(at),
		GeneratorURL: e.cfg.GeneratorURL,
	}
}

// settle clears what each peer accepted (or refused as malformed, which a resend cannot fix) and returns an error naming the peers that did not.
func (e *alertExporter) settle(ctx context.Context, batch []outgoing, results []peerResult) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, o := range batch {
		s := e.owing[o.key]
		if s == nil {
			continue
		}
		p := s.pending[o.level]
		if p == nil || p.seq != o.seq {
			continue
		}
		done := true
		for i := range p.todo {
			if p.todo[i] && (results[i].accepted || results[i].permanent) {
				p.todo[i] = false
			}
			done = done && !p.todo[i]
		}
		if done {
			delete(s.pending, o.level)
			if len(s.pending) == 0 {
				delete(e.owing, o.key)
			}
		}
	}
	return e.peers.report(ctx, e.tel, e.logger, results)
}
