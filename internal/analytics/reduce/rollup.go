package reduce

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Agg is a set of window aggregates, as bits.
type Agg uint8

// The aggregates a gauge window can emit.
const (
	AggMin Agg = 1 << iota
	AggMax
	AggAvg
	AggLast
	AggCount
	AggSum
)

// AggList is every aggregate in output order.
var AggList = []Agg{AggMin, AggMax, AggAvg, AggLast, AggCount, AggSum}

// String is the configuration name, which is also the output metric's suffix.
func (a Agg) String() string {
	switch a {
	case AggMin:
		return "min"
	case AggMax:
		return "max"
	case AggAvg:
		return "avg"
	case AggLast:
		return "last"
	case AggCount:
		return "count"
	case AggSum:
		return "sum"
	}
	var parts []string
	for _, x := range AggList {
		if a&x != 0 {
			parts = append(parts, x.String())
		}
	}
	return strings.Join(parts, ",")
}

// ParseAgg maps a configuration name to one aggregate.
func ParseAgg(s string) (Agg, error) {
	for _, a := range AggList {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown aggregate %q, want min, max, avg, last, count or sum", s)
}

// WindowStart returns the start of the window of width w holding t; windows are aligned to the
// Unix epoch so every series and every collector replica agrees on them.
func WindowStart(t, w int64) int64 {
	m := t % w
	if m < 0 {
		m += w
	}
	return t - m
}

// GaugeWindow is the exact summary of the finite samples of one window.
type GaugeWindow struct {
	// Start is the window start; the window is [Start, Start+width).
	Start int64
	// LastT is the time of the last sample.
	LastT         int64
	N             int64
	Sum, Min, Max float64
	Last          float64
}

func (g *GaugeWindow) add(t int64, v float64) {
	if g.N == 0 {
		g.Min, g.Max = v, v
	} else {
		g.Min, g.Max = min(g.Min, v), max(g.Max, v)
	}
	g.N++
	g.Sum += v
	g.Last, g.LastT = v, t
}

// Value returns one aggregate of the window. AVG is Sum/N; COUNT is the number of finite samples.
func (g *GaugeWindow) Value(a Agg) float64 {
	switch a {
	case AggMin:
		return g.Min
	case AggMax:
		return g.Max
	case AggAvg:
		return g.Sum / float64(g.N)
	case AggLast:
		return g.Last
	case AggCount:
		return float64(g.N)
	case AggSum:
		return g.Sum
	}
	return math.NaN()
}

// GaugeRollup aggregates one gauge series into windows of Width nanoseconds.
type GaugeRollup struct {
	cur   GaugeWindow
	Width int64
	lastT int64
	seen  bool
}

// Push adds a sample. When the sample opens a new window, the previous window is returned with
// done=true. Non-finite values are counted by the status and left out of every aggregate;
// duplicate and out-of-order samples are dropped.
func (r *GaugeRollup) Push(t int64, v float64) (closed GaugeWindow, done bool, st Status) {
	if r.seen && t <= r.lastT {
		if t == r.lastT {
			return closed, false, Duplicate
		}
		return closed, false, OutOfOrder
	}
	r.seen, r.lastT = true, t
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return closed, false, NonFinite
	}
	ws := WindowStart(t, r.Width)
	if r.cur.N > 0 && ws != r.cur.Start {
		closed, done = r.cur, true
		r.cur = GaugeWindow{}
	}
	if r.cur.N == 0 {
		r.cur.Start = ws
	}
	r.cur.add(t, v)
	return closed, done, Accepted
}

// Flush returns the open window, if any, and forgets it.
func (r *GaugeRollup) Flush() (GaugeWindow, bool) {
	if r.cur.N == 0 {
		return GaugeWindow{}, false
	}
	w := r.cur
	r.cur = GaugeWindow{}
	return w, true
}

// OpenUntil returns the end of the open window (0 if none), so a timer can flush windows whose
// end has passed without waiting for the next sample.
func (r *GaugeRollup) OpenUntil() int64 {
	if r.cur.N == 0 {
		return 0
	}
	return r.cur.Start + r.Width
}

// CumulativeRollup selects which samples of a cumulative series (a counter, or the count of a
// cumulative histogram) to keep: the first sample, the last sample of every window, and both
// sides of every reset (a decrease, or a new start time). Because the output is a subsequence
// of the input holding both ends of every decrease, the counter increase between any two kept
// samples, computed as Prometheus does (a decrease counts as a reset), equals the input's.
type CumulativeRollup struct {
	Width       int64
	lastT       int64
	lastV       float64
	seen        bool
	lastEmitted bool
}

// Push offers a sample and says whether to emit the previous sample (not emitted before) and
// this one. reset marks a new start time. Non-finite values are emitted as they are and break
// the reset detection; duplicates and out-of-order samples are dropped.
func (r *CumulativeRollup) Push(t int64, v float64, reset bool) (emitPrev, emitCur bool, st Status) {
	if !r.seen {
		r.seen, r.lastT, r.lastV, r.lastEmitted = true, t, v, true
		return false, true, statusOf(v)
	}
	if t <= r.lastT {
		if t == r.lastT {
			return false, false, Duplicate
		}
		return false, false, OutOfOrder
	}
	st = statusOf(v)
	pending := !r.lastEmitted
	switch {
	case reset || v < r.lastV || st == NonFinite || math.IsNaN(r.lastV):
		emitPrev, emitCur = pending, true
	case WindowStart(t, r.Width) != WindowStart(r.lastT, r.Width):
		emitPrev = pending
	}
	r.lastT, r.lastV, r.lastEmitted = t, v, emitCur
	return emitPrev, emitCur, st
}

// Flush says whether the last sample still has to be emitted, and marks it emitted.
func (r *CumulativeRollup) Flush() bool {
	if !r.seen || r.lastEmitted {
		return false
	}
	r.lastEmitted = true
	return true
}

// Pending reports whether the last sample is waiting to be emitted, and its time.
func (r *CumulativeRollup) Pending() (int64, bool) { return r.lastT, r.seen && !r.lastEmitted }

func statusOf(v float64) Status {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NonFinite
	}
	return Accepted
}

// DeltaWindow sums the samples of a delta series over one window, so the total is exact: the
// output point spans from the first sample's start time to the last sample's time.
type DeltaWindow struct {
	Start, StartTime, EndTime int64
	Sum                       float64
	IntSum                    int64
	N                         int64
}

// DeltaRollup sums a delta series into windows of Width nanoseconds.
type DeltaRollup struct {
	cur   DeltaWindow
	Width int64
	lastT int64
	seen  bool
}

// Push adds a delta sample covering (start, t]; iv is its integer value when the series is
// integer-typed. When the sample opens a new window, the previous one is returned.
func (r *DeltaRollup) Push(start, t int64, v float64, iv int64) (closed DeltaWindow, done bool, st Status) {
	if r.seen && t <= r.lastT {
		if t == r.lastT {
			return closed, false, Duplicate
		}
		return closed, false, OutOfOrder
	}
	r.seen, r.lastT = true, t
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return closed, false, NonFinite
	}
	ws := WindowStart(t, r.Width)
	if r.cur.N > 0 && ws != r.cur.Start {
		closed, done = r.cur, true
		r.cur = DeltaWindow{}
	}
	if r.cur.N == 0 {
		r.cur.Start, r.cur.StartTime = ws, start
	}
	r.cur.N++
	r.cur.Sum += v
	r.cur.IntSum += iv
	r.cur.EndTime = t
	return closed, done, Accepted
}

// Flush returns the open window, if any, and forgets it.
func (r *DeltaRollup) Flush() (DeltaWindow, bool) {
	if r.cur.N == 0 {
		return DeltaWindow{}, false
	}
	w := r.cur
	r.cur = DeltaWindow{}
	return w, true
}

// OpenUntil returns the end of the open window (0 if none).
func (r *DeltaRollup) OpenUntil() int64 {
	if r.cur.N == 0 {
		return 0
	}
	return r.cur.Start + r.Width
}

// Histogram is an explicit-bucket histogram point in plain Go, for merging.
type Histogram struct {
	StartTime, Time int64
	Count           uint64
	Sum, Min, Max   float64
	HasSum          bool
	HasMin, HasMax  bool
	Bounds          []float64
	Counts          []uint64
}

// ErrBoundsDiffer is returned when two histograms have different bucket bounds.
var ErrBoundsDiffer = errors.New("bucket bounds differ")

// MergeDelta adds the delta histogram src into dst: counts per bucket, count and sum add, min
// and max combine, and the span grows to cover both. dst must be empty or have the same bounds.
func MergeDelta(dst *Histogram, src *Histogram) error {
	if dst.Count == 0 && len(dst.Counts) == 0 {
		*dst = Histogram{
			StartTime: src.StartTime, Time: src.Time, Count: src.Count, Sum: src.Sum, Min: src.Min, Max: src.Max,
			HasSum: src.HasSum, HasMin: src.HasMin, HasMax: src.HasMax,
			Bounds: append([]float64(nil), src.Bounds...), Counts: append([]uint64(nil), src.Counts...),
		}
		return nil
	}
	if len(dst.Bounds) != len(src.Bounds) || len(dst.Counts) != len(src.Counts) {
		return ErrBoundsDiffer
	}
	for i, b := range src.Bounds {
		if dst.Bounds[i] != b {
			return ErrBoundsDiffer
		}
	}
	for i, c := range src.Counts {
		dst.Counts[i] += c
	}
	dst.Count += src.Count
	dst.Sum += src.Sum
	dst.HasSum = dst.HasSum && src.HasSum
	// A side without min or max leaves the merged one unknown.
	dst.Min, dst.HasMin = min(dst.Min, src.Min), dst.HasMin && src.HasMin
	dst.Max, dst.HasMax = max(dst.Max, src.Max), dst.HasMax && src.HasMax
	dst.StartTime = min(dst.StartTime, src.StartTime)
	dst.Time = max(dst.Time, src.Time)
	return nil
}
