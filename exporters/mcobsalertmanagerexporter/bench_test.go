package mcobsalertmanagerexporter

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter/internal/metadata"
)

// BenchmarkPush measures one push of a batch in which every series changes level (so every
// series yields a resolved and a firing alert) to one httptest peer: the exporter's own cost
// plus a local HTTP round trip.
func BenchmarkPush(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("series=%d", n), func(b *testing.B) {
			p := newPeer(b)
			cfg := createDefaultConfig().(*Config)
			cfg.Endpoints = []string{p.srv.URL}
			clk := &clock{t: t0}
			e, err := newExporter(cfg, exportertest.NewNopSettings(metadata.Type), clk.now)
			if err != nil {
				b.Fatal(err)
			}
			defer func() { _ = e.shutdown(context.Background()) }()
			batch := func(i int) pmetric.Metrics {
				level := "warning"
				if i%2 == 1 {
					level = "critical"
				}
				pts := make([]point, n)
				for s := range n {
					pts[s] = point{resource: map[string]string{"host.id": fmt.Sprintf("i-%d", s)}, metric: "system.cpu.utilization", level: level, score: 0.5}
				}
				return anomalyMetrics(t0.Add(time.Duration(i)*time.Second), pts...)
			}
			mds := []pmetric.Metrics{batch(0), batch(1)}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// fresh timestamps so every push is a change, not a repeat
				i++
				md := mds[i%2]
				stamp(md, t0.Add(time.Duration(i)*time.Second))
				if err := e.push(context.Background(), md); err != nil {
					b.Fatal(err)
				}
				p.take()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "changes/s")
		})
	}
}
