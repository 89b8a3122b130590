package actions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Options configure a Runner; zero values take the documented defaults.
type Options struct {
	// Now is the clock stage due times are computed and compared with (default time.Now).
	Now func() time.Time
	// Logger receives start, stop and state changes (default slog.Default()).
	Logger *slog.Logger
	// HTTPClient calls http actions (default a client without a global timeout; each action
	// has its own).
	HTTPClient *http.Client
	// MaxConcurrent bounds escalations running at the same time (default 8).
	MaxConcurrent int
	// Retention, when positive, is how long history is kept; Loop prunes older rows hourly.
	Retention time.Duration
	// BaseEnv is the environment every script starts with before MCOBS_* and its own env
	// (default: only PATH=/usr/local/bin:/usr/bin:/bin), so the runner's secrets do not leak.
	BaseEnv []string
}

// Runner schedules and runs the stages of scenarios. It is safe for concurrent use.
type Runner struct {
	cfg   *Config
	store *Store
	now   func() time.Time
	log   *slog.Logger
	http  *http.Client
	env   []string
	sem   chan struct{}
	kick  chan struct{}
	wg    sync.WaitGroup

	retention time.Duration
	lastPrune time.Time

	mu       sync.Mutex
	inflight map[string]bool // escalations with a goroutine running their stages
	errs     []error         // from stage goroutines, until Loop logs or RunDue returns them
}

// NewRunner returns a runner over a validated config and an open store. It marks stages a
// previous process left running as interrupted (they are not run again).
func NewRunner(ctx context.Context, cfg *Config, store *Store, o Options) (*Runner, error) {
	r := &Runner{
		cfg: cfg, store: store, now: o.Now, log: o.Logger, http: o.HTTPClient, env: o.BaseEnv,
		retention: o.Retention, inflight: map[string]bool{},
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.http == nil {
		r.http = &http.Client{}
	}
	if r.env == nil {
		r.env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 8
	}
	r.sem = make(chan struct{}, o.MaxConcurrent)
	r.kick = make(chan struct{}, 1)
	n, err := store.recoverInterrupted(ctx, r.now())
	if err != nil {
		return nil, err
	}
	if n > 0 {
		r.log.Warn("stages interrupted by the previous run are not run again", slog.Int64("stages", n))
	}
	return r, nil
}

// Kick asks Loop to look for due stages now.
func (r *Runner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Loop starts due stages whenever kicked and every poll interval until ctx ends, then waits
// for running stages to finish. A long script never delays other escalations' stages.
func (r *Runner) Loop(ctx context.Context, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := r.dispatch(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("starting due stages", slog.Any("error", err))
		}
		if err := r.takeErrs(); err != nil && ctx.Err() == nil {
			r.log.Error("running stages", slog.Any("error", err))
		}
		r.maybePrune(ctx)
		select {
		case <-ctx.Done():
			r.wg.Wait()
			return
		case <-t.C:
		case <-r.kick:
		}
	}
}

// maybePrune deletes history older than the retention, at most once an hour.
func (r *Runner) maybePrune(ctx context.Context) {
	now := r.now()
	if r.retention <= 0 || now.Sub(r.lastPrune) < time.Hour {
		return
	}
	r.lastPrune = now
	n, err := r.store.Prune(ctx, now.Add(-r.retention))
	switch {
	case err != nil && ctx.Err() == nil:
		r.log.Error("pruning history", slog.Any("error", err))
	case n > 0:
		r.log.Info("pruned history", slog.Int64("rows", n), slog.Duration("retention", r.retention))
	}
}

// RunDue starts every stage due at r.now() and waits until all running stages have finished;
// tests drive the runner with it instead of waiting on Loop's ticker. Do not call it while
// Loop runs.
func (r *Runner) RunDue(ctx context.Context) error {
	err := r.dispatch(ctx)
	r.wg.Wait()
	return errors.Join(err, r.takeErrs())
}

// dispatch starts one goroutine per escalation with due stages that is not already running.
// Stages of one escalation run in order; escalations run concurrently up to MaxConcurrent.
func (r *Runner) dispatch(ctx context.Context) error {
	due, err := r.store.due(ctx, r.now())
	if err != nil {
		return err
	}
	groups := map[string][]dueStage{}
	var order []string
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range due {
		if r.inflight[d.Escalation] {
			continue
		}
		if _, ok := groups[d.Escalation]; !ok {
			order = append(order, d.Escalation)
		}
		groups[d.Escalation] = append(groups[d.Escalation], d)
	}
	for _, key := range order {
		stages := groups[key]
		r.inflight[key] = true
		r.wg.Go(func() {
			r.sem <- struct{}{}
			defer func() {
				<-r.sem
				r.mu.Lock()
				delete(r.inflight, key)
				r.mu.Unlock()
			}()
			for _, d := range stages {
				ran, err := r.runStage(ctx, d)
				if err != nil {
					r.addErr(err)
				}
				if !ran {
					// Claimed elsewhere or failed: later stages must wait for their turn.
					return
				}
			}
		})
	}
	return nil
}

func (r *Runner) addErr(err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

func (r *Runner) takeErrs() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	err := errors.Join(r.errs...)
	r.errs = nil
	return err
}

// runStage claims a stage (recorded before it runs), runs its actions and records the end.
// ran reports whether the stage was claimed and finished, so the next stage may follow.
func (r *Runner) runStage(ctx context.Context, d dueStage) (ran bool, err error) {
	ok, err := r.store.claim(ctx, d.Key, r.now())
	if err != nil || !ok {
		return false, err
	}
	sc := r.cfg.Scenario(d.Scenario)
	if sc == nil || d.Index >= len(sc.Stages) {
		return false, r.store.finishStage(ctx, d.Key, StateError,
			fmt.Sprintf("scenario %q stage %d is no longer in the configuration", d.Scenario, d.Index), r.now())
	}
	st := sc.Stages[d.Index]
	r.log.Info("stage started", slog.String("scenario", sc.Name), slog.String("stage", st.Name),
		slog.String("alertname", d.Alertname), slog.String("fingerprint", d.esc.Fingerprint))
	failed := 0
	for i, a := range st.Actions {
		res := r.runAction(ctx, a, &d, st)
		res.Index = i
		if res.Status != "ok" {
			failed++
		}
		// Recorded with a fresh context: a result is worth keeping even while shutting down.
		if err := r.store.recordAction(context.WithoutCancel(ctx), res); err != nil {
			return false, err
		}
	}
	detail := fmt.Sprintf("%d action(s), %d failed", len(st.Actions), failed)
	if err := r.store.finishStage(context.WithoutCancel(ctx), d.Key, StateDone, detail, r.now()); err != nil {
		return false, err
	}
	return true, nil
}
