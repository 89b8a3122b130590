#!/usr/bin/env bash
# Issue 4 and 17 figures: NAB score of `mcobs backtest anomaly` (standard, low FP, low FN) with the NAB
# scorer, on the whole set, per held-out fold (anomaly_folds.sh) and held out over 100 random
# splits (anomaly_splits.py), and the detector's and processor's cost from their Go benchmarks.
# NAB_DATA and NAB_EVAL override where the data and the scorer are (default ../shared/...).
set -euo pipefail
cd "$(dirname "$0")/../.."
nab_data=${NAB_DATA:-../shared/data/nab}
nab_eval=${NAB_EVAL:-../shared/eval/nab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/mcobs" ./cmd/mcobs
printf '%-44s %s\n' figure value
if [ -d "$nab_data/data" ] && [ -f "$nab_eval/score.py" ]; then
  "$tmp/mcobs" backtest anomaly --out "$tmp/nab" --detector mcobs "$nab_data/data" 2>/dev/null
  python3 "$nab_eval/score.py" "$tmp/nab/mcobs" --nab-dir "$nab_data" --json "$tmp/nab.json" >"$tmp/nab.txt"
  subset=$(grep -o '[0-9]* files, [0-9]* windows' "$tmp/nab.txt")
  awk -v subset="$subset" '$1=="standard"||$1=="reward_low_FP_rate"||$1=="reward_low_FN_rate" {
         printf "%-44s %s  (detected %s, missed %s, fp rows %s)\n", "NAB " $1, $6, $7, $8, $9 }
       END { printf "%-44s %s\n", "NAB subset", subset }' "$tmp/nab.txt"
  echo
  MCOBS="$tmp/mcobs" NAB_DATA="$nab_data" NAB_EVAL="$nab_eval" bash scripts/bench.d/anomaly_folds.sh
  python3 scripts/bench.d/anomaly_splits.py "$tmp/nab/mcobs" --nab-dir "$nab_data" --eval-dir "$nab_eval"
  echo
  # Issue 17: every labelled set of ../shared/data (nab, kpi2018, asd per metric and per server).
  python3 scripts/bench.d/anomaly_datasets.py --mcobs "$tmp/mcobs" --data-root "$(dirname "$nab_data")" --eval-dir "$nab_eval"
  echo
else
  printf '%-44s %s\n' "NAB score" "n/a ($nab_data or $nab_eval missing)"
fi

# bench MODULE_DIR PACKAGE PATTERN [BENCHTIME]: each component is a module of its own.
bench() { (cd "$1" && go test -run '^$' -bench "$3" -benchtime="${4:-1s}" "$2") | awk '/^Benchmark/'; }
bench internal/analytics ./detect/ 'BenchmarkUpdate$|BenchmarkMulti' >"$tmp/detect.txt"
bench processors/anomalyprocessor . 'BenchmarkConsumeMetrics' >"$tmp/proc.txt"
metric() { # metric FILE BENCH UNIT: the value printed before UNIT on BENCH's line
  awk -v b="$2" -v u="$3" '$1 ~ "^"b"(-[0-9]+)?$" { for (i = 2; i <= NF; i++) if ($i == u) print $(i-1) }' "$1"
}
printf '%-44s %.0f points/s per core (goal 500000)\n' "univariate detector" "$(metric "$tmp/detect.txt" BenchmarkUpdate points/s)"
printf '%-44s %s bytes/series (goal 4096)\n' "univariate state" "$(metric "$tmp/detect.txt" BenchmarkUpdate bytes/series)"
for d in 4 8; do
  printf '%-44s %s ns/vector, %s bytes/resource\n' "multivariate, $d metrics per resource" \
    "$(metric "$tmp/detect.txt" "BenchmarkMulti/dims=$d" ns/op)" "$(metric "$tmp/detect.txt" "BenchmarkMulti/dims=$d" bytes/resource)"
done
printf '%-44s %.0f points/s per core\n' "processor, univariate (pdata glue included)" "$(metric "$tmp/proc.txt" "BenchmarkConsumeMetrics/group=false" points/s)"
printf '%-44s %.0f points/s per core\n' "processor, + one 4-metric group" "$(metric "$tmp/proc.txt" "BenchmarkConsumeMetrics/group=true" points/s)"
