#!/usr/bin/env bash
# Ingest benchmark: durable leads/s through the real binary vs. the framework's ceiling, same machine, same run.
#   scripts/bench/ingest.sh            # 20 s each at 64 connections
#   DURATION=60s CONNECTIONS=64 scripts/bench/ingest.sh
#   SEED=1000000 scripts/bench/ingest.sh   # first fill the store to SEED leads, then measure (RSS after 1M leads)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SEED=${SEED:-0}
source scripts/bench/common.sh
ceiling_port=$((port + 1))
criteria_port=$((port + 2))
write_config() { # FILE PORT DB [criteria]
  cat > "$1" <<YAML
server:
  listen: 127.0.0.1:$2
  default_region: IL
store:
  sqlite: $3
  synchronous: full
sources:
  - name: website
    type: web_form
YAML
  [ "${4:-}" = criteria ] && cat scripts/bench/product-20-rules.yaml >> "$1"
  return 0
}
write_config "$work/bench.yaml" "$port" "$work/bench.sqlite"
write_config "$work/criteria.yaml" "$criteria_port" "$work/criteria.sqlite" criteria


# run_wrk URL LABEL -> prints "rps p50_ms p99_ms non2xx"
run_wrk() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench/post.lua "$1")
  echo "$out" > "$work/$2.wrk"
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") ${non2xx:-0}"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v); print v } else if (v ~ /s$/) { sub(/s/,"",v); print v*1000 } else print v }'; }

"$bin/leadgate-bench-ceiling" "$ceiling_port" >/dev/null 2>&1 &
ceiling_pid=$!
"$bin/leadgate" serve --config "$work/bench.yaml" 2>"$work/leadgate.log" &
gateway_pid=$!
wait_ready "http://127.0.0.1:$port/healthz"
sleep 0.5

if [ "$SEED" -gt 0 ]; then
  echo "seeding the store to $SEED leads through the real route..."
  while :; do
    count=$(sqlite3 "$work/bench.sqlite" "SELECT count(*) FROM leads" 2>/dev/null || echo 0)
    [ "$count" -ge "$SEED" ] && break
    wrk -t"$THREADS" -c"$CONNECTIONS" -d30s -s scripts/bench/post.lua "http://127.0.0.1:$port" >/dev/null
  done
  echo "store holds $count leads"
fi

read -r c_rps c_p50 c_p99 c_bad < <(run_wrk "http://127.0.0.1:$ceiling_port" ceiling)
read -r g_rps g_p50 g_p99 g_bad < <(run_wrk "http://127.0.0.1:$port" leadgate)
rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$gateway_pid/status)
stored=$(sqlite3 "$work/bench.sqlite" "SELECT count(*) FROM leads" 2>/dev/null || echo "?")
kill "$gateway_pid" "$ceiling_pid"; wait "$gateway_pid" 2>/dev/null || true

"$bin/leadgate" serve --config "$work/criteria.yaml" 2>"$work/criteria.log" &
criteria_pid=$!
wait_ready "http://127.0.0.1:$criteria_port/healthz"
read -r q_rps q_p50 q_p99 q_bad < <(run_wrk "http://127.0.0.1:$criteria_port" criteria)
opportunities=$(sqlite3 "$work/criteria.sqlite" "SELECT count(*) FROM leads WHERE status = 'opportunity'" 2>/dev/null || echo "?")
kill "$criteria_pid"

printf '\n%-28s %12s %10s %10s %8s\n' "run ($CONNECTIONS conns, $DURATION)" "req/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-28s %12s %10s %10s %8s\n' "ceiling (bare Hummingbird)" "$c_rps" "$c_p50" "$c_p99" "$c_bad"
printf '%-28s %12s %10s %10s %8s\n' "leadgate (durable, FULL)" "$g_rps" "$g_p50" "$g_p99" "$g_bad"
printf '%-28s %12s %10s %10s %8s\n' "leadgate + 20-rule criteria" "$q_rps" "$q_p50" "$q_p99" "$q_bad"
awk -v g="$g_rps" -v c="$c_rps" 'BEGIN { printf "ratio leadgate/ceiling: %.1f%%\n", 100*g/c }'
awk -v g="$g_rps" -v q="$q_rps" 'BEGIN { printf "criteria on vs off: %.1f%% of the throughput\n", 100*q/g }'
echo "leadgate peak RSS: $((rss_kb / 1024)) MiB; leads in store: $stored; opportunities with criteria: $opportunities"
