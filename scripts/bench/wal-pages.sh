#!/usr/bin/env bash
# What each commit writes: the gateway takes the ingest load (wrk, 1 thread, 32 connections) on a fresh store and is
# killed mid-run (no checkpoint at close), and the write-ahead log it leaves is read frame by frame: pages per commit,
# per table and index (the b-tree each page belongs to, from SQLite's dbstat). Every page a commit dirties goes to the
# log whole and is copied again by the checkpoint, so an index that takes its new entries in many places (one per
# owner, a random hash) costs pages on every commit, where one that appends (time-ordered ids) costs one or two.
#   scripts/bench/wal-pages.sh                # the store without products
#   VARIANT=criteria scripts/bench/wal-pages.sh   # a variant of scripts/bench/common.sh's write_config
#   DURATION=8 LEADGATE=path scripts/bench/wal-pages.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-4}
source scripts/bench/common.sh
leadgate=${LEADGATE:-$bin/leadgate}
write_config "$work/wal.yaml" "$port" "$work/wal.sqlite" "${VARIANT:-}"
"$leadgate" serve --config "$work/wal.yaml" 2>>"$work/leadgate.log" &
pid=$!
wait_ready "http://127.0.0.1:$port/healthz"
wrk -t1 -c32 -d"${DURATION}s" -s scripts/bench/post.lua "http://127.0.0.1:$port" >/dev/null
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
# dbstat on a copy: opening the store applies (and may checkpoint) the log, which must be read as it was left.
mkdir "$work/copy"; cp "$work"/wal.sqlite* "$work/copy/"
sqlite3 "$work/copy/wal.sqlite" "SELECT pageno, name FROM dbstat" > "$work/pages"
echo "leads in the store: $(sqlite3 "$work/copy/wal.sqlite" "SELECT count(*) FROM leads")"
python3 - "$work/wal.sqlite-wal" "$work/pages" <<'PY'
import collections, struct, sys
log = open(sys.argv[1], 'rb').read()
owner = {}
for line in open(sys.argv[2]):
    page, name = line.rstrip('\n').split('|', 1)
    owner[int(page)] = name
# WAL format: a 32-byte header (page size at 8, salts at 16), then frames of a 24-byte header (page number, the
# database size on a commit's last frame, the salts) and one page; a frame with other salts is left from an older log.
page_size = struct.unpack('>I', log[8:12])[0]
salts = log[16:24]
commits, frames, offset = [], [], 32
while offset + 24 + page_size <= len(log) and log[offset + 8:offset + 16] == salts:
    page, size_after = struct.unpack('>II', log[offset:offset + 8])
    frames.append(page)
    if size_after:
        commits.append(frames)
        frames = []
    offset += 24 + page_size
if not commits:
    sys.exit('the log holds no commit (it was checkpointed and restarted just before the kill): run it again')
per_tree = collections.Counter(owner.get(page, '(freed)') for commit in commits for page in commit)
print('page size %d, %d commits in the log, %.1f pages per commit' % (page_size, len(commits), sum(map(len, commits)) / len(commits)))
for name, count in per_tree.most_common():
    print('%7.2f  %s' % (count / len(commits), name))
PY
