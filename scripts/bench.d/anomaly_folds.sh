#!/usr/bin/env bash
# Issue 4, held-out NAB score: 2-fold cross-validation of `mcobs backtest anomaly`. The files of
# each NAB category, in name order, are dealt alternately to fold 0 and fold 1 (`--folds 2`), so
# the split is fixed by the names before any result is seen and each fold has every kind of series.
# For each fold the table gives the NAB score with the threshold optimised on that fold (as NAB
# scores any corpus), with the threshold optimised on the other fold (nothing chosen on the
# scored files), and with the fixed threshold 0.5, the detector's default critical cut-off (what
# an alert on level critical fires at, chosen on no file). The detector's constants are the same
# for every row; how they were chosen is in internal/analytics/detect/README.md.
# NAB_DATA and NAB_EVAL override where the data and the scorer are (default ../shared/...);
# KEEP=DIR keeps the results and scorer JSON there.
set -euo pipefail
cd "$(dirname "$0")/../.."
nab_data=${NAB_DATA:-../shared/data/nab}
nab_eval=${NAB_EVAL:-../shared/eval/nab}
tmp=${KEEP:-$(mktemp -d)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"
if [ ! -d "$nab_data/data" ] || [ ! -f "$nab_eval/score.py" ]; then
  echo "NAB folds: n/a ($nab_data or $nab_eval missing)"
  exit 0
fi
mcobs=${MCOBS:-}
if [ -z "$mcobs" ]; then
  mcobs=$tmp/mcobs
  go build -o "$mcobs" ./cmd/mcobs
fi

score() { # score OUT_JSON RESULTS_DIR [score.py flags...]: prints nothing, writes the JSON
  local json=$1 dir=$2
  shift 2
  python3 "$nab_eval/score.py" "$dir" --nab-dir "$nab_data" --json "$json" "$@" >/dev/null
}
files_of() { # files_of RESULTS_DIR: --files flags naming the data files present in RESULTS_DIR
  find "$1" -name 'mcobs_*.csv' | sort | while read -r f; do
    printf -- '--files\n%s/%s\n' "$(basename "$(dirname "$f")")" "$(basename "$f" | sed 's/^mcobs_//')"
  done
}

"$mcobs" backtest anomaly --out "$tmp/all" "$nab_data/data" 2>/dev/null
score "$tmp/all.json" "$tmp/all/mcobs"
score "$tmp/all.crit.json" "$tmp/all/mcobs" --threshold 0.5
for k in 0 1; do
  "$mcobs" backtest anomaly --out "$tmp/fold$k" --folds 2 --fold "$k" "$nab_data/data" 2>/dev/null
  mapfile -t sel < <(files_of "$tmp/fold$k/mcobs")
  echo "${sel[@]}" >"$tmp/fold$k.files"
  score "$tmp/fold$k.json" "$tmp/fold$k/mcobs" "${sel[@]}"
  score "$tmp/fold$k.crit.json" "$tmp/fold$k/mcobs" "${sel[@]}" --threshold 0.5
done
for k in 0 1; do
  o=$((1 - k))
  mapfile -t sel < <(tr ' ' '\n' <"$tmp/fold$k.files")
  score "$tmp/fold$k.heldthr.json" "$tmp/fold$k/mcobs" "${sel[@]}" --thresholds-json "$tmp/fold$o.json"
done

python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
rows = [("whole set, own threshold", "all.json"),
        ("whole set, critical cut-off 0.5", "all.crit.json"),
        ("fold 0, own threshold", "fold0.json"),
        ("fold 0, threshold of fold 1", "fold0.heldthr.json"),
        ("fold 0, critical cut-off 0.5", "fold0.crit.json"),
        ("fold 1, own threshold", "fold1.json"),
        ("fold 1, threshold of fold 0", "fold1.heldthr.json"),
        ("fold 1, critical cut-off 0.5", "fold1.crit.json")]
print("%-32s %5s %7s %9s %7s %8s" % ("NAB (2 folds by name)", "files", "windows", "standard", "low-FP", "low-FN"))
for name, f in rows:
    j = json.load(open("%s/%s" % (tmp, f)))
    d = j["detectors"]["mcobs"]
    print("%-32s %5d %7d %9.2f %7.2f %8.2f" % (name, j["n_files"], j["n_windows"],
          d["standard"]["score"], d["reward_low_FP_rate"]["score"], d["reward_low_FN_rate"]["score"]))
PY
