package mcobsalertmanagerexporter

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/internal/anomalymetrics"
)

// point is one scored point of one series, as the anomaly processor writes it.
type point struct {
	resource map[string]string
	metric   string // the source metric, anomaly.metric
	level    string
	score    float64
	kind     string // anomaly.kind at warning and critical points; "shift" when empty
}

// anomalyMetrics builds what the anomaly processor emits for points at ts: per resource, the
// score, expected, band, the four level points (1 for the current level) and, at warning and
// critical points, the kind.
func anomalyMetrics(ts time.Time, points ...point) pmetric.Metrics {
	md := pmetric.NewMetrics()
	stamp := pcommon.NewTimestampFromTime(ts)
	for _, p := range points {
		rm := md.ResourceMetrics().AppendEmpty()
		for k, v := range p.resource {
			rm.Resource().Attributes().PutStr(k, v)
		}
		sm := rm.ScopeMetrics().AppendEmpty()
		sm.Scope().SetName("github.com/mcobs/mcobs/processors/anomalyprocessor")
		gauge := func(name string) pmetric.NumberDataPointSlice {
			m := sm.Metrics().AppendEmpty()
			m.SetName(name)
			return m.SetEmptyGauge().DataPoints()
		}
		for _, v := range []struct {
			name  string
			value float64
		}{{anomalymetrics.Score, p.score}, {anomalymetrics.Expected, 0.2}, {anomalymetrics.Lower, 0.1}, {anomalymetrics.Upper, 0.3}} {
			dp := gauge(v.name).AppendEmpty()
			dp.SetTimestamp(stamp)
			dp.SetDoubleValue(v.value)
			dp.Attributes().PutStr("anomaly.metric", p.metric)
		}
		lv := gauge(anomalymetrics.Level)
		for l := detect.LevelNone; l <= detect.LevelCritical; l++ {
			dp := lv.AppendEmpty()
			dp.SetTimestamp(stamp)
			if l.String() == p.level {
				dp.SetDoubleValue(1)
			}
			dp.Attributes().PutStr("anomaly.metric", p.metric)
			dp.Attributes().PutStr(anomalymetrics.AttrLevel, l.String())
		}
		if p.level == "warning" || p.level == "critical" {
			dp := gauge(anomalymetrics.Kind).AppendEmpty()
			dp.SetTimestamp(stamp)
			dp.SetDoubleValue(1)
			dp.Attributes().PutStr("anomaly.metric", p.metric)
			dp.Attributes().PutStr(anomalymetrics.AttrKind, cmp.Or(p.kind, "shift"))
		}
	}
	return md
}

// peer is an httptest Alertmanager that records the alerts posted to /api/v2/alerts and
// answers with the next status of statuses (then 200).
type peer struct {
	srv *httptest.Server

	mu       sync.Mutex
	statuses []int
	requests [][]alert // accepted or not, in arrival order
	accepted [][]alert
	headers  []http.Header
}

func newPeer(t testing.TB, statuses ...int) *peer {
	t.Helper()
	p := &peer{statuses: statuses}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v2/alerts" {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var alerts []alert
		if err := json.Unmarshal(body, &alerts); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		status := http.StatusOK
		if len(p.statuses) > 0 {
			status, p.statuses = p.statuses[0], p.statuses[1:]
		}
		p.requests = append(p.requests, alerts)
		p.headers = append(p.headers, r.Header.Clone())
		if status == http.StatusOK {
			p.accepted = append(p.accepted, alerts)
		}
		p.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// take returns and forgets the requests received so far.
func (p *peer) take() (all, accepted [][]alert) {
	p.mu.Lock()
	defer p.mu.Unlock()
	all, accepted = p.requests, p.accepted
	p.requests, p.accepted = nil, nil
	return all, accepted
}

// clock is a settable now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
