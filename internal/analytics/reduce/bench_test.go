package reduce

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkCompress measures the compressor alone: samples per second through Push, per
// algorithm and shape, with the share kept at 5% of the range.
func BenchmarkCompress(b *testing.B) {
	for _, kind := range []string{"daily", "noisy", "step"} {
		pts := Synthetic(kind, 100_000, 1)
		for _, a := range []Algorithm{Hold, Mixed, Linear, Constant, Vertex} {
			b.Run(fmt.Sprintf("shape=%s/algorithm=%s", kind, a), func(b *testing.B) {
				o := Options{Algorithm: a, Absolute: 0.05 * SeriesRange(pts)}
				if a == Hold {
					o.Reader, o.Lookback = ReaderLastValue, int64(time.Hour)
				}
				var knots []Point
				b.SetBytes(int64(16 * len(pts))) // a sample is a timestamp and a value
				b.ReportAllocs()
				for b.Loop() {
					c := NewCompressor(&o)
					knots = knots[:0]
					for _, p := range pts {
						knots, _ = c.Push(p.T, p.V, false, knots)
					}
					knots = c.Flush(knots)
				}
				b.ReportMetric(float64(len(pts))*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
				b.ReportMetric(100*float64(len(knots))/float64(len(pts)), "kept%")
			})
		}
	}
}
