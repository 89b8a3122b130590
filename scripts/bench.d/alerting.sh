#!/usr/bin/env bash
# Issue 5 figures, the alerting part, from the e2e tests with the real Prometheus and
# Alertmanager running alert-rules/: latency of the instant path (a point entering the
# mcobs_alertmanager exporter -> two Alertmanagers list the alert -> the action-runner route's
# webhook, a recorder here; and through a whole collector, OTLP receiver -> anomaly -> batch ->
# exporter -> Alertmanager) and of the rule path (a critical anomaly_level point remote-written
# -> McobsAnomaly after its for: 2m -> the webhook); and the exporter's cost per level change
# from its Go benchmark. The rule path takes about three minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${MCOBS_BIN_DIR:-$PWD/bin}
printf '%-44s %s\n' figure value
if [ -x "$bin/alertmanager" ]; then
  out=$(MCOBS_BIN_DIR="$bin" go test -count=1 -run '^(TestAlertExporterReachesAlertmanager|TestInstantPathThroughCollector|TestAlertRulesReachAlertmanager)$' -timeout 15m -v ./test/e2e/ 2>&1) || {
    echo "$out" | grep -v 'level=' | tail -20 >&2
    exit 1
  }
  echo "$out" | sed -n 's/.*FIGURE instant path, point entering the exporter -> both Alertmanagers list it: /instant path, point -> Alertmanager (x2)       /p'
  echo "$out" | sed -n 's/.*FIGURE instant path, point entering the exporter -> action runner webhook /instant path, point -> action-runner route (recorder) /p'
  echo "$out" | sed -n 's/.*FIGURE instant path through the collector, point entering the OTLP receiver -> Alertmanager lists it: /instant path, OTLP receiver -> Alertmanager    /p'
  echo "$out" | sed -n 's/.*FIGURE rule path, first critical point -> Alertmanager lists McobsAnomaly /rule path, point -> Alertmanager              /p'
  echo "$out" | sed -n 's/.*FIGURE rule path, first critical point -> action runner webhook: /rule path, point -> action-runner route (recorder) /p'
else
  printf '%-44s %s\n' "instant path latency" "n/a ($bin/alertmanager not built: make build)"
fi
(cd exporters/mcobsalertmanagerexporter && go test -run '^$' -bench 'BenchmarkPush' -benchtime=1s .) |
  awk '/^BenchmarkPush/ { for (i = 2; i <= NF; i++) if ($i == "changes/s") v = $(i-1);
         n = $1; sub(/^BenchmarkPush\//, "", n); sub(/-[0-9]+$/, "", n);
         printf "%-44s %.0f level changes/s (%s ns/push)\n", "exporter push, " n " changing per batch", v, $3 }'
