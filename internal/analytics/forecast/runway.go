package forecast

import (
	"fmt"
	"time"
)

// Crossing is when a forecast line first reaches a threshold.
type Crossing struct {
	// Within is false when the line stays below the threshold over the whole horizon.
	Within bool
	// After is the time from the forecast's origin to the crossing, and At the crossing itself.
	After time.Duration
	At    time.Time
}

// String says "3.5 days" or "not within horizon".
func (c Crossing) String() string {
	if !c.Within {
		return "not within horizon"
	}
	return fmt.Sprintf("%.1f days", c.After.Hours()/24)
}

// RunwayResult is the time left before a resource reaches a threshold.
type RunwayResult struct {
	// Expected follows the point forecast; Pessimistic the upper 80% bound (reached first) and
	// Optimistic the lower 80% bound (reached last).
	Expected, Pessimistic, Optimistic Crossing
}

// Runway is the time until the forecast reaches threshold from below, as for the usage of a
// CPU, memory or a disk. The crossing is interpolated linearly between steps; if the last
// observed value is already at or above threshold every crossing is at the origin. For a
// quantity that runs out downwards (free bytes), negate the values and the threshold.
func Runway(f Forecast, threshold float64) RunwayResult {
	if f.Last >= threshold {
		now := Crossing{Within: true, At: f.Origin}
		return RunwayResult{now, now, now}
	}
	return RunwayResult{
		Expected:    crossing(f, f.Mean, threshold),
		Pessimistic: crossing(f, f.Upper80, threshold),
		Optimistic:  crossing(f, f.Lower80, threshold),
	}
}

func crossing(f Forecast, v []float64, thr float64) Crossing {
	prevT, prevV := f.Origin, f.Last
	for i, x := range v {
		if x >= thr {
			w := 1.0
			if x > prevV && prevV < thr {
				w = (thr - prevV) / (x - prevV)
			}
			at := prevT.Add(time.Duration(w * float64(f.Times[i].Sub(prevT))))
			return Crossing{Within: true, After: at.Sub(f.Origin), At: at}
		}
		prevT, prevV = f.Times[i], x
	}
	return Crossing{}
}
