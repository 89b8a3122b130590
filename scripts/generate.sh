#!/usr/bin/env bash
# Regenerates the otelcol-mcobs sources with the pinned Collector Builder and every component's
# metadata code and docs with the pinned mdatagen.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# From the repository root: the manifest's component paths are relative to it.
go tool -modfile=tools/go.mod builder --config builder-config.yaml --skip-compilation --skip-get-modules \
  --output-path "$out" >/dev/null
rm -f cmd/otelcol-mcobs/*.go
cp "$out"/*.go cmd/otelcol-mcobs/
# The builder's templates are not gofmt-clean; format them so the whole tree is.
gofmt -w cmd/otelcol-mcobs/*.go
for meta in $(find receivers processors exporters -name metadata.yaml -not -path '*/testdata/*' 2>/dev/null | sort); do
  (cd "$(dirname "$meta")" && go tool -modfile="$OLDPWD/tools/go.mod" mdatagen metadata.yaml)
done
