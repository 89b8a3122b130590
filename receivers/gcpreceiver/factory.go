package gcpreceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/receivers/gcpreceiver/internal/metadata"
)

// scopeName is the instrumentation scope of the metrics the receiver emits.
const scopeName = "github.com/mcobs/mcobs/receivers/gcpreceiver"

// NewFactory returns the gcp receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithMetrics(createMetrics, metadata.MetricsStability))
}

// The loop's defaults suit Cloud Monitoring: 1-minute samples; the settle delay is raised per
// project to the longest ingest delay of the metric descriptors collected (4 minutes for
// Compute Engine), so `delay` is a floor.
func createDefaultConfig() component.Config {
	return &Config{
		Config: cloudscrape.DefaultConfig(),
		Auth:   AuthConfig{Mode: AuthDefault},
	}
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	c := cfg.(*Config)
	return cloudscrape.NewReceiver(&c.Config, set, newProvider(c, set.Logger), next, scopeName)
}
