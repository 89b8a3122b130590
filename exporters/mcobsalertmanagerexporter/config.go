package mcobsalertmanagerexporter

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/mcobs/mcobs/internal/analytics/detect"
)

// Config is the configuration of the mcobs_alertmanager exporter.
type Config struct {
	// Endpoints are the base URLs of every Alertmanager peer (e.g. http://127.0.0.1:9093). Each
	// batch of alerts is posted to <endpoint>/api/v2/alerts of every peer, as Prometheus does,
	// since Alertmanager peers gossip silences and notifications but not received alerts.
	Endpoints []string `mapstructure:"endpoints"`
	// Headers are added to every request, e.g. an Authorization header for a proxy in front of
	// Alertmanager.
	Headers map[string]configopaque.String `mapstructure:"headers"`
	// MinLevel is the lowest anomaly level that fires an alert: info, warning or critical.
	MinLevel string `mapstructure:"min_level"`
	// AlertName is the alertname label of the alerts sent.
	AlertName string `mapstructure:"alert_name"`
	// GeneratorURL, if set, is each alert's generatorURL (e.g. a Grafana dashboard).
	GeneratorURL string `mapstructure:"generator_url"`
	// ResendInterval is how long after the last send a firing alert is sent again when a point
	// of its series arrives, so Alertmanager keeps it firing.
	ResendInterval time.Duration `mapstructure:"resend_interval"`
	// AlertTTL is the endsAt of a firing alert, counted from its send: an alert whose series
	// stops sending points resolves itself after this long. It must exceed the interval of the
	// series' points.
	AlertTTL time.Duration `mapstructure:"alert_ttl"`
	// StaleAfter is how long a series' last level is kept without a new point.
	StaleAfter time.Duration `mapstructure:"stale_after"`
	// MaxBatchSize is the most alerts posted in one request; larger batches are split.
	MaxBatchSize int `mapstructure:"max_batch_size"`

	// TimeoutConfig bounds one export (all peers, one attempt).
	TimeoutConfig exporterhelper.TimeoutConfig `mapstructure:",squash"`
	// QueueConfig is the collector's sending queue.
	QueueConfig configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	// BackOffConfig is the collector's retry on failure; a peer that failed is sent its alerts
	// again, the peers that accepted them are not.
	BackOffConfig configretry.BackOffConfig `mapstructure:"retry_on_failure"`
}

var _ component.Config = (*Config)(nil)

// Validate reports every problem of the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Endpoints) == 0 {
		errs = append(errs, errors.New("`endpoints` must list at least one Alertmanager URL, got none"))
	}
	for i, e := range c.Endpoints {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("`endpoints[%d]` must be an http or https URL, got %q", i, e))
		}
	}
	if l, ok := detect.ParseLevel(c.MinLevel); !ok || l == detect.LevelNone {
		errs = append(errs, fmt.Errorf("`min_level` must be info, warning or critical, got %q", c.MinLevel))
	}
	if c.AlertName == "" {
		errs = append(errs, errors.New("`alert_name` must not be empty"))
	}
	if c.ResendInterval <= 0 {
		errs = append(errs, fmt.Errorf("`resend_interval` must be positive, got %q", c.ResendInterval))
	}
	if c.AlertTTL <= c.ResendInterval {
		errs = append(errs, fmt.Errorf("`alert_ttl` must be longer than `resend_interval` (%s), got %q", c.ResendInterval, c.AlertTTL))
	}
	if c.StaleAfter < c.AlertTTL {
		errs = append(errs, fmt.Errorf("`stale_after` must be at least `alert_ttl` (%s), got %q", c.AlertTTL, c.StaleAfter))
	}
	if c.MaxBatchSize < 1 {
		errs = append(errs, fmt.Errorf("`max_batch_size` must be at least 1, got %d", c.MaxBatchSize))
	}
	return errors.Join(errs...)
}
