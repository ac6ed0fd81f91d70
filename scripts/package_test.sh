#!/usr/bin/env bash
# Part of `make test`: builds the Debian package from the binaries in bin/ (built earlier in
# the run by the screenshot test; built here when missing), checks its contents, then installs
# and removes it with dpkg in a throw-away root (dpkg --root) whose package database is a copy
# of this machine's, so dependencies are checked as on the machine. Nothing is installed on
# the machine itself.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "package test: $*" >&2; exit 1; }

[ -x bin/fieldscreen ] || go build -o bin/fieldscreen .
[ -x bin/fieldscreenctl ] || CGO_ENABLED=0 go build -o bin/ ./cmd/...
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=$(./scripts/package-deb.sh bin "$work/dist")
[ -f "$deb" ] || fail "package-deb.sh made no package"

id=$(sed -n 's/^[[:space:]]*ID[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
version=$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml)
[ "$(dpkg-deb -f "$deb" Package)" = fieldscreen ] || fail "package name is not fieldscreen"
[[ "$(dpkg-deb -f "$deb" Version)" == "$version-"* ]] || fail "version $(dpkg-deb -f "$deb" Version) is not FyneApp.toml's $version"
dpkg-deb -c "$deb" >"$work/contents"
want=(./usr/bin/fieldscreen ./usr/bin/fieldscreenctl "./usr/share/applications/$id.desktop")
for s in 16 24 32 48 64 128 256 512; do want+=("./usr/share/icons/hicolor/${s}x${s}/apps/$id.png"); done
for f in "${want[@]}"; do
  grep -q " $f\$" "$work/contents" || fail "the package lacks $f"
done
if grep -v ' root/root ' "$work/contents" | grep -q .; then fail "files not owned by root in the package"; fi

# a throw-away root with a copy of this machine's package database
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
cp /var/lib/dpkg/status "$root/var/lib/dpkg/status"
touch "$root/var/lib/dpkg/available"
dpkg --root="$root" --log=/dev/null -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dpkg -i failed"; }
[ "$(dpkg --root="$root" -s fieldscreen | sed -n 's/^Status: //p')" = "install ok installed" ] || fail "not installed after dpkg -i"
"$root/usr/bin/fieldscreenctl" --help >/dev/null 2>&1 || [ $? -eq 2 ] || fail "the installed fieldscreenctl does not run"
desktop-file-validate "$root/usr/share/applications/$id.desktop" || fail "the desktop entry is not valid"
file=$(identify -format '%wx%h' "$root/usr/share/icons/hicolor/48x48/apps/$id.png")
[ "$file" = 48x48 ] || fail "the 48 px icon is $file"

dpkg --root="$root" --log=/dev/null -r fieldscreen >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "dpkg -r failed"; }
dpkg --root="$root" --log=/dev/null -P fieldscreen >>"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "dpkg -P failed"; }
left=$(find "$root" -path "$root/var" -prune -o -type f -print)
[ -z "$left" ] || fail "files left after dpkg -r and -P: $left"
if dpkg --root="$root" -s fieldscreen >/dev/null 2>&1; then fail "still known to dpkg after purge"; fi
echo "package test: $(basename "$deb") built, installed and removed cleanly in a throw-away root"
