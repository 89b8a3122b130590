#!/usr/bin/env bash
# build-plugin.sh [BIN]: builds the mcobs Insights Grafana plugin (grafana-plugin/) and lays it
# out as Grafana loads it:
#   BIN/grafana/plugins/mcobs-insights-datasource/   unpacked (plugin.json, module.js, img,
#                                                    README, LICENSE, CHANGELOG, executables)
#   BIN/mcobs-insights-datasource-<version>.zip      the same directory as an archive
#   BIN/grafana/provisioning/                        grafana-plugin/provisioning, if present
# The plugin is unsigned: Grafana loads it with
#   [plugins] allow_loading_unsigned_plugins = mcobs-insights-datasource
#
# PLUGIN_TARGETS="linux/amd64 ..." narrows the backend platforms (default: linux, darwin and
# windows on amd64 and arm64, the set a release ships). The layout is checked at the end:
# plugin.json's id and executable must match the binaries present; `build-plugin.sh --check DIR`
# runs only that check on an unpacked plugin directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/grafana-plugin
id=mcobs-insights-datasource
exe=gpx_mcobs_insights
targets=${PLUGIN_TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}
retry=$root/scripts/retry.sh

die() {
  echo "build-plugin: $*" >&2
  exit 1
}

# check DIR: the unpacked plugin is complete and consistent.
check() {
  local dir=$1 want_id got_exe
  for f in plugin.json module.js img/logo.svg README.md LICENSE CHANGELOG.md; do
    [ -f "$dir/$f" ] || die "$dir/$f is missing"
  done
  want_id=$(node -p "require('$dir/plugin.json').id")
  got_exe=$(node -p "require('$dir/plugin.json').executable")
  [ "$want_id" = "$id" ] || die "plugin.json id is \"$want_id\", want \"$id\""
  [ "$got_exe" = "$exe" ] || die "plugin.json executable is \"$got_exe\", want \"$exe\""
  grep -q '%VERSION%\|%TODAY%' "$dir/plugin.json" && die "plugin.json still holds %VERSION% or %TODAY%"
  for t in $targets; do
    local f=$dir/${exe}_${t%/*}_${t#*/}
    [ "${t%/*}" = windows ] && f=$f.exe
    [ -x "$f" ] || die "executable $f is missing"
  done
  local n
  n=$(find "$dir" -maxdepth 1 -name "${exe}_*" | wc -l)
  [ "$n" -eq "$(wc -w <<<"$targets")" ] || die "$dir holds $n executables, want one per target ($targets)"
}

if [ "${1:-}" = --check ]; then
  check "$(realpath "${2:?usage: build-plugin.sh --check DIR}")"
  echo "build-plugin: $2 is a complete plugin layout"
  exit 0
fi

bin=$(realpath -m "${1:-$root/bin}")
command -v npm >/dev/null || die "npm not found; install Node.js 20 or later to build the plugin frontend"
command -v go >/dev/null || die "go not found; the plugin backend needs Go (see grafana-plugin/go.mod)"
[ -f "$src/go.mod" ] && [ -d "$src/pkg" ] || die "no backend in $src (go.mod and pkg/ are missing)"

# Frontend first: webpack's output.clean empties dist/ except for files named like executables.
cd "$src"
"$retry" 3 npm ci --no-audit --no-fund --loglevel=error
npm run --silent build >/dev/null

# Backend, one static executable per platform, named as Grafana looks it up. Executables of an
# earlier build survive webpack's clean, so they go first: the layout holds exactly $targets.
rm -f dist/"${exe}"_*
for t in $targets; do
  os=${t%/*} arch=${t#*/}
  out=dist/${exe}_${os}_${arch}
  [ "$os" = windows ] && out=$out.exe
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$retry" 3 go build -trimpath -ldflags='-s -w' -o "$out" ./pkg
done

version=$(node -p "require('./dist/plugin.json').info.version")
plugins=$bin/grafana/plugins
rm -rf "${plugins:?}/$id"
mkdir -p "$plugins"
cp -r dist "$plugins/$id"
chmod 0755 "$plugins/$id/${exe}"_*
check "$plugins/$id"

zipfile=$bin/$id-$version.zip
rm -f "$zipfile"
if command -v zip >/dev/null; then
  (cd "$plugins" && zip -qr "$zipfile" "$id")
else
  (cd "$plugins" && python3 -m zipfile -c "$zipfile" "$id")
fi

if [ -d "$src/provisioning" ]; then
  rm -rf "$bin/grafana/provisioning"
  cp -r "$src/provisioning" "$bin/grafana/provisioning"
fi

echo "build-plugin: $plugins/$id ($(du -sh "$plugins/$id" | cut -f1)), $zipfile ($(du -h "$zipfile" | cut -f1))"
