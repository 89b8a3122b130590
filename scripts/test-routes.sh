#!/usr/bin/env bash
# Tests every route of alert-rules/alertmanager.yml with `amtool config routes test`: each case
# is the receivers an alert with the given labels must reach, in routing-tree order. Run by
# `make test-rules`; fails on the first case that routes elsewhere, after printing all results.
set -euo pipefail

AMTOOL=${AMTOOL:-bin/amtool}
CONFIG=${CONFIG:-alert-rules/alertmanager.yml}
failed=0

# expect RECEIVERS LABEL=VALUE...
expect() {
	local want=$1
	shift
	local got
	got=$("$AMTOOL" config routes test --config.file="$CONFIG" "$@" | tail -n 1)
	if [[ "$got" == "$want" ]]; then
		printf 'ok    %-45s %s\n' "$want" "$*"
	else
		printf 'FAIL  want %s, got %s: %s\n' "$want" "$got" "$*"
		failed=1
	fi
}

# Severity routes for a cloud resource without an owning team; the action runner gets all.
expect action-runner,oncall-page severity=critical alertname=McobsCPUHigh cloud_provider=aws cloud_account_id=111111111111 host_name=web-1
expect action-runner,ops-email severity=warning alertname=McobsMemoryHigh cloud_provider=azure host_name=app-7
expect action-runner,chat severity=info alertname=McobsFilesystemFull cloud_provider=gcp host_name=vm-3
# An alert without a severity (a hand-made one) still reaches the runner and operations.
expect action-runner,ops-email alertname=Custom cloud_provider=aws
# The instant exporter's alerts route like the rule alerts.
expect action-runner,oncall-page severity=critical alertname=McobsAnomalyInstant cloud_provider=aws anomaly_metric=system.cpu.utilization

# The platform team owns the collection and the collector, whatever the provider or team tag.
expect action-runner,platform-email severity=warning alertname=McobsCollectionThrottled cloud_provider=aws
expect action-runner,platform-email severity=warning alertname=McobsCollectionStale cloud_provider=azure cloud_account_id=5f0c8a6e-1d2b-4c3a-9e7f-0a1b2c3d4e5f cloud_region=westeurope
expect action-runner,platform-page severity=critical alertname=McobsCredentialsRejected cloud_provider=aws cloud_tag_team=data
expect action-runner,platform-page severity=critical alertname=McobsCollectorDown job=otelcol-mcobs
expect action-runner,platform-email severity=warning alertname=McobsExportQueueFilling exporter=prometheus_remote_write
expect action-runner,platform-page severity=critical alertname=McobsExportDroppingPoints
expect action-runner,platform-email severity=warning alertname=McobsRemoteWriteLagging
expect action-runner,platform-email severity=warning alertname=McobsReceiverRefusing

# Resources tagged team=data go to the data team, by severity.
expect action-runner,data-email severity=warning alertname=McobsCPUHigh cloud_provider=aws cloud_tag_team=data
expect action-runner,data-page severity=critical alertname=McobsStorageFullSoon cloud_provider=aws cloud_tag_team=data
expect action-runner,chat severity=info alertname=McobsAnomaly cloud_provider=aws cloud_tag_team=data
# Another team tag has no route of its own: severity decides.
expect action-runner,oncall-page severity=critical alertname=McobsCPUHigh cloud_provider=aws cloud_tag_team=web

# Private clouds go to the on-premises team.
expect action-runner,onprem-email severity=warning alertname=McobsMemoryHigh cloud_provider=vmware
expect action-runner,onprem-page severity=critical alertname=McobsInstanceStopped cloud_provider=openstack
expect action-runner,onprem-email severity=info alertname=McobsHostAnomaly cloud_provider=vmware

exit "$failed"
