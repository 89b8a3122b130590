package simaws_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mcobs/mcobs/internal/sim"
)

func TestLatencyFaultMeetsTheCallersDeadline(t *testing.T) {
	cfg := sim.DefaultConfig()
	// Far longer than the deadline, so the outcome does not depend on scheduling.
	cfg.Faults.Latency = time.Minute
	e := newEnv(t, cfg)
	e.cfg.RetryMaxAttempts = 1
	e.cfg.Retryer = nil
	c, cancel := context.WithTimeout(ctx(t), 100*time.Millisecond)
	defer cancel()
	_, err := e.sts().GetCallerIdentity(c, &sts.GetCallerIdentityInput{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's deadline to expire while the simulator waits", err)
	}
	if n := e.sim.Stats().CallsOf(acct1, "sts", "GetCallerIdentity"); n != 1 {
		t.Errorf("%d calls counted, want 1", n)
	}
}
