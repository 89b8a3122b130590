package reduce

import "math"

// Class is what the first samples of a series look like.
type Class uint8

const (
	// Unknown means too few samples were seen.
	Unknown Class = iota
	// StepLike series mostly repeat their previous value and jump now and then.
	StepLike
	// Smooth series change by similar amounts from one sample to the next.
	Smooth
	// CounterLike series never decrease.
	CounterLike
	// Noisy series are anything else.
	Noisy
)

var classNames = [...]string{"unknown", "step", "smooth", "counter", "noisy"}

// String names the class.
func (k Class) String() string { return classNames[k] }

// Algorithm is the algorithm the class runs under Auto with linear reads; with last-value
// reads every class runs Hold, which no other output readable by PromQL beats (DESIGN.md),
// and the class is only reported. The linear mapping was measured on the NAB
// series by class (DESIGN.md): on step-like and noisy series mixed segments keep fewest
// samples (the constant kind wins the flat runs, linear the ramps); on smooth and noisy series
// linear alone keeps as many (within 0.05 points), so they run mixed too, which is never worse;
// counters get their own path, which keeps original samples so increase() stays exact.
func (k Class) Algorithm() Algorithm {
	if k == CounterLike {
		return Counter
	}
	return Mixed
}

// analysis accumulates the statistics Classify needs in O(1) space.
type analysis struct {
	prevV, prevD       float64
	sumAbsD, sumAbsDD  float64
	n, zeros, decrease int32
}

// add takes one finite sample and reports whether the analysis just became complete.
func (a *analysis) add(v float64, need int32) bool {
	if a.n >= need {
		return false
	}
	if a.n > 0 {
		d := v - a.prevV
		if d == 0 {
			a.zeros++
		}
		if d < 0 {
			a.decrease++
		}
		a.sumAbsD += math.Abs(d)
		if a.n > 1 {
			a.sumAbsDD += math.Abs(d - a.prevD)
		}
		a.prevD = d
	}
	a.prevV = v
	a.n++
	return a.n == need
}

// class decides from the accumulated statistics. Second differences of white noise are about
// 1.7 times its first differences and those of a random walk about 1.4 times; a smooth series
// has much smaller second differences, so 0.8 separates the two.
func (a *analysis) class() Class {
	diffs := a.n - 1
	switch {
	case diffs < 2:
		return Unknown
	case a.decrease == 0 && a.zeros < diffs:
		return CounterLike
	case float64(a.zeros) >= 0.5*float64(diffs):
		return StepLike
	case a.sumAbsDD < 0.8*a.sumAbsD:
		return Smooth
	}
	return Noisy
}

// Classify returns the class of a series from its first samples, as Auto sees it.
func Classify(vals []float64, samples int) Class {
	var a analysis
	for _, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if a.add(v, int32(samples)) {
			break
		}
	}
	return a.class()
}

// rangeTracker keeps the min and max of the current and the previous block of samples, so the
// recent range forgets old extremes in bounded space.
type rangeTracker struct {
	curMin, curMax, prevMin, prevMax float64
	n, block                         int32
	hasPrev                          bool
}

func (r *rangeTracker) add(v float64) {
	if r.n == 0 {
		r.curMin, r.curMax = v, v
	} else {
		r.curMin, r.curMax = min(r.curMin, v), max(r.curMax, v)
	}
	r.n++
	if r.block > 0 && r.n >= r.block {
		r.prevMin, r.prevMax, r.hasPrev = r.curMin, r.curMax, true
		r.n = 0
	}
}

func (r *rangeTracker) span() float64 {
	switch {
	case r.n == 0 && !r.hasPrev:
		return 0
	case r.n == 0:
		return r.prevMax - r.prevMin
	case !r.hasPrev:
		return r.curMax - r.curMin
	}
	return max(r.curMax, r.prevMax) - min(r.curMin, r.prevMin)
}
