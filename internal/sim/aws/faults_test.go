package simaws_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	tagging "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithy "github.com/aws/smithy-go"

	"github.com/mcobs/mcobs/internal/sim"
)

// operations calls one operation of each simulated service.
var operations = []struct {
	service, operation string
	call               func(t *testing.T, e *env) error
}{
	{"monitoring", "ListMetrics", func(t *testing.T, e *env) error {
		_, err := e.cloudwatch().ListMetrics(ctx(t), &cloudwatch.ListMetricsInput{})
		return err
	}},
	{"ec2", "DescribeInstances", func(t *testing.T, e *env) error {
		_, err := e.ec2().DescribeInstances(ctx(t), &ec2.DescribeInstancesInput{})
		return err
	}},
	{"rds", "DescribeDBInstances", func(t *testing.T, e *env) error {
		_, err := e.rds().DescribeDBInstances(ctx(t), &rds.DescribeDBInstancesInput{})
		return err
	}},
	{"sts", "GetCallerIdentity", func(t *testing.T, e *env) error {
		_, err := e.sts().GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
		return err
	}},
	{"tagging", "GetResources", func(t *testing.T, e *env) error {
		_, err := e.tagging().GetResources(ctx(t), &tagging.GetResourcesInput{})
		return err
	}},
}

func TestFaultsReachTheSDKAsTheRightErrors(t *testing.T) {
	throttleCodes := map[string]string{
		"monitoring": "Throttling", "ec2": "RequestLimitExceeded", "rds": "Throttling",
		"sts": "Throttling", "tagging": "ThrottledException",
	}
	serverCodes := map[string]string{"ec2": "InternalError"}
	expiredCodes := map[string]string{"tagging": "ExpiredTokenException"}

	f := func(kind string, set func(*sim.FaultConfig), check func(t *testing.T, service string, err error), wantCalls int) {
		t.Helper()
		for _, op := range operations {
			cfg := sim.DefaultConfig()
			set(&cfg.Faults)
			e := newEnv(t, cfg)
			err := op.call(t, e)
			if err == nil {
				t.Errorf("%s %s: no error", kind, op.operation)
				continue
			}
			check(t, op.service, err)
			st := e.sim.Stats()
			if n := st.CallsOf(acct1, op.service, op.operation); n != wantCalls {
				t.Errorf("%s %s: %d calls reached the simulator, want %d", kind, op.operation, n, wantCalls)
			}
			if n := st.FaultsOf(kind, op.operation); n != wantCalls {
				t.Errorf("%s %s: %d faults counted, want %d", kind, op.operation, n, wantCalls)
			}
		}
	}
	// Throttling: the retryer sees a throttle error and retries up to MaxAttempts.
	f(sim.FaultThrottle, func(c *sim.FaultConfig) { c.ThrottleRate = 1 }, func(t *testing.T, service string, err error) {
		var exhausted *retry.MaxAttemptsError
		if code := errorCode(err); code != throttleCodes[service] || !errors.As(err, &exhausted) {
			t.Errorf("%s throttled: code %q, retries exhausted %v (%v)", service, code, exhausted != nil, err)
		}
		if !(retry.ThrottleErrorCode{Codes: retry.DefaultThrottleErrorCodes}).IsErrorThrottle(err).Bool() {
			t.Errorf("%s: the SDK does not classify %v as throttling", service, err)
		}
	}, 3)
	// 5xx: retried, HTTP 500 InternalFailure (EC2: InternalError).
	f(sim.FaultServerError, func(c *sim.FaultConfig) { c.ServerErrorRate = 1 }, func(t *testing.T, service string, err error) {
		var re *awshttp.ResponseError
		want := "InternalFailure"
		if c, ok := serverCodes[service]; ok {
			want = c
		}
		if !errors.As(err, &re) || re.HTTPStatusCode() != 500 || errorCode(err) != want {
			t.Errorf("%s server error: %v, want HTTP 500 %s", service, err, want)
		}
	}, 3)
	// Expired credentials: not retried.
	f(sim.FaultExpired, func(c *sim.FaultConfig) { c.ExpiredCredentialsRate = 1 }, func(t *testing.T, service string, err error) {
		want := "ExpiredToken"
		if c, ok := expiredCodes[service]; ok {
			want = c
		}
		if code := errorCode(err); code != want {
			t.Errorf("%s expired: code %q (%v), want %s", service, code, err, want)
		}
	}, 1)
	// Malformed body: the deserializer fails; the SDK does not retry it.
	f(sim.FaultMalformed, func(c *sim.FaultConfig) { c.MalformedRate = 1 }, func(t *testing.T, service string, err error) {
		var de *smithy.DeserializationError
		if !errors.As(err, &de) {
			t.Errorf("%s malformed: %v, want a *smithy.DeserializationError", service, err)
		}
	}, 1)
}

func TestFaultsAreScopedAndDeterministic(t *testing.T) {
	outcomes := func(seed int64) []string {
		cfg := sim.DefaultConfig()
		cfg.Seed = seed
		cfg.Faults.ThrottleRate = 0.3
		cfg.Faults.ServerErrorRate = 0.2
		cfg.Faults.Operations = []string{"DescribeInstances"}
		e := newEnv(t, cfg)
		e.cfg.RetryMaxAttempts = 1
		e.cfg.Retryer = nil
		var out []string
		for range 30 {
			err := operations[1].call(t, e)
			out = append(out, errorCode(err))
		}
		// Operations not listed are never faulted.
		for range 10 {
			if _, err := e.ec2().DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}); err != nil {
				t.Fatalf("DescribeVpcs is not in faults.operations but failed: %v", err)
			}
		}
		st := e.sim.Stats()
		if faults := st.FaultsOf(sim.FaultThrottle, "") + st.FaultsOf(sim.FaultServerError, ""); faults == 0 || faults == 30 {
			t.Errorf("seed %d: %d of 30 calls faulted at a 50%% rate", seed, faults)
		}
		return out
	}
	a, b, c := outcomes(3), outcomes(3), outcomes(4)
	if len(a) != len(b) || !equal(a, b) {
		t.Errorf("same seed, different fault sequences:\n%q\n%q", a, b)
	}
	if equal(a, c) {
		t.Errorf("seeds 3 and 4 gave the same fault sequence %q", a)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFaultsCanTargetOneAccount(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Faults.ServerErrorRate = 1
	cfg.Faults.Accounts = []string{acct2}
	e := newEnv(t, cfg)
	if _, err := e.sts().GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("account %s is not in faults.accounts but failed: %v", acct1, err)
	}
	other := cfg.AWS.Accounts[1]
	e.cfg.Credentials = credentials.NewStaticCredentialsProvider(other.AccessKeyID, other.SecretAccessKey, "")
	if _, err := e.sts().GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); errorCode(err) != "InternalFailure" {
		t.Errorf("account %s: %v, want InternalFailure", acct2, err)
	}
}
