package awsreceiver

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/scraper"
	"go.opentelemetry.io/collector/scraper/scraperhelper"

	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/metadata"
)

// NewFactory returns the aws receiver factory.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(metadata.Type, createDefaultConfig,
		receiver.WithMetrics(createMetrics, metadata.MetricsStability))
}

// The defaults poll every 5 minutes for 1-minute periods: GetMetricData bills per metric
// requested, not per point, so one request for 5 points costs what one for 1 point does:
// 12 billed metrics per series-hour instead of 60 for a poll every minute.
func createDefaultConfig() component.Config {
	cc := scraperhelper.NewDefaultControllerConfig()
	cc.CollectionInterval = 5 * time.Minute
	cc.Timeout = time.Minute
	return &Config{
		ControllerConfig:  cc,
		Period:            time.Minute,
		Delay:             3 * time.Minute,
		MaxBackfill:       time.Hour,
		Namespaces:        []string{"AWS/EC2", "CWAgent", "AWS/RDS"},
		DiscoveryInterval: 15 * time.Minute,
		MaxConcurrency:    4,
		MaxAttempts:       5,
		MaxBackoff:        20 * time.Second,
	}
}

func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	c := cfg.(*Config)
	s, err := newScraper(c, set)
	if err != nil {
		return nil, err
	}
	sc, err := scraper.NewMetrics(s.scrape, scraper.WithStart(s.start), scraper.WithShutdown(s.shutdown))
	if err != nil {
		return nil, err
	}
	return scraperhelper.NewMetricsController(&c.ControllerConfig, set, next,
		scraperhelper.AddMetricsScraper(metadata.Type, sc))
}
