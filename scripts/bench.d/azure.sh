#!/usr/bin/env bash
# Azure receiver against the in-process simulator: metrics:getBatch calls per 1,000 series and
# hour with the default configuration, against what the per-resource ARM metrics API would take
# (one call per resource and poll, computed), canonical series per resource, and a steady-state
# poll of about 10,000 series (its allocations include the simulator's).
set -euo pipefail
out=$(cd receivers/azurereceiver && go test -trimpath -run '^$' -bench 'PollingCost|Scrape10kSeries' -benchtime 1x . 2>/dev/null)
echo "$out" | awk '
/BenchmarkPollingCost/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-52s %10s\n", "figure (default config: poll 5m, grain 1m)", "value"
  printf "%-52s %10.1f\n", "metrics:getBatch calls / 1,000 series-hour", v["batch-calls/1000series-h"]
  printf "%-52s %10.1f   (computed)\n", "per-resource ARM calls / 1,000 series-hour", v["per-resource-calls/1000series-h"]
  printf "%-52s %10.2f\n", "canonical series / resource, all types", v["series/resource"]
  for (k in v) if (k ~ /^series\/azure_/) printf "%-52s %10.2f\n", "canonical series / resource, " substr(k, 8), v[k]
}
/BenchmarkScrape10kSeries/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-52s %10d\n", "series in one poll", v["series"]
  printf "%-52s %10.0f ms (receiver + in-process simulator)\n", "wall time of one poll (2 cores)", v["ns/op"] / 1e6
  printf "%-52s %10.1f MB (receiver + in-process simulator)\n", "allocated per poll", v["B/op"] / 1048576
}'
