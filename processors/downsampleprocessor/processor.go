package downsampleprocessor

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
	"github.com/mcobs/mcobs/processors/downsampleprocessor/internal/metadata"
)

// maxNameCache bounds the metric-name → candidate-rules cache.
const maxNameCache = 10_000

type downsampleProcessor struct {
	cfg    *Config
	rules  []*rule
	next   consumer.Metrics
	logger *zap.Logger
	tb     *metadata.TelemetryBuilder
	now    func() time.Time
	seed   maphash.Seed

	mu        sync.Mutex
	series    map[uint64]*series
	resources map[uint64]*resEntry
	scopes    map[uint64]*scopeEntry
	names     map[string][]*rule
	out       []emitted
	buf       []reduce.Point
	bytes     int64
	emitted   int64  // points sent on so far, for the benchmarks' kept share
	gen       uint64 // ConsumeMetrics calls so far, to mark a series spilled within one

	stop chan struct{}
	done chan struct{}
}

var _ processor.Metrics = (*downsampleProcessor)(nil)

func newProcessor(set processor.Settings, cfg *Config, next consumer.Metrics, now func() time.Time) (*downsampleProcessor, error) {
	rules, err := compileRules(cfg)
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &downsampleProcessor{
		cfg: cfg, rules: rules, next: next, logger: set.Logger, tb: tb, now: now, seed: maphash.MakeSeed(),
		series: map[uint64]*series{}, resources: map[uint64]*resEntry{}, scopes: map[uint64]*scopeEntry{},
		names: map[string][]*rule{},
	}, nil
}

// Capabilities says the processor changes the batches it is given.
func (p *downsampleProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// Start launches the eviction loop.
func (p *downsampleProcessor) Start(context.Context, component.Host) error {
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.evictLoop(p.cfg.StaleAfter / 4)
	p.logger.Info("downsample processor started", zap.Int("rules", len(p.rules)), zap.Int("max_series", p.cfg.MaxSeries))
	return nil
}

// Shutdown stops the eviction loop and flushes every open window and segment downstream, so
// no accepted point is lost.
func (p *downsampleProcessor) Shutdown(ctx context.Context) error {
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	md := p.flushWhere(func(*series) bool { return true })
	p.tb.Shutdown()
	p.logger.Info("downsample processor stopped", zap.Int("points_flushed", md.DataPointCount()))
	if md.ResourceMetrics().Len() == 0 {
		return nil
	}
	return p.next.ConsumeMetrics(ctx, md)
}

func (p *downsampleProcessor) evictLoop(every time.Duration) {
	defer close(p.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
			if err := p.evictStale(context.Background()); err != nil {
				p.logger.Warn("sending evicted series downstream", zap.Error(err))
			}
		}
	}
}

// evictStale flushes and forgets the series that received nothing for stale_after.
func (p *downsampleProcessor) evictStale(ctx context.Context) error {
	limit := p.now().Add(-p.cfg.StaleAfter).UnixNano()
	md := p.flushWhere(func(s *series) bool { return s.lastSeen < limit })
	if md.ResourceMetrics().Len() == 0 {
		return nil
	}
	return p.next.ConsumeMetrics(ctx, md)
}

// flushWhere flushes and forgets the series for which evict is true.
func (p *downsampleProcessor) flushWhere(evict func(*series) bool) pmetric.Metrics {
	p.mu.Lock()
	defer p.mu.Unlock()
	md := pmetric.NewMetrics()
	var n, freed int64
	for k, s := range p.series {
		if !evict(s) {
			continue
		}
		p.out = s.flush(p.out, &p.buf)
		freed += int64(s.size())
		p.release(s)
		delete(p.series, k)
		n++
	}
	out := appendOutput(md, p.out)
	clear(p.out)
	p.out = p.out[:0]
	ctx := context.Background()
	p.bytes -= freed
	if n > 0 {
		p.tb.ProcessorDownsampleSeriesEvicted.Add(ctx, n)
		p.tb.ProcessorDownsampleSeries.Add(ctx, -n)
		p.tb.ProcessorDownsampleStateBytes.Add(ctx, -freed)
	}
	if out > 0 {
		p.tb.ProcessorDownsamplePointsOut.Add(ctx, int64(out))
	}
	return md
}

func (p *downsampleProcessor) release(s *series) {
	if s.res.refs--; s.res.refs == 0 {
		delete(p.resources, s.resH)
	}
	if s.scope.refs--; s.scope.refs == 0 {
		delete(p.scopes, s.scH)
	}
}

func (p *downsampleProcessor) rulesFor(name string) []*rule {
	if rs, ok := p.names[name]; ok {
		return rs
	}
	var rs []*rule
	for _, r := range p.rules {
		if r.matchesName(name) {
			rs = append(rs, r)
		}
	}
	if len(p.names) < maxNameCache {
		p.names[name] = rs
	}
	return rs
}

// batch is the per-call context of ConsumeMetrics.
type batch struct {
	now                         int64
	gen                         uint64
	rm                          pmetric.ResourceMetrics
	sm                          pmetric.ScopeMetrics
	m                           pmetric.Metric
	resH, scH, metricH          uint64
	tally                       tally
	newSeries, newBytes, output int64
}

// ConsumeMetrics takes the points of matched metrics into their series and sends on what
// passed through plus everything that became final.
func (p *downsampleProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	p.mu.Lock()
	p.gen++
	b := batch{now: p.now().UnixNano(), gen: p.gen}
	md.ResourceMetrics().RemoveIf(func(rm pmetric.ResourceMetrics) bool {
		b.rm = rm
		b.resH = combine(hashMap(p.seed, rm.Resource().Attributes()), maphash.String(p.seed, rm.SchemaUrl()))
		rm.ScopeMetrics().RemoveIf(func(sm pmetric.ScopeMetrics) bool {
			b.sm = sm
			sc := sm.Scope()
			b.scH = combine(b.resH, maphash.String(p.seed, sc.Name()), maphash.String(p.seed, sc.Version()),
				hashMap(p.seed, sc.Attributes()), maphash.String(p.seed, sm.SchemaUrl()))
			sm.Metrics().RemoveIf(func(m pmetric.Metric) bool { return p.consumeMetric(&b, m) })
			return sm.Metrics().Len() == 0
		})
		return rm.ScopeMetrics().Len() == 0
	})
	for _, r := range p.rules {
		r.adjust()
	}
	if len(p.out) > 0 {
		b.output += int64(appendOutput(md, p.out))
		clear(p.out)
		p.out = p.out[:0]
	}
	p.emitted += b.output
	p.bytes += b.newBytes
	p.mu.Unlock()

	p.record(ctx, &b)
	if md.ResourceMetrics().Len() == 0 {
		return nil
	}
	return p.next.ConsumeMetrics(ctx, md)
}

func (p *downsampleProcessor) record(ctx context.Context, b *batch) {
	t := &b.tally
	for _, c := range []struct {
		add func(int64)
		n   int64
	}{
		{func(n int64) { p.tb.ProcessorDownsamplePointsIn.Add(ctx, n) }, t.in},
		{func(n int64) { p.tb.ProcessorDownsamplePointsOut.Add(ctx, n) }, b.output},
		{func(n int64) { p.tb.ProcessorDownsamplePointsOutOfOrder.Add(ctx, n) }, t.outOfOrder},
		{func(n int64) { p.tb.ProcessorDownsamplePointsNonFinite.Add(ctx, n) }, t.nonFinite},
		{func(n int64) { p.tb.ProcessorDownsamplePointsRefused.Add(ctx, n) }, t.refused},
		{func(n int64) { p.tb.ProcessorDownsampleSeries.Add(ctx, n) }, b.newSeries},
		{func(n int64) { p.tb.ProcessorDownsampleStateBytes.Add(ctx, n) }, b.newBytes},
	} {
		if c.n != 0 {
			c.add(c.n)
		}
	}
}

// consumeMetric takes the matched points of one metric and reports whether the metric is now
// empty and can be removed from the batch.
func (p *downsampleProcessor) consumeMetric(b *batch, m pmetric.Metric) bool {
	rules := p.rulesFor(m.Name())
	if len(rules) == 0 {
		return false
	}
	b.m = m
	b.metricH = combine(b.scH, maphash.String(p.seed, m.Name()), metricShape(m))
	res := b.rm.Resource().Attributes()
	switch m.Type() {
	case pmetric.MetricTypeGauge, pmetric.MetricTypeSum:
		var dps pmetric.NumberDataPointSlice
		if m.Type() == pmetric.MetricTypeSum {
			dps = m.Sum().DataPoints()
		} else {
			dps = m.Gauge().DataPoints()
		}
		dps.RemoveIf(func(dp pmetric.NumberDataPoint) bool {
			s, take := p.seriesFor(b, rules, dp.Attributes(), res)
			if s == nil {
				return take
			}
			from := len(p.out)
			p.out = s.pushNumber(dp, p.out, &p.buf, &b.tally)
			return !p.reuse(b, s, dp, from)
		})
		return dps.Len() == 0
	case pmetric.MetricTypeHistogram:
		dps := m.Histogram().DataPoints()
		dps.RemoveIf(func(dp pmetric.HistogramDataPoint) bool {
			s, take := p.seriesFor(b, rules, dp.Attributes(), res)
			if s != nil {
				p.out = s.pushHistogram(dp, p.out, &b.tally)
			}
			return take
		})
		return dps.Len() == 0
	}
	return false
}

// reuse writes the first point a series emitted for dp into dp itself, which then stays in the
// batch: no new point, no attribute copy. It applies to kinds whose output is the input metric.
// Further points go to the appended output, and so does everything else the series emits in
// this batch, so its points stay in time order downstream.
func (p *downsampleProcessor) reuse(b *batch, s *series, dp pmetric.NumberDataPoint, from int) bool {
	if s.kind != kindReduce && s.kind != kindCumRollup {
		return false
	}
	n := len(p.out) - from
	if n == 0 || s.spill == b.gen {
		return false
	}
	if n > 1 {
		s.spill = b.gen
	}
	setNumber(dp, &p.out[from])
	copy(p.out[from:], p.out[from+1:])
	p.out[len(p.out)-1] = emitted{}
	p.out = p.out[:len(p.out)-1]
	b.output++
	return true
}

// metricShape tells apart metrics of one name whose points cannot share a series: type,
// temporality and monotonicity.
func metricShape(m pmetric.Metric) uint64 {
	shape := uint64(m.Type()) << 8
	switch m.Type() {
	case pmetric.MetricTypeSum:
		shape |= uint64(m.Sum().AggregationTemporality()) << 1
		if m.Sum().IsMonotonic() {
			shape |= 1
		}
	case pmetric.MetricTypeHistogram:
		shape |= uint64(m.Histogram().AggregationTemporality()) << 1
	}
	return shape
}

// seriesFor finds or creates the series of a data point. take is false when no rule handles
// the point (it stays in the batch); s is nil with take true when the series limit refused it.
func (p *downsampleProcessor) seriesFor(b *batch, rules []*rule, attrs, res pcommon.Map) (*series, bool) {
	r := firstMatch(rules, attrs, res)
	if r == nil {
		return nil, false
	}
	k, ok := kindOf(b.m, r)
	if !ok {
		return nil, false
	}
	key := combine(b.metricH, hashMap(p.seed, attrs))
	s := p.series[key]
	if s == nil {
		if len(p.series) >= p.cfg.MaxSeries {
			b.tally.refused++
			return nil, true
		}
		s = p.newSeries(b, r, k, attrs)
		p.series[key] = s
		b.newSeries++
		b.newBytes += int64(s.size())
	}
	s.lastSeen = b.now
	return s, true
}

func (p *downsampleProcessor) newSeries(b *batch, r *rule, k kind, attrs pcommon.Map) *series {
	re := p.resources[b.resH]
	if re == nil {
		re = &resEntry{res: pcommon.NewResource(), schema: b.rm.SchemaUrl()}
		b.rm.Resource().CopyTo(re.res)
		p.resources[b.resH] = re
	}
	re.refs++
	se := p.scopes[b.scH]
	if se == nil {
		se = &scopeEntry{scope: pcommon.NewInstrumentationScope(), schema: b.sm.SchemaUrl()}
		b.sm.Scope().CopyTo(se.scope)
		p.scopes[b.scH] = se
	}
	se.refs++
	m := b.m
	s := &series{
		res: re, scope: se, resH: b.resH, scH: b.scH, name: m.Name(), desc: m.Description(), unit: m.Unit(),
		attrs: pcommon.NewMap(), rule: r, kind: k, mtype: m.Type(),
	}
	attrs.CopyTo(s.attrs)
	switch m.Type() {
	case pmetric.MetricTypeSum:
		s.temporality, s.monotonic = m.Sum().AggregationTemporality(), m.Sum().IsMonotonic()
	case pmetric.MetricTypeHistogram:
		s.temporality = m.Histogram().AggregationTemporality()
	}
	newState(s)
	return s
}
