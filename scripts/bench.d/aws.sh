#!/usr/bin/env bash
# AWS receiver against the in-process simulator: what polling costs per 1,000 series and hour
# with the default configuration, and a steady-state poll of about 10,000 series. The poll's
# allocations include the simulator's; the receiver's own are the memory profile's bytes outside
# internal/sim over 3 polls (the difference of a 4-poll and a 1-poll run, so the setup and the
# first poll cancel out).
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd receivers/awsreceiver && go test -trimpath -c -o "$tmp/aws.test" .)
cost=$("$tmp/aws.test" -test.run '^$' -test.bench 'PollingCost' -test.benchtime 3x)
big=$("$tmp/aws.test" -test.run '^$' -test.bench 'Scrape10kSeries' -test.benchtime 4x -test.memprofile "$tmp/m4.out")
"$tmp/aws.test" -test.run '^$' -test.bench 'Scrape10kSeries' -test.benchtime 1x -test.memprofile "$tmp/m1.out" >/dev/null
# Bytes of every sample whose stack has no simulator frame.
receiver_bytes() {
  go tool pprof -sample_index=alloc_space -ignore='internal/sim' -nodefraction=0 -edgefraction=0 -unit=B -top \
    "$tmp/aws.test" "$1" 2>/dev/null | sed -n 's/^Showing nodes accounting for \([0-9.]*\)B.*/\1/p'
}
own=$(awk -v a="$(receiver_bytes "$tmp/m4.out")" -v b="$(receiver_bytes "$tmp/m1.out")" 'BEGIN { print a - b }')
lines() { cat "$@" | grep -v '^\s*$' | wc -l; }
printf '%s\n%s\n' "$cost" "$big" | awk -v own="$own" \
  -v aws="$(lines $(ls receivers/awsreceiver/*.go | grep -v _test.go))" \
  -v loop="$(lines $(ls internal/cloudscrape/*.go | grep -v _test.go))" '
/BenchmarkPollingCost/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-48s %10s\n", "figure (default config: poll 5m, period 1m)", "value"
  printf "%-48s %10.1f\n", "GetMetricData calls / 1,000 series-hour", v["GetMetricData/1000series-h"]
  printf "%-48s %10.1f\n", "ListMetrics calls / 1,000 series-hour", v["ListMetrics/1000series-h"]
  printf "%-48s %10.2f   (goal <= 12; a poll each minute bills 60)\n", "billed metrics / series-hour", v["billed/series-h"]
}
/BenchmarkScrape10kSeries/ {
  for (i = 1; i <= NF; i++) v[$(i+1)] = $i
  printf "%-48s %10d\n", "series in one poll", v["series"]
  printf "%-48s %10.0f ms (receiver + in-process simulator)\n", "CPU-bound wall time of one poll (2 cores)", v["ns/op"] / 1e6
  printf "%-48s %10.0f\n", "heap bytes the receiver keeps / series", v["heap-bytes/series"]
  printf "%-48s %10.1f MB\n", "allocated per poll, receiver + simulator", v["B/op"] / 1048576
  printf "%-48s %10.1f MB\n", "allocated per poll, receiver alone", own / 3 / 1048576
  printf "%-48s %10d\n", "lines (non-blank) in receivers/awsreceiver", aws
  printf "%-48s %10d\n", "lines (non-blank) in internal/cloudscrape", loop
}'
