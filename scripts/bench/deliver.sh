#!/usr/bin/env bash
# Delivery benchmark: drain 20,000 queued webhook deliveries to a receiver on loopback and compare with
# wrk against the same receiver (its ceiling on this machine), in the same run. The receiver is the bare
# Hummingbird route of scripts/bench/ceiling (answers 200 to POST /ingest/*).
#   scripts/bench/deliver.sh            # 20,000 deliveries
#   COUNT=5000 scripts/bench/deliver.sh     # a smaller backlog; COUNT=200000 shows whether memory stays flat
#   CONCURRENCY=8 scripts/bench/deliver.sh  # the channel's requests in flight (default 32)
#   PROFILE=/tmp/deliver.perf scripts/bench/deliver.sh   # the draining gateway under `perf record -g`
#   LEADGATE=/tmp/old/leadgate scripts/bench/deliver.sh   # another build drains (run both in turns: the machine drifts)
#   PIN=0 scripts/bench/deliver.sh        # every process on every core (see below)
#   ROUNDS=5 scripts/bench/deliver.sh     # drains of the same backlog, each followed by its ceiling (default 3; PROFILE: 1)
# Placement: the receiver runs on a core of its own (the last), and whatever sends to it, the draining gateway and
# then wrk, on the others, as the receiver of a real channel runs on another machine. Sharing both cores, each took
# the other's CPU and caches, and the scheduler moved their threads from core to core: on the 2-core machine, within
# the same hour, the gateway spent 69-86 µs per delivery and the receiver 56-76 µs per request that way, against
# 50-66 µs and 36-52 µs placed apart. Each round drains the same backlog again and then measures the ceiling, and
# the ratios' median is the figure: a drain of 20,000 lasts about a second, which one slow moment of the machine moves.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-20000}
source scripts/bench/common.sh
receiver_port=$((port + 1))
place 1 "the receiver" "the gateway and wrk"

write_delivery_config "$work/deliver.yaml" "$port" "$work/deliver.sqlite" "$receiver_port"

# The leads first (the gateway queues a delivery for each, its body rendered then, and delivers it), then the first
# COUNT of those deliveries are made due again, so the run measures a backlog of COUNT draining.
"${on_server_cpu[@]}" "$bin/leadgate-bench-ceiling" "$receiver_port" >/dev/null 2>&1 &
receiver_pid=$!
wait_listening "http://127.0.0.1:$receiver_port/ingest/probe"
"${LEADGATE:-$bin/leadgate}" serve --config "$work/deliver.yaml" 2>/dev/null &
gateway_pid=$!
wait_ready "http://127.0.0.1:$port/healthz"
# wrk in rounds until the store holds COUNT leads (one round of fixed length falls short of a large COUNT).
fill_store "$work/deliver.sqlite" "$COUNT" "http://127.0.0.1:$port" 32 5
kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
echo "placement: $placement"

# drain_round N: the backlog of COUNT queued again and drained by a fresh gateway, then wrk against the receiver for its
# ceiling; prints the round's figures and adds its ratio to $work/ratios.
drain_round() {
  queue_again "$work/deliver.sqlite" "$COUNT"
  local opens_start profiler_pid="" gateway_pid=""
  opens_start=$(tcp_opens)
  if [ -n "${PROFILE:-}" ]; then
    "${on_sender_cpus[@]}" perf record -F 999 -g -o "$PROFILE" -- "${LEADGATE:-$bin/leadgate}" serve --config "$work/deliver.yaml" 2>/dev/null &
    profiler_pid=$!
    for _ in $(seq 1 500); do gateway_pid=$(pgrep -P "$profiler_pid") && break; sleep 0.01; done
    [ -n "$gateway_pid" ] || { echo "perf did not start the gateway"; exit 1; }
  else
    "${on_sender_cpus[@]}" "${LEADGATE:-$bin/leadgate}" serve --config "$work/deliver.yaml" 2>/dev/null &
    gateway_pid=$!
  fi
  local receiver_ticks_start rss rss_quarters="" quarter=1 last_count=-1 last_progress done_count
  receiver_ticks_start=$(cpu_ticks "$receiver_pid")
  last_progress=$(date +%s)
  # RSS as the backlog drains, each time another quarter of it is delivered.
  while :; do
    done_count=$(sqlite3 "$work/deliver.sqlite" "SELECT count(*) FROM outbox WHERE status = 'delivered'" 2>/dev/null || echo 0)
    rss=$(awk '/VmRSS/ {print $2}' /proc/$gateway_pid/status 2>/dev/null || echo 0)
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
  local receiver_ticks_drain opens_drain gateway_ticks
  receiver_ticks_drain=$(( $(cpu_ticks "$receiver_pid") - receiver_ticks_start ))
  # Connections opened while draining: one per request in flight when they are kept, far more when they are not.
  opens_drain=$(( $(tcp_opens) - opens_start ))
  # The gateway's CPU time (user + system, start-up included), which the machine's drift moves far less than the rate.
  gateway_ticks=$(cpu_ticks "$gateway_pid")
  kill "$gateway_pid"; wait "${profiler_pid:-$gateway_pid}" 2>/dev/null || true

  # The drain's length by the gateway's own clock: from the first attempt's start to the last one's answer. (Timing
  # it from outside counted the gateway's start-up, and needed a look every 50 ms to catch its end.)
  local start end
  read -r start end < <(sqlite3 -separator ' ' "$work/deliver.sqlite" \
    "SELECT min(at) / 1000.0, max(at + latency_ms) / 1000.0 FROM delivery_attempts")
  # The receiver's CPU per request, under the drain and under wrk.
  receiver_ticks_start=$(cpu_ticks "$receiver_pid")
  "${on_sender_cpus[@]}" wrk -t2 -c32 -d10s -s scripts/bench/post.lua "http://127.0.0.1:$receiver_port" > "$work/ceiling.wrk"
  local receiver_ticks_wrk ceiling wrk_requests
  receiver_ticks_wrk=$(( $(cpu_ticks "$receiver_pid") - receiver_ticks_start ))
  ceiling=$(awk '/Requests\/sec/ {print $2}' "$work/ceiling.wrk")
  wrk_requests=$(awk '/requests in/ {print $1}' "$work/ceiling.wrk")
  awk -v round="$1" -v n="$COUNT" -v s="$start" -v e="$end" -v c="$ceiling" -v t="$gateway_ticks" -v hz="$(getconf CLK_TCK)" \
    -v rd="$receiver_ticks_drain" -v rw="$receiver_ticks_wrk" -v wn="$wrk_requests" -v o="$opens_drain" -v q="$rss_quarters" \
    -v ratios="$work/ratios" 'BEGIN {
    rate = n / (e - s)
    printf "round %d: %.0f deliveries/s (%.2f s), ceiling %.0f req/s, ratio %.1f%%; gateway %.0f µs per delivery, receiver %.0f µs per request (%.0f under wrk); %d connections opened; RSS after each quarter (MiB):%s\n",
      round, rate, e - s, c, 100 * rate / c, 1e6 * t / hz / n, 1e6 * rd / hz / n, 1e6 * rw / hz / wn, o, q
    printf "%.4f\n", rate / c >> ratios
  }'
}

: > "$work/ratios"
rounds=${ROUNDS:-3}
[ -n "${PROFILE:-}" ] && rounds=1
echo "$COUNT signed webhooks queued, ${CONCURRENCY:-32} in flight, each attempt recorded (synchronous=FULL); the receiver's ceiling by wrk, 32 connections"
for round in $(seq 1 "$rounds"); do drain_round "$round"; done
summary "$work/ratios" "deliveries / ceiling"
