package reduce

import (
	"math"
	"math/rand/v2"
	"testing"
)

// checkLast pushes pts through a fresh compressor and reads both the accepted input and the
// output as PromQL does, at every input time and on a grid of range-query steps: wherever the
// input has a value the output must have one within the tolerance of the input sample read
// there (bounded false: only that it has one), and where the input has none neither may the
// output.
func checkLast(t *testing.T, pts []Point, o *Options, bounded bool) (kept, accepted int) {
	t.Helper()
	c := NewCompressor(o)
	var (
		knots, in []Point
		tols      []float64
		st        Status
	)
	for _, p := range pts {
		knots, st = c.Push(p.T, p.V, false, knots)
		if st == Accepted || st == NonFinite {
			in = append(in, p)
			tols = append(tols, c.Tolerance())
		}
		if st == Accepted {
			accepted++
		}
	}
	knots = c.Flush(knots)
	for i := 1; i < len(knots); i++ {
		if knots[i].T <= knots[i-1].T {
			t.Fatalf("%v: knots out of order at %d: %v then %v", o.Algorithm, i, knots[i-1], knots[i])
		}
	}
	if len(in) == 0 {
		return len(knots), 0
	}
	var ts []int64
	for _, p := range in {
		ts = append(ts, p.T)
	}
	step := max((in[len(in)-1].T-in[0].T)/997, 1)
	for x := in[0].T - step; x <= in[len(in)-1].T+o.Lookback+step; x += step {
		ts = append(ts, x)
	}
	for _, x := range ts {
		got := ReadLast(knots, []int64{x}, o.Lookback, nil)[0]
		i := -1 // the input sample a read at x finds
		for j := range in {
			if in[j].T <= x {
				i = j
			}
		}
		orig := math.NaN()
		if i >= 0 && (o.Lookback == 0 || in[i].T > x-o.Lookback) {
			orig = in[i].V
		}
		switch {
		case math.IsInf(orig, 0):
			if got != orig {
				t.Fatalf("%v: at %d the input reads %v, the output %v", o.Algorithm, x, orig, got)
			}
		case math.IsNaN(orig):
			if !math.IsNaN(got) {
				t.Fatalf("%v lookback %d: at %d the input has no value, the output reads %v", o.Algorithm, o.Lookback, x, got)
			}
		case math.IsNaN(got):
			t.Fatalf("%v lookback %d: at %d the input reads %v (sample at %d), the output has a gap; knots %v",
				o.Algorithm, o.Lookback, x, orig, in[i].T, knots)
		case bounded && !(math.Abs(got-orig) <= tols[i]):
			t.Fatalf("%v lookback %d: at %d the input reads %v, the output %v: error %g > tolerance %g",
				o.Algorithm, o.Lookback, x, orig, got, math.Abs(got-orig), tols[i])
		}
	}
	return len(knots), accepted
}

func TestHoldBoundAsRead(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 9))
	for i := range 300 {
		pts := randomSeries(r, 50+r.IntN(800))
		o := Options{Algorithm: Auto, Reader: ReaderLastValue}
		if i%4 == 0 {
			o.Algorithm = Hold
		}
		randomTolerance(r, i, &o)
		if r.IntN(4) > 0 {
			o.Lookback = int64(1+r.IntN(400)) * 1e9
		}
		if r.IntN(3) == 0 {
			o.MaxSegment = int64(1+r.IntN(600)) * 1e9
		}
		if r.IntN(3) == 0 {
			o.MaxDelay = int64(1+r.IntN(300)) * 1e9
		}
		checkLast(t, pts, &o, true)
		// Counter and vertex keep original samples: no value bound as read, but no gap either.
		o.Algorithm = []Algorithm{Counter, Vertex}[i%2]
		checkLast(t, pts, &o, false)
	}
}

// TestHoldIsPMCMR: with an unbounded lookback Hold cuts the same greedy segments as PMC-MR,
// which no piecewise-constant output aligned to the input's times can beat.
func TestHoldIsPMCMR(t *testing.T) {
	t.Parallel()
	for _, kind := range SyntheticKinds {
		pts := Synthetic(kind, 5000, 3)
		eps := 0.05 * SeriesRange(pts)
		o := Options{Algorithm: Hold, Reader: ReaderLastValue, Absolute: eps}
		hold, _, _ := Compress(pts, &o)
		pmc := PMCMR(pts, eps)
		if len(hold) != len(pmc) {
			t.Errorf("%s: hold keeps %d, PMC-MR %d", kind, len(hold), len(pmc))
		}
		if q := MeasureLast(pts, pmc, 0); !q.Bounded(eps) {
			t.Errorf("%s: PMC-MR read back with max error %g and %d gaps, tolerance %g", kind, q.MaxErr, q.Gaps, eps)
		}
		// A lookback adds samples only where a segment outlasts it.
		o.Lookback = int64(30 * 60e9)
		capped, _, _ := Compress(pts, &o)
		if q := MeasureLast(pts, capped, o.Lookback); len(capped) < len(pmc) || !q.Bounded(eps) {
			t.Errorf("%s: with a 30m lookback hold keeps %d (PMC-MR %d), read back with max error %g and %d gaps",
				kind, len(capped), len(pmc), q.MaxErr, q.Gaps)
		}
	}
}

func TestHoldKnots(t *testing.T) {
	t.Parallel()
	f := func(lookback int64, in []Point, want []Point) {
		t.Helper()
		o := Options{Algorithm: Hold, Reader: ReaderLastValue, Absolute: 1, Lookback: lookback}
		got, _, _ := Compress(in, &o)
		if len(got) != len(want) {
			t.Fatalf("lookback %d: got %v, want %v", lookback, got, want)
		}
		for i := range got {
			if got[i].T != want[i].T || math.Abs(got[i].V-want[i].V) > 1e-6 {
				t.Fatalf("lookback %d: got %v, want %v", lookback, got, want)
			}
		}
	}
	// One segment, kept at its first time with the mean; no lookback, no end sample.
	f(0, []Point{{0, 1}, {10, 2}, {20, 1.5}}, []Point{{0, 1.5}})
	// A jump starts a new segment at the jump.
	f(0, []Point{{0, 0}, {10, 0}, {20, 5}, {30, 5}}, []Point{{0, 0}, {20, 5}})
	// Lookback 25: the flat run is kept again before the kept sample would be read beyond it,
	// and once more at its last sample, where the input ends.
	f(25, []Point{{0, 0}, {10, 0}, {20, 0}, {30, 0}, {40, 0}}, []Point{{0, 0}, {20, 0}, {40, 0}})
	// A silence longer than the lookback: the segment ends at its last sample, the next starts
	// after the silence.
	f(25, []Point{{0, 0}, {10, 0}, {100, 0}}, []Point{{0, 0}, {10, 0}, {100, 0}})
	// The restart takes the new value of the samples after it.
	f(25, []Point{{0, 0}, {10, 0}, {20, 1.5}, {30, 1.5}}, []Point{{0, 0.5}, {20, 1.5}, {30, 1.5}})
}

// TestHoldMaxDelay: the kept sample is sent once the segment spans MaxDelay, with the value
// known then, and later samples stay in the segment only within the tolerance of that value.
func TestHoldMaxDelay(t *testing.T) {
	t.Parallel()
	o := Options{Algorithm: Hold, Reader: ReaderLastValue, Absolute: 1, MaxDelay: 20}
	c := NewCompressor(&o)
	var out []Point
	for _, p := range []Point{{0, 0}, {10, 1}} {
		out, _ = c.Push(p.T, p.V, false, out)
	}
	if len(out) != 0 {
		t.Fatalf("sent %v before the delay", out)
	}
	out, _ = c.Push(20, 0.5, false, out)
	if len(out) != 1 || out[0] != (Point{0, 0.5}) {
		t.Fatalf("at the delay: sent %v, want the segment's mean at its start", out)
	}
	// 1.6 would fit the samples so far (0, 1, 0.5 ± 1 meet at [0.6, 1]) but not the sent 0.5 ± 1.
	out, _ = c.Push(30, 1.6, false, out)
	out = c.Flush(out)
	want := []Point{{0, 0.5}, {30, 1.6}}
	if len(out) != len(want) || out[0] != want[0] || out[1] != want[1] {
		t.Fatalf("sent %v, want %v", out, want)
	}
}

func TestReadLast(t *testing.T) {
	t.Parallel()
	kept := []Point{{10, 1}, {20, math.NaN()}, {30, 3}}
	got := ReadLast(kept, []int64{5, 10, 15, 20, 29, 30, 34, 35, 40}, 5, nil)
	want := []float64{math.NaN(), 1, math.NaN(), math.NaN(), math.NaN(), 3, 3, math.NaN(), math.NaN()}
	for i := range want {
		if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Fatalf("ReadLast = %v, want %v", got, want)
		}
	}
	// Prometheus 3's window is left-open: a sample exactly lookback old is not read.
	if v := ReadLast(kept, []int64{15}, 5, nil)[0]; !math.IsNaN(v) {
		t.Fatalf("a sample lookback old was read: %v", v)
	}
	if v := ReadLast(kept[:1], []int64{1e12}, 0, nil)[0]; v != 1 {
		t.Fatalf("unbounded lookback read %v", v)
	}
}

func TestLTTB(t *testing.T) {
	t.Parallel()
	pts := Synthetic("noisy", 1000, 2)
	for _, n := range []int{2, 3, 10, 100, 999, 1000, 5000} {
		k := LTTB(pts, n)
		if want := min(n, len(pts)); len(k) != want {
			t.Fatalf("LTTB(%d) kept %d, want %d", n, len(k), want)
		}
		if k[0] != pts[0] || k[len(k)-1] != pts[len(pts)-1] {
			t.Fatalf("LTTB(%d) lost an end", n)
		}
	}
	// A spike is the largest triangle of its bucket.
	flat := make([]Point, 100)
	for i := range flat {
		flat[i] = Point{int64(i), 0}
	}
	flat[57].V = 10
	found := false
	for _, p := range LTTB(flat, 10) {
		found = found || p.V == 10
	}
	if !found {
		t.Fatal("LTTB lost the spike")
	}
}

func TestMinKeptLast(t *testing.T) {
	t.Parallel()
	pts := Synthetic("daily", 3000, 4)
	tol := 0.05 * SeriesRange(pts)
	const lookback = int64(20 * 60e9)
	k := MinKeptLast(pts, tol, lookback, 0, tol, func(eps float64) []Point { return PMCMR(pts, eps) })
	if q := MeasureLast(pts, k, lookback); !q.Bounded(tol) || len(k) >= len(pts) {
		t.Fatalf("kept %d of %d, max error %g, %d gaps", len(k), len(pts), q.MaxErr, q.Gaps)
	}
	// A flat series outlasting the lookback: PMC-MR leaves a gap at every tolerance, so only
	// keeping everything qualifies.
	flat := make([]Point, 100)
	for i := range flat {
		flat[i] = Point{int64(i) * 60e9, 1}
	}
	if k := MinKeptLast(flat, 0.1, lookback, 0, 0.1, func(eps float64) []Point { return PMCMR(flat, eps) }); len(k) != len(flat) {
		t.Fatalf("flat: kept %d", len(k))
	}
}

func FuzzHoldReadsWithinTolerance(f *testing.F) {
	f.Add(uint64(1), 0.5, uint16(30), uint16(0))
	f.Fuzz(func(t *testing.T, seed uint64, tol float64, lookback, delay uint16) {
		if !(tol > 1e-6) || tol > 1e6 {
			return
		}
		o := Options{Algorithm: Hold, Reader: ReaderLastValue, Absolute: tol, Lookback: int64(lookback) * 1e9, MaxDelay: int64(delay) * 1e9}
		checkLast(t, randomSeries(rand.New(rand.NewPCG(seed, 1)), 300), &o, true)
	})
}
