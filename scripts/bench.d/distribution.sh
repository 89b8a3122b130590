#!/usr/bin/env bash
# Binary sizes of what `make build` produces, and the versions pinned.
set -euo pipefail
printf '%-16s %10s\n' binary size
for b in otelcol-mcobs mcobs prometheus promtool alertmanager amtool; do
  [ -f "bin/$b" ] && printf '%-16s %8.1f MB\n' "$b" "$(awk -v s="$(stat -c %s "bin/$b")" 'BEGIN{print s/1048576}')"
done
echo
echo "pinned: collector $(awk '/otelcol v/ {print $2}' go.mod), prometheus $(awk '/^require github.com\/prometheus\/prometheus / {print $3}' tools/prometheus/go.mod), alertmanager $(awk '/prometheus\/alertmanager v/ {print $2}' tools/alertmanager/go.mod), go $(go env GOVERSION)"
