package anomalyprocessor

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/mcobs/mcobs/processors/anomalyprocessor/internal/metadatatest"
)

// fuzzConfig scores one metric per series and one group of two, so a checkpoint holds both
// kinds of model.
func fuzzConfig() *Config {
	return testConfig(func(c *Config) {
		c.Groups = []GroupConfig{{Name: "host", Metrics: []string{"system.cpu.utilization", "system.memory.utilization"}}}
	})
}

func newFuzzProcessor(f *testing.F) *anomalyProcessor {
	f.Helper()
	cfg := fuzzConfig()
	if err := cfg.Validate(); err != nil {
		f.Fatal(err)
	}
	tt := componenttest.NewTelemetry()
	f.Cleanup(func() { _ = tt.Shutdown(context.Background()) })
	p, err := newProcessor(cfg, metadatatest.NewSettings(tt), new(consumertest.MetricsSink), fixedNow)
	if err != nil {
		f.Fatal(err)
	}
	return p
}

// FuzzCheckpointDecode feeds arbitrary bytes to the checkpoint decoder, as a damaged or foreign
// storage record would. Seeds are in testdata/fuzz/FuzzCheckpointDecode (header-only, wrong
// version, truncated and bit-flipped checkpoints) plus one written by a processor that saw
// points. The decoder must return an error wrapping errCorrupt, or models that encode and
// decode again to the same models (same keys, last-seen times and model bytes), never panic.
func FuzzCheckpointDecode(f *testing.F) {
	live := newFuzzProcessor(f)
	for i := range 12 {
		md := twoScrapers(clock.Add(time.Duration(i)*time.Minute), 0.3+0.01*float64(i%3), 0.5)
		if err := live.ConsumeMetrics(context.Background(), md); err != nil {
			f.Fatal(err)
		}
	}
	seed, n := live.encode()
	if n < 2 {
		f.Fatalf("seed checkpoint holds %d models, want a series and a group", n)
	}
	f.Add(seed)

	p, q := newFuzzProcessor(f), newFuzzProcessor(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		series, groups, _, err := p.decode(b)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("decode error %v does not wrap errCorrupt", err)
			}
			return
		}
		if got := len(series) + len(groups); got > p.cfg.MaxSeries {
			t.Fatalf("decoded %d models, more than max_series %d", got, p.cfg.MaxSeries)
		}
		q.series, q.groups = series, groups
		enc, n := q.encode()
		if n != len(series)+len(groups) {
			t.Fatalf("encoded %d of %d decoded models", n, len(series)+len(groups))
		}
		series2, groups2, bad, err := p.decode(enc)
		if err != nil || bad != 0 {
			t.Fatalf("re-decoding an encoded checkpoint: %d bad models, error %v", bad, err)
		}
		if len(series2) != len(series) || len(groups2) != len(groups) {
			t.Fatalf("round trip: %d series and %d groups, want %d and %d", len(series2), len(groups2), len(series), len(groups))
		}
		sameModels(t, "series", series, series2, func(m *seriesModel) (int64, []byte) {
			b, _ := m.det.MarshalBinary()
			return m.lastSeen, b
		})
		sameModels(t, "group", groups, groups2, func(m *groupModel) (int64, []byte) {
			b, _ := m.model.MarshalBinary()
			return m.lastSeen, b
		})
	})
}

// sameModels fails unless every model of a is in b with the same last-seen time and bytes.
func sameModels[M any](t *testing.T, kind string, a, b map[string]M, state func(M) (int64, []byte)) {
	t.Helper()
	for k, m := range a {
		m2, ok := b[k]
		if !ok {
			t.Fatalf("%s %q lost in the round trip", kind, k)
		}
		seen, blob := state(m)
		seen2, blob2 := state(m2)
		if seen != seen2 || !bytes.Equal(blob, blob2) {
			t.Fatalf("%s %q changed in the round trip", kind, k)
		}
	}
}
