package downsampleprocessor

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
)

// TestCrashLosesAtMostOneLookback stops the processor the way a kill -9 does, without
// Shutdown, and checks what the reduced stream already holds: every accepted sample older than
// one lookback before its series' last sample reads back (as PromQL reads, with the lookback)
// within the tolerance. What is lost is the open segment of each series, at most one lookback,
// or max_delay when set.
func TestCrashLosesAtMostOneLookback(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(51, 52))
	for range 60 {
		batches, all := randomBatches(r)
		tol := math.Pow(10, r.Float64()*2-1)
		lookback := time.Duration(1+r.IntN(120)) * time.Second
		// With max_delay the open segment's kept sample is sent once it spans that long, so a
		// crash loses less than the lookback.
		lost := lookback
		var delay time.Duration
		if r.IntN(2) == 0 {
			delay = time.Duration(1+r.IntN(60)) * time.Second
			lost = min(lost, delay)
		}
		cfg := createDefaultConfig().(*Config)
		cfg.Rules = []RuleConfig{{Mode: "reduce", Lookback: lookback, MaxDelay: delay, Tolerance: ToleranceConfig{Absolute: tol}}}
		sink := new(consumertest.MetricsSink)
		p, _ := newTestProcessor(t, cfg, sink, &fakeClock{t: time.Unix(1_700_000_000, 0)})
		for _, md := range batches {
			require.NoError(t, p.ConsumeMetrics(context.Background(), md))
		}
		// No Shutdown: the open segments are lost.
		out := collect(t, sink)
		for s, pts := range accepted(all) {
			if len(pts) == 0 {
				continue
			}
			safe := pts[len(pts)-1].T - int64(lost)
			var ts []int64
			var want []float64
			for _, x := range pts {
				if x.T < safe && !math.IsNaN(x.V) {
					ts, want = append(ts, x.T), append(want, x.V)
				}
			}
			got := reduce.ReadLast(out["g"][s], ts, int64(lookback), nil)
			for i := range ts {
				require.LessOrEqual(t, math.Abs(got[i]-want[i]), tol, "series %d at %d: input %v, stored %v after a crash", s, ts[i], want[i], got[i])
			}
		}
	}
}
