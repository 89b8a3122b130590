package reduce

import (
	"math"
	"sort"
)

// Counts tallies what the compressor did with the samples of a series.
type Counts struct {
	Accepted, Duplicate, OutOfOrder, NonFinite int
}

func (c *Counts) add(s Status) {
	switch s {
	case Accepted:
		c.Accepted++
	case Duplicate:
		c.Duplicate++
	case OutOfOrder:
		c.OutOfOrder++
	case NonFinite:
		c.NonFinite++
	}
}

// Compress runs a fresh Compressor over pts and flushes it, exactly as the processor does for
// one series between its first sample and shutdown. It returns the knots and the counts.
func Compress(pts []Point, o *Options) ([]Point, Counts, Algorithm) {
	c := NewCompressor(o)
	var (
		knots []Point
		n     Counts
		st    Status
	)
	for _, p := range pts {
		knots, st = c.Push(p.T, p.V, false, knots)
		n.add(st)
	}
	return c.Flush(knots), n, c.Algorithm()
}

// Quality compares a series with its reconstruction from knots.
type Quality struct {
	// Samples is the number of finite input samples, Kept the number of knots.
	Samples, Kept int
	// Range is max-min of the input.
	Range float64
	// MaxErr is the largest absolute error, RMSE the root mean square error.
	MaxErr, RMSE float64
}

// KeptRatio is Kept/Samples.
func (q Quality) KeptRatio() float64 { return float64(q.Kept) / float64(max(q.Samples, 1)) }

// NRMSE is RMSE divided by the range (0 for a flat series).
func (q Quality) NRMSE() float64 { return safeDiv(q.RMSE, q.Range) }

// MaxErrOfRange is MaxErr divided by the range.
func (q Quality) MaxErrOfRange() float64 { return safeDiv(q.MaxErr, q.Range) }

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Measure rebuilds pts from knots and reports the errors at the finite samples.
func Measure(pts []Point, knots []Point) Quality {
	ts := make([]int64, len(pts))
	for i, p := range pts {
		ts[i] = p.T
	}
	rec := Reconstruct(knots, ts, make([]float64, 0, len(pts)))
	q := Quality{Kept: len(knots)}
	lo, hi := math.Inf(1), math.Inf(-1)
	var sq float64
	for i, p := range pts {
		if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
			continue
		}
		q.Samples++
		lo, hi = min(lo, p.V), max(hi, p.V)
		e := math.Abs(rec[i] - p.V)
		q.MaxErr = max(q.MaxErr, e)
		sq += e * e
	}
	if q.Samples > 0 {
		q.Range = hi - lo
		q.RMSE = math.Sqrt(sq / float64(q.Samples))
	}
	return q
}

// SeriesRange returns max-min over the finite values of pts.
func SeriesRange(pts []Point) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		if !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
			lo, hi = min(lo, p.V), max(hi, p.V)
		}
	}
	if hi < lo {
		return 0
	}
	return hi - lo
}

// FitBudget finds, by bisection on the absolute tolerance, the smallest tolerance at which
// Compress keeps at most budget (a fraction) of the samples, and returns its knots. base gives
// the algorithm and segment limits; its tolerances are replaced. This is the offline budget
// mode of the backtest; the processor bounds error, not count.
func FitBudget(pts []Point, base Options, budget float64) ([]Point, float64) {
	rng := SeriesRange(pts)
	target := int(math.Floor(budget * float64(len(pts))))
	run := func(abs float64) []Point {
		o := base
		o.Absolute, o.Relative = abs, 0
		k, _, _ := Compress(pts, &o)
		return k
	}
	if rng == 0 {
		return run(math.SmallestNonzeroFloat64), 0
	}
	lo, hi := 0.0, rng
	best := run(hi)
	bestTol := hi
	for range 30 {
		mid := (lo + hi) / 2
		k := run(mid)
		if len(k) <= target {
			hi, best, bestTol = mid, k, mid
		} else {
			lo = mid
		}
		if hi-lo < 1e-4*rng {
			break
		}
	}
	return best, bestTol
}

// Within reports, for each time in times (sorted or not), whether the reconstruction from knots
// is within tol of the sample of pts at that time; times with no sample are skipped and not
// counted. It returns how many were checked and how many were within.
func Within(pts, knots []Point, times []int64, tol float64) (checked, within int) {
	for _, t := range times {
		i := sort.Search(len(pts), func(i int) bool { return pts[i].T >= t })
		if i == len(pts) || pts[i].T != t {
			continue
		}
		j := sort.Search(len(knots), func(j int) bool { return knots[j].T >= t })
		checked++
		if math.Abs(at(knots, j, t)-pts[i].V) <= tol {
			within++
		}
	}
	return checked, within
}

// InOrder returns the samples of pts the Compressor accepts or keeps verbatim: those later than
// every sample before them. Duplicates and out-of-order samples are left out, as Push drops them.
func InOrder(pts []Point) []Point {
	out := make([]Point, 0, len(pts))
	for _, p := range pts {
		if len(out) == 0 || p.T > out[len(out)-1].T {
			out = append(out, p)
		}
	}
	return out
}
