package cloudscrape

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func TestWindowRange(t *testing.T) {
	w := Window{Period: time.Minute, Delay: 3 * time.Minute, MaxBackfill: time.Hour}
	f := func(now, lastEnd time.Time, wantStart, wantEnd time.Time, wantOK bool) {
		t.Helper()
		s, e, ok := w.Range(now, lastEnd)
		if !s.Equal(wantStart) || !e.Equal(wantEnd) || ok != wantOK {
			t.Errorf("Range(%s, %s) = [%s, %s) %v, want [%s, %s) %v", now.Format(time.TimeOnly), lastEnd.Format(time.TimeOnly),
				s.Format(time.TimeOnly), e.Format(time.TimeOnly), ok, wantStart.Format(time.TimeOnly), wantEnd.Format(time.TimeOnly), wantOK)
		}
	}
	// First poll without a checkpoint: MaxBackfill ending Delay ago, aligned to the period.
	f(t0.Add(30*time.Second), time.Time{}, t0.Add(-63*time.Minute), t0.Add(-3*time.Minute), true)
	// Next poll continues exactly where the last ended.
	f(t0.Add(5*time.Minute), t0.Add(-3*time.Minute), t0.Add(-3*time.Minute), t0.Add(2*time.Minute), true)
	// After a long gap the backfill stops at MaxBackfill.
	f(t0.Add(3*time.Hour), t0, t0.Add(2*time.Hour-3*time.Minute), t0.Add(3*time.Hour-3*time.Minute), true)
	// Nothing new has settled yet.
	f(t0.Add(3*time.Minute+10*time.Second), t0, t0, t0, false)
}

func TestWindowValidateNamesKey(t *testing.T) {
	err := Window{Period: time.Minute, MaxBackfill: time.Second}.Validate()
	if err == nil || err.Error() != "`max_backfill` must be at least `period` (1m0s), got \"1s\"" {
		t.Fatalf("Validate() = %v", err)
	}
}

func TestStateAcceptOncePerPoint(t *testing.T) {
	s := NewState()
	f := func(key string, ts time.Time, v float64, counter, wantOK bool, want float64) {
		t.Helper()
		got, _, ok := s.Accept(key, ts, v, counter)
		if ok != wantOK || (ok && got != want) {
			t.Errorf("Accept(%s, %s, %v) = %v %v, want %v %v", key, ts.Format(time.TimeOnly), v, got, ok, want, wantOK)
		}
	}
	// A gauge is emitted as it is, once.
	f("cpu", t0, 0.5, false, true, 0.5)
	f("cpu", t0, 0.5, false, false, 0)
	f("cpu", t0.Add(-time.Minute), 0.4, false, false, 0)
	f("cpu", t0.Add(time.Minute), 0.6, false, true, 0.6)
	// A counter integrates per-period amounts; a replayed period adds nothing.
	f("net", t0, 100, true, true, 100)
	f("net", t0.Add(time.Minute), 50, true, true, 150)
	f("net", t0.Add(time.Minute), 50, true, false, 0)
	f("net", t0.Add(2*time.Minute), 0, true, true, 150)
}

func TestStoreRoundTripAndCorruption(t *testing.T) {
	ctx := context.Background()
	client := storagetest.NewInMemoryClient(component.KindReceiver, component.MustNewID("aws"), "")
	st := NewStore(client)
	s, err := st.Load(ctx, "123/eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	s.Accept("net", t0, 10, true)
	s.Accept("net", t0.Add(time.Minute), 5, true)
	s.Commit(t0.Add(2 * time.Minute))
	if err := st.Save(ctx, "123/eu-west-1", s); err != nil {
		t.Fatal(err)
	}

	// A new store over the same storage (a restart) continues where the old one stopped.
	restored, err := NewStore(client).Load(ctx, "123/eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if !restored.LastEnd.Equal(t0.Add(2 * time.Minute)) {
		t.Errorf("LastEnd = %s", restored.LastEnd)
	}
	if _, _, ok := restored.Accept("net", t0.Add(time.Minute), 5, true); ok {
		t.Error("restored state accepted a point emitted before the restart")
	}
	if v, _, ok := restored.Accept("net", t0.Add(2*time.Minute), 1, true); !ok || v != 16 {
		t.Errorf("restored counter continued at %v %v, want 16", v, ok)
	}

	// A corrupt checkpoint is reported and replaced by an empty state, not a failure.
	if err := client.Set(ctx, key("bad"), []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	s, err = NewStore(client).Load(ctx, "bad")
	if !errors.Is(err, ErrCorruptCheckpoint) || s == nil || len(s.Series) != 0 {
		t.Fatalf("Load(corrupt) = %v, %v", s, err)
	}
}

func TestShardSplitsTargetsExactlyOnce(t *testing.T) {
	const replicas = 3
	owners := map[string]int{}
	for i := 0; i < 200; i++ {
		target := fmt.Sprintf("%012d/region-%d", i*7919, i%5)
		for r := 0; r < replicas; r++ {
			if (Shard{Index: r, Count: replicas}).Owns(target) {
				owners[target]++
			}
		}
	}
	for target, n := range owners {
		if n != 1 {
			t.Errorf("%s polled by %d replicas", target, n)
		}
	}
	if len(owners) != 200 {
		t.Errorf("%d of 200 targets have an owner", len(owners))
	}
	if err := (Shard{Index: 3, Count: 3}).Validate(); err == nil {
		t.Error("Validate accepted index 3 of 3")
	}
}

func TestBudgetDefersAndRefills(t *testing.T) {
	l := Budget{BilledUnitsPerHour: 600}.NewLimiter()
	if !l.Allow(t0, 500) {
		t.Fatal("first poll within budget refused")
	}
	if l.Allow(t0.Add(time.Minute), 500) {
		t.Fatal("second poll allowed although 100 + 10 units remain")
	}
	// 600/h refills 10 units a minute: after 40 more minutes 500 are there again.
	if !l.Allow(t0.Add(41*time.Minute), 500) {
		t.Fatal("poll refused after the budget refilled")
	}
	if (Budget{}).NewLimiter().Allow(t0, 1<<30) != true {
		t.Fatal("no budget must allow everything")
	}
}

func TestReportMetrics(t *testing.T) {
	r := NewReport("aws")
	r.Instance("111", "eu-west-1", "aws_ec2", "running")
	r.Instance("111", "eu-west-1", "aws_ec2", "running")
	r.Instance("111", "eu-west-1", "aws_ec2", "stopped")
	r.Status("111", StatusSuccess, "")
	r.Status("222", StatusFailed, "AccessDenied")
	r.Status("222", StatusSuccess, "")
	md := pmetric.NewMetrics()
	r.AppendTo(md, pcommon.NewTimestampFromTime(t0), nil)
	ms := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	inv := ms.At(0).Gauge().DataPoints()
	// Sorted by account, region, state: other (0, reported so a count that fell to zero reads
	// 0), running, stopped.
	if inv.Len() != 3 || inv.At(0).IntValue() != 0 || inv.At(1).IntValue() != 2 || inv.At(2).IntValue() != 1 {
		t.Fatalf("inventory has %d points: %d, %d, %d; want other 0, running 2, stopped 1",
			inv.Len(), inv.At(0).IntValue(), inv.At(1).IntValue(), inv.At(2).IntValue())
	}
	st := ms.At(1).Gauge().DataPoints()
	state, _ := st.At(1).Attributes().Get("state")
	if st.Len() != 2 || state.Str() != StatusFailed {
		t.Fatalf("status of 222 = %q, want failed to win over a later success", state.Str())
	}
}

// TestReportZeroesALeftState: an account that recovers reports its old failed state once with 0,
// so a last_over_time alert on it resolves at the next poll; an unchanged state adds nothing.
func TestReportZeroesALeftState(t *testing.T) {
	var last LastStatus
	poll := func(state, reason string) map[string]int64 {
		t.Helper()
		r := NewReport("aws")
		r.Status("111", state, reason)
		md := pmetric.NewMetrics()
		r.AppendTo(md, pcommon.NewTimestampFromTime(t0), &last)
		dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(1).Gauge().DataPoints()
		got := map[string]int64{}
		for i := 0; i < dps.Len(); i++ {
			st, _ := dps.At(i).Attributes().Get("state")
			rs, _ := dps.At(i).Attributes().Get("reason")
			got[st.Str()+"/"+rs.Str()] = dps.At(i).IntValue()
		}
		return got
	}
	f := func(state, reason string, want map[string]int64) {
		t.Helper()
		if got := poll(state, reason); !maps.Equal(got, want) {
			t.Errorf("poll %s/%s: status points %v, want %v", state, reason, got, want)
		}
	}
	// First report: nothing to zero.
	f(StatusFailed, "AccessDenied", map[string]int64{"failed/AccessDenied": 1})
	// Same state again: still one point.
	f(StatusFailed, "AccessDenied", map[string]int64{"failed/AccessDenied": 1})
	// Another reason is another series: the old one is zeroed.
	f(StatusFailed, "Throttling", map[string]int64{"failed/Throttling": 1, "failed/AccessDenied": 0})
	// Recovered: the failed series is zeroed once, then only success remains.
	f(StatusSuccess, "", map[string]int64{"success/": 1, "failed/Throttling": 0})
	f(StatusSuccess, "", map[string]int64{"success/": 1})
}
