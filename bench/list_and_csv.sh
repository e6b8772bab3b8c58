#!/usr/bin/env bash
# Measures the Conversations tab and the CSV export on a large database, on
# embedded SQLite and on PostgreSQL (when reachable), with the release build.
#
#   bench/list_and_csv.sh                 # 1,000,000 conversations, 5% blocked
#   N=100000 REQS=100 bench/list_and_csv.sh
#   PG_URL=postgres://postgres@127.0.0.1:5432 bench/list_and_csv.sh
#   BACKENDS=sqlite ONLY=search REQS=20 bench/list_and_csv.sh
#
# The seeded databases are kept (target/bench/ and the PostgreSQL database
# chatgate_bench) and reused by the next run; RESEED=1 builds them anew, and
# so does a change of the seed (SEEDED in bench/lib.sh). The list and the
# export measure the first business case (CASE=id for another); the seed
# gives each case the same share of blocks.
#
# Reports, per backend: the list page's p50/p95 for each blocking filter
# value (pages 1 to 20, REQS requests per filter, sequential, one client),
# then for search, status, agent and date filters (first page with the
# total count), the Overview dashboard for each period (with 400 days of
# counters seeded), CSV rows per second for the whole export, and the
# server's peak RSS. ONLY=list, search, dashboard or csv runs just that part.
set -euo pipefail
cd "$(dirname "$0")/.."
REQS=${REQS:-200}
. bench/lib.sh
bench_build

run_backend() {
  local backend=$1
  bench_backend "$backend"
  bench_serve "$BIN"
  local pid=$SERVER_PID
  local jar=$DIR/jar base=$SERVER
  bench_sign_in "$jar"
  # The measured case: CASE, or the first. The seed gives every case its
  # share of blocks; the totals show the Blocked filter is not empty.
  local case_id=${CASE:-$(bench_cases "$jar" | sed -n 1p)}
  echo "$backend: case $case_id, all: $(bench_total "$jar" "" "$case_id"), blocked now: $(bench_total "$jar" blocking=blocked "$case_id")"
  part() { [ -z "${ONLY:-}" ] || [ "$ONLY" = "$1" ]; }
  part list && for filter in all blocked not_blocked; do
    local times=$DIR/times-$filter
    : > "$times"
    for i in $(seq 1 "$REQS"); do
      curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' \
        "$base/cases/$case_id/conversations?blocking=$filter&page=$(( (i % 20) + 1 ))" >> "$times"
    done
    printf '%-8s list blocking=%-12s p50 %6s ms   p95 %6s ms\n' "$backend" "$filter" \
      "$(percentile 50 < "$times")" "$(percentile 95 < "$times")"
  done
  # Search and the other filters (first page, with the total count): a
  # word in one message in eight, one in every label, an order number (a
  # handful of matches), an order-number prefix (one in ninety: the
  # hardest for a capped count), a label tag, the agent filter, the last
  # 7 days, and all of them at once.
  local agent_id from to
  agent_id=$(curl -fs -b "$jar" "$base/cases/$case_id/conversations" | grep -o '<option value="[0-9][0-9]*"' | sed -n '1{s/[^0-9]//g;p;}')
  from=$(date -u -d '-7 days' +%F)
  to=$(date -u +%F)
  local k=0 search_case
  # Every case: the seed gives each of the eight requests to one case of
  # two (its text follows the id, its case the id's parity), so "refund"
  # is common in one case and rare (the demo's few) in the other.
  for search_case in $(bench_cases "$jar"); do
  part search && for query in "q=refund" "q=visitor" "q=4711+order" "q=order+47" "q=visitor+1a2b" "q=refu*" "status=closed" \
      "agent=$agent_id" "from=$from&to=$to" "q=refund&status=closed&agent=$agent_id&from=$from&to=$to"; do
    local times=$DIR/times-q$k
    k=$(( k + 1 ))
    : > "$times"
    for _ in $(seq 1 "$REQS"); do
      curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' \
        "$base/cases/$search_case/conversations?$query" >> "$times"
    done
    printf '%-8s case %s list %-40s p50 %6s ms   p95 %6s ms\n' "$backend" "$search_case" "$query" \
      "$(percentile 50 < "$times")" "$(percentile 95 < "$times")"
  done
  done
  # The Overview dashboard over each period, on the same million
  # conversations and 400 days of counters.
  part dashboard && for period in 24h 7d 30d; do
    local times=$DIR/times-dash-$period
    : > "$times"
    for _ in $(seq 1 "$REQS"); do
      curl -fs -b "$jar" -o /dev/null -w '%{time_total}\n' "$base/?period=$period" >> "$times"
    done
    printf '%-8s dashboard period=%-4s p50 %6s ms   p95 %6s ms\n' "$backend" "$period" \
      "$(percentile 50 < "$times")" "$(percentile 95 < "$times")"
  done
  local rss_before start end rows
  if ! part csv; then
    bench_stop; rm -f "$jar"; return
  fi
  rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  start=$(date +%s.%N)
  curl -fs -b "$jar" -o "$DIR/export.csv" "$base/cases/$case_id/conversations.csv?blocking=all"
  end=$(date +%s.%N)
  rows=$(( $(wc -l < "$DIR/export.csv") - 1 ))
  printf '%-8s csv %d rows in %.2f s = %.0f rows/s; RSS before %d MB, peak %d MB\n' "$backend" "$rows" \
    "$(echo "$end - $start" | bc)" "$(echo "$rows / ($end - $start)" | bc -l)" \
    $(( rss_before / 1024 )) $(( $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024 ))
  bench_stop
  rm -f "$DIR/export.csv" "$jar"
}

bench_each_backend run_backend
