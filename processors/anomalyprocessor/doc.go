// Package anomalyprocessor scores configured metric series for anomalies as they pass through
// the collector and adds the scores, expected values, dynamic thresholds and levels as metrics
// beside the originals. The math lives in internal/analytics/detect; this package is the glue
// from pdata to it, plus checkpoints, eviction and limits.
//
//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
package anomalyprocessor
