# LeadGate: `make run` builds and serves the default config; `make test` runs every test.
SWIFT  ?= swift
CONFIG ?= config/leadgate.yaml
export LEADGATE_ADMIN_TOKEN ?= dev-admin-token-change-me

.PHONY: setup build release run test bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product leadgate

run: release
	.build/release/leadgate serve --config $(CONFIG)

test:
	scripts/setup.sh --test
	$(SWIFT) build --build-tests
	LEADGATE_BIN="$(CURDIR)/.build/debug/leadgate" $(SWIFT) test --skip-build

bench:
	scripts/setup.sh --bench
	scripts/bench/ingest.sh

clean:
	rm -rf .build data
