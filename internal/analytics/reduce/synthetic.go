package reduce

import (
	"math"
	"math/rand/v2"
)

// SyntheticKinds lists the generators Synthetic knows, each standing for a shape seen in cloud
// metrics.
var SyntheticKinds = []string{"step", "smooth", "counter", "noisy", "daily"}

// Synthetic returns n samples of the named shape, one per minute from t0, reproducibly from seed.
// It feeds the property tests, the benchmarks and `mcobs backtest downsample --synthetic`.
// An unknown kind returns nil.
func Synthetic(kind string, n int, seed uint64) []Point {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	const t0, step = int64(1_700_000_000e9), int64(60e9)
	pts := make([]Point, n)
	v := 0.0
	for i := range pts {
		x := float64(i)
		switch kind {
		case "step": // a configuration value or replica count: flat with rare jumps
			if i == 0 || r.Float64() < 0.01 {
				v = float64(r.IntN(10))
			}
		case "smooth": // temperature-like: slow waves and a trend
			v = 50 + 20*math.Sin(x/200) + 5*math.Sin(x/37) + 0.01*x + 0.2*r.NormFloat64()
		case "counter": // bytes sent: growing at a varying rate, reset now and then
			if r.Float64() < 0.002 {
				v = 0
			}
			v += math.Max(0, 100+50*math.Sin(x/300)+20*r.NormFloat64())
		case "noisy": // latency: noisy around a wandering level with spikes
			v = 0.99*v + r.NormFloat64()
			if r.Float64() < 0.005 {
				pts[i] = Point{t0 + int64(i)*step, v + 80 + 20*r.Float64()}
				continue
			}
		case "daily": // CPU of a web tier: daily cycle, noise, rare incidents
			v = 40 + 25*math.Sin(2*math.Pi*x/1440) + 2*r.NormFloat64()
			if i%5000 > 4980 {
				v += 30
			}
		default:
			return nil
		}
		pts[i] = Point{t0 + int64(i)*step, v}
	}
	return pts
}
