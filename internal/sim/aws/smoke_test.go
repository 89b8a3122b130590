package simaws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mcobs/mcobs/internal/sim"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t, sim.DefaultConfig())
	lm, err := e.cloudwatch().ListMetrics(ctx(t), &cloudwatch.ListMetricsInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("metrics: %d next %v", len(lm.Metrics), lm.NextToken)
	di, err := e.ec2().DescribeInstances(ctx(t), &ec2.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reservations: %d", len(di.Reservations))
	id, err := e.sts().GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("identity: %s", *id.Arn)
}
