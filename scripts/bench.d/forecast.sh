#!/usr/bin/env bash
# Issue 6 figures: accuracy of `mcobs backtest forecast` (1-day holdout, 1-day horizon) on the
# NAB series and on synthetic seasonal series, and the latency of one forecast over 30 days of
# 5-minute data from the Go benchmark. NAB_DATA overrides where the data is.
set -euo pipefail
cd "$(dirname "$0")/../.."
nab_data=${NAB_DATA:-../shared/data/nab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/mcobs" ./cmd/mcobs

# Synthetic series: 21 days of 5-minute data (4 weeks hourly for the weekly ones), level + trend
# + daily sine + weekend dip + Gaussian noise, seeded so every run is the same.
mkdir -p "$tmp/synth"
synth() { # NAME SEED STEP_S DAYS LEVEL SLOPE_PER_DAY DAILY WEEKEND NOISE
  awk -v seed="$2" -v step="$3" -v days="$4" -v level="$5" -v slope="$6" -v daily="$7" -v wkend="$8" -v noise="$9" 'BEGIN {
    srand(seed); pi = atan2(0, -1); t0 = 1772409600   # 2026-03-02 00:00 UTC, a Monday
    print "timestamp,value"
    for (i = 0; i < days * 86400 / step; i++) {
      t = t0 + i * step; d = (t - t0) / 86400; wd = int(d) % 7
      v = level + slope * d + daily * sin(2 * pi * d) - (wd >= 5 ? wkend : 0)
      z = sqrt(-2 * log(1 - rand())) * cos(2 * pi * rand())
      printf "%d,%.4f\n", t, v + noise * z
    }
  }' >"$tmp/synth/$1.csv"
}
synth daily_flat        1 300  21 50 0   10 0  1
synth daily_trend       2 300  21 50 2   10 0  1
synth daily_noisy       3 300  21 50 0.5 10 0  5
synth daily_weekend     4 300  21 50 0   10 8  1
synth weekly_hourly     5 3600 42 50 0   5  15 1
synth cpu_like          6 300  21 30 0.3 15 5  3

printf '%-52s %s\n' figure value
report() { # LABEL OUTPUT: the overall and median rows of `mcobs backtest forecast`
  awk -v l="$1" '
    $1 == "overall" { n = $2; mase = $5; relsn = $6; rellin = $7; c80 = $9; c95 = $10 }
    $1 == "median"  { mmase = $4; mrelsn = $5 }
    END {
      printf "%-52s %s mean, %s median (goal clearly below 1)\n", l ": MASE (" n " series)", mase, mmase
      printf "%-52s %s geometric mean, %s median\n", l ": MAE / MAE of seasonal naive", relsn, mrelsn
      printf "%-52s %s geometric mean\n", l ": MAE / MAE of predict_linear", rellin
      printf "%-52s %s (goal 75-85%%)\n", l ": 80% interval coverage", c80
      printf "%-52s %s\n", l ": 95% interval coverage", c95
    }' "$2"
}
"$tmp/mcobs" backtest forecast --holdout 24h --horizon 24h "$tmp/synth" >"$tmp/synth.txt" 2>/dev/null
report "synthetic seasonal" "$tmp/synth.txt"
if [ -d "$nab_data/data" ]; then
  "$tmp/mcobs" backtest forecast --holdout 24h --horizon 24h "$nab_data/data" >"$tmp/nab.txt" 2>/dev/null
  report "NAB" "$tmp/nab.txt"
else
  printf '%-52s %s\n' "NAB" "n/a ($nab_data missing)"
fi

(cd internal/analytics && go test -run '^$' -bench 'BenchmarkForecast' -benchtime=10x ./forecast/) | awk '/^Benchmark/' >"$tmp/bench.txt"
for d in 30 300; do
  awk -v d="days=$d," '$1 ~ d { for (i = 2; i <= NF; i++) { if ($i == "ns/op") ns = $(i-1); if ($i == "B/op") by = $(i-1); if ($i == "allocs/op") al = $(i-1) } }
       END { printf "%-52s %.1f ms, %.2f MB, %d allocs (fit + 1-day forecast)\n", "forecast latency, " substr(d, 6, length(d) - 6) " days of 5-minute data", ns / 1e6, by / 1e6, al }' "$tmp/bench.txt"
done

# The same engine behind the Grafana plugin: one whole forecast query (decode Prometheus' answer,
# fit, frame) from a canned response, 1-day horizon.
(cd grafana-plugin && go test -run '^$' -bench 'BenchmarkForecastQuery' -benchtime=10x ./pkg/plugin/) | awk '/^Benchmark/' >"$tmp/plugin.txt"
for d in 7 30; do
  awk -v p="points=$((d * 288))-" -v d="$d" '$1 ~ p { for (i = 2; i <= NF; i++) { if ($i == "ns/op") ns = $(i-1); if ($i == "B/op") by = $(i-1) } }
       END { printf "%-52s %.1f ms, %.2f MB\n", "plugin forecast query, " d " days of 5-minute data", ns / 1e6, by / 1e6 }' "$tmp/plugin.txt"
done
(cd grafana-plugin && go test -run '^$' -bench 'BenchmarkRunwayQuery' -benchtime=5x ./pkg/plugin/) | awk '/^Benchmark/' >"$tmp/runway.txt"
for n in 10 100; do
  awk -v p="targets=$n-" -v n="$n" '$1 ~ p { for (i = 2; i <= NF; i++) if ($i == "ns/op") ns = $(i-1) }
       END { printf "%-52s %.0f ms (%.1f ms per target)\n", "plugin runway query, " n " targets x 28 days hourly", ns / 1e6, ns / 1e6 / n }' "$tmp/runway.txt"
done
