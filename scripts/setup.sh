#!/usr/bin/env bash
# Installs what LeadGate's build and tests need, only when missing: fast when everything is there.
set -euo pipefail

packages=(libsqlite3-dev libcurl4-openssl-dev)
if [ "${1:-}" = "--bench" ]; then packages+=(wrk hyperfine); fi

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
command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.3 is expected at /opt/swift)"; exit 1; }
