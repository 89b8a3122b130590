package forecast

import (
	"math"

	"gonum.org/v1/gonum/optimize"
)

// params are the smoothing parameters of additive ETS in error-correction form: beta is at
// most alpha and gamma at most 1-alpha, the usual admissible region.
type params struct {
	alpha, beta, gamma, gamma2, phi float64
}

// Bounds of the damping factor per step. At 0.8 a trend is forgotten within a few steps; at 1 it
// is Holt's linear trend, which a steady ramp (a filling disk) needs for the runway.
const (
	phiMin = 0.8
	phiMax = 1.0
)

// ets is an additive exponential smoothing model with damped trend, an optional season of m
// steps and an optional second season of m2 steps (a multiple of m: Taylor's double seasonal
// Holt-Winters, a day inside a week), on a grid whose missing values (NaN) are skipped: the
// state moves on by its own prediction there, the standard treatment of missing observations
// in state space models.
type ets struct {
	y      []float64
	m      int  // 0: no season
	m2     int  // 0: no second season
	trend  bool // false: no trend state (beta 0, phi 1)
	fixPhi bool // with a trend: phi is 1 (Holt's linear trend), not fitted
	l0     float64
	b0     float64
	s0     []float64 // initial seasonal state by phase (t mod m)
	s20    []float64 // initial second seasonal state by phase (t mod m2)
	s, s2  []float64 // scratch
}

// newETS initialises the states from the start of the interpolated series x: the level and
// trend from the means of the first periods (or a line through the first points), the season
// from the average deviation of each phase from its period's mean, and the second season from
// what the first leaves of each phase's deviation from its long period's mean.
func newETS(y, x []float64, m, m2 int, trend bool) *ets {
	e := newETS1(y, x, m, trend)
	if m2 > 0 && m > 0 && m2%m == 0 && len(x) >= m2 {
		e.m2 = m2
		k := min(len(x)/m2, 2)
		e.s20 = make([]float64, m2)
		for p := range k {
			var mean float64
			for j := range m2 {
				mean += x[p*m2+j]
			}
			mean /= float64(m2)
			for j := range m2 {
				e.s20[j] += (x[p*m2+j] - mean - e.s0[j%m]) / float64(k)
			}
		}
		var sum float64
		for _, v := range e.s20 {
			sum += v
		}
		for j := range e.s20 {
			e.s20[j] -= sum / float64(m2)
		}
		e.s2 = make([]float64, m2)
	}
	return e
}

func newETS1(y, x []float64, m int, trend bool) *ets {
	e := &ets{y: y, m: m, trend: trend}
	if m == 0 {
		if trend {
			w := min(len(x), max(10, len(x)/4))
			_, e.b0 = line(x[:w])
		}
		e.l0 = x[0] - e.b0
		return e
	}
	k := min(len(x)/m, 4)
	means := make([]float64, k)
	for p := range k {
		for j := range m {
			means[p] += x[p*m+j]
		}
		means[p] /= float64(m)
	}
	if k > 1 && trend {
		e.b0 = (means[k-1] - means[0]) / float64((k-1)*m)
	}
	e.s0 = make([]float64, m)
	mid := float64(m-1) / 2
	for p := range k {
		for j := range m {
			e.s0[j] += (x[p*m+j] - means[p] - e.b0*(float64(j)-mid)) / float64(k)
		}
	}
	var sum float64
	for _, v := range e.s0 {
		sum += v
	}
	for j := range e.s0 {
		e.s0[j] -= sum / float64(m)
	}
	e.l0 = means[0] - e.b0*(mid+1)
	e.s = make([]float64, m)
	return e
}

// trace, when not nil, receives the state after every step so that multi-step forecasts from
// past origins can be rebuilt for the intervals.
type trace struct {
	level, trend, season, season2 []float64 // season[t]: the seasonal value written at t
}

func newTrace(n int) trace {
	return trace{level: make([]float64, n), trend: make([]float64, n), season: make([]float64, n),
		season2: make([]float64, n)}
}

// run filters y (the model's series or a prefix of it) with p and returns the sum of squared
// one-step errors and their count.
func (e *ets) run(y []float64, p params, tr *trace) (sse float64, n int) {
	l, b := e.l0, e.b0
	if e.m > 0 {
		copy(e.s, e.s0)
	}
	if e.m2 > 0 {
		copy(e.s2, e.s20)
	}
	for t, y := range y {
		var s, s2 float64
		var ph, ph2 int
		if e.m > 0 {
			ph = t % e.m
			s = e.s[ph]
		}
		if e.m2 > 0 {
			ph2 = t % e.m2
			s2 = e.s2[ph2]
		}
		pred := l + p.phi*b + s + s2
		err := 0.0
		if !math.IsNaN(y) {
			err = y - pred
			sse += err * err
			n++
		}
		l, b = l+p.phi*b+p.alpha*err, p.phi*b+p.beta*err
		if e.m > 0 {
			e.s[ph] = s + p.gamma*err
		}
		if e.m2 > 0 {
			e.s2[ph2] = s2 + p.gamma2*err
		}
		if tr != nil {
			tr.level[t], tr.trend[t] = l, b
			if e.m > 0 {
				tr.season[t] = e.s[ph]
			}
			if e.m2 > 0 {
				tr.season2[t] = e.s2[ph2]
			}
		}
	}
	return sse, n
}

// fit chooses the parameters minimising the one-step squared error on y (a prefix of the
// model's series: the rest is kept for validation) with Nelder-Mead over an unconstrained
// reparametrisation (logistic maps onto the admissible region). It is deterministic: the start
// and the method have no randomness.
func (e *ets) fit(y []float64) params {
	obj := func(z []float64) float64 {
		sse, _ := e.run(y, e.decode(z), nil)
		if !finite(sse) {
			return math.MaxFloat64
		}
		return sse
	}
	start := []float64{logit(0.5)}
	if e.trend {
		start = append(start, logit(0.1))
		if !e.fixPhi {
			start = append(start, logit((0.98-phiMin)/(phiMax-phiMin)))
		}
	}
	if e.m > 0 {
		start = append(start, logit(0.1))
	}
	if e.m2 > 0 {
		start = append(start, logit(0.1))
	}
	best := start
	bestF := obj(start)
	res, _ := optimize.Minimize(optimize.Problem{Func: obj}, start, &optimize.Settings{
		FuncEvaluations: 100 * len(start),
		Converger:       &optimize.FunctionConverge{Relative: 1e-6, Iterations: 25},
	}, &optimize.NelderMead{})
	// A limit reached is an answer too, so the error is not checked: keep whatever improved on
	// the start.
	if res != nil && res.F < bestF {
		best = res.X
	}
	return e.decode(best)
}

// decode maps the optimiser's coordinates onto admissible parameters: alpha, then beta and phi
// with a trend, then gamma with a season and gamma2 with a second one (together at most
// 1-alpha).
func (e *ets) decode(z []float64) params {
	p := params{alpha: sigmoid(z[0]), phi: 1}
	i := 1
	if e.trend {
		p.beta = p.alpha * sigmoid(z[i])
		i++
		if !e.fixPhi {
			p.phi = phiMin + (phiMax-phiMin)*sigmoid(z[i])
			i++
		}
	}
	if e.m > 0 {
		p.gamma = (1 - p.alpha) * sigmoid(z[i])
		i++
	}
	if e.m2 > 0 {
		p.gamma2 = (1 - p.alpha - p.gamma) * sigmoid(z[i])
	}
	return p
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// line is the least-squares intercept and slope of x against its index.
func line(x []float64) (a, b float64) {
	r := detrend(x)
	if len(x) < 2 {
		if len(x) == 1 {
			return x[0], 0
		}
		return 0, 0
	}
	// detrend removed a+b*i; recover them from two points of x-r.
	a = x[0] - r[0]
	b = (x[len(x)-1] - r[len(x)-1]) - a
	return a, b / float64(len(x)-1)
}

// dampSum is phi + phi^2 + ... + phi^h, the trend multiplier at horizon h.
func dampSum(phi float64, h int) float64 {
	if phi == 1 {
		return float64(h)
	}
	return phi * (1 - math.Pow(phi, float64(h))) / (1 - phi)
}
