package cloudscrape

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/mcobs/mcobs/internal/canonical"
)

// pollTarget collects one target: inventory, plan, window, points; hands them to the consumer;
// and only then advances the target's checkpoint.
func (r *Receiver) pollTarget(ctx context.Context, t *target, now time.Time, report *Report) error {
	fetchCtx := ctx
	if r.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		fetchCtx, cancel = context.WithTimeout(ctx, r.cfg.Timeout)
		defer cancel()
	}
	inv, err := r.inventory(fetchCtx, t, now)
	if err != nil {
		return r.fail(t, report, "inventory", err)
	}
	for _, res := range inv.Resources {
		if res.State != "" {
			// A target may span regions (an Azure subscription): each resource says its own.
			report.Instance(t.Account(), cmp.Or(res.Attrs[canonical.AttrCloudRegion], t.Region()), res.Platform, res.State)
		}
	}
	b := newBatch(r.prov.Name(), r.scope, t, inv)
	b.inventory(stamp(now))
	plan, err := r.discover(fetchCtx, t, inv, now)
	if err != nil {
		// The inventory is still worth having.
		return errors.Join(r.fail(t, report, "discover", err), r.consume(ctx, b.md))
	}
	b.markers(plan, stamp(now))

	st, err := r.store.Load(ctx, t.Key())
	if err != nil {
		r.set.Logger.Warn("Ignoring unreadable checkpoint", zap.String("target", t.Key()), zap.Error(err))
	}
	start, end, ok := r.window(ctx, t, st, now)
	qs := plan.Queries
	r.tel.polled(t.Account(), t.Region(), len(qs), time.Time{})
	if !ok || len(qs) == 0 {
		report.Status(t.Account(), StatusSuccess, "")
		return r.consume(ctx, b.md)
	}
	backfill := end.Sub(start) > r.cfg.CollectionInterval
	if !r.allow(t.Account(), now, t.Cost(qs)) {
		r.tel.window(ctx, t.Account(), WindowDeferred, backfill)
		report.Status(t.Account(), StatusSuccess, "budget")
		return r.consume(ctx, b.md)
	}

	results, fetchErr := t.Fetch(fetchCtx, qs, start, end)
	emitted, dups := 0, 0
	var queryErr error
	for i := range qs {
		if i >= len(results) {
			break
		}
		n, d, bad := b.series(st, &qs[i], results[i].Samples)
		emitted, dups = emitted+n, dups+d
		if results[i].Err == nil && bad > 0 {
			results[i].Err = fmt.Errorf("%w: %d of %d", ErrNotFinite, bad, len(results[i].Samples))
		}
		if results[i].Err != nil && queryErr == nil {
			queryErr = fmt.Errorf("query %s: %w", qs[i].Key, results[i].Err)
		}
	}
	r.tel.duplicates(ctx, t.Account(), dups)

	if err := r.consume(ctx, b.md); err != nil {
		// Nothing was taken: the state stays as before the poll and the next poll asks again.
		st.Discard()
		r.tel.window(ctx, t.Account(), WindowFailed, backfill)
		report.Status(t.Account(), StatusFailed, "pipeline")
		r.logFailure(t, "pipeline", err)
		return fmt.Errorf("next consumer refused %d points: %w", emitted, err)
	}
	failed := errors.Join(fetchErr, queryErr)
	if failed != nil {
		// The points that arrived are kept (their series advance); the window is not
		// completed, so the next poll asks for it again and emits only what is missing.
		st.Commit(time.Time{})
		r.save(ctx, t, st)
		r.tel.window(ctx, t.Account(), WindowFailed, backfill)
		return r.fail(t, report, "fetch", failed)
	}
	st.Commit(end)
	st.Forget(end.Add(-r.cfg.MaxBackfill - r.cfg.DiscoveryInterval))
	r.save(ctx, t, st)
	r.tel.window(ctx, t.Account(), WindowCompleted, backfill)
	r.tel.polled(t.Account(), t.Region(), len(qs), now)
	report.Status(t.Account(), StatusSuccess, "")
	r.recovered(t)
	return nil
}

// window is the range a poll asks for. A first start records where its backfill begins before
// fetching, and until that window is completed every poll begins there (within twice
// max_backfill), even past max_backfill: a restart that began later would start the counters'
// running totals a minute later and replay other values for the same timestamps, which a
// store refuses.
func (r *Receiver) window(ctx context.Context, t *target, st *State, now time.Time) (start, end time.Time, ok bool) {
	w := r.cfg.window()
	if sd, isSD := t.Target.(SettleDelayer); isSD {
		w.Delay = max(w.Delay, sd.SettleDelay())
	}
	start, end, ok = w.Range(now, st.LastEnd)
	switch {
	case st.LastEnd.IsZero() && st.FirstStart.IsZero() && ok:
		st.FirstStart = start
		st.dirty = true
		r.save(ctx, t, st)
	case !st.FirstStart.IsZero() && end.Sub(st.FirstStart) <= 2*r.cfg.MaxBackfill:
		start = st.FirstStart
	}
	return start, end, ok
}

func (r *Receiver) save(ctx context.Context, t *target, st *State) {
	if err := r.store.Save(ctx, t.Key(), st); err != nil {
		r.set.Logger.Warn("Checkpoint not saved", zap.String("target", t.Key()), zap.Error(err))
	}
}

// inventory returns the target's inventory, read again after inventory_interval.
func (r *Receiver) inventory(ctx context.Context, t *target, now time.Time) (*Inventory, error) {
	if t.inv != nil && now.Sub(t.invAt) < r.cfg.InventoryInterval {
		return t.inv, nil
	}
	inv, err := t.Inventory(ctx)
	if err != nil {
		return nil, err
	}
	if inv.Resources == nil {
		inv.Resources = map[string]*Resource{}
	}
	// The plan is kept until discovery_interval: discovering is what is billed (ListMetrics),
	// and a resource new to the inventory has no metrics to discover yet anyway.
	t.inv, t.invAt = inv, now
	return inv, nil
}

// discover returns the target's plan, made again, with the inventory of the day, after
// discovery_interval.
func (r *Receiver) discover(ctx context.Context, t *target, inv *Inventory, now time.Time) (*Plan, error) {
	if t.plan != nil && now.Sub(t.planAt) < r.cfg.DiscoveryInterval {
		return t.plan, nil
	}
	plan, err := t.Discover(ctx, inv)
	if err != nil {
		return nil, err
	}
	// Sorted once here, not at every poll that emits the markers.
	slices.SortStableFunc(plan.Unsupported, func(a, b Marker) int { return strings.Compare(a.Resource, b.Resource) })
	t.plan, t.planAt = plan, now
	return plan, nil
}

// allow spends the account's budget for n units, logging when deferral starts or stops.
func (r *Receiver) allow(account string, now time.Time, n int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.budgets[account]
	if !ok {
		l = r.cfg.Budget.NewLimiter()
		r.budgets[account] = l
	}
	allowed := l.Allow(now, n)
	if allowed == r.deferred[account] {
		if allowed {
			r.set.Logger.Info("Budget allows polling again", zap.String("provider", r.prov.Name()), zap.String("account", account))
		} else {
			r.set.Logger.Warn("Budget exhausted: deferring polls, the next one backfills the gap",
				zap.String("provider", r.prov.Name()), zap.String("account", account),
				zap.Int("billed_units", n), zap.Float64("budget_per_hour", r.cfg.Budget.BilledUnitsPerHour))
		}
	}
	r.deferred[account] = !allowed
	return allowed
}

// fail reports a target's failure in the status with the provider's short code, resets its
// credentials after an auth error, and logs when the reason changes.
func (r *Receiver) fail(t *target, report *Report, step string, err error) error {
	class, code := r.prov.Classify(err)
	if errors.Is(err, context.DeadlineExceeded) {
		code = "timeout"
	}
	report.Status(t.Account(), StatusFailed, code)
	if class == Auth {
		if cr, ok := t.Target.(CredentialResetter); ok {
			cr.ResetCredentials()
		}
	}
	r.logFailure(t, code, err)
	return fmt.Errorf("%s: %w", step, err)
}

func (r *Receiver) logFailure(t *target, code string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing[t.Key()] != code {
		r.failing[t.Key()] = code
		r.set.Logger.Error("Collection failing", zap.String("provider", r.prov.Name()), zap.String("account", t.Account()),
			zap.String("region", t.Region()), zap.String("reason", code), zap.Error(err))
	}
}

func (r *Receiver) recovered(t *target) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.failing[t.Key()]; ok {
		delete(r.failing, t.Key())
		r.set.Logger.Info("Collection recovered", zap.String("provider", r.prov.Name()),
			zap.String("account", t.Account()), zap.String("region", t.Region()))
	}
}
