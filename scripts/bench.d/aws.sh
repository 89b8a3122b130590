#!/usr/bin/env bash
# AWS receiver against the in-process simulator: what polling costs per 1,000 series and hour
# with the default configuration, and one poll of about 10,000 series.
set -euo pipefail
out=$(go test -run '^$' -bench 'PollingCost|Scrape10kSeries' -benchtime 3x ./receivers/awsreceiver/)
echo "$out" | awk '
/BenchmarkPollingCost/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-44s %10s\n", "figure (default config: poll 5m, period 1m)", "value"
  printf "%-44s %10.1f\n", "GetMetricData calls / 1,000 series-hour", v["GetMetricData/1000series-h"]
  printf "%-44s %10.1f\n", "ListMetrics calls / 1,000 series-hour", v["ListMetrics/1000series-h"]
  printf "%-44s %10.2f   (goal <= 12; a poll each minute bills 60)\n", "billed metrics / series-hour", v["billed/series-h"]
}
/BenchmarkScrape10kSeries/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-44s %10d\n", "series in one poll", v["series"]
  printf "%-44s %10.0f ms (receiver + in-process simulator)\n", "wall time of one poll (2 cores)", v["ns/op"] / 1e6
  printf "%-44s %10.0f\n", "heap bytes / series after polls", v["heap-bytes/series"]
  printf "%-44s %10.1f MB\n", "allocated per poll", v["B/op"] / 1048576
}'
