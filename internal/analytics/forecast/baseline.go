package forecast

import "math"

// The baselines below are what a forecast is judged against in `mcobs backtest forecast`.

// seasonOrOne is the seasonal naive lag: the detected period, or 1 (plain naive) without one.
func (md *Model) seasonOrOne() int { return max(md.info.DetectedPeriod, 1) }

// NaiveScale is the mean absolute error of the in-sample seasonal naive one-step forecast
// (y[t] predicted by y[t-m], m the detected period or 1): the denominator of MASE. It is NaN
// when no pair of observations m steps apart exists.
func (md *Model) NaiveScale() float64 {
	m := md.seasonOrOne()
	var s float64
	var n int
	for t := m; t < len(md.g.y); t++ {
		a, b := md.g.y[t], md.g.y[t-m]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		s += math.Abs(a - b)
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// SeasonalNaive forecasts each of the next steps by the last observed value at the same phase
// of the detected season (the last observed value when there is none), the benchmark MASE is
// named after.
func (md *Model) SeasonalNaive(steps int) []float64 {
	m := md.seasonOrOne()
	n := len(md.g.y)
	out := make([]float64, steps)
	for h := 1; h <= steps; h++ {
		out[h-1] = md.last
		for j := n - 1 + h - m*((h+m-1)/m); j >= 0; j -= m {
			if !math.IsNaN(md.g.y[j]) {
				out[h-1] = md.g.y[j]
				break
			}
		}
	}
	return out
}
