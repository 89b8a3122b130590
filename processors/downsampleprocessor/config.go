package downsampleprocessor

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
)

// Config is the downsample processor's configuration.
type Config struct {
	// Rules pick the metrics to downsample and how; the first rule matching a data point wins.
	// Metrics no rule matches pass through unchanged.
	Rules []RuleConfig `mapstructure:"rules"`
	// Defaults fills every field a rule leaves empty (zero).
	Defaults RuleConfig `mapstructure:"defaults"`
	// MaxSeries bounds the number of series held; points of new series beyond it are dropped
	// and counted as refused, so neither memory nor the store behind grows without bound.
	MaxSeries int `mapstructure:"max_series"`
	// StaleAfter flushes and forgets a series that received nothing for this long (processing
	// time). Eviction runs every StaleAfter/4.
	StaleAfter time.Duration `mapstructure:"stale_after"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// RuleConfig is one matching rule and what to do with the series it matches.
type RuleConfig struct {
	// MetricNames are regular expressions matched against the whole metric name; empty
	// matches every name.
	MetricNames []string `mapstructure:"metric_names"`
	// Attributes must all be present with these values, on the data point or its resource.
	Attributes map[string]string `mapstructure:"attributes"`
	// Mode is "rollup" (exact window aggregates) or "reduce" (error-bounded kept samples).
	Mode string `mapstructure:"mode"`
	// Window is the rollup window, aligned to the Unix epoch.
	Window time.Duration `mapstructure:"window"`
	// Aggregates are the gauge rollups to emit: min, max, avg, last, count, sum.
	Aggregates []string `mapstructure:"aggregates"`
	// Algorithm forces the reduce algorithm: auto, constant, linear, mixed or counter.
	Algorithm string `mapstructure:"algorithm"`
	// Tolerance bounds the reconstruction error in reduce mode.
	Tolerance ToleranceConfig `mapstructure:"tolerance"`
	// Budget, in reduce mode, is the share of samples to keep across the rule's series (0 for
	// none): every 10,000 samples the tolerance is scaled, between ×0.01 and ×100, towards it.
	Budget float64 `mapstructure:"budget"`
	// MaxSegment makes reduce mode keep a sample at least this often, so a flat series does not
	// go silent (mind Prometheus' 5m lookback: query with last_over_time beyond it).
	MaxSegment time.Duration `mapstructure:"max_segment"`
}

// ToleranceConfig is the error bound of reduce mode: max(absolute, relative × recent range).
type ToleranceConfig struct {
	// Absolute is the largest error in the metric's unit.
	Absolute float64 `mapstructure:"absolute"`
	// Relative is the largest error as a fraction of the series' recent range.
	Relative float64 `mapstructure:"relative"`
	// RangeSamples is the block length of the recent range (the last one to two blocks).
	RangeSamples int `mapstructure:"range_samples"`
}

var _ component.Config = (*Config)(nil)

// Validate reports every problem at once, naming the YAML key and the bad value.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Rules) == 0 {
		errs = append(errs, errors.New("`rules` must hold at least one rule"))
	}
	if c.MaxSeries <= 0 {
		errs = append(errs, fmt.Errorf("`max_series` must be > 0, got %d", c.MaxSeries))
	}
	if c.StaleAfter < time.Second {
		errs = append(errs, fmt.Errorf("`stale_after` must be at least 1s, got %q", c.StaleAfter))
	}
	if err := c.Defaults.validate("defaults", false); err != nil {
		errs = append(errs, err)
	}
	for i, r := range c.Rules {
		m := r.merged(c.Defaults)
		if err := m.validate(fmt.Sprintf("rules[%d]", i), true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// merged returns the rule with its empty fields taken from d.
func (r RuleConfig) merged(d RuleConfig) RuleConfig {
	if r.Mode == "" {
		r.Mode = d.Mode
	}
	if r.Window == 0 {
		r.Window = d.Window
	}
	if len(r.Aggregates) == 0 {
		r.Aggregates = d.Aggregates
	}
	if r.Algorithm == "" {
		r.Algorithm = d.Algorithm
	}
	if r.Tolerance.Absolute == 0 && r.Tolerance.Relative == 0 {
		r.Tolerance.Absolute, r.Tolerance.Relative = d.Tolerance.Absolute, d.Tolerance.Relative
	}
	if r.Tolerance.RangeSamples == 0 {
		r.Tolerance.RangeSamples = d.Tolerance.RangeSamples
	}
	if r.MaxSegment == 0 {
		r.MaxSegment = d.MaxSegment
	}
	if r.Budget == 0 {
		r.Budget = d.Budget
	}
	return r
}

func (r RuleConfig) validate(key string, full bool) error {
	var errs []error
	for i, n := range r.MetricNames {
		if _, err := regexp.Compile("^(?:" + n + ")$"); err != nil {
			errs = append(errs, fmt.Errorf("`%s.metric_names[%d]` must be a regular expression, got %q: %w", key, i, n, err))
		}
	}
	if r.Mode != "rollup" && r.Mode != "reduce" && (full || r.Mode != "") {
		errs = append(errs, fmt.Errorf("`%s.mode` must be rollup or reduce, got %q", key, r.Mode))
	}
	if r.Window < 0 || (full && r.Mode == "rollup" && r.Window < time.Millisecond) {
		errs = append(errs, fmt.Errorf("`%s.window` must be at least 1ms in rollup mode, got %q", key, r.Window))
	}
	for i, a := range r.Aggregates {
		if _, err := reduce.ParseAgg(a); err != nil {
			errs = append(errs, fmt.Errorf("`%s.aggregates[%d]`: %w", key, i, err))
		}
	}
	if full && r.Mode == "rollup" && len(r.Aggregates) == 0 {
		errs = append(errs, fmt.Errorf("`%s.aggregates` must name at least one of min, max, avg, last, count, sum", key))
	}
	if r.Algorithm != "" || full {
		if _, err := reduce.ParseAlgorithm(r.Algorithm); err != nil {
			errs = append(errs, fmt.Errorf("`%s.algorithm`: %w", key, err))
		}
	}
	t := r.Tolerance
	if !(t.Absolute >= 0) {
		errs = append(errs, fmt.Errorf("`%s.tolerance.absolute` must be >= 0, got %v", key, t.Absolute))
	}
	if !(t.Relative >= 0) || t.Relative > 1 {
		errs = append(errs, fmt.Errorf("`%s.tolerance.relative` must be in [0, 1], got %v", key, t.Relative))
	}
	if full && r.Mode == "reduce" && t.Absolute == 0 && t.Relative == 0 {
		errs = append(errs, fmt.Errorf("`%s.tolerance` needs absolute or relative > 0, got absolute %v and relative %v", key, t.Absolute, t.Relative))
	}
	if t.RangeSamples < 0 {
		errs = append(errs, fmt.Errorf("`%s.tolerance.range_samples` must be >= 0, got %d", key, t.RangeSamples))
	}
	if !(r.Budget >= 0) || r.Budget >= 1 {
		errs = append(errs, fmt.Errorf("`%s.budget` must be in [0, 1), got %v", key, r.Budget))
	}
	if full && r.Budget > 0 && r.Mode != "reduce" {
		errs = append(errs, fmt.Errorf("`%s.budget` needs mode reduce, got mode %q", key, r.Mode))
	}
	if r.MaxSegment < 0 {
		errs = append(errs, fmt.Errorf("`%s.max_segment` must be >= 0, got %q", key, r.MaxSegment))
	}
	return errors.Join(errs...)
}
