#!/usr/bin/env bash
# Import benchmark (issue: CSV import of 1,000,000 rows ≥ 20,000 rows/s with dedupe on).
#
# Generates a Meta "Download leads" export of ROWS rows (UTF-8, 1% repeated ids so dedupe has work), imports it with
# the release build into a fresh SQLite store (synchronous=FULL, dedupe by external id and person), and reports
# rows/s. Baseline, same machine, same run: sqlite3's own `.import` of the same file into a bare table (no parsing
# beyond CSV, no normalization, no indexes) — the ratio says what the pipeline costs over storing the rows at all.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${ROWS:-1000000}
scripts/setup.sh --bench
swift build -c release --product leadgate >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /tmp/leadgate-import.XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 - "$rows" "$work/meta.csv" <<'PY'
import sys, datetime
rows, path = int(sys.argv[1]), sys.argv[2]
start = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
with open(path, "w", encoding="utf-8", newline="") as out:
    out.write("id,created_time,ad_name,adset_name,campaign_name,form_name,is_organic,platform,full_name,email,phone_number,city,מה התקציב?\r\n")
    for i in range(rows):
        n = i - 1 if i % 100 == 99 else i
        t = (start + datetime.timedelta(seconds=n * 30)).strftime("%Y-%m-%dT%H:%M:%S+0000")
        out.write(f"l:{9007199254740993 + n},{t},מודעה {n % 9},סט {n % 4},קמפיין {n % 30},טופס,false,fb,דנה כהן {n},"
                  f"lead{n}@example.co.il,p:+97254{n % 10000000:07d},תל אביב,{n % 5 * 10000}\r\n")
PY
bytes=$(stat -c %s "$work/meta.csv")

cat > "$work/leadgate.yaml" <<YAML
server: { listen: 127.0.0.1:0, default_region: IL }
store: { sqlite: $work/leads.sqlite }
sources:
  - { name: facebook-il, type: meta_lead_ads, verify_token: v, app_secret: s, page_access_token: t }
YAML

base_start=$(date +%s.%N)
sqlite3 "$work/baseline.sqlite" -cmd "PRAGMA synchronous=FULL" ".mode csv" ".import $work/meta.csv leads" >/dev/null
base_end=$(date +%s.%N)

start=$(date +%s.%N)
"$bin/leadgate" import --config "$work/leadgate.yaml" --source facebook-il "$work/meta.csv" > "$work/summary.txt"
end=$(date +%s.%N)

python3 - "$rows" "$bytes" "$base_start" "$base_end" "$start" "$end" "$work/summary.txt" <<'PY'
import sys
rows, size, bs, be, s, e, summary = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:7]), sys.argv[7]
base, ours = rows / (be - bs), rows / (e - s)
print(open(summary).read().rstrip())
print(f"file: {rows:,} rows, {size / 1e6:.0f} MB")
print(f"baseline sqlite3 .import: {base:,.0f} rows/s ({be - bs:.1f} s)")
print(f"leadgate import:          {ours:,.0f} rows/s ({e - s:.1f} s) = {100 * ours / base:.1f}% of the baseline; bar 20,000 rows/s: {'met' if ours >= 20000 else 'NOT met'}")
PY
