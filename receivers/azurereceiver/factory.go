package azurereceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/receivers/azurereceiver/internal/metadata"
)

// scopeName is the instrumentation scope of the metrics the receiver emits.
const scopeName = "github.com/mcobs/mcobs/receivers/azurereceiver"

// NewFactory returns the azure receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithMetrics(createMetrics, metadata.MetricsStability))
}

// The loop's defaults suit Azure Monitor too: platform metrics at a 1-minute grain settle within
// about 3 minutes, and a batch call returns any number of points for the metrics it names.
func createDefaultConfig() component.Config {
	return &Config{
		Config:        cloudscrape.DefaultConfig(),
		Auth:          AuthConfig{Mode: AuthDefault},
		ResourceTypes: canonical.Azure.Namespaces(),
	}
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	c := cfg.(*Config)
	return cloudscrape.NewReceiver(&c.Config, set, &provider{cfg: c, logger: set.Logger}, next, scopeName)
}
