package azurereceiver

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/mcobs/mcobs/internal/canonical"
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
		// The first poll backfills three hours of 800 resources: more than a minute on a loaded
		// machine.
		h := newHarness(b, scfg, func(c *Config) { c.Timeout = 5 * time.Minute })
		h.clk.T = simStart.Add(10 * time.Minute)
		series, resources := map[string]bool{}, map[string]bool{}
		byType := map[string]*typeCount{}
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
			countByPlatform(md, byType)
			h.clk.T = h.clk.T.Add(5 * time.Minute)
		}
		for platform, c := range byType {
			b.ReportMetric(float64(len(c.series))/float64(len(c.resources)), "series/"+platform)
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

// typeCount is the canonical series and resources of one cloud.platform.
type typeCount struct{ series, resources map[string]bool }

// countByPlatform adds md's canonical series (not inventory) to their platform's count.
func countByPlatform(md pmetric.Metrics, byType map[string]*typeCount) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		attrs := rms.At(i).Resource().Attributes()
		platform, ok := attrs.Get(canonical.AttrCloudPlatform)
		id, _ := attrs.Get(canonical.AttrCloudResourceID)
		if !ok || id.Str() == "" {
			continue
		}
		c := byType[platform.Str()]
		if c == nil {
			c = &typeCount{series: map[string]bool{}, resources: map[string]bool{}}
			byType[platform.Str()] = c
		}
		c.resources[id.Str()] = true
		ms := rms.At(i).ScopeMetrics().At(0).Metrics()
		for j := 0; j < ms.Len(); j++ {
			m := ms.At(j)
			dps := pmetric.NewNumberDataPointSlice()
			switch m.Type() {
			case pmetric.MetricTypeGauge:
				dps = m.Gauge().DataPoints()
			case pmetric.MetricTypeSum:
				dps = m.Sum().DataPoints()
			}
			for k := 0; k < dps.Len(); k++ {
				c.series[id.Str()+" "+m.Name()+" "+fmt.Sprint(dps.At(k).Attributes().AsRaw())] = true
			}
		}
	}
}

// BenchmarkScrape10kSeries measures a steady-state poll of about 10,000 series (740 VMs with
// 9 metrics each and their disks with 4, and a few databases and load balancers): time and
// bytes allocated per poll, with the in-process simulator answering (so upper bounds for the
// receiver).
func BenchmarkScrape10kSeries(b *testing.B) {
	scfg := sim.DefaultConfig()
	scfg.Azure.VMs = 740
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
