#!/usr/bin/env bash
# Paired A/B: two gateways under the same load at the same time, each on a fresh store with its own wrk
# (1 thread, 32 connections). This machine's speed drifts by 15-30 % within minutes, so runs one after the
# other cannot show a change of a few percent; side by side, the drift hits both alike and the ratio of
# their rates holds still. Each round swaps which side starts first and which port it gets.
# Two ratios: of the rates, and of the CPU each gateway spent per request (and, after the rounds, that CPU by thread:
# the request tasks' pool, the store's commit queue, the HTTP event loops). The second is the steadier (within
# about 2 % from round to round) and the stricter: the side that needs more CPU per request also takes a larger
# share of the two cores, so its rate falls by less than its cost rises.
#   scripts/bench/pair.sh OLD_LEADGATE NEW_LEADGATE    # two builds of the gateway, same config
#   B=criteria scripts/bench/pair.sh                   # this build without vs with the 20-rule criteria
#   ROUNDS=6 DURATION=15s scripts/bench/pair.sh A B    # more rounds (default 4 rounds of 10 s)
#   A=criteria B=criteria SQL_B='DROP INDEX leads_product' scripts/bench/pair.sh
#                                                      # SQL run on a side's store once migrated, before its run
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-4}
DURATION=${DURATION:-10s}
source scripts/bench/common.sh
bin_a=${1:-$bin/leadgate}
bin_b=${2:-$bin/leadgate}
[ -x "$bin_a" ] && [ -x "$bin_b" ] || { echo "usage: scripts/bench/pair.sh [LEADGATE_A LEADGATE_B]"; exit 2; }

# side NAME BINARY PORT [VARIANT [SQL]]: a gateway on a fresh store; sets side_pid. With SQL, the gateway first
# migrates the store and stops, and SQL is run on it (an ablation: an index dropped, a table emptied).
side() {
  rm -f "$work/$1".sqlite*
  write_config "$work/$1.yaml" "$3" "$work/$1.sqlite" "${4:-}"
  if [ -n "${5:-}" ]; then
    "$2" serve --config "$work/$1.yaml" 2>>"$work/leadgate.log" &
    side_pid=$!
    wait_ready "http://127.0.0.1:$3/healthz"
    kill "$side_pid"; wait "$side_pid" 2>/dev/null || true
    sqlite3 "$work/$1.sqlite" "$5"
  fi
  "$2" serve --config "$work/$1.yaml" 2>>"$work/leadgate.log" &
  side_pid=$!
}
: > "$work/ratios"; : > "$work/cpu"; : > "$work/threads"; : > "$work/requests"
# thread_ticks PID: "tid name ticks" for each thread of PID (user + system time so far, in clock ticks).
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ < "$t/comm")" "$(cpu_ticks "$1/task/${t##*/}")"
  done 2>/dev/null | sort
}
# thread_cost SIDE BEFORE AFTER REQUESTS: appends "side name ticks" per thread name to $work/threads and "side requests"
# to $work/requests (a thread started during the run counts from zero; one that ended is lost, which the process's
# own total still holds).
thread_cost() {
  join -a 2 -e 0 -o 2.2,1.3,2.3 <(echo "$2") <(echo "$3") |
    awk -v side="$1" '{ d[$1] += $3 - $2 } END { for (k in d) print side, k, d[k] }' >> "$work/threads"
  echo "$1 $4" >> "$work/requests"
}
for round in $(seq 1 "$ROUNDS"); do
  # Odd rounds: A on the first port, started first; even rounds the other way round.
  if [ $((round % 2)) -eq 1 ]; then port_a=$port; port_b=$((port + 1)); else port_a=$((port + 1)); port_b=$port; fi
  side a "$bin_a" "$port_a" "${A:-}" "${SQL_A:-}"; pid_a=$side_pid
  side b "$bin_b" "$port_b" "${B:-}" "${SQL_B:-}"; pid_b=$side_pid
  wait_ready "http://127.0.0.1:$port_a/healthz"; wait_ready "http://127.0.0.1:$port_b/healthz"
  ticks_a=$(cpu_ticks "$pid_a"); ticks_b=$(cpu_ticks "$pid_b")
  threads_a=$(thread_ticks "$pid_a"); threads_b=$(thread_ticks "$pid_b")
  wrk -t1 -c32 -d"$DURATION" -s scripts/bench/post.lua "http://127.0.0.1:$port_a" > "$work/a.wrk" &
  wrk_a=$!
  wrk -t1 -c32 -d"$DURATION" -s scripts/bench/post.lua "http://127.0.0.1:$port_b" > "$work/b.wrk"
  wait "$wrk_a"
  ticks_a=$(( $(cpu_ticks "$pid_a") - ticks_a )); ticks_b=$(( $(cpu_ticks "$pid_b") - ticks_b ))
  after_a=$(thread_ticks "$pid_a"); after_b=$(thread_ticks "$pid_b")
  kill "$pid_a" "$pid_b"; wait "$pid_a" "$pid_b" 2>/dev/null || true
  rps_a=$(awk '/Requests\/sec/ {print $2}' "$work/a.wrk"); rps_b=$(awk '/Requests\/sec/ {print $2}' "$work/b.wrk")
  requests_a=$(awk '/requests in/ {print $1}' "$work/a.wrk"); requests_b=$(awk '/requests in/ {print $1}' "$work/b.wrk")
  awk -v a="$rps_a" -v b="$rps_b" 'BEGIN { print b / a }' >> "$work/ratios"
  thread_cost a "$threads_a" "$after_a" "$requests_a"; thread_cost b "$threads_b" "$after_b" "$requests_b"
  # µs of CPU per request for each side; the file keeps A's over B's (above 1: B spends less).
  read -r cost_a cost_b < <(awk -v ta="$ticks_a" -v tb="$ticks_b" -v na="$requests_a" -v nb="$requests_b" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { print 1e6 * ta / hz / na, 1e6 * tb / hz / nb }')
  awk -v a="$cost_a" -v b="$cost_b" 'BEGIN { print a / b }' >> "$work/cpu"
  printf 'round %d: A %s req/s, B %s req/s, B/A %.3f; CPU per request A %.1f µs, B %.1f µs, A/B %.3f\n' \
    "$round" "$rps_a" "$rps_b" "$(tail -1 "$work/ratios")" "$cost_a" "$cost_b" "$(tail -1 "$work/cpu")"
done
summary "$work/ratios" "rate B/A"
summary "$work/cpu" "CPU per request A/B"
# Each thread name's CPU over all rounds, per request of its side (Swift's task pool is "…default-qos"; the store's
# commit queue, where the writes run, and its flush queue are on "…overcommit" threads; NIO's event loops are "NIO-…").
echo "CPU per request by thread, all rounds:"
awk -v hz="$(getconf CLK_TCK)" '
  FILENAME ~ /requests$/ { n[$1] += $2; next }
  { t[$1, $2] += $3; names[$2] = 1 }
  END {
    for (k in names) {
      a = 1e6 * t["a", k] / hz / n["a"]; b = 1e6 * t["b", k] / hz / n["b"]
      printf "  %-18s A %7.1f µs, B %7.1f µs, B-A %+6.1f µs\n", k, a, b, b - a
    }
  }' "$work/requests" "$work/threads" | sort
