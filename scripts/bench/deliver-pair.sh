#!/usr/bin/env bash
# Paired A/B for deliveries: two gateways drain the same backlog of signed webhooks at the same time, to one
# receiver on loopback, and each one's CPU per delivery is compared. deliver.sh, run with one build after the
# other, cannot show a change of a few percent (the machine's speed drifts by 15-30 % within minutes); side by
# side the drift hits both alike. Each round swaps which side starts first.
#   scripts/bench/deliver-pair.sh OLD_LEADGATE NEW_LEADGATE   # two builds
#   ROUNDS=6 COUNT=20000 scripts/bench/deliver-pair.sh A B    # default 4 rounds of 20,000 deliveries each
# A side's CPU is read the moment its last delivery is recorded, and the side is then paused, so a side that
# finishes first neither idles into its figure nor takes CPU from the other's end.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-4}
COUNT=${COUNT:-20000}
source scripts/bench/common.sh
bin_a=${1:-$bin/leadgate}
bin_b=${2:-$bin/leadgate}
[ -x "$bin_a" ] && [ -x "$bin_b" ] || { echo "usage: scripts/bench/deliver-pair.sh [LEADGATE_A LEADGATE_B]"; exit 2; }
receiver_port=$((port + 2))

# config NAME PORT: a gateway on store NAME.sqlite with one webhook channel to the receiver.
config() { write_delivery_config "$work/$1.yaml" "$2" "$work/$1.sqlite" "$receiver_port"; }
# delivered NAME: how many of the side's deliveries are delivered so far.
delivered() { sqlite3 "$work/$1.sqlite" "SELECT count(*) FROM outbox WHERE status = 'delivered'" 2>/dev/null || echo 0; }

# The leads once, with the receiver not started yet (the gateway's own attempts fail and are cleared below). Both
# builds must read the store B's build writes: its queued deliveries and their bodies are what both sides drain.
config base "$port"
"$bin_b" serve --config "$work/base.yaml" 2>/dev/null &
gateway_pid=$!
wait_ready "http://127.0.0.1:$port/healthz"
fill_store "$work/base.sqlite" "$COUNT" "http://127.0.0.1:$port" 32 5
kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
queue_again "$work/base.sqlite" "$COUNT"
config a "$port"; config b "$((port + 1))"

"$bin/leadgate-bench-ceiling" "$receiver_port" >/dev/null 2>&1 &
wait_listening "http://127.0.0.1:$receiver_port/ingest/probe"
: > "$work/cpu"
for round in $(seq 1 "$ROUNDS"); do
  for side in a b; do
    rm -f "$work/$side".sqlite*
    cp "$work/base.sqlite" "$work/$side.sqlite"
  done
  sync
  if [ $((round % 2)) -eq 1 ]; then
    "$bin_a" serve --config "$work/a.yaml" 2>/dev/null & pid_a=$!
    "$bin_b" serve --config "$work/b.yaml" 2>/dev/null & pid_b=$!
  else
    "$bin_b" serve --config "$work/b.yaml" 2>/dev/null & pid_b=$!
    "$bin_a" serve --config "$work/a.yaml" 2>/dev/null & pid_a=$!
  fi
  ticks_a=""; ticks_b=""; last_progress=$(date +%s); last_total=-1
  while [ -z "$ticks_a" ] || [ -z "$ticks_b" ]; do
    done_a=$(delivered a); done_b=$(delivered b)
    if [ -z "$ticks_a" ] && [ "$done_a" -ge "$COUNT" ]; then ticks_a=$(cpu_ticks "$pid_a"); kill -STOP "$pid_a"; fi
    if [ -z "$ticks_b" ] && [ "$done_b" -ge "$COUNT" ]; then ticks_b=$(cpu_ticks "$pid_b"); kill -STOP "$pid_b"; fi
    # Bounded, as deliver.sh: no progress for 30 s fails the run instead of hanging it.
    if [ $((done_a + done_b)) -gt "$last_total" ]; then last_total=$((done_a + done_b)); last_progress=$(date +%s); fi
    if [ $(($(date +%s) - last_progress)) -ge 30 ]; then echo "no delivery for 30 s (A $done_a, B $done_b of $COUNT)"; exit 1; fi
    sleep 0.2
  done
  kill -9 "$pid_a" "$pid_b"; wait "$pid_a" "$pid_b" 2>/dev/null || true
  # µs of CPU per delivery (start-up included, alike on both sides); the file keeps A's over B's (above 1: B spends less).
  read -r cost_a cost_b < <(awk -v ta="$ticks_a" -v tb="$ticks_b" -v n="$COUNT" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { print 1e6 * ta / hz / n, 1e6 * tb / hz / n }')
  awk -v a="$cost_a" -v b="$cost_b" 'BEGIN { print a / b }' >> "$work/cpu"
  printf 'round %d: CPU per delivery A %.1f µs, B %.1f µs, A/B %.3f\n' "$round" "$cost_a" "$cost_b" "$(tail -1 "$work/cpu")"
done
summary "$work/cpu" "CPU per delivery A/B"
