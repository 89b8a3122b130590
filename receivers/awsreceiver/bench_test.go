package awsreceiver

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/internal/sim"
)

// BenchmarkPollingCost runs one simulated hour of polls with the default configuration
// (every 5 minutes, 1-minute periods) against a fleet and reports what it costs per 1,000
// series: GetMetricData and ListMetrics calls, and billed metrics per series-hour.
func BenchmarkPollingCost(b *testing.B) {
	scfg := sim.DefaultConfig()
	scfg.Fleet.Regions = []string{"us-east-1"}
	scfg.Fleet.Instances = 100
	scfg.Fleet.StoppedFraction = 0
	for b.Loop() {
		h := newHarness(b, scfg, nil)
		acct := scfg.AWS.Accounts[0].ID
		h.clk.T = simStart.Add(10 * time.Minute)
		series := map[string]bool{}
		for poll := 0; poll < 12; poll++ {
			md, err := h.poll()
			if err != nil {
				b.Fatal(err)
			}
			for k := range cloudscrapetest.Points(md) {
				if !cloudscrapetest.IsInventory(k) { // inventory and markers are not billed series
					series[k] = true
				}
			}
			h.clk.T = h.clk.T.Add(5 * time.Minute)
		}
		st := h.sim.Stats()
		per1000 := 1000 / float64(len(series))
		b.ReportMetric(float64(len(series)), "series")
		b.ReportMetric(float64(st.CallsOf(acct, "monitoring", "GetMetricData"))*per1000, "GetMetricData/1000series-h")
		b.ReportMetric(float64(st.CallsOf(acct, "monitoring", "ListMetrics"))*per1000, "ListMetrics/1000series-h")
		b.ReportMetric(float64(st.MetricsRequestedBy(acct))/float64(len(series)), "billed/series-h")
	}
}

// BenchmarkScrape10kSeries measures a steady-state poll of about 10,000 series (after a first
// poll, 5 minutes each): CPU time and bytes allocated per poll (with the in-process simulator
// answering, so upper bounds for the receiver; scripts/bench.d/aws.sh takes the simulator's
// share out with the memory profile) and the heap the receiver keeps per series.
func BenchmarkScrape10kSeries(b *testing.B) {
	scfg := sim.DefaultConfig()
	scfg.Fleet.Regions = []string{"us-east-1"}
	scfg.Fleet.Instances = 1660
	scfg.Fleet.StoppedFraction = 0
	h := newHarness(b, scfg, func(c *Config) { c.MaxBackfill = c.CollectionInterval })
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.poll()
	if err != nil {
		b.Fatal(err)
	}
	series := len(cloudscrapetest.Points(md))
	h.next.Discard = true
	b.ReportAllocs()
	for b.Loop() {
		h.clk.T = h.clk.T.Add(5 * time.Minute)
		if _, err := h.poll(); err != nil {
			b.Fatal(err)
		}
	}
	// What the receiver keeps between polls (checkpoint state, plan, inventory): the heap with
	// it, less the heap once it is gone; the simulator stays in both.
	with := heapInuse()
	if err := h.r.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
	h.r = nil
	without := heapInuse()
	b.ReportMetric(float64(series), "series")
	b.ReportMetric(float64(with-without)/float64(series), "heap-bytes/series")
}

func heapInuse() int64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapInuse)
}
