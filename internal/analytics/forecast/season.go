package forecast

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Thresholds of the seasonality test. A season is taken when the detrended series correlates
// with itself one period back at least minSeasonCorr, and clearly more (minSeasonLift) than at
// the reference lag: half a period, where a smooth non-seasonal series correlates as well or
// better, or one day when testing a weekly season on top of a daily one.
const (
	minSeasonCorr = 0.15
	minSeasonLift = 0.1
)

// season is a period that passed the seasonality test.
type season struct {
	period time.Duration
	m      int     // period in steps
	corr   float64 // autocorrelation at m
}

// detectSeason tests the periods in order on the interpolated series x and returns those that
// pass, the last (the preferred) first, and a note on every test. A later period must explain
// clearly more than an earlier one that passed: a weekly profile also holds the daily shape.
func detectSeason(x []float64, step time.Duration, periods []time.Duration) ([]season, string) {
	r := detrend(x)
	var passed []season
	var best season
	var notes []string
	for _, p := range periods {
		m := int(math.Round(float64(p) / float64(step)))
		if m < 2 || math.Abs(float64(time.Duration(m)*step-p)) > 0.02*float64(p) {
			notes = append(notes, fmt.Sprintf("%s: not a whole number of %s steps", fmtPeriod(p), step))
			continue
		}
		if len(x) < 2*m {
			notes = append(notes, fmt.Sprintf("%s: %d steps of history, need %d", fmtPeriod(p), len(x), 2*m))
			continue
		}
		c := lagCorr(r, m)
		ref := math.Inf(-1)
		if m >= 4 {
			ref = lagCorr(r, m/2)
		}
		if best.period > 0 {
			ref = math.Max(ref, best.corr)
		}
		ok := c >= minSeasonCorr && c-ref >= minSeasonLift
		verdict := "no"
		if ok {
			best, verdict = season{period: p, m: m, corr: c}, "yes"
			passed = append([]season{best}, passed...)
		}
		notes = append(notes, fmt.Sprintf("%s: %s (autocorrelation %.2f at one period, %.2f at the reference lag)", fmtPeriod(p), verdict, c, ref))
	}
	return passed, "season tests: " + strings.Join(notes, "; ")
}

// detrend removes the least-squares line, so a trend does not pass for correlation at every lag.
func detrend(x []float64) []float64 {
	n := float64(len(x))
	var st, sy, stt, sty float64
	for i, v := range x {
		t := float64(i)
		st += t
		sy += v
		stt += t * t
		sty += t * v
	}
	den := n*stt - st*st
	b := 0.0
	if den != 0 {
		b = (n*sty - st*sy) / den
	}
	a := (sy - b*st) / n
	r := make([]float64, len(x))
	for i, v := range x {
		r[i] = v - a - b*float64(i)
	}
	return r
}

// lagCorr is the Pearson correlation between x and x shifted by lag: unlike the textbook ACF
// estimator it does not shrink towards 0 at lags that are a large part of the series.
func lagCorr(x []float64, lag int) float64 {
	n := len(x) - lag
	if n < 3 {
		return 0
	}
	a, b := x[:n], x[lag:]
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(n)
	mb /= float64(n)
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

func fmtPeriod(p time.Duration) string {
	switch p {
	case 24 * time.Hour:
		return "daily"
	case 7 * 24 * time.Hour:
		return "weekly"
	}
	return p.String()
}
