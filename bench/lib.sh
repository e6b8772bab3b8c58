# Shared by bench/bootstrap.sh and bench/vs_nginx.sh (sourced, not run):
# the release build, a database seeded with RULES generated subnet rules and
# 20,000 conversations under target/bench/gate-$RULES/, the server started
# on it, and the policies that make the bootstrap run every step of the gate.
#
# Expects RULES, PORT and PASSWORD set, and the repository root as the
# working directory. Sets BIN, dir, base and key; gate_serve sets
# server_pid.

# The release binary, built where cargo puts it (CARGO_TARGET_DIR honoured).
gate_build() {
  cargo build --release --quiet
  local target=${CARGO_TARGET_DIR:-target}
  case $target in /*) ;; *) target=$PWD/$target ;; esac
  BIN=$target/release/chatgate
}

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
