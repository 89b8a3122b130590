// Package simazure speaks the Azure wire protocols on top of the simulator core
// (internal/sim): Entra ID's OpenID configuration and client credentials token endpoint, the
// ARM subscription and virtual network reads, Azure Resource Graph queries and the Azure
// Monitor metrics:getBatch data plane, as the pinned Azure SDK for Go clients (azidentity,
// armsubscriptions, armnetwork, armresourcegraph, azmetrics) send and parse them. One TLS
// handler serves them all on one address; every API call must carry a bearer token the
// simulator issued. See internal/sim/README.md.
package simazure
