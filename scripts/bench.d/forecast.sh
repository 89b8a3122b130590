#!/usr/bin/env bash
# Issue 19 figures (development data: ../shared/data, nothing tuned per dataset): accuracy of
# `mcobs backtest forecast` against daily and weekly seasonal naive on hourly series (1- and
# 5-minute series averaged to 1h), 7 rolling origins a day apart, horizons 6h/24h/48h; the
# capacity runway's date error on synthetic ramps and on real series; the latency of a forecast
# and of 100 runways from the Go benchmarks. DATA overrides where the data is.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${DATA:-../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/mcobs" ./cmd/mcobs

# Synthetic series: 21 days of 5-minute data (6 weeks hourly for the weekly one), level + trend
# + daily sine + weekend dip + Gaussian noise, seeded so every run is the same.
mkdir -p "$tmp/synth" "$tmp/ramps"
synth() { # DIR NAME SEED STEP_S DAYS LEVEL SLOPE_PER_DAY DAILY WEEKEND NOISE
  awk -v seed="$3" -v step="$4" -v days="$5" -v level="$6" -v slope="$7" -v daily="$8" -v wkend="$9" -v noise="${10}" 'BEGIN {
    srand(seed); pi = atan2(0, -1); t0 = 1772409600   # 2026-03-02 00:00 UTC, a Monday
    print "timestamp,value"
    for (i = 0; i < days * 86400 / step; i++) {
      t = t0 + i * step; d = (t - t0) / 86400; wd = int(d) % 7
      v = level + slope * d + daily * sin(2 * pi * d) - (wd >= 5 ? wkend : 0)
      z = sqrt(-2 * log(1 - rand())) * cos(2 * pi * rand())
      printf "%d,%.4f\n", t, v + noise * z
    }
  }' >"$tmp/$1/$2.csv"
}
synth synth daily_flat        1 300  21 50 0   10 0  1
synth synth daily_trend       2 300  21 50 2   10 0  1
synth synth daily_noisy       3 300  21 50 0.5 10 0  5
synth synth daily_weekend     4 300  21 50 0   10 8  1
synth synth weekly_hourly     5 3600 42 50 0   5  15 1
synth synth cpu_like          6 300  21 30 0.3 15 5  3
# Ramps for the runway: hourly, 70 days, rising 0.25 to 2 points a day with a daily swing.
for i in 1 2 3 4 5 6 7 8; do
  synth ramps "ramp_$i" "$((10 + i))" 3600 70 20 "$(awk -v i="$i" 'BEGIN { print 0.25 * i }')" 3 0 1
done

printf '%-58s %s\n' figure value
summary() { # LABEL OUTPUT: the 48h (or longest) rows of the summary table
  awk -v l="$1" '
    $1 == "horizon" { on = 1; next }
    on && NF > 0 && $1 != "skipped" { h = $1; row[h, $2] = $0; last = h }
    END {
      split(row[last, "engine"], e); split(row[last, "snaive-daily"], d); split(row[last, "snaive-weekly"], w); split(row[last, "vs-best-per-series"], b)
      printf "%-58s %s series, horizon %s\n", l, e[3], last
      printf "%-58s %.1f%% / %.1f%% / %.1f%% (goal >= 10%% vs the better)\n", l ": MAE below snaive daily / weekly / best per series", 100 * (1 - d[5]), 100 * (1 - w[5]), 100 * (1 - b[5])
      printf "%-58s %s / %s / %s\n", l ": MASE engine / snaive daily / weekly", e[6], d[6], w[6]
      printf "%-58s %s / %s / %s\n", l ": sMAPE engine / snaive daily / weekly", e[7], d[7], w[7]
      printf "%-58s %s (M4 style, vs daily snaive)\n", l ": OWA", e[8]
      printf "%-58s %s / %s (goal 75-85%% / 90-100%%)\n", l ": coverage 80% / 95%", e[9], e[10]
      printf "%-58s %s / %s / %s (goal below both)\n", l ": MSIS engine / snaive daily / weekly", e[11], d[11], w[11]
    }' "$2"
}
"$tmp/mcobs" backtest forecast --horizons 6h,24h --origins 3 "$tmp/synth" >"$tmp/synth.txt" 2>/dev/null
summary "synthetic seasonal (5m/1h)" "$tmp/synth.txt"
for d in nab kpi2018 asd; do
  if [ -d "$data/$d/data" ]; then
    "$tmp/mcobs" backtest forecast --resample 1h --origins 7 --horizons 6h,24h,48h "$data/$d/data" >"$tmp/$d.txt" 2>/dev/null
    summary "$d, hourly (dev)" "$tmp/$d.txt"
  else
    printf '%-58s %s\n' "$d" "n/a ($data/$d missing)"
  fi
done

runway() { # LABEL OUTPUT
  awk -v l="$1" '$1 == "cuts" { getline; printf "%-58s %s cuts, %s crossed, %s dated; median %s, mean %s days; true date in bracket %s; false alarms %s\n", l, $1, $2, $3, $4, $5, $6, $8 }' "$2"
}
"$tmp/mcobs" backtest forecast --runway 1440h "$tmp/ramps" >"$tmp/rw_synth.txt" 2>/dev/null
runway "runway, synthetic ramps (hourly)" "$tmp/rw_synth.txt"
for d in nab kpi2018 asd; do
  if [ -d "$data/$d/data" ]; then
    "$tmp/mcobs" backtest forecast --resample 24h --runway 1440h "$data/$d/data" >"$tmp/rw_$d.txt" 2>/dev/null
    runway "runway, $d daily means (dev)" "$tmp/rw_$d.txt"
  fi
done

(cd internal/analytics && go test -run '^$' -bench 'BenchmarkForecast|BenchmarkRunway' -benchtime=5x -cpu 1 ./forecast/) | awk '/^Benchmark/' >"$tmp/bench.txt"
awk '{ for (i = 2; i <= NF; i++) { if ($i == "ns/op") ns = $(i-1); if ($i == "B/op") by = $(i-1) } }
     $1 ~ /days=30,/ { printf "%-58s %.1f ms, %.2f MB (goal <= 100 ms)\n", "forecast latency, 30 days of 5-minute data, 1 core", ns / 1e6, by / 1e6 }
     $1 ~ /days=300,/ { printf "%-58s %.1f ms, %.2f MB\n", "forecast latency, 300 days of 5-minute data, 1 core", ns / 1e6, by / 1e6 }
     $1 ~ /Runway/ { printf "%-58s %.0f ms (goal <= 1000 ms)\n", "runway, 100 targets x 28 days hourly, 1 core", ns / 1e6 }' "$tmp/bench.txt"

# The same engine behind the Grafana plugin: one whole forecast query (decode Prometheus' answer,
# fit, frame) from a canned response, 1-day horizon.
(cd grafana-plugin && go test -run '^$' -bench 'BenchmarkForecastQuery' -benchtime=10x ./pkg/plugin/) | awk '/^Benchmark/' >"$tmp/plugin.txt"
for d in 7 30; do
  awk -v p="points=$((d * 288))-" -v d="$d" '$1 ~ p { for (i = 2; i <= NF; i++) { if ($i == "ns/op") ns = $(i-1); if ($i == "B/op") by = $(i-1) } }
       END { printf "%-58s %.1f ms, %.2f MB\n", "plugin forecast query, " d " days of 5-minute data", ns / 1e6, by / 1e6 }' "$tmp/plugin.txt"
done
(cd grafana-plugin && go test -run '^$' -bench 'BenchmarkRunwayQuery' -benchtime=5x ./pkg/plugin/) | awk '/^Benchmark/' >"$tmp/runway.txt"
for n in 10 100; do
  awk -v p="targets=$n-" -v n="$n" '$1 ~ p { for (i = 2; i <= NF; i++) if ($i == "ns/op") ns = $(i-1) }
       END { printf "%-58s %.0f ms (%.1f ms per target)\n", "plugin runway query, " n " targets x 28 days hourly", ns / 1e6, ns / 1e6 / n }' "$tmp/runway.txt"
done
