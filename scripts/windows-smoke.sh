#!/usr/bin/env bash
# Part of `make test`: fieldscreenctl.exe (GOOS=windows, CGO_ENABLED=0) under Debian's wine,
# headless, on a vault under a Windows path with a space in it: vault init, user add, case
# import and export, vault compact (rename over the live file), audit verify; then the
# vault's cross-process lock test as a Windows binary (LockFileEx). Any step that cannot
# run fails with the reason: nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "windows smoke test: $*" >&2; exit 1; }
for tool in wine x86_64-w64-mingw32-gcc; do
  command -v "$tool" >/dev/null || fail "$tool is missing: install the Debian packages wine, wine64 and gcc-mingw-w64-x86-64-win32 (make deps-test does)"
done

work=$(mktemp -d)
wineserver_stop() { WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true; rm -rf "$work"; }
trap wineserver_stop EXIT
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=

echo "windows smoke: building fieldscreenctl.exe and vault.test.exe"
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -o "$work/fieldscreenctl.exe" ./cmd/fieldscreenctl
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$work/vault.test.exe" ./vault

echo "windows smoke: preparing a wine prefix"
wine cmd /c exit >"$work/wineboot.log" 2>&1 || { cat "$work/wineboot.log" >&2; fail "wine cannot start a Windows program here (log above)"; }
sys32="$WINEPREFIX/drive_c/windows/system32"
[ -d "$sys32" ] || fail "wine made no prefix at $WINEPREFIX"
if [ ! -e "$sys32/bcryptprimitives.dll" ]; then
  # this wine lacks the DLL Go's runtime needs for random bytes: see scripts/wine/
  x86_64-w64-mingw32-gcc -O2 -shared -o "$sys32/bcryptprimitives.dll" \
    scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -lbcrypt
fi

vault='C:\fieldscreen data\vault'
unix_vault="$WINEPREFIX/drive_c/fieldscreen data/vault"
ctl() { wine "$work/fieldscreenctl.exe" --vault "$vault" "$@"; }
export FIELDSCREEN_PASSPHRASE="windows smoke supervisor passphrase"

out=$(ctl vault init --user sup1 2>&1) || fail "vault init: $out"
[ -s "$unix_vault/vault.db" ] || fail "vault init reported '$out' but made no $unix_vault/vault.db"
out=$(FIELDSCREEN_NEW_PASSPHRASE="windows smoke officer passphrase" ctl --user sup1 user add off1 --role officer 2>&1) ||
  fail "user add: $out"
id=$(ctl --user sup1 case import <testdata/cases/minimal.json 2>"$work/err") || fail "case import: $(cat "$work/err")"
id=$(printf '%s' "$id" | tr -d '\r\n')
[[ "$id" =~ ^[0-9a-f]{32}$ ]] || fail "case import printed '$id', want a case ID"
ctl --user sup1 case export "$id" >"$work/case.json" 2>"$work/err" || fail "case export: $(cat "$work/err")"
grep -q '"TESTPERSON"' "$work/case.json" || fail "case export lacks the imported surname"
out=$(ctl --user sup1 vault compact 2>&1) || fail "vault compact: $out"
ctl --user sup1 case export "$id" >"$work/case2.json" 2>"$work/err" || fail "case export after compact: $(cat "$work/err")"
cmp -s "$work/case.json" "$work/case2.json" || fail "the case changed across vault compact"
out=$(ctl audit verify 2>&1) || fail "audit verify: $out"
[[ "$out" == *"intact"* ]] || fail "audit verify said: $out"
out=$(FIELDSCREEN_PASSPHRASE="not the passphrase" ctl --user sup1 case list 2>&1) && fail "a wrong passphrase opened the vault"

out=$(wine "$work/vault.test.exe" -test.run '^TestOpenInUseByOtherProcess$' -test.v 2>&1) || fail "vault lock test under wine: $out"
[[ "$out" == *"--- PASS: TestOpenInUseByOtherProcess"* ]] || fail "vault lock test did not run: $out"

echo "windows smoke: every step passed (fieldscreenctl.exe on $vault; the vault lock across processes)"
