#!/usr/bin/env bash
# Reports benchmark (issue: with 1,000,000 leads and 200,000 opportunities in SQLite, GET /api/forecast?period=quarter&by=owner
# and GET /api/funnel?by=source each answer in under 300 ms, release build, whole request).
#
# Seeds a store (leadgate-bench-seed: the real schema, opportunities over three calendar years around today), serves it
# with the release binary, and times each request with curl (a warm-up, then the median of 9). Baseline, same run:
# GET /healthz on the same server, the cost of a request that reads nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
leads=${LEADS:-1000000}
opportunities=${OPPORTUNITIES:-200000}
source scripts/bench/common.sh
swift build -c release --product leadgate-bench-seed >/dev/null

today=$(date -u +%F)
"$bin/leadgate-bench-seed" "$work/leads.sqlite" --leads "$leads" --opportunities "$opportunities" --around "$today"
token=bench-admin-token-0123456789
cat > "$work/leadgate.yaml" <<YAML
server: { listen: 127.0.0.1:$port, time_zone: Asia/Jerusalem }
store: { sqlite: $work/leads.sqlite }
admin: { tokens: [ { token: $token, role: read } ] }
sources:
  - { name: website, type: web_form }
default_product: crm-suite
products:
  - name: crm-suite
    deal: { amount: 15000, currency: ILS, cycle_days: 45 }
    stages: { new: 0.1, contacted: 0.2, proposal: 0.5, negotiation: 0.8 }
    criteria: { version: 1, threshold: 50, rules: [ { name: has-phone, when: { field: phone, present: true }, points: 60 } ] }
  - name: support-plan
    match: { field: fields.plan, equals: support }
    deal: { amount: 4000, currency: USD, cycle_days: 20 }
    stages: { new: 0.1, contacted: 0.2, proposal: 0.5, negotiation: 0.8 }
    criteria: { version: 1, threshold: 50, rules: [ { name: has-phone, when: { field: phone, present: true }, points: 60 } ] }
forecast: { commit_stages: [negotiation] }
YAML
"$bin/leadgate" serve --config "$work/leadgate.yaml" > "$work/serve.log" 2>&1 &
wait_ready "http://127.0.0.1:$port/healthz"

# median_ms PATH: a warm-up request, then the median of 9 whole requests in milliseconds.
median_ms() {
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"
  for _ in $(seq 9); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"
  done | sort -n | sed -n 5p | awk '{ printf "%.1f", $1 * 1000 }'
}
base=$(median_ms /healthz)
forecast=$(median_ms "/api/forecast?period=quarter&by=owner")
funnel=$(median_ms "/api/funnel?by=source")
rows=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/forecast?period=quarter&by=owner" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["rows"]))')
echo "store: $leads leads, $opportunities opportunities; forecast answer: $rows rows"
echo "baseline GET /healthz:                          ${base} ms"
for pair in "forecast?period=quarter&by=owner:$forecast" "funnel?by=source:$funnel"; do
  name=${pair%:*}; ms=${pair##*:}
  awk -v n="$name" -v ms="$ms" -v b="$base" 'BEGIN { printf "GET /api/%-32s %7.1f ms (%.0fx the baseline) bar 300 ms: %s\n", n, ms, ms / b, (ms < 300 ? "met" : "NOT met") }'
done
