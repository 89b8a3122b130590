package detect

import (
	"math/rand/v2"
	"testing"
	"time"
)

// cycle returns n points repeating pattern with a little Gaussian noise.
func cycle(seed uint64, n int, pattern ...float64) []float64 {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([]float64, n)
	for i := range out {
		out[i] = pattern[i%len(pattern)] + 0.05*r.NormFloat64()
	}
	return out
}

func TestContextSurpriseForgetsRepeatsAndFindsNewSequences(t *testing.T) {
	t.Parallel()
	var s state
	s.first(0, 0)
	s.Min, s.Max = 0, 10
	var last float64
	for i, v := range cycle(1, 400, 1, 9.4, 5.6, 9.4) {
		s.N++
		last = s.contextSurprise(v)
		if i > 50 && last != 0 {
			t.Fatalf("point %d of a repeated cycle: surprise %v, want 0", i, last)
		}
	}
	// The cycle goes on with 1, which is known, then 1 again: 1 after 1 is a new context at
	// every depth.
	s.N++
	if got := s.contextSurprise(1); got != 0 {
		t.Errorf("surprise of the cycle's next value = %v, want 0", got)
	}
	s.N++
	if got := s.contextSurprise(1); got < 0.9 {
		t.Errorf("surprise of a new sequence = %v, want at least 0.9", got)
	}
	if s.CtxUsual < 0 || s.CtxUsual > 1 {
		t.Errorf("usual share %v out of [0, 1]", s.CtxUsual)
	}
}

func TestContextDetectorIsOnByDefaultAndOffAtScaleZero(t *testing.T) {
	t.Parallel()
	f := func(scale float64, wantLearnt bool) {
		t.Helper()
		cfg := DefaultConfig()
		cfg.contextScale = scale
		d, _ := New(cfg)
		for i, v := range calm(8, 1000) {
			d.Update(t0.Add(time.Duration(i)*step), v)
		}
		learnt := d.st.CtxTab != [ctxSlots]uint16{} || d.st.CtxUsual != 0
		if learnt != wantLearnt {
			t.Errorf("scale %v: context state learnt = %v, want %v", scale, learnt, wantLearnt)
		}
	}
	// Scale 0 leaves the detector out and its state zero.
	f(0, false)
	// The default learns.
	f(DefaultConfig().contextScale, true)
}
