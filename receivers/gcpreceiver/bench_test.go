package gcpreceiver

import (
	"strings"
	"testing"
	"time"

	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/internal/sim"
	simgcp "github.com/mcobs/mcobs/internal/sim/gcp"
)

// BenchmarkPollingCost runs one simulated hour of polls with the default configuration (every
// 5 minutes, 1-minute periods) against a project of 200 running instances (half with the Ops
// Agent) and 2 Cloud SQL instances, and reports per 1,000 series-hour the Cloud Monitoring
// calls made (ListTimeSeries and ListMetricDescriptors, discovery included), the calls a query
// per resource and metric type would take (one per series and poll: computed, not made), and
// canonical series per resource.
func BenchmarkPollingCost(b *testing.B) {
	scfg := sim.DefaultConfig()
	scfg.GCP.Instances = 200
	scfg.GCP.StoppedFraction = 0
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
		project := scfg.GCP.Projects[0].ID
		st := h.srv.Sim.Stats()
		calls := st.CallsOf(project, simgcp.ServiceMonitoring, simgcp.OpListTimeSeries) + st.CallsOf(project, simgcp.ServiceMonitoring, simgcp.OpListMetricDescriptors)
		per1000 := 1000 / float64(len(series))
		b.ReportMetric(float64(len(series)), "series")
		b.ReportMetric(float64(calls)*per1000, "monitoring-calls/1000series-h")
		b.ReportMetric(float64(len(series)*polls)*per1000, "per-series-calls/1000series-h")
		b.ReportMetric(float64(len(series))/float64(len(resources)), "series/resource")
	}
}

// BenchmarkScrape10kSeries measures a steady-state poll of about 10,000 series (9 metrics of
// 1,112 instances): time and bytes allocated per poll, with the in-process simulator answering
// over gRPC (so upper bounds for the receiver).
func BenchmarkScrape10kSeries(b *testing.B) {
	scfg := sim.DefaultConfig()
	scfg.GCP.Instances = 1112
	scfg.GCP.StoppedFraction = 0
	scfg.GCP.AgentFraction = 0
	scfg.GCP.SQLInstances = 0
	h := newHarness(b, scfg, func(c *Config) { c.MaxBackfill = c.CollectionInterval })
	h.clk.T = simStart.Add(10 * time.Minute)
	md, err := h.loop.Poll()
	if err != nil {
		b.Fatal(err)
	}
	series := cloudscrapetest.SeriesCount(md)
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
