package forecast

import (
	"math"
	"slices"
	"time"
)

// predictor is one candidate forecaster on the model's grid: predictFrom(o, h) is the h-step
// forecast made at grid slot o from the values up to o only, so forecasts from past origins are
// honest out-of-sample forecasts wherever the predictor's parameters were not fitted on them.
type predictor interface {
	predictFrom(o, h int) float64
	// varFactor is Var(h-step error) / Var(one-step error) by the predictor's own model, used
	// only beyond the horizons its validation errors were measured at.
	varFactor(h int) float64
	// trended is set when the forecast extrapolates a fitted trend, whose error grows in
	// proportion to the horizon rather than its square root.
	trended() bool
}

// etsModel is a fitted exponential smoothing candidate and its states after every slot.
type etsModel struct {
	e     *ets
	p     params
	tr    trace
	v     []float64 // variance factors, grown on demand
	sigma float64   // RMS one-step error over the whole series
}

// newETSModel fits e on the first c slots of its series and filters the whole series with the
// parameters found, so the states after slot c-1 never saw the data they forecast.
func newETSModel(e *ets, c int) *etsModel {
	em := &etsModel{e: e, p: e.fit(e.y[:c]), tr: newTrace(len(e.y))}
	sse, cnt := e.run(e.y, em.p, &em.tr)
	em.sigma = math.Sqrt(sse / float64(max(cnt, 1)))
	return em
}

func (em *etsModel) predictFrom(o, h int) float64 {
	return em.tr.level[o] + dampSum(em.p.phi, h)*em.tr.trend[o] +
		seasonAt(em.tr.season, em.e.s0, em.e.m, o, h) + seasonAt(em.tr.season2, em.e.s20, em.e.m2, o, h)
}

func (em *etsModel) varFactor(h int) float64 {
	if h > len(em.v) {
		em.v = varianceFactors(em.p, em.e.m, em.e.m2, max(h, 2*len(em.v)))
	}
	return em.v[h-1]
}

func (em *etsModel) trended() bool { return em.e.trend }

// seasonAt is the seasonal state of period m that applies h steps after slot o: the last one
// written at the same phase up to o, or the initial one.
func seasonAt(s, s0 []float64, m, o, h int) float64 {
	if m == 0 {
		return 0
	}
	t := o + h
	if j := t - m*((h+m-1)/m); j >= 0 {
		return s[j]
	}
	return s0[t%m]
}

// snaive is the seasonal naive forecast: the last observed value at the same phase of a period
// of m steps, or the last observed value when the phase was never observed.
type snaive struct {
	y      []float64
	lastOb []float64 // lastOb[o]: the last observed value at or before o
	m      int
	period time.Duration
}

func newSnaive(y []float64, m int, period time.Duration) *snaive {
	s := &snaive{y: y, m: m, period: period, lastOb: make([]float64, len(y))}
	last := math.NaN()
	for i, v := range y {
		if !math.IsNaN(v) {
			last = v
		}
		s.lastOb[i] = last
	}
	return s
}

func (s *snaive) predictFrom(o, h int) float64 {
	for j := o + h - s.m*((h+s.m-1)/s.m); j >= 0; j -= s.m {
		if !math.IsNaN(s.y[j]) {
			return s.y[j]
		}
	}
	return s.lastOb[o]
}

// varFactor: the h-step error is the sum of as many independent one-period changes as periods
// are spanned.
func (s *snaive) varFactor(h int) float64 { return float64((h + s.m - 1) / s.m) }

func (s *snaive) trended() bool { return false }

// combo is the equal-weight mean of several candidates: combining forecasts is the most
// reliable gain in the forecasting competitions, and equal weights need no estimating.
type combo struct {
	parts []predictor
}

func (c *combo) predictFrom(o, h int) float64 {
	var s float64
	for _, p := range c.parts {
		s += p.predictFrom(o, h)
	}
	return s / float64(len(c.parts))
}

func (c *combo) trended() bool {
	for _, p := range c.parts {
		if p.trended() {
			return true
		}
	}
	return false
}

func (c *combo) varFactor(h int) float64 {
	var s float64
	for _, p := range c.parts {
		s += p.varFactor(h)
	}
	return s / float64(len(c.parts))
}

// smedian is the seasonal median: the median of the last k observed values at the same phase
// of a period of m steps. It keeps the seasonal naive forecast's shape and drops most of its
// noise (the error of one noisy value is replaced by that of a median of k), and unlike a mean
// it ignores the spikes that metrics are full of; it follows a level shift late, which the
// smoothing candidates do not, so validation chooses between them or combines them.
type smedian struct {
	*snaive
	k   int
	buf []float64
}

func newSmedian(y []float64, m, k int, period time.Duration) *smedian {
	return &smedian{snaive: newSnaive(y, m, period), k: k, buf: make([]float64, 0, k)}
}

func (s *smedian) predictFrom(o, h int) float64 {
	v := s.buf[:0]
	for j := o + h - s.m*((h+s.m-1)/s.m); j >= 0 && len(v) < s.k; j -= s.m {
		if !math.IsNaN(s.y[j]) {
			v = append(v, s.y[j])
		}
	}
	if len(v) == 0 {
		return s.lastOb[o]
	}
	slices.Sort(v)
	return quantile(v, 0.5)
}

// varFactor: the median's own noise, (π/2)/k of a value's variance, plus the drift over the
// periods spanned.
func (s *smedian) varFactor(h int) float64 {
	return (math.Pi/2/float64(s.k) + float64((h+s.m-1)/s.m)) / 2
}
