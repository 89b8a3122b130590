package awsreceiver

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
)

// TestQueryStatusIsAnError: a GetMetricData result with StatusCode InternalError or Forbidden
// is that query's failure (classified by its status), never an empty success that would
// complete the window and leave a gap.
func TestQueryStatusIsAnError(t *testing.T) {
	tg := &awsTarget{cfg: createDefaultConfig().(*Config)}
	f := func(status cwtypes.StatusCode, wantErr bool, wantClass cloudscrape.ErrorClass) {
		t.Helper()
		var res cloudscrape.Result
		tg.accept(&res, native{}, cwtypes.MetricDataResult{
			StatusCode: status,
			Timestamps: []time.Time{simStart},
			Values:     []float64{1},
			Messages:   []cwtypes.MessageData{{Code: aws.String("Forbidden"), Value: aws.String("not authorized")}},
		})
		if (res.Err != nil) != wantErr {
			t.Fatalf("%s: error %v, want error %v", status, res.Err, wantErr)
		}
		if !wantErr {
			if len(res.Samples) != 1 {
				t.Errorf("%s: %d samples, want 1", status, len(res.Samples))
			}
			return
		}
		if class, code := (*provider)(nil).Classify(res.Err); class != wantClass || code != string(status) {
			t.Errorf("%s: classified %v %q, want %v %q", status, class, code, wantClass, status)
		}
	}
	f(cwtypes.StatusCodeComplete, false, 0)
	// PartialData: more pages follow, the paginator asks for them.
	f(cwtypes.StatusCodePartialData, false, 0)
	f(cwtypes.StatusCodeInternalError, true, cloudscrape.Transient)
	f(cwtypes.StatusCodeForbidden, true, cloudscrape.Permanent)
}

// countingCreds counts how often credentials are fetched.
type countingCreds struct{ n int }

func (c *countingCreds) Retrieve(context.Context) (aws.Credentials, error) {
	c.n++
	return aws.Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s", CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
}

// TestResetCredentialsRefetches: after AWS refused a cached token, the target's next call signs
// in again instead of reusing the token until its stated expiry.
func TestResetCredentialsRefetches(t *testing.T) {
	src := &countingCreds{}
	tg := &awsTarget{creds: aws.NewCredentialsCache(src)}
	ctx := context.Background()
	for range 2 {
		if _, err := tg.creds.Retrieve(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tg.ResetCredentials()
	if _, err := tg.creds.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if src.n != 2 {
		t.Errorf("credentials fetched %d times, want 2 (once, then once after the reset)", src.n)
	}
	if class, code := (*provider)(nil).Classify(errors.Join(errors.New("x"), &queryError{status: "ExpiredToken"})); class != cloudscrape.Auth || code != "ExpiredToken" {
		t.Errorf("ExpiredToken classified %v %q, want auth", class, code)
	}
}

func cwMetric(ns, name string, dims ...string) cwtypes.Metric {
	m := cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(name)}
	for i := 0; i+1 < len(dims); i += 2 {
		m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
	return m
}

// TestPlanSelectsWhatTheUserAsks checks the per-namespace selection of metrics and statistics,
// native names for metrics without a mapping, and tag-based resources for any namespace.
func TestPlanSelectsWhatTheUserAsks(t *testing.T) {
	lbARN := "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/123"
	discovered := []cwtypes.Metric{
		cwMetric("AWS/EC2", "CPUUtilization", "InstanceId", "i-1"),
		cwMetric("AWS/EC2", "NetworkIn", "InstanceId", "i-1"),
		cwMetric("AWS/EC2", "CPUCreditBalance", "InstanceId", "i-1"),
		cwMetric("AWS/EC2", "CPUUtilization", "InstanceId", "i-gone"),
		cwMetric("AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/web/123"),
		cwMetric("AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/other/456"),
	}
	f := func(name string, mod func(*Config, *awsTarget), want ...string) {
		t.Helper()
		cfg := createDefaultConfig().(*Config)
		cfg.Namespaces = append(cfg.Namespaces, "AWS/ApplicationELB")
		tg := &awsTarget{cfg: cfg}
		inv := &cloudscrape.Inventory{Resources: map[string]*cloudscrape.Resource{"i-1": {ID: "i-1"}}}
		if mod != nil {
			mod(cfg, tg)
		}
		if tg.tagIndex != nil {
			inv.Resources[lbARN] = &cloudscrape.Resource{ID: lbARN}
		}
		var got []string
		for _, q := range tg.plan(discovered, inv) {
			n := q.Native.(native)
			got = append(got, q.Resource+" "+q.Metric.Name+" "+aws.ToString(n.metric.MetricName)+"/"+n.stat)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", name, got, want)
		}
	}
	// Defaults: mapped EC2 metrics of known instances with their statistics; the unmapped rest
	// of AWS/EC2 is not billed unasked; a namespace without mappings is collected natively.
	f("defaults", nil,
		"i-1 system.cpu.utilization CPUUtilization/Average",
		"i-1 system.network.io NetworkIn/Sum",
		" aws.aws.applicationelb.RequestCount RequestCount/Average",
		" aws.aws.applicationelb.RequestCount RequestCount/Average")
	// Names and statistics per namespace: the named EC2 metrics, canonical and native.
	f("selection", func(c *Config, _ *awsTarget) {
		c.Metrics = map[string]MetricSelection{
			"AWS/EC2":            {Names: []string{"CPUUtilization", "NetworkIn", "CPUCreditBalance"}, Statistics: []string{"Average", "Maximum"}},
			"AWS/ApplicationELB": {Statistics: []string{"Sum"}},
		}
	},
		"i-1 system.cpu.utilization CPUUtilization/Average",
		"i-1 aws.aws.ec2.CPUUtilization CPUUtilization/Maximum",
		// A mapped metric keeps its canonical statistic (Sum) whatever is listed.
		"i-1 system.network.io NetworkIn/Sum",
		"i-1 aws.aws.ec2.NetworkIn NetworkIn/Average",
		"i-1 aws.aws.ec2.NetworkIn NetworkIn/Maximum",
		"i-1 aws.aws.ec2.CPUCreditBalance CPUCreditBalance/Average",
		"i-1 aws.aws.ec2.CPUCreditBalance CPUCreditBalance/Maximum",
		" aws.aws.applicationelb.RequestCount RequestCount/Sum",
		" aws.aws.applicationelb.RequestCount RequestCount/Sum")
	// Tag filters: the load balancer whose ARN the tags matched is the metric's resource; the
	// untagged one is dropped, as are instances the filters did not keep.
	f("tags", func(_ *Config, tg *awsTarget) {
		a, _ := arn.Parse(lbARN)
		tg.allowed = map[string]bool{}
		tg.tagIndex = map[string][]arn.ARN{"123": {a}}
	},
		lbARN+" aws.aws.applicationelb.RequestCount RequestCount/Average")
}

// TestAgentMarkersNeedAgentDiscovery: without discovering CWAgent nobody knows where the agent
// runs, so no instance is marked as lacking it.
func TestAgentMarkersNeedAgentDiscovery(t *testing.T) {
	inv := &cloudscrape.Inventory{Resources: map[string]*cloudscrape.Resource{
		"i-1": {ID: "i-1", Platform: canonical.PlatformAWSEC2, State: cloudscrape.InstanceRunning},
	}}
	f := func(namespaces []string, want int) {
		t.Helper()
		cfg := createDefaultConfig().(*Config)
		cfg.Namespaces = namespaces
		if got := len((&awsTarget{cfg: cfg}).unsupported(nil, inv)); got != want {
			t.Errorf("namespaces %v: %d markers, want %d", namespaces, got, want)
		}
	}
	f([]string{"AWS/EC2", "CWAgent"}, 2) // agent discovered, none on i-1: memory and filesystem
	f([]string{"AWS/EC2"}, 0)
}
