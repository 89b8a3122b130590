package awsreceiver

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/cwprotocol"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/mototest"
)

func TestZZDebugMoto(t *testing.T) {
	endpoint := mototest.Start(t)
	f := seedMoto(t, endpoint)
	cfg := aws.Config{Region: motoRegion, Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""), BaseEndpoint: aws.String(endpoint)}
	ec := ec2.NewFromConfig(cfg)
	vol, err := ec.CreateVolume(t.Context(), &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(8),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVolume, Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(cfg, cwprotocol.Options("query")...)
	var data []cwtypes.MetricDatum
	for i, m := range f.minutes {
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String("VolumeReadBytes"), Value: aws.Float64(float64(100 * i)), Timestamp: aws.Time(m),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("VolumeId"), Value: vol.VolumeId}}})
	}
	if _, err := cw.PutMetricData(t.Context(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/EBS"), MetricData: data}); err != nil {
		t.Fatal(err)
	}
	for _, tf := range []map[string]any{nil, {"team": []any{"payments"}}} {
		keys := map[string]any{
			"endpoint": endpoint, "cloudwatch_protocol": "query", "regions": []any{motoRegion},
			"auth":          map[string]any{"access_key_id": "test", "secret_access_key": "test"},
			"initial_delay": "10ms", "collection_interval": "1m", "delay": "0s", "max_backfill": "30m",
			"namespaces": []any{"AWS/EC2", "AWS/EBS", "CWAgent", "AWS/RDS"},
			"metrics":    map[string]any{"AWS/EC2": map[string]any{"statistics": []any{"Average", "Maximum"}}},
		}
		if tf != nil {
			keys["tag_filters"] = tf
		}
		md, tel := runOnce(t, keys)
		for _, n := range []string{cloudscrape.MetricAPIRequests, cloudscrape.MetricBilledUnits} {
			t.Logf("%s: %v", n, selfMetric(t, tel, n))
		}
		pts := pointsByMetric(md)
		var names []string
		for n, ps := range pts {
			names = append(names, fmt.Sprintf("%s: %d", n, len(ps)))
		}
		sort.Strings(names)
		t.Log(names)
		t.Log(collectionStatus(md))
		for n, ps := range pts {
			if len(n) > 4 && n[:4] == "aws." {
				t.Log(n, ps[0].res, ps[0].attrs, ps[0].v, len(ps))
			}
		}
	}
	_ = time.Now
}
