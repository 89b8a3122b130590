#!/usr/bin/env bash
# Builds test/distribution/manifest.yaml (core, otlp, the mcobs aws receiver, debug) with the
# pinned Collector Builder, as another project would, then runs it against the simulator until
# the debug exporter prints the receiver's points. Usage: test-distribution.sh BIN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=$(cd "$1" && pwd)
tmp=$(mktemp -d)
cleanup() {
  [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null || true
  [ -n "${col_pid:-}" ] && kill "$col_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

sed "s#@ROOT@#$root#" test/distribution/manifest.yaml >"$tmp/manifest.yaml"
start=$(date +%s)
# The builder writes the distribution's go.mod, resolves it (the module proxy: retried) and builds.
(cd tools && "$root/scripts/retry.sh" 3 go tool builder --config "$tmp/manifest.yaml" --output-path "$tmp/dist" >"$tmp/builder.log" 2>&1) ||
  { cat "$tmp/builder.log" >&2; echo "test-distribution: the builder failed" >&2; exit 1; }
echo "test-distribution: built $tmp/dist/otelcol-thirdparty in $(($(date +%s) - start)) s"
# What the distribution took of mcobs: the receiver and the internal modules it imports.
grep -o 'github.com/mcobs/mcobs/[a-z/]*' "$tmp/dist/go.mod" | sort -u | sed 's/^/  requires /'

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/mcobs" sim --listen "127.0.0.1:$port" >"$tmp/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/sim/health" >/dev/null && break; sleep 0.1; done
sed "s#@SIM@#127.0.0.1:$port#" test/distribution/config.yaml >"$tmp/config.yaml"
"$tmp/dist/otelcol-thirdparty" --config "$tmp/config.yaml" >"$tmp/collector.log" 2>&1 &
col_pid=$!
for _ in $(seq 300); do
  if grep -q '"data points": [1-9]' "$tmp/collector.log"; then
    echo "test-distribution: the aws receiver's points reached the debug exporter:"
    grep '"data points"' "$tmp/collector.log" | head -3 | sed 's/^/  /'
    if grep -E '\b(panic|error)\b' "$tmp/collector.log" | grep -v '"error": null' >/dev/null; then
      grep -E '\b(panic|error)\b' "$tmp/collector.log" >&2
      echo "test-distribution: the collector logged errors" >&2
      exit 1
    fi
    exit 0
  fi
  if ! kill -0 "$col_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
cat "$tmp/collector.log" >&2
echo "test-distribution: no points from the aws receiver within 30 s" >&2
exit 1
