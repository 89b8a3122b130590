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
	// Algorithm forces the reduce algorithm: auto, hold or counter for last_value reads; auto,
	// constant, linear, mixed, counter or vertex for linear reads.
	Algorithm string `mapstructure:"algorithm"`
	// Read is how the store behind reads the kept samples, which the tolerance is guaranteed
	// for: last_value (Prometheus, Mimir, Thanos, VictoriaMetrics: PromQL returns the last
	// sample within its lookback) or linear (a reader drawing straight lines between kept
	// samples; PromQL is not one).
	Read string `mapstructure:"read"`
	// Lookback is the store's lookback (Prometheus --query.lookback-delta, Mimir and Thanos
	// -querier/--query.lookback-delta): with last_value reads, kept samples are never further
	// apart than this while the input has samples, so no query finds a gap the input did not
	// have. It must not exceed the store's.
	Lookback time.Duration `mapstructure:"lookback"`
	// MaxDelay, with last_value reads, sends a segment's kept sample once the segment spans
	// this long, fixing its value, instead of when the segment closes (up to one lookback
	// later): it bounds how late kept samples reach the store and what a crash loses. 0 for
	// none.
	MaxDelay time.Duration `mapstructure:"max_delay"`
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
	if r.Read == "" {
		r.Read = d.Read
	}
	if r.Lookback == 0 {
		r.Lookback = d.Lookback
	}
	if r.MaxDelay == 0 {
		r.MaxDelay = d.MaxDelay
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
	algo, algoErr := reduce.ParseAlgorithm(r.Algorithm)
	if algoErr != nil && (r.Algorithm != "" || full) {
		errs = append(errs, fmt.Errorf("`%s.algorithm`: %w", key, algoErr))
	}
	read, readErr := reduce.ParseReader(r.Read)
	if readErr != nil && (r.Read != "" || full) {
		errs = append(errs, fmt.Errorf("`%s.read`: %w", key, readErr))
	}
	if full && r.Mode == "reduce" && algoErr == nil && readErr == nil && !algo.ForReader(read) {
		errs = append(errs, fmt.Errorf("`%s.algorithm` %q is not bounded for `read: %s` (hold needs last_value; constant, linear, mixed and vertex need linear, a reader that interpolates, which PromQL is not)", key, r.Algorithm, r.Read))
	}
	if r.Lookback < 0 || (full && r.Mode == "reduce" && read == reduce.ReaderLastValue && r.Lookback == 0) {
		errs = append(errs, fmt.Errorf("`%s.lookback` must be > 0 with last_value reads (the store's lookback, 5m in Prometheus), got %q", key, r.Lookback))
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
	if r.MaxDelay < 0 {
		errs = append(errs, fmt.Errorf("`%s.max_delay` must be >= 0, got %q", key, r.MaxDelay))
	}
	if r.MaxSegment < 0 {
		errs = append(errs, fmt.Errorf("`%s.max_segment` must be >= 0, got %q", key, r.MaxSegment))
	}
	return errors.Join(errs...)
}
