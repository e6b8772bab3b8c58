# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run): the release binary, the
# seeded databases, a server on them and the demo manager's session.
#
#   . "$(dirname "$0")/lib.sh"
#   bench_build                     # BIN=the release binary
#   bench_backend sqlite            # seeds $N conversations once, exports DATABASE_URL…
#   bench_serve "$BIN"              # SERVER_PID; SERVER is its URL
#   bench_sign_in "$jar"            # the demo manager's cookies in $jar
#   bench_cases "$jar"              # the case ids, one a line, in the sidebar's order
#   bench_stop
#
# Settings read: N, PG_URL, PG_DB (chatgate_bench), PORT, RESEED,
# CARGO_TARGET_DIR.

N=${N:-1000000}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=${PG_DB:-chatgate_bench}
PORT=${PORT:-18080}
PASSWORD="bench password 123"
SERVER=http://127.0.0.1:$PORT
# The marker a seeded database carries. Bump it whenever `seed-load`
# writes something else, so older databases are seeded anew: v2 spreads
# the blocks and agents over both cases (v1 put every block in case 2).
SEEDED=seeded-v2

bench_build() {
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/chatgate
}

# The p-th percentile of the seconds on standard input, in ms.
percentile() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; printf "%.1f", a[i]*1000}'; }

# Prepares `sqlite` or `postgres` with N conversations under
# target/bench/BACKEND-N (and the PostgreSQL database PG_DB),
# seeding them unless already seeded with this SEEDED marker (or when
# RESEED=1). Sets DIR and DB (the sqlite file or the PostgreSQL URL) and
# exports what `chatgate` reads.
bench_backend() {
  local backend=$1 seed=0
  DIR=$PWD/target/bench/$backend-$N
  if [ "${RESEED:-0}" = 1 ] || [ ! -f "$DIR/$SEEDED" ]; then
    rm -rf "$DIR"
    seed=1
  fi
  mkdir -p "$DIR"
  [ -f "$DIR/master.key" ] || openssl rand -hex 32 >"$DIR/master.key"
  if [ "$backend" = sqlite ]; then
    DB=$DIR/bench.db
    export DATABASE_URL="sqlite://$DB"
  else
    if [ "$seed" = 1 ]; then
      psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
    fi
    DB=$PG_URL/$PG_DB
    export DATABASE_URL=$DB
  fi
  export CHATGATE_DATA_DIR=$DIR CHATGATE_MASTER_KEY_FILE=$DIR/master.key
  export CHATGATE_DEMO_PASSWORD=$PASSWORD CHATGATE_BIND=127.0.0.1:$PORT RUST_LOG=warn
  if [ "$seed" = 1 ]; then
    echo "== $backend: seeding $N conversations, 200 IP rules, 400 days of dashboard counters"
    "$BIN" seed-load --conversations "$N" --rules 200 --counter-days 400
    touch "$DIR/$SEEDED"
  else
    echo "== $backend: reusing the $N-conversation database in $DIR"
  fi
}

# Whether PostgreSQL answers at PG_URL.
bench_pg_up() { pg_isready -q -d "$PG_URL/postgres" 2>/dev/null; }

# Starts `$1 serve` on the prepared database; waits until it answers.
bench_serve() {
  "$1" serve --no-demo >"${DIR:-/tmp}/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "$SERVER/healthz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start; see ${DIR:-/tmp}/server.log" >&2
  return 1
}

bench_stop() {
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
}

# Signs in as the demo manager; the session's cookies go to the jar $1.
bench_sign_in() {
  local jar=$1 token
  token=$(curl -fs -c "$jar" "$SERVER/login" | grep -o 'name="csrf_token" value="[^"]*"' | sed -n '1{s/.*value="//;s/"$//;p;}')
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=manager@demo.test" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$token" "$SERVER/login"
}

# The account's business cases, as the signed-in manager's sidebar links
# them, in order.
bench_cases() {
  curl -fs -b "$1" "$SERVER/" | grep -o '/cases/[0-9]*/conversations' | cut -d/ -f3 | awk '!seen[$0]++'
}

# The total a Conversations page shows ("12,345 conversations"), for the
# query string $2 of case $3.
bench_total() {
  curl -fs -b "$1" "$SERVER/cases/$3/conversations?$2" | grep -o '<p class="total"[^>]*>[^<]*' | sed 's/.*>//'
}
