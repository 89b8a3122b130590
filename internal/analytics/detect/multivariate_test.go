package detect

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// correlated returns n vectors of 4 metrics driven by one load factor, like CPU, memory, disk
// and network of a busy host, plus independent noise.
func correlated(seed uint64, n int) [][]float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([][]float64, n)
	for i := range out {
		load := 50 + 20*math.Sin(float64(i)/50) + 5*r.NormFloat64()
		out[i] = []float64{
			load + r.NormFloat64(),
			0.5*load + 10 + r.NormFloat64(),
			2*load - 30 + 2*r.NormFloat64(),
			100*load + 50*r.NormFloat64(),
		}
	}
	return out
}

func newMulti(t testing.TB) *Multi {
	t.Helper()
	m, err := NewMulti(DefaultMultiConfig(4))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMultiFindsBrokenCorrelationAndNamesTheMetric(t *testing.T) {
	t.Parallel()
	xs := correlated(1, 3000)
	// Disk busy drops while the others stay: each value alone is within its usual range,
	// only the joint behaviour is wrong.
	xs[2500][2] = 2*xs[2500][0] - 30 - 40
	m := newMulti(t)
	var falseAlarms int
	for i, x := range xs {
		r := m.Update(x)
		if r.Score < 0 || r.Score >= 1 {
			t.Fatalf("vector %d: score %v out of [0, 1)", i, r.Score)
		}
		c := m.Contributions(nil)
		if sum := c[0] + c[1] + c[2] + c[3]; r.Energy > 0 && math.Abs(sum-r.Energy) > 1e-9*r.Energy {
			t.Fatalf("vector %d: contributions %v sum to %v, energy %v", i, c, sum, r.Energy)
		}
		if i == 2500 {
			if !r.Anomalous || r.Top != 2 || slices.Index(c, slices.Max(c)) != 2 {
				t.Errorf("broken correlation: %+v, contributions %v, want anomalous with top metric 2", r, c)
			}
			continue
		}
		if i > 1000 && r.Energy > 3*r.Threshold {
			falseAlarms++
		}
	}
	if falseAlarms > 5 {
		t.Errorf("%d normal vectors above 3x the threshold", falseAlarms)
	}
}

func TestMultiThresholdIsThePercentile(t *testing.T) {
	t.Parallel()
	m := newMulti(t)
	above := 0
	xs := correlated(3, 4000)
	for i, x := range xs {
		if r := m.Update(x); i >= 1000 && r.Anomalous {
			above++
		}
	}
	// About 1% of 3000 vectors exceed the 99th percentile of recent energies.
	if above < 5 || above > 90 {
		t.Errorf("%d of 3000 vectors above the 99th percentile threshold", above)
	}
}

func TestMultiRestoreScoresLikeNeverStopped(t *testing.T) {
	t.Parallel()
	xs := correlated(4, 2000)
	ref := newMulti(t)
	want := make([]MultiResult, len(xs))
	for i, x := range xs {
		want[i] = ref.Update(x)
	}
	a := newMulti(t)
	for _, x := range xs[:777] {
		a.Update(x)
	}
	b, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	r := newMulti(t)
	if err := r.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	for i := 777; i < len(xs); i++ {
		if got := r.Update(xs[i]); got != want[i] {
			t.Fatalf("vector %d: restored %+v, uninterrupted %+v", i, got, want[i])
		}
	}
	// Another shape or a damaged record is refused.
	other, _ := NewMulti(DefaultMultiConfig(3))
	if err := other.UnmarshalBinary(b); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("3-metric model accepted a 4-metric checkpoint: %v", err)
	}
	if err := r.UnmarshalBinary(b[:len(b)-1]); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("truncated checkpoint: %v", err)
	}
	// A ring position beyond the ring (header: dims, window, n, pos, fill) would panic once the
	// ring fills.
	bad, _ := newMulti(t).MarshalBinary() // an empty ring
	binary.LittleEndian.PutUint64(bad[len(multiMagic)+1+3*8:], 100000)
	if err := newMulti(t).UnmarshalBinary(bad); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("ring position 100000: %v", err)
	}
}

func TestMultiIgnoresNonFiniteAndWrongLength(t *testing.T) {
	t.Parallel()
	m := newMulti(t)
	for _, x := range correlated(5, 100) {
		m.Update(x)
	}
	before, _ := m.MarshalBinary()
	for _, x := range [][]float64{{1, math.NaN(), 2, 3}, {1, 2, math.Inf(1), 3}, {1, 2, 3, 1e300}, {1, 2}} {
		if r := m.Update(x); r.Score != 0 || r.Top != -1 {
			t.Errorf("Update(%v) = %+v, want no score", x, r)
		}
	}
	after, _ := m.MarshalBinary()
	if string(before) != string(after) {
		t.Error("invalid vectors changed the model")
	}
}

func TestMultiConfigValidate(t *testing.T) {
	t.Parallel()
	bad := []MultiConfig{
		{Dims: 1, Percentile: 99, Window: 512},
		{Dims: 4, Percentile: 100, Window: 512},
		{Dims: 4, Percentile: 99, Window: 2},
		{Dims: 4, Percentile: 99, Window: 512, WarmUp: -1},
	}
	for _, c := range bad {
		if _, err := NewMulti(c); err == nil {
			t.Errorf("NewMulti(%+v) accepted an invalid configuration", c)
		}
	}
}

func TestSelectKthMatchesSort(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{1, 2, 3, 10, 511, 512} {
		a := make([]float64, n)
		for i := range a {
			a[i] = math.Floor(r.Float64() * 20) // ties on purpose
		}
		sorted := slices.Clone(a)
		slices.Sort(sorted)
		for k := range n {
			if got := selectKth(slices.Clone(a), k); got != sorted[k] {
				t.Fatalf("n=%d k=%d: %v, want %v", n, k, got, sorted[k])
			}
		}
	}
}
