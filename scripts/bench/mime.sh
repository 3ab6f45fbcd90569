#!/usr/bin/env bash
# Builds the MIME benchmark (scripts/bench/mime-fuzz, target mime-bench) in release mode and runs it pinned to
# one core: MB/s and messages/s of parsing a generated corpus of 10,000 varied messages, and of the email
# adapter's whole path (drafts(fromMIME:)), each against a plain scan of the same bytes for CRLFCRLF.
# Exits non-zero when the adapter is under its target (50 MB/s of mail). Extra arguments go to the benchmark
# (the first is the number of messages).
set -euo pipefail
package="$(cd "$(dirname "$0")" && pwd)/mime-fuzz"
# SwiftPM takes no target path outside the package root, so the real modules come in through links.
ln -sfn ../../../../Sources/LeadGateCore "$package/Sources/LeadGateCore"
ln -sfn ../../../../Sources/LeadGateSourceKit "$package/Sources/LeadGateSourceKit"
ln -sfn ../../../../Plugins/EmailSource "$package/Sources/EmailSource"
swift build -c release --package-path "$package" --product mime-bench
binary="$(swift build -c release --package-path "$package" --show-bin-path)/mime-bench"
if command -v taskset >/dev/null; then
    exec taskset -c 0 "$binary" "$@"
fi
echo "taskset not found (util-linux): running unpinned" >&2
exec "$binary" "$@"
