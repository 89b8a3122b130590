package awsreceiver

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mcobs/mcobs/internal/cloudscrape"
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

// awsTarget is one account and region, with its clients.
type awsTarget struct {
	cfg     *Config
	account string // empty until resolved for the base credentials' own account
	region  string
	creds   *aws.CredentialsCache // nil for credentials that do not expire
	cw      cloudwatchAPI
	ec2     ec2API
	rds     rdsAPI
	tagging taggingAPI
	sts     stsAPI
	// allowed are the EC2 and RDS instances the tag filters keep (nil: all), and tagIndex the
	// other tagged resources by the last segment of their ARN, both read with the inventory.
	allowed  map[string]bool
	tagIndex map[string][]arn.ARN
}

var _ cloudscrape.CredentialResetter = (*awsTarget)(nil)

func (t *awsTarget) Key() string     { return t.account + "/" + t.region }
func (t *awsTarget) Account() string { return t.account }
func (t *awsTarget) Region() string  { return t.region }

// ResetCredentials drops cached (assumed-role) credentials after AWS refused them, so the next
// poll assumes the role again instead of reusing a token that expired early or was revoked.
func (t *awsTarget) ResetCredentials() {
	if t.creds != nil {
		t.creds.Invalidate()
	}
}

// Inventory resolves the account of the base credentials on first use, then reads instances,
// databases, VPCs and the tag filters' resources.
func (t *awsTarget) Inventory(ctx context.Context) (*cloudscrape.Inventory, error) {
	if t.account == "" {
		out, err := t.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("STS GetCallerIdentity: %w", err)
		}
		t.account = aws.ToString(out.Account)
	}
	inv, err := t.collectInventory(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.applyTagFilters(ctx, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// Discover lists the metrics of the configured namespaces and plans their queries.
func (t *awsTarget) Discover(ctx context.Context, inv *cloudscrape.Inventory) (*cloudscrape.Plan, error) {
	metrics, err := t.listMetrics(ctx)
	if err != nil {
		return nil, err
	}
	return &cloudscrape.Plan{
		Queries:     t.plan(metrics, inv),
		Unsupported: t.unsupported(metrics, inv),
	}, nil
}

// Cost is what CloudWatch bills for a GetMetricData of qs: one unit per metric requested,
// whatever the number of points.
func (t *awsTarget) Cost(qs []cloudscrape.Query) int { return len(qs) }

// Fetch runs the queries in ceil(len/500) GetMetricData requests.
func (t *awsTarget) Fetch(ctx context.Context, qs []cloudscrape.Query, start, end time.Time) ([]cloudscrape.Result, error) {
	return t.fetch(ctx, qs, start, end)
}
