package sim

import (
	"math"
	"slices"
	"sort"
	"time"
)

// Dimension is a CloudWatch-style metric dimension.
type Dimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Series identifies one simulated metric series of one resource.
type Series struct {
	Account    string
	Region     string
	Namespace  string
	MetricName string
	Unit       string
	Dimensions []Dimension
	// Resource is the instance id or DB instance identifier the series belongs to.
	Resource string
	// Active is false for series of stopped resources: they are listed (CloudWatch keeps
	// metrics for two weeks) but have no recent datapoints and no datapoints at all here.
	Active bool
	// Until, when set, is the first minute without samples: the resource stopped then
	// (Azure VMs that are stopped or deallocated have data until they stopped).
	Until time.Time
	// Capacity is the resource's size for metrics that depend on it (a VM's memory in
	// bytes, a server's storage in bytes); zero when no metric of the series needs it.
	Capacity float64
}

// metricDef describes how one metric behaves.
type metricDef struct {
	namespace, name, unit string
	// lo and hi bound the per-resource base level drawn from the seed.
	lo, hi float64
	// daily and weekly are relative amplitudes of the seasonal components.
	daily, weekly float64
	// noise is the relative standard deviation of the per-minute noise.
	noise float64
	// target and perDay describe slow growth: the level approaches target*base by perDay of
	// the remaining distance per day since growthEpoch (target < 1 shrinks, e.g. free space).
	target, perDay float64
	// min and max clamp the value (max 0 means unbounded).
	min, max float64
	// count marks integer-valued metrics.
	count bool
	// scaled makes lo and hi fractions of the series' Capacity.
	scaled bool
	// percentOf derives the metric from another metric of the same resource: its value is
	// that metric's sample, a percentage, times Capacity/100 (available memory in bytes
	// follows available memory in percent, anomalies included).
	percentOf string
	// free marks metrics of what is left (available memory): a memory leak lowers them.
	free bool
}

var growthEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	ec2Metrics = []metricDef{
		{namespace: "AWS/EC2", name: "CPUUtilization", unit: "Percent", lo: 8, hi: 55, daily: 0.35, weekly: 0.2, noise: 0.08, target: 1.6, perDay: 0.002, max: 100},
		{namespace: "AWS/EC2", name: "NetworkIn", unit: "Bytes", lo: 2e6, hi: 6e7, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: "AWS/EC2", name: "NetworkOut", unit: "Bytes", lo: 1e6, hi: 4e7, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: "AWS/EC2", name: "NetworkPacketsIn", unit: "Count", lo: 2e3, hi: 5e4, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: "AWS/EC2", name: "NetworkPacketsOut", unit: "Count", lo: 1e3, hi: 4e4, daily: 0.45, weekly: 0.25, noise: 0.1, target: 2, perDay: 0.002, count: true},
		{namespace: "AWS/EC2", name: "EBSReadBytes", unit: "Bytes", lo: 1e5, hi: 2e7, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001, count: true},
		{namespace: "AWS/EC2", name: "EBSWriteBytes", unit: "Bytes", lo: 1e6, hi: 3e7, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001, count: true},
		{namespace: "AWS/EC2", name: "EBSReadOps", unit: "Count", lo: 10, hi: 2e3, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001, count: true},
		{namespace: "AWS/EC2", name: "EBSWriteOps", unit: "Count", lo: 100, hi: 4e3, daily: 0.3, weekly: 0.15, noise: 0.2, target: 1.5, perDay: 0.001, count: true},
		{namespace: "AWS/EC2", name: "StatusCheckFailed", unit: "Count", max: 1, count: true},
	}
	agentMemMetric  = metricDef{namespace: "CWAgent", name: "mem_used_percent", unit: "Percent", lo: 25, hi: 65, daily: 0.1, weekly: 0.05, noise: 0.02, target: 1.3, perDay: 0.003, max: 100}
	agentDiskMetric = metricDef{namespace: "CWAgent", name: "disk_used_percent", unit: "Percent", lo: 20, hi: 70, noise: 0.001, target: 1.4, perDay: 0.004, max: 100}
	rdsMetrics      = []metricDef{
		{namespace: "AWS/RDS", name: "CPUUtilization", unit: "Percent", lo: 10, hi: 45, daily: 0.4, weekly: 0.2, noise: 0.07, target: 1.5, perDay: 0.002, max: 100},
		{namespace: "AWS/RDS", name: "DatabaseConnections", unit: "Count", lo: 10, hi: 200, daily: 0.5, weekly: 0.3, noise: 0.05, target: 1.5, perDay: 0.002, count: true},
		{namespace: "AWS/RDS", name: "FreeStorageSpace", unit: "Bytes", lo: 3e10, hi: 2e11, noise: 0.0005, target: 0.1, perDay: 0.003},
		{namespace: "AWS/RDS", name: "FreeableMemory", unit: "Bytes", lo: 1e9, hi: 8e9, daily: 0.1, noise: 0.02, target: 0.8, perDay: 0.001},
		{namespace: "AWS/RDS", name: "ReadLatency", unit: "Seconds", lo: 0.0005, hi: 0.004, daily: 0.3, weekly: 0.1, noise: 0.15},
		{namespace: "AWS/RDS", name: "WriteLatency", unit: "Seconds", lo: 0.001, hi: 0.006, daily: 0.3, weekly: 0.1, noise: 0.15},
	}
)

var metricDefs = func() map[string]metricDef {
	m := map[string]metricDef{}
	all := append(append(append([]metricDef{}, ec2Metrics...), rdsMetrics...), agentMemMetric, agentDiskMetric)
	all = append(append(all, azureVMMetrics...), azurePostgresMetrics...)
	all = append(all, gcpMetricDefs()...)
	all = append(append(append(all, azureDiskMetrics...), azureSQLMetrics...), azureLBMetrics...)
	for _, d := range all {
		m[d.namespace+"/"+d.name] = d
	}
	return m
}()

func metricDefFor(namespace, name string) (metricDef, bool) {
	d, ok := metricDefs[namespace+"/"+name]
	return d, ok
}

// SeriesIn lists every series of an account and region, sorted by namespace, name and
// resource, which is the order ListMetrics pages through. The slice is shared: do not modify.
func (f *Fleet) SeriesIn(acct, region string) []Series {
	f.indexOnce.Do(f.buildIndex)
	return f.series[acct+"|"+region]
}

// buildIndex lists every cell's series once, so ListMetrics and GetMetricData with thousands
// of series do not rebuild them per query.
func (f *Fleet) buildIndex() {
	f.series = map[string][]Series{}
	f.byKey = map[string]Series{}
	for _, acct := range f.Accounts {
		for _, region := range f.Regions {
			list := f.buildSeries(acct, region)
			f.series[acct+"|"+region] = list
			for _, s := range list {
				f.byKey[seriesKey(acct, region, s.Namespace, s.MetricName, s.Dimensions)] = s
			}
		}
	}
}

func seriesKey(acct, region, namespace, name string, dims []Dimension) string {
	d := slices.Clone(dims)
	sort.Slice(d, func(i, j int) bool { return d[i].Name < d[j].Name || d[i].Name == d[j].Name && d[i].Value < d[j].Value })
	return acct + "|" + region + "|" + namespace + "|" + name + "|" + dimsKey(d)
}

func (f *Fleet) buildSeries(acct, region string) []Series {
	var out []Series
	for _, i := range f.InstancesIn(acct, region) {
		active := i.State == "running"
		dims := []Dimension{{"InstanceId", i.ID}}
		for _, d := range ec2Metrics {
			out = append(out, Series{Account: acct, Region: region, Namespace: d.namespace, MetricName: d.name, Unit: d.unit, Dimensions: dims, Resource: i.ID, Active: active})
		}
		if i.Agent {
			out = append(out,
				Series{
					Account: acct, Region: region, Namespace: agentMemMetric.namespace, MetricName: agentMemMetric.name,
					Unit: agentMemMetric.unit, Dimensions: dims, Resource: i.ID, Active: active,
				},
				Series{
					Account: acct, Region: region, Namespace: agentDiskMetric.namespace, MetricName: agentDiskMetric.name,
					Unit:       agentDiskMetric.unit,
					Dimensions: []Dimension{{"InstanceId", i.ID}, {"device", "nvme0n1p1"}, {"fstype", "xfs"}, {"path", "/"}},
					Resource:   i.ID, Active: active,
				})
		}
	}
	for _, d := range f.DBInstancesIn(acct, region) {
		dims := []Dimension{{"DBInstanceIdentifier", d.Identifier}}
		for _, m := range rdsMetrics {
			out = append(out, Series{
				Account: acct, Region: region, Namespace: m.namespace, MetricName: m.name, Unit: m.unit,
				Dimensions: dims, Resource: d.Identifier, Active: d.Status == "available",
			})
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		if x.MetricName != y.MetricName {
			return x.MetricName < y.MetricName
		}
		return x.Resource < y.Resource
	})
	return out
}

// FindSeries returns the series of an account and region with exactly these dimensions, in
// any order.
func (f *Fleet) FindSeries(acct, region, namespace, name string, dims []Dimension) (Series, bool) {
	f.indexOnce.Do(f.buildIndex)
	s, ok := f.byKey[seriesKey(acct, region, namespace, name, dims)]
	return s, ok
}

// Sample is the value of a series for the one-minute bucket starting at minute, before
// settling. It is a pure function of the seed, the series and the minute; ok is false when
// the resource produced no data (stopped, or stopped by then).
func (s *Simulator) Sample(ser Series, minute time.Time) (float64, bool) {
	minute = minute.UTC().Truncate(time.Minute)
	if !ser.Active || !ser.Until.IsZero() && !minute.Before(ser.Until) {
		return 0, false
	}
	def, ok := metricDefFor(ser.Namespace, ser.MetricName)
	if !ok {
		return 0, false
	}
	if def.percentOf != "" {
		of := ser
		of.MetricName = def.percentOf
		pct, ok := s.Sample(of, minute)
		return math.Round(pct / 100 * ser.Capacity), ok
	}
	seed := s.cfg.Seed
	key := ser.Namespace + "/" + ser.MetricName + "/" + ser.Resource + "/" + dimsKey(ser.Dimensions)
	m := minute.Unix() / 60

	base := between(hashOf(seed, "base", key), def.lo, def.hi)
	if def.scaled {
		base *= ser.Capacity
	}
	days := minute.Sub(growthEpoch).Hours() / 24
	level := base
	if def.perDay > 0 {
		level = base * (def.target - (def.target-1)*math.Exp(-def.perDay*days))
	}
	phase := between(hashOf(seed, "phase", key), -2, 2) // hours
	hourOfDay := float64(minute.Hour()) + float64(minute.Minute())/60
	daily := math.Sin(2 * math.Pi * (hourOfDay - 9 - phase) / 24) // peaks mid-afternoon UTC
	weekly := 0.0
	if wd := minute.Weekday(); wd == time.Saturday || wd == time.Sunday {
		weekly = -1
	}
	v := level * (1 + def.daily*daily + def.weekly*weekly + def.noise*gauss(hashOf(seed, "noise", key, m)))
	v = s.anomalies.apply(ser, minute, v, base, def.free)
	if v < def.min {
		v = def.min
	}
	if def.max > 0 && v > def.max {
		v = def.max
	}
	if def.count {
		v = math.Round(v)
	}
	return v, true
}

func dimsKey(d []Dimension) string {
	var k string
	for _, x := range d {
		k += x.Name + "=" + x.Value + ","
	}
	return k
}

// visibleAt is when the sample of a minute becomes queryable: one minute after the bucket
// starts (when it closes) plus a deterministic share of the settle delay.
func (s *Simulator) visibleAt(ser Series, minute time.Time) time.Time {
	closed := minute.Add(time.Minute)
	if s.cfg.SettleDelay <= 0 {
		return closed
	}
	frac := unit(hashOf(s.cfg.Seed, "settle", ser.Resource, ser.MetricName, minute.Unix()))
	return closed.Add(time.Duration(frac * float64(s.cfg.SettleDelay)))
}

// Statistic names accepted by Aggregate.
const (
	StatAverage     = "Average"
	StatMinimum     = "Minimum"
	StatMaximum     = "Maximum"
	StatSum         = "Sum"
	StatSampleCount = "SampleCount"
)

// ValidStat reports whether stat is one of the supported statistics.
func ValidStat(stat string) bool {
	switch stat {
	case StatAverage, StatMinimum, StatMaximum, StatSum, StatSampleCount:
		return true
	}
	return false
}

// Point is one aggregated datapoint.
type Point struct {
	Timestamp time.Time
	Value     float64
}

// Aggregate returns one point per period in [start, end) as seen at time now: periods begin at
// start rounded down to the minute, as CloudWatch aligns them, samples not yet settled at now are left out
// (so recent periods are partial or absent), and periods without samples are omitted.
// Points are in ascending time order.
func (s *Simulator) Aggregate(ser Series, stat string, period time.Duration, start, end, now time.Time) []Point {
	if period < time.Minute || !ser.Active {
		return nil
	}
	var out []Point
	for _, w := range s.Windows(ser, start.UTC().Truncate(time.Minute), period, end, now) {
		if w.Count == 0 {
			continue
		}
		var v float64
		switch stat {
		case StatAverage:
			v = w.Average()
		case StatMinimum:
			v = w.Minimum
		case StatMaximum:
			v = w.Maximum
		case StatSum:
			v = w.Sum
		case StatSampleCount:
			v = float64(w.Count)
		}
		out = append(out, Point{w.Start, v})
	}
	return out
}

// Window holds the statistics of the settled samples of one period.
type Window struct {
	Start            time.Time
	Sum              float64
	Minimum, Maximum float64
	// Count is the number of samples; zero means the period has no data (yet).
	Count int
}

// Merge is the window of both windows' samples (a metric's value summed over dimension
// values: sums and counts add, extremes are the extremes of both).
func (w Window) Merge(o Window) Window {
	switch {
	case o.Count == 0:
		return w
	case w.Count == 0:
		return o
	}
	w.Sum += o.Sum
	w.Count += o.Count
	w.Minimum = min(w.Minimum, o.Minimum)
	w.Maximum = max(w.Maximum, o.Maximum)
	return w
}

// Average is the mean of the window's samples (0 when it has none).
func (w Window) Average() float64 {
	if w.Count == 0 {
		return 0
	}
	return w.Sum / float64(w.Count)
}

// Windows returns every period of length period from first while it starts before end, with
// the statistics of the samples settled at now, in one pass over the minutes, so a provider
// can serve several aggregations at once. Periods without samples are included with Count 0;
// the caller aligns first (CloudWatch to the query start, Azure to the interval grain).
func (s *Simulator) Windows(ser Series, first time.Time, period time.Duration, end, now time.Time) []Window {
	if period < time.Minute {
		return nil
	}
	var out []Window
	for p := first.UTC(); p.Before(end); p = p.Add(period) {
		w := Window{Start: p}
		for m := p; m.Before(p.Add(period)); m = m.Add(time.Minute) {
			if s.visibleAt(ser, m).After(now) {
				continue
			}
			v, ok := s.Sample(ser, m)
			if !ok {
				continue
			}
			if w.Count == 0 || v < w.Minimum {
				w.Minimum = v
			}
			if w.Count == 0 || v > w.Maximum {
				w.Maximum = v
			}
			w.Sum += v
			w.Count++
		}
		out = append(out, w)
	}
	return out
}
