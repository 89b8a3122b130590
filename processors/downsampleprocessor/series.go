package downsampleprocessor

import (
	"errors"
	"math"
	"unsafe"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/analytics/reduce"
)

// kind is how a series is downsampled, fixed by its metric type, temporality and rule mode.
type kind uint8

const (
	kindGaugeRollup     kind = iota // window aggregates, one metric per aggregate
	kindReduce                      // error-bounded kept samples (gauges, cumulative sums)
	kindCumRollup                   // last of window + both sides of resets
	kindDeltaRollup                 // window sums
	kindCumHistRollup               // as kindCumRollup, on the histogram count
	kindDeltaHistRollup             // merged buckets per window
)

// resEntry and scopeEntry hold the identity shared by many series, for output after the
// batch that created them is gone.
type resEntry struct {
	res    pcommon.Resource
	schema string
	refs   int
}

type scopeEntry struct {
	scope  pcommon.InstrumentationScope
	schema string
	refs   int
}

// series is one time series and its downsampling state.
type series struct {
	res         *resEntry
	scope       *scopeEntry
	resH, scH   uint64
	name        string
	desc, unit  string
	attrs       pcommon.Map
	rule        *rule
	kind        kind
	mtype       pmetric.MetricType
	temporality pmetric.AggregationTemporality
	monotonic   bool
	isInt       bool
	lastSeen    int64

	// Start times, so each kept sample gets the start of the run it belongs to.
	curStart, oldStart, resetT int64
	staleT                     int64  // time of the last no-recorded-value point
	spill                      uint64 // the batch in which this series' output went to the appended part

	comp  *reduce.Compressor
	gauge *reduce.GaugeRollup
	cum   *cumState
	delta *reduce.DeltaRollup
	hist  *histState
}

// cumState is a cumulative series under rollup: the selector and the previous point.
type cumState struct {
	sel  reduce.CumulativeRollup
	prev emitted
}

// histState is a histogram series under rollup.
type histState struct {
	sel     reduce.CumulativeRollup
	prev    pmetric.HistogramDataPoint // cumulative: the previous point
	acc     reduce.Histogram           // delta: the open window
	accWin  int64
	hasAcc  bool
	lastT   int64
	seenAny bool
}

// size returns the bytes of downsampling state the series holds, from the state's own
// accounting (identity and attributes are not included).
func (s *series) size() int {
	switch {
	case s.comp != nil:
		return s.comp.Size()
	case s.gauge != nil:
		return int(unsafe.Sizeof(*s.gauge))
	case s.cum != nil:
		return int(unsafe.Sizeof(*s.cum))
	case s.delta != nil:
		return int(unsafe.Sizeof(*s.delta))
	case s.hist != nil:
		n := int(unsafe.Sizeof(*s.hist)) + 16*len(s.hist.acc.Counts)
		if s.kind == kindCumHistRollup && s.hist.seenAny {
			n += 16 * s.hist.prev.BucketCounts().Len()
		}
		return n
	}
	return 0
}

func newState(s *series) {
	r := s.rule
	switch s.kind {
	case kindGaugeRollup:
		s.gauge = &reduce.GaugeRollup{Width: r.window}
	case kindReduce:
		o := &r.opts
		if s.mtype == pmetric.MetricTypeSum && s.monotonic {
			o = &r.counter
		}
		c := reduce.NewCompressor(o)
		s.comp = &c
	case kindCumRollup:
		s.cum = &cumState{sel: reduce.CumulativeRollup{Width: r.window}}
	case kindDeltaRollup:
		s.delta = &reduce.DeltaRollup{Width: r.window}
	case kindCumHistRollup, kindDeltaHistRollup:
		s.hist = &histState{sel: reduce.CumulativeRollup{Width: r.window}}
	}
}

// kindOf returns how a metric is handled under a rule, and false when it passes through.
func kindOf(m pmetric.Metric, r *rule) (kind, bool) {
	switch m.Type() {
	case pmetric.MetricTypeGauge:
		if r.rollup {
			return kindGaugeRollup, true
		}
		return kindReduce, true
	case pmetric.MetricTypeSum:
		cumulative := m.Sum().AggregationTemporality() == pmetric.AggregationTemporalityCumulative
		switch {
		case cumulative && r.rollup:
			return kindCumRollup, true
		case cumulative:
			return kindReduce, true
		case r.rollup:
			return kindDeltaRollup, true
		}
	case pmetric.MetricTypeHistogram:
		if !r.rollup {
			return 0, false
		}
		if m.Histogram().AggregationTemporality() == pmetric.AggregationTemporalityCumulative {
			return kindCumHistRollup, true
		}
		return kindDeltaHistRollup, true
	}
	return 0, false
}

// tally counts what happened to the points of one batch, for the self-metrics.
type tally struct {
	in, outOfOrder, nonFinite, refused int64
}

func (t *tally) add(st reduce.Status) {
	switch st {
	case reduce.Duplicate, reduce.OutOfOrder:
		t.outOfOrder++
	case reduce.NonFinite:
		t.nonFinite++
	}
}

func numberValue(dp pmetric.NumberDataPoint) (float64, int64, bool) {
	if dp.Flags().NoRecordedValue() {
		return math.NaN(), 0, dp.ValueType() == pmetric.NumberDataPointValueTypeInt
	}
	if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(dp.IntValue()), dp.IntValue(), true
	}
	return dp.DoubleValue(), 0, false
}

// pushNumber feeds one number point to its series and appends what became final to out.
func (s *series) pushNumber(dp pmetric.NumberDataPoint, out []emitted, buf *[]reduce.Point, t *tally) []emitted {
	v, iv, isInt := numberValue(dp)
	ts, start := int64(dp.Timestamp()), int64(dp.StartTimestamp())
	if dp.Flags().NoRecordedValue() {
		s.staleT = ts
	} else {
		s.isInt = isInt
	}
	t.in++
	switch s.kind {
	case kindGaugeRollup:
		w, done, st := s.gauge.Push(ts, v)
		t.add(st)
		if done {
			out = s.emitWindow(out, w)
		}
	case kindReduce:
		reset := false
		saved := [3]int64{s.oldStart, s.curStart, s.resetT}
		if s.mtype == pmetric.MetricTypeSum && start != s.curStart {
			reset = s.curStart != 0
			s.oldStart, s.curStart, s.resetT = s.curStart, start, ts
		}
		knots, st := s.comp.Push(ts, v, reset, (*buf)[:0])
		t.add(st)
		if st == reduce.Duplicate || st == reduce.OutOfOrder {
			s.oldStart, s.curStart, s.resetT = saved[0], saved[1], saved[2]
			return out
		}
		*buf = knots
		s.rule.in++
		s.rule.out += int64(len(knots))
		out = s.emitKnots(out, knots)
	case kindCumRollup:
		reset := s.cum.prev.t != 0 && start != s.cum.prev.start
		prev, cur, st := s.cum.sel.Push(ts, v, reset)
		t.add(st)
		if st == reduce.Duplicate || st == reduce.OutOfOrder {
			return out
		}
		if prev {
			out = append(out, s.cum.prev)
		}
		e := emitted{s: s, start: start, t: ts, v: v, i: iv, isInt: isInt && !math.IsNaN(v), stale: dp.Flags().NoRecordedValue()}
		if cur {
			out = append(out, e)
		}
		s.cum.prev = e
	case kindDeltaRollup:
		w, done, st := s.delta.Push(start, ts, v, iv)
		t.add(st)
		if done {
			out = append(out, s.deltaPoint(w))
		}
	}
	return out
}

func (s *series) emitWindow(out []emitted, w reduce.GaugeWindow) []emitted {
	for _, a := range s.rule.aggs {
		e := emitted{s: s, agg: a, start: w.Start, t: w.LastT, v: w.Value(a)}
		if a == reduce.AggCount {
			e.i, e.isInt = w.N, true
		}
		out = append(out, e)
	}
	return out
}

func (s *series) deltaPoint(w reduce.DeltaWindow) emitted {
	return emitted{s: s, start: w.StartTime, t: w.EndTime, v: w.Sum, i: w.IntSum, isInt: s.isInt}
}

func (s *series) emitKnots(out []emitted, knots []reduce.Point) []emitted {
	exact := s.isInt && s.comp.Algorithm() == reduce.Counter
	for _, k := range knots {
		e := emitted{s: s, t: k.T, v: k.V}
		if s.mtype == pmetric.MetricTypeSum {
			e.start = s.curStart
			if k.T < s.resetT {
				e.start = s.oldStart
			}
		}
		if math.IsNaN(k.V) {
			e.stale = k.T == s.staleT
		} else if exact {
			e.i, e.isInt = int64(k.V), true
		}
		out = append(out, e)
	}
	return out
}

// pushHistogram feeds one histogram point to its series.
func (s *series) pushHistogram(dp pmetric.HistogramDataPoint, out []emitted, t *tally) []emitted {
	h := s.hist
	ts, start := int64(dp.Timestamp()), int64(dp.StartTimestamp())
	t.in++
	if s.kind == kindCumHistRollup {
		reset := h.seenAny && start != int64(h.prev.StartTimestamp())
		v := float64(dp.Count())
		if dp.Flags().NoRecordedValue() {
			v = math.NaN()
		}
		prev, cur, st := h.sel.Push(ts, v, reset)
		t.add(st)
		if st == reduce.Duplicate || st == reduce.OutOfOrder {
			return out
		}
		if prev {
			out = append(out, s.histPoint(h.prev))
		}
		if cur {
			out = append(out, s.histPoint(dp))
		}
		if !h.seenAny {
			h.prev = pmetric.NewHistogramDataPoint()
		}
		dp.CopyTo(h.prev)
		h.seenAny = true
		return out
	}
	if h.seenAny && ts <= h.lastT {
		t.outOfOrder++
		return out
	}
	h.seenAny, h.lastT = true, ts
	if dp.Flags().NoRecordedValue() {
		t.nonFinite++
		return out
	}
	ws := reduce.WindowStart(ts, s.rule.window)
	if h.hasAcc && ws != h.accWin {
		out = append(out, s.histAcc())
	}
	src := toHistogram(dp)
	if !h.hasAcc {
		h.acc, h.accWin, h.hasAcc = reduce.Histogram{}, ws, true
	}
	if err := reduce.MergeDelta(&h.acc, &src); errors.Is(err, reduce.ErrBoundsDiffer) {
		// New bucket bounds: close the window early rather than merge what cannot merge.
		out = append(out, s.histAcc())
		h.acc, h.accWin, h.hasAcc = reduce.Histogram{}, ws, true
		_ = reduce.MergeDelta(&h.acc, &src)
	}
	return out
}

func (s *series) histAcc() emitted {
	h := s.hist
	e := emitted{s: s, hist: fromHistogram(&h.acc)}
	h.hasAcc = false
	return e
}

func (s *series) histPoint(dp pmetric.HistogramDataPoint) emitted {
	c := pmetric.NewHistogramDataPoint()
	dp.CopyTo(c)
	return emitted{s: s, hist: c}
}

func toHistogram(dp pmetric.HistogramDataPoint) reduce.Histogram {
	return reduce.Histogram{
		StartTime: int64(dp.StartTimestamp()), Time: int64(dp.Timestamp()), Count: dp.Count(),
		Sum: dp.Sum(), HasSum: dp.HasSum(), Min: dp.Min(), HasMin: dp.HasMin(), Max: dp.Max(), HasMax: dp.HasMax(),
		Bounds: dp.ExplicitBounds().AsRaw(), Counts: dp.BucketCounts().AsRaw(),
	}
}

func fromHistogram(h *reduce.Histogram) pmetric.HistogramDataPoint {
	dp := pmetric.NewHistogramDataPoint()
	dp.SetStartTimestamp(pcommon.Timestamp(h.StartTime))
	dp.SetTimestamp(pcommon.Timestamp(h.Time))
	dp.SetCount(h.Count)
	if h.HasSum {
		dp.SetSum(h.Sum)
	}
	if h.HasMin {
		dp.SetMin(h.Min)
	}
	if h.HasMax {
		dp.SetMax(h.Max)
	}
	dp.ExplicitBounds().FromRaw(h.Bounds)
	dp.BucketCounts().FromRaw(h.Counts)
	return dp
}

// flush emits everything the series holds open, for eviction and shutdown.
func (s *series) flush(out []emitted, buf *[]reduce.Point) []emitted {
	switch s.kind {
	case kindGaugeRollup:
		if w, ok := s.gauge.Flush(); ok {
			out = s.emitWindow(out, w)
		}
	case kindReduce:
		*buf = s.comp.Flush((*buf)[:0])
		out = s.emitKnots(out, *buf)
	case kindCumRollup:
		if s.cum.sel.Flush() {
			out = append(out, s.cum.prev)
		}
	case kindDeltaRollup:
		if w, ok := s.delta.Flush(); ok {
			out = append(out, s.deltaPoint(w))
		}
	case kindCumHistRollup:
		if s.hist.sel.Flush() {
			out = append(out, s.histPoint(s.hist.prev))
		}
	case kindDeltaHistRollup:
		if s.hist.hasAcc {
			out = append(out, s.histAcc())
		}
	}
	return out
}
