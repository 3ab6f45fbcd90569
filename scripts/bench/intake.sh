#!/usr/bin/env bash
# Instructions per lead of the intake without HTTP, without and with the 20-rule product: the release build of
# scripts/bench/intake (the real adapter, pipeline and SQLite store, commits of 10 leads) under valgrind's callgrind.
# Unlike a rate or a CPU time, a count of instructions does not move with the machine's speed (about 0.3 % from run
# to run), so a change of 1 % shows in one run. It counts instructions, not time: cache misses are not in it, and
# HTTP is left out. Each variant runs twice, with 1,000 and 4,000 leads, and the difference over 3,000 leads is the
# figure (start-up, config and migrations cancel out).
#   scripts/bench/intake.sh                     # without and with criteria, and their ratio
#   VARIANTS=criteria,criteria-leads scripts/bench/intake.sh   # write_config's variants, comma-separated (empty: none)
#   KEEP=dir scripts/bench/intake.sh            # keeps the callgrind files in dir, for callgrind_annotate
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/bench/common.sh
swift build -c release --product leadgate-bench-intake >/dev/null
command -v valgrind >/dev/null || { echo "valgrind is missing: scripts/setup.sh --bench installs it"; exit 1; }
# valgrind 3.19 (Debian 12) cannot read the DWARF 5 that Swift writes: a copy without debug info, symbols kept.
objcopy --strip-debug "$bin/leadgate-bench-intake" "$work/intake"
# valgrind 3.19 also writes into the mask sigsuspend is given, which libdispatch keeps in read-only memory: a shim
# hands it a copy (valgrind then dies with an internal SIGSEGV at start-up without it).
cat > "$work/sigsuspend.c" <<'C'
#define _GNU_SOURCE
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) { sigset_t copy = *mask; return (int)syscall(SYS_rt_sigsuspend, &copy, 8); }
C
# clang: the Swift toolchain brings it, where a `cc` may not be installed.
clang -shared -fPIC -O2 "$work/sigsuspend.c" -o "$work/sigsuspend.so"
IFS=',' read -r -a variants <<<"${VARIANTS-,criteria}"
small=1000 large=4000

# count VARIANT N: total instructions of one run on a fresh store (a failed run stops the script with valgrind's log)
count() {
  local name="${1:-none}.$2"
  write_config "$work/$name.yaml" "$port" "$work/$name.sqlite" "$1" || exit 1
  LD_PRELOAD="$work/sigsuspend.so" valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$name" \
    "$work/intake" "$work/$name.yaml" "$2" 10 >/dev/null 2>"$work/valgrind.$name.log" \
    || { echo "the run of ${1:-no product} with $2 leads failed:" >&2; tail -20 "$work/valgrind.$name.log" >&2; exit 1; }
  [ -z "${KEEP:-}" ] || { mkdir -p "$KEEP"; cp "$work/callgrind.$name" "$KEEP/"; }
  callgrind_annotate "$work/callgrind.$name" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}

first=""
for variant in "${variants[@]}"; do
  a=$(count "$variant" $small)
  b=$(count "$variant" $large)
  per=$(( (b - a) / (large - small) ))
  echo "${variant:-no product}: $per instructions per lead"
  if [ -z "$first" ]; then first=$per; else awk -v a="$first" -v b="$per" \
    'BEGIN { printf "  %.3f of the instructions per lead of the first (%+.1f %%)\n", b / a, (b / a - 1) * 100 }'; fi
done
