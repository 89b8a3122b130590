package reduce

import "math"

// Hold is piecewise-constant reduction for last-value reads (PromQL). A segment is a run of
// samples whose values fit in one band of width 2·eps; it is kept as one sample at the
// segment's first time, with a value inside every sample's band, so PromQL's "last sample at
// or before t" returns it at every time of the segment. Segments are cut greedily (the longest
// that fits), which keeps the fewest samples any piecewise-constant representation aligned to
// the input's times can keep; the lookback only adds samples where a segment would otherwise
// be read beyond it.
//
// The open segment lives in c.seg: start, prevT, n, the feasible value interval [cLo, cHi],
// cSum for the mean, fE0 holding the band of the last sample taken, so a segment can be
// restarted from it (see pushHold), and alive set to holdSent once its kept sample was sent
// early (MaxDelay), its value fixed as cLo = cHi.

// holdSent marks, in segment.alive, a Hold segment whose kept sample was sent.
const holdSent uint8 = 1

// holdSpan returns the longest time a kept sample may be read for: the lookback, or
// MaxSegment when that is shorter; 0 means unbounded.
func (o *Options) holdSpan() int64 {
	s := o.Lookback
	if o.MaxSegment > 0 && (s == 0 || o.MaxSegment < s) {
		s = o.MaxSegment
	}
	return s
}

// pushHold takes one finite sample under Hold.
func (c *Compressor) pushHold(t int64, v, eps float64, reset bool, dst []Point) []Point {
	s := &c.seg
	e := max(eps, 0)
	if s.n == 0 {
		c.startHold(t, v, e)
		return dst
	}
	span := c.opt.holdSpan()
	switch {
	case reset || (c.opt.Lookback > 0 && t-s.prevT > c.opt.Lookback):
		// A new run, or a silence longer than the lookback in the input: end the segment
		// where the input ends, so the output goes silent exactly when the input does.
		dst = c.closeHold(dst, t)
		c.startHold(t, v, e)
		return dst
	case span > 0 && t-s.start.T > span:
		// The segment's kept sample would be read beyond the lookback at t. Close it before
		// the previous sample and restart from that one, so kept samples stay at most the
		// lookback apart (a re-emit that may take a new value).
		if s.prevT > s.start.T {
			prev, pe := c.last, s.fE0
			dst = c.closeHold(dst, prev.T)
			c.startHold(prev.T, prev.V, pe)
		}
		if t-s.start.T > span {
			dst = c.closeHold(dst, t)
			c.startHold(t, v, e)
			return dst
		}
	}
	if d := c.opt.MaxDelay; d > 0 && s.alive != holdSent && t-s.start.T >= d {
		// Send the kept sample now and hold its value from here on.
		val := clamp(s.cSum/float64(s.n), s.cLo, s.cHi)
		dst = c.emit(dst, Point{s.start.T, val})
		s.cLo, s.cHi, s.alive = val, val, holdSent
	}
	lo, hi := max(s.cLo, below(v, e)), min(s.cHi, above(v, e))
	if lo > hi {
		dst = c.closeHold(dst, t)
		c.startHold(t, v, e)
		return dst
	}
	s.cLo, s.cHi, s.cSum, s.fE0 = lo, hi, s.cSum+v, e
	s.n++
	s.prevT = t
	return dst
}

func (c *Compressor) startHold(t int64, v, e float64) {
	c.seg = segment{start: Point{t, v}, prevT: t, n: 1, cLo: below(v, e), cHi: above(v, e), cSum: v, fE0: e}
}

// below returns the smallest float64 at or above the exact v-e, and above the largest at or
// below v+e, so any value between them is within e of v in exact arithmetic, and therefore
// also when the difference is computed in float64 (rounding is monotone and e is a float64).
// Unlike a safety margin this loses nothing: integer data whose values span exactly 2·e still
// fit one segment, as they do in PMC-MR.
func below(v, e float64) float64 {
	s := v - e
	if twoSumErr(v, -e, s) > 0 {
		s = math.Nextafter(s, math.Inf(1))
	}
	return s
}

func above(v, e float64) float64 {
	s := v + e
	if twoSumErr(v, e, s) < 0 {
		s = math.Nextafter(s, math.Inf(-1))
	}
	return s
}

// twoSumErr returns a+b-s exactly for s = fl(a+b) (Knuth's TwoSum).
func twoSumErr(a, b, s float64) float64 {
	bb := s - a
	return (a - (s - bb)) + (b - bb)
}

// closeHold emits the open segment's kept sample: the mean clamped into the feasible
// interval, at the segment's first time. next is the time of the next kept sample (MaxInt64
// for none): when it is further than the lookback from the segment's start, the value is kept
// again at the segment's last sample, so the output lasts as long as the input does.
func (c *Compressor) closeHold(dst []Point, next int64) []Point {
	s := &c.seg
	if s.n == 0 {
		return dst
	}
	val := clamp(s.cSum/float64(s.n), s.cLo, s.cHi)
	if s.alive != holdSent {
		dst = c.emit(dst, Point{s.start.T, val})
	}
	if L := c.opt.Lookback; L > 0 && s.prevT > s.start.T && next-s.start.T > L {
		dst = c.emit(dst, Point{s.prevT, val})
	}
	s.n = 0
	return dst
}

// flushHold closes the open segment as the end of the input.
func (c *Compressor) flushHold(dst []Point) []Point {
	return c.closeHold(dst, math.MaxInt64)
}
