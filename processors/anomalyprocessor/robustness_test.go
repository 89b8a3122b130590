package anomalyprocessor

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/mcobs/mcobs/internal/anomalymetrics"
	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadatatest"
)

// twoScrapers returns a batch as the hostmetrics receiver sends it: one ResourceMetrics per
// scraper, all with the same resource.
func twoScrapers(ts time.Time, cpu, mem float64) pmetric.Metrics {
	md := gauge("system.cpu.utilization", ts, cpu, "h1")
	gauge("system.memory.utilization", ts, mem, "h1").ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	return md
}

func groupConfig(metrics ...string) *Config {
	return testConfig(func(c *Config) {
		c.Metrics = nil
		c.Storage = &storageID
		c.Groups = []GroupConfig{{Name: "host", Metrics: metrics}}
	})
}

func TestGroupCollectsMembersAcrossResourceMetrics(t *testing.T) {
	t.Parallel()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, sink := newTestProcessor(t, groupConfig("system.cpu.utilization", "system.memory.utilization"), tt, fixedNow)
	require.NoError(t, p.ConsumeMetrics(context.Background(), twoScrapers(clock, 0.4, 0.6)))
	assert.Len(t, p.groups, 1)
	out := sink.AllMetrics()[0].ResourceMetrics()
	require.Equal(t, 2, out.Len())
	// The group's points join the resource's first ResourceMetrics, once.
	assert.Equal(t, 2, out.At(0).ScopeMetrics().Len())
	assert.Equal(t, 1, out.At(1).ScopeMetrics().Len())
	n := 0
	sinkMetrics(sink, anomalymetrics.GroupScore, func(m pmetric.Metric) { n += m.Gauge().DataPoints().Len() })
	assert.Equal(t, 1, n)
	require.NoError(t, p.Shutdown(context.Background()))
}

// restart checkpoints a processor with cfg that saw hosts, and starts a second one with cfg2 at
// now on the same storage.
func restart(t *testing.T, cfg, cfg2 *Config, now time.Time, feed func(p *anomalyProcessor)) *anomalyProcessor {
	t.Helper()
	ctx := context.Background()
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(ctx)) })
	host := hostWith{storageID: &memStorage{data: map[string][]byte{}}}
	a, _ := newTestProcessor(t, cfg, tt, fixedNow)
	require.NoError(t, a.Start(ctx, host))
	feed(a)
	require.NoError(t, a.Shutdown(ctx))
	b, _ := newTestProcessor(t, cfg2, tt, func() time.Time { return now })
	require.NoError(t, b.Start(ctx, host))
	t.Cleanup(func() { require.NoError(t, b.Shutdown(ctx)) })
	return b
}

func TestRestoredModelsOutliveTheDowntime(t *testing.T) {
	t.Parallel()
	cfg := testConfig(func(c *Config) { c.Storage = &storageID; c.StaleAfter = time.Hour })
	later := clock.Add(2 * time.Hour)
	b := restart(t, cfg, cfg, later, func(p *anomalyProcessor) {
		require.NoError(t, p.ConsumeMetrics(context.Background(), gauge("system.cpu.utilization", clock, 0.5, "a", "b", "c")))
	})
	// The first batch after a restart 2 h later (stale_after 1 h) comes from one host only.
	require.NoError(t, b.ConsumeMetrics(context.Background(), gauge("system.cpu.utilization", later, 0.5, "a")))
	assert.Len(t, b.series, 3, "the other hosts' models are kept for stale_after from the restart")
}

func TestGroupModelRestoredOnlyToTheSameMembers(t *testing.T) {
	t.Parallel()
	feed := func(p *anomalyProcessor) {
		require.NoError(t, p.ConsumeMetrics(context.Background(), twoScrapers(clock, 0.4, 0.6)))
	}
	same := restart(t, groupConfig("system.cpu.utilization", "system.memory.utilization"),
		groupConfig("system.cpu.utilization", "system.memory.utilization"), clock, feed)
	assert.Len(t, same.groups, 1)
	swapped := restart(t, groupConfig("system.cpu.utilization", "system.memory.utilization"),
		groupConfig("system.memory.utilization", "system.cpu.utilization"), clock, feed)
	assert.Empty(t, swapped.groups, "columns in another order would read the old model wrongly")
}

func TestCheckpointSkipsOnlyAModelThatFailsItsCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(ctx)) }()
	cfg := testConfig(func(c *Config) { c.Storage = &storageID })
	a, _ := newTestProcessor(t, cfg, tt, fixedNow)
	require.NoError(t, a.ConsumeMetrics(ctx, gauge("system.cpu.utilization", clock, 0.5, "a", "b")))
	blob, n := a.encode()
	require.NoError(t, a.Shutdown(ctx))
	require.Equal(t, 2, n)
	// The first model's point count (the state's first field, after the model's 5-byte header)
	// set to -1: well framed, but no sequence of updates gives it.
	off := len(checkpointMagic) + 1
	keyLen := int(binary.LittleEndian.Uint32(blob[off+1:]))
	state := off + 1 + 4 + keyLen + 8 + 4 + 5
	binary.LittleEndian.PutUint64(blob[state:], ^uint64(0))

	b, _ := newTestProcessor(t, cfg, tt, fixedNow)
	require.NoError(t, b.Start(ctx, hostWith{storageID: &memStorage{data: map[string][]byte{checkpointKey: blob}}}))
	assert.Len(t, b.series, 1, "the other model is restored")
	metadatatest.AssertEqualProcessorAnomalyCheckpointErrors(t, tt, []metricdata.DataPoint[int64]{{Value: 1}},
		metricdatatestIgnore()...)
	require.NoError(t, b.Shutdown(ctx))
}

func TestHugeValuesAreCountedNotLearnt(t *testing.T) {
	t.Parallel()
	tt := componenttest.NewTelemetry()
	defer func() { require.NoError(t, tt.Shutdown(context.Background())) }()
	p, _ := newTestProcessor(t, testConfig(nil), tt, fixedNow)
	ctx := context.Background()
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", clock, 0.5, "a")))
	key := seriesKey(attrKeyOfHost("a"), "system.cpu.utilization", pcommon.NewMap())
	before, err := p.series[key].det.MarshalBinary()
	require.NoError(t, err)
	require.NoError(t, p.ConsumeMetrics(ctx, gauge("system.cpu.utilization", clock.Add(time.Minute), 1e300, "a")))
	after, err := p.series[key].det.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, before, after)
	metadatatest.AssertEqualProcessorAnomalyPointsNonFinite(t, tt, []metricdata.DataPoint[int64]{{Value: 1}},
		metricdatatestIgnore()...)
	require.NoError(t, p.Shutdown(ctx))
}

func attrKeyOfHost(h string) string {
	return attrKey(gauge("x", clock, 0, h).ResourceMetrics().At(0).Resource().Attributes())
}
