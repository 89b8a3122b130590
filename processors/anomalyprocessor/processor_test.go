package anomalyprocessor

import (
	"bytes"
	"context"
	"errors"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/mcobs/mcobs/internal/anomalymetrics"
	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadata"
	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadatatest"
)

var clock = time.Date(2026, 1, 1, 0, 15, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

func testConfig(mod func(c *Config)) *Config {
	c := createDefaultConfig().(*Config)
	c.Metrics = []string{"system.cpu.utilization"}
	c.WarmUp = 3
	if mod != nil {
		mod(c)
	}
	return c
}

func newTestProcessor(t *testing.T, cfg *Config, tt *componenttest.Telemetry, now func() time.Time) (*anomalyProcessor, *consumertest.MetricsSink) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.MetricsSink)
	set := metadatatest.NewSettings(tt)
	p, err := newProcessor(cfg, set, sink, now)
	require.NoError(t, err)
	return p, sink
}

func TestProcessorGolden(t *testing.T) {
	t.Parallel()
	f := func(dir string, cfg *Config) {
		t.Helper()
		tt := componenttest.NewTelemetry()
		defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
		p, sink := newTestProcessor(t, cfg, tt, fixedNow)
		input, err := golden.ReadMetrics(filepath.Join("testdata", dir, "input.yaml"))
		require.NoError(t, err)
		require.NoError(t, p.ConsumeMetrics(context.Background(), input))
		require.NoError(t, p.Shutdown(context.Background()))
		require.Len(t, sink.AllMetrics(), 1)
		got := sink.AllMetrics()[0]
		path := filepath.Join("testdata", dir, "output.yaml")
		// golden.WriteMetrics(t, path, got, golden.SkipMetricTimestampNormalization()) // regenerate, then check the diff by eye
		want, err := golden.ReadMetrics(path)
		require.NoError(t, err)
		// WriteMetrics sorts data points, so their order is not compared.
		require.NoError(t, pmetrictest.CompareMetrics(want, got, pmetrictest.IgnoreMetricDataPointsOrder()))
	}
	// A configured gauge, per core, gets score, expected value, band and level beside it, linked
	// by the core's attributes and anomaly.metric; in warm-up the score is 0 and the level none;
	// the memory metric passes through untouched.
	f("configured_gauge_is_scored_alongside_the_original", testConfig(func(c *Config) { c.WarmUp = 150 }))
	// Infinite points (NaN is covered in TestNonFinitePointsAreCounted, as NaN != NaN) pass through and get no anomaly points; the finite ones are scored.
	f("non_finite_points_pass_through_unscored", testConfig(func(c *Config) { c.WarmUp = 150 }))
	// After the warm-up, a jump far beyond the range seen is critical, and that point alone (no
	// point is warning) gets anomaly.kind = extreme; the points after it are damped.
	f("critical_point_names_its_kind", testConfig(func(c *Config) { c.WarmUp = 20 }))
	// A group of metrics is scored once per resource, with its energy, threshold and each member's contribution.
	f("group_is_scored_per_resource", testConfig(func(c *Config) {
		c.WarmUp = 150
		c.Metrics = nil
		c.Groups = []GroupConfig{{
			Name:    "host",
			Metrics: []string{"system.cpu.utilization", "system.memory.utilization", "system.disk.busy"},
		}}
	}))
}

// gauge returns a batch with one point of metric name for each host.
func gauge(name string, ts time.Time, v float64, hosts ...string) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for _, h := range hosts {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("host.name", h)
		m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName(name)
		dp := m.SetEmptyGauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
		dp.SetDoubleValue(v)
	}
	return md
}

func TestMaxSeriesRefusesNewSeriesAndCountsThem(t *testing.T) {
	t.Parallel()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, sink := newTestProcessor(t, testConfig(func(c *Config) { c.MaxSeries = 2 }), tt, fixedNow)
	md := gauge("system.cpu.utilization", clock, 0.5, "a", "b", "c", "d")
	require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	assert.Len(t, p.series, 2)
	// Every resource keeps its original metric; only two get anomaly metrics.
	out := sink.AllMetrics()[0]
	withAnomaly := 0
	for i := range out.ResourceMetrics().Len() {
		if out.ResourceMetrics().At(i).ScopeMetrics().Len() == 2 {
			withAnomaly++
		}
	}
	assert.Equal(t, 2, withAnomaly)
	metadatatest.AssertEqualProcessorAnomalyPointsRefused(t, tt, []metricdata.DataPoint[int64]{{Value: 2}},
		metricdatatestIgnore()...)
	metadatatest.AssertEqualProcessorAnomalySeries(t, tt, []metricdata.DataPoint[int64]{{Value: 2}},
		metricdatatestIgnore()...)
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestStaleSeriesAreEvicted(t *testing.T) {
	t.Parallel()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	now := clock
	p, _ := newTestProcessor(t, testConfig(func(c *Config) { c.StaleAfter = time.Hour }), tt, func() time.Time { return now })
	ctx := context.Background()
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", now, 0.5, "a", "b")))
	now = now.Add(40 * time.Minute)
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", now, 0.5, "a")))
	assert.Len(t, p.series, 2, "b is not stale yet")
	now = now.Add(30 * time.Minute)
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", now, 0.5, "a")))
	assert.Len(t, p.series, 1, "b sent nothing for 70m")
	metadatatest.AssertEqualProcessorAnomalySeriesEvicted(t, tt, []metricdata.DataPoint[int64]{{Value: 1}},
		metricdatatestIgnore()...)
	require.NoError(t, p.Shutdown(ctx))
}

func TestNonFinitePointsAreCounted(t *testing.T) {
	t.Parallel()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, sink := newTestProcessor(t, testConfig(nil), tt, fixedNow)
	ctx := context.Background()
	for _, v := range []float64{math.NaN(), math.Inf(-1)} {
		require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", clock, v, "a")))
	}
	metadatatest.AssertEqualProcessorAnomalyPointsNonFinite(t, tt, []metricdata.DataPoint[int64]{{Value: 2}},
		metricdatatestIgnore()...)
	assert.Empty(t, p.series, "a non-finite point must not create a model")
	assert.Equal(t, 2, sink.DataPointCount(), "the points themselves pass through")
	require.NoError(t, p.Shutdown(ctx))
}

// memStorage is an in-memory storage extension.
type memStorage struct {
	component.StartFunc
	component.ShutdownFunc
	mu   sync.Mutex
	data map[string][]byte
	fail error
}

func (s *memStorage) GetClient(context.Context, component.Kind, component.ID, string) (storage.Client, error) {
	return &memClient{s: s}, nil
}

type memClient struct{ s *memStorage }

func (c *memClient) Get(_ context.Context, k string) ([]byte, error) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.fail != nil {
		return nil, c.s.fail
	}
	return c.s.data[k], nil
}

func (c *memClient) Set(_ context.Context, k string, v []byte) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if c.s.fail != nil {
		return c.s.fail
	}
	c.s.data[k] = append([]byte(nil), v...)
	return nil
}

func (c *memClient) Delete(_ context.Context, k string) error {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	delete(c.s.data, k)
	return nil
}

func (*memClient) Batch(context.Context, ...*storage.Operation) error {
	return errors.New("not implemented")
}
func (*memClient) Close(context.Context) error { return nil }

type hostWith map[component.ID]component.Component

func (h hostWith) GetExtensions() map[component.ID]component.Component { return h }

var storageID = component.MustNewID("file_storage")

// run feeds n points of a noisy series with a level shift at shift to p, starting at point
// from, and returns the anomaly scores it emitted.
func run(t *testing.T, p *anomalyProcessor, sink *consumertest.MetricsSink, from, to int) []float64 {
	t.Helper()
	sink.Reset()
	for i := from; i < to; i++ {
		v := 0.3 + 0.02*math.Sin(float64(i)*0.7)
		if i >= 260 {
			v += 0.2
		}
		require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("system.cpu.utilization", clock.Add(time.Duration(i)*time.Minute), v, "a", "b")))
	}
	var scores []float64
	sinkMetrics(sink, anomalymetrics.Score, func(m pmetric.Metric) {
		scores = append(scores, m.Gauge().DataPoints().At(0).DoubleValue())
	})
	return scores
}

func TestCheckpointRestoresModels(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(func(c *Config) { c.Storage = &storageID; c.WarmUp = 20 })
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(ctx)) }()

	// One processor that never stops.
	ref, refSink := newTestProcessor(t, cfg, tt, fixedNow)
	want := run(t, ref, refSink, 0, 300)

	// One that stops at point 200 and restarts from the checkpoint written at shutdown.
	st := &memStorage{data: map[string][]byte{}}
	host := hostWith{storageID: st}
	a, aSink := newTestProcessor(t, cfg, tt, fixedNow)
	require.NoError(t, a.Start(ctx, host))
	got := run(t, a, aSink, 0, 200)
	require.NoError(t, a.Shutdown(ctx))
	require.NotEmpty(t, st.data[checkpointKey])

	b, bSink := newTestProcessor(t, cfg, tt, fixedNow)
	require.NoError(t, b.Start(ctx, host))
	assert.Len(t, b.series, 2)
	got = append(got, run(t, b, bSink, 200, 300)...)
	require.NoError(t, b.Shutdown(ctx))
	require.NoError(t, ref.Shutdown(ctx))

	require.Equal(t, want, got)
	shift := pcommon.NewTimestampFromTime(clock.Add(260 * time.Minute))
	assert.Zero(t, criticalLevels(bSink, 0, shift), "no critical point between the restart and the shift")
	assert.Positive(t, criticalLevels(bSink, shift, math.MaxUint64), "the level shift at point 260 is reported critical after the restart")
}

// criticalLevels counts anomaly.level points with label critical and value 1 in [from, to).
func criticalLevels(sink *consumertest.MetricsSink, from, to pcommon.Timestamp) int {
	n := 0
	sinkMetrics(sink, anomalymetrics.Level, func(m pmetric.Metric) {
		dps := m.Gauge().DataPoints()
		for d := range dps.Len() {
			l, _ := dps.At(d).Attributes().Get(anomalymetrics.AttrLevel)
			ts := dps.At(d).Timestamp()
			if l.Str() == "critical" && dps.At(d).DoubleValue() == 1 && ts >= from && ts < to {
				n++
			}
		}
	})
	return n
}

// sinkMetrics calls fn with every metric named name that reached sink, in order.
func sinkMetrics(sink *consumertest.MetricsSink, name string, fn func(pmetric.Metric)) {
	for _, md := range sink.AllMetrics() {
		rms := md.ResourceMetrics()
		for i := range rms.Len() {
			sms := rms.At(i).ScopeMetrics()
			for j := range sms.Len() {
				ms := sms.At(j).Metrics()
				for k := range ms.Len() {
					if ms.At(k).Name() == name {
						fn(ms.At(k))
					}
				}
			}
		}
	}
}

func TestCorruptCheckpointIsIgnored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testConfig(func(c *Config) { c.Storage = &storageID })
	f := func(name string, blob []byte, getErr error) {
		t.Helper()
		tt := componenttest.NewTelemetry()
		defer func() { require.NoError(t, tt.Shutdown(ctx)) }()
		core, logs := observer.New(zapcore.WarnLevel)
		sink := new(consumertest.MetricsSink)
		set := metadatatest.NewSettings(tt)
		set.Logger = zap.New(core)
		p, err := newProcessor(cfg, set, sink, fixedNow)
		require.NoError(t, err)
		st := &memStorage{data: map[string][]byte{checkpointKey: blob}, fail: getErr}
		require.NoError(t, p.Start(ctx, hostWith{storageID: st}), name)
		assert.Empty(t, p.series, name)
		assert.Equal(t, 1, logs.Len(), name)
		metadatatest.AssertEqualProcessorAnomalyCheckpointErrors(t, tt, []metricdata.DataPoint[int64]{{Value: 1}},
			metricdatatestIgnore()...)
		st.fail = nil
		require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", clock, 0.5, "a")), name)
		require.NoError(t, p.Shutdown(ctx), name)
	}
	valid := func() []byte {
		tt := componenttest.NewTelemetry()
		defer func() { require.NoError(t, tt.Shutdown(ctx)) }()
		p, _ := newTestProcessor(t, testConfig(nil), tt, fixedNow)
		require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", clock, 0.5, "a")))
		b, _ := p.encode()
		require.NoError(t, p.Shutdown(ctx))
		return b
	}()
	// Not a checkpoint at all.
	f("garbage", []byte("hello"), nil)
	// An older layout version.
	f("old version", append([]byte(checkpointMagic+"\x00"), valid[5:]...), nil)
	// Cut in the middle of an entry.
	f("truncated", valid[:len(valid)-10], nil)
	// A model whose bytes were damaged.
	f("damaged model", append(append([]byte(nil), valid[:len(valid)-3000]...), bytes.Repeat([]byte{0xff}, 3000)...), nil)
	// The storage itself fails.
	f("storage error", nil, errors.New("disk on fire"))
}

func TestStartFailsWithoutTheStorageExtension(t *testing.T) {
	t.Parallel()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, _ := newTestProcessor(t, testConfig(func(c *Config) { c.Storage = &storageID }), tt, fixedNow)
	err := p.Start(context.Background(), hostWith{})
	require.ErrorContains(t, err, "`storage` extension \"file_storage\" not found")
	require.NoError(t, p.Shutdown(context.Background()))
}

func TestFactoryCreatesProcessor(t *testing.T) {
	t.Parallel()
	f := NewFactory()
	assert.Equal(t, metadata.Type, f.Type())
	cfg := testConfig(nil)
	p, err := f.CreateMetrics(context.Background(), metadatatest.NewSettings(componenttest.NewTelemetry()), cfg, consumertest.NewNop())
	require.NoError(t, err)
	assert.True(t, p.Capabilities().MutatesData)
	require.NoError(t, p.Shutdown(context.Background()))
}

func metricdatatestIgnore() []metricdatatest.Option {
	return []metricdatatest.Option{metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars()}
}
