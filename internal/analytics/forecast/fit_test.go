package forecast

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSyntheticSeasonal(t *testing.T) {
	t.Parallel()
	f := func(s synth, wantSeason time.Duration) {
		t.Helper()
		var mae, maeSN float64
		var in80, in95, n float64
		for seed := uint64(1); seed <= 4; seed++ {
			s.seed = seed
			ts, vs := s.series()
			trT, trV, teT, teV := split(ts, vs, 24*time.Hour)
			md, err := Fit(trT, trV, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			info := md.Info()
			if info.Season != wantSeason && info.Season2 != wantSeason {
				t.Fatalf("%+v seed %d: model %s season %s, want a seasonal model with %s (%s)", s, seed, info.Kind, info.Season, wantSeason, info.Reason)
			}
			fc := md.Forecast(24 * time.Hour)
			m, c80, c95 := score(t, fc, teT, teV)
			sn := md.SeasonalNaive(info.Detected, 24*time.Hour).Mean
			var e float64
			for i, y := range teV {
				e += math.Abs(y - sn[i])
			}
			mae += m
			maeSN += e / float64(len(teV))
			in80 += c80
			in95 += c95
			n++
		}
		mae, maeSN, in80, in95 = mae/n, maeSN/n, in80/n, in95/n
		// With Gaussian noise of s.noise, the best possible MAE is 0.80*noise; seasonal naive
		// differences two noisy values, 1.13*noise.
		if mae > 1.1*s.noise || mae > 0.9*maeSN {
			t.Errorf("%+v: MAE %.3f (seasonal naive %.3f), want below %.3f and 0.9 of seasonal naive", s, mae, maeSN, 1.1*s.noise)
		}
		if in80 < 0.7 || in80 > 0.9 || in95 < 0.88 {
			t.Errorf("%+v: coverage 80%% %.2f, 95%% %.2f", s, in80, in95)
		}
	}
	// Daily season only, flat.
	f(synth{days: 14, step: 5 * time.Minute, level: 50, daily: 10, noise: 1}, 24*time.Hour)
	// Daily season on a rising trend.
	f(synth{days: 21, step: 5 * time.Minute, level: 50, slopePerDay: 2, daily: 10, noise: 1}, 24*time.Hour)
	// Hourly data, strong weekends over six weeks: the weekly profile wins.
	f(synth{days: 42, step: time.Hour, level: 50, daily: 5, weekend: 15, noise: 1}, 7*24*time.Hour)
}

func TestFallbacks(t *testing.T) {
	t.Parallel()
	f := func(name string, ts []time.Time, vs []float64, want Kind) {
		t.Helper()
		md, err := Fit(ts, vs, DefaultConfig())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		info := md.Info()
		if info.Kind != want {
			t.Fatalf("%s: model %s, want %s (%s)", name, info.Kind, want, info.Reason)
		}
		if info.Reason == "" {
			t.Fatalf("%s: no reason given for %s", name, info.Kind)
		}
		fc := md.Forecast(time.Hour)
		for i := range fc.Mean {
			if !finite(fc.Mean[i]) || !(fc.Lower95[i] <= fc.Lower80[i] && fc.Lower80[i] <= fc.Mean[i] &&
				fc.Mean[i] <= fc.Upper80[i] && fc.Upper80[i] <= fc.Upper95[i]) {
				t.Fatalf("%s: step %d: bounds %v %v %v %v %v not nested", name, i, fc.Lower95[i], fc.Lower80[i], fc.Mean[i], fc.Upper80[i], fc.Upper95[i])
			}
		}
	}
	daily := synth{days: 1.5, step: 5 * time.Minute, level: 50, daily: 10, noise: 1, seed: 3}
	ts, vs := daily.series()
	// A day and a half of a daily pattern: too short to learn a season, falls back to no season.
	md, err := Fit(ts, vs, DefaultConfig())
	if err != nil || md.Info().Season != 0 || !strings.Contains(md.Info().Reason, "need 576") {
		t.Fatalf("1.5 days: season %s, reason %q, err %v", md.Info().Season, md.Info().Reason, err)
	}
	f("1.5 days", ts, vs, md.Info().Kind)
	// Five points: the mean.
	f("five points", ts[:5], vs[:5], KindMean)
	// One point: naive.
	f("one point", ts[:1], vs[:1], KindNaive)
	// Two finite values among NaN and infinities: the mean of those two.
	f("mostly NaN", ts[:5], []float64{math.NaN(), 1, math.Inf(1), 3, math.NaN()}, KindMean)
	if _, err := Fit(ts[:2], []float64{math.NaN(), math.NaN()}, DefaultConfig()); !errors.Is(err, ErrNoData) {
		t.Fatalf("all NaN: err %v, want ErrNoData", err)
	}
}

func TestShortHistoryIntervalsAreHonest(t *testing.T) {
	t.Parallel()
	ts := []time.Time{t0, t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute)}
	vs := []float64{10, 12, 11, 13}
	fc, err := Predict(ts, vs, 5*time.Minute, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Student t with 3 degrees of freedom: 3.182 * sd * sqrt(1+1/4) either side of the mean.
	sd := math.Sqrt((1.5*1.5 + 0.5*0.5 + 0.5*0.5 + 1.5*1.5) / 3)
	want := 3.182 * sd * math.Sqrt(1.25)
	if got := fc.Upper95[0] - fc.Mean[0]; math.Abs(got-want) > 0.01 || fc.Mean[0] != 11.5 {
		t.Fatalf("mean %v, 95%% half-width %v, want 11.5 and %v", fc.Mean[0], got, want)
	}
	one, err := Predict(ts[:1], vs[:1], time.Minute, DefaultConfig())
	if err != nil || !math.IsInf(one.Upper80[0], 1) || !math.IsInf(one.Lower80[0], -1) || one.Mean[0] != 10 {
		t.Fatalf("one point: %+v, %v", one, err)
	}
}

func TestGapsAndNaN(t *testing.T) {
	t.Parallel()
	s := synth{days: 14, step: 5 * time.Minute, level: 50, daily: 10, noise: 1, seed: 7}
	ts, vs := s.series()
	trT, trV, teT, teV := split(ts, vs, 24*time.Hour)
	clean, err := Predict(trT, trV, 24*time.Hour, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	// Cut out six hours on day 5, and poison every 17th value.
	var gT []time.Time
	var gV []float64
	for i, tt := range trT {
		if d := tt.Sub(t0); d >= 5*24*time.Hour && d < 5*24*time.Hour+6*time.Hour {
			continue
		}
		v := trV[i]
		switch i % 17 {
		case 3:
			v = math.NaN()
		case 9:
			v = math.Inf(1)
		}
		gT, gV = append(gT, tt), append(gV, v)
	}
	md, err := Fit(gT, gV, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	info := md.Info()
	if info.Step != 5*time.Minute || info.Slots < len(trT)-1 || info.Observed >= len(trT)-72 || info.Season != 24*time.Hour {
		t.Fatalf("gappy: %+v", info)
	}
	gappy := md.Forecast(24 * time.Hour)
	maeClean, _, _ := score(t, clean, teT, teV)
	maeGappy, c80, _ := score(t, gappy, teT, teV)
	if maeGappy > 1.2*maeClean || c80 < 0.6 {
		t.Fatalf("gappy MAE %.3f (clean %.3f), coverage %.2f", maeGappy, maeClean, c80)
	}
}

func TestDetectStepAndRegularise(t *testing.T) {
	t.Parallel()
	// Jittered 5-minute samples, two in one slot and a 30-minute outage.
	secs := []int{0, 301, 599, 900, 1202, 1205, 3000, 3299}
	ts := make([]time.Time, len(secs))
	vs := make([]float64, len(secs))
	for i, s := range secs {
		ts[i], vs[i] = t0.Add(time.Duration(s)*time.Second), float64(i)
	}
	step := detectStep(ts)
	if step != 5*time.Minute {
		t.Fatalf("step %s, want 5m", step)
	}
	g := regularise(ts, vs, step, 1000)
	// Slots 0..11; slot 4 averages two samples; slots 5..9 are missing.
	if len(g.y) != 12 || g.y[4] != 4.5 || !math.IsNaN(g.y[6]) || g.y[10] != 6 || g.y[11] != 7 {
		t.Fatalf("grid %v", g.y)
	}
	if x := fillLinear(g.y); x[5] != 4.5+(6-4.5)/6 {
		t.Fatalf("interpolated %v", x)
	}
	if g := regularise(ts, vs, step, 3); len(g.y) != 3 || g.y[2] != 7 {
		t.Fatalf("capped grid %v", g.y)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	s := synth{days: 10, step: 10 * time.Minute, level: 5, slopePerDay: 0.3, daily: 2, noise: 0.5, seed: 11}
	ts, vs := s.series()
	a, err := Predict(ts, vs, 12*time.Hour, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Predict(ts, vs, 12*time.Hour, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two forecasts of the same series differ")
	}
}

func TestOddInputs(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(42, 42))
	for c := range 300 {
		n := rng.IntN(60)
		ts := make([]time.Time, n)
		vs := make([]float64, n)
		at := t0
		for i := range n {
			// Irregular, sometimes repeated, sometimes backwards timestamps; some NaN and Inf.
			at = at.Add(time.Duration(rng.IntN(600)-60) * time.Second)
			ts[i] = at
			switch rng.IntN(8) {
			case 0:
				vs[i] = math.NaN()
			case 1:
				vs[i] = math.Inf(1 - 2*rng.IntN(2))
			default:
				vs[i] = rng.NormFloat64() * 1e6
			}
		}
		fc, err := Predict(ts, vs, time.Hour, DefaultConfig())
		if errors.Is(err, ErrNoData) {
			continue
		}
		if err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		for i := range fc.Mean {
			if math.IsNaN(fc.Mean[i]) || !(fc.Lower95[i] <= fc.Lower80[i] && fc.Lower80[i] <= fc.Mean[i] &&
				fc.Mean[i] <= fc.Upper80[i] && fc.Upper80[i] <= fc.Upper95[i]) {
				t.Fatalf("case %d (%s, %d points): step %d bounds %v %v %v %v %v", c, fc.Info.Kind, n, i,
					fc.Lower95[i], fc.Lower80[i], fc.Mean[i], fc.Upper80[i], fc.Upper95[i])
			}
		}
	}
}

func TestIntervalsFollowPhaseNoise(t *testing.T) {
	t.Parallel()
	// Noise of 0.5 at night, 2.5 at the daily peak (6:00 UTC here).
	s := synth{days: 14, step: 5 * time.Minute, level: 50, daily: 10, noise: 0.5, peakNoise: 4, seed: 5}
	ts, vs := s.series()
	trT, trV, teT, teV := split(ts, vs, 24*time.Hour)
	md, err := Fit(trT, trV, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	fc := md.Forecast(24 * time.Hour)
	width := func(hour int) float64 {
		for i, tt := range fc.Times {
			if tt.Hour() == hour && tt.Minute() == 0 {
				return fc.Upper80[i] - fc.Lower80[i]
			}
		}
		t.Fatalf("no forecast at %d:00", hour)
		return 0
	}
	if peak, night := width(6), width(18); peak < 2.5*night {
		t.Errorf("80%% width %.2f at the noisy peak, %.2f at the quiet trough: want at least 2.5 times", peak, night)
	}
	if _, c80, c95 := score(t, fc, teT, teV); c80 < 0.7 || c80 > 0.9 || c95 < 0.88 {
		t.Errorf("coverage 80%% %.2f, 95%% %.2f", c80, c95)
	}
}

func TestZeroConfigIsDefault(t *testing.T) {
	t.Parallel()
	s := synth{days: 5, step: 15 * time.Minute, level: 10, daily: 3, noise: 0.3, seed: 2}
	ts, vs := s.series()
	a, err := Predict(ts, vs, 6*time.Hour, Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Predict(ts, vs, 6*time.Hour, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) || a.Info.Season != 24*time.Hour {
		t.Fatalf("zero config: %+v, default: %+v", a.Info, b.Info)
	}
	none, err := Predict(ts, vs, 6*time.Hour, Config{Seasons: []time.Duration{}})
	if err != nil || none.Info.Season != 0 {
		t.Fatalf("no seasons: %+v, %v", none.Info, err)
	}
}
