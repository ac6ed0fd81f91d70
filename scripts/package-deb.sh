#!/usr/bin/env bash
# Builds the Debian package of the terminal with dpkg-deb: the desktop app and fieldscreenctl
# from BIN (already built: `make build`), a desktop entry, the icon from assets at the sizes
# desktops look for, and the name, ID and version from FyneApp.toml.
# Usage: scripts/package-deb.sh BIN OUTDIR   (prints the path of the .deb)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: package-deb.sh BIN OUTDIR}
out=${2:?usage: package-deb.sh BIN OUTDIR}

fail() { echo "package-deb: $*" >&2; exit 1; }
for f in "$bin/fieldscreen" "$bin/fieldscreenctl"; do
  [ -x "$f" ] || fail "$f is missing: run make build first"
done
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing: install the Debian package dpkg"
command -v convert >/dev/null || fail "convert is missing: install the Debian package imagemagick"

# one key = "value" line of FyneApp.toml (the file's only format we rely on)
toml() {
  local v
  v=$(sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"]*\)\"\{0,1\}[[:space:]]*$/\1/p" FyneApp.toml | head -1)
  [ -n "$v" ] || fail "FyneApp.toml has no $1"
  printf '%s' "$v"
}
name=$(toml Name)
id=$(toml ID)
version=$(toml Version)
build=$(toml Build)
website=$(toml Website)
icon=$(toml Icon)
[ -f "$icon" ] || fail "icon $icon (FyneApp.toml) is missing"
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || fail "FyneApp.toml Version '$version' is not a Debian upstream version"
[[ "$build" =~ ^[0-9]+$ ]] || fail "FyneApp.toml Build '$build' is not a number"
arch=$(dpkg --print-architecture)
deb_version="$version-$build"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/doc/$name"
install -m 0755 "$bin/fieldscreen" "$root/usr/bin/fieldscreen"
install -m 0755 "$bin/fieldscreenctl" "$root/usr/bin/fieldscreenctl"
for s in 16 24 32 48 64 128 256 512; do
  d="$root/usr/share/icons/hicolor/${s}x${s}/apps"
  install -d "$d"
  convert "$icon" -resize "${s}x${s}" -strip "PNG32:$d/$id.png"
done

cat >"$root/usr/share/applications/$id.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Version=1.0
Name=$name
GenericName=Screening terminal
GenericName[nl]=Screeningsterminal
Comment=Offline screening at the external border: cases, biometrics, forms and sync
Comment[nl]=Offline screening aan de buitengrens: dossiers, biometrie, formulieren en synchronisatie
Exec=fieldscreen
Icon=$id
Terminal=false
Categories=Office;
StartupWMClass=$name
DESKTOP

cat >"$root/usr/share/doc/$name/copyright" <<COPY
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $name
Source: $website
COPY

# the libraries the app links (Fyne's window code); fieldscreenctl is static
cat >"$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $deb_version
Architecture: $arch
Maintainer: $name project <$website>
Section: misc
Priority: optional
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Depends: libc6, libgl1, libx11-6, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1
Recommends: poppler-utils, cups-client
Homepage: $website
Description: offline screening terminal for the external border
 The desktop app ($id) and fieldscreenctl: cases in an encrypted vault,
 fingerprints, face and documents from paired devices, the screening form and
 leaflet, and sync to the central server when a network is there.
CONTROL

mkdir -p "$out"
deb="$out/${name}_${deb_version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
echo "$deb"
