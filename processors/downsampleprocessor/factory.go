package downsampleprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/mcobs/mcobs/processors/downsampleprocessor/internal/metadata"
)

// NewFactory returns the factory of the downsample processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Defaults: RuleConfig{
			Mode:       "reduce",
			Window:     time.Minute,
			Aggregates: []string{"min", "max", "avg", "last"},
			Algorithm:  "auto",
			Read:       "last_value",
			Lookback:   5 * time.Minute,
			Tolerance:  ToleranceConfig{Relative: 0.05, RangeSamples: 4096},
			MaxSegment: 6 * time.Hour,
		},
		MaxSeries:  100_000,
		StaleAfter: 15 * time.Minute,
	}
}

func createMetrics(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	return newProcessor(set, cfg.(*Config), next, time.Now)
}
