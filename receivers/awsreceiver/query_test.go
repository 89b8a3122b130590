package awsreceiver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

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
