package awsreceiver

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The SDK clients, behind the few methods the receiver calls.
type (
	cloudwatchAPI interface {
		cloudwatch.ListMetricsAPIClient
		cloudwatch.GetMetricDataAPIClient
	}
	ec2API interface {
		ec2.DescribeInstancesAPIClient
		ec2.DescribeVpcsAPIClient
		ec2.DescribeSubnetsAPIClient
		ec2.DescribeRouteTablesAPIClient
	}
	rdsAPI     = rds.DescribeDBInstancesAPIClient
	taggingAPI = resourcegroupstaggingapi.GetResourcesAPIClient
	stsAPI     interface {
		GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	}
)

// target is one account and region, with its clients.
type target struct {
	account string // empty until resolved for the base credentials' own account
	region  string
	cw      cloudwatchAPI
	ec2     ec2API
	rds     rdsAPI
	tagging taggingAPI
	sts     stsAPI
	disc    *discovery
}

func (t *target) key() string { return t.account + "/" + t.region }

// listPrices are the public prices used for the estimated-cost self-metric, in USD per billed
// unit: CloudWatch GetMetricData $0.01 per 1,000 metrics requested, ListMetrics $0.01 per 1,000
// requests; EC2, RDS, tagging and STS reads are free.
var listPrices = map[string]float64{
	"CloudWatch.GetMetricData": 0.01 / 1000,
	"CloudWatch.ListMetrics":   0.01 / 1000,
}

// baseConfig loads the SDK configuration for the base credentials. Throttling and 5xx are
// retried by the SDK's standard retryer (exponential backoff with full jitter).
func (s *awsScraper) baseConfig(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(s.cfg.Regions[0]),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = s.cfg.MaxAttempts
				o.MaxBackoff = s.cfg.MaxBackoff
			})
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(s.cfg.Timeout)),
	}
	if s.cfg.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(s.cfg.Endpoint))
	}
	switch a := s.cfg.Auth; {
	case a.AccessKeyID != "":
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			a.AccessKeyID, string(a.SecretAccessKey), string(a.SessionToken))))
	case a.Profile != "":
		opts = append(opts, config.WithSharedConfigProfile(a.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}

// buildTargets creates the clients of every account and region this replica owns.
func (s *awsScraper) buildTargets(base aws.Config) []*target {
	type acct struct {
		id    string
		creds aws.CredentialsProvider
	}
	var accts []acct
	if len(s.cfg.Accounts) == 0 {
		accts = append(accts, acct{"", base.Credentials})
	}
	stsClient := sts.NewFromConfig(base)
	for _, a := range s.cfg.Accounts {
		ext := string(a.ExternalID)
		p := stscreds.NewAssumeRoleProvider(stsClient, a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "mcobs"
			if ext != "" {
				o.ExternalID = aws.String(ext)
			}
		})
		accts = append(accts, acct{roleARNRe.FindStringSubmatch(a.RoleARN)[1], aws.NewCredentialsCache(p)})
	}
	var out []*target
	for _, a := range accts {
		for _, region := range s.cfg.Regions {
			// The base account's id is only known after GetCallerIdentity; shard by region then.
			if !s.cfg.Shard.Owns(a.id + "/" + region) {
				continue
			}
			cfg := base.Copy()
			cfg.Region = region
			cfg.Credentials = a.creds
			t := &target{account: a.id, region: region, disc: &discovery{}}
			cfg.APIOptions = append(cfg.APIOptions, s.countCalls(t), s.billCalls(t))
			t.cw = cloudwatch.NewFromConfig(cfg)
			t.ec2 = ec2.NewFromConfig(cfg)
			t.rds = rds.NewFromConfig(cfg)
			t.tagging = resourcegroupstaggingapi.NewFromConfig(cfg)
			t.sts = sts.NewFromConfig(cfg)
			out = append(out, t)
		}
	}
	return out
}

// countCalls adds a middleware that counts every attempt (retries included) with its outcome,
// after the SDK's retry middleware, so throttles the retryer absorbed are still visible.
func (s *awsScraper) countCalls(t *target) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("mcobsCountCalls",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleFinalize(ctx, in)
				api := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
				outcome := "ok"
				switch {
				case err == nil:
				case retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary:
					outcome = "throttled"
				case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
					outcome = "timeout"
				default:
					outcome = "error"
				}
				s.tb.ReceiverAwsAPICalls.Add(ctx, 1, metric.WithAttributes(
					attribute.String("cloud.account.id", t.account), attribute.String("api", api), attribute.String("outcome", outcome)))
				return out, md, err
			}), "Retry", middleware.After)
	}
}

// billCalls adds a middleware that records the billed units of every successful operation, the
// one place the receiver's cost is counted: it wraps the whole operation (retries included),
// because CloudWatch bills a request it answered, not the attempts it throttled or failed.
// GetMetricData bills each metric requested, ListMetrics each request.
func (s *awsScraper) billCalls(t *target) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("mcobsBillCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				switch p := in.Parameters.(type) {
				case *cloudwatch.GetMetricDataInput:
					s.bill(ctx, t, "CloudWatch.GetMetricData", int64(len(p.MetricDataQueries)))
				case *cloudwatch.ListMetricsInput:
					s.bill(ctx, t, "CloudWatch.ListMetrics", 1)
				}
				return out, md, nil
			}), middleware.Before)
	}
}

// bill records billed units and their estimated cost.
func (s *awsScraper) bill(ctx context.Context, t *target, api string, units int64) {
	attrs := metric.WithAttributes(attribute.String("cloud.account.id", t.account), attribute.String("api", api))
	s.tb.ReceiverAwsBilledUnits.Add(ctx, units, attrs)
	s.tb.ReceiverAwsEstimatedCost.Add(ctx, float64(units)*listPrices[api], attrs)
}
