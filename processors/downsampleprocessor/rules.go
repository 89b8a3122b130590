package downsampleprocessor

import (
	"math"
	"regexp"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
)

// rule is a RuleConfig compiled for the hot path.
type rule struct {
	names  []*regexp.Regexp
	attrs  map[string]string
	rollup bool
	window int64
	aggs   []reduce.Agg
	// opts drives gauges and non-monotonic sums; counter drives monotonic cumulative sums.
	opts, counter reduce.Options
	// budget is the target share of samples kept; scale the tolerance factor it moves, shared
	// by every series of the rule; in and out count samples since the last adjustment.
	budget  float64
	scale   float64
	in, out int64
}

// budgetPeriod is how many samples a rule takes in between two budget adjustments.
const budgetPeriod = 10_000

// adjust moves the tolerance scale towards the budget. The samples kept fall roughly as the
// tolerance grows, so the scale moves by the square root of the ratio, at most ×2 at a time,
// which converges without overshooting on the series measured.
func (r *rule) adjust() {
	if r.budget <= 0 || r.in < budgetPeriod {
		return
	}
	ratio := float64(r.out) / float64(r.in)
	f := math.Sqrt(math.Max(ratio, r.budget/16) / r.budget)
	r.scale = math.Min(100, math.Max(0.01, r.scale*math.Min(2, math.Max(0.5, f))))
	r.in, r.out = 0, 0
}

func compileRules(c *Config) ([]*rule, error) {
	out := make([]*rule, 0, len(c.Rules))
	for _, rc := range c.Rules {
		m := rc.merged(c.Defaults)
		r := &rule{attrs: m.Attributes, rollup: m.Mode == "rollup", window: int64(m.Window)}
		for _, n := range m.MetricNames {
			re, err := regexp.Compile("^(?:" + n + ")$")
			if err != nil {
				return nil, err
			}
			r.names = append(r.names, re)
		}
		seen := reduce.Agg(0)
		for _, a := range m.Aggregates {
			ag, err := reduce.ParseAgg(a)
			if err != nil {
				return nil, err
			}
			if seen&ag == 0 {
				r.aggs = append(r.aggs, ag)
			}
			seen |= ag
		}
		algo, err := reduce.ParseAlgorithm(m.Algorithm)
		if err != nil {
			return nil, err
		}
		read, err := reduce.ParseReader(m.Read)
		if err != nil {
			return nil, err
		}
		r.opts = reduce.Options{
			Algorithm: algo, Absolute: m.Tolerance.Absolute, Relative: m.Tolerance.Relative,
			RangeBlock: m.Tolerance.RangeSamples, MaxSegment: int64(m.MaxSegment),
			Snap: true, Reader: read,
		}
		if read == reduce.ReaderLastValue {
			r.opts.Lookback, r.opts.MaxDelay = int64(m.Lookback), int64(m.MaxDelay)
		}
		if m.Budget > 0 {
			r.budget, r.scale = m.Budget, 1
			r.opts.Scale = &r.scale
		}
		r.counter = r.opts
		r.counter.Algorithm = reduce.Counter
		out = append(out, r)
	}
	return out, nil
}

func (r *rule) matchesName(name string) bool {
	if len(r.names) == 0 {
		return true
	}
	for _, re := range r.names {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// matchesAttrs reports whether every configured attribute is on the data point or the resource.
func (r *rule) matchesAttrs(dp, res pcommon.Map) bool {
	if len(r.attrs) == 0 {
		return true
	}
	for k, want := range r.attrs {
		if v, ok := dp.Get(k); ok && v.AsString() == want {
			continue
		}
		if v, ok := res.Get(k); ok && v.AsString() == want {
			continue
		}
		return false
	}
	return true
}

func firstMatch(rules []*rule, dp, res pcommon.Map) *rule {
	for _, r := range rules {
		if r.matchesAttrs(dp, res) {
			return r
		}
	}
	return nil
}
