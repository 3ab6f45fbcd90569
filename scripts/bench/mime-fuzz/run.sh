#!/usr/bin/env bash
# Fuzzes the MIME parser and the email adapter (scripts/bench/mime-fuzz, target mime-fuzz): random and mutated
# mail for a fixed time with a fixed seed, so a run can be repeated exactly. A crashing or hanging input is
# saved under scripts/bench/mime-fuzz/crashes/ and the script fails; add the input to
# Tests/LeadGateSourceKitTests/MIMEFuzzRegressionTests.swift once it is fixed.
# Usage: run.sh [seconds=60] [seed=24301]     Replay saved inputs: run.sh --replay FILE...
set -euo pipefail
package="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$package/../../.." && pwd)"
# SwiftPM takes no target path outside the package root, so the real modules come in through links.
ln -sfn ../../../../Sources/LeadGateCore "$package/Sources/LeadGateCore"
ln -sfn ../../../../Sources/LeadGateSourceKit "$package/Sources/LeadGateSourceKit"
ln -sfn ../../../../Plugins/EmailSource "$package/Sources/EmailSource"
swift build -c release --package-path "$package" --product mime-fuzz
binary="$(swift build -c release --package-path "$package" --show-bin-path)/mime-fuzz"
if [ "${1:-}" = "--replay" ]; then
    exec "$binary" "$@"
fi
fixtures="$root/../shared/fixtures/email"
args=(--seconds "${1:-60}" --seed "${2:-24301}" --out "$package/crashes")
if [ -d "$fixtures" ]; then args+=(--fixtures "$fixtures"); fi
exec "$binary" "${args[@]}"
