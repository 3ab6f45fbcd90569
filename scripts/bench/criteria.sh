#!/usr/bin/env bash
# Builds the criteria benchmark (scripts/bench/criteria) in release mode and runs it pinned to one
# core: evaluations per second of a 20-rule product over varied leads, against a baseline that only
# reads the same fields. Exits non-zero when the engine is under its target (200,000 evaluations/s).
set -euo pipefail
package="$(cd "$(dirname "$0")" && pwd)/criteria"
# SwiftPM takes no target path outside the package root, so the real module comes in through a link.
ln -sfn ../../../../Sources/LeadGateCore "$package/Sources/LeadGateCore"
swift build -c release --package-path "$package"
binary="$(swift build -c release --package-path "$package" --show-bin-path)/criteria-bench"
if command -v taskset >/dev/null; then
    exec taskset -c 0 "$binary" "$@"
fi
echo "taskset not found (util-linux): running unpinned" >&2
exec "$binary" "$@"
