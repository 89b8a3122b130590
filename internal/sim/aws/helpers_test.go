package simaws_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithy "github.com/aws/smithy-go"

	"github.com/mcobs/mcobs/internal/sim"
	simaws "github.com/mcobs/mcobs/internal/sim/aws"
)

// simNow is the simulator time the tests run at: a Wednesday afternoon.
var simNow = time.Date(2026, 11, 18, 15, 0, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// noBackoff retries immediately so fault tests do not sleep.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// env is a simulator plus SDK clients signed as one account.
type env struct {
	url   string
	sim   *sim.Simulator
	clock *clock
	cfg   aws.Config
}

// newEnv starts a simulator with the config and signs as the first configured account.
func newEnv(t *testing.T, cfg sim.Config) *env {
	t.Helper()
	c := &clock{t: simNow}
	url, s := simaws.NewTestServer(t, cfg, sim.WithClock(c.Now))
	acct := cfg.AWS.Accounts[0]
	return &env{url: url, sim: s, clock: c, cfg: sdkConfig(credentials.NewStaticCredentialsProvider(acct.AccessKeyID, acct.SecretAccessKey, ""))}
}

func sdkConfig(creds aws.CredentialsProvider) aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: creds,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Backoff = noBackoff{}
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

func (e *env) cloudwatch() *cloudwatch.Client {
	return cloudwatch.NewFromConfig(e.cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(e.url) })
}

func (e *env) ec2() *ec2.Client {
	return ec2.NewFromConfig(e.cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(e.url) })
}

func (e *env) rds() *rds.Client {
	return rds.NewFromConfig(e.cfg, func(o *rds.Options) { o.BaseEndpoint = aws.String(e.url) })
}

func (e *env) sts() *sts.Client {
	return sts.NewFromConfig(e.cfg, func(o *sts.Options) { o.BaseEndpoint = aws.String(e.url) })
}

func (e *env) tagging() *resourcegroupstaggingapi.Client {
	return resourcegroupstaggingapi.NewFromConfig(e.cfg, func(o *resourcegroupstaggingapi.Options) { o.BaseEndpoint = aws.String(e.url) })
}

func ctx(t *testing.T) context.Context { return t.Context() }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// errorCode is the AWS error code the SDK parsed, or "" when err is not an API error.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
