package simaws_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mcobs/mcobs/internal/sim"
)

const acct2 = "222222222222"

func TestBadSignatureIsRejected(t *testing.T) {
	cfg := sim.DefaultConfig()
	e := newEnv(t, cfg)
	e.cfg.Credentials = credentials.NewStaticCredentialsProvider(cfg.AWS.Accounts[0].AccessKeyID, "wrong-secret", "")
	_, err := e.cloudwatch().ListMetrics(ctx(t), &cloudwatch.ListMetricsInput{})
	if code := errorCode(err); code != "SignatureDoesNotMatch" {
		t.Errorf("CloudWatch: code %q (%v), want SignatureDoesNotMatch", code, err)
	}
	_, err = e.ec2().DescribeInstances(ctx(t), &ec2.DescribeInstancesInput{})
	if code := errorCode(err); code != "SignatureDoesNotMatch" {
		t.Errorf("EC2: code %q (%v), want SignatureDoesNotMatch", code, err)
	}
	e.cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIAUNKNOWNUNKNOWN00", "x", "")
	_, err = e.sts().GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if code := errorCode(err); code != "InvalidClientTokenId" {
		t.Errorf("unknown key: code %q (%v), want InvalidClientTokenId", code, err)
	}
	st := e.sim.Stats()
	if st.RejectedFor("signature_mismatch") != 2 || st.RejectedFor("unknown_access_key") != 1 || len(st.Calls) != 0 {
		t.Errorf("stats = %+v, want 2 signature mismatches, 1 unknown key and no counted calls", st)
	}
}

func TestAssumeRole(t *testing.T) {
	cfg := sim.DefaultConfig()
	e := newEnv(t, cfg)
	roleArn := "arn:aws:iam::" + acct2 + ":role/mcobs-reader"

	_, err := e.sts().AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String(roleArn), RoleSessionName: aws.String("mcobs"), ExternalId: aws.String("wrong")})
	if code := errorCode(err); code != "AccessDenied" {
		t.Fatalf("wrong ExternalId: code %q (%v), want AccessDenied", code, err)
	}
	_, err = e.sts().AssumeRole(ctx(t), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct2 + ":role/nope"), RoleSessionName: aws.String("mcobs"), ExternalId: aws.String("mcobs-external-id")})
	if code := errorCode(err); code != "AccessDenied" {
		t.Fatalf("unknown role: code %q (%v), want AccessDenied", code, err)
	}

	// The SDK's assume-role provider, as the receiver will use it.
	provider := stscreds.NewAssumeRoleProvider(e.sts(), roleArn, func(o *stscreds.AssumeRoleOptions) {
		o.ExternalID = aws.String("mcobs-external-id")
		o.Duration = 15 * time.Minute
	})
	assumed := &env{url: e.url, sim: e.sim, clock: e.clock, cfg: sdkConfig(aws.NewCredentialsCache(provider))}
	id, err := assumed.sts().GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Account) != acct2 || !strings.HasPrefix(aws.ToString(id.Arn), "arn:aws:sts::"+acct2+":assumed-role/mcobs-reader/") {
		t.Errorf("caller identity = %s %s, want account %s", aws.ToString(id.Account), aws.ToString(id.Arn), acct2)
	}
	// The temporary credentials see the other account's fleet.
	got, _ := listAll(t, assumed, &cloudwatch.ListMetricsInput{})
	if want := len(e.sim.Fleet().SeriesIn(acct2, "us-east-1")); len(got) != want {
		t.Errorf("assumed role lists %d metrics, account %s has %d", len(got), acct2, want)
	}
	if n := e.sim.Stats().CallsOf(acct2, "monitoring", "ListMetrics"); n == 0 {
		t.Error("calls with assumed credentials are not counted for the role's account")
	}

	// The SDK's credential cache keeps the session: one AssumeRole for all those calls.
	if n := e.sim.Stats().CallsOf(acct1, "sts", "AssumeRole"); n != 3 {
		t.Errorf("%d AssumeRole calls, want 3: two refused and one whose credentials the SDK caches", n)
	}
	// The credentials expire on the simulator's clock.
	creds, err := provider.Retrieve(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(simNow.Add(15 * time.Minute))
	stale := &env{url: e.url, sim: e.sim, cfg: sdkConfig(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken))}
	_, err = stale.cloudwatch().ListMetrics(ctx(t), &cloudwatch.ListMetricsInput{})
	if code := errorCode(err); code != "ExpiredToken" {
		t.Errorf("expired session: code %q (%v), want ExpiredToken", code, err)
	}
	// A session token is required with the temporary key.
	noToken := &env{url: e.url, sim: e.sim, cfg: sdkConfig(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, ""))}
	_, err = noToken.sts().GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if code := errorCode(err); code != "InvalidClientTokenId" {
		t.Errorf("missing session token: code %q (%v), want InvalidClientTokenId", code, err)
	}
}

func TestSimEndpoints(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	for range 3 {
		if _, err := e.ec2().DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	var health struct {
		Status string    `json:"status"`
		Now    time.Time `json:"now"`
	}
	getJSON(t, e.url+"/sim/health", &health)
	if health.Status != "ok" || !health.Now.Equal(simNow) {
		t.Errorf("/sim/health = %+v, want ok at the simulator's time %v", health, simNow)
	}
	var st sim.Stats
	getJSON(t, e.url+"/sim/stats", &st)
	if n := st.CallsOf(acct1, "ec2", "DescribeVpcs"); n != 3 || len(st.Calls) != 1 {
		t.Errorf("/sim/stats = %+v, want exactly 3 DescribeVpcs calls", st)
	}
	resp, err := http.Post(e.url+"/sim/stats/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	getJSON(t, e.url+"/sim/stats", &st)
	if len(st.Calls) != 0 {
		t.Errorf("after reset: %+v", st)
	}
	var truth struct {
		Seed      int64         `json:"seed"`
		Anomalies []sim.Anomaly `json:"anomalies"`
	}
	getJSON(t, e.url+"/sim/truth", &truth)
	// anomalies.count on each cloud's fleet.
	perCloud := map[string]int{}
	for _, a := range truth.Anomalies {
		perCloud[a.Cloud]++
	}
	if n := sim.DefaultConfig().Anomalies.Count; perCloud["aws"] != n || perCloud["azure"] != n || truth.Seed != 1 {
		t.Errorf("/sim/truth: seed %d, anomalies per cloud %v, want seed 1 and %d on each", truth.Seed, perCloud, n)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", url, err)
	}
}

func TestUnsignedAndUnknownRequests(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	resp, err := http.Post(e.url+"/", "application/x-www-form-urlencoded", strings.NewReader("Action=DescribeInstances&Version=2016-11-15"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body := new(strings.Builder)
	_, _ = io.Copy(body, resp.Body)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body.String(), "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned request: %s %s", resp.Status, body)
	}
	// An operation the simulator does not implement, signed correctly.
	_, err = e.cloudwatch().DescribeAlarms(ctx(t), &cloudwatch.DescribeAlarmsInput{})
	if code := errorCode(err); code != "UnknownOperationException" {
		t.Errorf("DescribeAlarms: code %q (%v), want UnknownOperationException", code, err)
	}
	// An instance of another account is not found.
	var other string
	for _, in := range e.sim.Fleet().InstancesIn(acct2, "us-east-1") {
		other = in.ID
	}
	_, err = e.ec2().DescribeInstances(ctx(t), &ec2.DescribeInstancesInput{InstanceIds: []string{other}})
	if code := errorCode(err); code != "InvalidInstanceID.NotFound" {
		t.Errorf("other account's instance: code %q (%v), want InvalidInstanceID.NotFound", code, err)
	}
	if st := e.sim.Stats(); st.RejectedFor("missing_authentication") != 1 {
		t.Errorf("stats: %+v, want one unsigned request rejected", st)
	}
}
