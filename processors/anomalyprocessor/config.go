package anomalyprocessor

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"

	"github.com/mcobs/mcobs/internal/analytics/detect"
)

// Config is the anomaly processor's configuration.
type Config struct {
	// Metrics lists the names of the gauge and sum metrics whose series are scored, one model
	// per series (resource, metric name and data point attributes). Cumulative counters should
	// be turned into rates first (cumulativetodelta and deltatorate processors).
	Metrics []string `mapstructure:"metrics"`
	// WarmUp is the number of points a series' model learns before it reports any score.
	WarmUp int `mapstructure:"warm_up"`
	// Levels are the score cut-offs of the info, warning and critical levels.
	Levels LevelsConfig `mapstructure:"levels"`
	// BandWidth is the half width of the lower/upper band in robust standard deviations.
	BandWidth float64 `mapstructure:"band_width"`
	// Suppress is the longest an incident stays open, in points after the critical point that
	// opened it; while open, its scores are damped below the critical cut-off, so an incident
	// is reported once.
	Suppress int `mapstructure:"suppress"`
	// ClearAfter closes an open incident once the score has stayed below the info cut-off for
	// this many points (hysteresis), so the next incident is reported again; 0 keeps every
	// incident open for Suppress points.
	ClearAfter int `mapstructure:"clear_after"`
	// MaxSeries caps the number of series and groups modelled; points of new series beyond it
	// pass through unscored and are counted in processor_anomaly_points_refused.
	MaxSeries int `mapstructure:"max_series"`
	// StaleAfter drops the model of a series that sent no point for this long.
	StaleAfter time.Duration `mapstructure:"stale_after"`
	// Storage is the ID of a storage extension (such as file_storage) that keeps the models
	// across restarts. Without it, models start empty at every start.
	Storage *component.ID `mapstructure:"storage"`
	// CheckpointInterval is how often models are written to Storage; they are also written at
	// shutdown.
	CheckpointInterval time.Duration `mapstructure:"checkpoint_interval"`
	// Groups are the multivariate models: for each resource, the listed metrics are scored
	// together.
	Groups []GroupConfig `mapstructure:"groups"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// LevelsConfig holds the score cut-offs of the levels.
type LevelsConfig struct {
	// Info is the lowest score reported as level info.
	Info float64 `mapstructure:"info"`
	// Warning is the lowest score reported as level warning.
	Warning float64 `mapstructure:"warning"`
	// Critical is the lowest score reported as level critical.
	Critical float64 `mapstructure:"critical"`
}

// GroupConfig is one multivariate model, applied per resource.
type GroupConfig struct {
	// Name identifies the group in the output (attribute anomaly.group).
	Name string `mapstructure:"name"`
	// Metrics are the gauge or sum metrics of one resource modelled jointly; at least two.
	Metrics []string `mapstructure:"metrics"`
	// Percentile of the recent energies above which a vector is anomalous, in (50, 100);
	// 0 means the default, 99.
	Percentile float64 `mapstructure:"percentile"`
}

var _ component.Config = (*Config)(nil)

// Validate reports every problem of the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Metrics) == 0 && len(c.Groups) == 0 {
		errs = append(errs, errors.New("`metrics` or `groups` must list at least one metric, got none"))
	}
	seen := map[string]bool{}
	for i, m := range c.Metrics {
		if m == "" {
			errs = append(errs, fmt.Errorf("`metrics[%d]` must not be empty", i))
		}
		if seen[m] {
			errs = append(errs, fmt.Errorf("`metrics[%d]` repeats %q", i, m))
		}
		seen[m] = true
	}
	if c.WarmUp < 0 {
		errs = append(errs, fmt.Errorf("`warm_up` must not be negative, got %d", c.WarmUp))
	}
	if c.Suppress < 0 || c.Suppress > detect.MaxSuppress {
		errs = append(errs, fmt.Errorf("`suppress` must be in [0, %d], got %d", detect.MaxSuppress, c.Suppress))
	}
	if c.ClearAfter < 0 || c.ClearAfter > detect.MaxSuppress {
		errs = append(errs, fmt.Errorf("`clear_after` must be in [0, %d], got %d", detect.MaxSuppress, c.ClearAfter))
	}
	if !(c.BandWidth > 0) {
		errs = append(errs, fmt.Errorf("`band_width` must be positive, got %v", c.BandWidth))
	}
	errs = append(errs, c.Levels.validate())
	if c.MaxSeries < 1 {
		errs = append(errs, fmt.Errorf("`max_series` must be at least 1, got %d", c.MaxSeries))
	}
	if c.StaleAfter < time.Minute {
		errs = append(errs, fmt.Errorf("`stale_after` must be at least 1m, got %q", c.StaleAfter))
	}
	if c.CheckpointInterval < time.Second {
		errs = append(errs, fmt.Errorf("`checkpoint_interval` must be at least 1s, got %q", c.CheckpointInterval))
	}
	names := map[string]bool{}
	for i, g := range c.Groups {
		errs = append(errs, g.validate(i))
		if names[g.Name] {
			errs = append(errs, fmt.Errorf("`groups[%d].name` repeats %q", i, g.Name))
		}
		names[g.Name] = true
	}
	return errors.Join(errs...)
}

func (l LevelsConfig) validate() error {
	var errs []error
	for _, f := range []struct {
		key string
		v   float64
	}{{"info", l.Info}, {"warning", l.Warning}, {"critical", l.Critical}} {
		if !(f.v > 0 && f.v <= 1) {
			errs = append(errs, fmt.Errorf("`levels.%s` must be in (0, 1], got %v", f.key, f.v))
		}
	}
	if l.Info > l.Warning || l.Warning > l.Critical {
		errs = append(errs, fmt.Errorf("`levels` must satisfy info <= warning <= critical, got %v, %v, %v",
			l.Info, l.Warning, l.Critical))
	}
	return errors.Join(errs...)
}

func (g GroupConfig) validate(i int) error {
	var errs []error
	if g.Name == "" {
		errs = append(errs, fmt.Errorf("`groups[%d].name` must not be empty", i))
	}
	if len(g.Metrics) < 2 || len(g.Metrics) > detect.MaxDims {
		errs = append(errs, fmt.Errorf("`groups[%d].metrics` must list 2 to %d metrics, got %d", i, detect.MaxDims, len(g.Metrics)))
	}
	seen := map[string]bool{}
	for j, m := range g.Metrics {
		if m == "" || seen[m] {
			errs = append(errs, fmt.Errorf("`groups[%d].metrics[%d]` must be a distinct non-empty name, got %q", i, j, m))
		}
		seen[m] = true
	}
	if g.Percentile != 0 && !(g.Percentile > 50 && g.Percentile < 100) {
		errs = append(errs, fmt.Errorf("`groups[%d].percentile` must be in (50, 100), got %v", i, g.Percentile))
	}
	return errors.Join(errs...)
}

// detectConfig is the univariate detector's configuration.
func (c *Config) detectConfig() detect.Config {
	d := detect.DefaultConfig()
	d.WarmUp = c.WarmUp
	d.InfoAt, d.WarningAt, d.CriticalAt = c.Levels.Info, c.Levels.Warning, c.Levels.Critical
	d.BandWidth = c.BandWidth
	d.Suppress = c.Suppress
	d.ClearAfter = c.ClearAfter
	return d
}
