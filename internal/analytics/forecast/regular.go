package forecast

import (
	"math"
	"slices"
	"time"
)

// grid is a series on a regular time grid: y[k] is the value at t0+k*step, NaN where nothing
// was observed.
type grid struct {
	t0   time.Time
	step time.Duration
	y    []float64
}

func (g grid) end() time.Time { return g.t0.Add(time.Duration(len(g.y)-1) * g.step) }

// niceSteps are the scrape and query steps in common use; a detected step within 5% of one is
// taken to be it, because scrapes jitter and a step of 5m1s would never fit a day.
var niceSteps = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 20 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 20 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// detectStep is the median gap between consecutive distinct timestamps, snapped to a common
// step or else rounded to a whole second: the median ignores the gaps of outages.
func detectStep(times []time.Time) time.Duration {
	d := make([]time.Duration, 0, len(times))
	for i := 1; i < len(times); i++ {
		if g := times[i].Sub(times[i-1]); g > 0 {
			d = append(d, g)
		}
	}
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	s := d[len(d)/2]
	for _, n := range niceSteps {
		if math.Abs(float64(s-n)) <= 0.05*float64(n) {
			return n
		}
	}
	if s >= time.Second {
		s = s.Round(time.Second)
	}
	return s
}

// regularise puts the finite samples on a grid of the given step starting at the first one,
// averaging samples that land in the same slot. Only the newest maxSlots slots are kept, so a
// stray old sample cannot make the grid huge.
func regularise(times []time.Time, values []float64, step time.Duration, maxSlots int) grid {
	var first, last time.Time
	found := false
	for i, t := range times {
		if !finite(values[i]) {
			continue
		}
		if !found || t.Before(first) {
			first = t
		}
		if !found || t.After(last) {
			last = t
		}
		found = true
	}
	if !found {
		return grid{step: step}
	}
	n := int(math.Round(float64(last.Sub(first))/float64(step))) + 1
	if n > maxSlots {
		first = first.Add(time.Duration(n-maxSlots) * step)
		n = maxSlots
	}
	sum := make([]float64, n)
	cnt := make([]int32, n)
	for i, t := range times {
		if !finite(values[i]) || t.Before(first.Add(-step/2)) {
			continue
		}
		k := int(math.Round(float64(t.Sub(first)) / float64(step)))
		if k < 0 || k >= n {
			continue
		}
		sum[k] += values[i]
		cnt[k]++
	}
	for k := range sum {
		if cnt[k] == 0 {
			sum[k] = math.NaN()
		} else {
			sum[k] /= float64(cnt[k])
		}
	}
	return grid{t0: first, step: step, y: sum}
}

// fillLinear returns y with missing values interpolated linearly between their neighbours and
// held constant before the first and after the last observation.
func fillLinear(y []float64) []float64 {
	x := slices.Clone(y)
	prev := -1
	for i, v := range x {
		if math.IsNaN(v) {
			continue
		}
		switch {
		case prev < 0:
			for j := 0; j < i; j++ {
				x[j] = v
			}
		case i-prev > 1:
			a := x[prev]
			for j := prev + 1; j < i; j++ {
				x[j] = a + (v-a)*float64(j-prev)/float64(i-prev)
			}
		}
		prev = i
	}
	if prev >= 0 {
		for j := prev + 1; j < len(x); j++ {
			x[j] = x[prev]
		}
	}
	return x
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
