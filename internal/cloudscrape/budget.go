package cloudscrape

import (
	"fmt"
	"time"
)

// Budget caps the billed units (CloudWatch: metrics requested) an account may spend per hour.
// A poll that would overspend is deferred: the next poll's window reaches back over the gap
// (Window.Range), so the interval lengthens and no point is lost while the gap stays within
// max_backfill.
type Budget struct {
	// BilledUnitsPerHour is the cap; 0 means no cap.
	BilledUnitsPerHour float64 `mapstructure:"billed_units_per_hour"`
}

// Validate names the key of any bad value.
func (b Budget) Validate() error {
	if b.BilledUnitsPerHour < 0 {
		return fmt.Errorf("`budget.billed_units_per_hour` must not be negative, got %v", b.BilledUnitsPerHour)
	}
	return nil
}

// Limiter tracks one account's spending against the budget: a bucket holding one hour's
// budget (at least one unit), refilled continuously. It is written here rather than taken from
// golang.org/x/time/rate because a poll may cost more than the bucket holds (a budget below one
// poll's cost per hour): such a poll runs when the bucket is full and leaves it in debt, so the
// account still spends no more than its budget on average, instead of never polling or
// polling without a cap.
type Limiter struct {
	perSecond float64
	capacity  float64
	tokens    float64
	at        time.Time
}

// NewLimiter returns nil (no cap) when the budget is 0.
func (b Budget) NewLimiter() *Limiter {
	if b.BilledUnitsPerHour <= 0 {
		return nil
	}
	c := max(b.BilledUnitsPerHour, 1)
	return &Limiter{perSecond: b.BilledUnitsPerHour / 3600, capacity: c, tokens: c}
}

// Allow spends n units at now if the budget has them, or if the bucket is full and n is more
// than it can ever hold.
func (l *Limiter) Allow(now time.Time, n int) bool {
	if l == nil {
		return true
	}
	if !l.at.IsZero() && now.After(l.at) {
		l.tokens = min(l.capacity, l.tokens+now.Sub(l.at).Seconds()*l.perSecond)
	}
	if now.After(l.at) {
		l.at = now
	}
	need := min(float64(n), l.capacity)
	// The refill adds up many small float steps; a rounding error must not defer a poll.
	if l.tokens+1e-9 < need {
		return false
	}
	l.tokens -= float64(n)
	return true
}
