#!/usr/bin/env bash
# Where the store waits for the disk: each build under wrk (64 connections) without and with the 20-rule criteria, in
# turns, on a fresh store, while `perf` records the gateway's fdatasync calls. Per run: the rate, p99, and the writer's
# own syncs (the database file's after it copies the log's tail, the log's before that copy), in ms per 1,000 leads:
# every intake waits while the writer syncs. Beside them, the flush stage's syncs of the log, which no writer waits for.
#   scripts/bench/stalls.sh                          # this build
#   ROUNDS=2 DURATION=15s scripts/bench/stalls.sh OLD_LEADGATE NEW_LEADGATE
# The writer's descriptors are the lowest open on the database and on its log: the store opens its writer connection
# first (the one that writes the log, hundreds of MB a run, where the flush stage's descriptor only reads).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-15s}
ROUNDS=${ROUNDS:-2}
source scripts/bench/common.sh
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=("$bin/leadgate")
write_config "$work/off.yaml" "$port" "$work/off.sqlite"
write_config "$work/criteria.yaml" "$port" "$work/criteria.sqlite" criteria

# lowest_fd PID SUFFIX: the lowest descriptor of PID open on a path ending in SUFFIX.
lowest_fd() {
  for fd in /proc/"$1"/fd/*; do
    if [[ "$(readlink "$fd")" == *"$2" ]]; then echo "${fd##*/}"; fi
  done | sort -n | head -1
}
# run BUILD VARIANT: one gateway run on a fresh store, with its line of figures.
run() {
  rm -f "$work/$2".sqlite*
  sync
  "$1" serve --config "$work/$2.yaml" 2>>"$work/leadgate.log" &
  local pid=$!
  wait_ready "http://127.0.0.1:$port/healthz"
  local db wal
  db=$(lowest_fd "$pid" "$2.sqlite") wal=$(lowest_fd "$pid" "$2.sqlite-wal")
  perf record -q -o "$work/syncs.data" -e syscalls:sys_enter_fdatasync,syscalls:sys_exit_fdatasync -p "$pid" 2>/dev/null &
  local recorder=$!
  sleep 0.3
  local out
  out=$(wrk -t2 -c64 -d"$DURATION" --latency -s scripts/bench/post.lua "http://127.0.0.1:$port")
  kill -INT "$recorder"; wait "$recorder" 2>/dev/null || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  perf script -i "$work/syncs.data" -F tid,time,event,trace 2>/dev/null | gawk \
    -v label="$(basename "$(dirname "$1")")/$(basename "$1") ${2}" -v db="$db" -v wal="$wal" \
    -v requests="$(awk '/^ *[0-9]+ requests in/ {print $1}' <<<"$out")" -v rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    -v p99="$(awk '$1=="99%" {print $2}' <<<"$out")" '
    /sys_enter_fdatasync/ { match($0, /fd: 0x([0-9a-f]+)/, m); t = $2; sub(":", "", t); began[$1] = t; fd[$1] = strtonum("0x" m[1]) }
    /sys_exit_fdatasync/ && ($1 in began) {
      t = $2; sub(":", "", t); ms = (t - began[$1]) * 1000
      if (fd[$1] == db || fd[$1] == wal) { writer += ms; writes++; if (ms > longest) longest = ms } else { other += ms; others++ }
      delete began[$1]
    }
    END {
      printf "%-34s %7.0f req/s  p99 %8s | writer: %3d syncs, %5.2f ms per 1,000 leads, longest %5.1f ms | others: %5d syncs, %.3f ms each\n",
        label, rps, p99, writes, writer * 1000 / requests, longest, others, others ? other / others : 0 }'
}
for round in $(seq 1 "$ROUNDS"); do
  for build in "${builds[@]}"; do
    if [ $((round % 2)) -eq 1 ]; then run "$build" off; run "$build" criteria; else run "$build" criteria; run "$build" off; fi
  done
done
