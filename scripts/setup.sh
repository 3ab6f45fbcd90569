#!/usr/bin/env bash
# Installs what LeadGate needs, only when missing (fast when everything is there):
#   scripts/setup.sh           build: libsqlite3-dev, libcurl4-openssl-dev
#   scripts/setup.sh --test    and the real peers the tests start on 127.0.0.1: dovecot (IMAP), openssl
#                              (test certificates), aiosmtpd (the SMTP sink, from PyPI), headless chromium
#                              and a Hebrew-capable font (the dashboard screenshots)
#   scripts/setup.sh --bench   and wrk, hyperfine, sqlite3, curl, valgrind (instructions counted by scripts/bench/intake.sh),
#                              linux-perf and gawk (the disk syncs recorded by scripts/bench/stalls.sh)
set -euo pipefail

packages=(libsqlite3-dev libcurl4-openssl-dev)
python_packages=()
for flag in "$@"; do
  case "$flag" in
    --test) packages+=(dovecot-imapd openssl chromium fonts-dejavu-core); python_packages+=(aiosmtpd) ;;
    --bench) packages+=(wrk hyperfine sqlite3 curl valgrind linux-perf gawk) ;;
    *) echo "setup: unknown flag $flag (--test, --bench)"; exit 64 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The tests run `python3` from PATH, so check and install with that interpreter (an import is faster than pip show).
for module in "${python_packages[@]}"; do
  if ! python3 -c "import $module" >/dev/null 2>&1; then
    echo "setup: installing $module"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "$module"
  fi
done
command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.3 is expected at /opt/swift)"; exit 1; }
