#!/usr/bin/env bash
# The CSV export of two builds, alternated on the same seeded SQLite
# database (seed it first with `BACKENDS=sqlite ONLY=csv bench/list_and_csv.sh`):
#
#   BASE=/tmp/base-target/release/chatgate NEW=target/release/chatgate bench/csv_ab.sh
#
# Build BASE from the commit to compare with, e.g.
#   git worktree add /tmp/base <commit> && (cd /tmp/base && CARGO_TARGET_DIR=/tmp/base-target cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:?the binary to compare with}
NEW=${NEW:-$PWD/target/release/chatgate}
ROUNDS=${ROUNDS:-3}
dir=${DIR:-$PWD/target/bench/sqlite-1000000}
PORT=18090
PASSWORD="bench password 123"
export DATABASE_URL="sqlite://$dir/bench.db" CHATGATE_DATA_DIR=$dir CHATGATE_MASTER_KEY_FILE=$dir/master.key
export CHATGATE_DEMO_PASSWORD=$PASSWORD CHATGATE_BIND=127.0.0.1:$PORT RUST_LOG=warn
one() {
  local bin=$1 name=$2
  "$bin" serve --no-demo >/tmp/csv-ab-server.log 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  local jar; jar=$(mktemp) base=http://127.0.0.1:$PORT
  local token
  token=$(curl -fs -c "$jar" "$base/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed -n '1{s/.*value="//;s/"$//;p;}')
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=manager@demo.test" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$token" "$base/login"
  local case_id
  case_id=$(curl -fs -b "$jar" "$base/" | grep -o '/cases/[0-9]*/conversations' | sed -n '1p' | cut -d/ -f3)
  local t rows
  t=$(curl -fs -b "$jar" -o /tmp/csv-ab.csv -w '%{time_total}' "$base/cases/$case_id/conversations.csv?blocking=all")
  rows=$(( $(wc -l < /tmp/csv-ab.csv) - 1 ))
  kill $pid; wait $pid 2>/dev/null || true
  printf '%s: %d rows in %.2f s = %.0f rows/s\n' "$name" "$rows" "$t" "$(echo "$rows / $t" | bc -l)"
  rm -f "$jar" /tmp/csv-ab.csv
  sleep 1
}
for _ in $(seq 1 "$ROUNDS"); do
  one "$BASE" base
  one "$NEW" new
done
