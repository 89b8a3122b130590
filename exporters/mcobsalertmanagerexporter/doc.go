// Package mcobsalertmanagerexporter sends the anomaly processor's level changes straight to
// Alertmanager's v2 API, to every configured peer as Prometheus does, so an anomaly reaches
// Alertmanager seconds after its point arrives instead of after a remote write, a scrape and a
// rule evaluation. Only changes of a series' level are sent (plus periodic re-sends of firing
// alerts, so Alertmanager does not time them out).
//
//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
package mcobsalertmanagerexporter
