package anomalyprocessor

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"

	"github.com/mcobs/mcobs/internal/analytics/detect"
	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadata"
)

// NewFactory returns the factory of the anomaly processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithMetrics(createMetrics, metadata.MetricsStability))
}

func createDefaultConfig() component.Config {
	d := detect.DefaultConfig()
	return &Config{
		WarmUp:             d.WarmUp,
		Levels:             LevelsConfig{Info: d.InfoAt, Warning: d.WarningAt, Critical: d.CriticalAt},
		BandWidth:          d.BandWidth,
		Suppress:           d.Suppress,
		ClearAfter:         d.ClearAfter,
		MaxSeries:          10000,
		StaleAfter:         time.Hour,
		CheckpointInterval: 5 * time.Minute,
	}
}

func createMetrics(_ context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	return newProcessor(cfg.(*Config), set, next, time.Now)
}
