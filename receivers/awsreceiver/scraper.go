package awsreceiver

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/scraper/scrapererror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/metadata"
)

type awsScraper struct {
	cfg    *Config
	set    receiver.Settings
	logger *zap.Logger
	tb     *metadata.TelemetryBuilder
	now    func() time.Time

	window  cloudscrape.Window
	store   *cloudscrape.Store
	targets []*target

	mu       sync.Mutex
	budgets  map[string]*cloudscrape.Limiter
	deferred map[string]bool // accounts whose last poll was deferred, to log only changes
	failing  map[string]string

	lastStatus cloudscrape.LastStatus
}

func newScraper(cfg *Config, set receiver.Settings) (*awsScraper, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &awsScraper{
		cfg:      cfg,
		set:      set,
		logger:   set.Logger,
		tb:       tb,
		now:      time.Now,
		window:   cloudscrape.Window{Period: cfg.Period, Delay: cfg.Delay, MaxBackfill: cfg.MaxBackfill},
		budgets:  map[string]*cloudscrape.Limiter{},
		deferred: map[string]bool{},
		failing:  map[string]string{},
	}, nil
}

func (s *awsScraper) start(ctx context.Context, host component.Host) error {
	base, err := s.baseConfig(ctx)
	if err != nil {
		return err
	}
	s.targets = s.buildTargets(base)
	var client storage.Client
	if s.cfg.Storage != nil {
		ext, ok := host.GetExtensions()[*s.cfg.Storage]
		if !ok {
			return fmt.Errorf("`storage`: extension %q not found", s.cfg.Storage)
		}
		se, ok := ext.(storage.Extension)
		if !ok {
			return fmt.Errorf("`storage`: extension %q is not a storage extension", s.cfg.Storage)
		}
		if client, err = se.GetClient(ctx, component.KindReceiver, s.set.ID, ""); err != nil {
			return fmt.Errorf("`storage`: %w", err)
		}
	}
	s.store = cloudscrape.NewStore(client)
	s.logger.Info("AWS receiver started", zap.Int("targets", len(s.targets)), zap.Strings("regions", s.cfg.Regions),
		zap.Int("accounts", max(1, len(s.cfg.Accounts))), zap.Bool("checkpoints", client != nil))
	return nil
}

func (s *awsScraper) shutdown(ctx context.Context) error {
	s.tb.Shutdown()
	if s.store == nil {
		return nil
	}
	return s.store.Close(ctx)
}

// scrape polls every target; a failing target is reported in the collection status and as a
// partial scrape error, never stops the others.
func (s *awsScraper) scrape(ctx context.Context) (pmetric.Metrics, error) {
	now := s.now()
	md := pmetric.NewMetrics()
	report := cloudscrape.NewReport(canonical.ProviderAWS)
	var (
		mu   sync.Mutex
		errs scrapererror.ScrapeErrors
	)
	byAccount := map[string][]*target{}
	for _, t := range s.targets {
		byAccount[t.account] = append(byAccount[t.account], t)
	}
	var g errgroup.Group
	for _, ts := range byAccount {
		g.Go(func() error {
			var ag errgroup.Group
			ag.SetLimit(s.cfg.MaxConcurrency)
			for _, t := range ts {
				ag.Go(func() error {
					part := pmetric.NewMetrics()
					points, err := s.collect(ctx, t, now, part, report, &mu)
					mu.Lock()
					defer mu.Unlock()
					part.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
					if err != nil {
						errs.AddPartial(max(points, 1), fmt.Errorf("account %s region %s: %w", t.account, t.region, err))
					}
					return nil
				})
			}
			return ag.Wait()
		})
	}
	_ = g.Wait()
	report.AppendTo(md, pcommon.NewTimestampFromTime(now), &s.lastStatus)
	return md, errs.Combine()
}

// collect polls one target into md and records its inventory and status in report.
func (s *awsScraper) collect(ctx context.Context, t *target, now time.Time, md pmetric.Metrics, report *cloudscrape.Report, mu *sync.Mutex) (int, error) {
	fail := func(err error) (int, error) {
		mu.Lock()
		report.Status(t.account, cloudscrape.StatusFailed, reason(err))
		mu.Unlock()
		s.logFailure(t, err)
		return 0, err
	}
	if t.account == "" {
		out, err := t.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return fail(fmt.Errorf("STS GetCallerIdentity: %w", err))
		}
		t.account = aws.ToString(out.Account)
	}
	inv, err := s.collectInventory(ctx, t)
	if err != nil {
		return fail(err)
	}
	mu.Lock()
	for _, r := range inv.resources {
		if r.platform == canonical.PlatformAWSEC2 {
			report.Instance(t.account, t.region, normalizeState(r.state))
		}
	}
	mu.Unlock()
	allowed, err := s.allowedByTags(ctx, t)
	if err != nil {
		return fail(err)
	}
	discovered, err := s.discover(ctx, t, now)
	if err != nil {
		return fail(err)
	}
	e := newEmitter(md, t)
	emitVPCs(e, inv, now)
	emitUnsupported(e, inv, discovered, allowed, now)

	state, err := s.store.Load(ctx, t.key())
	if err != nil {
		s.logger.Warn("Ignoring unreadable checkpoint", zap.String("target", t.key()), zap.Error(err))
	}
	start, end, ok := s.window.Range(now, state.LastEnd, s.cfg.CollectionInterval)
	qs := s.plan(discovered, inv, allowed)
	if !ok || len(qs) == 0 {
		mu.Lock()
		report.Status(t.account, cloudscrape.StatusSuccess, "")
		mu.Unlock()
		return 0, nil
	}
	if !s.allow(t.account, now, len(qs)) {
		s.tb.ReceiverAwsPollsDeferred.Add(ctx, 1, metric.WithAttributes(attribute.String("cloud.account.id", t.account)))
		mu.Lock()
		report.Status(t.account, cloudscrape.StatusSuccess, "poll deferred: budget")
		mu.Unlock()
		return 0, nil
	}
	results, fetchErr := s.fetch(ctx, t, qs, start, end)
	emitted, dups := 0, 0
	for i, q := range qs {
		r := inv.resources[q.resourceID]
		if r == nil {
			r = &resource{}
		}
		n, d := e.emit(state, q, r, results[i], s.cfg.Period.Seconds())
		emitted, dups = emitted+n, dups+d
	}
	if dups > 0 {
		s.tb.ReceiverAwsPointsDuplicate.Add(ctx, int64(dups), metric.WithAttributes(attribute.String("cloud.account.id", t.account)))
	}
	if fetchErr != nil {
		// Points already emitted are in the state; the range is not completed, so the next
		// poll asks again and emits only what is missing.
		_ = s.store.Save(ctx, t.key(), state)
		return fail(fetchErr)
	}
	state.Complete(end)
	state.Forget(end.Add(-s.cfg.MaxBackfill - s.cfg.DiscoveryInterval))
	if err := s.store.Save(ctx, t.key(), state); err != nil {
		s.logger.Warn("Checkpoint not saved", zap.String("target", t.key()), zap.Error(err))
	}
	mu.Lock()
	report.Status(t.account, cloudscrape.StatusSuccess, "")
	mu.Unlock()
	s.recovered(t)
	return emitted, nil
}

// allow spends the account's budget for n metrics, logging when deferral starts or stops.
func (s *awsScraper) allow(account string, now time.Time, n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.budgets[account]
	if !ok {
		l = s.cfg.Budget.NewLimiter()
		s.budgets[account] = l
	}
	allowed := l.Allow(now, n)
	if allowed == s.deferred[account] {
		if allowed {
			s.logger.Info("Budget allows polling again", zap.String("account", account))
		} else {
			s.logger.Warn("Budget exhausted: deferring polls, the next one backfills the gap",
				zap.String("account", account), zap.Int("billed_units", n), zap.Float64("budget_per_hour", s.cfg.Budget.BilledUnitsPerHour))
		}
	}
	s.deferred[account] = !allowed
	return allowed
}

// logFailure logs a target's failure when its reason changes, not at every poll.
func (s *awsScraper) logFailure(t *target, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := reason(err)
	if s.failing[t.key()] != r {
		s.failing[t.key()] = r
		s.logger.Error("Collection failing", zap.String("account", t.account), zap.String("region", t.region), zap.Error(err))
	}
}

func (s *awsScraper) recovered(t *target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.failing[t.key()]; ok {
		delete(s.failing, t.key())
		s.logger.Info("Collection recovered", zap.String("account", t.account), zap.String("region", t.region))
	}
}

// reason is the short cause shown in the collection status: the AWS error code when there is
// one (AccessDenied, ExpiredToken, Throttling), else the error.
func reason(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return err.Error()
}

// emitVPCs writes the VPC inventory of a target.
func emitVPCs(e *emitter, inv *inventory, now time.Time) {
	if len(inv.vpcs) == 0 {
		return
	}
	ts := pcommon.NewTimestampFromTime(now)
	none := &resource{}
	state := e.metric(none, "mcobs.vpc.state", "", "1 for each VPC, with its state.", false)
	ips := e.metric(none, "mcobs.vpc.subnet.available_ip_addresses", "{address}", "Available IP addresses per subnet.", false)
	routes := e.metric(none, "mcobs.vpc.routes", "{route}", "Routes over all route tables of a VPC.", false)
	for _, v := range inv.vpcs {
		dp := state.Gauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetIntValue(1)
		dp.Attributes().PutStr("vpc.id", v.id)
		dp.Attributes().PutStr("state", v.state)
		dp = routes.Gauge().DataPoints().AppendEmpty()
		dp.SetTimestamp(ts)
		dp.SetIntValue(int64(v.routes))
		dp.Attributes().PutStr("vpc.id", v.id)
		for _, sn := range v.subnets {
			dp = ips.Gauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(ts)
			dp.SetIntValue(int64(sn.available))
			dp.Attributes().PutStr("vpc.id", v.id)
			dp.Attributes().PutStr("subnet.id", sn.id)
			dp.Attributes().PutStr(canonical.AttrCloudAZ, sn.az)
		}
	}
}

// emitUnsupported marks, for every running instance, the canonical metrics its platform cannot
// give without an agent it does not run: the metric stays absent, the marker says why.
func emitUnsupported(e *emitter, inv *inventory, discovered []cwtypes.Metric, allowed map[string]bool, now time.Time) {
	hasAgent := map[string]bool{}
	for _, m := range discovered {
		if aws.ToString(m.Namespace) == "CWAgent" {
			hasAgent[resourceOf(m)] = true
		}
	}
	ids := make([]string, 0, len(inv.resources))
	for id := range inv.resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	ts := pcommon.NewTimestampFromTime(now)
	for _, id := range ids {
		r := inv.resources[id]
		if normalizeState(r.state) != cloudscrape.InstanceRunning || (allowed != nil && !allowed[id]) {
			continue
		}
		for _, u := range canonical.AWS.Unsupported {
			if u.Platform != r.platform || (u.UnlessAgent == canonical.AgentCloudWatch && hasAgent[id]) {
				continue
			}
			m := e.metric(r, canonical.Unsupported.Name, canonical.Unsupported.Unit, canonical.Unsupported.Description, false)
			dp := m.Gauge().DataPoints().AppendEmpty()
			dp.SetTimestamp(ts)
			dp.SetIntValue(1)
			dp.Attributes().PutStr(canonical.AttrUnsupportedMetric, u.Metric.Name)
			dp.Attributes().PutStr(canonical.AttrUnsupportedReason, u.Reason)
		}
	}
}
