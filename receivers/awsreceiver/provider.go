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
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/mcobs/mcobs/internal/canonical"
	"github.com/mcobs/mcobs/internal/cloudscrape"
	"github.com/mcobs/mcobs/receivers/awsreceiver/internal/cwprotocol"
)

// provider is AWS on the collection loop: a target per account and region.
type provider struct {
	cfg *Config
}

func (*provider) Name() string { return canonical.ProviderAWS }

// listPrices are the public prices used for the estimated-cost self-metric, in USD per billed
// unit: CloudWatch GetMetricData $0.01 per 1,000 metrics requested, ListMetrics $0.01 per 1,000
// requests; EC2, RDS, tagging and STS reads are free.
var listPrices = map[string]float64{
	"GetMetricData": 0.01 / 1000,
	"ListMetrics":   0.01 / 1000,
}

// authCodes are the error codes of refused or expired credentials.
var authCodes = map[string]bool{
	"ExpiredToken": true, "ExpiredTokenException": true, "RequestExpired": true,
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
	"InvalidClientTokenId": true, "UnrecognizedClientException": true, "AuthFailure": true,
	"SignatureDoesNotMatch": true, "InvalidAccessKeyId": true,
}

// Classify reads the AWS error code: throttling, refused credentials, client or server fault.
func (*provider) Classify(err error) (cloudscrape.ErrorClass, string) {
	var ae smithy.APIError
	var de *smithy.DeserializationError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return cloudscrape.Transient, "timeout"
	case errors.As(err, &ae):
		code := ae.ErrorCode()
		switch {
		case retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary:
			return cloudscrape.Throttled, code
		case authCodes[code]:
			return cloudscrape.Auth, code
		case ae.ErrorFault() == smithy.FaultClient:
			return cloudscrape.Permanent, code
		}
		return cloudscrape.Transient, code
	case errors.As(err, &de):
		return cloudscrape.Transient, "malformed"
	}
	return cloudscrape.Transient, "error"
}

// Targets creates the clients of every account and region.
func (p *provider) Targets(ctx context.Context, tel *cloudscrape.Telemetry) ([]cloudscrape.Target, error) {
	base, err := p.baseConfig(ctx)
	if err != nil {
		return nil, err
	}
	type acct struct {
		id    string
		creds aws.CredentialsProvider
	}
	var accts []acct
	if len(p.cfg.Accounts) == 0 {
		accts = append(accts, acct{"", base.Credentials})
	}
	for _, a := range p.cfg.Accounts {
		id := roleARNRe.FindStringSubmatch(a.RoleARN)[1]
		// AssumeRole is an API call like any other: counted against the account it opens.
		stsCfg := base.Copy()
		stsCfg.APIOptions = append(stsCfg.APIOptions, countCalls(tel, func() string { return id }))
		ext := string(a.ExternalID)
		ap := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(stsCfg), a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "mcobs"
			if ext != "" {
				o.ExternalID = aws.String(ext)
			}
		})
		accts = append(accts, acct{id, aws.NewCredentialsCache(ap)})
	}
	var out []cloudscrape.Target
	for _, a := range accts {
		for _, region := range p.cfg.Regions {
			cfg := base.Copy()
			cfg.Region = region
			cfg.Credentials = a.creds
			t := &awsTarget{cfg: p.cfg, account: a.id, region: region}
			if cc, ok := a.creds.(*aws.CredentialsCache); ok {
				t.creds = cc
			}
			account := func() string { return t.account }
			cfg.APIOptions = append(cfg.APIOptions, countCalls(tel, account), billCalls(tel, account))
			t.cw = cloudwatch.NewFromConfig(cfg, cwprotocol.Options(p.cfg.CloudWatchProtocol)...)
			t.ec2 = ec2.NewFromConfig(cfg)
			t.rds = rds.NewFromConfig(cfg)
			t.tagging = resourcegroupstaggingapi.NewFromConfig(cfg)
			t.sts = sts.NewFromConfig(cfg)
			out = append(out, t)
		}
	}
	return out, nil
}

// baseConfig loads the SDK configuration for the base credentials. Throttling and 5xx are
// retried per call by the SDK's standard retryer (exponential backoff with full jitter), with
// the loop's retry settings.
func (p *provider) baseConfig(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(p.cfg.Regions[0]),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = p.cfg.Retry.MaxAttempts
				o.MaxBackoff = p.cfg.Retry.MaxBackoff
			})
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(p.cfg.Timeout)),
	}
	if p.cfg.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(p.cfg.Endpoint))
	}
	switch a := p.cfg.Auth; {
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

// outcome is the request self-metric's outcome of one attempt.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	class, code := (*provider)(nil).Classify(err)
	if code == "timeout" {
		return "timeout"
	}
	return class.Outcome()
}

// countCalls adds a middleware that counts every attempt (retries included) with its outcome,
// after the SDK's retry middleware, so throttles the retryer absorbed are still visible.
func countCalls(tel *cloudscrape.Telemetry, account func() string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("mcobsCountCalls",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleFinalize(ctx, in)
				acct := account()
				if id, ok := out.Result.(*sts.GetCallerIdentityOutput); ok && acct == "" {
					// The call that finds the base credentials' account is that account's: the
					// target learns it only once the call has returned.
					acct = aws.ToString(id.Account)
				}
				tel.Request(ctx, acct, awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), outcome(err))
				return out, md, err
			}), "Retry", middleware.After)
	}
}

// billCalls adds a middleware that records the billed units of every successful operation, the
// one place the receiver's cost is counted: it wraps the whole operation (retries included),
// because CloudWatch bills a request it answered, not the attempts it throttled or failed.
// GetMetricData bills each metric requested, ListMetrics each request.
func billCalls(tel *cloudscrape.Telemetry, account func() string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("mcobsBillCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				var op string
				var units int64
				switch p := in.Parameters.(type) {
				case *cloudwatch.GetMetricDataInput:
					op, units = "GetMetricData", int64(len(p.MetricDataQueries))
				case *cloudwatch.ListMetricsInput:
					op, units = "ListMetrics", 1
				default:
					return out, md, nil
				}
				tel.Bill(ctx, account(), "CloudWatch", op, units, listPrices[op])
				return out, md, nil
			}), middleware.Before)
	}
}
