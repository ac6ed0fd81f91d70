# fieldscreen: the two commands a new user types are `make run` and `make test`.
# Both install the Debian packages they need when run as root (or with sudo available).

SHELL := /bin/bash
GO ?= go
BIN := bin

# Debian packages: RUN_PKGS to build and open the desktop app (Fyne's cgo window code; lp to print),
# TEST_PKGS for the tests (a private CUPS scheduler, PDF checks, serial pseudo-terminals, age, libfprint's virtual
# reader, the real window under Xvfb, PostgreSQL for central's store: the tests start a
# throw-away cluster of their own, sync/central/pgtest).
RUN_PKGS  := gcc pkg-config libgl1-mesa-dev xorg-dev poppler-utils cups-client
TEST_PKGS := $(RUN_PKGS) cups-daemon socat age libfprint-2-dev libglib2.0-dev xvfb xdotool x11-utils imagemagick iso-codes postgresql

.PHONY: run test bench fuzz screenshots build deps-run deps-test vet clean

run: deps-run build
	./scripts/run-demo.sh

build:
	$(GO) build -o $(BIN)/fieldscreen .
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/...

test: deps-test
	./scripts/test.sh

bench: deps-test
	./scripts/bench.sh

# Short fuzzing of every target (the seed corpora also run as unit tests in `make test`).
fuzz:
	./scripts/fuzz.sh 20s

screenshots: deps-test build
	./scripts/screenshots.sh docs/screenshots

deps-run:
	@./scripts/apt-install.sh $(RUN_PKGS)

deps-test:
	@./scripts/apt-install.sh $(TEST_PKGS)

vet:
	$(GO) vet ./...

clean:
	rm -rf $(BIN)
