package azurereceiver

import (
	"strings"
	"testing"
	"time"

	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/internal/sim"
)

// BenchmarkPollingCost runs one simulated hour of polls with the default configuration (every
// 5 minutes, 1-minute grain) against a subscription of 100 running VMs per region and reports
// per 1,000 series-hour the metrics:getBatch calls made, the calls the per-resource ARM metrics
// API would take (one per resource and poll: computed, not made), and canonical series per
// resource.
func BenchmarkPollingCost(b *testing.B) {
	scfg := sim.DefaultConfig()
	scfg.Azure.VMs = 200
	scfg.Azure.StoppedFraction = 0
	for b.Loop() {
		h := newHarness(b, scfg, nil)
		h.clk.T = simStart.Add(10 * time.Minute)
		series, resources := map[string]bool{}, map[string]bool{}
		polls := 0
		for range 12 {
			md, err := h.loop.Poll()
			if err != nil {
				b.Fatal(err)
			}
			polls++
			for k := range cloudscrapetest.Points(md) {
				if !cloudscrapetest.IsInventory(k) {
					series[k] = true
					resources[strings.Fields(k)[0]] = true
				}
			}
			h.clk.T = h.clk.T.Add(5 * time.Minute)
		}
		sub := scfg.Azure.Subscriptions[0].ID
		calls := h.sim.Stats().MetricBatchesIn(sub, "", "").Calls
		per1000 := 1000 / float64(len(series))
		b.ReportMetric(float64(len(series)), "series")
		b.ReportMetric(float64(calls)*per1000, "batch-calls/1000series-h")
		b.ReportMetric(float64(len(resources)*polls)*per1000, "per-resource-calls/1000series-h")
		b.ReportMetric(float64(len(series))/float64(len(resources)), "series/resource")
	}
}

// BenchmarkScrape10kSeries measures a steady-state poll of about 10,000 series (9 metrics of
// 1,110 VMs): time and bytes allocated per poll, with the in-process simulator answering (so
// upper bounds for the receiver).
func BenchmarkScrape10kSeries(b *testing.B) {
	scfg := sim.DefaultConfig()
	scfg.Azure.VMs = 1110
	scfg.Azure.StoppedFraction = 0
	scfg.Azure.PostgresServers = 0
	h := newHarness(b, scfg, func(c *Config) { c.MaxBackfill = c.CollectionInterval })
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.loop.Poll()
	if err != nil {
		b.Fatal(err)
	}
	series := 0
	for k := range cloudscrapetest.Points(md) {
		if !cloudscrapetest.IsInventory(k) {
			series++
		}
	}
	h.loop.Next.Discard = true
	b.ReportAllocs()
	for b.Loop() {
		h.clk.T = h.clk.T.Add(5 * time.Minute)
		if _, err := h.loop.Poll(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(series), "series")
}
