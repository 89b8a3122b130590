package mcobsalertmanagerexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter/internal/metadata"
)

// NewFactory returns the factory of the mcobs_alertmanager exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithMetrics(createMetrics, metadata.MetricsStability))
}

func createDefaultConfig() component.Config {
	// The default queue batches for at most 200 ms, well inside the seconds an alert may take.
	q := exporterhelper.NewDefaultQueueConfig()
	return &Config{
		MinLevel:       "warning",
		AlertName:      "McobsAnomalyInstant",
		ResendInterval: time.Minute,
		AlertTTL:       15 * time.Minute,
		StaleAfter:     time.Hour,
		MaxBatchSize:   256,
		TimeoutConfig:  exporterhelper.TimeoutConfig{Timeout: 10 * time.Second},
		QueueConfig:    configoptional.Some(q),
		BackOffConfig:  configretry.NewDefaultBackOffConfig(),
	}
}

func createMetrics(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Metrics, error) {
	c := cfg.(*Config)
	e, err := newExporter(c, set, time.Now)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewMetrics(ctx, set, cfg, e.push,
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(c.TimeoutConfig),
		exporterhelper.WithQueue(c.QueueConfig),
		exporterhelper.WithRetry(c.BackOffConfig),
		exporterhelper.WithShutdown(e.shutdown))
}
