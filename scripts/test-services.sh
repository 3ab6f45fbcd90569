#!/usr/bin/env bash
# Installs the real peers LeadGateCurl's tests start on 127.0.0.1, only when missing (fast when all is there):
# dovecot (IMAP), aiosmtpd (SMTP sink, Tests/LeadGateCurlTests/Support/smtp_sink.py), openssl (test certificates).
set -euo pipefail

packages=(dovecot-imapd openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-services: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The tests run `python3` from PATH, so check and install with that interpreter (an import is faster than pip show).
if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
  echo "test-services: installing aiosmtpd"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore aiosmtpd
fi
