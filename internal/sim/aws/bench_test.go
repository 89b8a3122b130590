package simaws_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mcobs/mcobs/internal/sim"
	simaws "github.com/mcobs/mcobs/internal/sim/aws"
)

// BenchmarkGetMetricData measures one full GetMetricData round trip through the SDK: the
// simulator's share of a receiver benchmark.
func BenchmarkGetMetricData(b *testing.B) {
	for _, queries := range []int{50, 500} {
		b.Run(fmt.Sprintf("queries=%d", queries), func(b *testing.B) {
			cfg := sim.DefaultConfig()
			cfg.Fleet.Instances = 400
			url, s := simaws.NewTestServer(b, cfg, sim.WithClock(func() time.Time { return simNow }))
			acct := cfg.AWS.Accounts[0]
			client := cloudwatch.NewFromConfig(sdkConfig(credentials.NewStaticCredentialsProvider(acct.AccessKeyID, acct.SecretAccessKey, "")),
				func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(url) })
			var qs []types.MetricDataQuery
			for _, ser := range s.Fleet().SeriesIn(acct.ID, "us-east-1") {
				if len(qs) == queries {
					break
				}
				qs = append(qs, types.MetricDataQuery{
					Id: aws.String(fmt.Sprintf("q%d", len(qs))),
					MetricStat: &types.MetricStat{
						Metric: &types.Metric{Namespace: aws.String(ser.Namespace), MetricName: aws.String(ser.MetricName), Dimensions: dims(ser.Dimensions)},
						Period: aws.Int32(60), Stat: aws.String("Average"),
					},
				})
			}
			in := &cloudwatch.GetMetricDataInput{MetricDataQueries: qs, StartTime: aws.Time(simNow.Add(-15 * time.Minute)), EndTime: aws.Time(simNow.Add(-5 * time.Minute))}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.GetMetricData(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func dims(ds []sim.Dimension) []types.Dimension {
	var out []types.Dimension
	for _, d := range ds {
		out = append(out, types.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
	}
	return out
}
