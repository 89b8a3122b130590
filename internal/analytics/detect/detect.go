// Package detect scores one metric series at a time, online, for anomalies. It is the math
// behind the anomaly processor and `mcobs backtest anomaly`, so a figure measured offline holds
// in the collector.
//
// A Detector learns the series' normal behaviour as it goes, without labels:
//
//   - level and trend (Holt smoothing of the deseasonalised value);
//   - daily and weekly seasonality, kept as time-of-day and hour-of-week profiles; each is used
//     only while it predicts better than the plain level, so seasonality is found automatically;
//   - noise, as a robust (clipped) mean absolute deviation of the residual.
//
// Each point is scored by an ensemble of simple detectors; the largest of their scaled
// statistics x becomes the score x/(1+x), so a score of 0.5 means one detector alone finds the
// point as unusual as its critical scale:
//
//   - change: the z-score of a short moving mean of the deseasonalised value against its
//     long-run mean and spread (level shifts, trend changes);
//   - variance: the log ratio of the short to the long mean squared residual (changes in
//     variance, and large spikes and dips);
//   - novelty: the distance of the last few points, as a shape, to a small set of learnt
//     prototypes (an adaptive-resonance style memory of the contexts seen so far);
//   - extreme: how far the value lies beyond the range seen so far (which forgets slowly), as a
//     fraction of that range.
//   - context: the share of the point's contexts (its bin of the range after the last few bins,
//     in the spirit of CAD OSE) never seen before, above the share the series usually has.
//
// The detector with the largest statistic is the point's Kind (shift, variance, shape, extreme,
// sequence), so an alert can say what kind of unusual the point is.
//
// A point that reaches the critical cut-off opens an incident: its later points are damped,
// because an incident is reported once, not at every point, until the score has stayed below
// the info cut-off for Config.ClearAfter points (hysteresis, so the next incident alerts again)
// or Config.Suppress points have passed; and the critical point's score is
// lowered the more often the series, and the detector that fired, have had critical points, so
// that a threshold above the cut-off keeps the rare events of a noisy series. The residual
// z-score itself is what the band shows. How these choices were measured is in the package
// README.
//
// Warm-up: for the first Config.WarmUp points the detector learns and reports score 0 and level
// none; the expected value and band are reported from the second point on. Until point 150
// (confidentAfter) each statistic is scaled by n/150, so a young model reports only gross
// anomalies. Seasonal profiles take two days (daily) or two weeks (weekly) of data before they
// can be selected.
//
// NaN, ±Inf and values beyond ±MaxMagnitude are not learnt: they get score 0, level none, the
// current expectation and band, and leave the state untouched.
//
// The state is a fixed-size value (Size reports its bytes; about 3.6 KiB) that MarshalBinary
// writes in a versioned little-endian layout, so a detector restored with UnmarshalBinary scores
// exactly as one that never stopped. A Detector is not safe for concurrent use.
package detect

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unsafe"
)

// Level is the severity of a scored point, derived from its score and the configured cut-offs.
type Level uint8

// Levels in increasing severity.
const (
	LevelNone Level = iota
	LevelInfo
	LevelWarning
	LevelCritical
)

// String returns the label value used in metrics: none, info, warning or critical.
func (l Level) String() string {
	switch l {
	case LevelInfo:
		return "info"
	case LevelWarning:
		return "warning"
	case LevelCritical:
		return "critical"
	default:
		return "none"
	}
}

// ParseLevel returns the Level whose String is s.
func ParseLevel(s string) (Level, bool) {
	for l := LevelNone; l <= LevelCritical; l++ {
		if l.String() == s {
			return l, true
		}
	}
	return LevelNone, false
}

// Kind names the detector of the ensemble whose statistic set a point's score: what kind of
// unusual the point is. Its order follows the ensemble's (model.go).
type Kind uint8

// Kinds of anomaly.
const (
	KindNone     Kind = iota // score 0: warm-up, non-finite input, or nothing unusual at all
	KindShift                // the level moved: a level shift or a change of trend
	KindVariance             // the residuals grew: a spike, a dip or a change in variance
	KindShape                // the last few points form a shape not seen before
	KindExtreme              // the value lies beyond the range seen so far
	KindSequence             // the recent sequence of values is new to the series
)

// kindNames and kindMeanings are indexed by Kind.
var (
	kindNames    = [...]string{"none", "shift", "variance", "shape", "extreme", "sequence"}
	kindMeanings = [...]string{
		"nothing unusual",
		"the level moved (a level shift or a change of trend)",
		"the residual is far larger than usual (a spike or dip inside the range seen, or noisier data)",
		"the last few points form a shape not seen before",
		"the value lies beyond the range seen so far",
		"the recent sequence of values is new to the series",
	}
)

// String returns the value of the anomaly.kind attribute.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return kindNames[KindNone]
}

// Meaning says in words what kind of unusual k is, for alert texts.
func (k Kind) Meaning() string {
	if int(k) < len(kindMeanings) {
		return kindMeanings[k]
	}
	return kindMeanings[KindNone]
}

// ParseKind returns the Kind whose String is s.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return KindNone, false
}

// Result is what the detector says about one point.
type Result struct {
	// Score is the anomaly score in [0, 1]; 0 during warm-up and for non-finite input.
	Score float64
	// Expected is the value the model predicted for this point before seeing it.
	Expected float64
	// Lower and Upper are the dynamic thresholds: Expected -/+ Config.BandWidth robust
	// standard deviations of the residual.
	Lower, Upper float64
	// Level is the severity from Score and the configured cut-offs.
	Level Level
	// Kind is the detector that set Score; KindNone when Score is 0.
	Kind Kind
}

// Config holds the tunables of a Detector. The zero value is not valid; start from
// DefaultConfig.
type Config struct {
	// WarmUp is the number of finite points learnt before any non-zero score is reported.
	WarmUp int
	// InfoAt, WarningAt and CriticalAt are the score cut-offs of the levels, increasing, in (0, 1].
	InfoAt, WarningAt, CriticalAt float64
	// BandWidth is the half width of the [Lower, Upper] band in robust standard deviations.
	BandWidth float64
	// Suppress is the longest an incident stays open, in points after the critical point that
	// opened it: while open, scores are damped below the critical cut-off, so an incident alerts
	// once; an incident still going on after Suppress points may alert again.
	Suppress int
	// ClearAfter closes an open incident once the score has stayed below InfoAt for this many
	// points in a row (hysteresis), so a new incident alerts again even within Suppress points of
	// the last one. 0 keeps every incident open for Suppress points.
	ClearAfter int

	// contextScale is the context detector's critical surprise (see context.go); 0 leaves that
	// detector out. Not exported: it is part of the ensemble's tuning, like the scales of the
	// other detectors, not a knob for users.
	contextScale float64
}

// DefaultConfig returns the configuration measured on the labelled sets of ../shared/data (NAB,
// kpi2018, asd); see the README.
func DefaultConfig() Config {
	return Config{
		WarmUp:     defaultWarmUp,
		InfoAt:     0.3,
		WarningAt:  0.4,
		CriticalAt: 0.5,
		BandWidth:  3,
		Suppress:   int(defaultSuppress),
		ClearAfter: defaultClearAfter,

		contextScale: ctxScale,
	}
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.WarmUp < 0 {
		errs = append(errs, fmt.Errorf("warm_up must not be negative, got %d", c.WarmUp))
	}
	if !(c.InfoAt > 0 && c.InfoAt <= 1) {
		errs = append(errs, fmt.Errorf("info_at must be in (0, 1], got %v", c.InfoAt))
	}
	if !(c.WarningAt > 0 && c.WarningAt <= 1) {
		errs = append(errs, fmt.Errorf("warning_at must be in (0, 1], got %v", c.WarningAt))
	}
	if !(c.CriticalAt > 0 && c.CriticalAt <= 1) {
		errs = append(errs, fmt.Errorf("critical_at must be in (0, 1], got %v", c.CriticalAt))
	}
	if c.InfoAt > c.WarningAt || c.WarningAt > c.CriticalAt {
		errs = append(errs, fmt.Errorf("cut-offs must satisfy info_at <= warning_at <= critical_at, got %v, %v, %v",
			c.InfoAt, c.WarningAt, c.CriticalAt))
	}
	if !(c.BandWidth > 0) || math.IsInf(c.BandWidth, 0) {
		errs = append(errs, fmt.Errorf("band_width must be a positive number, got %v", c.BandWidth))
	}
	if c.Suppress < 0 || c.Suppress > MaxSuppress {
		errs = append(errs, fmt.Errorf("suppress must be in [0, %d], got %d", MaxSuppress, c.Suppress))
	}
	if c.ClearAfter < 0 || c.ClearAfter > MaxSuppress {
		errs = append(errs, fmt.Errorf("clear_after must be in [0, %d], got %d", MaxSuppress, c.ClearAfter))
	}
	return errors.Join(errs...)
}

// MaxMagnitude bounds the values the models (Detector and Multi) learn. Beyond it a squared
// deviation could overflow to +Inf and stay there, muting the series and failing its
// checkpoint's check; no real metric comes near it.
const MaxMagnitude = 1e100

// Usable reports whether v is a value the models learn: finite and within ±MaxMagnitude. Others
// are scored 0 and leave the model untouched, like NaN.
func Usable(v float64) bool { return isFinite(v) && math.Abs(v) <= MaxMagnitude }

func isFinite(x float64) bool { return x-x == 0 }

// MaxSuppress bounds Config.Suppress: about two years of 1-minute points, and it fits the
// state's 32-bit counter.
const MaxSuppress = 1 << 20

// Detector scores one series online. Create it with New.
type Detector struct {
	cfg Config
	st  state
}

// New returns a detector with an empty model, or an error if cfg is invalid.
func New(cfg Config) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Detector{cfg: cfg}
	d.st.init()
	return d, nil
}

// Config returns the detector's configuration.
func (d *Detector) Config() Config { return d.cfg }

// Size returns the bytes the detector occupies in memory (its model and configuration; it
// holds no pointers), the figure budgeted per series.
func (d *Detector) Size() int { return int(unsafe.Sizeof(*d)) }

// Points returns how many finite points the detector has learnt.
func (d *Detector) Points() int64 { return d.st.N }

// Update scores the point (t, v) and then learns it. Points should arrive in time order; a point
// older than the previous one is scored but its time is treated as the previous time.
func (d *Detector) Update(t time.Time, v float64) Result {
	return d.UpdateUnix(t.Unix(), v)
}

// UpdateUnix is Update with the time in Unix seconds, for callers that already have it.
func (d *Detector) UpdateUnix(sec int64, v float64) Result {
	s := &d.st
	if !Usable(v) {
		return d.current()
	}
	if s.N == 0 {
		s.first(sec, v)
		return Result{Expected: v, Lower: v, Upper: v}
	}
	if sec < s.LastT {
		sec = s.LastT
	}
	raw, by, exp, sigma := s.observe(sec, v, d.cfg.contextScale)
	score := raw
	if n := float64(s.N); n < confidentAfter {
		// A young model's statistics rest on few points: scale them down, so that in its first
		// confidentAfter points only an anomaly confidentAfter/n times past its critical scale
		// is critical.
		x := raw / (1 - raw) * n / confidentAfter
		score = x / (1 + x)
	}
	res := Result{Expected: exp, Lower: exp - d.cfg.BandWidth*sigma, Upper: exp + d.cfg.BandWidth*sigma}
	if s.N <= int64(d.cfg.WarmUp) {
		return res
	}
	score = d.suppress(score, by)
	res.Score = score
	res.Level = d.level(score)
	if score > 0 {
		res.Kind = Kind(by + 1)
	}
	return res
}

// current is the answer for a point that is not learnt.
func (d *Detector) current() Result {
	s := &d.st
	if s.N == 0 {
		return Result{Expected: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
	}
	exp, sigma := s.expect(s.LastT)
	return Result{Expected: exp, Lower: exp - d.cfg.BandWidth*sigma, Upper: exp + d.cfg.BandWidth*sigma}
}

// suppress damps the scores of an open incident: NAB, and an on-call engineer, reward the first
// report of an incident and pay for every repeat. A critical point opens an incident; it stays
// open (its scores damped below the critical cut-off) until the score has stayed below the info
// cut-off for Config.ClearAfter points, or for at most Config.Suppress points while it is still
// going on (a level shift keeps the change statistic high for hundreds of points, and the next
// incident must not be missed behind it). It also ranks a critical score by the rarity of
// critical points in the series and from detector by (see rateWeight).
func (d *Detector) suppress(score float64, by int) float64 {
	s := &d.st
	fired := -1
	defer func() {
		for k := range s.Fired {
			hit := 0.0
			if k == fired {
				hit = 1
			}
			s.Fired[k] += rateAlpha * (hit - s.Fired[k])
		}
	}()
	if s.Quiet > 0 {
		s.Quiet--
		// Hysteresis: the incident clears once the score has stayed below the info cut-off for
		// ClearAfter points, so the next incident alerts again however soon it comes.
		if score < d.cfg.InfoAt {
			s.Calm++
		} else {
			s.Calm = 0
		}
		if d.cfg.ClearAfter > 0 && s.Calm >= int32(d.cfg.ClearAfter) {
			s.Quiet, s.Calm = 0, 0
		}
		return score * suppressDamping
	}
	if score >= d.cfg.CriticalAt {
		s.Quiet = int32(d.cfg.Suppress)
		s.Calm = 0
		fired = by
		rate := s.Fired[by]
		for _, r := range s.Fired {
			rate += r
		}
		return math.Min(1, d.cfg.CriticalAt+(score-d.cfg.CriticalAt+rateBase)/(1+rateWeight*rate))
	}
	return score
}

func (d *Detector) level(score float64) Level {
	switch {
	case score >= d.cfg.CriticalAt:
		return LevelCritical
	case score >= d.cfg.WarningAt:
		return LevelWarning
	case score >= d.cfg.InfoAt:
		return LevelInfo
	default:
		return LevelNone
	}
}
