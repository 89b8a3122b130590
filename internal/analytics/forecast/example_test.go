package forecast_test

import (
	"fmt"
	"math"
	"time"

	"github.com/mcobs/mcobs/internal/analytics/forecast"
)

// A disk filling by 1% a day with a daily swing of 3%, sampled hourly for four weeks: how long
// until it is 95% full? Worked out by hand: the daily peak first touches 95% on day 52.19, and
// the last sample is at day 27.96, so 24.2 days (not the 27 a straight line would give).
func Example() {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	var used []float64
	for h := range 28 * 24 {
		d := float64(h) / 24
		times = append(times, start.Add(time.Duration(h)*time.Hour))
		used = append(used, 40+d+3*math.Sin(2*math.Pi*d))
	}
	cfg := forecast.DefaultConfig()
	cfg.SelectHorizon = 60 * 24 * time.Hour // judge the candidate models at the runway's horizon
	md, err := forecast.Fit(times, used, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fc := md.Forecast(60 * 24 * time.Hour)
	r := forecast.Runway(fc, 95)
	fmt.Println("model:", md.Info().Kind, md.Info().Season)
	fmt.Println("95% full in", r.Expected)
	// Output:
	// model: seasonal 24h0m0s
	// 95% full in 24.2 days
}
