package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The smoothing parameters are fitted before the validation part: changing the values there
// must not move them, or the validation errors would be in-sample.
func TestParametersNeverSeeValidation(t *testing.T) {
	t.Parallel()
	s := synth{days: 28, step: time.Hour, level: 50, slopePerDay: 0.2, daily: 10, weekend: 5, noise: 2, seed: 3}
	_, a := s.series()
	b := append([]float64(nil), a...)
	sp := newSplit(len(a), 48)
	for i := sp.c; i < len(b); i++ {
		b[i] += 25 * math.Sin(float64(i))
	}
	for _, c := range []struct{ m, m2 int }{{0, 0}, {24, 0}, {24, 168}} {
		pa := newETSModel(newETS(a, fillLinear(a), c.m, c.m2, true), sp.c).p
		pb := newETSModel(newETS(b, fillLinear(b), c.m, c.m2, true), sp.c).p
		if pa != pb {
			t.Fatalf("season %d/%d: parameters %+v with the original validation part, %+v with another", c.m, c.m2, pa, pb)
		}
	}
	if !(sp.c > len(a)/2 && sp.c <= len(a)-2*48) {
		t.Fatalf("split %+v of %d slots: want the validation part between twice the horizon and half", sp, len(a))
	}
}

// Metrics are spiky: a daily shape with rare large spikes. Seasonal naive copies yesterday's
// spikes into today's forecast; the engine must beat it clearly on the next two days.
func TestSpikyDailySeriesBeatsSeasonalNaive(t *testing.T) {
	t.Parallel()
	var rel float64
	const seeds = 4
	for seed := uint64(1); seed <= seeds; seed++ {
		s := synth{days: 30, step: time.Hour, level: 50, daily: 10, noise: 1, seed: seed}
		ts, vs := s.series()
		rng := rand.New(rand.NewPCG(seed, 99))
		for i := range vs {
			if rng.Float64() < 0.03 {
				vs[i] += 40
			}
		}
		trT, trV, teT, teV := split(ts, vs, 48*time.Hour)
		cfg := DefaultConfig()
		cfg.SelectHorizon = 48 * time.Hour
		md, err := Fit(trT, trV, cfg)
		if err != nil {
			t.Fatal(err)
		}
		fc := md.Forecast(48 * time.Hour)
		mae, _, _ := score(t, fc, teT, teV)
		sn := md.SeasonalNaive(24*time.Hour, 48*time.Hour)
		maeSN, _, _ := score(t, sn, teT, teV)
		rel += math.Log(mae / maeSN)
		t.Logf("seed %d: %s, MAE %.2f, daily seasonal naive %.2f", seed, md.Info().Kind, mae, maeSN)
	}
	if g := math.Exp(rel / seeds); g > 0.8 {
		t.Errorf("MAE / seasonal naive MAE = %.3f (geometric mean), want at most 0.8", g)
	}
}
