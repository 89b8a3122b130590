package detect

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkUpdate measures the per-point cost of the univariate detector; points/s per core is
// 1e9 / ns/op.
func BenchmarkUpdate(b *testing.B) {
	vals := calm(1, 1<<14)
	d, _ := New(DefaultConfig())
	sec := t0.Unix()
	for i, v := range vals[:2000] {
		d.UpdateUnix(sec+int64(i)*300, v)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.UpdateUnix(sec+int64(2000+i)*300, vals[i&(len(vals)-1)])
		i++
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(d.Size()), "bytes/series")
}

// BenchmarkCheckpoint measures writing and reading one series' model.
func BenchmarkCheckpoint(b *testing.B) {
	d, _ := New(DefaultConfig())
	for i, v := range calm(1, 3000) {
		d.Update(t0.Add(time.Duration(i)*step), v)
	}
	b.ReportAllocs()
	for b.Loop() {
		buf, _ := d.MarshalBinary()
		if err := d.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMulti measures the cost of one vector of a resource's multivariate model.
func BenchmarkMulti(b *testing.B) {
	for _, dims := range []int{4, 8} {
		b.Run(fmt.Sprintf("dims=%d", dims), func(b *testing.B) {
			xs := correlated(1, 4096)
			m, _ := NewMulti(DefaultMultiConfig(dims))
			x := make([]float64, dims)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				v := xs[i&4095]
				for j := range x {
					x[j] = v[j%4] + float64(j)
				}
				m.Update(x)
				i++
			}
			b.ReportMetric(float64(m.Size()), "bytes/resource")
		})
	}
}
