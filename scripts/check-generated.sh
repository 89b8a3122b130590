#!/usr/bin/env bash
# Fails when the committed generated sources (the OCB distribution and mdatagen output) differ
# from what the pinned generators produce now.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/generate.sh
if ! git diff --exit-code --stat -- cmd/otelcol-mcobs receivers processors exporters; then
  echo "check-generated: generated sources are out of date: run 'make generate' and commit the result" >&2
  exit 1
fi
untracked=$(git ls-files --others --exclude-standard -- cmd/otelcol-mcobs receivers processors exporters)
if [ -n "$untracked" ]; then
  echo "check-generated: generators produced files that are not committed:" >&2
  echo "$untracked" >&2
  exit 1
fi
echo "check-generated: generated sources are up to date"
