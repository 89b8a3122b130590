package cloudscrape

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/scraper/scraperhelper"
)

// Config is the part of every cloud receiver's configuration that the loop reads, squashed into
// the receiver's own so its keys sit at the top level. The collector validates it, and its
// nested Shard, Budget and Retry, once each: a receiver's Validate must not call them again.
type Config struct {
	scraperhelper.ControllerConfig `mapstructure:",squash"`

	// Period is the resolution asked of the API.
	Period time.Duration `mapstructure:"period"`
	// Delay is how long after a period ends its value is taken as final (cloud metrics settle).
	Delay time.Duration `mapstructure:"delay"`
	// MaxBackfill bounds how far back a poll reaches: after missed polls, a restart, or on the
	// first start without a checkpoint, so dashboards and anomaly models have history at once.
	MaxBackfill time.Duration `mapstructure:"max_backfill"`
	// DiscoveryInterval is how long a discovery (the list of metrics) is reused.
	DiscoveryInterval time.Duration `mapstructure:"discovery_interval"`
	// InventoryInterval is how long an inventory (resources, states, networks) is reused.
	InventoryInterval time.Duration `mapstructure:"inventory_interval"`
	// Shard splits the targets between replicas.
	Shard Shard `mapstructure:"shard"`
	// Budget caps billed units per account and hour.
	Budget Budget `mapstructure:"budget"`
	// MaxConcurrency limits the targets of one account polled at once.
	MaxConcurrency int `mapstructure:"max_concurrency"`
	// Retry is how the provider's SDK retries a throttled or failed call.
	Retry Retry `mapstructure:"retry"`
	// Storage is the storage extension that keeps checkpoints across restarts.
	Storage *component.ID `mapstructure:"storage"`
}

// Retry is the retry policy every provider hands to its SDK's retryer: exponential backoff
// with jitter, per call, so a throttled page is asked again without re-asking (and re-billing)
// the pages before it.
type Retry struct {
	// MaxAttempts is how often a call is tried, the first attempt included.
	MaxAttempts int `mapstructure:"max_attempts"`
	// MaxBackoff caps the pause between two attempts.
	MaxBackoff time.Duration `mapstructure:"max_backoff"`
}

// Validate names the key of any bad value.
func (r Retry) Validate() error {
	var errs []error
	if r.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("`retry.max_attempts` must be at least 1, got %d", r.MaxAttempts))
	}
	if r.MaxBackoff <= 0 {
		errs = append(errs, fmt.Errorf("`retry.max_backoff` must be positive, got %q", r.MaxBackoff))
	}
	return errors.Join(errs...)
}

// DefaultConfig is the loop's part of a receiver's default configuration. A receiver changes
// what its cloud needs (CloudWatch's period and delay differ from Azure's).
//
// Polls every 5 minutes for 1-minute periods: clouds bill per metric requested, not per point,
// so one request for 5 points costs what one for 1 point does. A first start backfills 3 hours:
// more than the anomaly models need (a score after 30 points, full weight after 150), so they
// score from the first poll.
// Inventory is read every 10 minutes, not at every poll: it changes slowly, and describing a
// large fleet is the biggest cost of a poll after the metrics themselves.
func DefaultConfig() Config {
	cc := scraperhelper.NewDefaultControllerConfig()
	cc.CollectionInterval = 5 * time.Minute
	cc.Timeout = time.Minute
	return Config{
		ControllerConfig:  cc,
		Period:            time.Minute,
		Delay:             3 * time.Minute,
		MaxBackfill:       3 * time.Hour,
		DiscoveryInterval: 15 * time.Minute,
		InventoryInterval: 10 * time.Minute,
		MaxConcurrency:    4,
		Retry:             Retry{MaxAttempts: 5, MaxBackoff: 20 * time.Second},
	}
}

// Validate reports the loop's keys; the embedded ControllerConfig, Shard, Budget and Retry
// validate themselves.
func (c *Config) Validate() error {
	var errs []error
	if c.CollectionInterval < c.Period {
		errs = append(errs, fmt.Errorf("`collection_interval` must be at least `period` (%s), got %q", c.Period, c.CollectionInterval))
	}
	if err := c.window().Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.MaxBackfill < c.CollectionInterval {
		errs = append(errs, fmt.Errorf("`max_backfill` must be at least `collection_interval` (%s) or polls leave gaps, got %q", c.CollectionInterval, c.MaxBackfill))
	}
	if c.DiscoveryInterval < 0 {
		errs = append(errs, fmt.Errorf("`discovery_interval` must not be negative, got %q", c.DiscoveryInterval))
	}
	if c.InventoryInterval < 0 {
		errs = append(errs, fmt.Errorf("`inventory_interval` must not be negative, got %q", c.InventoryInterval))
	}
	if c.MaxConcurrency < 1 {
		errs = append(errs, fmt.Errorf("`max_concurrency` must be at least 1, got %d", c.MaxConcurrency))
	}
	return errors.Join(errs...)
}

func (c *Config) window() Window {
	return Window{Period: c.Period, Delay: c.Delay, MaxBackfill: c.MaxBackfill}
}
