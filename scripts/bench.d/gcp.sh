#!/usr/bin/env bash
# GCP receiver against the in-process simulator: Cloud Monitoring calls per 1,000 series and hour
# with the default configuration (a ListTimeSeries per metric type and project, discovery
# included), against what a query per resource and metric type would take (computed), canonical
# series per resource, and a steady-state poll of about 10,000 series (its allocations include
# the simulator's).
set -euo pipefail
out=$(cd receivers/gcpreceiver && go test -trimpath -run '^$' -bench 'PollingCost|Scrape10kSeries' -benchtime 1x . 2>/dev/null)
echo "$out" | awk '
/BenchmarkPollingCost/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-52s %10s\n", "figure (default config: poll 5m, period 1m)", "value"
  printf "%-52s %10.1f\n", "Cloud Monitoring calls / 1,000 series-hour", v["monitoring-calls/1000series-h"]
  printf "%-52s %10.1f   (computed)\n", "per-resource calls / 1,000 series-hour", v["per-series-calls/1000series-h"]
  printf "%-52s %10.2f\n", "canonical series / resource", v["series/resource"]
}
/BenchmarkScrape10kSeries/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-52s %10d\n", "series in one poll", v["series"]
  printf "%-52s %10.0f ms (receiver + in-process simulator)\n", "wall time of one poll (2 cores)", v["ns/op"] / 1e6
  printf "%-52s %10.1f MB (receiver + in-process simulator)\n", "allocated per poll", v["B/op"] / 1048576
}'
