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
# CARGO_TARGET_DIR, BIN.

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

# The release binary, built where cargo puts it (CARGO_TARGET_DIR honoured),
# or BIN when set (another build to compare, e.g. a copy of main's).
bench_build() {
  [ -z "${BIN:-}" ] || return 0
  cargo build --release --quiet
  local target=${CARGO_TARGET_DIR:-target}
  case $target in /*) ;; *) target=$PWD/$target ;; esac
  BIN=$target/release/chatgate
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

# Runs `$1 BACKEND` for each of BACKENDS (sqlite postgres), skipping
# PostgreSQL when it does not answer.
bench_each_backend() {
  local backend
  for backend in ${BACKENDS:-sqlite postgres}; do
    if [ "$backend" = postgres ] && ! bench_pg_up; then
      echo "== postgres: not reachable at $PG_URL, skipped"
      continue
    fi
    "$1" "$backend"
  done
}

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

# The gate's part, for bench/bootstrap.sh and bench/vs_nginx.sh (after
# bench_build):
# the release build, a database seeded with RULES generated subnet rules and
# 20,000 conversations under target/bench/gate-$RULES/, the server started
# on it, and the policies that make the bootstrap run every step of the gate.
#
# Expects RULES, PORT and PASSWORD set, and the repository root as the
# working directory. Sets BIN, dir, base and key; gate_serve sets
# server_pid.


# The seeded database, reused between runs (RESEED=1 builds it anew), and
# the environment the server reads.
gate_seed() {
  dir=$PWD/target/bench/gate-$RULES
  # The marker names what was seeded, so a change here seeds anew.
  local marker=$dir/seeded-rules-and-20000-conversations-with-blocks
  if [ "${RESEED:-0}" = 1 ] || [ ! -f "$marker" ]; then
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  [ -f "$dir/master.key" ] || openssl rand -hex 32 > "$dir/master.key"
  export DATABASE_URL="sqlite://$dir/bench.db" CHATGATE_DATA_DIR=$dir CHATGATE_MASTER_KEY_FILE=$dir/master.key
  export CHATGATE_DEMO_PASSWORD=$PASSWORD CHATGATE_BIND=127.0.0.1:$PORT RUST_LOG=${RUST_LOG:-warn}
  export CHATGATE_TRUSTED_PROXIES=127.0.0.1/32
  base=http://127.0.0.1:$PORT
  key=demo-support
  if [ ! -f "$marker" ]; then
    # 20,000 conversations bring 1,000 visitor blocks, about 100 in force,
    # so the gate's block check runs too.
    echo "== seeding $RULES rules and 20,000 conversations"
    "$BIN" seed-load --rules "$RULES" --conversations 20000
    touch "$marker"
  fi
}

# The bootstrap of a page on the allowed site, from a visitor no rule
# covers: "show":true once the gate holds the rules (before that nobody is
# shown the chat). The generator never writes rules below 11.0.0.0.
PAGE="url=https%3A%2F%2Fshop.example%2Fcart"
MISS=8.8.4.4
gate_shows() {
  curl -fs -H "X-Forwarded-For: $MISS" -H "Origin: https://shop.example" \
    "$base/widget/v1/bootstrap?key=$key&$PAGE" 2>/dev/null | grep -q '"show":true'
}

# Starts the server, optionally under a wrapper command (valgrind …), and
# waits up to WAIT seconds (default 120) until its gate is loaded.
gate_serve() {
  "$@" "$BIN" serve >"$dir/server.log" 2>&1 &
  server_pid=$!
  local until=$(( $(date +%s) + ${WAIT:-120} ))
  until gate_shows; do
    kill -0 "$server_pid" 2>/dev/null || { echo "the server exited; see $dir/server.log" >&2; return 1; }
    [ "$(date +%s)" -lt "$until" ] || { echo "the gate did not load in ${WAIT:-120} s" >&2; return 1; }
    sleep 0.2
  done
}

# The first form's CSRF token; reads the whole page (an early exit would
# break the pipe, and with pipefail fail the script at random).
token() { grep -o 'name="csrf_token" value="[^"]*"' | sed -n '1{s/.*value="//;s/"$//;p;}'; }
settings() { curl -fs -b "$jar" -c "$jar" "$base/settings/block-visitors" | token; }

# Signs in as the demo manager (cookie jar $jar), and turns on the other
# two policies so the bootstrap runs every step of the gate: countries
# blocked by a list, and websites allowed by a list of 1,000 hosts the
# page is on. They are kept in the database.
gate_policies() {
  jar=$dir/jar
  local tok
  tok=$(curl -fs -c "$jar" "$base/login" | token)
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=manager@demo.test" \
    --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$tok" "$base/login"
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "mode=block" --data-urlencode "country=CN" \
    --data-urlencode "country=RU" --data-urlencode "country=KP" --data-urlencode "csrf_token=$(settings)" \
    "$base/settings/block-visitors/countries"
  { echo "shop.example"; for i in $(seq 1 999); do echo "site$i.example.net"; done; } > "$dir/sites.txt"
  curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "mode=allow" --data-urlencode "list@$dir/sites.txt" \
    --data-urlencode "csrf_token=$(settings)" "$base/settings/block-visitors/websites"
  sleep 1
  gate_shows || { echo "bootstrap does not show" >&2; return 1; }
  curl -fs -H "X-Forwarded-For: $MISS" -H "Origin: https://elsewhere.example" \
    "$base/widget/v1/$key/bootstrap?url=https%3A%2F%2Felsewhere.example%2F" \
    | grep -q '"show":false' || { echo "the website list is not in force" >&2; return 1; }
}

mean() { echo "($(IFS=+; echo "$*")) / $#" | bc -l; }
