# fieldscreen: the two commands a new user types are `make run` and `make test`.
# Both install the Debian packages they need when run as root (or with sudo available).

SHELL := /bin/bash
GO ?= go
BIN := bin

# Debian packages: RUN_PKGS to build and open the desktop app (Fyne's cgo window code; lp to print),
# TEST_PKGS for the tests (a private CUPS scheduler, PDF checks, serial pseudo-terminals, age, libfprint's virtual
# reader, the real window under Xvfb, PostgreSQL for central's store: the tests start a
# throw-away cluster of their own, sync/central/pgtest; dpkg and desktop-file-utils for the
# Debian package in a throw-away root; wine and MinGW-w64 for fieldscreenctl.exe under wine).
# WIN_PKGS cross-builds the Windows app (make windows).
RUN_PKGS  := gcc pkg-config libgl1-mesa-dev xorg-dev poppler-utils cups-client
WIN_PKGS  := gcc-mingw-w64-x86-64-win32
TEST_PKGS := $(RUN_PKGS) cups-daemon socat age libfprint-2-dev libglib2.0-dev xvfb xdotool x11-utils imagemagick iso-codes postgresql \
	dpkg desktop-file-utils wine wine64 $(WIN_PKGS)

.PHONY: run test bench fuzz screenshots build package windows deps-run deps-test deps-win vet clean

run: deps-run build
	./scripts/run-demo.sh

build:
	$(GO) build -o $(BIN)/fieldscreen .
	CGO_ENABLED=0 $(GO) build -o $(BIN)/ ./cmd/...

test: deps-test
	./scripts/test.sh

# A Debian package (dpkg-deb) of the app and fieldscreenctl with a desktop entry and icons,
# in dist/; `make test` installs and removes it in a throw-away root.
package: deps-run build
	./scripts/package-deb.sh $(BIN) dist

# The Windows build: the desktop app through cgo with Debian's MinGW-w64 and fieldscreenctl
# without cgo, in bin/windows/. Drivers that cannot work there are left out by build tags
# (docs/devices.md). `make test` runs fieldscreenctl.exe under wine.
windows: deps-win
	CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 $(GO) build -ldflags -H=windowsgui -o $(BIN)/windows/fieldscreen.exe .
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 $(GO) build -o $(BIN)/windows/fieldscreenctl.exe ./cmd/fieldscreenctl

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

deps-win:
	@./scripts/apt-install.sh $(WIN_PKGS)

vet:
	$(GO) vet ./...

clean:
	rm -rf $(BIN) dist
