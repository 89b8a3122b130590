package reduce

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomSeries mixes the shapes that trouble compressors: flat runs, jumps, ramps, noise,
// spikes, duplicates, out-of-order samples, NaN and Inf, and irregular spacing.
func randomSeries(r *rand.Rand, n int) []Point {
	pts := make([]Point, 0, n)
	t := int64(r.IntN(1000)) * 1e9
	v := r.NormFloat64() * 100
	mode, slope := 0, 0.0
	for range n {
		if r.Float64() < 0.05 {
			mode, slope = r.IntN(5), r.NormFloat64()*3
		}
		switch mode {
		case 0: // flat
		case 1:
			v += slope
		case 2:
			v += r.NormFloat64() * 5
		case 3:
			if r.Float64() < 0.1 {
				v += r.NormFloat64() * 100
			}
		case 4:
			v = math.Round(v/10) * 10
		}
		x := v
		if r.Float64() < 0.02 {
			x += r.NormFloat64() * 1000 // spike
		}
		switch p := r.Float64(); {
		case p < 0.01:
			x = math.NaN()
		case p < 0.012:
			x = math.Inf(1 - 2*r.IntN(2))
		}
		dt := int64(1+r.IntN(120)) * 1e9
		switch p := r.Float64(); {
		case p < 0.02:
			dt = 0 // duplicate
		case p < 0.04:
			dt = -dt // out of order
		}
		t += dt
		pts = append(pts, Point{t, x})
	}
	return pts
}

// checkBound pushes pts through a fresh compressor and fails on any accepted finite sample
// whose reconstruction is further than the tolerance that applied to it.
func checkBound(t *testing.T, pts []Point, o *Options) (kept, accepted int) {
	t.Helper()
	c := NewCompressor(o)
	var (
		knots []Point
		acc   []Point
		tols  []float64
		st    Status
	)
	for _, p := range pts {
		knots, st = c.Push(p.T, p.V, false, knots)
		if st == Accepted {
			acc = append(acc, p)
			tols = append(tols, c.Tolerance())
		}
	}
	knots = c.Flush(knots)
	for i := 1; i < len(knots); i++ {
		if knots[i].T <= knots[i-1].T {
			t.Fatalf("%v: knots out of order at %d: %v then %v", o.Algorithm, i, knots[i-1], knots[i])
		}
	}
	ts := make([]int64, len(acc))
	for i, p := range acc {
		ts[i] = p.T
	}
	rec := Reconstruct(knots, ts, nil)
	for i, p := range acc {
		if e := math.Abs(rec[i] - p.V); !(e <= tols[i]) {
			t.Fatalf("%v abs=%v rel=%v block=%d: sample %d (t=%d v=%v) rebuilt as %v, error %g > tolerance %g",
				o.Algorithm, o.Absolute, o.Relative, o.RangeBlock, i, p.T, p.V, rec[i], e, tols[i])
		}
	}
	return len(knots), len(acc)
}

func TestToleranceNeverExceeded(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	algos := []Algorithm{Auto, Constant, Linear, Mixed, Counter, Vertex}
	for i := range 400 {
		pts := randomSeries(r, 50+r.IntN(2000))
		o := Options{Algorithm: algos[i%len(algos)]}
		randomTolerance(r, i, &o)
		if r.IntN(2) == 0 {
			o.MaxSegment = int64(r.IntN(600)) * 1e9
		}
		checkBound(t, pts, &o)
	}
}

func TestToleranceOnSyntheticShapes(t *testing.T) {
	t.Parallel()
	for _, kind := range SyntheticKinds {
		pts := Synthetic(kind, 5000, 3)
		for _, a := range []Algorithm{Auto, Constant, Linear, Mixed, Counter, Vertex} {
			o := Options{Algorithm: a, Absolute: 0.05 * SeriesRange(pts)}
			kept, n := checkBound(t, pts, &o)
			if kept == 0 || kept > n {
				t.Fatalf("%s/%v: kept %d of %d", kind, a, kept, n)
			}
		}
	}
}

func TestMixedKeepsFewerThanSingleKinds(t *testing.T) {
	t.Parallel()
	// Mixed races every kind per segment, so on shapes that need both (steps joined by ramps)
	// it must beat each kind alone.
	var pts []Point
	v := 0.0
	for i := range 4000 {
		switch (i / 100) % 3 {
		case 0:
			v = float64((i / 300) % 4 * 10)
		case 1:
			v += 0.3
		}
		pts = append(pts, Point{int64(i) * 1e9, v})
	}
	kept := map[Algorithm]int{}
	for _, a := range []Algorithm{Constant, Linear, Mixed} {
		o := Options{Algorithm: a, Absolute: 0.5}
		kept[a], _ = checkBound(t, pts, &o)
	}
	if kept[Mixed] >= kept[Constant] || kept[Mixed] > kept[Linear] {
		t.Fatalf("kept %v: mixed should keep fewest", kept)
	}
}

func TestStatuses(t *testing.T) {
	t.Parallel()
	o := Options{Algorithm: Mixed, Absolute: 1}
	c := NewCompressor(&o)
	var knots []Point
	push := func(ts int64, v float64, want Status) {
		t.Helper()
		var st Status
		knots, st = c.Push(ts, v, false, knots)
		if st != want {
			t.Fatalf("Push(%d, %v) = %v, want %v", ts, v, st, want)
		}
	}
	push(10, 1, Accepted)
	push(10, 5, Duplicate)  // same time: first one wins
	push(5, 1, OutOfOrder)  // older
	push(20, 1.5, Accepted) // in band
	push(30, math.NaN(), NonFinite)
	push(40, 2, Accepted)
	knots = c.Flush(knots)
	// The NaN closes the open segment and is kept verbatim between the knots.
	if len(knots) < 3 || !math.IsNaN(knots[len(knots)-2].V) || knots[len(knots)-1] != (Point{40, 2}) {
		t.Fatalf("knots = %v", knots)
	}
}

func TestCounterIncreaseExact(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		var pts []Point
		v := 0.0
		for i := range 1000 {
			if r.Float64() < 0.01 {
				v = math.Floor(r.Float64() * 50) // reset; integers keep the sums exact
			}
			v += math.Floor(r.Float64() * 10)
			pts = append(pts, Point{int64(i) * 15e9, v})
		}
		o := Options{Algorithm: Counter, Absolute: 20}
		knots, _, _ := Compress(pts, &o)
		checkBound(t, pts, &o)
		// Kept samples are original samples, and increase() over them equals the input's.
		idx := map[int64]float64{}
		for _, p := range pts {
			idx[p.T] = p.V
		}
		for _, k := range knots {
			if idx[k.T] != k.V {
				t.Fatalf("knot %v is not an original sample", k)
			}
		}
		if a, b := increase(pts), increase(knots); a != b {
			t.Fatalf("increase: input %v, kept %v", a, b)
		}
	}
}

// increase is Prometheus' counter increase without extrapolation: a decrease is a reset.
func increase(p []Point) float64 {
	s := 0.0
	for i := 1; i < len(p); i++ {
		if d := p[i].V - p[i-1].V; d >= 0 {
			s += d
		} else {
			s += p[i].V
		}
	}
	return s
}

func TestStateSize(t *testing.T) {
	t.Parallel()
	o := Options{Algorithm: Auto, Relative: 0.05, RangeBlock: 1024}
	c := NewCompressor(&o)
	if c.Size() > 512 {
		t.Fatalf("compressor state is %d bytes, budget 512", c.Size())
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	f := func(kind string, want Class) {
		t.Helper()
		var vals []float64
		for _, p := range Synthetic(kind, 200, 1) {
			vals = append(vals, p.V)
		}
		if got := Classify(vals, 32); got != want {
			t.Fatalf("Classify(%s) = %v, want %v", kind, got, want)
		}
	}
	f("step", StepLike)
	f("counter", CounterLike)
	f("noisy", Noisy)
}

func FuzzCompressorBound(f *testing.F) {
	f.Add(uint64(1), 0.5, uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, tol float64, algo uint8) {
		if !(tol > 1e-6) || tol > 1e6 {
			return
		}
		o := Options{Algorithm: Algorithm(algo % 6), Absolute: tol}
		checkBound(t, randomSeries(rand.New(rand.NewPCG(seed, 1)), 500), &o)
	})
}

// randomTolerance sets one of three kinds of tolerance, by i: absolute over four decades,
// relative to a recent range of random blocks, or both.
func randomTolerance(r *rand.Rand, i int, o *Options) {
	switch i % 3 {
	case 0:
		o.Absolute = math.Pow(10, r.Float64()*4-2)
	case 1:
		o.Relative, o.RangeBlock = r.Float64()*0.2, r.IntN(300)
	case 2:
		o.Absolute, o.Relative = 1e-9, 0.05
	}
}
