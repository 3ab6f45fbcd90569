#!/usr/bin/env bash
# Delivery benchmark: drain 20,000 queued webhook deliveries to a receiver on loopback and compare with
# wrk against the same receiver (its ceiling on this machine), in the same run. The receiver is the bare
# Hummingbird route of scripts/bench/ceiling (answers 200 to POST /ingest/*).
#   scripts/bench/deliver.sh            # 20,000 deliveries
#   COUNT=5000 scripts/bench/deliver.sh     # a smaller backlog; COUNT=200000 shows whether memory stays flat
#   CONCURRENCY=8 scripts/bench/deliver.sh  # the channel's requests in flight (default 32)
#   PROFILE=/tmp/deliver.perf scripts/bench/deliver.sh   # the draining gateway under `perf record -g`
#   LEADGATE=/tmp/old/leadgate scripts/bench/deliver.sh   # another build drains (run both in turns: the machine drifts)
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-20000}
source scripts/bench/common.sh
receiver_port=$((port + 1))

write_delivery_config "$work/deliver.yaml" "$port" "$work/deliver.sqlite" "$receiver_port"

# The leads first (the gateway queues a delivery for each, its body rendered then, and delivers it), then the first
# COUNT of those deliveries are made due again, so the run measures a backlog of COUNT draining.
"$bin/leadgate-bench-ceiling" "$receiver_port" >/dev/null 2>&1 &
receiver_pid=$!
wait_listening "http://127.0.0.1:$receiver_port/ingest/probe"
"${LEADGATE:-$bin/leadgate}" serve --config "$work/deliver.yaml" 2>/dev/null &
gateway_pid=$!
wait_ready "http://127.0.0.1:$port/healthz"
# wrk in rounds until the store holds COUNT leads (one round of fixed length falls short of a large COUNT).
fill_store "$work/deliver.sqlite" "$COUNT" "http://127.0.0.1:$port" 32 5
kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
queue_again "$work/deliver.sqlite" "$COUNT"

opens_start=$(tcp_opens)
if [ -n "${PROFILE:-}" ]; then
  perf record -F 999 -g -o "$PROFILE" -- "${LEADGATE:-$bin/leadgate}" serve --config "$work/deliver.yaml" 2>/dev/null &
  profiler_pid=$!
  for _ in $(seq 1 500); do gateway_pid=$(pgrep -P "$profiler_pid") && break; sleep 0.01; done
  [ -n "${gateway_pid:-}" ] || { echo "perf did not start the gateway"; exit 1; }
else
  "${LEADGATE:-$bin/leadgate}" serve --config "$work/deliver.yaml" 2>/dev/null &
  gateway_pid=$!
fi
receiver_ticks_start=$(cpu_ticks "$receiver_pid")
rss_start=""
# RSS as the backlog drains: at the first delivery, then each time another quarter of it is delivered.
rss_quarters=""
quarter=1
last_count=-1
last_progress=$(date +%s)
while :; do
  done_count=$(sqlite3 "$work/deliver.sqlite" "SELECT count(*) FROM outbox WHERE status = 'delivered'" 2>/dev/null || echo 0)
  rss=$(awk '/VmRSS/ {print $2}' /proc/$gateway_pid/status 2>/dev/null || echo 0)
  [ -z "$rss_start" ] && [ "$done_count" -gt 0 ] && rss_start=$rss
  while [ "$quarter" -le 4 ] && [ "$done_count" -ge $((COUNT * quarter / 4)) ]; do
    rss_quarters="$rss_quarters $((rss / 1024))"
    quarter=$((quarter + 1))
  done
  [ "$done_count" -ge "$COUNT" ] && break
  # Bounded: a receiver that died (or a port taken by something else) fails the run instead of hanging it.
  if [ "$done_count" -gt "$last_count" ]; then last_count=$done_count; last_progress=$(date +%s); fi
  if [ $(($(date +%s) - last_progress)) -ge 30 ]; then
    kill -0 "$receiver_pid" 2>/dev/null || echo "the receiver is gone"
    echo "no delivery for 30 s at $done_count of $COUNT:"
    sqlite3 "$work/deliver.sqlite" "SELECT status, count(*), max(last_error) FROM outbox GROUP BY status"
    exit 1
  fi
  # Not faster: each look is a sqlite3 process, whose CPU the gateway and the receiver would lose.
  sleep 0.2
done
receiver_ticks_drain=$(( $(cpu_ticks "$receiver_pid") - receiver_ticks_start ))
# Connections opened while draining: one per request in flight when they are kept, far more when they are not.
opens_drain=$(( $(tcp_opens) - opens_start ))
rss_end=$(awk '/VmRSS/ {print $2}' /proc/$gateway_pid/status)
# The gateway's CPU time (user + system, start-up included), which the machine's drift moves far less than the rate.
gateway_ticks=$(cpu_ticks "$gateway_pid")
kill "$gateway_pid"; wait "${profiler_pid:-$gateway_pid}" 2>/dev/null || true

# The drain's length by the gateway's own clock: from the first attempt's start to the last one's answer. (Timing
# it from outside counted the gateway's start-up, and needed a look every 50 ms to catch its end.)
read -r start end < <(sqlite3 -separator ' ' "$work/deliver.sqlite" \
  "SELECT min(at) / 1000.0, max(at + latency_ms) / 1000.0 FROM delivery_attempts")
# The receiver's CPU per request, under the drain and under wrk: what the machine's two cores leave the gateway.
receiver_ticks_start=$(cpu_ticks "$receiver_pid")
wrk -t2 -c32 -d10s -s scripts/bench/post.lua "http://127.0.0.1:$receiver_port" > "$work/ceiling.wrk"
receiver_ticks_wrk=$(( $(cpu_ticks "$receiver_pid") - receiver_ticks_start ))
ceiling=$(awk '/Requests\/sec/ {print $2}' "$work/ceiling.wrk")
wrk_requests=$(awk '/requests in/ {print $1}' "$work/ceiling.wrk")
awk -v n="$COUNT" -v s="$start" -v e="$end" -v c="$ceiling" -v r0="$rss_start" -v r1="$rss_end" -v t="$gateway_ticks" -v hz="$(getconf CLK_TCK)" \
  -v rd="$receiver_ticks_drain" -v rw="$receiver_ticks_wrk" -v wn="$wrk_requests" -v k="${CONCURRENCY:-32}" -v o="$opens_drain" 'BEGIN {
  rate = n / (e - s)
  printf "deliveries: %d in %.1f s = %.0f/s (signed webhooks, %d in flight, each attempt recorded, synchronous=FULL)\n", n, e - s, rate, k
  printf "receiver ceiling (wrk, 32 connections): %.0f req/s\n", c
  printf "ratio: %.1f%% of the ceiling\n", 100 * rate / c
  printf "gateway CPU: %.0f µs per delivery\n", 1e6 * t / hz / n
  printf "receiver CPU: %.0f µs per request during the drain, %.0f µs under wrk\n", 1e6 * rd / hz / n, 1e6 * rw / hz / wn
  printf "connections opened while draining: %d\n", o
  printf "gateway RSS while draining: %.0f MiB at the start, %.0f MiB at the end\n", r0 / 1024, r1 / 1024
}'
echo "gateway RSS after each quarter of the backlog (MiB):$rss_quarters"
