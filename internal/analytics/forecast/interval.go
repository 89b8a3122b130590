package forecast

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mathext"
)

// Interval estimation. The model's own variance formula assumes it is the true model with
// Gaussian errors; real metrics are neither, so the widths come from the model's actual
// multi-step errors in the later half of the history (forecasts from up to maxOrigins origins,
// each from the values up to it), measured at knot horizons spaced
// geometrically, their empirical quantiles interpolated between knots. Beyond the last knot the
// width grows as the model's variance formula says.
const (
	maxOrigins   = 300
	minKnotErrs  = 30
	knotGrowth   = 1.35
	minResidsEmp = 30
)

// offsets are what to add to the point forecast at horizon h (index h-1) for each bound.
type offsets struct {
	lo80, hi80, lo95, hi95 []float64
}

// varianceFactors returns v[h-1] = Var(h-step error)/sigma^2 for ETS(A,Ad,A+A): 1 + sum of c_j^2
// with c_j = alpha + beta*(phi+...+phi^j) + gamma*[j is a multiple of m] + gamma2*[j is a
// multiple of m2].
func varianceFactors(p params, m, m2, H int) []float64 {
	v := make([]float64, H)
	acc := 1.0
	for h := 1; h <= H; h++ {
		v[h-1] = acc
		c := p.alpha + p.beta*dampSum(p.phi, h)
		if m > 0 && h%m == 0 {
			c += p.gamma
		}
		if m2 > 0 && h%m2 == 0 {
			c += p.gamma2
		}
		acc += c * c
	}
	return v
}

// calibrationStart is the first origin whose errors calibrate the intervals: the start of the
// validation part or the middle of the history, whichever is earlier. The validation part alone
// gave intervals too narrow for the tails that followed; origins from the middle (still
// forecasting only from the values up to each origin) cover them better and give a lower
// interval score on all three development datasets (decisions file).
func (md *Model) calibrationStart() int {
	return max(1, min(md.split.c, len(md.g.y)/2))
}

// empiricalOffsets measures the model's h-step errors from the calibration origins at knot
// horizons. It returns the knots and the four quantiles at each, or nothing if there are too
// few origins.
func (md *Model) empiricalOffsets(H int, scale []float64) (knots []int, q [4][]float64) {
	n, c := len(md.g.y), md.calibrationStart()
	stride := max(1, (n-c)/maxOrigins)
	errs := make([]float64, 0, maxOrigins+1)
	for h := 1; h <= H; h = max(h+1, int(float64(h)*knotGrowth)) {
		errs = errs[:0]
		for o := n - 1 - h; o >= c-1; o -= stride {
			y := md.g.y[o+h]
			if math.IsNaN(y) {
				continue
			}
			e := y - md.pred.predictFrom(o, h)
			if scale != nil {
				e /= scale[(o+h)%len(scale)]
			}
			errs = append(errs, e)
		}
		if len(errs) < minKnotErrs {
			break
		}
		slices.Sort(errs)
		knots = append(knots, h)
		for i, p := range [4]float64{0.10, 0.90, 0.025, 0.975} {
			q[i] = append(q[i], quantile(errs, p))
		}
	}
	return knots, q
}

// offsets builds the interval offsets for horizons 1..H.
func (md *Model) offsets(H int) offsets {
	o := offsets{make([]float64, H), make([]float64, H), make([]float64, H), make([]float64, H)}
	out := [4][]float64{o.lo80, o.hi80, o.lo95, o.hi95}
	scale := md.phaseScale()
	knots, q := md.empiricalOffsets(H, scale)
	if len(knots) > 0 {
		for h := 1; h <= H; h++ {
			for i := range out {
				out[i][h-1] = md.interpKnots(knots, q[i], h)
			}
		}
		monotone(o)
		if scale != nil {
			last := len(md.g.y) - 1
			for h := 1; h <= H; h++ {
				for i := range out {
					out[i][h-1] *= scale[(last+h)%len(scale)]
				}
			}
		}
		return o
	}
	z := md.oneStepQuantiles()
	for h := 1; h <= H; h++ {
		for i := range out {
			out[i][h-1] = z[i] * math.Sqrt(md.pred.varFactor(h))
		}
	}
	monotone(o)
	return o
}

// oneStepErrors are the model's one-step errors over the history (after slot 0).
func (md *Model) oneStepErrors() []float64 {
	e := make([]float64, len(md.g.y))
	e[0] = math.NaN()
	for t := 1; t < len(md.g.y); t++ {
		e[t] = md.g.y[t] - md.pred.predictFrom(t-1, 1)
	}
	return e
}

// phaseScale is, for a seasonal series, the typical size of the one-step errors at each phase
// of the season relative to their mean: metrics are often noisier at their daily peak than at
// night, and one width for both would be too wide at night and too narrow at the peak. The
// multi-step errors are measured in these units and the bounds scaled back at each step's
// phase. Mean absolute errors are smoothed over neighbouring phases (a 24th of the season either
// side) and floored at a quarter of the mean; nil without a season or with fewer than five
// errors per phase.
func (md *Model) phaseScale() []float64 {
	m := md.phase
	if m == 0 {
		return nil
	}
	sum := make([]float64, m)
	cnt := make([]int, m)
	total := 0
	for t, e := range md.oneStepErrors() {
		if t < m || !finite(e) {
			continue
		}
		sum[t%m] += math.Abs(e)
		cnt[t%m]++
		total++
	}
	if total < 5*m {
		return nil
	}
	w := max(1, m/24)
	scale := make([]float64, m)
	var mean float64
	for j := range m {
		var s float64
		var c int
		for k := j - w; k <= j+w; k++ {
			i := (k%m + m) % m
			s += sum[i]
			c += cnt[i]
		}
		if c > 0 {
			scale[j] = s / float64(c)
		}
		mean += scale[j] / float64(m)
	}
	if mean == 0 {
		return nil
	}
	for j := range scale {
		scale[j] = math.Max(scale[j]/mean, 0.25)
	}
	return scale
}

// interpKnots interpolates linearly between knots and scales by the variance formula beyond,
// or, for a model with a trend, in proportion to the horizon if that is wider: an error in the
// slope grows linearly, and the variance formula, which assumes the slope is known, misses it
// (on synthetic ramps the true crossing date fell outside the runway's dates in a third of the
// cases without this; decisions file).
func (md *Model) interpKnots(knots []int, q []float64, h int) float64 {
	last := len(knots) - 1
	if h >= knots[last] {
		f := math.Sqrt(md.pred.varFactor(h) / md.pred.varFactor(knots[last]))
		if md.pred.trended() {
			f = math.Max(f, float64(h)/float64(knots[last]))
		}
		return q[last] * f
	}
	i, _ := slices.BinarySearch(knots, h)
	if knots[i] == h {
		return q[i]
	}
	w := float64(h-knots[i-1]) / float64(knots[i]-knots[i-1])
	return (1-w)*q[i-1] + w*q[i]
}

// oneStepQuantiles are the four bounds of one-step errors: empirical when there are enough
// residuals, else Student-t with the residual RMSE, whose heavier tails own up to the few data.
func (md *Model) oneStepQuantiles() [4]float64 {
	var r []float64
	for _, e := range md.oneStepErrors() {
		if finite(e) {
			r = append(r, e)
		}
	}
	ps := [4]float64{0.10, 0.90, 0.025, 0.975}
	var z [4]float64
	if len(r) >= minResidsEmp {
		slices.Sort(r)
		for i, p := range ps {
			z[i] = quantile(r, p)
		}
		return z
	}
	dof := max(1, float64(len(r)-2))
	for i, p := range ps {
		z[i] = studentQuantile(p, dof) * md.info.Sigma
	}
	return z
}

// monotone makes the intervals widen with the horizon, contain the point forecast, and nest.
func monotone(o offsets) {
	for h := range o.hi80 {
		o.hi80[h] = math.Max(o.hi80[h], 0)
		o.lo80[h] = math.Min(o.lo80[h], 0)
		o.hi95[h] = math.Max(o.hi95[h], o.hi80[h])
		o.lo95[h] = math.Min(o.lo95[h], o.lo80[h])
		if h > 0 {
			o.hi80[h] = math.Max(o.hi80[h], o.hi80[h-1])
			o.hi95[h] = math.Max(o.hi95[h], o.hi95[h-1])
			o.lo80[h] = math.Min(o.lo80[h], o.lo80[h-1])
			o.lo95[h] = math.Min(o.lo95[h], o.lo95[h-1])
		}
	}
}

// quantile of sorted x at p with linear interpolation between order statistics.
func quantile(x []float64, p float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	f := p * float64(len(x)-1)
	i := int(f)
	if i >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[i] + (f-float64(i))*(x[i+1]-x[i])
}

// studentQuantile is the p-quantile of Student's t with dof degrees of freedom, from the
// inverse regularised incomplete beta function.
func studentQuantile(p, dof float64) float64 {
	if p == 0.5 {
		return 0
	}
	q := math.Min(p, 1-p)
	x := mathext.InvRegIncBeta(dof/2, 0.5, 2*q)
	t := math.Sqrt(dof * (1 - x) / x)
	if p < 0.5 {
		return -t
	}
	return t
}
