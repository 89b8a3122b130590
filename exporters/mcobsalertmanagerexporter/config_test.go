package mcobsalertmanagerexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/mcobs/mcobs/exporters/mcobsalertmanagerexporter/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	tests := []struct {
		id       component.ID
		expected func() *Config
		errs     []string
	}{
		{
			id: component.NewID(metadata.Type),
			expected: func() *Config {
				c := createDefaultConfig().(*Config)
				c.Endpoints = []string{"http://127.0.0.1:9093"}
				return c
			},
		},
		{
			id: component.NewIDWithName(metadata.Type, "full"),
			expected: func() *Config {
				c := createDefaultConfig().(*Config)
				c.Endpoints = []string{"http://am-1:9093", "https://am-2:9093/"}
				c.Headers = map[string]configopaque.String{"Authorization": "Bearer secret-token"}
				c.MinLevel = "info"
				c.AlertName = "CloudAnomaly"
				c.GeneratorURL = "http://grafana:3000/d/anomalies"
				c.ResendInterval = 30 * time.Second
				c.AlertTTL = 10 * time.Minute
				c.StaleAfter = 2 * time.Hour
				c.MaxBatchSize = 64
				c.TimeoutConfig.Timeout = 3 * time.Second
				c.BackOffConfig.InitialInterval = time.Second
				q := c.QueueConfig.Get()
				q.NumConsumers = 2
				return c
			},
		},
		{
			id: component.NewIDWithName(metadata.Type, "invalid"),
			errs: []string{
				"`endpoints[0]` must be an http or https URL, got \"am-1:9093\"",
				"`endpoints[1]` must be an http or https URL, got \"ftp://x\"",
				"`min_level` must be info, warning or critical, got \"none\"",
				"`alert_name` must not be empty",
				"`resend_interval` must be positive, got \"0s\"",
				"`alert_ttl` must be longer than `resend_interval` (0s), got \"0s\"",
				"`max_batch_size` must be at least 1, got 0",
			},
		},
		{
			id:   component.NewIDWithName(metadata.Type, "short_stale"),
			errs: []string{"`stale_after` must be at least `alert_ttl` (10m0s), got \"5m0s\""},
		},
		{
			id:   component.NewIDWithName(metadata.Type, "empty"),
			errs: []string{"`endpoints` must list at least one Alertmanager URL, got none"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			t.Parallel()
			cfg := createDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.errs) > 0 {
				require.Error(t, err)
				for _, e := range tt.errs {
					require.ErrorContains(t, err, e)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.expected(), cfg)
		})
	}
}
