# Sourced by the HTTP benchmarks: release builds of leadgate and the bare Hummingbird receiver/ceiling,
# a work folder removed on exit (with every background job), a random loopback port, and wait_ready.
# BENCH_DIR (default /tmp) is where the work folder and its stores go: BENCH_DIR=/dev/shm keeps the disk out of a
# run (fsyncs and write-back cost nothing there), which tells the CPU's part of a figure from the disk's.
scripts/setup.sh --bench
swift build -c release --product leadgate >/dev/null
swift build -c release --product leadgate-bench-ceiling >/dev/null
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d "${BENCH_DIR:-/tmp}/leadgate-bench.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# Below the kernel's ephemeral range (32768 and up here), where wrk's and curl's own ends of connections may hold the
# port a gateway is about to listen on (a run stopped at "not ready" on 37932, most likely so).
port=$((20000 + RANDOM % 12000))

# place DEFAULT SERVERS SENDERS: when PIN (default DEFAULT) is not 0 and the machine has two cores or more, the servers
# (what is measured against) go on the last core and what sends to them on the others, as on two machines. Sets
# on_server_cpu and on_sender_cpus, command prefixes (not functions: `$!` must be the pid of the process itself), and
# placement, the same in words.
place() {
  local cores senders
  cores=$(nproc)
  if [ "${PIN:-$1}" != 0 ] && [ "$cores" -ge 2 ] && command -v taskset >/dev/null; then
    senders=0-$((cores - 2))
    [ "$cores" -eq 2 ] && senders=0
    on_server_cpu=(taskset -c $((cores - 1)))
    on_sender_cpus=(taskset -c "$senders")
    placement="$2 on CPU $((cores - 1)), $3 on CPU $senders"
  else
    on_server_cpu=() on_sender_cpus=()
    placement="every process on every core"
  fi
}
# wait_ready URL: returns once URL answers, bounded (10 s).
wait_ready() { for _ in $(seq 1 200); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "not ready: $1"; exit 1; }
# wait_listening URL: returns once anything answers HTTP at URL (a POST; the bare receiver has no GET route), bounded (10 s).
wait_listening() { for _ in $(seq 1 200); do curl -s -o /dev/null -X POST "$1" && return 0; sleep 0.05; done; echo "not listening: $1"; exit 1; }
# fill_store DB COUNT URL CONNECTIONS SECONDS: posts distinct leads to URL in wrk rounds of SECONDS until DB holds
# COUNT leads; stops with a message when a round adds none (the gateway died or refuses them) instead of looping.
fill_store() {
  local count before=-1
  while :; do
    count=$(sqlite3 "$1" "SELECT count(*) FROM leads" 2>/dev/null || echo 0)
    [ "$count" -ge "$2" ] && return 0
    [ "$count" -gt "$before" ] || { echo "the store stopped growing at $count of $2 leads"; exit 1; }
    before=$count
    wrk -t"${THREADS:-2}" -c"$4" -d"$5"s -s scripts/bench/post.lua "$3" >/dev/null
  done
}
# write_config FILE PORT DB [VARIANT]: the benchmarks' gateway config (one web form, FULL), with a product if asked:
#   criteria                 the 20-rule product (scripts/bench/product-20-rules.yaml): nearly every lead an opportunity
#   criteria-leads           the same rules with a threshold no lead reaches: leads only, no owner, no opportunity
#   criteria-one-rule        one rule (email present, 100 points) in place of the 20: the same opportunities
#   criteria-one-rule-leads  one rule and that threshold: routed and qualified, nothing more
# Side by side (`A=criteria B=criteria-leads scripts/bench/pair.sh`), two variants show what one part of criteria costs.
write_config() {
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
  case "${4:-}" in
    "") ;;
    criteria | criteria-leads | criteria-one-rule | criteria-one-rule-leads)
      awk -v variant="$4" '
        /^ *threshold:/ && variant ~ /-leads$/ { sub(/threshold: [0-9]+/, "threshold: 1000") }
        /^      rules:/ && variant ~ /one-rule/ {
          print; print "        - { name: reachable, when: { field: email, present: true }, points: 100 }"; skip = 1; next }
        skip && /^        - / { next }
        { skip = 0; print }' scripts/bench/product-20-rules.yaml >> "$1" ;;
    *) echo "write_config: no variant '$4'" >&2; return 2 ;;
  esac
}
# write_delivery_config FILE PORT DB RECEIVER_PORT: the delivery benchmarks' gateway config: one web form and one signed
# webhook channel to the receiver on RECEIVER_PORT, CONCURRENCY in flight (default 32).
write_delivery_config() {
  cat > "$1" <<YAML
server: { listen: 127.0.0.1:$2, default_region: IL }
store: { sqlite: $3 }
sources: [ { name: website, type: web_form } ]
notifications:
  - name: crm
    on: [lead]
    concurrency: ${CONCURRENCY:-32}
    webhook: { url: "http://127.0.0.1:$4/ingest/crm", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }
YAML
}
# queue_again DB COUNT: the first COUNT deliveries the gateway queued while the store was filled, due again as if never
# tried (their bodies as rendered when each lead came in); the rest of the outbox gone.
queue_again() {
  sqlite3 "$1" "PRAGMA wal_checkpoint(TRUNCATE);
    DELETE FROM delivery_attempts; DELETE FROM channel_pauses; DELETE FROM disabled_channels;
    DELETE FROM outbox WHERE seq NOT IN (SELECT seq FROM outbox ORDER BY seq LIMIT $2);
    DELETE FROM outbox_bodies WHERE seq NOT IN (SELECT seq FROM outbox);
    UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = NULL, last_status = NULL, last_error = NULL;" >/dev/null
  [ "$(sqlite3 "$1" "SELECT count(*) FROM outbox_bodies")" -eq "$2" ] || { echo "the store has not $2 queued bodies"; exit 1; }
}
# tcp_opens: TCP connections this machine has opened so far (every process; the benchmarks run alone on loopback).
tcp_opens() { awk '/^Tcp:/ { if (header) print $6; header = 1 }' /proc/net/snmp; }
# cpu_ticks PID: user + system time so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# summary FILE LABEL: median, mean and range of one ratio over the rounds.
summary() {
  sort -g "$1" | awk -v label="$2" '{ v[NR] = $1; s += $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%s: median %.3f, mean %.3f, range %.3f-%.3f over %d rounds\n", label, m, s / NR, v[1], v[NR], NR }'
}
