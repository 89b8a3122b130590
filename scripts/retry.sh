#!/usr/bin/env bash
# retry.sh N CMD...: runs CMD up to N times with a growing pause. The Go module proxy and npm
# registry reachable here are filtered mirrors that sometimes fail a request that works later.
set -uo pipefail
n=$1; shift
for i in $(seq "$n"); do
  "$@" && exit 0
  [ "$i" -lt "$n" ] && { echo "retry.sh: attempt $i of $n failed: $*" >&2; sleep $((i * 5)); }
done
exit 1
