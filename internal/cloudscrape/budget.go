package cloudscrape

import (
	"fmt"
	"time"

	"golang.org/x/time/rate"
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

// Limiter tracks one account's spending against the budget.
type Limiter struct {
	lim *rate.Limiter
}

// NewLimiter returns nil (no cap) when the budget is 0. The bucket holds one hour's budget,
// so a poll may spend it at once, and refills continuously.
func (b Budget) NewLimiter() *Limiter {
	if b.BilledUnitsPerHour <= 0 {
		return nil
	}
	burst := int(b.BilledUnitsPerHour)
	l := rate.NewLimiter(rate.Limit(b.BilledUnitsPerHour/3600), burst)
	return &Limiter{lim: l}
}

// Allow spends n units at now if the budget has them. A poll larger than one hour's budget
// can never run; it is allowed when the bucket is full so collection does not stop forever.
func (l *Limiter) Allow(now time.Time, n int) bool {
	if l == nil {
		return true
	}
	if n > l.lim.Burst() {
		if l.lim.TokensAt(now) >= float64(l.lim.Burst()) {
			l.lim.AllowN(now, l.lim.Burst())
			return true
		}
		return false
	}
	return l.lim.AllowN(now, n)
}
