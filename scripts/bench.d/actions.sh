#!/usr/bin/env bash
# Issue 5 figure: action runner throughput in webhooks per second with the SQLite history on
# (authenticate, decode, match, record and schedule, over HTTP), from BenchmarkWebhook.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -run '^$' -bench 'BenchmarkWebhook' -benchtime="${BENCHTIME:-2s}" ./internal/actions/ | awk '/^Benchmark/' >"$tmp/actions.txt"
metric() { # metric FILE BENCH UNIT: the value printed before UNIT on BENCH's line
  awk -v b="$2" -v u="$3" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 2; i <= NF; i++) if ($i == u) print $(i-1) }' "$1"
}
printf '%-44s %s\n' figure value
for a in 1 10; do
  printf '%-44s %.0f webhooks/s (%.0f alerts/s)\n' "action runner, $a alert(s) per webhook" \
    "$(metric "$tmp/actions.txt" "BenchmarkWebhook/alerts=$a" webhooks/s)" \
    "$(metric "$tmp/actions.txt" "BenchmarkWebhook/alerts=$a" alerts/s)"
done
