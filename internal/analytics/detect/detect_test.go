package detect

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unsafe"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const step = 5 * time.Minute

// calm returns n points of a daily sine with Gaussian noise, the kind of series that should
// raise (almost) nothing.
func calm(seed uint64, n int) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		day := 2 * math.Pi * float64(i) * step.Seconds() / 86400
		out[i] = 100 + 20*math.Sin(day) + r.NormFloat64()
	}
	return out
}

func run(t testing.TB, vals []float64) []Result {
	t.Helper()
	return runWith(t, DefaultConfig(), vals)
}

// runWith scores vals, one every step from t0, with a new detector of configuration cfg.
func runWith(t testing.TB, cfg Config, vals []float64) []Result {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := make([]Result, len(vals))
	for i, v := range vals {
		res[i] = d.Update(t0.Add(time.Duration(i)*step), v)
	}
	return res
}

func criticals(res []Result, from, to int) int {
	n := 0
	for _, r := range res[from:to] {
		if r.Level == LevelCritical {
			n++
		}
	}
	return n
}

func TestDetectsInjectedAnomalies(t *testing.T) {
	t.Parallel()
	const n, at = 4000, 3000
	// f injects an anomaly into a calm series; the first critical point after it must come
	// within 100 points and be of kind want (any kind for KindNone).
	f := func(name string, want Kind, inject func(v []float64)) {
		t.Helper()
		vals := calm(7, n)
		inject(vals)
		res := run(t, vals)
		if got := criticals(res, at, at+100); got == 0 {
			t.Errorf("%s: no critical point within 100 points of the anomaly", name)
		}
		if got := criticals(res, 300, at); got > 2 {
			t.Errorf("%s: %d critical points before the anomaly", name, got)
		}
		for _, r := range res[at : at+100] {
			if r.Level == LevelCritical {
				if want != KindNone && r.Kind != want {
					t.Errorf("%s: first critical point of kind %v, want %v", name, r.Kind, want)
				}
				break
			}
		}
	}
	// A spike of 25 noise deviations, above the daily peak: beyond the range seen. (A
	// 15-deviation spike scores about 0.46, warning: the variance detector compares against a
	// long memory of residuals.)
	f("spike", KindExtreme, func(v []float64) { v[at] += 25 })
	// A dip of 25 noise deviations, within the range: a residual far larger than usual.
	f("dip", KindVariance, func(v []float64) { v[at] -= 25 })
	// A level shift of 8 deviations.
	f("level shift", KindShift, func(v []float64) {
		for i := at; i < len(v); i++ {
			v[i] += 8
		}
	})
	// A trend starting at the anomaly.
	f("trend change", KindShift, func(v []float64) {
		for i := at; i < len(v); i++ {
			v[i] += 0.2 * float64(i-at)
		}
	})
	// The noise grows fivefold: found through the new sequences of values before the variance
	// ratio's short memory fills.
	f("variance change", KindNone, func(v []float64) {
		r := rand.New(rand.NewPCG(9, 9))
		for i := at; i < len(v); i++ {
			v[i] += 5 * r.NormFloat64()
		}
	})
}

func TestCalmSeriesRaisesAlmostNothing(t *testing.T) {
	t.Parallel()
	for seed := range uint64(5) {
		res := run(t, calm(seed, 6000))
		if got := criticals(res, 0, len(res)); got > 2 {
			t.Errorf("seed %d: %d critical points on a calm series", seed, got)
		}
	}
}

func TestDailySeasonalityIsLearnt(t *testing.T) {
	t.Parallel()
	vals := calm(3, 12*288)
	res := run(t, vals)
	// After a few days the expectation follows the 20-unit daily swing to within the noise.
	var sum float64
	for i := 8 * 288; i < len(vals); i++ {
		sum += math.Abs(res[i].Expected - vals[i])
	}
	if mae := sum / float64(len(vals)-8*288); mae > 2 {
		t.Errorf("mean absolute error of the expectation = %.2f, want <= 2 (noise 1, swing 20)", mae)
	}
	last := res[len(res)-1]
	if !(last.Lower < last.Expected && last.Expected < last.Upper) || last.Upper-last.Lower > 12 {
		t.Errorf("band [%v, %v] around %v: want a band of a few noise deviations", last.Lower, last.Upper, last.Expected)
	}
}

func TestScoresInRangeAndWarmUp(t *testing.T) {
	t.Parallel()
	vals := calm(1, 2000)
	vals[1000] = 1e6
	res := run(t, vals)
	for i, r := range res {
		if r.Score < 0 || r.Score > 1 || math.IsNaN(r.Score) {
			t.Fatalf("point %d: score %v out of [0, 1]", i, r.Score)
		}
		if i < DefaultConfig().WarmUp && (r.Score != 0 || r.Level != LevelNone || r.Kind != KindNone) {
			t.Fatalf("point %d in warm-up: score %v level %v kind %v", i, r.Score, r.Level, r.Kind)
		}
		if (r.Score > 0) != (r.Kind != KindNone) {
			t.Fatalf("point %d: score %v with kind %v", i, r.Score, r.Kind)
		}
	}
	if res[1000].Level != LevelCritical {
		t.Errorf("a 1e6 spike got level %v", res[1000].Level)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	vals := calm(11, 3000)
	a, b := run(t, vals), run(t, vals)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("point %d: %+v then %+v", i, a[i], b[i])
		}
	}
}

func TestRestoredDetectorScoresLikeOneThatNeverStopped(t *testing.T) {
	t.Parallel()
	vals := calm(5, 5000)
	vals[3500] += 30
	for i := 4000; i < 5000; i++ {
		vals[i] += 10
	}
	want := run(t, vals)
	for _, cut := range []int{0, 1, 150, 2999, 4010} {
		d, _ := New(DefaultConfig())
		for i := range cut {
			d.Update(t0.Add(time.Duration(i)*step), vals[i])
		}
		b, err := d.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		r, _ := New(DefaultConfig())
		if err := r.UnmarshalBinary(b); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		for i := cut; i < len(vals); i++ {
			if got := r.Update(t0.Add(time.Duration(i)*step), vals[i]); got != want[i] {
				t.Fatalf("cut %d, point %d: restored %+v, uninterrupted %+v", cut, i, got, want[i])
			}
		}
	}
}

func TestCorruptCheckpointIsRefused(t *testing.T) {
	t.Parallel()
	d, _ := New(DefaultConfig())
	for i, v := range calm(2, 500) {
		d.Update(t0.Add(time.Duration(i)*step), v)
	}
	good, _ := d.MarshalBinary()
	f := func(name string, b []byte) {
		t.Helper()
		r, _ := New(DefaultConfig())
		before, _ := r.MarshalBinary()
		err := r.UnmarshalBinary(b)
		if !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: err = %v, want ErrCheckpoint", name, err)
		}
		after, _ := r.MarshalBinary()
		if string(before) != string(after) {
			t.Errorf("%s: a refused checkpoint changed the detector", name)
		}
	}
	mut := func(fn func(b []byte) []byte) []byte { return fn(append([]byte(nil), good...)) }
	// Empty.
	f("empty", nil)
	// Truncated.
	f("truncated", good[:len(good)-8])
	// Another version.
	f("old version", mut(func(b []byte) []byte { b[4] = 0; return b }))
	// Not ours.
	f("bad magic", mut(func(b []byte) []byte { b[0] = 'X'; return b }))
	// A NaN in the daily profile (leading fields are 8 bytes wide, so the record's offsets are
	// the struct's).
	f("NaN profile", mut(func(b []byte) []byte {
		binary.LittleEndian.PutUint64(b[5+unsafe.Offsetof(state{}.Daily)+8:], math.Float64bits(math.NaN()))
		return b
	}))
	// Right length, impossible content: every byte 0xff makes counters negative and floats NaN.
	f("garbage", mut(func(b []byte) []byte {
		for i := 5; i < len(b); i++ {
			b[i] = 0xff
		}
		return b
	}))
}

func TestNonFiniteInputIsNotLearnt(t *testing.T) {
	t.Parallel()
	d, _ := New(DefaultConfig())
	if r := d.Update(t0, math.NaN()); r.Score != 0 || !math.IsNaN(r.Expected) {
		t.Errorf("NaN before any data: %+v, want score 0 and NaN expectation", r)
	}
	vals := calm(4, 400)
	for i, v := range vals {
		d.Update(t0.Add(time.Duration(i)*step), v)
	}
	before, _ := d.MarshalBinary()
	// Values beyond MaxMagnitude would overflow the squared deviations for good.
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -math.MaxFloat64} {
		r := d.Update(t0.Add(400*step), v)
		if r.Score != 0 || r.Level != LevelNone || math.IsNaN(r.Expected) || !(r.Lower <= r.Upper) {
			t.Errorf("Update(%v) = %+v, want score 0, level none, a finite band", v, r)
		}
	}
	after, _ := d.MarshalBinary()
	if string(before) != string(after) {
		t.Error("non-finite input changed the model")
	}
}

// A critical point is reported lower the more often the series, and above all the detector that
// fired, have been critical before; the cut-off itself still holds.
func TestCriticalRankedByRarityOfSeriesAndDetector(t *testing.T) {
	t.Parallel()
	crit := func(d *Detector, by int) float64 {
		d.st.Quiet = 0
		return d.suppress(0.6, by)
	}
	d, _ := New(DefaultConfig())
	first := crit(d, byVariance)
	for range 20 { // the variance detector fires every 200 points for a while
		crit(d, byVariance)
		for range 199 {
			d.suppress(0.1, byVariance)
		}
	}
	again, other := crit(d, byVariance), crit(d, byExtreme)
	if !(first > other && other > again && again >= d.cfg.CriticalAt) {
		t.Errorf("first critical %v, after 20 from the variance detector: variance %v, extreme %v; want first > extreme > variance >= %v",
			first, again, other, d.cfg.CriticalAt)
	}
}

func TestSizeWithinBudget(t *testing.T) {
	t.Parallel()
	d, _ := New(DefaultConfig())
	if d.Size() > 4096 {
		t.Errorf("Size() = %d bytes, budget is 4096", d.Size())
	}
	b, _ := d.MarshalBinary()
	if len(b) > d.Size()+16 {
		t.Errorf("checkpoint is %d bytes, more than the %d accounted", len(b), d.Size())
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	f := func(mod func(c *Config), wantErr string) {
		t.Helper()
		c := DefaultConfig()
		mod(&c)
		err := c.Validate()
		if wantErr == "" {
			if err != nil {
				t.Errorf("unexpected error: %v", err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("err = %v, want it to contain %q", err, wantErr)
		}
		if _, err := New(c); err == nil {
			t.Error("New accepted an invalid configuration")
		}
	}
	// The defaults are valid.
	f(func(*Config) {}, "")
	// Negative warm-up.
	f(func(c *Config) { c.WarmUp = -1 }, "warm_up must not be negative, got -1")
	// Cut-off outside (0, 1].
	f(func(c *Config) { c.CriticalAt = 1.5 }, "critical_at must be in (0, 1], got 1.5")
	// Cut-offs out of order.
	f(func(c *Config) { c.InfoAt = 0.45; c.WarningAt = 0.35 }, "info_at <= warning_at <= critical_at")
	// NaN band.
	f(func(c *Config) { c.BandWidth = math.NaN() }, "band_width must be a positive number, got NaN")
	// Every problem at once.
	f(func(c *Config) { c.WarmUp = -1; c.Suppress = -2 }, "suppress must be in [0, 1048576], got -2")
	// A suppression beyond the state's counter.
	f(func(c *Config) { c.Suppress = 1 << 31 }, "suppress must be in [0, 1048576], got 2147483648")
	// A negative hysteresis.
	f(func(c *Config) { c.ClearAfter = -1 }, "clear_after must be in [0, 1048576], got -1")
}

func TestKindString(t *testing.T) {
	t.Parallel()
	want := map[Kind]string{
		KindNone: "none", KindShift: "shift", KindVariance: "variance", KindShape: "shape",
		KindExtreme: "extreme", KindSequence: "sequence",
	}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), s)
		}
		if p, ok := ParseKind(s); !ok || p != k {
			t.Errorf("ParseKind(%q) = %v, %v, want %v", s, p, ok, k)
		}
		if k != KindNone && k.Meaning() == KindNone.Meaning() {
			t.Errorf("Kind %v has no meaning of its own", k)
		}
	}
	if _, ok := ParseKind("spike"); ok {
		t.Error(`ParseKind("spike") succeeded`)
	}
	// Kind follows the ensemble's order (model.go).
	for by, k := range map[int]Kind{byChange: KindShift, byVariance: KindVariance, byNovelty: KindShape, byExtreme: KindExtreme, byContext: KindSequence} {
		if Kind(by+1) != k {
			t.Errorf("statistic %d is Kind %v, want %v", by, Kind(by+1), k)
		}
	}
}

func TestLevelString(t *testing.T) {
	t.Parallel()
	got := []string{LevelNone.String(), LevelInfo.String(), LevelWarning.String(), LevelCritical.String()}
	if strings.Join(got, ",") != "none,info,warning,critical" {
		t.Errorf("levels = %v", got)
	}
}

// Every incident is flagged: an incident closes once the score has stayed calm for ClearAfter
// points, so a second spike 100 points after the first (within Suppress) alerts again; with
// ClearAfter 0 the fixed Suppress silence hides it.
func TestIncidentClearsAfterCalm(t *testing.T) {
	t.Parallel()
	const at, gap = 3000, 100
	vals := calm(7, 4000)
	vals[at] -= 25
	vals[at+gap] -= 25
	f := func(clearAfter int) []Result {
		cfg := DefaultConfig()
		cfg.ClearAfter = clearAfter
		return runWith(t, cfg, vals)
	}
	if gap >= DefaultConfig().Suppress || gap <= DefaultConfig().ClearAfter {
		t.Fatalf("the second spike must come after ClearAfter and within Suppress points")
	}
	res := f(DefaultConfig().ClearAfter)
	if res[at].Level != LevelCritical || res[at+gap].Level != LevelCritical {
		t.Errorf("with hysteresis: levels %v and %v at the two spikes, want critical twice", res[at].Level, res[at+gap].Level)
	}
	if got := criticals(res, at+1, at+gap); got != 0 {
		t.Errorf("with hysteresis: %d critical points between the spikes, want 0", got)
	}
	if res := f(0); res[at].Level != LevelCritical || res[at+gap].Level == LevelCritical {
		t.Errorf("with a fixed silence: levels %v and %v at the two spikes, want critical then damped", res[at].Level, res[at+gap].Level)
	}
}

// Warm-up: a model scores from point WarmUp+1 on, but its statistics are scaled by n /
// confidentAfter until then, so a calm start raises nothing while a gross jump is critical.
func TestYoungModelFlagsOnlyGrossAnomalies(t *testing.T) {
	t.Parallel()
	at := DefaultConfig().WarmUp + 20
	if float64(at) >= confidentAfter {
		t.Fatalf("the jump at %d must come before the model is confident (%v points)", at, confidentAfter)
	}
	for seed := range uint64(5) {
		vals := calm(seed, 200)
		res := run(t, vals)
		if got := criticals(res, 0, len(res)); got != 0 {
			t.Errorf("seed %d: %d critical points in a calm start", seed, got)
		}
		for _, r := range res[:DefaultConfig().WarmUp] {
			if r.Score != 0 {
				t.Fatalf("seed %d: score %v during the warm-up", seed, r.Score)
			}
		}
		for i := at; i < len(vals); i++ {
			vals[i] += 100
		}
		if res := run(t, vals); res[at].Level != LevelCritical {
			t.Errorf("seed %d: a jump of 100 noise deviations at point %d is %v (score %.2f), want critical", seed, at, res[at].Level, res[at].Score)
		}
	}
}
