package forecast

import (
	"math"
	"time"
)

// The baselines below are what a forecast is judged against in `mcobs backtest forecast`.

// lagSteps is period p in steps on the model's grid, or 1 (plain naive) when p is 0 or not a
// whole number of steps.
func (md *Model) lagSteps(p time.Duration) int {
	if m, ok := wholeSteps(p, md.g.step); ok {
		return m
	}
	return 1
}

// NaiveScale is the mean absolute error of the in-sample seasonal naive one-step forecast with
// period p (y[t] predicted by y[t-m]; p = 0: plain naive): the denominator of MASE and MSIS. It
// is NaN when no pair of observations m steps apart exists.
func (md *Model) NaiveScale(p time.Duration) float64 {
	mae, _ := md.lagErrors(md.lagSteps(p))
	return mae
}

// lagErrors are the mean absolute and root mean square of y[t]-y[t-m] over the history.
func (md *Model) lagErrors(m int) (mae, rms float64) {
	var s, ss float64
	var n int
	for t := m; t < len(md.g.y); t++ {
		a, b := md.g.y[t], md.g.y[t-m]
		if math.IsNaN(a) || math.IsNaN(b) {
			continue
		}
		s += math.Abs(a - b)
		ss += (a - b) * (a - b)
		n++
	}
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	return s / float64(n), math.Sqrt(ss / float64(n))
}

// Gaussian quantiles of the central 80% and 95% intervals.
const (
	z80 = 1.2815515655446004
	z95 = 1.959963984540054
)

// SeasonalNaive forecasts each step to horizon by the last observed value at the same phase of
// period p (p = 0: the last observed value), on the model's grid, with the intervals of its
// textbook model: Gaussian, standard deviation sigma*sqrt(ceil(h/m)) where sigma is the
// in-sample RMS of y[t]-y[t-m] (Hyndman and Athanasopoulos, Forecasting: Principles and
// Practice, 5.5). It is the benchmark the engine must beat. A history with no two observations a
// period apart gets the plain naive forecast.
func (md *Model) SeasonalNaive(p, horizon time.Duration) Forecast {
	m := md.lagSteps(p)
	_, sigma := md.lagErrors(m)
	if math.IsNaN(sigma) { // the history is shorter than a period: plain naive
		m = 1
		_, sigma = md.lagErrors(m)
	}
	H := md.Steps(horizon)
	f := newForecast(md, H)
	sn := newSnaive(md.g.y, m, p)
	last := len(md.g.y) - 1
	for h := 1; h <= H; h++ {
		v := sn.predictFrom(last, h)
		sd := sigma * math.Sqrt(sn.varFactor(h))
		f.Mean[h-1] = v
		f.Lower80[h-1], f.Upper80[h-1] = v-z80*sd, v+z80*sd
		f.Lower95[h-1], f.Upper95[h-1] = v-z95*sd, v+z95*sd
	}
	f.Info.Kind, f.Info.Season, f.Info.Period = KindSeasonalNaive, p, m
	return f
}
