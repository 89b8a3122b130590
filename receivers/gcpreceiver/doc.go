// Package gcpreceiver pulls Google Cloud Monitoring metrics through ListTimeSeries (one call
// per metric type and project, over every resource) and inventory from the Compute Engine and
// Cloud SQL Admin APIs, across projects, and emits them in mcobs's canonical model
// (internal/canonical). It is a provider on the shared collection loop (internal/cloudscrape):
// this package holds the Google Cloud calls and nothing else.
//
//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
package gcpreceiver
