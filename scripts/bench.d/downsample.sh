#!/usr/bin/env bash
# Issue 7 figures: samples kept by the downsample processor's reduce mode at a max error of 5%
# and 1% of each series' range (NAB and synthetic series), spike retention at a 10% budget,
# consume-path throughput on one core and bytes of state per series.
# A "sample" is one timestamp-value pair, as Prometheus stores it; kept % = kept samples /
# input samples, pooled over the series of a group.
set -euo pipefail
cd "$(dirname "$0")/../.."
NAB="${NAB:-../shared/data/nab}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/mcobs" ./cmd/mcobs
run() { "$tmp/mcobs" backtest downsample "$@" 2>/dev/null; }
pick() { sed -n "s/^$1.*= *\([0-9.]*%\).*/\1/p; s/^$1[^:]*: \([0-9.]*%\).*/\1/p" | head -1; }

r5="$(run --tolerance 0.05 "$NAB/data")"
r1="$(run --tolerance 0.01 "$NAB/data")"
rv="$(run --tolerance 0.05 --algorithm vertex "$NAB/data")"
rr="$(run --tolerance 0.05 --range recent --range-block 4096 --max-segment 6h "$NAB/data")"
s5="$(run --tolerance 0.05 --synthetic 20000)"
s1="$(run --tolerance 0.01 --synthetic 20000)"

bench="$(cd processors/downsampleprocessor && go test -run '^$' -bench 'BenchmarkConsume/mode=reduce|BenchmarkStateBytes' -cpu 1 -benchtime 2s -count 3 .)"
# The median of the three runs: the machine is shared, so single runs wander.
metric() { awk -v b="$1" -v u="$2" '$1 ~ b { for (i = 2; i <= NF; i++) if ($i == u) print $(i-1) }' <<<"$bench" | sort -g | sed -n 2p; }

row() { printf '%-76s %-12s %s\n' "$1" "$2" "$3"; }
row "figure" "goal" "reached"
row "kept at max error <= 5% of range, NAB real series" "<= 10%" "$(pick 'kept (pooled, real series)' <<<"$r5")"
row "  same, processor defaults (5% of recent range, max_segment 6h)" "" "$(pick 'kept (pooled, real series)' <<<"$rr")"
row "kept at max error <= 5% of range, NAB artificial series" "" "$(pick 'kept (pooled, artificial series)' <<<"$r5")"
row "kept at max error <= 5% of range, all 41 NAB series" "" "$(pick 'kept (pooled)' <<<"$r5")"
row "kept at max error <= 5% of range, synthetic series" "" "$(pick 'kept (pooled)' <<<"$s5")"
row "kept at max error <= 1% of range, NAB real series" "<= 33%" "$(pick 'kept (pooled, real series)' <<<"$r1")"
row "kept at max error <= 1% of range, all 41 NAB series" "" "$(pick 'kept (pooled)' <<<"$r1")"
row "kept at max error <= 1% of range, synthetic series" "" "$(pick 'kept (pooled)' <<<"$s1")"
row "worst max error seen, 5% / 1% runs (% of range)" "5 / 1" "$(sed -n 's/.*worst max error \([0-9.]*\)%.*/\1/p' <<<"$r5") / $(sed -n 's/.*worst max error \([0-9.]*\)%.*/\1/p' <<<"$r1")"
row "NAB labelled points within 5% of range, 10% budget per series" ">= 95%" "$(sed -n 's/^spike retention: \([0-9]* of [0-9]*\).*= \([0-9.]*%\)/\2 (\1)/p' <<<"$r5")"
row "  same, algorithm vertex (original samples only)" "" "$(sed -n 's/^spike retention: \([0-9]* of [0-9]*\).*= \([0-9.]*%\)/\2 (\1)/p' <<<"$rv")"
row "NAB labelled points within 5% of range, 10% budget pooled" "" "$(sed -n 's/^spike retention, pooled budget: \([0-9]* of [0-9]*\).*= \([0-9.]*%\)/\2 (\1)/p' <<<"$r5")"
for shape in 100/10 10000/10 10000/1; do
  n="series=${shape%/*}/pointsPerSeries=${shape#*/}\$"
  row "consume path, reduce, ${shape%/*} series x ${shape#*/} points per batch, 1 core (median of 3)" ">= 2M pts/s" \
    "$(metric "mode=reduce/$n" points/cpu-s) points/CPU-s, $(metric "mode=reduce/$n" points/s) points/s wall ($(metric "mode=reduce/$n" kept%)% kept)"
done
row "reduce state per series (Size())" "<= 512 B" "$(metric 'StateBytes/mode=reduce' state-bytes/series) B"
row "heap per series incl. identity and 3 attributes, reduce" "" "$(metric 'StateBytes/mode=reduce' heap-bytes/series) B"
echo
echo "points/CPU-s counts the process CPU time spent in ConsumeMetrics (GOMAXPROCS=1), so it holds"
echo "on a busy machine; points/s is wall time and drops when other work shares the core ($(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) load now)."
echo
echo "reproduce: mcobs backtest downsample --tolerance 0.05 $NAB/data (or 0.01, or --synthetic 20000);"
echo "           (cd processors/downsampleprocessor && go test -run '^\$' -bench 'Consume|StateBytes' -cpu 1 .)"
