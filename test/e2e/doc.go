// Package e2e holds end-to-end tests that run the built binaries: the real Prometheus and
// Alertmanager pinned in tools/, otelcol-mcobs and mcobs, all on 127.0.0.1.
//
// `make test` builds the binaries first and sets MCOBS_E2E=required, so a missing binary fails
// the run there; a plain `go test ./...` without them skips these tests and says why.
package e2e
