package forecast

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkForecast fits a model and forecasts a day ahead: the cost of one forecast panel
// query over 30 days of 5-minute data, and over 300 (near the MaxSlots cap).
func BenchmarkForecast(b *testing.B) {
	for _, days := range []int{7, 30, 300} {
		s := synth{days: float64(days), step: 5 * time.Minute, level: 50, slopePerDay: 0.5, daily: 10, weekend: 3, noise: 2, seed: 1}
		ts, vs := s.series()
		b.Run(fmt.Sprintf("days=%d,step=5m", days), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Predict(ts, vs, 24*time.Hour, DefaultConfig()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunway is the capacity runway of 100 targets: for each, four weeks of hourly usage
// (trend, daily swing, noise; a different series per target), a model selected at a 60-day
// horizon, the forecast, and the crossing dates of a threshold.
func BenchmarkRunway(b *testing.B) {
	const targets = 100
	type series struct {
		ts []time.Time
		vs []float64
	}
	in := make([]series, targets)
	for i := range in {
		s := synth{days: 28, step: time.Hour, level: 40, slopePerDay: 0.2 + 0.02*float64(i), daily: 3, noise: 1, seed: uint64(i + 1)}
		in[i].ts, in[i].vs = s.series()
	}
	cfg := DefaultConfig()
	cfg.SelectHorizon = 60 * 24 * time.Hour
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range in {
			md, err := Fit(s.ts, s.vs, cfg)
			if err != nil {
				b.Fatal(err)
			}
			_ = Runway(md.Forecast(cfg.SelectHorizon), 90)
		}
	}
}
