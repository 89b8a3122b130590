package simgcp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/mcobs/mcobs/internal/sim"
)

var start = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// client is the generated MetricService stub over plaintext gRPC, with a token from the
// simulator's token endpoint (a JWT bearer grant whose issuer is the service account).
func client(t *testing.T, cfg sim.Config) (monitoringpb.MetricServiceClient, context.Context, *TestServer) {
	t.Helper()
	ts := NewTestServer(t, cfg, sim.WithClock(func() time.Time { return start.Add(30 * time.Minute) }))
	conn, err := grpc.NewClient(ts.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+token(t, ts, cfg.GCP.ServiceAccount))
	return monitoringpb.NewMetricServiceClient(conn), ctx, ts
}

func token(t *testing.T, ts *TestServer, iss string) string {
	t.Helper()
	claims := `{"iss":"` + iss + `"}`
	jwt := "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln"
	resp, err := http.PostForm(ts.URL+"/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {jwt}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		t.Fatalf("token: %v %+v", err, body)
	}
	return body.AccessToken
}

func list(t *testing.T, c monitoringpb.MetricServiceClient, ctx context.Context, req *monitoringpb.ListTimeSeriesRequest) []*monitoringpb.TimeSeries {
	t.Helper()
	var out []*monitoringpb.TimeSeries
	for {
		resp, err := c.ListTimeSeries(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, resp.TimeSeries...)
		if resp.NextPageToken == "" {
			return out
		}
		req.PageToken = resp.NextPageToken
	}
}

func request(metricType string, aligner monitoringpb.Aggregation_Aligner, reducer monitoringpb.Aggregation_Reducer, groupBy ...string) *monitoringpb.ListTimeSeriesRequest {
	return &monitoringpb.ListTimeSeriesRequest{
		Name:     "projects/sim-project-1",
		Filter:   `metric.type = "` + metricType + `" AND resource.type = "gce_instance"`,
		Interval: &monitoringpb.TimeInterval{StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(10 * time.Minute))},
		Aggregation: &monitoringpb.Aggregation{
			AlignmentPeriod: durationpb.New(time.Minute), PerSeriesAligner: aligner, CrossSeriesReducer: reducer, GroupByFields: groupBy,
		},
	}
}

// TestReducerFoldsLabels: network bytes come per loadbalanced value; REDUCE_SUM grouped by
// instance gives one series per instance whose points are the sums, newest first.
func TestReducerFoldsLabels(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.GCP.StoppedFraction = 0
	c, ctx, ts := client(t, cfg)
	const typ = "compute.googleapis.com/instance/network/received_bytes_count"
	raw := list(t, c, ctx, request(typ, monitoringpb.Aggregation_ALIGN_DELTA, monitoringpb.Aggregation_REDUCE_NONE))
	sum := list(t, c, ctx, request(typ, monitoringpb.Aggregation_ALIGN_DELTA, monitoringpb.Aggregation_REDUCE_SUM, "resource.label.instance_id"))
	instances := len(ts.Sim.GCP().InstancesOf("sim-project-1"))
	if len(raw) != 2*instances || len(sum) != instances {
		t.Fatalf("%d raw series and %d reduced, want 2 and 1 per instance (%d)", len(raw), len(sum), instances)
	}
	want := map[string]map[int64]int64{}
	for _, s := range raw {
		id := s.Resource.Labels["instance_id"]
		if want[id] == nil {
			want[id] = map[int64]int64{}
		}
		for _, p := range s.Points {
			want[id][p.Interval.EndTime.Seconds] += p.Value.GetInt64Value()
		}
	}
	for _, s := range sum {
		if len(s.Metric.Labels) != 0 || len(s.Resource.Labels) != 1 || s.MetricKind.String() != "DELTA" {
			t.Errorf("reduced series keeps %v %v, kind %s", s.Metric.Labels, s.Resource.Labels, s.MetricKind)
		}
		if len(s.Points) != 10 || !s.Points[0].Interval.EndTime.AsTime().After(s.Points[1].Interval.EndTime.AsTime()) {
			t.Fatalf("%d points, want 10 newest first", len(s.Points))
		}
		for _, p := range s.Points {
			if got := p.Value.GetInt64Value(); got != want[s.Resource.Labels["instance_id"]][p.Interval.EndTime.Seconds] || got <= 0 {
				t.Errorf("sum %d at %s", got, p.Interval.EndTime.AsTime())
			}
			if p.Interval.EndTime.AsTime().Sub(p.Interval.StartTime.AsTime()) != time.Minute {
				t.Errorf("a DELTA point spans %s", p.Interval.EndTime.AsTime().Sub(p.Interval.StartTime.AsTime()))
			}
		}
	}
}

// TestPagesSplitWholeSeries: with a page of 12 points, series of 10 points come one a page,
// and the pages together are the unpaged answer.
func TestPagesSplitWholeSeries(t *testing.T) {
	cfg := sim.DefaultConfig()
	c, ctx, _ := client(t, cfg)
	const typ = "compute.googleapis.com/instance/cpu/utilization"
	all := list(t, c, ctx, request(typ, monitoringpb.Aggregation_ALIGN_MEAN, monitoringpb.Aggregation_REDUCE_NONE))
	req := request(typ, monitoringpb.Aggregation_ALIGN_MEAN, monitoringpb.Aggregation_REDUCE_NONE)
	req.PageSize = 12
	pages := 0
	var paged []*monitoringpb.TimeSeries
	for {
		resp, err := c.ListTimeSeries(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		paged = append(paged, resp.TimeSeries...)
		if resp.NextPageToken == "" {
			break
		}
		req.PageToken = resp.NextPageToken
	}
	if pages < len(all) || len(paged) != len(all) {
		t.Fatalf("%d pages with %d series, want one page per series of %d", pages, len(paged), len(all))
	}
	for i := range all {
		if all[i].Resource.Labels["instance_id"] != paged[i].Resource.Labels["instance_id"] || all[i].Points[0].Value.GetDoubleValue() != paged[i].Points[0].Value.GetDoubleValue() {
			t.Errorf("series %d differs between the paged and unpaged answers", i)
		}
	}
}

// TestRejects: no token, a forged token, and an aligner the metric kind does not take.
func TestRejects(t *testing.T) {
	cfg := sim.DefaultConfig()
	c, ctx, _ := client(t, cfg)
	f := func(ctx context.Context, req *monitoringpb.ListTimeSeriesRequest, want codes.Code) {
		t.Helper()
		if _, err := c.ListTimeSeries(ctx, req); status.Code(err) != want {
			t.Errorf("%s: got %v, want %s", req.Filter, err, want)
		}
	}
	cpu := request("compute.googleapis.com/instance/cpu/utilization", monitoringpb.Aggregation_ALIGN_MEAN, monitoringpb.Aggregation_REDUCE_NONE)
	f(t.Context(), cpu, codes.Unauthenticated)
	f(metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer ya29.sim.9999999999.forged"), cpu, codes.Unauthenticated)
	f(ctx, request("compute.googleapis.com/instance/cpu/utilization", monitoringpb.Aggregation_ALIGN_DELTA, monitoringpb.Aggregation_REDUCE_NONE), codes.InvalidArgument)
	unknown := request("compute.googleapis.com/instance/cpu/utilization", monitoringpb.Aggregation_ALIGN_MEAN, monitoringpb.Aggregation_REDUCE_NONE)
	unknown.Name = "projects/someone-elses"
	f(ctx, unknown, codes.PermissionDenied)
}

// TestDescriptorsStateIngestDelay: ListMetricDescriptors with starts_with returns the domain's
// descriptors with their ingest delays.
func TestDescriptorsStateIngestDelay(t *testing.T) {
	c, ctx, _ := client(t, sim.DefaultConfig())
	resp, err := c.ListMetricDescriptors(ctx, &monitoringpb.ListMetricDescriptorsRequest{
		Name: "projects/sim-project-1", Filter: `metric.type = starts_with("cloudsql.googleapis.com/")`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.MetricDescriptors) != 4 {
		t.Fatalf("%d descriptors, want the 4 Cloud SQL ones", len(resp.MetricDescriptors))
	}
	for _, d := range resp.MetricDescriptors {
		if !strings.HasPrefix(d.Type, "cloudsql.googleapis.com/") || d.Metadata.IngestDelay.AsDuration() != 210*time.Second {
			t.Errorf("%s: ingest delay %s", d.Type, d.Metadata.IngestDelay.AsDuration())
		}
	}
}

// TestComputeAggregatedListPages: instances come in pages of maxResults over every zone, the
// zones without instances on a page carrying NO_RESULTS_ON_PAGE.
func TestComputeAggregatedListPages(t *testing.T) {
	cfg := sim.DefaultConfig()
	_, _, ts := client(t, cfg)
	tok := token(t, ts, cfg.GCP.ServiceAccount)
	seen, pageToken, pages := 0, "", 0
	for {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/compute/v1/projects/sim-project-1/aggregated/instances?maxResults=5&pageToken="+pageToken, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var page aggregatedList
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		pages++
		for _, sc := range page.Items {
			seen += len(sc.Instances)
			if len(sc.Instances) == 0 && (sc.Warning == nil || sc.Warning.Code != "NO_RESULTS_ON_PAGE") {
				t.Errorf("an empty zone without its warning: %s", b)
			}
		}
		if pageToken = page.NextPageToken; pageToken == "" {
			break
		}
	}
	if seen != cfg.GCP.Instances || pages != (cfg.GCP.Instances+4)/5 {
		t.Errorf("%d instances over %d pages, want %d over %d", seen, pages, cfg.GCP.Instances, (cfg.GCP.Instances+4)/5)
	}
}
