package reduce

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// refGauge is the reference: group the in-order finite samples by window with a map.
func refGauge(pts []Point, w int64) map[int64][]float64 {
	out := map[int64][]float64{}
	for _, p := range InOrder(pts) {
		if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
			continue
		}
		ws := p.T - ((p.T%w)+w)%w
		out[ws] = append(out[ws], p.V)
	}
	return out
}

func TestGaugeRollupMatchesReference(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		pts := randomSeries(r, 1+r.IntN(500))
		w := int64(1+r.IntN(600)) * 1e9
		ro := GaugeRollup{Width: w}
		var got []GaugeWindow
		for _, p := range pts {
			if c, ok, _ := ro.Push(p.T, p.V); ok {
				got = append(got, c)
			}
		}
		if c, ok := ro.Flush(); ok {
			got = append(got, c)
		}
		ref := refGauge(pts, w)
		if len(got) != len(ref) {
			t.Fatalf("width %d: %d windows, reference %d", w, len(got), len(ref))
		}
		for _, g := range got {
			vals := ref[g.Start]
			mn, mx, sum := math.Inf(1), math.Inf(-1), 0.0
			for _, v := range vals {
				mn, mx, sum = min(mn, v), max(mx, v), sum+v
			}
			want := map[Agg]float64{
				AggMin: mn, AggMax: mx, AggSum: sum, AggCount: float64(len(vals)),
				AggAvg: sum / float64(len(vals)), AggLast: vals[len(vals)-1],
			}
			for a, v := range want {
				if g.Value(a) != v {
					t.Fatalf("window %d %v = %v, reference %v", g.Start, a, g.Value(a), v)
				}
			}
		}
	}
}

func TestGaugeRollupEdgeCases(t *testing.T) {
	t.Parallel()
	f := func(pts []Point, want []GaugeWindow) {
		t.Helper()
		ro := GaugeRollup{Width: 10}
		var got []GaugeWindow
		for _, p := range pts {
			if c, ok, _ := ro.Push(p.T, p.V); ok {
				got = append(got, c)
			}
		}
		if c, ok := ro.Flush(); ok {
			got = append(got, c)
		}
		if len(got) != len(want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("window %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
	}
	// A single-point window.
	f([]Point{{5, 3}}, []GaugeWindow{{Start: 0, LastT: 5, N: 1, Sum: 3, Min: 3, Max: 3, Last: 3}})
	// A gap of empty windows emits nothing for them.
	f([]Point{{1, 1}, {35, 2}}, []GaugeWindow{
		{Start: 0, LastT: 1, N: 1, Sum: 1, Min: 1, Max: 1, Last: 1},
		{Start: 30, LastT: 35, N: 1, Sum: 2, Min: 2, Max: 2, Last: 2},
	})
	// NaN is left out; a window of only NaN emits nothing.
	f([]Point{{1, math.NaN()}, {11, 4}, {12, math.NaN()}}, []GaugeWindow{{Start: 10, LastT: 11, N: 1, Sum: 4, Min: 4, Max: 4, Last: 4}})
	// Negative times align to the epoch too.
	f([]Point{{-5, 1}}, []GaugeWindow{{Start: -10, LastT: -5, N: 1, Sum: 1, Min: 1, Max: 1, Last: 1}})
}

func TestCumulativeRollupKeepsIncrease(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		var pts []Point
		v := 0.0
		tm := int64(0)
		for range 1 + r.IntN(400) {
			if r.Float64() < 0.05 {
				v = math.Floor(r.Float64() * 30)
			}
			v += math.Floor(r.Float64() * 5)
			tm += int64(1+r.IntN(30)) * 1e9
			pts = append(pts, Point{tm, v})
		}
		w := int64(1+r.IntN(300)) * 1e9
		ro := CumulativeRollup{Width: w}
		var kept []Point
		for i, p := range pts {
			prev, cur, _ := ro.Push(p.T, p.V, false)
			if prev {
				kept = append(kept, pts[i-1])
			}
			if cur {
				kept = append(kept, p)
			}
		}
		if ro.Flush() {
			kept = append(kept, pts[len(pts)-1])
		}
		if a, b := increase(pts), increase(kept); a != b {
			t.Fatalf("increase: input %v, kept %v", a, b)
		}
		// The last sample of every window is kept, and the first and last of the series.
		lastOf := map[int64]Point{}
		for _, p := range pts {
			lastOf[WindowStart(p.T, w)] = p
		}
		keptSet := map[Point]bool{}
		for _, k := range kept {
			keptSet[k] = true
		}
		for ws, p := range lastOf {
			if !keptSet[p] {
				t.Fatalf("window %d: last sample %v not kept", ws, p)
			}
		}
		if !keptSet[pts[0]] {
			t.Fatal("first sample not kept")
		}
		// And increase between any two kept samples equals the input's between them.
		for i := 1; i < len(kept); i++ {
			var seg []Point
			for _, p := range pts {
				if p.T >= kept[i-1].T && p.T <= kept[i].T {
					seg = append(seg, p)
				}
			}
			if a, b := increase(seg), increase(kept[i-1:i+1]); a != b {
				t.Fatalf("between %v and %v: input %v, kept %v", kept[i-1], kept[i], a, b)
			}
		}
	}
}

func TestCumulativeRollupStartTimeReset(t *testing.T) {
	t.Parallel()
	ro := CumulativeRollup{Width: 100}
	steps := []struct {
		t        int64
		v        float64
		reset    bool
		prev, cu bool
	}{
		{1, 10, false, false, true}, // first sample
		{2, 20, false, false, false},
		{3, 30, true, true, true}, // new start time without a decrease: both sides kept
		{4, 40, false, false, false},
	}
	for _, s := range steps {
		p, c, _ := ro.Push(s.t, s.v, s.reset)
		if p != s.prev || c != s.cu {
			t.Fatalf("Push(%d) = %v,%v want %v,%v", s.t, p, c, s.prev, s.cu)
		}
	}
	if !ro.Flush() || ro.Flush() {
		t.Fatal("Flush must emit the pending last sample once")
	}
}

func TestDeltaRollupExactTotal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 9))
	for range 200 {
		ro := DeltaRollup{Width: int64(1+r.IntN(100)) * 1e9}
		var total, got int64
		tm := int64(0)
		for range 1 + r.IntN(300) {
			tm += int64(1+r.IntN(20)) * 1e9
			iv := int64(r.IntN(1000))
			total += iv
			if c, ok, _ := ro.Push(tm-1e9, tm, float64(iv), iv); ok {
				got += c.IntSum
			}
		}
		if c, ok := ro.Flush(); ok {
			got += c.IntSum
		}
		if got != total {
			t.Fatalf("sum of windows %d, input total %d", got, total)
		}
	}
}

func TestMergeDelta(t *testing.T) {
	t.Parallel()
	var dst Histogram
	a := Histogram{
		StartTime: 0, Time: 10, Count: 3, Sum: 6, Min: 1, Max: 3, HasSum: true, HasMin: true, HasMax: true,
		Bounds: []float64{1, 2}, Counts: []uint64{1, 1, 1},
	}
	b := Histogram{
		StartTime: 10, Time: 20, Count: 2, Sum: 10, Min: 0.5, Max: 9.5, HasSum: true, HasMin: true, HasMax: true,
		Bounds: []float64{1, 2}, Counts: []uint64{1, 0, 1},
	}
	if err := MergeDelta(&dst, &a); err != nil {
		t.Fatal(err)
	}
	if err := MergeDelta(&dst, &b); err != nil {
		t.Fatal(err)
	}
	if dst.Count != 5 || dst.Sum != 16 || dst.Min != 0.5 || dst.Max != 9.5 || dst.StartTime != 0 || dst.Time != 20 ||
		dst.Counts[0] != 2 || dst.Counts[1] != 1 || dst.Counts[2] != 2 {
		t.Fatalf("merged = %+v", dst)
	}
	if a.Counts[0] != 1 {
		t.Fatal("merge changed its source")
	}
	c := Histogram{Count: 1, Bounds: []float64{5}, Counts: []uint64{1, 0}}
	if err := MergeDelta(&dst, &c); !errors.Is(err, ErrBoundsDiffer) {
		t.Fatalf("different bounds: err = %v", err)
	}
}
