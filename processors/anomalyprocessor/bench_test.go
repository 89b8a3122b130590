package anomalyprocessor

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadatatest"
)

// batch returns one point of each of the four host metrics for each of n resources.
func batch(n int, ts time.Time, i int) pmetric.Metrics {
	md := pmetric.NewMetrics()
	for r := range n {
		rm := md.ResourceMetrics().AppendEmpty()
		rm.Resource().Attributes().PutStr("host.name", fmt.Sprintf("host-%d", r))
		ms := rm.ScopeMetrics().AppendEmpty().Metrics()
		for k, name := range []string{"system.cpu.utilization", "system.memory.utilization", "system.disk.busy", "system.network.io"} {
			dp := ms.AppendEmpty()
			dp.SetName(name)
			p := dp.SetEmptyGauge().DataPoints().AppendEmpty()
			p.SetTimestamp(pcommon.NewTimestampFromTime(ts))
			p.SetDoubleValue(float64(k+1) + float64((i*7+r*3)%11)/10)
		}
	}
	return md
}

// BenchmarkConsumeMetrics measures the processor per scored point, pdata glue included:
// univariate scoring of four metrics per resource, and the same plus a four-metric group.
func BenchmarkConsumeMetrics(b *testing.B) {
	for _, grouped := range []bool{false, true} {
		b.Run(fmt.Sprintf("group=%v", grouped), func(b *testing.B) {
			cfg := testConfig(func(c *Config) {
				c.Metrics = []string{"system.cpu.utilization", "system.memory.utilization", "system.disk.busy", "system.network.io"}
				if grouped {
					c.Groups = []GroupConfig{{Name: "host", Metrics: c.Metrics}}
				}
			})
			tt := componenttest.NewTelemetry()
			defer func() { _ = tt.Shutdown(context.Background()) }()
			p, err := newProcessor(cfg, metadatatest.NewSettings(tt), consumertest.NewNop(), fixedNow)
			if err != nil {
				b.Fatal(err)
			}
			const resources = 100
			batches := make([]pmetric.Metrics, 64)
			for i := range batches {
				batches[i] = batch(resources, clock.Add(time.Duration(i)*time.Minute), i)
			}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// ConsumeMetrics adds to the batch, so score a copy.
				md := pmetric.NewMetrics()
				batches[i%len(batches)].CopyTo(md)
				if err := p.ConsumeMetrics(ctx, md); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(i*resources*4)/b.Elapsed().Seconds(), "points/s")
		})
	}
}
