#!/usr/bin/env bash
# Runs every fuzz target of a parser of outside input for a bounded number of executions
# (FUZZTIME, default 100000x each: 5 to 30 seconds here) and prints the executions
# per target. The budget is a count, not a duration: with a duration, go1.26's fuzz coordinator
# can fail a target with "context deadline exceeded" and no crasher when the deadline races its
# workers on a loaded machine (go.dev/issue/75804, fixed in Go 1.27; seen here in CI). The seed corpora are committed in each package's
# testdata/fuzz/<target>/ and also run as plain tests in `go test`; inputs the fuzzer finds
# interesting stay in the Go cache. A crash fails the step and leaves the failing input in
# testdata/fuzz/<target>/, to be fixed and committed as a regression case.
# Usage: test-fuzz.sh [target-regexp]   (GO, FUZZTIME and FUZZMINIMIZE are read from the environment)
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
fuzztime=${FUZZTIME:-100000x}
# Minimising each new interesting input can take the whole budget on a busy machine; a short
# cap (a count too, for the same reason) keeps the budget for fuzzing (a crasher is still
# minimised within it).
minimize=${FUZZMINIMIZE:-2000x}
only=${1:-.}

# module directory | package | target
targets=(
  ".|./internal/actions|FuzzDecodeMessage"                                # Alertmanager webhook body
  ".|./internal/actions|FuzzParseConfig"                                  # the action runner's scenarios file
  "processors/anomalyprocessor|.|FuzzCheckpointDecode"                    # anomaly models' checkpoint
  "internal/cloudscrape|.|FuzzStateLoad"                                  # collection loop's per-target state
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
summary=()
for t in "${targets[@]}"; do
  IFS='|' read -r mod pkg name <<<"$t"
  [[ $name =~ $only ]] || continue
  log=$tmp/$name.log
  start=$(date +%s)
  if ! (cd "$mod" && "$go" test -trimpath -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" \
      -fuzzminimizetime "$minimize" "$pkg") >"$log" 2>&1; then
    cat "$log" >&2
    echo "test-fuzz: $name ($mod $pkg) failed; the failing input is in its testdata/fuzz/$name/" >&2
    exit 1
  fi
  # The last progress line holds the total: "fuzz: elapsed: 4s, execs: 100000 (7500/sec), ...".
  execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  where=$pkg; [ "$pkg" = . ] && where=./$mod
  summary+=("$(printf '%-22s %-30s %10s execs (budget %s), %ds with the build' "$name" "$where" "${execs:-?}" "$fuzztime" $(($(date +%s) - start)))")
done
echo "test-fuzz: executions per target"
printf '  %s\n' "${summary[@]}"
