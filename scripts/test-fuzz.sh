#!/usr/bin/env bash
# Runs every fuzz target of a parser of outside input for a bounded time (FUZZTIME, default 10s
# each) and prints the executions per target. The seed corpora are committed in each package's
# testdata/fuzz/<target>/ and also run as plain tests in `go test`; inputs the fuzzer finds
# interesting stay in the Go cache. A crash fails the step and leaves the failing input in
# testdata/fuzz/<target>/, to be fixed and committed as a regression case.
# Usage: test-fuzz.sh [target-regexp]   (GO, FUZZTIME and FUZZMINIMIZE are read from the environment)
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
fuzztime=${FUZZTIME:-10s}
# Minimising each new interesting input can take the whole budget on a busy machine; a short
# cap keeps the time for fuzzing (a crasher is still minimised within it).
minimize=${FUZZMINIMIZE:-2s}
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
  # The last progress line holds the total: "fuzz: elapsed: 10s, execs: 12345 (1234/sec), ...".
  execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  where=$pkg; [ "$pkg" = . ] && where=./$mod
  summary+=("$(printf '%-22s %-30s %10s execs in %s (%ds with the build)' "$name" "$where" "${execs:-?}" "$fuzztime" $(($(date +%s) - start)))")
done
echo "test-fuzz: executions per target"
printf '  %s\n' "${summary[@]}"
