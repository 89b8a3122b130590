package anomalyprocessor

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor"
	"go.uber.org/zap"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/internal/pdatautil"
	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadata"
)

// scopeName is the instrumentation scope of the processor's points; the names of its metrics and
// attributes are in internal/anomalymetrics (README.md has PromQL examples).
const scopeName = "github.com/mcobs/mcobs/processors/anomalyprocessor"

type anomalyProcessor struct {
	cfg    *Config
	dcfg   detect.Config
	id     component.ID
	logger *zap.Logger
	tel    *metadata.TelemetryBuilder
	next   consumer.Metrics
	now    func() time.Time

	scored map[string]bool  // metric names scored alone
	member map[string][]int // metric name -> indexes of the groups it belongs to

	mu        sync.Mutex
	series    map[string]*seriesModel
	groups    map[string]*groupModel
	lastEvict time.Time

	client storage.Client
	stop   chan struct{}
	done   sync.WaitGroup
}

type seriesModel struct {
	det      *detect.Detector
	lastSeen int64 // Unix seconds of the processor's clock
}

func newProcessor(cfg *Config, set processor.Settings, next consumer.Metrics, now func() time.Time) (*anomalyProcessor, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := &anomalyProcessor{
		cfg:    cfg,
		dcfg:   cfg.detectConfig(),
		id:     set.ID,
		logger: set.Logger,
		tel:    tel,
		next:   next,
		now:    now,
		scored: map[string]bool{},
		member: map[string][]int{},
		series: map[string]*seriesModel{},
		groups: map[string]*groupModel{},
	}
	if err := p.dcfg.Validate(); err != nil {
		return nil, err
	}
	for _, m := range cfg.Metrics {
		p.scored[m] = true
	}
	for i, g := range cfg.Groups {
		for _, m := range g.Metrics {
			p.member[m] = append(p.member[m], i)
		}
	}
	return p, nil
}

func (p *anomalyProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// Start restores the models from the storage extension, if one is configured, and starts the
// periodic checkpoint.
func (p *anomalyProcessor) Start(ctx context.Context, host component.Host) error {
	p.stop = make(chan struct{})
	if p.cfg.Storage == nil {
		return nil
	}
	client, err := storageClient(ctx, host, *p.cfg.Storage, p.id)
	if err != nil {
		return err
	}
	p.client = client
	p.restore(ctx)
	p.done.Add(1)
	go p.checkpointLoop()
	return nil
}

// Shutdown stops the periodic checkpoint and writes a last one.
func (p *anomalyProcessor) Shutdown(ctx context.Context) error {
	if p.stop != nil {
		close(p.stop)
		p.done.Wait()
		p.stop = nil
	}
	defer p.tel.Shutdown()
	if p.client == nil {
		return nil
	}
	p.checkpoint(ctx)
	err := p.client.Close(ctx)
	p.client = nil
	return err
}

func (p *anomalyProcessor) checkpointLoop() {
	defer p.done.Done()
	t := time.NewTicker(p.cfg.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.checkpoint(context.Background())
		}
	}
}

// ConsumeMetrics scores the configured series of md, adds the anomaly metrics to each resource
// that has any, and passes everything on.
func (p *anomalyProcessor) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	p.mu.Lock()
	now := p.now()
	var st stats
	rms := md.ResourceMetrics()
	outs := make([]*output, rms.Len())
	var gb groupBatch
	for i := range rms.Len() {
		rm := rms.At(i)
		resKey := attrKey(rm.Resource().Attributes())
		outs[i] = newOutput()
		var gv *groupValues
		if len(p.member) > 0 {
			gv = gb.of(resKey, outs[i])
		}
		p.processResource(rm, resKey, outs[i], gv, now, &st)
	}
	for _, rg := range gb.order {
		p.scoreGroups(rg.key, &rg.values, now, rg.out, &st)
	}
	for i, out := range outs {
		out.appendTo(rms.At(i))
	}
	p.evictStale(ctx, now)
	p.mu.Unlock()
	st.report(ctx, p.tel)
	return p.next.ConsumeMetrics(ctx, md)
}

// stats are the per-call counts reported to the self-metrics once the lock is released.
type stats struct {
	scored, refused, nonFinite, newModels int64
	newBytes                              int64
}

func (s *stats) report(ctx context.Context, tel *metadata.TelemetryBuilder) {
	if s.scored > 0 {
		tel.ProcessorAnomalyPointsScored.Add(ctx, s.scored)
	}
	if s.refused > 0 {
		tel.ProcessorAnomalyPointsRefused.Add(ctx, s.refused)
	}
	if s.nonFinite > 0 {
		tel.ProcessorAnomalyPointsNonFinite.Add(ctx, s.nonFinite)
	}
	if s.newModels > 0 {
		tel.ProcessorAnomalySeries.Add(ctx, s.newModels)
		tel.ProcessorAnomalyStateBytes.Add(ctx, s.newBytes)
	}
}

// processResource scores the configured series of rm into out and collects its group members
// into gv (nil when no group is configured).
func (p *anomalyProcessor) processResource(rm pmetric.ResourceMetrics, resKey string, out *output, gv *groupValues, now time.Time, st *stats) {
	sms := rm.ScopeMetrics()
	for i := range sms.Len() {
		ms := sms.At(i).Metrics()
		for j := range ms.Len() {
			m := ms.At(j)
			dps, ok := pdatautil.NumberPoints(m)
			if !ok {
				continue
			}
			if p.scored[m.Name()] {
				p.scoreMetric(resKey, m.Name(), dps, now, out, st)
			}
			if idx := p.member[m.Name()]; len(idx) > 0 {
				gv.add(m.Name(), dps)
			}
		}
	}
}

func pointValue(dp pmetric.NumberDataPoint) float64 {
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue())
	}
	return dp.DoubleValue()
}

func pointTime(dp pmetric.NumberDataPoint, now time.Time) pcommon.Timestamp {
	if dp.Timestamp() == 0 {
		return pcommon.NewTimestampFromTime(now)
	}
	return dp.Timestamp()
}

func (p *anomalyProcessor) scoreMetric(resKey, name string, dps pmetric.NumberDataPointSlice, now time.Time, out *output, st *stats) {
	reserved := false
	for k := range dps.Len() {
		dp := dps.At(k)
		v := pointValue(dp)
		if !detect.Usable(v) {
			st.nonFinite++
			continue
		}
		key := seriesKey(resKey, name, dp.Attributes())
		sm := p.series[key]
		if sm == nil {
			if p.models() >= p.cfg.MaxSeries {
				st.refused++
				continue
			}
			det, _ := detect.New(p.dcfg) // dcfg was validated in newProcessor
			sm = &seriesModel{det: det}
			p.series[key] = sm
			st.newModels++
			st.newBytes += int64(det.Size())
		}
		sm.lastSeen = now.Unix()
		ts := pointTime(dp, now)
		r := sm.det.UpdateUnix(int64(ts)/1e9, v)
		st.scored++
		if !reserved {
			out.reserve(dps.Len() - k)
			reserved = true
		}
		out.add(name, dp.Attributes(), ts, r)
	}
}

// seriesKey names a series' model: its resource's attrKey, the metric and the point's attributes.
func seriesKey(resKey, name string, attrs pcommon.Map) string {
	return resKey + "\x1e" + name + "\x1e" + attrKey(attrs)
}

func (p *anomalyProcessor) models() int { return len(p.series) + len(p.groups) }

// evictStale drops the models of series and groups not seen for stale_after. It scans at most
// once per tenth of stale_after, so its cost is spread thin.
func (p *anomalyProcessor) evictStale(ctx context.Context, now time.Time) {
	if now.Sub(p.lastEvict) < p.cfg.StaleAfter/10 {
		return
	}
	p.lastEvict = now
	cut := now.Add(-p.cfg.StaleAfter).Unix()
	var n, bytes int64
	for k, s := range p.series {
		if s.lastSeen < cut {
			delete(p.series, k)
			n++
			bytes += int64(s.det.Size())
		}
	}
	for k, g := range p.groups {
		if g.lastSeen < cut {
			delete(p.groups, k)
			n++
			bytes += int64(g.model.Size())
		}
	}
	if n > 0 {
		p.tel.ProcessorAnomalySeriesEvicted.Add(ctx, n)
		p.tel.ProcessorAnomalySeries.Add(ctx, -n)
		p.tel.ProcessorAnomalyStateBytes.Add(ctx, -bytes)
	}
}
