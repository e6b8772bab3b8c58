#!/usr/bin/env bash
# The CSV export and the Conversations list against the databases' own
# command-line tools, on the same database (issue 17): SQLite, and
# PostgreSQL when reachable, seeded as bench/list_and_csv.sh seeds them.
#
#   bench/vs_cli.sh                       # 1,000,000 conversations, ROUNDS=3 REQS=100
#   N=200000 ROUNDS=5 bench/vs_cli.sh
#   BACKENDS=sqlite ONLY=csv bench/vs_cli.sh
#   DEEP="100 1000" CASE=2 bench/vs_cli.sh
#
# CSV: chatgate's /cases/{id}/conversations.csv (as the demo manager) and
# the tool running the export's own SELECT (the columns, joins, filter and
# order of `db::reports::export::rows`, in one statement rather than
# keyset batches): `sqlite3 -csv DB "SELECT …"` and
# `psql -c "\copy (SELECT …) TO STDOUT CSV"`, all output to /dev/null,
# alternated ROUNDS times after one unmeasured run of each. Rows/s per
# run and the ratio of the means; the server's RSS before the export and
# its peak during it (sampled every 50 ms).
#
# List: p50/p95 of the Conversations page (REQS requests, one client) on
# the first page and on the pages DEEP, reached by following the "Older →"
# link (a[rel=next]) from the HTML, whatever it carries (page=N or a
# cursor). Against the bare page query: the page's SELECT (LIMIT 51 at the
# page's OFFSET; for a cursor link, the keyset form from the first row
# shown) and its total (a COUNT of the case, or with cursor links the
# first 1,001 ids, as the server reads it), the statements the page runs over the
# data, timed as wall time per statement, REQS times in one process:
# psql's `\timing`, and for SQLite Python's sqlite3 module (the CLI's
# `.timer` reports wall time in whole ms only; its mean is printed as a
# cross-check). The server's times are curl's time_total.
#
# Raw outputs go to target/bench/vs_cli-N-DATE/ (OUT=dir for another); the
# summary is printed as README-ready markdown at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
REQS=${REQS:-100}
ROUNDS=${ROUNDS:-3}
DEEP=${DEEP:-100 1000}
. bench/lib.sh
bench_build
OUT=${OUT:-$PWD/target/bench/vs_cli-$N-$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "$OUT"
SUMMARY_CSV=$OUT/summary-csv.md
SUMMARY_LIST=$OUT/summary-list.md
: >"$SUMMARY_CSV"
: >"$SUMMARY_LIST"
part() { [ -z "${ONLY:-}" ] || [ "$ONLY" = "$1" ]; }

# The export's and the list's SELECT (`listed!` in src/db/reports/mod.rs),
# for account $1 and case $2, without an order or limit.
listed_sql() {
  echo "SELECT conversations.id, conversations.started_at, conversations.ended_at, conversations.visitor_label," \
    "conversations.status, users.name, conversations.message_count, conversations.survey_rating," \
    "conversations.block_id, conversations.blocked_at, conversations.block_reason, conversations.block_until," \
    "blocks.expires_at, blocks.lifted_at, blocks.lifted_by_name" \
    "FROM conversations LEFT OUTER JOIN users ON users.id = conversations.agent_user_id" \
    "LEFT OUTER JOIN blocks ON blocks.id = conversations.block_id AND blocks.account_id = conversations.account_id" \
    "WHERE conversations.account_id = $1 AND conversations.case_id = $2"
}
ORDER="ORDER BY conversations.started_at DESC, conversations.id DESC"

# The export's own SELECT (`db::reports::export::rows`): the list's joins
# and filter with only the columns the CSV writes, in its order (no
# visitor_label or status), so the tools are given the same query as
# chatgate, not the list's wider one.
exported_sql() {
  echo "SELECT conversations.id, conversations.started_at, conversations.ended_at, users.name," \
    "conversations.message_count, conversations.survey_rating, conversations.block_id," \
    "conversations.blocked_at, conversations.block_reason, conversations.block_until," \
    "blocks.expires_at, blocks.lifted_at, blocks.lifted_by_name" \
    "FROM conversations LEFT OUTER JOIN users ON users.id = conversations.agent_user_id" \
    "LEFT OUTER JOIN blocks ON blocks.id = conversations.block_id AND blocks.account_id = conversations.account_id" \
    "WHERE conversations.account_id = $1 AND conversations.case_id = $2"
}

# One value from the database: the tool runs SQL $1.
q1() {
  if [ "$BACKEND" = sqlite ]; then sqlite3 "$DB" "$1"; else psql "$DB" -AtXqc "$1"; fi
}

# The tool's whole export of SQL $1 to standard output.
tool_export() {
  if [ "$BACKEND" = sqlite ]; then sqlite3 -csv "$DB" "$1"; else psql "$DB" -Xqc "\\copy ($1) TO STDOUT CSV"; fi
}

# Samples the RSS (kB) of process $1 every 50 ms while file $2 exists;
# prints the highest.
rss_peak() {
  local pid=$1 flag=$2 peak=0 k v _
  while [ -f "$flag" ]; do
    while read -r k v _; do
      [ "$k" = VmRSS: ] && [ "$v" -gt "$peak" ] && peak=$v
    done <"/proc/$pid/status"
    sleep 0.05
  done
  echo "$peak"
}

rss_now() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

mean() { awk '{s += $1} END {printf "%.0f", s / NR}'; }

csv_part() {
  local jar=$1 case_id=$2 sql=$3 rows tool_rows url raw=$OUT/$BACKEND-csv.txt tool
  url="$SERVER/cases/$case_id/conversations.csv?blocking=all"
  tool=$([ "$BACKEND" = sqlite ] && echo 'sqlite3 -csv' || echo 'psql \copy')
  # One unmeasured run of each: the row counts, and warm caches.
  rows=$(( $(curl -fs -b "$jar" "$url" | wc -l) - 1 ))
  tool_rows=$(tool_export "$sql" | wc -l)
  echo "$BACKEND csv: chatgate $rows rows, $tool $tool_rows rows" | tee "$raw"
  local r t0 t1 flag peak before highest=0 lowest=0 ours=() theirs=()
  for r in $(seq 1 "$ROUNDS"); do
    before=$(rss_now)
    flag=$OUT/sampling
    touch "$flag"
    rss_peak "$SERVER_PID" "$flag" >"$OUT/peak" &
    local sampler=$!
    t0=$(date +%s.%N)
    curl -fs -b "$jar" -o /dev/null "$url"
    t1=$(date +%s.%N)
    rm -f "$flag"
    wait "$sampler"
    peak=$(cat "$OUT/peak")
    [ "$peak" -gt "$highest" ] && highest=$peak
    { [ "$lowest" = 0 ] || [ "$before" -lt "$lowest" ]; } && lowest=$before
    ours+=("$(echo "$rows / ($t1 - $t0)" | bc -l)")
    printf '%s round %d chatgate: %.2f s, %.0f rows/s, RSS before %d MB, peak %d MB\n' "$BACKEND" "$r" \
      "$(echo "$t1 - $t0" | bc)" "${ours[-1]}" $((before / 1024)) $((peak / 1024)) | tee -a "$raw"
    t0=$(date +%s.%N)
    tool_export "$sql" >/dev/null
    t1=$(date +%s.%N)
    theirs+=("$(echo "$tool_rows / ($t1 - $t0)" | bc -l)")
    printf '%s round %d %s: %.2f s, %.0f rows/s\n' "$BACKEND" "$r" "$tool" \
      "$(echo "$t1 - $t0" | bc)" "${theirs[-1]}" | tee -a "$raw"
  done
  local m_ours m_theirs
  m_ours=$(printf '%s\n' "${ours[@]}" | mean)
  m_theirs=$(printf '%s\n' "${theirs[@]}" | mean)
  printf '| %s | %s | %s | %s | %.2f | %d / %d MB |\n' "$BACKEND" "$rows" \
    "$(printf '%.0f ' "${ours[@]}")(mean $m_ours)" "$(printf '%.0f ' "${theirs[@]}")(mean $m_theirs, $tool)" \
    "$(echo "$m_ours / $m_theirs" | bc -l)" $((lowest / 1024)) $((highest / 1024)) >>"$SUMMARY_CSV"
}

# The bare page query, timed REQS times in one process: prints the
# per-request ms of the SELECT, of the count and of both, one line each
# request ("select count both").
bare_times() {
  local select=$1 count=$2
  if [ "$BACKEND" = sqlite ]; then
    python3 - "$DB" "$REQS" "$select" "$count" <<'PY'
import sqlite3, sys, time
db, reqs, select, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
conn = sqlite3.connect(db)
for _ in range(reqs):
    t0 = time.perf_counter()
    conn.execute(select).fetchall()
    t1 = time.perf_counter()
    conn.execute(count).fetchall()
    t2 = time.perf_counter()
    print(f"{(t1 - t0) * 1000:.3f} {(t2 - t1) * 1000:.3f} {(t2 - t0) * 1000:.3f}")
PY
  else
    for _ in $(seq 1 "$REQS"); do echo "$select;"; echo "$count;"; done |
      { printf '%s\n' '\timing on'; cat; } | psql "$DB" -Xq -o /dev/null |
      awk '/^Time:/ {t[++n] = $2} END {for (i = 1; i < n; i += 2) printf "%.3f %.3f %.3f\n", t[i], t[i+1], t[i] + t[i+1]}'
  fi
}

# p-th percentile of column $2 of the ms on standard input.
pct_ms() { awk -v c="$2" '{print $c}' | sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; printf "%.1f", a[i]}'; }

# Measures one list page (URL path $2, its HTML in $3) and its bare query.
list_page() {
  local jar=$1 href=$2 html=$3 label=$4 account=$5 case_id=$6 times select count n first at
  times=$OUT/$BACKEND-list-$label.txt
  : >"$times"
  for _ in $(seq 1 "$REQS"); do
    curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' "$SERVER$href" >>"$times"
  done
  n=$(echo "$href" | grep -o '[?&]page=[0-9]*' | grep -o '[0-9]*$' || true)
  if [ -n "$n" ] || [ "$label" = first ]; then
    select="$(listed_sql "$account" "$case_id") $ORDER LIMIT 51 OFFSET $(( (${n:-1} - 1) * 50 ))"
  else
    # A cursor link: the keyset form, from the page's first row.
    first=$(grep -o 'href="/conversations/[0-9]*"' "$html" | sed -n '1{s/[^0-9]//g;p;}')
    at=$(q1 "SELECT started_at FROM conversations WHERE id = $first")
    select="$(listed_sql "$account" "$case_id") AND conversations.started_at <= '$at'"
    select+=" AND (conversations.started_at < '$at' OR conversations.id <= $first) $ORDER LIMIT 51"
  fi
  # The total as the page reads it: a server with numbered pages counted
  # the case; one with cursor links reads up to 1,001 ids ("More than
  # 1,000").
  if ! grep -q 'older=\|newer=' "$html"; then
    count="SELECT COUNT(*) FROM conversations WHERE conversations.account_id = $account AND conversations.case_id = $case_id"
  else
    count="SELECT conversations.id FROM conversations WHERE conversations.account_id = $account AND conversations.case_id = $case_id LIMIT 1001"
  fi
  echo "$select" >"$OUT/$BACKEND-bare-$label.sql"
  bare_times "$select" "$count" >"$OUT/$BACKEND-bare-$label.txt"
  local sp50 sp95 bp50 bp95 cp50 cp95 p50 p95
  p50=$(percentile 50 <"$times")
  p95=$(percentile 95 <"$times")
  sp50=$(pct_ms 50 1 <"$OUT/$BACKEND-bare-$label.txt")
  sp95=$(pct_ms 95 1 <"$OUT/$BACKEND-bare-$label.txt")
  cp50=$(pct_ms 50 2 <"$OUT/$BACKEND-bare-$label.txt")
  cp95=$(pct_ms 95 2 <"$OUT/$BACKEND-bare-$label.txt")
  bp50=$(pct_ms 50 3 <"$OUT/$BACKEND-bare-$label.txt")
  bp95=$(pct_ms 95 3 <"$OUT/$BACKEND-bare-$label.txt")
  printf '%s list %-6s %s: page p50 %s / p95 %s ms; bare SELECT %s / %s, count %s / %s, both %s / %s ms\n' \
    "$BACKEND" "$label" "$href" "$p50" "$p95" "$sp50" "$sp95" "$cp50" "$cp95" "$bp50" "$bp95" | tee -a "$OUT/$BACKEND-list.txt"
  printf '| %s | %s | %s / %s | %s / %s | %s / %s | %s / %s | %.2f |\n' "$BACKEND" "$label" "$p50" "$p95" \
    "$sp50" "$sp95" "$cp50" "$cp95" "$bp50" "$bp95" "$(echo "$p95 / $bp95" | bc -l)" >>"$SUMMARY_LIST"
}

# The Older → link of the page in file $1, unescaped, if there is one.
next_href() {
  grep -o '<a [^>]*rel="next"[^>]*>' "$1" | grep -o 'href="[^"]*"' | sed -n '1{s/^href="//;s/"$//;s/&amp;/\&/g;p;}'
}

list_part() {
  local jar=$1 case_id=$2 account=$3 href html page=1 target
  href="/cases/$case_id/conversations"
  html=$OUT/$BACKEND-page.html
  curl -fs -b "$jar" -o "$html" "$SERVER$href"
  list_page "$jar" "$href" "$html" first "$account" "$case_id"
  for target in $DEEP; do
    while [ "$page" -lt "$target" ]; do
      href=$(next_href "$html")
      [ -n "$href" ] || { echo "$BACKEND: no Older link on page $page" >&2; return; }
      curl -fs -b "$jar" -o "$html" "$SERVER$href"
      page=$((page + 1))
    done
    list_page "$jar" "$href" "$html" "p$target" "$account" "$case_id"
  done
}

run_backend() {
  BACKEND=$1
  bench_backend "$BACKEND"
  bench_serve "$BIN"
  local jar=$DIR/jar case_id account sql
  bench_sign_in "$jar"
  # The measured case: CASE, or the first (the seed gives every case its
  # share of blocks).
  case_id=${CASE:-$(bench_cases "$jar" | sed -n 1p)}
  account=$(q1 "SELECT account_id FROM business_cases WHERE id = $case_id")
  echo "$BACKEND: case $case_id: $(bench_total "$jar" "" "$case_id"), blocked now: $(bench_total "$jar" blocking=blocked "$case_id")" |
    tee "$OUT/$BACKEND-case.txt"
  sql="$(exported_sql "$account" "$case_id") $ORDER"
  echo "$sql" >"$OUT/$BACKEND-export.sql"
  part csv && csv_part "$jar" "$case_id" "$sql"
  part list && list_part "$jar" "$case_id" "$account"
  if part list && [ "$BACKEND" = sqlite ]; then
    # The CLI's own timer on the first page's SELECT, for comparison (ms).
    { echo '.timer on'; echo '.output /dev/null'; for _ in $(seq 1 "$REQS"); do cat "$OUT/sqlite-bare-first.sql"; echo ';'; done; } |
      sqlite3 "$DB" | awk '/^Run Time/ {s += $4; n++} END {printf "sqlite list first: sqlite3 .timer mean %.2f ms over %d\n", s * 1000 / n, n}' |
      tee -a "$OUT/sqlite-list.txt"
  fi
  bench_stop
  rm -f "$jar"
}

bench_each_backend run_backend

{
  echo
  echo "N=$N, one case, ROUNDS=$ROUNDS, REQS=$REQS, $(date -u +%F)"
  if [ -s "$SUMMARY_CSV" ]; then
    echo
    echo "| backend | rows | chatgate rows/s | tool rows/s | ratio of means | server RSS before / peak |"
    echo "|---|---|---|---|---|---|"
    cat "$SUMMARY_CSV"
  fi
  if [ -s "$SUMMARY_LIST" ]; then
    echo
    echo "| backend | page | page p50 / p95 ms | bare SELECT | bare count | bare both | p95 ratio (page / both) |"
    echo "|---|---|---|---|---|---|---|"
    cat "$SUMMARY_LIST"
  fi
} | tee "$OUT/summary.md"
echo "raw outputs in $OUT"
