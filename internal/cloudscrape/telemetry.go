package cloudscrape

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The self-metrics every cloud receiver reports, under one set of names so the rules and
// dashboards read them once for all clouds. They are declared here by hand, not by mdatagen in
// each receiver's metadata.yaml: generated per component they would carry its type in their
// names (otelcol_receiver_aws_*), which is what this set replaces.
const (
	MetricAPIRequests     = "otelcol_receiver_cloud_api_requests"
	MetricBilledUnits     = "otelcol_receiver_cloud_billed_units"
	MetricEstimatedCost   = "otelcol_receiver_cloud_estimated_cost"
	MetricWindows         = "otelcol_receiver_cloud_windows"
	MetricPointsDuplicate = "otelcol_receiver_cloud_points_duplicate"
	MetricSeries          = "otelcol_receiver_cloud_series"
	MetricLastSuccess     = "otelcol_receiver_cloud_last_success"
	MetricQuotaRemaining  = "otelcol_receiver_cloud_quota_remaining"
)

// Window outcomes of MetricWindows.
const (
	WindowCompleted = "completed"
	WindowDeferred  = "deferred"
	WindowFailed    = "failed"
)

// Telemetry records the loop's self-metrics for one provider. Providers record their API
// requests and billed units through it, from wherever their SDK lets them observe a call.
type Telemetry struct {
	provider attribute.KeyValue

	requests  metric.Int64Counter
	billed    metric.Int64Counter
	cost      metric.Float64Counter
	windows   metric.Int64Counter
	dups      metric.Int64Counter
	series    metric.Int64ObservableGauge
	lastOK    metric.Float64ObservableGauge
	quota     metric.Int64ObservableGauge
	reg       metric.Registration
	mu        sync.Mutex
	gauges    map[[2]string]gaugeValues // account, region
	quotas    map[[2]string]int64       // account, quota
	unregOnce sync.Once
}

type gaugeValues struct {
	series int64
	lastOK time.Time
}

// NewTelemetry creates the instruments of provider's loop.
func NewTelemetry(set component.TelemetrySettings, provider string) (*Telemetry, error) {
	m := set.MeterProvider.Meter("github.com/mcobs/mcobs/internal/cloudscrape")
	t := &Telemetry{provider: attribute.String("provider", provider), gauges: map[[2]string]gaugeValues{}, quotas: map[[2]string]int64{}}
	var err, errs error
	t.requests, err = m.Int64Counter(MetricAPIRequests, metric.WithUnit("{request}"),
		metric.WithDescription("Cloud API requests sent, retries included, by provider, account, service, operation and outcome (ok, throttled, auth, error, timeout)."))
	errs = errors.Join(errs, err)
	t.billed, err = m.Int64Counter(MetricBilledUnits, metric.WithUnit("{unit}"),
		metric.WithDescription("Billed units of successful operations (CloudWatch GetMetricData: metrics requested), by provider, account, service and operation."))
	errs = errors.Join(errs, err)
	t.cost, err = m.Float64Counter(MetricEstimatedCost, metric.WithUnit("{USD}"),
		metric.WithDescription("Estimated cost of the billed units at list price, by provider, account, service and operation."))
	errs = errors.Join(errs, err)
	t.windows, err = m.Int64Counter(MetricWindows, metric.WithUnit("{window}"),
		metric.WithDescription("Collection windows by outcome (completed; deferred by the budget; failed, to be asked again) and backfill (true when it reached back over a gap or the first start)."))
	errs = errors.Join(errs, err)
	t.dups, err = m.Int64Counter(MetricPointsDuplicate, metric.WithUnit("{datapoint}"),
		metric.WithDescription("Data points returned again by the API (overlapping windows) and not emitted a second time."))
	errs = errors.Join(errs, err)
	t.series, err = m.Int64ObservableGauge(MetricSeries, metric.WithUnit("{series}"),
		metric.WithDescription("Series the target's last poll asked for, by provider, account and region."))
	errs = errors.Join(errs, err)
	t.lastOK, err = m.Float64ObservableGauge(MetricLastSuccess, metric.WithUnit("s"),
		metric.WithDescription("When the target last completed a window, Unix seconds, by provider, account and region."))
	errs = errors.Join(errs, err)
	t.quota, err = m.Int64ObservableGauge(MetricQuotaRemaining, metric.WithUnit("{request}"),
		metric.WithDescription("Requests the cloud says are left in a rate-limit window (ARM's x-ms-ratelimit-remaining-*), by provider, account and quota."))
	errs = errors.Join(errs, err)
	if errs != nil {
		return nil, errs
	}
	t.reg, err = m.RegisterCallback(t.observe, t.series, t.lastOK, t.quota)
	return t, err
}

func (t *Telemetry) observe(_ context.Context, o metric.Observer) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, g := range t.gauges {
		attrs := metric.WithAttributes(t.provider, attribute.String("cloud.account.id", k[0]), attribute.String("cloud.region", k[1]))
		o.ObserveInt64(t.series, g.series, attrs)
		if !g.lastOK.IsZero() {
			o.ObserveFloat64(t.lastOK, float64(g.lastOK.UnixNano())/1e9, attrs)
		}
	}
	for k, v := range t.quotas {
		o.ObserveInt64(t.quota, v, metric.WithAttributes(t.provider, attribute.String("cloud.account.id", k[0]), attribute.String("quota", k[1])))
	}
	return nil
}

// Quota records what the cloud says is left of a rate-limit quota of account.
func (t *Telemetry) Quota(account, quota string, remaining int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.quotas[[2]string{account, quota}] = remaining
}

// Shutdown stops observing the gauges.
func (t *Telemetry) Shutdown() {
	t.unregOnce.Do(func() {
		if t.reg != nil {
			_ = t.reg.Unregister()
		}
	})
}

// Request counts one API request (one attempt: a retried call counts each time).
func (t *Telemetry) Request(ctx context.Context, account, service, operation, outcome string) {
	t.requests.Add(ctx, 1, metric.WithAttributes(t.provider, attribute.String("cloud.account.id", account),
		attribute.String("service", service), attribute.String("operation", operation), attribute.String("outcome", outcome)))
}

// Bill records the billed units of a successful operation and their cost at pricePerUnit.
func (t *Telemetry) Bill(ctx context.Context, account, service, operation string, units int64, pricePerUnit float64) {
	attrs := metric.WithAttributes(t.provider, attribute.String("cloud.account.id", account),
		attribute.String("service", service), attribute.String("operation", operation))
	t.billed.Add(ctx, units, attrs)
	t.cost.Add(ctx, float64(units)*pricePerUnit, attrs)
}

func (t *Telemetry) window(ctx context.Context, account, outcome string, backfill bool) {
	t.windows.Add(ctx, 1, metric.WithAttributes(t.provider, attribute.String("cloud.account.id", account),
		attribute.String("outcome", outcome), attribute.Bool("backfill", backfill)))
}

func (t *Telemetry) duplicates(ctx context.Context, account string, n int) {
	if n > 0 {
		t.dups.Add(ctx, int64(n), metric.WithAttributes(t.provider, attribute.String("cloud.account.id", account)))
	}
}

func (t *Telemetry) polled(account, region string, series int, completed time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := [2]string{account, region}
	g := t.gauges[k]
	g.series = int64(series)
	if !completed.IsZero() {
		g.lastOK = completed
	}
	t.gauges[k] = g
}
