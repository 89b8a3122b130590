package cloudscrape

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
)

// Receiver is a cloud receiver: the one loop that drives a Provider. At every collection
// interval it polls each target (the targets of one account max_concurrency at a time, accounts
// in parallel) and hands each target's points to the next consumer on their own; a target's
// checkpoint advances only once the consumer has accepted them.
type Receiver struct {
	cfg   *Config
	set   receiver.Settings
	prov  Provider
	next  consumer.Metrics
	scope string
	now   func() time.Time

	obs *receiverhelper.ObsReport
	tel *Telemetry

	store   *Store
	targets []*target
	listed  bool // targets listed: at the first poll that could

	mu       sync.Mutex
	budgets  map[string]*Limiter
	deferred map[string]bool   // accounts whose last poll was deferred, to log only changes
	failing  map[string]string // target key -> reason, to log only changes

	lastStatus LastStatus
	cancel     context.CancelFunc
	done       chan struct{}
}

// target is a provider's target with what the loop caches for it between polls.
type target struct {
	Target
	inv    *Inventory
	invAt  time.Time
	plan   *Plan
	planAt time.Time
}

// Option changes a Receiver.
type Option func(*Receiver)

// WithClock replaces the wall clock, for tests that drive polls through simulated time.
func WithClock(now func() time.Time) Option { return func(r *Receiver) { r.now = now } }

// NewReceiver returns the loop for prov. scope names the instrumentation scope of the emitted
// metrics (the receiver's package).
func NewReceiver(cfg *Config, set receiver.Settings, prov Provider, next consumer.Metrics, scope string, opts ...Option) (*Receiver, error) {
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "https", ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	tel, err := NewTelemetry(set.TelemetrySettings, prov.Name())
	if err != nil {
		return nil, err
	}
	r := &Receiver{
		cfg: cfg, set: set, prov: prov, next: next, scope: scope, now: time.Now,
		obs: obs, tel: tel,
		budgets: map[string]*Limiter{}, deferred: map[string]bool{}, failing: map[string]string{},
	}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// Telemetry is the loop's self-metrics, which the provider's targets record API calls in.
func (r *Receiver) Telemetry() *Telemetry { return r.tel }

// Start opens the checkpoint storage, lists the targets this replica owns and, unless
// background is false (tests), starts polling.
func (r *Receiver) Start(ctx context.Context, host component.Host) error {
	if err := r.Init(ctx, host); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan struct{})
	go r.run(runCtx)
	return nil
}

// Init does what Start does but start polling: tests call Poll themselves.
func (r *Receiver) Init(ctx context.Context, host component.Host) error {
	client, err := r.storageClient(ctx, host)
	if err != nil {
		return err
	}
	r.store = NewStore(client)
	r.set.Logger.Info("Cloud receiver started", zap.String("provider", r.prov.Name()), zap.Bool("checkpoints", client != nil))
	return nil
}

// listTargets lists the provider's targets once, at the first poll that can: listing may call
// the cloud (every subscription an identity can see), which must not fail the collector's start.
func (r *Receiver) listTargets(ctx context.Context, report *Report) error {
	if r.listed {
		return nil
	}
	ts, err := r.prov.Targets(ctx, r.tel)
	if err != nil {
		_, code := r.prov.Classify(err)
		report.Status("", StatusFailed, code)
		r.set.Logger.Error("Listing targets failed; the next poll tries again", zap.String("provider", r.prov.Name()), zap.Error(err))
		return fmt.Errorf("list targets: %w", err)
	}
	for _, t := range ts {
		if r.cfg.Shard.Owns(t.Key()) {
			r.targets = append(r.targets, &target{Target: t})
		}
	}
	r.listed = true
	r.set.Logger.Info("Targets listed", zap.String("provider", r.prov.Name()),
		zap.Int("targets", len(r.targets)), zap.Int("all_targets", len(ts)))
	return nil
}

func (r *Receiver) storageClient(ctx context.Context, host component.Host) (storage.Client, error) {
	if r.cfg.Storage == nil {
		return nil, nil
	}
	ext, ok := host.GetExtensions()[*r.cfg.Storage]
	if !ok {
		return nil, fmt.Errorf("`storage`: extension %q not found", r.cfg.Storage)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("`storage`: extension %q is not a storage extension", r.cfg.Storage)
	}
	client, err := se.GetClient(ctx, component.KindReceiver, r.set.ID, "")
	if err != nil {
		return nil, fmt.Errorf("`storage`: %w", err)
	}
	return client, nil
}

func (r *Receiver) run(ctx context.Context) {
	defer close(r.done)
	select {
	case <-ctx.Done():
		return
	case <-time.After(r.cfg.InitialDelay):
	}
	tick := time.NewTicker(r.cfg.CollectionInterval)
	defer tick.Stop()
	for {
		// A failing poll has logged and counted its failures; the next tick retries.
		_ = r.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Shutdown stops polling, waits for a running poll to end and closes the storage.
func (r *Receiver) Shutdown(ctx context.Context) error {
	if r.cancel != nil {
		r.cancel()
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.tel.Shutdown()
	// A provider holding connections (gRPC) closes them.
	if c, ok := r.prov.(interface{ Close() error }); ok {
		if err := c.Close(); err != nil {
			r.set.Logger.Warn("Closing the provider's clients failed", zap.Error(err))
		}
	}
	if r.store == nil {
		return nil
	}
	return r.store.Close(ctx)
}

// Poll polls every target once, then emits the inventory and collection status. A failing
// target is reported in the status and in the returned error, and never stops the others.
func (r *Receiver) Poll(ctx context.Context) error {
	now := r.now()
	report := NewReport(r.prov.Name())
	if err := r.listTargets(ctx, report); err != nil {
		md := pmetric.NewMetrics()
		report.AppendTo(md, stamp(now), &r.lastStatus)
		return errors.Join(err, r.consume(ctx, md))
	}
	byAccount := map[string][]*target{}
	var order []string
	for _, t := range r.targets {
		if _, ok := byAccount[t.Account()]; !ok {
			order = append(order, t.Account())
		}
		byAccount[t.Account()] = append(byAccount[t.Account()], t)
	}
	var (
		mu   sync.Mutex
		errs []error
		g    errgroup.Group
	)
	for _, account := range order {
		g.Go(func() error {
			var ag errgroup.Group
			ag.SetLimit(r.cfg.MaxConcurrency)
			for _, t := range byAccount[account] {
				ag.Go(func() error {
					if err := r.pollTarget(ctx, t, now, report); err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("target %s: %w", t.Key(), err))
						mu.Unlock()
					}
					return nil
				})
			}
			return ag.Wait()
		})
	}
	_ = g.Wait()
	md := pmetric.NewMetrics()
	report.AppendTo(md, stamp(now), &r.lastStatus)
	if err := r.consume(ctx, md); err != nil {
		errs = append(errs, fmt.Errorf("collection status: %w", err))
	}
	return errors.Join(errs...)
}

// consume hands md to the next consumer, recorded as the receiver's accepted or refused points.
func (r *Receiver) consume(ctx context.Context, md pmetric.Metrics) error {
	n := md.DataPointCount()
	if n == 0 {
		return nil
	}
	ctx = r.obs.StartMetricsOp(ctx)
	err := r.next.ConsumeMetrics(ctx, md)
	r.obs.EndMetricsOp(ctx, r.prov.Name(), n, err)
	return err
}
