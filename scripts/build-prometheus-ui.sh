#!/usr/bin/env bash
# build-prometheus-ui.sh DEST: builds the web UI of the pinned Prometheus module into
# DEST/mantine-ui, from the module's own web/ui sources and pnpm lockfile.
#
# The Go build of Prometheus does not embed the UI (that needs `make assets` in its repository),
# so `mcobs up` runs Prometheus from a directory holding web/ui/static. The UI is a pnpm
# workspace (workspace: protocol), so npm installs the pinned pnpm first (tools/prometheus-ui).
set -euo pipefail
dest=$1
root=$(cd "$(dirname "$0")/.." && pwd)
command -v npm >/dev/null || {
  echo "build-prometheus-ui: npm not found; install Node.js for the Prometheus web UI (the stack runs without it)" >&2
  exit 1
}
src=$(cd "$root/tools/prometheus" && go list -m -f '{{.Dir}}' github.com/prometheus/prometheus)
(cd "$root/tools/prometheus-ui" && "$root/scripts/retry.sh" 3 npm ci --no-audit --no-fund --loglevel=error)
export PATH="$root/tools/prometheus-ui/node_modules/.bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src/web/ui/." "$work/"
chmod -R u+w "$work"
cd "$work"
"$root/scripts/retry.sh" 3 pnpm install --frozen-lockfile --reporter=silent
bash build_ui.sh --build-module >/dev/null
(cd mantine-ui && pnpm exec vite build --logLevel error)
rm -rf "$dest/mantine-ui"
mkdir -p "$dest"
cp -r mantine-ui/dist "$dest/mantine-ui"
echo "build-prometheus-ui: web UI in $dest/mantine-ui"
