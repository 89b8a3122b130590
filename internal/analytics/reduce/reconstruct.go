package reduce

import "math"

// Reconstruct rebuilds the value at each time in ts from knots: linear interpolation between
// the two knots around t, the knot's value at a knot's time, the nearest knot's value outside
// the knots, and NaN next to a non-finite knot. ts must be sorted. This is the documented
// reconstruction the tolerance is guaranteed against.
func Reconstruct(knots []Point, ts []int64, out []float64) []float64 {
	j := 0
	for _, t := range ts {
		for j < len(knots) && knots[j].T < t {
			j++
		}
		out = append(out, at(knots, j, t))
	}
	return out
}

// at evaluates at t where j is the first knot with T >= t.
func at(k []Point, j int, t int64) float64 {
	switch {
	case len(k) == 0:
		return math.NaN()
	case j == len(k):
		return k[len(k)-1].V
	case k[j].T == t || j == 0:
		return k[j].V
	}
	a, b := k[j-1], k[j]
	if a.V == b.V {
		return a.V
	}
	return a.V + (b.V-a.V)*(float64(t-a.T)/float64(b.T-a.T))
}

// ReadLast returns, at each time in ts (sorted), the value PromQL reads from kept: the last
// kept sample at or before t and newer than t-lookback (Prometheus 3's lookback window is
// left-open), as an instant query or each step of a range query does. It is NaN where there is
// none (a kept NaN reads as none too: a staleness marker ends a series). lookback 0 means
// unbounded. No interpolation: this is what Prometheus, Mimir, Thanos and VictoriaMetrics
// return for a plain selector.
func ReadLast(kept []Point, ts []int64, lookback int64, out []float64) []float64 {
	j := 0 // kept[:j] are at or before t
	for _, t := range ts {
		for j < len(kept) && kept[j].T <= t {
			j++
		}
		v := math.NaN()
		if j > 0 && (lookback == 0 || kept[j-1].T > t-lookback) {
			v = kept[j-1].V
		}
		out = append(out, v)
	}
	return out
}
