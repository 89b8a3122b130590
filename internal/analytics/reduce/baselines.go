package reduce

import "math"

// The baselines `mcobs backtest downsample` reports beside Hold, run on the same series and
// scored the same way (MeasureLast). They work offline on whole series.

// PMCMR is Lazaridis and Mehrotra's Poor Man's Compression, midrange variant: greedy segments
// whose values span at most 2·eps, each kept as one sample of value (max+min)/2. For a
// last-value read the sample sits at the segment's first time (the classic stores it at the
// last, for readers that look forward). No lookback: a segment longer than the store's lookback
// leaves a gap, which MeasureLast counts.
func PMCMR(pts []Point, eps float64) []Point {
	var out []Point
	var start int64
	lo, hi := math.Inf(1), math.Inf(-1)
	open := false
	for _, p := range pts {
		if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
			continue
		}
		nlo, nhi := min(lo, p.V), max(hi, p.V)
		if open && nhi-nlo <= 2*eps {
			lo, hi = nlo, nhi
			continue
		}
		if open {
			out = append(out, Point{start, (lo + hi) / 2})
		}
		start, lo, hi, open = p.T, p.V, p.V, true
	}
	if open {
		out = append(out, Point{start, (lo + hi) / 2})
	}
	return out
}

// LTTB is Steinarsson's Largest-Triangle-Three-Buckets: the first and last sample and, from
// each of n-2 equal buckets in between, the sample forming the largest triangle with the
// previously chosen one and the next bucket's mean. It keeps original samples and targets
// charts, not a bound.
func LTTB(pts []Point, n int) []Point {
	var in []Point
	for _, p := range pts {
		if !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
			in = append(in, p)
		}
	}
	if n >= len(in) || n < 3 {
		if n >= len(in) {
			return append([]Point(nil), in...)
		}
		if len(in) == 0 {
			return nil
		}
		return []Point{in[0], in[len(in)-1]}[:min(n, 2)]
	}
	out := make([]Point, 0, n)
	out = append(out, in[0])
	every := float64(len(in)-2) / float64(n-2)
	a := 0
	for i := range n - 2 {
		from, to := int(float64(i)*every)+1, int(float64(i+1)*every)+1
		nfrom, nto := to, min(int(float64(i+2)*every)+1, len(in))
		var mx, my float64
		for _, p := range in[nfrom:nto] {
			mx += float64(p.T)
			my += p.V
		}
		cnt := float64(nto - nfrom)
		mx, my = mx/cnt, my/cnt
		best, bestA := from, -1.0
		ax, ay := float64(in[a].T), in[a].V
		for j := from; j < to; j++ {
			area := math.Abs((ax-mx)*(in[j].V-ay) - (ax-float64(in[j].T))*(my-ay))
			if area > bestA {
				best, bestA = j, area
			}
		}
		out = append(out, in[best])
		a = best
	}
	return append(out, in[len(in)-1])
}

// MinKeptLast finds, by bisection on a method's parameter x in [lo, hi], the output with the
// fewest samples whose last-value read (MeasureLast with lookback) stays within tol with no
// gap. run(x) must keep fewer samples as x grows, roughly. When no x qualifies it returns pts
// itself: keeping everything is always within.
func MinKeptLast(pts []Point, tol float64, lookback int64, lo, hi float64, run func(x float64) []Point) []Point {
	ok := func(k []Point) bool { return MeasureLast(pts, k, lookback).Bounded(tol) }
	if k := run(hi); ok(k) {
		return k
	}
	best := pts
	for range 30 {
		mid := (lo + hi) / 2
		if k := run(mid); ok(k) {
			lo, best = mid, k
		} else {
			hi = mid
		}
		if hi-lo <= 1e-6*max(math.Abs(hi), 1e-300) {
			break
		}
	}
	return best
}
