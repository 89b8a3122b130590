// Package cloudscrape is what every cloud API receiver needs, written once: the window each
// poll asks for (settle delay and backfill), exactly-once emission per series with checkpoints
// through the collector's storage extension, counters integrated from per-period amounts, a
// per-account budget of billed units, sharding of targets across replicas, and the inventory
// and collection-status metrics the overview dashboard shows. A provider receiver holds only
// the API calls and the mapping of its responses onto internal/canonical.
package cloudscrape
