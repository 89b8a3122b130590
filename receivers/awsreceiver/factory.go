package awsreceiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/metadata"
)

// scopeName is the instrumentation scope of the metrics the receiver emits.
const scopeName = "github.com/mcobs/mcobs/receivers/awsreceiver"

// NewFactory returns the aws receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithMetrics(createMetrics, metadata.MetricsStability))
}

// The loop's defaults (cloudscrape.DefaultConfig) suit CloudWatch: 1-minute periods settle in
// about 3 minutes, and a poll every 5 minutes bills 12 metrics per series-hour instead of 60.
func createDefaultConfig() component.Config {
	return &Config{
		Config:     cloudscrape.DefaultConfig(),
		Namespaces: []string{"AWS/EC2", "CWAgent", "AWS/RDS"},
	}
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	c := cfg.(*Config)
	return cloudscrape.NewReceiver(&c.Config, set, &provider{cfg: c}, next, scopeName)
}
