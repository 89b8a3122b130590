package simaws_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mcobs/mcobs/internal/sim"
)

const acct1 = "111111111111"

func listAll(t *testing.T, e *env, in *cloudwatch.ListMetricsInput) ([]types.Metric, int) {
	t.Helper()
	p := cloudwatch.NewListMetricsPaginator(e.cloudwatch(), in)
	var out []types.Metric
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatalf("ListMetrics: %v", err)
		}
		out = append(out, page.Metrics...)
		pages++
	}
	return out, pages
}

func metricKey(m types.Metric) string {
	k := aws.ToString(m.Namespace) + "/" + aws.ToString(m.MetricName)
	for _, d := range m.Dimensions {
		k += fmt.Sprintf(",%s=%s", aws.ToString(d.Name), aws.ToString(d.Value))
	}
	return k
}

func TestListMetricsPagesThroughEverySeriesOnce(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.AWS.ListMetricsPageSize = 7
	e := newEnv(t, cfg)
	want := e.sim.Fleet().SeriesIn(acct1, "us-east-1")

	got, pages := listAll(t, e, &cloudwatch.ListMetricsInput{})
	if len(got) != len(want) {
		t.Fatalf("ListMetrics returned %d metrics, fleet has %d", len(got), len(want))
	}
	if wantPages := (len(want) + 6) / 7; pages != wantPages {
		t.Errorf("pages = %d, want %d", pages, wantPages)
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[metricKey(m)] {
			t.Errorf("metric %s listed twice", metricKey(m))
		}
		seen[metricKey(m)] = true
	}
	if n := e.sim.Stats().CallsOf(acct1, "monitoring", "ListMetrics"); n != pages {
		t.Errorf("/sim/stats counts %d ListMetrics calls, the paginator made %d", n, pages)
	}
}

func TestListMetricsFilters(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	series := e.sim.Fleet().SeriesIn(acct1, "us-east-1")
	count := func(keep func(sim.Series) bool) int {
		n := 0
		for _, s := range series {
			if keep(s) {
				n++
			}
		}
		return n
	}
	var running, stopped *sim.Instance
	for _, in := range e.sim.Fleet().InstancesIn(acct1, "us-east-1") {
		if in.State == "running" && running == nil {
			running = in
		}
		if in.State == "stopped" && stopped == nil {
			stopped = in
		}
	}
	if running == nil || stopped == nil {
		t.Fatal("default fleet needs a running and a stopped instance in account 1, us-east-1")
	}

	f := func(name string, in *cloudwatch.ListMetricsInput, keep func(sim.Series) bool) {
		t.Helper()
		got, _ := listAll(t, e, in)
		if want := count(keep); len(got) != want || want == 0 {
			t.Errorf("%s: got %d metrics, want %d (and more than 0)", name, len(got), want)
		}
	}
	// Recently active excludes the stopped instances' series.
	f("recently active", &cloudwatch.ListMetricsInput{RecentlyActive: types.RecentlyActivePt3h},
		func(s sim.Series) bool { return s.Active })
	// A namespace.
	f("namespace CWAgent", &cloudwatch.ListMetricsInput{Namespace: aws.String("CWAgent")},
		func(s sim.Series) bool { return s.Namespace == "CWAgent" })
	// Namespace and metric name.
	f("AWS/RDS FreeStorageSpace", &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/RDS"), MetricName: aws.String("FreeStorageSpace")},
		func(s sim.Series) bool { return s.Namespace == "AWS/RDS" && s.MetricName == "FreeStorageSpace" })
	// A dimension with a value.
	f("one instance", &cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("InstanceId"), Value: aws.String(running.ID)}}},
		func(s sim.Series) bool { return s.Resource == running.ID })
	// A dimension name only.
	f("has path", &cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("path")}}},
		func(s sim.Series) bool { return s.MetricName == "disk_used_percent" })
	// A stopped instance's metrics are listed without RecentlyActive and not with it.
	f("stopped instance", &cloudwatch.ListMetricsInput{Dimensions: []types.DimensionFilter{{Name: aws.String("InstanceId"), Value: aws.String(stopped.ID)}}},
		func(s sim.Series) bool { return s.Resource == stopped.ID })
	got, _ := listAll(t, e, &cloudwatch.ListMetricsInput{
		RecentlyActive: types.RecentlyActivePt3h,
		Dimensions:     []types.DimensionFilter{{Name: aws.String("InstanceId"), Value: aws.String(stopped.ID)}},
	})
	if len(got) != 0 {
		t.Errorf("stopped instance has %d recently active metrics, want 0", len(got))
	}
}

func TestListMetricsRejectsBadToken(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	_, err := e.cloudwatch().ListMetrics(ctx(t), &cloudwatch.ListMetricsInput{NextToken: aws.String("not-a-token")})
	var bad *types.InvalidNextToken
	if !errorsAs(err, &bad) {
		t.Fatalf("err = %v, want *types.InvalidNextToken", err)
	}
}

func runningInstance(t *testing.T, s *sim.Simulator, agent bool) *sim.Instance {
	t.Helper()
	for _, in := range s.Fleet().InstancesIn(acct1, "us-east-1") {
		if in.State == "running" && in.Agent == agent {
			return in
		}
	}
	t.Fatalf("no running instance with agent=%v in account 1, us-east-1", agent)
	return nil
}

// statQuery asks for one statistic of one instance's metric.
func statQuery(id, namespace, name, instanceID, stat string, period int32) types.MetricDataQuery {
	return types.MetricDataQuery{
		Id: aws.String(id),
		MetricStat: &types.MetricStat{
			Metric: &types.Metric{
				Namespace: aws.String(namespace), MetricName: aws.String(name),
				Dimensions: []types.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(instanceID)}},
			},
			Period: aws.Int32(period), Stat: aws.String(stat),
		},
	}
}

func TestGetMetricDataStatistics(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	in := runningInstance(t, e.sim, false)
	stats := []string{"Average", "Minimum", "Maximum", "Sum", "SampleCount"}
	var queries []types.MetricDataQuery
	for i, st := range stats {
		queries = append(queries, statQuery(fmt.Sprintf("q%d", i), "AWS/EC2", "CPUUtilization", in.ID, st, 300))
	}
	// Settled window: it ends well before now minus the settle delay.
	start, end := simNow.Add(-2*time.Hour), simNow.Add(-time.Hour)
	out, err := e.cloudwatch().GetMetricData(ctx(t), &cloudwatch.GetMetricDataInput{
		MetricDataQueries: queries, StartTime: aws.Time(start), EndTime: aws.Time(end),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricDataResults) != len(stats) {
		t.Fatalf("got %d results, want %d", len(out.MetricDataResults), len(stats))
	}
	byStat := map[string]types.MetricDataResult{}
	for i, r := range out.MetricDataResults {
		if aws.ToString(r.Id) != fmt.Sprintf("q%d", i) || r.StatusCode != types.StatusCodeComplete {
			t.Errorf("result %d: id %q status %q", i, aws.ToString(r.Id), r.StatusCode)
		}
		if len(r.Values) != 12 || len(r.Timestamps) != 12 {
			t.Fatalf("%s: %d values, %d timestamps, want 12 five-minute points in one hour", stats[i], len(r.Values), len(r.Timestamps))
		}
		byStat[stats[i]] = r
	}
	avg := byStat["Average"]
	for j, ts := range avg.Timestamps {
		if j > 0 && !ts.Before(avg.Timestamps[j-1]) {
			t.Errorf("timestamps not descending by default at %d: %v after %v", j, ts, avg.Timestamps[j-1])
		}
		lo, hi, sum, n := byStat["Minimum"].Values[j], byStat["Maximum"].Values[j], byStat["Sum"].Values[j], byStat["SampleCount"].Values[j]
		if n != 5 {
			t.Errorf("%v: SampleCount %v, want 5 one-minute samples", ts, n)
		}
		if a := avg.Values[j]; a < lo || a > hi || a <= 0 || hi > 100 {
			t.Errorf("%v: min %v avg %v max %v out of order or range", ts, lo, a, hi)
		}
		if d := sum - avg.Values[j]*n; d > 1e-9 || d < -1e-9 {
			t.Errorf("%v: Sum %v != Average*SampleCount %v", ts, sum, avg.Values[j]*n)
		}
		// The wire carries exactly what the model computes.
		ser, _ := e.sim.Fleet().FindSeries(acct1, "us-east-1", "AWS/EC2", "CPUUtilization", []sim.Dimension{{Name: "InstanceId", Value: in.ID}})
		pts := e.sim.Aggregate(ser, "Average", 5*time.Minute, ts, ts.Add(5*time.Minute), simNow)
		if len(pts) != 1 || pts[0].Value != avg.Values[j] {
			t.Errorf("%v: wire value %v, model %v", ts, avg.Values[j], pts)
		}
	}
	if got := e.sim.Stats().MetricsRequestedBy(acct1); got != len(stats) {
		t.Errorf("billed metrics = %d, want %d", got, len(stats))
	}
}

func TestGetMetricDataScanAndStoppedAndAgent(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	agent := runningInstance(t, e.sim, true)
	var stopped *sim.Instance
	for _, in := range e.sim.Fleet().InstancesIn(acct1, "us-east-1") {
		if in.State == "stopped" {
			stopped = in
		}
	}
	noAgent := runningInstance(t, e.sim, false)
	wrongUnit := statQuery("bytes", "CWAgent", "mem_used_percent", agent.ID, "Average", 60)
	wrongUnit.MetricStat.Unit = types.StandardUnitBytes
	out, err := e.cloudwatch().GetMetricData(ctx(t), &cloudwatch.GetMetricDataInput{
		MetricDataQueries: []types.MetricDataQuery{
			statQuery("mem", "CWAgent", "mem_used_percent", agent.ID, "Average", 60),
			statQuery("stopped", "AWS/EC2", "CPUUtilization", stopped.ID, "Average", 60),
			statQuery("nomem", "CWAgent", "mem_used_percent", noAgent.ID, "Average", 60),
			wrongUnit,
		},
		StartTime: aws.Time(simNow.Add(-time.Hour)), EndTime: aws.Time(simNow.Add(-30 * time.Minute)),
		ScanBy: types.ScanByTimestampAscending,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.MetricDataResults
	if len(r[0].Values) != 30 {
		t.Errorf("agent memory: %d points, want 30", len(r[0].Values))
	}
	for j := 1; j < len(r[0].Timestamps); j++ {
		if !r[0].Timestamps[j].After(r[0].Timestamps[j-1]) {
			t.Fatalf("TimestampAscending not ascending at %d", j)
		}
	}
	if len(r[1].Values) != 0 || len(r[2].Values) != 0 || len(r[3].Values) != 0 {
		t.Errorf("stopped instance has %d points, instance without agent has %d memory points, memory in Bytes has %d; want none",
			len(r[1].Values), len(r[2].Values), len(r[3].Values))
	}
}

func TestGetMetricDataLimitsAndBilling(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	in := runningInstance(t, e.sim, false)
	mk := func(n int) []types.MetricDataQuery {
		var qs []types.MetricDataQuery
		for i := range n {
			qs = append(qs, statQuery(fmt.Sprintf("q%d", i), "AWS/EC2", "NetworkIn", in.ID, "Sum", 300))
		}
		return qs
	}
	window := func(qs []types.MetricDataQuery) *cloudwatch.GetMetricDataInput {
		return &cloudwatch.GetMetricDataInput{MetricDataQueries: qs, StartTime: aws.Time(simNow.Add(-20 * time.Minute)), EndTime: aws.Time(simNow.Add(-10 * time.Minute))}
	}
	if _, err := e.cloudwatch().GetMetricData(ctx(t), window(mk(500))); err != nil {
		t.Fatalf("500 queries: %v", err)
	}
	_, err := e.cloudwatch().GetMetricData(ctx(t), window(mk(501)))
	if code := errorCode(err); code != "ValidationError" {
		t.Fatalf("501 queries: error code %q (%v), want ValidationError", code, err)
	}
	st := e.sim.Stats()
	if got := st.CallsOf(acct1, "monitoring", "GetMetricData"); got != 2 {
		t.Errorf("GetMetricData calls = %d, want 2 (a rejected call is not retried)", got)
	}
	if got := st.MetricsRequestedBy(""); got != 500 {
		t.Errorf("billed metrics = %d, want 500: a rejected call bills nothing", got)
	}
}

func TestGetMetricDataPaging(t *testing.T) {
	// The server's page limit.
	t.Run("max_datapoints_per_call", func(t *testing.T) {
		cfg := sim.DefaultConfig()
		cfg.AWS.MaxDatapointsPerCall = 25
		testPaging(t, cfg, nil)
	})
	// The caller's MaxDatapoints.
	t.Run("MaxDatapoints", func(t *testing.T) { testPaging(t, sim.DefaultConfig(), aws.Int32(25)) })
}

func testPaging(t *testing.T, cfg sim.Config, maxDatapoints *int32) {
	e := newEnv(t, cfg)
	a, b := runningInstance(t, e.sim, false), runningInstance(t, e.sim, true)
	in := &cloudwatch.GetMetricDataInput{
		MetricDataQueries: []types.MetricDataQuery{
			statQuery("a", "AWS/EC2", "CPUUtilization", a.ID, "Maximum", 60),
			statQuery("b", "AWS/EC2", "CPUUtilization", b.ID, "Maximum", 60),
		},
		StartTime: aws.Time(simNow.Add(-2 * time.Hour)), EndTime: aws.Time(simNow.Add(-time.Hour)),
		MaxDatapoints: maxDatapoints,
	}
	p := cloudwatch.NewGetMetricDataPaginator(e.cloudwatch(), in)
	got := map[string]map[time.Time]float64{"a": {}, "b": {}}
	pages, partial := 0, 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := 0
		for _, r := range page.MetricDataResults {
			if r.StatusCode == types.StatusCodePartialData {
				partial++
			}
			for j, ts := range r.Timestamps {
				if _, dup := got[aws.ToString(r.Id)][ts]; dup {
					t.Errorf("%s %v returned twice", aws.ToString(r.Id), ts)
				}
				got[aws.ToString(r.Id)][ts] = r.Values[j]
				n++
			}
		}
		if n > 25 {
			t.Errorf("page %d has %d datapoints, limit 25", pages, n)
		}
	}
	if len(got["a"]) != 60 || len(got["b"]) != 60 {
		t.Errorf("collected %d and %d points, want 60 each", len(got["a"]), len(got["b"]))
	}
	if pages != 5 || partial == 0 {
		t.Errorf("pages = %d (want ceil(120/25) = 5), partial results = %d (want > 0)", pages, partial)
	}
}

func TestGetMetricDataSettles(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.SettleDelay = 3 * time.Minute
	e := newEnv(t, cfg)
	in := runningInstance(t, e.sim, false)
	get := func() map[time.Time]float64 {
		out, err := e.cloudwatch().GetMetricData(ctx(t), &cloudwatch.GetMetricDataInput{
			MetricDataQueries: []types.MetricDataQuery{statQuery("cpu", "AWS/EC2", "CPUUtilization", in.ID, "Average", 60)},
			StartTime:         aws.Time(simNow.Add(-15 * time.Minute)), EndTime: aws.Time(simNow),
		})
		if err != nil {
			t.Fatal(err)
		}
		m := map[time.Time]float64{}
		r := out.MetricDataResults[0]
		for j, ts := range r.Timestamps {
			m[ts.UTC()] = r.Values[j]
		}
		return m
	}
	early := get()
	// Minutes that closed more than the settle delay ago are always there.
	for m := simNow.Add(-15 * time.Minute); m.Before(simNow.Add(-4 * time.Minute)); m = m.Add(time.Minute) {
		if _, ok := early[m]; !ok {
			t.Errorf("settled minute %v missing", m)
		}
	}
	if len(early) >= 15 {
		t.Fatalf("all %d minutes present at query time; the most recent should still be settling", len(early))
	}
	e.clock.Set(simNow.Add(4 * time.Minute))
	late := get()
	if len(late) != 15 {
		t.Errorf("after the settle delay %d of 15 minutes are present", len(late))
	}
	for ts, v := range early {
		if late[ts] != v {
			t.Errorf("%v changed from %v to %v after settling", ts, v, late[ts])
		}
	}
}

func TestGetMetricDataIsDeterministic(t *testing.T) {
	values := func(seed int64) []float64 {
		cfg := sim.DefaultConfig()
		cfg.Seed = seed
		e := newEnv(t, cfg)
		var qs []types.MetricDataQuery
		for i, in := range e.sim.Fleet().InstancesIn(acct1, "us-east-1") {
			qs = append(qs, statQuery(fmt.Sprintf("n%d", i), "AWS/EC2", "NetworkOut", in.ID, "Sum", 300))
		}
		out, err := e.cloudwatch().GetMetricData(ctx(t), &cloudwatch.GetMetricDataInput{
			MetricDataQueries: qs, StartTime: aws.Time(simNow.Add(-time.Hour)), EndTime: aws.Time(simNow.Add(-30 * time.Minute)),
		})
		if err != nil {
			t.Fatal(err)
		}
		var vs []float64
		for _, r := range out.MetricDataResults {
			vs = append(vs, r.Values...)
		}
		return vs
	}
	a, b, c := values(7), values(7), values(8)
	if len(a) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different values:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Error("different seeds gave the same values")
	}
}

func TestGetMetricDataRejectsWhatAWSRejects(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	in := runningInstance(t, e.sim, false)
	f := func(name string, q types.MetricDataQuery, start, end time.Time) {
		t.Helper()
		_, err := e.cloudwatch().GetMetricData(ctx(t), &cloudwatch.GetMetricDataInput{
			MetricDataQueries: []types.MetricDataQuery{q}, StartTime: aws.Time(start), EndTime: aws.Time(end),
		})
		var bad *types.InvalidParameterValueException
		if !errorsAs(err, &bad) || errorCode(err) != "InvalidParameterValue" {
			t.Errorf("%s: %v, want *types.InvalidParameterValueException with code InvalidParameterValue", name, err)
		}
	}
	ok := statQuery("q", "AWS/EC2", "CPUUtilization", in.ID, "Average", 60)
	// A percentile statistic.
	f("p99", statQuery("q", "AWS/EC2", "CPUUtilization", in.ID, "p99", 60), simNow.Add(-time.Hour), simNow)
	// A sub-minute period.
	f("period 30", statQuery("q", "AWS/EC2", "CPUUtilization", in.ID, "Average", 30), simNow.Add(-time.Hour), simNow)
	// An id that does not start with a lowercase letter.
	f("id Q", statQuery("Q", "AWS/EC2", "CPUUtilization", in.ID, "Average", 60), simNow.Add(-time.Hour), simNow)
	// End before start.
	f("end before start", ok, simNow, simNow.Add(-time.Hour))
}
