package awsreceiver

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap/zaptest"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/internal/cloudscrape/cloudscrapetest"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/cwprotocol"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/metadata"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/mototest"
)

const (
	motoAccount = "123456789012" // the account moto answers for any credentials
	motoRegion  = "us-east-1"
)

// motoFleet is what seedMoto created, and the CloudWatch points it put: one a minute at
// minutes, per series.
type motoFleet struct {
	vpc, subnet      string
	running, stopped string // EC2 instance ids
	db               string // RDS instance id
	volume           string // EBS volume ARN
	minutes          []time.Time
	cpu              map[string][]float64 // percent, per instance or database
	networkIn        []float64            // bytes per minute, of the running instance
	volumeRead       []float64            // bytes per minute, of the volume
}

// TestAgainstMoto runs the receiver as a user runs it, built by its factory from YAML keys and
// started by the collector's host, against moto_server: a third-party AWS-compatible endpoint
// seeded with the official SDK. One poll must bring the canonical series, the inventory and the
// collection status.
func TestAgainstMoto(t *testing.T) {
	endpoint := mototest.Start(t)
	f := seedMoto(t, endpoint)

	run := func(name, protocol string, filtered bool) {
		t.Run(name, func(t *testing.T) {
			keys := map[string]any{
				"endpoint":            endpoint,
				"cloudwatch_protocol": protocol,
				"regions":             []any{motoRegion},
				"auth":                map[string]any{"access_key_id": "test", "secret_access_key": "test"},
				"initial_delay":       "10ms",
				"collection_interval": "1m",
				"delay":               "0s",
				"max_backfill":        "30m",
			}
			if filtered {
				keys["tag_filters"] = map[string]any{"team": []any{"payments"}}
				keys["namespaces"] = []any{"AWS/EC2", "CWAgent", "AWS/RDS", "AWS/EBS"}
			}
			md, tel := runOnce(t, keys)
			checkMotoPoll(t, f, md, tel, filtered)
		})
	}
	// The two protocols AWS-compatible endpoints speak, with the default namespaces (AWS/EBS is
	// not one of them).
	run("query", "query", false)
	run("json", "json", false)
	// Tag filters go through the Resource Groups Tagging API: the stopped instance (team data)
	// loses its series, though the inventory still counts it, and the tagged volume's AWS/EBS
	// metric, which no mapping knows, is emitted under its native name on the volume.
	run("tag filters", "query", true)
}

// runOnce builds the receiver from keys through the factory, starts it, waits (bounded) for its
// first poll to end, and returns everything it emitted and its self-metrics. The receiver runs
// until the test ends (the next poll is a minute away), so its gauges can still be read.
func runOnce(t *testing.T, keys map[string]any) (pmetric.Metrics, *componenttest.Telemetry) {
	t.Helper()
	factory := NewFactory()
	cfg := factory.CreateDefaultConfig()
	if err := confmap.NewFromStringMap(keys).Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := confmap.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	set.Logger = zaptest.NewLogger(t) // the receiver's own report of what failed, if anything
	sink := new(consumertest.MetricsSink)
	r, err := factory.CreateMetrics(t.Context(), set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(t.Context(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	// The collection status is the last batch of a poll.
	deadline := time.Now().Add(30 * time.Second)
	for !hasMetric(sink.AllMetrics(), cloudscrape.MetricCollectionStatus) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 30s; %d batches", cloudscrape.MetricCollectionStatus, len(sink.AllMetrics()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	md := pmetric.NewMetrics()
	for _, m := range sink.AllMetrics() {
		m.ResourceMetrics().MoveAndAppendTo(md.ResourceMetrics())
	}
	return md, tel
}

// checkMotoPoll checks one poll of the seeded fleet. Without tag filters, the stopped instance
// has the CPU series of before it stopped; with them (team payments, and AWS/EBS discovered) it
// has none, and the volume has its native series.
func checkMotoPoll(t *testing.T, f *motoFleet, md pmetric.Metrics, tel *componenttest.Telemetry, filtered bool) {
	t.Helper()
	pts := pointsByMetric(md)

	if got := cloudscrapetest.CollectionStatus(md); len(got) != 1 || got[motoAccount] != cloudscrape.StatusSuccess+":" {
		t.Errorf("collection status = %v, want %s success", got, motoAccount)
	}

	// CPU: a gauge, percent turned into a 0-1 ratio, on the resource of its instance.
	cpu := f.cpu[f.running]
	want := make([]float64, len(cpu))
	for i, v := range cpu {
		want[i] = v / 100
	}
	checkSeries(t, f, pts, f.running, canonical.CPUUtilization.Name, pmetric.MetricTypeGauge, want, map[string]string{
		canonical.AttrNativeName: "CPUUtilization", canonical.AttrNativeNamespace: "AWS/EC2",
		canonical.AttrNativeStatistic: "Average", canonical.AttrNativeUnit: "Percent",
	})
	// NetworkIn: bytes per period summed into a cumulative counter.
	want = make([]float64, len(f.networkIn))
	total := 0.0
	for i, v := range f.networkIn {
		total += v
		want[i] = total
	}
	checkSeries(t, f, pts, f.running, canonical.NetworkIO.Name, pmetric.MetricTypeSum, want, map[string]string{
		canonical.AttrNativeName: "NetworkIn", canonical.AttrNativeStatistic: "Sum",
		canonical.AttrNetworkDirection: "receive",
	})
	want = make([]float64, len(f.cpu[f.db]))
	for i, v := range f.cpu[f.db] {
		want[i] = v / 100
	}
	checkSeries(t, f, pts, f.db, canonical.CPUUtilization.Name, pmetric.MetricTypeGauge, want, map[string]string{
		canonical.AttrNativeName: "CPUUtilization", canonical.AttrNativeNamespace: "AWS/RDS",
	})
	stopped := seriesOf(pts, f.stopped, canonical.CPUUtilization.Name)
	if !filtered && len(stopped) != len(f.minutes) {
		t.Errorf("stopped instance: %d CPU points, want %d", len(stopped), len(f.minutes))
	}
	if filtered && len(stopped) != 0 {
		t.Errorf("stopped instance (team data): %d CPU points, want none with tag filter team=payments", len(stopped))
	}
	// AWS/EBS has no mapping: its metric keeps its native name, values and statistic.
	const volumeRead = "aws.aws.ebs.VolumeReadBytes"
	if filtered {
		checkSeries(t, f, pts, f.volume, volumeRead, pmetric.MetricTypeGauge, f.volumeRead, map[string]string{
			canonical.AttrNativeName: "VolumeReadBytes", canonical.AttrNativeNamespace: "AWS/EBS",
			canonical.AttrNativeStatistic: "Average", "aws.dimension.VolumeId": f.volume[strings.LastIndex(f.volume, "/")+1:],
		})
	} else if n := len(pts[volumeRead]); n != 0 {
		t.Errorf("%s: %d points, want none: AWS/EBS is not in the default namespaces", volumeRead, n)
	}

	// Markers: only the running instance, without the CloudWatch agent, lacks memory and disk.
	var markers []string
	for _, p := range pts[canonical.Unsupported.Name] {
		markers = append(markers, p.res[canonical.AttrHostID]+" "+p.attrs[canonical.AttrUnsupportedMetric])
	}
	slices.Sort(markers)
	if wantM := []string{f.running + " " + canonical.FilesystemUtilization.Name, f.running + " " + canonical.MemoryUtilization.Name}; !slices.Equal(markers, wantM) {
		t.Errorf("unsupported markers = %v, want %v", markers, wantM)
	}

	// Inventory: every state of a platform that has instances, 0 included.
	inv := map[string]float64{}
	for _, p := range pts[cloudscrape.MetricInventoryInstances] {
		inv[p.attrs["cloud.account.id"]+" "+p.attrs["cloud.region"]+" "+p.attrs["cloud.platform"]+" "+p.attrs["state"]] = p.v
	}
	prefix := motoAccount + " " + motoRegion + " "
	wantInv := map[string]float64{
		prefix + "aws_ec2 running": 1, prefix + "aws_ec2 stopped": 1, prefix + "aws_ec2 other": 0,
		prefix + "aws_rds running": 1, prefix + "aws_rds stopped": 0, prefix + "aws_rds other": 0,
	}
	if !maps.Equal(inv, wantInv) {
		t.Errorf("%s = %v, want %v", cloudscrape.MetricInventoryInstances, inv, wantInv)
	}

	// Networks: the seeded VPC (beside moto's default one), its main route table's local route,
	// and its subnet's free addresses: 256 - 5 reserved - one per instance.
	checkTargetPoint(t, pts, canonical.NetworkState.Name, map[string]string{"vpc.id": f.vpc, "state": "available", canonical.AttrNetworkCIDR: "10.20.0.0/16"}, 1)
	checkTargetPoint(t, pts, canonical.NetworkRoutes.Name, map[string]string{"vpc.id": f.vpc}, 1)
	checkTargetPoint(t, pts, canonical.SubnetAvailableIPs.Name, map[string]string{"vpc.id": f.vpc, "subnet.id": f.subnet, canonical.AttrSubnetCIDR: "10.20.1.0/24", canonical.AttrCloudAZ: motoRegion + "a"}, 251-2)

	// Self-metrics: every call answered and counted against moto's account (GetCallerIdentity,
	// which finds it, too), CloudWatch billed for what was asked.
	acct := "cloud.account.id=" + motoAccount
	for k, v := range cloudscrapetest.SelfMetric(t, tel, cloudscrape.MetricAPIRequests) {
		if !strings.Contains(k, "outcome=ok") || !strings.HasPrefix(k, acct+",") {
			t.Errorf("API requests %s: %v, want every one ok and counted against %s", k, v, motoAccount)
		}
	}
	// Running CPU and NetworkIn and database CPU; the stopped instance's CPU, or the volume's
	// AWS/EBS metric under tag filters.
	queries, namespaces := 4, 3
	if filtered {
		namespaces++
	}
	billed := cloudscrapetest.SelfMetric(t, tel, cloudscrape.MetricBilledUnits)
	if got := billed[acct+",operation=GetMetricData,provider=aws,service=CloudWatch"]; got != float64(queries) {
		t.Errorf("billed GetMetricData units = %v, want %d queries", got, queries)
	}
	if got := billed[acct+",operation=ListMetrics,provider=aws,service=CloudWatch"]; got != float64(namespaces) {
		t.Errorf("billed ListMetrics units = %v, want one per namespace (%d)", got, namespaces)
	}
	if w := cloudscrapetest.SelfMetric(t, tel, cloudscrape.MetricWindows); w["backfill=true,"+acct+",outcome=completed,provider=aws"] != 1 {
		t.Errorf("windows = %v, want one completed backfill", w)
	}
	target := acct + ",cloud.region=" + motoRegion + ",provider=aws"
	if got := cloudscrapetest.SelfMetric(t, tel, cloudscrape.MetricSeries)[target]; got != float64(queries) {
		t.Errorf("series = %v, want %d", got, queries)
	}
	if got := cloudscrapetest.SelfMetric(t, tel, cloudscrape.MetricLastSuccess)[target]; got < float64(f.minutes[len(f.minutes)-1].Unix()) {
		t.Errorf("last success = %v, want the poll's time", got)
	}
}

// checkSeries checks the points of one canonical series: the resource it belongs to, its kind,
// its timestamps (the seeded minutes), values and data point attributes.
func checkSeries(t *testing.T, f *motoFleet, pts map[string][]motoPoint, id, name string, kind pmetric.MetricType, want []float64, attrs map[string]string) {
	t.Helper()
	got := seriesOf(pts, id, name)
	if len(got) != len(want) {
		t.Errorf("%s %s: %d points, want %d", id, name, len(got), len(want))
		return
	}
	for i, p := range got {
		if !p.ts.Equal(f.minutes[i]) || math.Abs(p.v-want[i]) > 1e-9 {
			t.Errorf("%s %s[%d] = %v at %s, want %v at %s", id, name, i, p.v, p.ts, want[i], f.minutes[i])
		}
		if p.kind != kind || (kind == pmetric.MetricTypeSum && (!p.cumulative || !p.start.Equal(f.minutes[0]))) {
			t.Errorf("%s %s[%d]: %s cumulative=%v from %s, want %s (sums cumulative from %s)", id, name, i, p.kind, p.cumulative, p.start, kind, f.minutes[0])
		}
		for k, v := range attrs {
			if p.attrs[k] != v {
				t.Errorf("%s %s[%d]: attribute %s = %q, want %q", id, name, i, k, p.attrs[k], v)
			}
		}
	}
	res := got[0].res
	wantRes := map[string]string{
		canonical.AttrCloudProvider: canonical.ProviderAWS, canonical.AttrCloudAccountID: motoAccount,
		canonical.AttrCloudRegion: motoRegion,
	}
	switch id {
	case f.volume:
		wantRes[canonical.AttrCloudResourceID] = id
		wantRes[canonical.TagPrefix+"team"] = "payments"
	case f.running:
		wantRes[canonical.AttrHostID] = id
		wantRes[canonical.AttrCloudPlatform] = canonical.PlatformAWSEC2
		wantRes[canonical.AttrHostName] = "web-1"
		wantRes[canonical.AttrHostType] = "t3.micro"
		wantRes[canonical.AttrCloudAZ] = motoRegion + "a"
		wantRes[canonical.AttrResourceState] = "running"
		wantRes[canonical.AttrCloudResourceID] = "arn:aws:ec2:" + motoRegion + ":" + motoAccount + ":instance/" + id
		wantRes[canonical.TagPrefix+"team"] = "payments"
	case f.db:
		wantRes[canonical.AttrHostID] = id
		wantRes[canonical.AttrCloudPlatform] = canonical.PlatformAWSRDS
		wantRes[canonical.AttrHostName] = id
		wantRes[canonical.AttrDBSystem] = "postgres"
		wantRes[canonical.AttrResourceState] = "available"
		wantRes[canonical.TagPrefix+"team"] = "payments"
	}
	for k, v := range wantRes {
		if res[k] != v {
			t.Errorf("%s %s: resource attribute %s = %q, want %q", id, name, k, res[k], v)
		}
	}
}

// checkTargetPoint checks that metric name has, on the target's resource, a point with attrs
// and value v.
func checkTargetPoint(t *testing.T, pts map[string][]motoPoint, name string, attrs map[string]string, v float64) {
	t.Helper()
	var seen []map[string]string
	for _, p := range pts[name] {
		if maps.Equal(p.attrs, attrs) && p.res[canonical.AttrCloudAccountID] == motoAccount {
			if p.v != v {
				t.Errorf("%s%v = %v, want %v", name, attrs, p.v, v)
			}
			return
		}
		seen = append(seen, p.attrs)
	}
	t.Errorf("%s: no point with %v; have %v", name, attrs, seen)
}

// seedMoto creates, with the official SDK: a VPC with a subnet, two tagged instances in it (one
// stopped), a tagged PostgreSQL database, a tagged EBS volume, and 20 minutes of CloudWatch data
// ending at the last whole minute: CPU and NetworkIn of the running instance, CPU of the stopped
// one (from before it stopped) and of the database, bytes read from the volume.
func seedMoto(t *testing.T, endpoint string) *motoFleet {
	t.Helper()
	ctx := t.Context()
	cfg := aws.Config{
		Region:       motoRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	f := &motoFleet{cpu: map[string][]float64{}}
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed moto: %s: %v", what, err)
		}
	}

	ec := ec2.NewFromConfig(cfg)
	vpc, err := ec.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	check("CreateVpc", err)
	f.vpc = aws.ToString(vpc.Vpc.VpcId)
	sn, err := ec.CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.20.1.0/24"), AvailabilityZone: aws.String(motoRegion + "a"),
	})
	check("CreateSubnet", err)
	f.subnet = aws.ToString(sn.Subnet.SubnetId)
	launch := func(name, team string) string {
		t.Helper()
		out, err := ec.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: aws.String("ami-12345678"), InstanceType: ec2types.InstanceTypeT3Micro,
			MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: sn.Subnet.SubnetId,
			TagSpecifications: []ec2types.TagSpecification{{
				ResourceType: ec2types.ResourceTypeInstance,
				Tags:         []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}, {Key: aws.String("team"), Value: aws.String(team)}},
			}},
		})
		check("RunInstances", err)
		return aws.ToString(out.Instances[0].InstanceId)
	}
	f.running = launch("web-1", "payments")
	f.stopped = launch("batch-1", "data")
	_, err = ec.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{f.stopped}})
	check("StopInstances", err)

	f.db = "orders-db"
	_, err = rds.NewFromConfig(cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(f.db), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
		MasterUsername: aws.String("mcobs"), MasterUserPassword: aws.String("not-a-secret-1"),
		Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("payments")}},
	})
	check("CreateDBInstance", err)

	vol, err := ec.CreateVolume(ctx, &ec2.CreateVolumeInput{
		AvailabilityZone: aws.String(motoRegion + "a"), Size: aws.Int32(8),
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeVolume,
			Tags:         []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}},
		}},
	})
	check("CreateVolume", err)
	f.volume = "arn:aws:ec2:" + motoRegion + ":" + motoAccount + ":volume/" + aws.ToString(vol.VolumeId)

	// The receiver asks for the whole minutes that ended up to 30m before its poll (delay 0,
	// max_backfill 30m): 20 minutes that ended before now are all in it.
	now := time.Now().UTC().Truncate(time.Minute)
	for i := 20; i >= 1; i-- {
		f.minutes = append(f.minutes, now.Add(-time.Duration(i)*time.Minute))
	}
	// The query protocol, because moto fails on gzipped JSON PutMetricData bodies.
	cw := cloudwatch.NewFromConfig(cfg, cwprotocol.Options("query")...)
	put := func(ns, dim, id, name string, unit cwtypes.StandardUnit, values []float64) {
		t.Helper()
		data := make([]cwtypes.MetricDatum, len(values))
		for i, v := range values {
			data[i] = cwtypes.MetricDatum{
				MetricName: aws.String(name), Unit: unit, Value: aws.Float64(v), Timestamp: aws.Time(f.minutes[i]),
				Dimensions: []cwtypes.Dimension{{Name: aws.String(dim), Value: aws.String(id)}},
			}
		}
		_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns), MetricData: data})
		check("PutMetricData "+ns+" "+name, err)
	}
	series := func(base, step float64) []float64 {
		out := make([]float64, len(f.minutes))
		for i := range out {
			out[i] = base + step*float64(i)
		}
		return out
	}
	f.cpu[f.running] = series(20, 1.5)
	f.cpu[f.stopped] = series(5, 0.25)
	f.cpu[f.db] = series(40, -1)
	f.networkIn = series(1000, 100)
	f.volumeRead = series(4096, 512)
	put("AWS/EC2", "InstanceId", f.running, "CPUUtilization", cwtypes.StandardUnitPercent, f.cpu[f.running])
	put("AWS/EC2", "InstanceId", f.running, "NetworkIn", cwtypes.StandardUnitBytes, f.networkIn)
	put("AWS/EC2", "InstanceId", f.stopped, "CPUUtilization", cwtypes.StandardUnitPercent, f.cpu[f.stopped])
	put("AWS/RDS", "DBInstanceIdentifier", f.db, "CPUUtilization", cwtypes.StandardUnitPercent, f.cpu[f.db])
	put("AWS/EBS", "VolumeId", aws.ToString(vol.VolumeId), "VolumeReadBytes", cwtypes.StandardUnitBytes, f.volumeRead)
	return f
}

// motoPoint is one emitted data point with its resource and metric.
type motoPoint struct {
	res, attrs map[string]string
	kind       pmetric.MetricType
	cumulative bool
	start, ts  time.Time
	v          float64
}

// pointsByMetric returns every number data point of md by metric name, in emission order.
func pointsByMetric(md pmetric.Metrics) map[string][]motoPoint {
	out := map[string][]motoPoint{}
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		res := strMap(rms.At(i).Resource().Attributes())
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				var dps pmetric.NumberDataPointSlice
				cumulative := false
				switch m.Type() {
				case pmetric.MetricTypeGauge:
					dps = m.Gauge().DataPoints()
				case pmetric.MetricTypeSum:
					dps = m.Sum().DataPoints()
					cumulative = m.Sum().AggregationTemporality() == pmetric.AggregationTemporalityCumulative && m.Sum().IsMonotonic()
				default:
					continue
				}
				for l := 0; l < dps.Len(); l++ {
					dp := dps.At(l)
					v := dp.DoubleValue()
					if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
						v = float64(dp.IntValue())
					}
					out[m.Name()] = append(out[m.Name()], motoPoint{
						res: res, attrs: strMap(dp.Attributes()), kind: m.Type(), cumulative: cumulative,
						start: dp.StartTimestamp().AsTime(), ts: dp.Timestamp().AsTime(), v: v,
					})
				}
			}
		}
	}
	return out
}

// seriesOf returns the points of metric name on resource id (a host.id, or the cloud.resource_id
// of a resource that is no host), in time order.
func seriesOf(pts map[string][]motoPoint, id, name string) []motoPoint {
	var out []motoPoint
	for _, p := range pts[name] {
		if p.res[canonical.AttrHostID] == id || p.res[canonical.AttrCloudResourceID] == id {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b motoPoint) int { return a.ts.Compare(b.ts) })
	return out
}

func hasMetric(batches []pmetric.Metrics, name string) bool {
	for _, md := range batches {
		if _, ok := pointsByMetric(md)[name]; ok {
			return true
		}
	}
	return false
}

func strMap(m pcommon.Map) map[string]string {
	out := make(map[string]string, m.Len())
	m.Range(func(k string, v pcommon.Value) bool {
		out[k] = v.AsString()
		return true
	})
	return out
}
