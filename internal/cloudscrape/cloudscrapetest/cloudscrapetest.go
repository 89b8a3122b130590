// Package cloudscrapetest is what every cloud receiver's tests need: a settable clock, a loop
// started against a provider with file-backed checkpoints, a consumer that can refuse, and
// readers of the emitted points and of the loop's self-metrics.
package cloudscrapetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/pmetrictest"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// Clock is a settable time, shared by a simulator and the loop.
type Clock struct{ T time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.T }

// Consumer refuses the next Refuse batches, then takes them into Sink (or drops them when
// Discard is set: benchmarks measure the receiver, not a sink holding its output).
type Consumer struct {
	Sink    consumertest.MetricsSink
	mu      sync.Mutex
	Refuse  int
	Discard bool
}

// Capabilities says the consumer does not mutate.
func (c *Consumer) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

// ConsumeMetrics refuses or takes md.
func (c *Consumer) ConsumeMetrics(ctx context.Context, md pmetric.Metrics) error {
	c.mu.Lock()
	if c.Refuse > 0 {
		c.Refuse--
		c.mu.Unlock()
		return errors.New("refused: memory limit")
	}
	c.mu.Unlock()
	if c.Discard {
		return nil
	}
	return c.Sink.ConsumeMetrics(ctx, md)
}

// Loop is a receiver's loop under test.
type Loop struct {
	R    *cloudscrape.Receiver
	Next *Consumer
}

// Start initializes the loop of a receiver of type typ over prov, with checkpoints in dir (the
// same dir after Shutdown is a restart) and telemetry in tel, on clock.
func Start(t testing.TB, typ component.Type, cfg *cloudscrape.Config, prov cloudscrape.Provider, scope string,
	clock *Clock, tel *componenttest.Telemetry, dir string,
) *Loop {
	t.Helper()
	id := storagetest.NewStorageID("checkpoints")
	cfg.Storage = &id
	set := receivertest.NewNopSettings(typ)
	set.ID = component.NewID(typ) // the same after a restart: checkpoints are per receiver
	set.TelemetrySettings = tel.NewTelemetrySettings()
	next := &Consumer{}
	r, err := cloudscrape.NewReceiver(cfg, set, prov, next, scope, cloudscrape.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Init(context.Background(), storagetest.NewStorageHost().WithFileBackedStorageExtension("checkpoints", dir)); err != nil {
		t.Fatal(err)
	}
	return &Loop{R: r, Next: next}
}

// Poll runs one poll and returns everything the loop handed to the consumer, in one batch.
func (l *Loop) Poll() (pmetric.Metrics, error) {
	l.Next.Sink.Reset()
	err := l.R.Poll(context.Background())
	md := pmetric.NewMetrics()
	for _, m := range l.Next.Sink.AllMetrics() {
		m.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	}
	return md, err
}

// Points returns, per series (resource host.id, metric name, data point attributes), the
// timestamps (Unix ms) emitted in md.
func Points(md pmetric.Metrics) map[string][]int64 {
	out := map[string][]int64{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		host, _ := rms.At(i).Resource().Attributes().Get("host.id")
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				var dps pmetric.NumberDataPointSlice
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					dps = m.Gauge().DataPoints()
				case pmetric.MetricTypeSum:
					dps = m.Sum().DataPoints()
				default:
					continue
				}
				for l := 0; l < dps.Len(); l++ {
					key := host.Str() + " " + m.Name() + " " + attrString(dps.At(l).Attributes().AsRaw())
					out[key] = append(out[key], dps.At(l).Timestamp().AsTime().UnixMilli())
				}
			}
		}
	}
	return out
}

func attrString(m map[string]any) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// IsInventory tells whether a Points key is an inventory gauge or a marker, stamped at poll
// time, rather than a series of the cloud's.
func IsInventory(key string) bool { return strings.Contains(key, " mcobs.") }

// CollectionStatus returns each account's collection state as "state:reason".
func CollectionStatus(md pmetric.Metrics) map[string]string {
	out := map[string]string{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for k := 0; k < ms.Len(); k++ {
			if ms.At(k).Name() != cloudscrape.MetricCollectionStatus {
				continue
			}
			dps := ms.At(k).Gauge().DataPoints()
			for l := 0; l < dps.Len(); l++ {
				a := dps.At(l).Attributes()
				acct, _ := a.Get("cloud.account.id")
				st, _ := a.Get("state")
				rs, _ := a.Get("reason")
				if dps.At(l).IntValue() == 1 {
					out[acct.Str()] = st.Str() + ":" + rs.Str()
				}
			}
		}
	}
	return out
}

// SelfMetric returns the points of a self-metric (a sum or a gauge) keyed by their attributes
// ("k=v,k=v" sorted); none when nothing was recorded yet.
func SelfMetric(t testing.TB, tel *componenttest.Telemetry, name string) map[string]float64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return map[string]float64{}
	}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		return byAttrs(d.DataPoints)
	case metricdata.Sum[float64]:
		return byAttrs(d.DataPoints)
	case metricdata.Gauge[int64]:
		return byAttrs(d.DataPoints)
	case metricdata.Gauge[float64]:
		return byAttrs(d.DataPoints)
	}
	t.Fatalf("%s is a %T", name, m.Data)
	return nil
}

// RequestsWithOutcome sums the API requests counted with outcome (ok, throttled, auth,
// error, timeout) over every service, operation and account.
func RequestsWithOutcome(t testing.TB, tel *componenttest.Telemetry, outcome string) float64 {
	t.Helper()
	n := 0.0
	for k, v := range SelfMetric(t, tel, cloudscrape.MetricAPIRequests) {
		if strings.Contains(","+k+",", ",outcome="+outcome+",") {
			n += v
		}
	}
	return n
}

// SeriesCount is the number of the cloud's series in md (inventory gauges and markers left out).
func SeriesCount(md pmetric.Metrics) int {
	n := 0
	for k := range Points(md) {
		if !IsInventory(k) {
			n++
		}
	}
	return n
}

func byAttrs[N int64 | float64](dps []metricdata.DataPoint[N]) map[string]float64 {
	out := make(map[string]float64, len(dps))
	for _, dp := range dps {
		out[attrKey(dp.Attributes)] = float64(dp.Value)
	}
	return out
}

func attrKey(s attribute.Set) string {
	parts := make([]string, 0, s.Len())
	for _, kv := range s.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.Emit())
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// AssertContinues checks that every series of before goes on in after exactly one period
// after its last point: no gap, no duplicate.
func AssertContinues(t testing.TB, before, after map[string][]int64, period time.Duration) {
	t.Helper()
	checked := 0
	for key, ts1 := range before {
		if IsInventory(key) {
			continue
		}
		ts2, ok := after[key]
		if !ok {
			t.Errorf("%s: no points after the restart", key)
			continue
		}
		if ts2[0] != ts1[len(ts1)-1]+period.Milliseconds() {
			t.Errorf("%s: last point before restart %d, first after %d: want exactly one period later", key, ts1[len(ts1)-1], ts2[0])
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no series to compare")
	}
}

// CompareGolden compares md with the golden file at path, ignoring timestamps (golden files
// normalize them; the restart tests check them) and the order of resources, scopes, metrics and
// points. Regenerate a file with golden.WriteMetrics after a deliberate change.
func CompareGolden(t testing.TB, path string, md pmetric.Metrics) {
	t.Helper()
	want, err := golden.ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := pmetrictest.CompareMetrics(want, md,
		pmetrictest.IgnoreTimestamp(), pmetrictest.IgnoreStartTimestamp(),
		pmetrictest.IgnoreResourceMetricsOrder(), pmetrictest.IgnoreMetricsOrder(),
		pmetrictest.IgnoreMetricDataPointsOrder(), pmetrictest.IgnoreScopeMetricsOrder()); err != nil {
		t.Fatal(err)
	}
}
