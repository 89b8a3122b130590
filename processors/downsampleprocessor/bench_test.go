package downsampleprocessor

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/mcobs/mcobs/processors/downsampleprocessor/internal/metadata"
)

// benchBatch builds one batch of gauges: series × perSeries points, 10 s apart from t0, with
// three attributes per point, a slow wave and noise.
func benchBatch(series, perSeries int, t0 time.Time) pmetric.Metrics {
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("cloud.provider", "aws")
	rm.Resource().Attributes().PutStr("cloud.region", "eu-west-1")
	m := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("aws.ec2.cpu.utilization")
	dps := m.SetEmptyGauge().DataPoints()
	dps.EnsureCapacity(series * perSeries)
	for s := range series {
		for i := range perSeries {
			dp := dps.AppendEmpty()
			dp.Attributes().PutStr("host.id", fmt.Sprintf("i-%08d", s))
			dp.Attributes().PutStr("cpu", "total")
			dp.Attributes().PutInt("core", int64(s%8))
			ts := t0.Add(time.Duration(i) * 10 * time.Second)
			dp.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			dp.SetDoubleValue(benchValue(ts, s))
		}
	}
	return md
}

// benchValue is a slow wave plus reproducible noise (a sum of three uniforms from a hash of
// time and series, so the same point always has the same value).
func benchValue(ts time.Time, s int) float64 {
	x := float64(ts.Unix())
	h := mix(uint64(ts.UnixNano()) ^ uint64(s)*0x9e3779b97f4a7c15)
	noise := float64(h&0xffff)/65536 + float64(h>>16&0xffff)/65536 + float64(h>>32&0xffff)/65536 - 1.5
	return 50 + 30*math.Sin(x/3600+float64(s)) + 2*noise
}

func benchProcessor(b *testing.B, rules []RuleConfig) *downsampleProcessor {
	b.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = rules
	p, err := newProcessor(processortest.NewNopSettings(metadata.Type), cfg, consumertest.NewNop(), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkConsume measures the consume path: points per second through ConsumeMetrics,
// building the input batch outside the timer.
func BenchmarkConsume(b *testing.B) {
	modes := []struct {
		name  string
		rules []RuleConfig
	}{
		// An absolute tolerance that keeps about 9% of the points, near what reduce keeps on NAB at
		// 5% of range, and steady from the first point on, however short the run.
		{"reduce", []RuleConfig{{Mode: "reduce", Tolerance: ToleranceConfig{Absolute: 1.7}}}},
		{"rollup", []RuleConfig{{Mode: "rollup", Window: 5 * time.Minute, Aggregates: []string{"min", "max", "avg", "last"}}}},
	}
	shapes := []struct{ series, perSeries int }{{100, 10}, {10_000, 10}, {10_000, 1}}
	for _, mode := range modes {
		for _, shape := range shapes {
			series, perSeries := shape.series, shape.perSeries
			b.Run(fmt.Sprintf("mode=%s/series=%d/pointsPerSeries=%d", mode.name, series, perSeries), func(b *testing.B) {
				p := benchProcessor(b, mode.rules)
				t0 := time.Unix(1_700_000_000, 0)
				tmpl := benchBatch(series, perSeries, t0)
				md := pmetric.NewMetrics()
				iter := 0
				var cpu time.Duration
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					shift(tmpl, md, time.Duration(iter*perSeries)*10*time.Second, perSeries)
					iter++
					b.StartTimer()
					before := cpuTime()
					if err := p.ConsumeMetrics(context.Background(), md); err != nil {
						b.Fatal(err)
					}
					cpu += cpuTime() - before
				}
				points := float64(series * perSeries * iter)
				b.ReportMetric(100*float64(p.emitted)/points, "kept%")
				b.ReportMetric(points/b.Elapsed().Seconds(), "points/s")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/points, "ns/point")
				if cpu > 0 {
					b.ReportMetric(points/cpu.Seconds(), "points/cpu-s")
				}
			})
		}
	}
}

// shift copies tmpl into md with every timestamp moved by d and the values recomputed, so
// each iteration continues the series.
func shift(tmpl, md pmetric.Metrics, d time.Duration, perSeries int) {
	tmpl.CopyTo(md)
	dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Gauge().DataPoints()
	for i := range dps.Len() {
		dp := dps.At(i)
		ts := dp.Timestamp() + pcommon.Timestamp(d)
		dp.SetTimestamp(ts)
		dp.SetDoubleValue(benchValue(ts.AsTime(), i/perSeries))
	}
}

// BenchmarkStateBytes reports the memory per series: the algorithm state from its own size
// accounting, and the whole heap growth per series (identity and attributes included).
func BenchmarkStateBytes(b *testing.B) {
	for _, mode := range []string{"reduce", "rollup"} {
		b.Run("mode="+mode, func(b *testing.B) {
			const series = 10_000
			var state, heap float64
			b.ReportAllocs()
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				md := benchBatch(series, 3, time.Unix(1_700_000_000, 0))
				p := benchProcessor(b, []RuleConfig{{Mode: mode, Window: time.Minute}})
				if err := p.ConsumeMetrics(context.Background(), md); err != nil {
					b.Fatal(err)
				}
				runtime.GC() // md is dead here: only the processor's state stays reachable
				runtime.ReadMemStats(&after)
				state = float64(p.bytes) / series
				heap = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / series
				runtime.KeepAlive(p)
			}
			b.ReportMetric(state, "state-bytes/series")
			b.ReportMetric(heap, "heap-bytes/series")
		})
	}
}
