#!/usr/bin/env bash
# Builds the JSON parser benchmark (scripts/bench/json) in release mode and runs it pinned to one core: the
# gateway's JSONParser over the vendors' sample payloads, against Foundation's JSONSerialization in the same run.
#   scripts/bench/json.sh                 # ../shared/fixtures/vendor, 20,000 rounds
#   scripts/bench/json.sh FOLDER ROUNDS   # other documents
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
package="$root/scripts/bench/json"
# SwiftPM takes no target path outside the package root, so the real module comes in through a link.
ln -sfn ../../../../Sources/LeadGateCore "$package/Sources/LeadGateCore"
swift build -c release --package-path "$package"
binary="$(swift build -c release --package-path "$package" --show-bin-path)/json-bench"
folder="${1:-$root/../shared/fixtures/vendor}"
if command -v taskset >/dev/null; then
    exec taskset -c 0 "$binary" "$folder" "${2:-20000}"
fi
echo "taskset not found (util-linux): running unpinned" >&2
exec "$binary" "$folder" "${2:-20000}"
