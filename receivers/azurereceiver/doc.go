// Package azurereceiver pulls Azure Monitor metrics through the regional metrics:getBatch
// endpoint and inventory from Azure Resource Graph and ARM, across subscriptions, and emits them
// in mcobs's canonical model (internal/canonical). It is a provider on the shared collection loop
// (internal/cloudscrape): this package holds the Azure calls and nothing else.
//
//go:generate go tool -modfile=../../tools/go.mod mdatagen metadata.yaml
package azurereceiver
