package cloudscrape

import (
	"context"
	"errors"
	"time"

	"github.com/mcobs/mcobs/internal/canonical"
)

// Provider is what a cloud adds to the loop: its targets and how to read its errors. Everything
// else (windows, checkpoints, budget, concurrency, emission, self-metrics) is the loop's.
type Provider interface {
	// Name is the cloud.provider value: aws, azure, gcp.
	Name() string
	// Targets returns every unit polled on its own (account × region, or whatever the cloud
	// splits by). The loop calls it at the first poll, and at each next one until it succeeds,
	// so it may call the cloud (to list the subscriptions an identity can see); a failure is
	// reported in the collection status, never a failed start. Targets record their API
	// requests and billed units in tel.
	Targets(ctx context.Context, tel *Telemetry) ([]Target, error)
	// Classify says what an API error means, with a short code for the collection status
	// (AccessDenied, ExpiredToken, Throttling, timeout).
	Classify(err error) (ErrorClass, string)
}

// Target is one unit of collection with its own clients, checkpoint and status.
type Target interface {
	// Key identifies the target in checkpoints and sharding: stable across restarts, and known
	// after the first successful Inventory at the latest.
	Key() string
	// Account is the cloud.account.id (an AWS account, an Azure subscription, a GCP project).
	Account() string
	// Region is the cloud.region, or "" for a target that spans regions.
	Region() string
	// Inventory reads the target's resources; the loop reuses it for inventory_interval.
	Inventory(ctx context.Context) (*Inventory, error)
	// Discover plans the queries for inv's resources; the loop reuses the plan for
	// discovery_interval.
	Discover(ctx context.Context, inv *Inventory) (*Plan, error)
	// Fetch returns the samples of qs in [start, end), results[i] for qs[i], each in time
	// order. A query the API answered with an error has it in results[i].Err; a failed call
	// returns err with whatever results arrived before it.
	Fetch(ctx context.Context, qs []Query, start, end time.Time) ([]Result, error)
	// Cost is the billed units of one Fetch of qs, what the budget is spent in.
	Cost(qs []Query) int
}

// CredentialResetter is implemented by a target whose cached credentials can go stale: the loop
// calls it after an auth error, so the next poll signs in again instead of reusing a token the
// cloud already refused.
type CredentialResetter interface {
	ResetCredentials()
}

// SettleDelayer is implemented by a target whose cloud states how long a period's value takes
// to become final (Cloud Monitoring's metric descriptors give an ingest delay): the loop waits
// the longer of it and `delay`. It is read after each discovery.
type SettleDelayer interface {
	SettleDelay() time.Duration
}

// ErrorClass is what the loop does about an error.
type ErrorClass int

const (
	// Transient errors (5xx, timeouts, malformed responses) are retried at the next poll.
	Transient ErrorClass = iota
	// Throttled means the API refused for rate: the next poll retries, the SDK has backed off.
	Throttled
	// Auth means the credentials were refused or expired: they are reset before the next poll.
	Auth
	// Permanent errors (a bad request, a missing resource) will not pass by retrying.
	Permanent
)

var classNames = [...]string{Transient: "error", Throttled: "throttled", Auth: "auth", Permanent: "error"}

// Outcome is the class's value of the `outcome` attribute of the API request self-metric.
func (c ErrorClass) Outcome() string { return classNames[c] }

// Resource is one cloud resource (an instance, a database) whose metrics share its attributes.
type Resource struct {
	ID string
	// Platform is the cloud.platform value (aws_ec2, azure_vm).
	Platform string
	// State is the normalized instance state counted in the inventory metric (InstanceRunning,
	// InstanceStopped, InstanceOther), or "" for a resource that is not counted.
	State string
	// Attrs are the resource attributes beyond cloud.provider, cloud.account.id, cloud.region
	// and cloud.platform, which the emitter sets.
	Attrs map[string]string
}

// Inventory is what the loop knows of a target's resources.
type Inventory struct {
	// Resources by ID.
	Resources map[string]*Resource
	// Points are target-level inventory gauges (networks, subnets), stamped at each poll.
	Points []InventoryPoint
}

// InventoryPoint is one value of an inventory gauge.
type InventoryPoint struct {
	Metric canonical.Metric
	Value  int64
	Attrs  []Attr
}

// Attr is one attribute, kept as a pair so a plan's attributes are built once, not per poll.
type Attr struct{ Key, Value string }

// Plan is what a target collects at each poll until it is rediscovered.
type Plan struct {
	Queries []Query
	// Unsupported marks canonical metrics a resource's platform cannot give: the metric stays
	// absent and the marker says why.
	Unsupported []Marker
}

// Marker is one unsupported metric of one resource.
type Marker struct {
	Resource, Metric, Reason string
}

// Query is one series the target asks the API for.
type Query struct {
	// Resource is the key in Inventory.Resources, or "" for a series of the target itself.
	Resource string
	// Key identifies the series in the checkpoint: unique within the target, stable.
	Key string
	// Metric is what the samples become; a Counter's samples are per-period amounts that the
	// loop integrates into a cumulative sum.
	Metric canonical.Metric
	// Attrs are the data point attributes (native name and statistic, dimensions).
	Attrs []Attr
	// Native is the provider's own description of the query, for its Fetch.
	Native any
}

// Sample is one value the API returned, already in the canonical unit.
type Sample struct {
	T time.Time
	V float64
}

// ErrNotFinite is a query's error when the API answered a counter with NaN or an infinity:
// those samples are dropped, and the window stays open for the next poll to ask again.
var ErrNotFinite = errors.New("counter values that are not finite")

// Result is one query's answer.
type Result struct {
	Samples []Sample
	// Err is set when the API answered this query with an error; the window is then not
	// completed, and the next poll asks for it again.
	Err error
}
