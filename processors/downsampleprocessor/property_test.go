package downsampleprocessor

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
)

type sample struct {
	series int
	t      int64
	v      float64
}

// randomBatches spreads random samples of a few series over several batches, with jumps,
// NaN, duplicates and late samples.
func randomBatches(r *rand.Rand) ([]pmetric.Metrics, []sample) {
	var all []sample
	var batches []pmetric.Metrics
	last := map[int]int64{}
	val := map[int]float64{}
	for range 1 + r.IntN(8) {
		md := pmetric.NewMetrics()
		dps := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		dps.SetName("g")
		g := dps.SetEmptyGauge().DataPoints()
		for range r.IntN(60) {
			s := r.IntN(3)
			t := last[s] + int64(1+r.IntN(40))*1e9
			switch p := r.Float64(); {
			case p < 0.03:
				t = last[s] // duplicate
			case p < 0.06:
				t = last[s] - 5e9 // late
			}
			last[s] = max(last[s], t)
			v := val[s] + r.NormFloat64()*3
			if r.Float64() < 0.05 {
				v += 100 * r.NormFloat64()
			}
			val[s] = v
			if r.Float64() < 0.03 {
				v = math.NaN()
			}
			dp := g.AppendEmpty()
			dp.Attributes().PutInt("s", int64(s))
			dp.SetTimestamp(pcommon.Timestamp(1_700_000_000e9 + t))
			dp.SetDoubleValue(v)
			all = append(all, sample{s, 1_700_000_000e9 + t, v})
		}
		batches = append(batches, md)
	}
	return batches, all
}

// run feeds the batches to a processor with one rule and returns every output point by
// metric name and series.
func run(t *testing.T, rule RuleConfig, batches []pmetric.Metrics) map[string]map[int][]reduce.Point {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.Rules = []RuleConfig{rule}
	sink := new(consumertest.MetricsSink)
	p, _ := newTestProcessor(t, cfg, sink, &fakeClock{t: time.Unix(1_700_000_000, 0)})
	for _, md := range batches {
		require.NoError(t, p.ConsumeMetrics(context.Background(), md))
	}
	require.NoError(t, p.Shutdown(context.Background()))
	return collect(t, sink)
}

// collect returns every point the sink received by metric name and series, checking that each
// series arrives in time order.
func collect(t *testing.T, sink *consumertest.MetricsSink) map[string]map[int][]reduce.Point {
	t.Helper()
	out := map[string]map[int][]reduce.Point{}
	for _, md := range sink.AllMetrics() {
		for _, rm := range md.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					if out[m.Name()] == nil {
						out[m.Name()] = map[int][]reduce.Point{}
					}
					for _, dp := range m.Gauge().DataPoints().All() {
						s, _ := dp.Attributes().Get("s")
						v := dp.DoubleValue()
						if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
							v = float64(dp.IntValue())
						}
						pts := out[m.Name()][int(s.Int())]
						// Downstream (remote write) needs each series in time order.
						if n := len(pts); n > 0 && pts[n-1].T >= int64(dp.Timestamp()) {
							t.Fatalf("%s series %d: %d after %d", m.Name(), s.Int(), dp.Timestamp(), pts[n-1].T)
						}
						out[m.Name()][int(s.Int())] = append(pts, reduce.Point{T: int64(dp.Timestamp()), V: v})
					}
				}
			}
		}
	}
	return out
}

// accepted applies the per-series order rule: a sample later than every earlier one is taken.
func accepted(all []sample) map[int][]reduce.Point {
	out := map[int][]reduce.Point{}
	for _, x := range all {
		pts := out[x.series]
		if len(pts) == 0 || x.t > pts[len(pts)-1].T {
			out[x.series] = append(pts, reduce.Point{T: x.t, V: x.v})
		}
	}
	return out
}

// TestRollupMatchesReferenceThroughPdata checks every emitted aggregate against a plain
// computation over the accepted finite samples of each window.
func TestRollupMatchesReferenceThroughPdata(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(21, 22))
	for range 100 {
		batches, all := randomBatches(r)
		w := time.Duration(1+r.IntN(120)) * time.Second
		out := run(t, RuleConfig{Mode: "rollup", Window: w, Aggregates: []string{"min", "max", "avg", "last", "count", "sum"}}, batches)
		for s, pts := range accepted(all) {
			type agg struct{ min, max, sum, last, n float64 }
			ref := map[int64]*agg{}
			var order []int64
			for _, p := range pts {
				if math.IsNaN(p.V) {
					continue
				}
				ws := reduce.WindowStart(p.T, int64(w))
				a := ref[ws]
				if a == nil {
					a = &agg{min: p.V, max: p.V}
					ref[ws] = a
					order = append(order, ws)
				}
				a.min, a.max, a.sum, a.last, a.n = min(a.min, p.V), max(a.max, p.V), a.sum+p.V, p.V, a.n+1
			}
			want := map[string][]float64{}
			for _, ws := range order {
				a := ref[ws]
				want["g.min"] = append(want["g.min"], a.min)
				want["g.max"] = append(want["g.max"], a.max)
				want["g.avg"] = append(want["g.avg"], a.sum/a.n)
				want["g.last"] = append(want["g.last"], a.last)
				want["g.samples"] = append(want["g.samples"], a.n)
				want["g.sum"] = append(want["g.sum"], a.sum)
			}
			for name, vals := range want {
				got := out[name][s]
				require.Len(t, got, len(vals), "%s series %d", name, s)
				for i, v := range vals {
					require.InDelta(t, v, got[i].V, 0, "%s series %d window %d", name, s, i)
				}
			}
		}
	}
}

// TestReduceNeverExceedsTolerance rebuilds each series from what the processor emitted (linear
// reads) and checks every accepted finite sample against the absolute tolerance.
func TestReduceNeverExceedsTolerance(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(31, 32))
	for _, algo := range []string{"auto", "constant", "linear", "mixed", "vertex"} {
		for range 40 {
			batches, all := randomBatches(r)
			tol := math.Pow(10, r.Float64()*2-1)
			out := run(t, RuleConfig{Mode: "reduce", Algorithm: algo, Read: "linear", Tolerance: ToleranceConfig{Absolute: tol}}, batches)
			for s, pts := range accepted(all) {
				knots := out["g"][s]
				var ts []int64
				for _, p := range pts {
					ts = append(ts, p.T)
				}
				rec := reduce.Reconstruct(knots, ts, nil)
				for i, p := range pts {
					if math.IsNaN(p.V) {
						continue
					}
					require.LessOrEqual(t, math.Abs(rec[i]-p.V), tol, "%s series %d sample %d: %v rebuilt as %v", algo, s, i, p.V, rec[i])
				}
			}
		}
	}
}

// TestReduceLastValueReadsWithinTolerance reads what the processor emitted as PromQL does, with
// the configured lookback, at every accepted sample's time and on a grid of range-query steps:
// where the input reads a finite value the output reads one within the tolerance, and where
// the input reads nothing, so does the output.
func TestReduceLastValueReadsWithinTolerance(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(41, 42))
	for _, algo := range []string{"auto", "hold"} {
		for range 60 {
			batches, all := randomBatches(r)
			tol := math.Pow(10, r.Float64()*2-1)
			lookback := time.Duration(1+r.IntN(120)) * time.Second
			out := run(t, RuleConfig{Mode: "reduce", Algorithm: algo, Lookback: lookback, Tolerance: ToleranceConfig{Absolute: tol}}, batches)
			for s, pts := range accepted(all) {
				knots := out["g"][s]
				var ts []int64
				for _, p := range pts {
					ts = append(ts, p.T, p.T+int64(lookback)/2, p.T+int64(lookback)-1, p.T+int64(lookback))
				}
				slices.Sort(ts)
				orig := reduce.ReadLast(pts, ts, int64(lookback), nil)
				got := reduce.ReadLast(knots, ts, int64(lookback), nil)
				for i, x := range ts {
					if math.IsNaN(orig[i]) {
						require.True(t, math.IsNaN(got[i]), "%s series %d at %d: the input reads nothing, the output %v", algo, s, x, got[i])
						continue
					}
					require.False(t, math.IsNaN(got[i]), "%s series %d at %d: the input reads %v, the output nothing", algo, s, x, orig[i])
					require.LessOrEqual(t, math.Abs(got[i]-orig[i]), tol, "%s series %d at %d: the input reads %v, the output %v", algo, s, x, orig[i], got[i])
				}
			}
		}
	}
}
