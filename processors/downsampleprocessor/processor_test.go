package downsampleprocessor

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/mcobs/mcobs/processors/downsampleprocessor/internal/metadata"
)

// fakeClock is the injected clock: tests move it instead of waiting.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func loadCaseConfig(t *testing.T, dir string) *Config {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cm, err := confmaptest.LoadConf(filepath.Join(dir, "config.yaml"))
	require.NoError(t, err)
	require.NoError(t, cm.Unmarshal(cfg))
	require.NoError(t, cfg.Validate())
	return cfg
}

func newTestProcessor(t *testing.T, cfg *Config, sink *consumertest.MetricsSink, clock *fakeClock) (*downsampleProcessor, *componenttest.Telemetry) {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := processortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	p, err := newProcessor(set, cfg, sink, clock.now)
	require.NoError(t, err)
	return p, tel
}

// TestGolden runs every testdata/<case>/ directory: the processor with config.yaml consumes
// input.yaml, is shut down (which flushes), and everything it sent must equal output.yaml.
func TestGolden(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "input.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			cfg := loadCaseConfig(t, dir)
			input, err := golden.ReadMetrics(in)
			require.NoError(t, err)
			sink := new(consumertest.MetricsSink)
			p, _ := newTestProcessor(t, cfg, sink, &fakeClock{t: time.Unix(1_700_000_000, 0)})
			require.NoError(t, p.Start(context.Background(), componenttest.NewNopHost()))
			require.NoError(t, p.ConsumeMetrics(context.Background(), input))
			require.NoError(t, p.Shutdown(context.Background()))
			actual := normalize(sink.AllMetrics())
			outPath := filepath.Join(dir, "output.yaml")
			// require.NoError(t, golden.WriteMetrics(t, outPath, actual, golden.SkipMetricTimestampNormalization()))
			expected, err := golden.ReadMetrics(outPath)
			require.NoError(t, err)
			require.NoError(t, pmetrictest.CompareMetrics(normalize([]pmetric.Metrics{expected}), actual,
				pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreScopeMetricsOrder(), pmetrictest.IgnoreMetricsOrder()))
		})
	}
}

// normalize merges batches into one, with one entry per resource, scope and metric and the
// points sorted by attributes then time, so the comparison does not depend on map order.
func normalize(batches []pmetric.Metrics) pmetric.Metrics {
	out := pmetric.NewMetrics()
	rms := map[string]pmetric.ResourceMetrics{}
	sms := map[string]pmetric.ScopeMetrics{}
	ms := map[string]pmetric.Metric{}
	for _, md := range batches {
		for _, rm := range md.ResourceMetrics().All() {
			rk := fmt.Sprint(rm.Resource().Attributes().AsRaw())
			orm, ok := rms[rk]
			if !ok {
				orm = out.ResourceMetrics().AppendEmpty()
				rm.Resource().CopyTo(orm.Resource())
				orm.SetSchemaUrl(rm.SchemaUrl())
				rms[rk] = orm
			}
			for _, sm := range rm.ScopeMetrics().All() {
				sk := rk + "|" + sm.Scope().Name()
				osm, ok := sms[sk]
				if !ok {
					osm = orm.ScopeMetrics().AppendEmpty()
					sm.Scope().CopyTo(osm.Scope())
					sms[sk] = osm
				}
				for _, m := range sm.Metrics().All() {
					mk := sk + "|" + m.Name()
					om, ok := ms[mk]
					if !ok {
						om = osm.Metrics().AppendEmpty()
						m.CopyTo(om)
						ms[mk] = om
						continue
					}
					appendPoints(m, om)
				}
			}
		}
	}
	for _, m := range ms {
		sortPoints(m)
	}
	return out
}

func appendPoints(from, to pmetric.Metric) {
	switch from.Type() {
	case pmetric.MetricTypeGauge:
		from.Gauge().DataPoints().MoveAndAppendTo(to.Gauge().DataPoints())
	case pmetric.MetricTypeSum:
		from.Sum().DataPoints().MoveAndAppendTo(to.Sum().DataPoints())
	case pmetric.MetricTypeHistogram:
		from.Histogram().DataPoints().MoveAndAppendTo(to.Histogram().DataPoints())
	case pmetric.MetricTypeSummary:
		from.Summary().DataPoints().MoveAndAppendTo(to.Summary().DataPoints())
	}
}

func sortPoints(m pmetric.Metric) {
	key := func(a pcommon.Map, ts pcommon.Timestamp) string {
		return fmt.Sprintf("%v|%020d", a.AsRaw(), ts)
	}
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		m.Gauge().DataPoints().Sort(func(a, b pmetric.NumberDataPoint) bool {
			return key(a.Attributes(), a.Timestamp()) < key(b.Attributes(), b.Timestamp())
		})
	case pmetric.MetricTypeSum:
		m.Sum().DataPoints().Sort(func(a, b pmetric.NumberDataPoint) bool {
			return key(a.Attributes(), a.Timestamp()) < key(b.Attributes(), b.Timestamp())
		})
	case pmetric.MetricTypeHistogram:
		m.Histogram().DataPoints().Sort(func(a, b pmetric.HistogramDataPoint) bool {
			return key(a.Attributes(), a.Timestamp()) < key(b.Attributes(), b.Timestamp())
		})
	}
}

func gaugeBatch(name string, attrs map[string]any, start time.Time, step time.Duration, vals ...float64) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName(name)
	dps := m.SetEmptyGauge().DataPoints()
	for i, v := range vals {
		dp := dps.AppendEmpty()
		_ = dp.Attributes().FromRaw(attrs)
		dp.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Duration(i) * step)))
		dp.SetDoubleValue(v)
	}
	return md
}

func countPoints(mds []pmetric.Metrics) int {
	n := 0
	for _, md := range mds {
		n += md.DataPointCount()
	}
	return n
}

func sumOf(t *testing.T, tel *componenttest.Telemetry, name string) int64 {
	t.Helper()
	m, err := tel.GetMetric("otelcol_" + name)
	if err != nil {
		return 0
	}
	var n int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		n += dp.Value
	}
	return n
}

func TestMaxSeriesDropsAndCounts(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = []RuleConfig{{Mode: "rollup", Window: time.Minute}}
	cfg.MaxSeries = 2
	sink := new(consumertest.MetricsSink)
	p, tel := newTestProcessor(t, cfg, sink, &fakeClock{t: time.Unix(1_700_000_000, 0)})
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 5 {
		require.NoError(t, p.ConsumeMetrics(context.Background(), gaugeBatch("g", map[string]any{"i": int64(i)}, t0, time.Second, 1, 2)))
	}
	assert.Len(t, p.series, 2)
	assert.Equal(t, int64(6), sumOf(t, tel, "processor_downsample_points_refused"))
	assert.Equal(t, int64(2), sumOf(t, tel, "processor_downsample_series"))
	require.NoError(t, p.Shutdown(context.Background()))
	// Two series, one window each, four aggregates (the defaults) each.
	assert.Equal(t, 8, countPoints(sink.AllMetrics()))
}

func TestStaleSeriesAreFlushedAndEvicted(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = []RuleConfig{{Mode: "rollup", Window: time.Hour, Aggregates: []string{"max"}}}
	sink := new(consumertest.MetricsSink)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p, tel := newTestProcessor(t, cfg, sink, clock)
	require.NoError(t, p.ConsumeMetrics(context.Background(), gaugeBatch("g", nil, clock.t, time.Second, 3, 7, 5)))
	assert.Equal(t, 0, countPoints(sink.AllMetrics()), "the window is still open")

	clock.t = clock.t.Add(cfg.StaleAfter / 2)
	require.NoError(t, p.evictStale(context.Background()))
	assert.Len(t, p.series, 1, "not stale yet")

	clock.t = clock.t.Add(cfg.StaleAfter)
	require.NoError(t, p.evictStale(context.Background()))
	assert.Empty(t, p.series)
	assert.Empty(t, p.resources)
	require.Equal(t, 1, countPoints(sink.AllMetrics()))
	got := sink.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0)
	assert.Equal(t, "g.max", got.Name())
	assert.InDelta(t, 7.0, got.Gauge().DataPoints().At(0).DoubleValue(), 0)
	assert.Equal(t, int64(1), sumOf(t, tel, "processor_downsample_series_evicted"))
	assert.Equal(t, int64(0), sumOf(t, tel, "processor_downsample_state_bytes"))
}

// TestShutdownLosesNothing checks on random gauges that every accepted point is accounted
// for: in rollup mode the COUNT of the emitted windows adds up to the points taken in.
func TestShutdownLosesNothing(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = []RuleConfig{{Mode: "rollup", Window: 7 * time.Second, Aggregates: []string{"count"}}}
	sink := new(consumertest.MetricsSink)
	p, tel := newTestProcessor(t, cfg, sink, &fakeClock{t: time.Unix(1_700_000_000, 0)})
	t0 := time.Unix(1_700_000_000, 0)
	total := 0
	for b := range 20 {
		vals := make([]float64, 1+b%7)
		for i := range vals {
			vals[i] = float64(b*i) - 3
		}
		total += len(vals) * 3
		for s := range 3 {
			md := gaugeBatch("g", map[string]any{"s": int64(s)}, t0.Add(time.Duration(b)*10*time.Second), time.Second, vals...)
			require.NoError(t, p.ConsumeMetrics(context.Background(), md))
		}
	}
	require.NoError(t, p.Shutdown(context.Background()))
	var counted int64
	for _, md := range sink.AllMetrics() {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					require.Equal(t, "g.samples", m.Name())
					for _, dp := range m.Gauge().DataPoints().All() {
						counted += dp.IntValue()
					}
				}
			}
		}
	}
	assert.Equal(t, int64(total), counted)
	assert.Equal(t, int64(total), sumOf(t, tel, "processor_downsample_points_in"))
}

func TestReduceStateWithinBudget(t *testing.T) {
	t.Parallel()
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = []RuleConfig{{}}
	p, _ := newTestProcessor(t, cfg, new(consumertest.MetricsSink), &fakeClock{t: time.Unix(1_700_000_000, 0)})
	require.NoError(t, p.ConsumeMetrics(context.Background(), gaugeBatch("g", nil, time.Unix(1_700_000_000, 0), time.Second, 1, 2, 3)))
	for _, s := range p.series {
		assert.LessOrEqual(t, s.size(), 512, "bytes of reduce state per series")
	}
}
