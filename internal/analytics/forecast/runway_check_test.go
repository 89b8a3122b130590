package forecast

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestRunwayDateErrorOnSyntheticTrends checks the runway where the true crossing date is known:
// four weeks of hourly usage rising 0.5 to 2 points a day with a daily swing of 3 and noise, and
// a threshold the trend reaches 7, 15 or 30 days later. The true date is when the noiseless
// curve first reaches it. The expected date must be within 1.5 days of it at the median (0.93
// measured) and the true date between the pessimistic and optimistic dates in at least 80% of
// the cases (18 of 18 measured).
func TestRunwayDateErrorOnSyntheticTrends(t *testing.T) {
	t.Parallel()
	var errs []float64
	var cases, bracket int
	for _, slope := range []float64{0.5, 1, 2} {
		for seed := uint64(1); seed <= 6; seed++ {
			days := []float64{7, 15, 30}[seed%3]
			thr := 40 + slope*(28+days)
			rng := rand.New(rand.NewPCG(seed, 7))
			curve := func(h int) float64 {
				d := float64(h) / 24
				return 40 + slope*d + 3*math.Sin(2*math.Pi*d)
			}
			var ts []time.Time
			var vs []float64
			const n = 28 * 24
			for h := range n {
				ts = append(ts, t0.Add(time.Duration(h)*time.Hour))
				vs = append(vs, curve(h)+rng.NormFloat64())
			}
			truth := time.Duration(-1)
			for h := n; h < n+200*24; h++ {
				if curve(h) >= thr {
					truth = time.Duration(h-(n-1)) * time.Hour
					break
				}
			}
			horizon := 150 * 24 * time.Hour
			cfg := DefaultConfig()
			cfg.SelectHorizon = horizon
			md, err := Fit(ts, vs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := Runway(md.Forecast(horizon), thr)
			cases++
			e := math.Inf(1)
			if r.Expected.Within {
				e = math.Abs((r.Expected.After - truth).Hours()) / 24
			}
			errs = append(errs, e)
			if r.Pessimistic.Within && r.Pessimistic.After <= truth && (!r.Optimistic.Within || truth <= r.Optimistic.After) {
				bracket++
			}
			t.Logf("slope %.1f seed %d threshold %.1f: true %.1f days, expected %v, pessimistic %v, optimistic %v (%s)", slope, seed, thr,
				truth.Hours()/24, r.Expected, r.Pessimistic, r.Optimistic, md.Info().Kind)
		}
	}
	slices.Sort(errs)
	med := errs[len(errs)/2]
	t.Logf("runway on %d synthetic trends: median date error %.2f days, worst %.2f, true date in bracket %d/%d", cases, med, errs[len(errs)-1], bracket, cases)
	if med > 1.5 {
		t.Errorf("median date error %.2f days, want at most 1.5", med)
	}
	if float64(bracket) < 0.8*float64(cases) {
		t.Errorf("true date between the pessimistic and optimistic dates in %d of %d cases, want at least 80%%", bracket, cases)
	}
}
