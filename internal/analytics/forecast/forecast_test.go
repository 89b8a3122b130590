package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// synth is level + slope*days + a daily sine + a weekend dip + Gaussian noise (optionally
// stronger at the daily peak), on a regular
// grid, with a fixed seed so every run sees the same series.
type synth struct {
	days        float64
	step        time.Duration
	level       float64
	slopePerDay float64
	daily       float64
	weekend     float64
	noise       float64
	peakNoise   float64 // extra noise, times noise, in proportion to the daily sine when above 0
	seed        uint64
}

func (s synth) series() ([]time.Time, []float64) {
	rng := rand.New(rand.NewPCG(s.seed, 1))
	n := int(s.days * float64(24*time.Hour) / float64(s.step))
	ts := make([]time.Time, n)
	vs := make([]float64, n)
	for i := range n {
		t := t0.Add(time.Duration(i) * s.step)
		d := t.Sub(t0).Hours() / 24
		v := s.level + s.slopePerDay*d + s.daily*math.Sin(2*math.Pi*d)
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			v -= s.weekend
		}
		sd := s.noise * (1 + s.peakNoise*math.Max(0, math.Sin(2*math.Pi*d)))
		ts[i], vs[i] = t, v+sd*rng.NormFloat64()
	}
	return ts, vs
}

// split holds back the last part of a series.
func split(ts []time.Time, vs []float64, hold time.Duration) (trT []time.Time, trV []float64, teT []time.Time, teV []float64) {
	cut := ts[len(ts)-1].Add(-hold)
	for i, t := range ts {
		if t.After(cut) {
			return ts[:i], vs[:i], ts[i:], vs[i:]
		}
	}
	return ts, vs, nil, nil
}

// score compares a forecast with held-out values on the same grid: MAE, and the coverage of
// the 80% and 95% intervals.
func score(t *testing.T, f Forecast, teT []time.Time, teV []float64) (mae, cov80, cov95 float64) {
	t.Helper()
	n := 0
	for i, tt := range teT {
		k := int(math.Round(float64(tt.Sub(f.Origin))/float64(f.Step))) - 1
		if k < 0 || k >= len(f.Mean) {
			continue
		}
		y := teV[i]
		mae += math.Abs(y - f.Mean[k])
		if y >= f.Lower80[k] && y <= f.Upper80[k] {
			cov80++
		}
		if y >= f.Lower95[k] && y <= f.Upper95[k] {
			cov95++
		}
		n++
	}
	if n == 0 {
		t.Fatal("no held-out point inside the forecast")
	}
	return mae / float64(n), cov80 / float64(n), cov95 / float64(n)
}
