package cloudscrape

import (
	"fmt"
	"time"
)

// Window plans the time range of each poll.
//
// Cloud metrics keep changing for minutes after they first appear, so a poll asks only for
// periods that ended Delay ago. It reaches back to the last range it completed, so missed polls
// (a restart, a throttled API, a budget pause) are backfilled, but never more than MaxBackfill;
// so is a first start, so the pipeline has history from its first minutes.
// Per-series deduplication (State) makes an overlap harmless.
type Window struct {
	// Period is the resolution asked of the API.
	Period time.Duration
	// Delay is how long after a period ends its value is taken as final.
	Delay time.Duration
	// MaxBackfill bounds how far back a poll reaches after a gap.
	MaxBackfill time.Duration
}

// Validate names the key of any bad value.
func (w Window) Validate() error {
	switch {
	case w.Period < time.Second:
		return fmt.Errorf("`period` must be at least 1s, got %q", w.Period)
	case w.Delay < 0:
		return fmt.Errorf("`delay` must not be negative, got %q", w.Delay)
	case w.MaxBackfill < w.Period:
		return fmt.Errorf("`max_backfill` must be at least `period` (%s), got %q", w.Period, w.MaxBackfill)
	}
	return nil
}

// Range returns [start, end) for a poll at now, given the end of the last completed range
// (zero on a first start without a checkpoint: then the poll backfills MaxBackfill). ok is false
// when there is no whole period to ask for yet.
func (w Window) Range(now, lastEnd time.Time) (start, end time.Time, ok bool) {
	end = now.Add(-w.Delay).Truncate(w.Period)
	start = lastEnd
	if oldest := end.Add(-w.MaxBackfill).Truncate(w.Period); start.Before(oldest) {
		start = oldest
	}
	return start, end, start.Before(end)
}
