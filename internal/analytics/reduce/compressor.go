package reduce

import (
	"math"
	"unsafe"
)

// Segment kinds, as bits of a candidate mask.
const (
	kindConst  uint8 = 1 << iota // piecewise constant, two samples (one for a single point)
	kindLinear                   // linear from the previous knot, one sample
	kindFree                     // linear from the segment's first sample, two samples
)

func maskFor(a Algorithm) uint8 {
	switch a {
	case Constant:
		return kindConst
	case Linear:
		return kindLinear | kindFree
	default:
		return kindConst | kindLinear | kindFree
	}
}

// Compressor is the streaming error-bounded reducer of one series. Push samples in time order;
// it appends the samples to keep (knots) to the slice it is given. Rebuilding the series by
// linear interpolation between consecutive knots (Reconstruct) stays within the tolerance at
// every pushed finite sample. The zero value is not usable; use NewCompressor.
type Compressor struct {
	opt *Options

	anchor Point // the last knot emitted; connected segments start here
	last   Point // the last sample taken (or the last non-finite one); order checks use it
	prev   prevSegment
	seg    segment
	rng    rangeTracker
	an     analysis

	algo      Algorithm
	hasAnchor bool
	hasLast   bool
}

// segment is the open segment: one candidate fit per kind, run side by side.
type segment struct {
	start Point
	prevT int64 // time of the last sample the segment covers
	aT    int64 // time of the knot a connected segment starts from
	n     int32
	alive uint8

	// Constant: the feasible value interval and the sum for the mean.
	cLo, cHi, cSum float64
	// Connected linear: feasible (start value, slope) pairs and least-squares sums.
	poly            poly
	lSx, lSxx, lSxv float64
	// Free linear: feasible (first knot value, slope) pairs, the first sample's band and
	// least-squares sums.
	fpoly           poly
	fE0             float64
	fSx, fSxx, fSxv float64
	// The Counter cone of slopes from the last knot.
	fLo, fHi float64
}

// prevSegment is the last closed segment, whose end knot value is still open within
// [lo, hi]: the next segment, if connected, picks it, so that segment gets as long as it can.
type prevSegment struct {
	startT, endT int64
	startV       float64 // free linear: its start knot's value
	lo, hi, pref float64
	kind         uint8 // 0 when there is none
}

// NewCompressor returns a compressor using the shared options o, which must stay unchanged.
func NewCompressor(o *Options) Compressor {
	c := Compressor{opt: o, algo: o.Algorithm}
	if c.algo == Auto && o.Reader == ReaderLastValue {
		// Hold is optimal for last-value reads whatever the shape (DESIGN.md), so there is
		// nothing to choose between; counters are routed to Counter by their metric type.
		c.algo = Hold
	}
	c.rng.block = int32(o.RangeBlock)
	return c
}

// Size returns the bytes of state this series holds, for the per-series memory budget.
func (c *Compressor) Size() int { return int(unsafe.Sizeof(*c)) }

// Algorithm returns the algorithm in use (the chosen one once Auto has decided).
func (c *Compressor) Algorithm() Algorithm { return c.algo }

// Tolerance returns the error bound that applies to the next sample.
func (c *Compressor) Tolerance() float64 {
	t := max(c.opt.Absolute, c.opt.Relative*c.rng.span())
	if c.opt.Scale != nil {
		t *= *c.opt.Scale
	}
	return t
}

// Push adds the sample (t, v); reset marks a counter reset signalled out of band (a new start
// time). It appends any knots that became final to dst.
func (c *Compressor) Push(t int64, v float64, reset bool, dst []Point) ([]Point, Status) {
	if c.hasLast {
		if t < c.last.T {
			return dst, OutOfOrder
		}
		if t == c.last.T {
			return dst, Duplicate
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		if c.algo == Hold {
			dst = c.closeHold(dst, t)
		} else {
			dst = c.Flush(dst)
		}
		dst = append(dst, Point{t, v})
		c.last, c.hasLast, c.hasAnchor = Point{t, v}, true, false
		return dst, NonFinite
	}
	c.rng.add(v)
	dst = c.process(Point{t, v}, c.Tolerance(), reset, dst)
	return dst, Accepted
}

// process fits one sample with its tolerance.
func (c *Compressor) process(p Point, eps float64, reset bool, dst []Point) []Point {
	t, v := p.T, p.V
	if c.algo == Auto && c.an.add(v, c.opt.analysisSamples()) {
		next := c.an.class().Algorithm()
		if next.original() && c.seg.n > 0 {
			// The counter path keeps no segment state: close the open one first.
			dst = c.closeSegment(dst)
		}
		if next.original() {
			dst = c.fixPrev(dst, c.prev.pref)
			c.seg.fLo, c.seg.fHi = math.Inf(-1), math.Inf(1)
		}
		c.algo = next
	}
	switch {
	case c.algo == Hold:
		dst = c.pushHold(t, v, eps, reset, dst)
	case c.algo.original():
		dst = c.pushCounter(t, v, eps, reset, dst)
	default:
		if reset {
			// A new start time begins a new run: emit everything before it now and do not
			// draw a line across it.
			if c.seg.n > 0 {
				dst = c.closeSegment(dst)
			}
			dst = c.fixPrev(dst, c.prev.pref)
			c.hasAnchor = false
		}
		dst = c.pushSegment(t, v, eps, dst)
	}
	c.last, c.hasLast = p, true
	return dst
}

// Flush closes the open segment and appends its knots, for shutdown
// and stale eviction. The series may continue afterwards, connected to the last knot.
func (c *Compressor) Flush(dst []Point) []Point {
	if c.algo == Hold {
		return c.flushHold(dst)
	}
	if c.algo.original() {
		if c.hasAnchor && c.last.T > c.anchor.T && !c.isNonFinite() {
			dst = c.emit(dst, c.last)
		}
		c.seg.fLo, c.seg.fHi = math.Inf(-1), math.Inf(1)
		return dst
	}
	if c.seg.n > 0 {
		dst = c.closeSegment(dst)
	}
	return c.fixPrev(dst, c.prev.pref)
}

func (c *Compressor) isNonFinite() bool {
	return math.IsNaN(c.last.V) || math.IsInf(c.last.V, 0)
}

func (c *Compressor) emit(dst []Point, p Point) []Point {
	c.anchor, c.hasAnchor = p, true
	return append(dst, p)
}

// band returns the half-width usable at a sample: eps less a margin for float64 rounding in the
// fit and in Reconstruct, so the bound holds on the rebuilt values, not only on paper.
func band(eps float64, vals ...float64) float64 {
	scale := 0.0
	for _, v := range vals {
		scale += math.Abs(v)
	}
	return eps - 1e-9*eps - 1e-12*scale
}

func (o *Options) analysisSamples() int32 {
	if o.AnalysisSamples > 0 {
		return int32(o.AnalysisSamples)
	}
	return 32
}

// original reports whether the algorithm keeps original samples only (pushCounter).
func (a Algorithm) original() bool { return a == Counter || a == Vertex }

// pushCounter keeps original samples only: the previous sample becomes a knot as soon as the
// line from the last knot to the new sample would leave the band of a sample in between.
func (c *Compressor) pushCounter(t int64, v, eps float64, reset bool, dst []Point) []Point {
	s := &c.seg
	if !c.hasAnchor {
		s.fLo, s.fHi = math.Inf(-1), math.Inf(1)
		return c.emit(dst, Point{t, v})
	}
	pending := c.last.T > c.anchor.T
	if reset || (c.algo == Counter && v < c.last.V) {
		if pending {
			dst = c.emit(dst, c.last)
		}
		s.fLo, s.fHi = math.Inf(-1), math.Inf(1)
		return c.emit(dst, Point{t, v})
	}
	dx := float64(t - c.anchor.T)
	slope := (v - c.anchor.V) / dx
	span := c.opt.holdSpan()
	tooLong := span > 0 && t-c.anchor.T > span
	if pending && (tooLong || slope < s.fLo || slope > s.fHi) {
		dst = c.emit(dst, c.last)
		s.fLo, s.fHi = math.Inf(-1), math.Inf(1)
		dx = float64(t - c.anchor.T)
	}
	if c.opt.Lookback > 0 && t-c.anchor.T > c.opt.Lookback {
		// A silence longer than the lookback: keep this sample, or a last-value read would
		// find nothing at it.
		s.fLo, s.fHi = math.Inf(-1), math.Inf(1)
		return c.emit(dst, Point{t, v})
	}
	e := band(eps, v, c.anchor.V)
	if e <= 0 {
		// No room: the next sample must make this one a knot.
		s.fLo, s.fHi = math.Inf(1), math.Inf(-1)
		return dst
	}
	s.fLo = max(s.fLo, (v-e-c.anchor.V)/dx)
	s.fHi = min(s.fHi, (v+e-c.anchor.V)/dx)
	return dst
}

func (c *Compressor) startSegment(t int64, v, eps float64) {
	s := &c.seg
	*s = segment{start: Point{t, v}, prevT: t, n: 1, alive: maskFor(c.algo)}
	aLo, aHi := c.anchor.V, c.anchor.V
	s.aT = c.anchor.T
	if c.prev.kind != 0 {
		aLo, aHi, s.aT = c.prev.lo, c.prev.hi, c.prev.endT
	}
	e := band(eps, v, aLo, aHi)
	if e <= 0 {
		e = 0
		s.alive &^= kindLinear
	}
	s.cLo, s.cHi, s.cSum = v-e, v+e, v
	if e == 0 {
		s.cLo, s.cHi = v, v
	}
	s.fE0 = e
	if !c.hasAnchor && c.prev.kind == 0 {
		s.alive &^= kindLinear
	}
	if s.alive&kindLinear == 0 {
		return
	}
	dx := float64(t - s.aT)
	s.poly.init(aLo, aHi, dx, v-e, v+e)
	s.lSx, s.lSxx, s.lSxv = dx, dx*dx, dx*v
}

func (c *Compressor) pushSegment(t int64, v, eps float64, dst []Point) []Point {
	s := &c.seg
	if s.n == 0 {
		c.startSegment(t, v, eps)
		return dst
	}
	if c.opt.MaxSegment > 0 && t-s.start.T > c.opt.MaxSegment {
		dst = c.closeSegment(dst)
		c.startSegment(t, v, eps)
		return dst
	}
	e := band(eps, v, c.prev.lo, c.prev.hi, c.anchor.V, s.start.V)
	alive := s.alive
	if alive&kindConst != 0 {
		lo, hi := max(s.cLo, v-e), min(s.cHi, v+e)
		if e > 0 && lo <= hi {
			s.cLo, s.cHi = lo, hi
			s.cSum += v
		} else if e <= 0 && s.cLo == v && s.cHi == v {
			s.cSum += v
		} else {
			alive &^= kindConst
		}
	}
	if alive&kindLinear != 0 {
		dx := float64(t - s.aT)
		if e > 0 && s.poly.fit(dx, v-e, v+e) {
			s.lSx += dx
			s.lSxx += dx * dx
			s.lSxv += dx * v
		} else {
			alive &^= kindLinear
		}
	}
	if alive&kindFree != 0 {
		dx := float64(t - s.start.T)
		ok := e > 0
		if ok && s.n == 1 {
			s.fpoly.init(s.start.V-s.fE0, s.start.V+s.fE0, dx, v-e, v+e)
		} else if ok {
			ok = s.fpoly.fit(dx, v-e, v+e)
		}
		if ok {
			s.fSx += dx
			s.fSxx += dx * dx
			s.fSxv += dx * v
		} else {
			alive &^= kindFree
		}
	}
	if alive == 0 {
		// Every kind that was still alive covered exactly the samples before this one.
		dst = c.closeSegment(dst)
		c.startSegment(t, v, eps)
		return dst
	}
	s.alive = alive
	s.n++
	s.prevT = t
	return dst
}

// closeSegment ends the open segment with the cheapest kind still alive (all alive kinds cover
// the same samples): connected linear needs one knot, the others two (one for a single
// sample). A connected segment fixes the previous segment's end value now; a disconnected one
// lets it take its preferred value. The closed segment's own end value stays open (prev).
func (c *Compressor) closeSegment(dst []Point) []Point {
	s := &c.seg
	end := s.prevT
	switch {
	case s.n == 1 && s.alive&(kindConst|kindFree) != 0:
		dst = c.fixPrev(dst, c.prev.pref)
		c.prev = prevSegment{kind: kindConst, startT: s.start.T, endT: end, lo: s.cLo, hi: s.cHi, pref: s.start.V}
		if s.alive&kindConst == 0 { // the free kind alone: the sample itself
			c.prev.lo, c.prev.hi = s.start.V, s.start.V
		}
	case s.alive&kindLinear != 0:
		from := c.anchor.V
		if c.prev.kind != 0 {
			from = c.prev.pref
		}
		y, lo, hi := s.poly.widest(from)
		dst = c.fixPrev(dst, y)
		dx := float64(end - s.aT)
		slope := clamp((s.lSxv-y*s.lSx)/s.lSxx, lo, hi)
		c.prev = c.linearEnd(kindLinear, y, slope, lo, hi, dx, end)
	case s.alive&kindConst != 0:
		dst = c.fixPrev(dst, c.prev.pref)
		v := clamp(s.cSum/float64(s.n), s.cLo, s.cHi)
		c.prev = prevSegment{kind: kindConst, startT: s.start.T, endT: end, lo: s.cLo, hi: s.cHi, pref: v}
	default: // kindFree with n >= 2
		dst = c.fixPrev(dst, c.prev.pref)
		y, lo, hi := s.fpoly.widest(s.start.V)
		if l, h, ok := s.fpoly.slice(s.start.V); ok && c.opt.Snap {
			// Start on the sample's own value when feasible: spikes keep their height.
			y, lo, hi = s.start.V, l, h
		}
		dx := float64(end - s.start.T)
		slope := clamp((s.fSxv-y*s.fSx)/s.fSxx, lo, hi)
		c.prev = c.linearEnd(kindFree, y, slope, lo, hi, dx, end)
		c.prev.startT, c.prev.startV = s.start.T, y
	}
	s.n = 0
	return dst
}

// linearEnd describes the open end of a linear segment from value y over dx with slopes in
// [lo, hi]; with Snap the preferred end is the last sample's own value when feasible.
func (c *Compressor) linearEnd(kind uint8, y, slope, lo, hi, dx float64, end int64) prevSegment {
	p := prevSegment{kind: kind, endT: end, lo: y + lo*dx, hi: y + hi*dx, pref: y + slope*dx}
	if p.lo > p.hi {
		p.lo, p.hi = p.hi, p.lo
	}
	if c.opt.Snap && c.last.V >= p.lo && c.last.V <= p.hi {
		p.pref = c.last.V
	}
	p.pref = clamp(p.pref, p.lo, p.hi)
	return p
}

// fixPrev emits the knots of the previous segment with its end value y.
func (c *Compressor) fixPrev(dst []Point, y float64) []Point {
	p := &c.prev
	if p.kind == 0 {
		return dst
	}
	y = clamp(y, p.lo, p.hi)
	switch p.kind {
	case kindConst:
		if p.startT != p.endT {
			dst = append(dst, Point{p.startT, y})
		}
	case kindFree:
		dst = append(dst, Point{p.startT, p.startV})
	}
	dst = c.emit(dst, Point{p.endT, y})
	p.kind = 0
	return dst
}

func clamp(x, lo, hi float64) float64 {
	if !(x >= lo) { // also NaN
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}
