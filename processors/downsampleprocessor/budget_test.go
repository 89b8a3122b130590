package downsampleprocessor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
)

// TestBudgetConverges feeds series that a 1% tolerance would keep far more than 10% of, with
// a 10% budget, and checks that the share kept in the second half is near the budget.
func TestBudgetConverges(t *testing.T) {
	t.Parallel()
	const series, n, per = 40, 6000, 200
	data := make([][]reduce.Point, series)
	for s := range data {
		data[s] = reduce.Synthetic(reduce.SyntheticKinds[s%len(reduce.SyntheticKinds)], n, uint64(s))
	}
	cfg := createDefaultConfig().(*Config)
	// One sample a minute: a 1h lookback floors the share kept at 1/60, well under the budget
	// (a 5m lookback would floor it at 1/5).
	cfg.Rules = []RuleConfig{{Mode: "reduce", Tolerance: ToleranceConfig{Relative: 0.01}, Budget: 0.1, Lookback: time.Hour}}
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.MetricsSink)
	p, _ := newTestProcessor(t, cfg, sink, &fakeClock{t: time.Unix(1_700_000_000, 0)})
	var secondHalfOut int
	for off := 0; off < n; off += per {
		md := pmetric.NewMetrics()
		m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
		m.SetName("g")
		dps := m.SetEmptyGauge().DataPoints()
		for s := range data {
			for _, pt := range data[s][off : off+per] {
				dp := dps.AppendEmpty()
				dp.Attributes().PutInt("s", int64(s))
				dp.SetTimestamp(pcommon.Timestamp(pt.T))
				dp.SetDoubleValue(pt.V)
			}
		}
		before := sink.DataPointCount()
		require.NoError(t, p.ConsumeMetrics(context.Background(), md))
		if off >= n/2 {
			secondHalfOut += sink.DataPointCount() - before
		}
	}
	kept := float64(secondHalfOut) / float64(series*n/2)
	t.Logf("kept %.3f, scale %.2f", kept, p.rules[0].scale)
	assert.InDelta(t, 0.10, kept, 0.03, "share kept in the second half")
	assert.Greater(t, p.rules[0].scale, 1.0, "a 1 percent tolerance keeps too much: the scale must have grown")
	require.NoError(t, p.Shutdown(context.Background()))
}
