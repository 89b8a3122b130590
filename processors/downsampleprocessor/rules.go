package downsampleprocessor

import (
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
		r.opts = reduce.Options{
			Algorithm: algo, Absolute: m.Tolerance.Absolute, Relative: m.Tolerance.Relative,
			RangeBlock: m.Tolerance.RangeSamples, MaxSegment: int64(m.MaxSegment),
			Snap: true,
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
