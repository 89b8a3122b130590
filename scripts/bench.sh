#!/usr/bin/env bash
# Prints the figures the issues ask for, one section per scripts/bench.d/*.sh fragment.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for f in scripts/bench.d/*.sh; do
  echo
  echo "=== $(basename "$f" .sh)"
  bash "$f" || { echo "bench: $f failed" >&2; status=1; }
done
exit $status
