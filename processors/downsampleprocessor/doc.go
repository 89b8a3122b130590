// Package downsampleprocessor reduces the number of stored metric values while keeping what
// operators look at: exact window rollups (MIN, MAX, AVG, LAST, COUNT, SUM for gauges; reset-
// preserving selection for cumulative sums and histograms; sums for deltas) or an error-bounded
// reduction that keeps a sample only when the series rebuilt by linear interpolation would
// otherwise leave a tolerance band. The math lives in internal/analytics/reduce; this package is
// the glue from pdata to it, plus matching rules, series limits, eviction and flushing.
//
//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
package downsampleprocessor
