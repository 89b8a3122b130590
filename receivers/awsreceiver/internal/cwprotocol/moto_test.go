package cwprotocol

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/mototest"
)

// TestAgainstMoto checks both protocols against moto_server, an AWS mock that
// answers Query and JSON but 404s on the SDK's default CBOR paths: PutMetricData
// for two instances, then ListMetrics and GetMetricData read them back.
func TestAgainstMoto(t *testing.T) {
	endpoint := mototest.Start(t)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	ctx := t.Context()

	t.Run("cbor is not served", func(t *testing.T) {
		_, err := cloudwatch.NewFromConfig(cfg, Options("cbor")...).ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
			t.Fatalf("CBOR: err = %v, want a 404 (if moto now answers CBOR, update the docs)", err)
		}
	})

	// Two points a minute apart per instance, aligned on the minute so that each
	// falls in its own 60 s period.
	t0 := time.Now().UTC().Truncate(time.Minute).Add(-5 * time.Minute)
	for _, proto := range []string{"query", "json"} {
		t.Run(proto, func(t *testing.T) {
			cw := cloudwatch.NewFromConfig(cfg, Options(proto)...)
			// Each protocol writes its own namespace and instances: moto ignores
			// the namespace of a GetMetricData query that has dimensions.
			ns := "Test/" + proto
			values := map[string][]float64{"i-" + proto + "-1": {1, 2}, "i-" + proto + "-2": {10, 20}}
			dims := func(id string) []types.Dimension {
				return []types.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(id)}}
			}

			for id, vals := range values {
				var data []types.MetricDatum
				for i, v := range vals {
					data = append(data, types.MetricDatum{
						MetricName: aws.String("CPUUtilization"),
						Dimensions: dims(id),
						Timestamp:  aws.Time(t0.Add(time.Duration(i) * time.Minute)),
						Value:      aws.Float64(v),
					})
				}
				// The SDK gzips PutMetricData bodies; moto 5.2 serves gzipped Query
				// bodies but fails ("Not a gzipped file") on gzipped JSON ones. The
				// receiver only reads, so this only matters to this test.
				noGzip := func(o *cloudwatch.Options) { o.DisableRequestCompression = proto == "json" }
				if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(ns), MetricData: data}, noGzip); err != nil {
					t.Fatalf("PutMetricData: %v", err)
				}
			}

			var listed []string
			p := cloudwatch.NewListMetricsPaginator(cw, &cloudwatch.ListMetricsInput{
				Namespace:      aws.String(ns),
				MetricName:     aws.String("CPUUtilization"),
				RecentlyActive: types.RecentlyActivePt3h,
				Dimensions:     []types.DimensionFilter{{Name: aws.String("InstanceId")}},
			})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					t.Fatalf("ListMetrics: %v", err)
				}
				for _, m := range page.Metrics {
					if aws.ToString(m.Namespace) != ns || aws.ToString(m.MetricName) != "CPUUtilization" ||
						len(m.Dimensions) != 1 || aws.ToString(m.Dimensions[0].Name) != "InstanceId" {
						t.Fatalf("ListMetrics: unexpected %+v", m)
					}
					listed = append(listed, aws.ToString(m.Dimensions[0].Value))
				}
			}
			slices.Sort(listed)
			if want := slices.Sorted(maps.Keys(values)); !slices.Equal(listed, want) {
				t.Fatalf("ListMetrics = %v, want %v", listed, want)
			}

			in := &cloudwatch.GetMetricDataInput{
				StartTime: aws.Time(t0.Add(-time.Minute)),
				EndTime:   aws.Time(t0.Add(3 * time.Minute)),
				ScanBy:    types.ScanByTimestampAscending,
			}
			for i, id := range listed {
				in.MetricDataQueries = append(in.MetricDataQueries, types.MetricDataQuery{
					Id: aws.String(fmt.Sprintf("m%d", i)),
					MetricStat: &types.MetricStat{
						Metric: &types.Metric{Namespace: aws.String(ns), MetricName: aws.String("CPUUtilization"), Dimensions: dims(id)},
						Period: aws.Int32(60),
						Stat:   aws.String("Sum"),
					},
					ReturnData: aws.Bool(true),
				})
			}
			results := map[string]types.MetricDataResult{}
			gp := cloudwatch.NewGetMetricDataPaginator(cw, in)
			for gp.HasMorePages() {
				page, err := gp.NextPage(ctx)
				if err != nil {
					t.Fatalf("GetMetricData: %v", err)
				}
				for _, r := range page.MetricDataResults {
					results[aws.ToString(r.Id)] = r
				}
			}
			wantTS := []time.Time{t0, t0.Add(time.Minute)}
			for i, id := range listed {
				r, ok := results[fmt.Sprintf("m%d", i)]
				if !ok {
					t.Fatalf("no result for %s in %+v", id, results)
				}
				if r.StatusCode != types.StatusCodeComplete || !slices.Equal(r.Values, values[id]) ||
					!slices.EqualFunc(r.Timestamps, wantTS, time.Time.Equal) {
					t.Errorf("%s: status %q, values %v at %v; want Complete, %v at %v",
						id, r.StatusCode, r.Values, r.Timestamps, values[id], wantTS)
				}
			}

			// moto's errors come back as APIErrors with the AWS code.
			_, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{NextToken: aws.String("bogus")})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
				t.Errorf("bad NextToken: err = %v (%T), want APIError InvalidParameterValue", err, err)
			}
		})
	}
}
