#!/usr/bin/env bash
# Issue 18 figures (development figures: measured on ../shared/data, the data the downsampler
# was developed on, not held-out data). Samples kept by the downsample processor's reduce mode
# while every sample, read back as PromQL reads it (the last kept sample within the store's
# lookback, no interpolation), stays within 5% (1%) of the series' range with no gap; PMC-MR and
# LTTB on the same series, scored the same way; spike retention at a 10% budget; data points per
# minute; consume-path throughput on one core and bytes of state per series.
# A "sample" is one timestamp-value pair, as Prometheus stores it.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA="${DATA:-../shared/data}"
# The long-term Prometheus `mcobs up` starts reads with this lookback (internal/stack).
LOOKBACK="${LOOKBACK:-6h}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

go build -trimpath -o "$tmp/mcobs" ./cmd/mcobs
run() { "$tmp/mcobs" backtest downsample "$@" 2>/dev/null; }
# section TITLE: the lines after the line starting with TITLE, up to the next blank line.
section() { awk -v t="$1" 'index($0, t) == 1 { on = 1; next } on && NF == 0 { exit } on' ; }

all="$(run --lookback "$LOOKBACK" "$DATA/nab/data" "$DATA/kpi2018/data" "$DATA/asd/data")"
echo "Development figures on $DATA (nab, kpi2018, asd), store lookback $LOOKBACK:"
echo
echo "$all" | sed -n '/^[0-9]* series, read as PromQL/,$p'
echo
echo "The lookback decides the floor: kept samples may be at most one lookback apart. NAB real"
echo "series (5-minute data), kept at <= 5% / <= 1% of range, ours (PMC-MR without lookback: the"
echo "floor any last-value output can reach when no segment outlasts the lookback):"
for lb in 5m 1h 6h 24h 0; do
  r="$(run --lookback "$lb" "$DATA/nab/data")"
  five="$(section 'kept (pooled) at max error <= 5%' <<<"$r" | awk '$1 " " $2 == "nab real" { print $5 " (" $7 ")" }')"
  one="$(section 'kept (pooled) at max error <= 1%' <<<"$r" | awk '$1 " " $2 == "nab real" { print $5 " (" $7 ")" }')"
  printf '  lookback %-4s %-20s %s\n' "$lb" "$five" "$one"
done
echo
echo "As \`mcobs up\` runs it: 5% (1%) of the recent range (range_samples 4096, never more than of the"
echo "series' range), lookback $LOOKBACK, max_delay 1h (a kept sample is sent at most an hour late, and a"
echo "kill -9 loses at most the last hour of a series in the long-term store):"
up="$(run --range recent --range-block 4096 --lookback "$LOOKBACK" --max-delay 1h "$DATA/nab/data" "$DATA/kpi2018/data" "$DATA/asd/data")"
section 'kept (pooled) at max error <= 5%' <<<"$up"
section 'kept (pooled) at max error <= 1%' <<<"$up"
echo

bench="$(cd processors/downsampleprocessor && go test -trimpath -run '^$' -bench 'BenchmarkConsume/mode=reduce|BenchmarkStateBytes' -cpu 1 -benchtime 2s -count 3 .)"
comp="$(cd internal/analytics && go test -trimpath -run '^$' -bench 'BenchmarkCompress/.*/algorithm=hold' -cpu 1 -count 3 ./reduce/)"
# The median of the three runs: the machine is shared, so single runs wander.
metric() { awk -v b="$1" -v u="$2" '$1 ~ b { for (i = 2; i <= NF; i++) if ($i == u) print $(i-1) }' <<<"$3" | sort -g | sed -n 2p; }

row() { printf '%-76s %-12s %s\n' "$1" "$2" "$3"; }
row "figure" "goal" "reached"
for shape in 100/10 10000/10 10000/1; do
  n="series=${shape%/*}/pointsPerSeries=${shape#*/}\$"
  row "consume path, reduce (hold, 5m lookback), ${shape%/*} series x ${shape#*/} points per batch, 1 core" ">= 2M pts/s" \
    "$(metric "mode=reduce/$n" points/cpu-s "$bench") points/CPU-s, $(metric "mode=reduce/$n" points/s "$bench") points/s wall ($(metric "mode=reduce/$n" kept% "$bench")% kept)"
done
for shape in daily noisy step; do
  row "compressor alone, hold, shape $shape" "" "$(metric "shape=$shape/algorithm=hold" samples/s "$comp") samples/s"
done
row "reduce state per series (Size())" "<= 512 B" "$(metric 'StateBytes/mode=reduce' state-bytes/series "$bench") B"
row "heap per series incl. identity and 3 attributes, reduce" "" "$(metric 'StateBytes/mode=reduce' heap-bytes/series "$bench") B"
echo
echo "points/CPU-s counts the process CPU time spent in ConsumeMetrics (GOMAXPROCS=1), so it holds"
echo "on a busy machine; points/s is wall time ($(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) load now)."
echo
echo "reproduce: mcobs backtest downsample --lookback $LOOKBACK $DATA/nab/data $DATA/kpi2018/data $DATA/asd/data"
