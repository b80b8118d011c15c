#!/usr/bin/env bash
# scripts/deps.sh: installs what leadflow needs from the machine and is not
# there yet, with apt-get; does nothing (in a few milliseconds) when all of it
# is present. `make run`, `make reliability` and `make test` call it first, and
# .ci/run calls it too, so a fresh machine needs nothing by hand.
#
#   scripts/deps.sh run     PostgreSQL's server binaries (initdb, pg_ctl), as
#                           `make run` and `make reliability` need them
#   scripts/deps.sh test    the same, plus what the tests drive: chromium, a
#                           CJK font for its screenshots (fonts-wqy-microhei)
#                           and LibreOffice Calc (soffice)
#   scripts/deps.sh ci      the same as test, plus make (for .ci/run)
#
# Options: -n / --dry-run says what is missing and the command that would
# install it, and installs nothing (exit 1 when something is missing).
# LEADFLOW_DEPS=skip skips every check (installed some other way, or another
# distribution). `make run` with DATABASE_URL set needs no local PostgreSQL.
#
# As root it runs apt-get itself; otherwise through sudo when there is sudo;
# otherwise it prints the command to run and fails.
set -euo pipefail

mode=${1:-test}
dry=no
for a in "${@:2}"; do
  case $a in
    -n | --dry-run) dry=yes ;;
    *) echo "deps: unknown option $a (usage: scripts/deps.sh run|test|ci [--dry-run])" >&2; exit 2 ;;
  esac
done
case $mode in
  run | test | ci) ;;
  -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
  *) echo "deps: unknown mode $mode (usage: scripts/deps.sh run|test|ci [--dry-run])" >&2; exit 2 ;;
esac
[ "${LEADFLOW_DEPS:-}" = skip ] && exit 0

# The checks look where the code looks.
# devstack.findPostgresBinaries: initdb and pg_ctl on PATH, or both in one
# /usr/lib/postgresql/*/bin.
have_postgres() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && return 0
  done
  return 1
}
# api/browser_test.go: exec.LookPath("chromium").
have_chromium() { command -v chromium >/dev/null 2>&1; }
# The browser tests' screenshots of the Chinese registration page.
have_cjk_font() {
  if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]; then
    return 0
  fi
  compgen -G '/usr/share/fonts/truetype/wqy/*' >/dev/null
}
# api/imports_test.go: exec.LookPath("soffice").
have_soffice() { command -v soffice >/dev/null 2>&1; }
have_make() { command -v make >/dev/null 2>&1; }

# need: "check package what" per line; the package is apt's.
need="have_postgres postgresql PostgreSQL's server binaries (initdb, pg_ctl)"
if [ "$mode" = run ] && [ -n "${DATABASE_URL:-}" ]; then
  need=""
fi
if [ "$mode" != run ]; then
  need+="
have_chromium chromium chromium (the console's browser tests)
have_cjk_font fonts-wqy-microhei a CJK font (the browser tests' screenshots of the Chinese page)
have_soffice libreoffice-calc LibreOffice Calc (the XLSX import test)"
fi
if [ "$mode" = ci ]; then
  need+="
have_make make make"
fi

missing=() pkgs=()
while read -r check pkg what; do
  [ -n "$check" ] || continue
  if ! "$check"; then
    missing+=("$what")
    pkgs+=("$pkg")
  fi
done <<<"$need"
[ ${#pkgs[@]} -eq 0 ] && exit 0

echo "deps: missing: $(IFS=';'; echo "${missing[*]}" | sed 's/;/; /g')" >&2
# --no-install-recommends: chromium and LibreOffice would bring hundreds of
# megabytes they do not need; postgresql's recommends are small.
cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs[*]}"

if [ "$dry" = yes ]; then
  echo "deps: would run: $cmd" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps: no apt-get on this machine; install the equivalent of the Debian packages ${pkgs[*]}," >&2
  echo "deps: then run this again (or set LEADFLOW_DEPS=skip to skip the check)" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
  sudo=(sudo)
  echo "deps: installing with sudo" >&2
else
  echo "deps: not root and no usable sudo; as root, run:" >&2
  echo "    $cmd" >&2
  exit 1
fi

echo "deps: installing ${pkgs[*]} (apt-get)" >&2
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null

# What apt installed must now be found the way the code finds it.
still=()
while read -r check pkg what; do
  [ -n "$check" ] || continue
  "$check" || still+=("$what (package $pkg)")
done <<<"$need"
if [ ${#still[@]} -gt 0 ]; then
  echo "deps: installed, yet still not found: $(IFS=';'; echo "${still[*]}" | sed 's/;/; /g')" >&2
  exit 1
fi
echo "deps: done" >&2
