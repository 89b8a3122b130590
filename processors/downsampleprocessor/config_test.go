package downsampleprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/mcobs/mcobs/processors/downsampleprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	tests := []struct {
		id      component.ID
		check   func(t *testing.T, c *Config)
		wantErr []string
	}{
		{
			id: component.NewID(metadata.Type),
			check: func(t *testing.T, c *Config) {
				require.Len(t, c.Rules, 2)
				assert.Equal(t, 5*time.Minute, c.Rules[0].Window)
				assert.Equal(t, []string{"min", "max", "avg"}, c.Rules[0].Aggregates)
				assert.Equal(t, map[string]string{"cloud.provider": "aws"}, c.Rules[1].Attributes)
				merged := c.Rules[1].merged(c.Defaults)
				assert.Equal(t, "reduce", merged.Mode)
				assert.InDelta(t, 2.0, merged.Tolerance.Absolute, 0)
				assert.Equal(t, 4096, merged.Tolerance.RangeSamples)
				assert.Equal(t, 100_000, c.MaxSeries)
			},
		},
		{
			id: component.NewIDWithName(metadata.Type, "defaults_only"),
			check: func(t *testing.T, c *Config) {
				m := c.Rules[0].merged(c.Defaults)
				assert.Equal(t, "reduce", m.Mode)
				assert.InDelta(t, 0.05, m.Tolerance.Relative, 0)
				assert.Equal(t, "auto", m.Algorithm)
				assert.Equal(t, "last_value", m.Read)
				assert.Equal(t, 5*time.Minute, m.Lookback)
				assert.Equal(t, 6*time.Hour, m.MaxSegment)
			},
		},
		{
			id: component.NewIDWithName(metadata.Type, "invalid"),
			wantErr: []string{
				"`max_series` must be > 0, got 0",
				"`stale_after` must be at least 1s, got \"10ms\"",
				"`rules[0].metric_names[0]` must be a regular expression, got \"(\"",
				"`rules[0].mode` must be rollup or reduce, got \"sample\"",
				"`rules[0].aggregates[0]`: unknown aggregate \"median\"",
				"`rules[0].algorithm`: unknown algorithm \"best\"",
				"`rules[0].tolerance.relative` must be in [0, 1], got 2",
				"`rules[0].tolerance.range_samples` must be >= 0, got -1",
				"`rules[0].budget` must be in [0, 1), got 1.5",
				"`rules[1].window` must be at least 1ms in rollup mode, got \"-1s\"",
				"`rules[2].algorithm` \"mixed\" is not bounded for `read: last_value`",
				"`rules[2].lookback` must be > 0 with last_value reads",
				"`rules[2].max_delay` must be >= 0, got \"-1s\"",
				"`rules[3].read`: unknown reader \"cubic\"",
			},
		},
		{
			id:      component.NewIDWithName(metadata.Type, "no_rules"),
			wantErr: []string{"`rules` must hold at least one rule"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			t.Parallel()
			cfg := NewFactory().CreateDefaultConfig()
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				tt.check(t, cfg.(*Config))
				return
			}
			require.Error(t, err)
			for _, w := range tt.wantErr {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}
