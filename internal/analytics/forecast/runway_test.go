package forecast

import (
	"math"
	"testing"
	"time"
)

func TestRunway(t *testing.T) {
	t.Parallel()
	// A forecast rising by 1 a day from 10, hourly, for 20 days; the 80% bounds 2 either side.
	const days = 20
	fc := Forecast{Origin: t0, Last: 10, Step: time.Hour}
	for h := 1; h <= days*24; h++ {
		v := 10 + float64(h)/24
		fc.Times = append(fc.Times, t0.Add(time.Duration(h)*time.Hour))
		fc.Mean = append(fc.Mean, v)
		fc.Lower80 = append(fc.Lower80, v-2)
		fc.Upper80 = append(fc.Upper80, v+2)
	}
	f := func(threshold float64, want, pess, opt time.Duration, within [3]bool) {
		t.Helper()
		r := Runway(fc, threshold)
		got := [3]Crossing{r.Expected, r.Pessimistic, r.Optimistic}
		for i, w := range [3]time.Duration{want, pess, opt} {
			if got[i].Within != within[i] || (within[i] && (got[i].After != w || !got[i].At.Equal(t0.Add(w)))) {
				t.Fatalf("threshold %v: crossing %d = %+v, want %v within %v", threshold, i, got[i], w, within[i])
			}
		}
	}
	// Reached in 5 days; the upper bound 2 days earlier, the lower 2 days later.
	f(15, 5*24*time.Hour, 3*24*time.Hour, 7*24*time.Hour, [3]bool{true, true, true})
	// Half-way between two steps: interpolated to the minute.
	f(15+0.5/24, 5*24*time.Hour+30*time.Minute, 3*24*time.Hour+30*time.Minute, 7*24*time.Hour+30*time.Minute, [3]bool{true, true, true})
	// The point forecast reaches 29 on day 19; the lower bound never does.
	f(29, 19*24*time.Hour, 17*24*time.Hour, 0, [3]bool{true, true, false})
	// Beyond every bound.
	f(40, 0, 0, 0, [3]bool{})
	// Already there.
	f(9, 0, 0, 0, [3]bool{true, true, true})
	if s := Runway(fc, 40).Expected.String(); s != "not within horizon" {
		t.Fatalf("String() = %q", s)
	}
	if s := Runway(fc, 15).Expected.String(); s != "5.0 days" {
		t.Fatalf("String() = %q", s)
	}
}

func TestRunwayOnFittedRamp(t *testing.T) {
	t.Parallel()
	// Disk usage rising 1% a day, sampled every 5 minutes for 20 days, from 40%: at the end it is
	// at 60%, so 90% is reached 30 days after the last sample.
	var ts []time.Time
	var vs []float64
	for i := 0; i <= 20*288; i++ {
		ts = append(ts, t0.Add(time.Duration(i)*5*time.Minute))
		vs = append(vs, 40+float64(i)/288)
	}
	md, err := Fit(ts, vs, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := Runway(md.Forecast(60*24*time.Hour), 90)
	if !r.Expected.Within || math.Abs(r.Expected.After.Hours()-30*24) > 1 {
		t.Fatalf("runway %+v (model %+v), want 30 days", r, md.Info())
	}
	if !r.Pessimistic.Within || r.Pessimistic.After > r.Expected.After || (r.Optimistic.Within && r.Optimistic.After < r.Expected.After) {
		t.Fatalf("pessimistic %v, expected %v, optimistic %v out of order", r.Pessimistic, r.Expected, r.Optimistic)
	}
}
