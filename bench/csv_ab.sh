#!/usr/bin/env bash
# The CSV export of two builds, alternated on the same seeded SQLite
# database (seed it first with `BACKENDS=sqlite ONLY=csv bench/list_and_csv.sh`):
#
#   BASE=/tmp/base-target/release/chatgate NEW=target/release/chatgate bench/csv_ab.sh
#
# Build BASE from the commit to compare with, e.g.
#   git worktree add /tmp/base <commit> && (cd /tmp/base && CARGO_TARGET_DIR=/tmp/base-target cargo build --release)
# The export is of the first business case (CASE=id for another).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-18090}
. bench/lib.sh
BASE=${BASE:?the binary to compare with}
NEW=${NEW:-${CARGO_TARGET_DIR:-$PWD/target}/release/chatgate}
ROUNDS=${ROUNDS:-3}
DIR=${DIR:-$PWD/target/bench/sqlite-$N}
export DATABASE_URL="sqlite://$DIR/bench.db" CHATGATE_DATA_DIR=$DIR CHATGATE_MASTER_KEY_FILE=$DIR/master.key
export CHATGATE_DEMO_PASSWORD=$PASSWORD CHATGATE_BIND=127.0.0.1:$PORT RUST_LOG=warn
one() {
  local bin=$1 name=$2 jar out t rows case_id
  jar=$(mktemp) out=$(mktemp)
  bench_serve "$bin"
  bench_sign_in "$jar"
  case_id=${CASE:-$(bench_cases "$jar" | sed -n 1p)}
  t=$(curl -fs -b "$jar" -o "$out" -w '%{time_total}' "$SERVER/cases/$case_id/conversations.csv?blocking=all")
  rows=$(( $(wc -l < "$out") - 1 ))
  bench_stop
  printf '%s: %d rows in %.2f s = %.0f rows/s\n' "$name" "$rows" "$t" "$(echo "$rows / $t" | bc -l)"
  rm -f "$jar" "$out"
  sleep 1
}
for _ in $(seq 1 "$ROUNDS"); do
  one "$BASE" base
  one "$NEW" new
done
