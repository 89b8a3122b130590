// Package cloudscrape is the one collection loop every cloud receiver runs on. A provider
// implements Provider and Target (list targets, read inventory, discover queries, fetch a
// window for a batch of queries, classify errors); the loop does the rest: the window each poll
// asks for (settle delay, backfill after gaps and on first start), exactly-once emission per
// series with checkpoints advanced only after the pipeline accepted the points, counters
// integrated from per-period amounts, a per-account budget of billed units, sharding of targets
// across replicas, concurrency, the canonical emitter, the inventory and collection-status
// metrics, and one set of self-metrics for every provider.
package cloudscrape
