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
