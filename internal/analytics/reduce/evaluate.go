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
	// MaxErr is the largest absolute error, RMSE the root mean square error, both over the
	// samples the output has a value at.
	MaxErr, RMSE float64
	// Gaps counts the finite input samples at which the output has no value (a last-value
	// read found nothing within the lookback): each is a violation of any bound.
	Gaps int
}

// Bounded reports whether every sample was read back with an error of at most tol and none
// fell in a gap.
func (q Quality) Bounded(tol float64) bool { return q.Gaps == 0 && q.MaxErr <= tol }

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

// Measure rebuilds pts from knots by linear interpolation (Reconstruct) and reports the errors
// at the finite samples.
func Measure(pts []Point, knots []Point) Quality {
	return compare(pts, Reconstruct(knots, times(pts), make([]float64, 0, len(pts))), len(knots))
}

// MeasureLast reads knots at every time of pts as PromQL does (ReadLast with lookback) and
// reports the errors at the finite samples; a sample where the read finds nothing is a gap.
func MeasureLast(pts []Point, knots []Point, lookback int64) Quality {
	return compare(pts, ReadLast(knots, times(pts), lookback, make([]float64, 0, len(pts))), len(knots))
}

func times(pts []Point) []int64 {
	ts := make([]int64, len(pts))
	for i, p := range pts {
		ts[i] = p.T
	}
	return ts
}

// compare scores rec, the values read back at the times of pts, against pts.
func compare(pts []Point, rec []float64, kept int) Quality {
	q := Quality{Kept: kept}
	lo, hi := math.Inf(1), math.Inf(-1)
	var sq float64
	for i, p := range pts {
		if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
			continue
		}
		q.Samples++
		lo, hi = min(lo, p.V), max(hi, p.V)
		if math.IsNaN(rec[i]) {
			q.Gaps++
			continue
		}
		e := math.Abs(rec[i] - p.V)
		q.MaxErr = max(q.MaxErr, e)
		sq += e * e
	}
	if q.Samples > 0 {
		q.Range = hi - lo
	}
	if n := q.Samples - q.Gaps; n > 0 {
		q.RMSE = math.Sqrt(sq / float64(n))
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
	return countWithin(pts, times, tol, func(t int64) float64 {
		return at(knots, sort.Search(len(knots), func(j int) bool { return knots[j].T >= t }), t)
	})
}

// WithinLast is Within for last-value reads (ReadLast with lookback): a time where the read
// finds nothing is not within.
func WithinLast(pts, knots []Point, times []int64, tol float64, lookback int64) (checked, within int) {
	return countWithin(pts, times, tol, func(t int64) float64 {
		j := sort.Search(len(knots), func(j int) bool { return knots[j].T > t })
		return ReadLast(knots[max(j-1, 0):j], []int64{t}, lookback, nil)[0]
	})
}

func countWithin(pts []Point, times []int64, tol float64, read func(int64) float64) (checked, n int) {
	for _, t := range times {
		i := sort.Search(len(pts), func(i int) bool { return pts[i].T >= t })
		if i == len(pts) || pts[i].T != t {
			continue
		}
		checked++
		if math.Abs(read(t)-pts[i].V) <= tol {
			n++
		}
	}
	return checked, n
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
