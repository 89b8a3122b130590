# mcobs: `make run` starts the local stack, `make test` runs every test.
# Everything is built from pinned Go modules (and npm for the Prometheus UI) into ./bin.

SHELL      := bash
.SHELLFLAGS := -eu -o pipefail -c
GO         ?= go
BIN        := $(CURDIR)/bin
GOBUILD    := $(GO) build -trimpath -ldflags='-s -w'
# Tests are built with -trimpath too: the flag is part of every package's build cache key, so
# without it `make test` compiles the whole dependency tree a second time after the binaries.
GOTEST     := $(GO) test -trimpath
# The module proxy here is a flaky filtered mirror: retry downloads before giving up.
DOWNLOAD   := scripts/retry.sh 4
# Our Go modules: the root (CLI, stack, tests, the distribution's sources), each component and
# the internal packages they share (as in contrib), in dependency order. tools/ and
# grafana-plugin/ are modules of their own with their own targets.
MODULES    := internal/canonical internal/tsio internal/analytics internal/anomalymetrics internal/pdatautil \
              internal/cloudscrape internal/sim receivers/awsreceiver receivers/azurereceiver receivers/gcpreceiver \
              processors/anomalyprocessor processors/downsampleprocessor exporters/mcobsalertmanagerexporter .
# The collection loop and the providers that run concurrently in it, and the action runner, are
# tested under the race detector. The race build of their dependency trees is the slowest part of
# a cold `make test`; the simulator, processors and exporter were raced clean and run without it
# (docs/decisions.md).
RACE_MODULES := internal/cloudscrape receivers/awsreceiver receivers/azurereceiver receivers/gcpreceiver
RACE_ROOT_PKGS := ./internal/actions/...

.PHONY: all build run test test-go test-fuzz test-rules test-distribution check-modules check-generated bench lint generate prometheus-ui plugin test-plugin test-plugin-go test-plugin-ui clean help

all: build

help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

## Binaries ---------------------------------------------------------------------------------

build: $(BIN)/prometheus $(BIN)/promtool $(BIN)/alertmanager $(BIN)/amtool ## Build mcobs, otelcol-mcobs and the pinned Prometheus/Alertmanager.
	@# Download only what this platform's build and tests import: `go mod download` would also
	@# fetch Windows-only modules that the mirror here refuses.
	for m in $(MODULES); do (cd $$m && $(CURDIR)/$(DOWNLOAD) $(GO) list -deps -test ./... >/dev/null); done
	$(GOBUILD) -o $(BIN)/otelcol-mcobs ./cmd/otelcol-mcobs
	$(GOBUILD) -o $(BIN)/mcobs ./cmd/mcobs

# Prometheus and promtool come from the tools/prometheus module (see its go.mod for why), built
# with Prometheus's own `remove_all_sd` tag: the stack scrapes static targets only, and leaving
# out the cloud and Kubernetes discovery halves the binaries and the cold build (docs/decisions.md).
PROMETHEUS_TAGS ?= remove_all_sd
$(BIN)/prometheus $(BIN)/promtool &: tools/prometheus/go.mod tools/prometheus/go.sum
	cd tools/prometheus && $(CURDIR)/$(DOWNLOAD) $(GO) mod download
	cd tools/prometheus && $(GOBUILD) -tags '$(PROMETHEUS_TAGS)' -o $(BIN)/ github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool

$(BIN)/alertmanager $(BIN)/amtool &: tools/alertmanager/go.mod tools/alertmanager/go.sum
	cd tools/alertmanager && $(CURDIR)/$(DOWNLOAD) $(GO) mod download
	cd tools/alertmanager && $(GOBUILD) -o $(BIN)/ github.com/prometheus/alertmanager/cmd/alertmanager github.com/prometheus/alertmanager/cmd/amtool

prometheus-ui: $(BIN)/prometheus-ui/prometheus/web/ui/static/mantine-ui/index.html ## Build the Prometheus web UI with npm.

$(BIN)/prometheus-ui/prometheus/web/ui/static/mantine-ui/index.html: tools/prometheus/go.mod tools/prometheus-ui/package-lock.json
	scripts/build-prometheus-ui.sh $(BIN)/prometheus-ui/prometheus/web/ui/static

plugin: ## Build the Grafana plugin (backend for linux/darwin/windows x amd64/arm64, frontend) into bin/grafana and its zip.
	scripts/build-plugin.sh $(BIN)

## Running ----------------------------------------------------------------------------------

run: build ## Build what is missing, then start the local stack (mcobs up).
	-$(MAKE) --no-print-directory prometheus-ui
	@# With Grafana installed, build the plugin for this machine only (all six platforms: make plugin).
	@if command -v grafana >/dev/null; then \
		PLUGIN_TARGETS="$$($(GO) env GOOS)/$$($(GO) env GOARCH)" scripts/build-plugin.sh $(BIN) || \
		echo "make run: the Grafana plugin did not build; Grafana starts without it"; fi
	$(BIN)/mcobs up --bin-dir $(BIN)

## Tests ------------------------------------------------------------------------------------

test: build check-generated check-modules test-rules test-go test-fuzz test-distribution test-plugin ## Run every test (the README's test command).

check-modules: ## Fail when a module's go.mod or go.sum is not tidy.
	for m in $(MODULES); do (cd $$m && $(GO) mod tidy -diff) || { echo "check-modules: run 'go mod tidy' in $$m" >&2; exit 1; }; done

test-go:
	for m in $(MODULES); do \
		race=; for r in $(RACE_MODULES); do [ "$$m" = "$$r" ] && race=-race; done; \
		pkgs=./...; [ "$$m" = . ] && pkgs=$$($(GO) list ./... | grep -v -F -x -f <($(GO) list $(RACE_ROOT_PKGS))); \
		echo "test-go: $$m $$race"; \
		(cd $$m && MCOBS_BIN_DIR=$(BIN) MCOBS_E2E=required $(GOTEST) $$race -count=1 -timeout 20m $$pkgs) || exit 1; \
	done
	MCOBS_BIN_DIR=$(BIN) MCOBS_E2E=required $(GOTEST) -race -count=1 -timeout 20m $(RACE_ROOT_PKGS)

# After test-go, which has already run each target's committed seed corpus as plain tests.
test-fuzz: ## Fuzz each parser of outside input for FUZZTIME (100000x) executions per target; prints them.
	GO=$(GO) scripts/test-fuzz.sh

test-distribution: build ## Build a third-party distribution (core, otlp, our aws receiver, debug) from its own manifest, and run it.
	scripts/test-distribution.sh $(BIN)

test-rules: $(BIN)/promtool $(BIN)/amtool ## Check and unit-test the alert rules and the Alertmanager config.
	$(BIN)/promtool check rules alert-rules/*.rules.yml
	$(BIN)/promtool test rules alert-rules/*.test.yml
	$(BIN)/amtool check-config alert-rules/alertmanager.yml
	AMTOOL=$(BIN)/amtool scripts/test-routes.sh

test-plugin: test-plugin-go test-plugin-ui ## Test the Grafana plugin: backend (own Go module) and frontend.

# ./pkg/... and not ./...: node_modules holds a stray Go package of an npm dependency.
test-plugin-go: $(BIN)/prometheus $(BIN)/promtool
	cd grafana-plugin && $(CURDIR)/$(DOWNLOAD) $(GO) list -deps -test ./pkg/... >/dev/null
	cd grafana-plugin && MCOBS_BIN_DIR=$(BIN) MCOBS_E2E=required $(GOTEST) -count=1 -timeout 10m ./pkg/...

test-plugin-ui: ## Typecheck, lint and unit-test the Grafana plugin's frontend (npm ci first).
	cd grafana-plugin && $(CURDIR)/scripts/retry.sh 3 npm ci --no-audit --no-fund --loglevel=error
	cd grafana-plugin && npm run --silent typecheck && npm run --silent lint && npm test --silent

check-generated: ## Regenerate the distribution sources and fail if they differ from the committed ones.
	scripts/check-generated.sh

bench: build ## Print the benchmark figures the issues ask for.
	scripts/bench.sh

lint: ## Run golangci-lint (pinned in tools/lint).
	cd tools/lint && $(GO) build -o $(BIN)/golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	for m in $(MODULES); do (cd $$m && $(BIN)/golangci-lint run --config $(CURDIR)/.golangci.yml ./...) || exit 1; done
	cd grafana-plugin && $(BIN)/golangci-lint run --config ../.golangci.yml ./pkg/...

generate: ## Regenerate the distribution (OCB) and component metadata (mdatagen).
	scripts/generate.sh

clean: ## Remove binaries and the local stack's state.
	rm -rf $(BIN) .mcobs
