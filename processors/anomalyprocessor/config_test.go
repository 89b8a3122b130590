package anomalyprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	storageID := component.MustNewIDWithName("file_storage", "anomaly")

	tests := []struct {
		id       component.ID
		expected func() *Config
		errs     []string
	}{
		{
			id: component.NewID(metadata.Type),
			expected: func() *Config {
				c := createDefaultConfig().(*Config)
				c.Metrics = []string{"system.cpu.utilization"}
				return c
			},
		},
		{
			id: component.NewIDWithName(metadata.Type, "full"),
			expected: func() *Config {
				c := createDefaultConfig().(*Config)
				c.Metrics = []string{"system.cpu.utilization", "system.network.io"}
				c.WarmUp = 300
				c.Levels = LevelsConfig{Info: 0.2, Warning: 0.35, Critical: 0.6}
				c.BandWidth = 4
				c.Suppress = 50
				c.ClearAfter = 20
				c.MaxSeries = 500
				c.StaleAfter = 30 * time.Minute
				c.Storage = &storageID
				c.CheckpointInterval = time.Minute
				c.Groups = []GroupConfig{{
					Name:       "host",
					Metrics:    []string{"system.cpu.utilization", "system.memory.utilization", "system.disk.busy", "system.network.io"},
					Percentile: 99.5,
				}}
				return c
			},
		},
		{
			id:   component.NewIDWithName(metadata.Type, "empty"),
			errs: []string{"`metrics` or `groups` must list at least one metric, got none"},
		},
		{
			id: component.NewIDWithName(metadata.Type, "bad_values"),
			errs: []string{
				"`metrics[1]` must not be empty",
				"`warm_up` must not be negative, got -1",
				"`suppress` must be in [0, 1048576], got 2000000",
				"`clear_after` must be in [0, 1048576], got -1",
				"`band_width` must be positive, got 0",
				"`levels.critical` must be in (0, 1], got 1.5",
				"`levels` must satisfy info <= warning <= critical, got 0.9, 0.4, 1.5",
				"`max_series` must be at least 1, got 0",
				"`stale_after` must be at least 1m, got \"10s\"",
				"`checkpoint_interval` must be at least 1s, got \"0s\"",
			},
		},
		{
			id: component.NewIDWithName(metadata.Type, "bad_group"),
			errs: []string{
				"`groups[0].metrics` must list 2 to 32 metrics, got 1",
				"`groups[1].metrics` must list 2 to 32 metrics, got 33",
				"`groups[0].percentile` must be in (50, 100), got 100",
			},
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
