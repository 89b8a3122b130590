package forecast

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Kind names the model a forecast came from.
type Kind string

// The models, from the richest to the last resort.
const (
	// KindSeasonal is ETS(A,Ad,A): level, damped trend and an additive daily or weekly season.
	KindSeasonal Kind = "seasonal"
	// KindSeasonalLevel is ETS(A,N,A): level and season without a trend.
	KindSeasonalLevel Kind = "seasonal-level"
	// KindTrend is ETS(A,Ad,N): level and damped trend, when no season is found, the history
	// holds fewer than two periods, or the season does not forecast better.
	KindTrend Kind = "trend"
	// KindLevel is ETS(A,N,N), simple exponential smoothing.
	KindLevel Kind = "level"
	// KindMean is the sample mean with Student-t intervals, for a handful of points.
	KindMean Kind = "mean"
	// KindNaive repeats the only observed value; its intervals are unbounded.
	KindNaive Kind = "naive"
)

// DefaultSelectHorizon is how far ahead candidate models are compared when choosing one.
const DefaultSelectHorizon = 24 * time.Hour

// minTrendObs is the fewest observations the damped-trend model is fitted to; below it three
// parameters and two states would follow the noise.
const minTrendObs = 10

// ErrNoData is returned when the series holds no finite value.
var ErrNoData = errors.New("forecast: no finite values")

// Config tunes Fit. Zero fields take DefaultConfig's values.
type Config struct {
	// Step is the grid step; 0 detects it as the median gap between samples.
	Step time.Duration
	// Seasons are the candidate periods, tested in order (a later one must beat an earlier one).
	// Nil tests daily and weekly; an empty, non-nil slice tests none.
	Seasons []time.Duration
	// MaxSlots bounds the regular grid; older history is dropped.
	MaxSlots int
	// SelectHorizon is the horizon at which the candidate models' in-sample forecast errors are
	// compared to pick one; set it to the horizon that will be asked for.
	SelectHorizon time.Duration
}

// DefaultConfig tests daily then weekly seasonality, keeps at most 100 000 grid slots (about a
// year of 5-minute data) and selects the model for forecasts a day ahead.
func DefaultConfig() Config {
	return Config{
		Seasons:       []time.Duration{24 * time.Hour, 7 * 24 * time.Hour},
		MaxSlots:      100_000,
		SelectHorizon: DefaultSelectHorizon,
	}
}

// Info describes the fitted model.
type Info struct {
	// Kind is the model used and Reason why, in words a dashboard can show.
	Kind   Kind
	Reason string
	// Step is the grid step; Season the period of the model's season (0 when it has none) and
	// Period it in steps.
	Step   time.Duration
	Season time.Duration
	Period int
	// Detected is the preferred season that passed the seasonality test and DetectedPeriod it in
	// steps, even if a model without a season forecast better; the seasonal naive baseline uses it.
	Detected       time.Duration
	DetectedPeriod int
	// Alpha, Beta, Gamma and Phi are the smoothing parameters (level, trend, season, damping).
	Alpha, Beta, Gamma, Phi float64
	// Sigma is the root mean square one-step error in the history.
	Sigma float64
	// Observed counts the grid slots holding data and Slots all of them: the rest were gaps.
	Observed, Slots int
	// NonNegative is set when no observed value was negative; the smoothing models' forecasts
	// and bounds are then clipped at 0, since usage, rates and counts cannot go below it. (Not
	// the mean and naive fallbacks: a handful of points proves little.)
	NonNegative bool
}

// Model is a fitted forecaster. It is not safe for concurrent use.
type Model struct {
	info Info
	g    grid
	e    *ets
	p    params
	tr   trace
	last float64 // last observed value
	mean float64 // KindMean: sample mean and standard deviation
	sd   float64
}

// Fit fits the best model the history supports. times and values have the same length; NaN and
// infinite values count as missing, and gaps are left missing on a regular grid.
func Fit(times []time.Time, values []float64, cfg Config) (*Model, error) {
	if len(times) != len(values) {
		return nil, fmt.Errorf("forecast: %d timestamps for %d values", len(times), len(values))
	}
	def := DefaultConfig()
	if cfg.Seasons == nil {
		cfg.Seasons = def.Seasons
	}
	if cfg.MaxSlots <= 0 {
		cfg.MaxSlots = def.MaxSlots
	}
	if cfg.SelectHorizon <= 0 {
		cfg.SelectHorizon = def.SelectHorizon
	}
	step := cfg.Step
	if step <= 0 {
		step = detectStep(times)
	}
	if step <= 0 {
		step = time.Minute // a single timestamp: any step will do for a naive forecast
	}
	g := regularise(times, values, step, cfg.MaxSlots)
	md := &Model{g: g, info: Info{Step: step, Slots: len(g.y)}}
	var obs []float64
	for _, v := range g.y {
		if !math.IsNaN(v) {
			obs = append(obs, v)
			md.last = v
		}
	}
	md.info.Observed = len(obs)
	md.info.NonNegative = len(obs) >= minTrendObs && slices.Min(obs) >= 0
	switch {
	case len(obs) == 0:
		return nil, ErrNoData
	case len(obs) == 1:
		md.info.Kind = KindNaive
		md.info.Reason = "one observation: no spread to estimate, intervals unbounded"
		md.mean = obs[0]
		return md, nil
	case len(obs) < minTrendObs:
		md.fitMean(obs)
		return md, nil
	}
	x := fillLinear(g.y)
	seasons, reason := detectSeason(x, step, cfg.Seasons)
	if len(seasons) > 0 {
		md.info.Detected, md.info.DetectedPeriod = seasons[0].period, seasons[0].m
	}
	H := max(1, int(cfg.SelectHorizon/step))
	var best *Model
	bestScore := math.Inf(1)
	var scores []string
	for _, c := range candidates(seasons) {
		cand := *md
		cand.e = newETS(g.y, x, c.s.m, c.trend)
		cand.fitETS()
		cand.info.Kind, cand.info.Season, cand.info.Period = c.kind, c.s.period, c.s.m
		sc := cand.selectionError(H)
		name := string(c.kind)
		if c.s.m > 0 {
			name += "/" + fmtPeriod(c.s.period)
		}
		scores = append(scores, fmt.Sprintf("%s %.4g", name, sc))
		if best == nil || sc < bestScore {
			best, bestScore = &cand, sc
		}
	}
	best.info.Reason = fmt.Sprintf("%s; in-sample mean absolute error up to %s ahead: %s",
		reason, time.Duration(H)*step, strings.Join(scores, ", "))
	return best, nil
}

type candidate struct {
	s     season
	trend bool
	kind  Kind
}

// candidates are the models tried, richest first: ties go to the first.
func candidates(seasons []season) []candidate {
	var c []candidate
	for _, s := range seasons {
		c = append(c, candidate{s, true, KindSeasonal}, candidate{s, false, KindSeasonalLevel})
	}
	return append(c, candidate{season{}, true, KindTrend}, candidate{season{}, false, KindLevel})
}

// fitETS fits md.e and records its trace.
func (md *Model) fitETS() {
	md.p = md.e.fit()
	n := len(md.g.y)
	md.tr = trace{level: make([]float64, n), trend: make([]float64, n), season: make([]float64, n), resid: make([]float64, n)}
	sse, cnt := md.e.run(md.p, &md.tr)
	md.info.Alpha, md.info.Beta, md.info.Gamma, md.info.Phi = md.p.alpha, md.p.beta, md.p.gamma, md.p.phi
	md.info.Sigma = math.Sqrt(sse / float64(max(cnt, 1)))
}

// selectionError is the mean absolute error of the model's forecasts from past origins at
// eight horizons spread evenly up to H steps (fewer if the history is short): the models are
// fitted on one-step errors, but chosen on what they will be used for.
func (md *Model) selectionError(H int) float64 {
	n := len(md.g.y)
	oMin := max(md.e.m, 10)
	H = min(H, (n-1-oMin)/2)
	if H < 1 {
		return md.info.Sigma
	}
	stride := max(1, (n-1-oMin-H)/200)
	var sum float64
	var cnt int
	for k := 1; k <= 8; k++ {
		h := max(1, k*H/8)
		for o := n - 1 - h; o >= oMin; o -= stride {
			if y := md.g.y[o+h]; !math.IsNaN(y) {
				sum += math.Abs(y - md.predictFrom(o, h))
				cnt++
			}
		}
	}
	if cnt == 0 {
		return md.info.Sigma
	}
	return sum / float64(cnt)
}

func (md *Model) fitMean(obs []float64) {
	var s, ss float64
	for _, v := range obs {
		s += v
	}
	md.mean = s / float64(len(obs))
	for _, v := range obs {
		ss += (v - md.mean) * (v - md.mean)
	}
	md.sd = math.Sqrt(ss / float64(len(obs)-1))
	md.info.Kind = KindMean
	md.info.Sigma = md.sd
	md.info.Reason = fmt.Sprintf("%d observations, need %d for a trend: mean with Student-t intervals", len(obs), minTrendObs)
}

// Info describes the fitted model.
func (md *Model) Info() Info { return md.info }

func (md *Model) nParams() int { return md.e.nParams() }

// predictFrom is the h-step forecast made at grid slot o of the history.
func (md *Model) predictFrom(o, h int) float64 {
	f := md.tr.level[o] + dampSum(md.p.phi, h)*md.tr.trend[o]
	if m := md.e.m; m > 0 {
		t := o + h
		j := t - m*((h+m-1)/m)
		if j >= 0 {
			f += md.tr.season[j]
		} else {
			f += md.e.s0[t%m]
		}
	}
	return f
}

// Forecast is a point forecast with prediction intervals on the model's grid after the history.
type Forecast struct {
	// Info describes the model that made the forecast.
	Info Info
	// Origin is the time of the last grid slot of the history and Last the last observed value.
	Origin time.Time
	Last   float64
	// Step is the grid step; Times[i] = Origin + (i+1)*Step.
	Step  time.Duration
	Times []time.Time
	// Mean is the point forecast; Lower80..Upper95 the central 80% and 95% prediction intervals.
	Mean, Lower80, Upper80, Lower95, Upper95 []float64
}

// Steps is the number of grid steps needed to cover horizon (at least one).
func (md *Model) Steps(horizon time.Duration) int {
	return max(1, int((horizon+md.g.step-1)/md.g.step))
}

// Forecast predicts the next steps up to horizon.
func (md *Model) Forecast(horizon time.Duration) Forecast {
	H := md.Steps(horizon)
	f := Forecast{
		Info: md.info, Origin: md.g.end(), Last: md.last, Step: md.g.step,
		Times: make([]time.Time, H), Mean: make([]float64, H),
		Lower80: make([]float64, H), Upper80: make([]float64, H), Lower95: make([]float64, H), Upper95: make([]float64, H),
	}
	for h := 1; h <= H; h++ {
		f.Times[h-1] = f.Origin.Add(time.Duration(h) * f.Step)
	}
	switch md.info.Kind {
	case KindNaive:
		for i := range H {
			f.Mean[i] = md.mean
			f.Lower80[i], f.Lower95[i] = math.Inf(-1), math.Inf(-1)
			f.Upper80[i], f.Upper95[i] = math.Inf(1), math.Inf(1)
		}
	case KindMean:
		n := float64(md.info.Observed)
		w80 := studentQuantile(0.9, n-1) * md.sd * math.Sqrt(1+1/n)
		w95 := studentQuantile(0.975, n-1) * md.sd * math.Sqrt(1+1/n)
		for i := range H {
			f.Mean[i] = md.mean
			f.Lower80[i], f.Upper80[i] = md.mean-w80, md.mean+w80
			f.Lower95[i], f.Upper95[i] = md.mean-w95, md.mean+w95
		}
	default:
		o := md.offsets(H)
		last := len(md.g.y) - 1
		for h := 1; h <= H; h++ {
			m := md.predictFrom(last, h)
			f.Mean[h-1] = m
			f.Lower80[h-1], f.Upper80[h-1] = m+o.lo80[h-1], m+o.hi80[h-1]
			f.Lower95[h-1], f.Upper95[h-1] = m+o.lo95[h-1], m+o.hi95[h-1]
		}
	}
	if md.info.NonNegative {
		for _, v := range [][]float64{f.Mean, f.Lower80, f.Upper80, f.Lower95, f.Upper95} {
			for i := range v {
				v[i] = math.Max(v[i], 0)
			}
		}
	}
	return f
}

// Predict fits a model to the history and forecasts it to horizon.
func Predict(times []time.Time, values []float64, horizon time.Duration, cfg Config) (Forecast, error) {
	md, err := Fit(times, values, cfg)
	if err != nil {
		return Forecast{}, err
	}
	return md.Forecast(horizon), nil
}
