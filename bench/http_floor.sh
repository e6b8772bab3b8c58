#!/usr/bin/env bash
# The floor under the bootstrap: instructions per request of a server on
# chatgate's own stack that answers the bootstrap's path with the
# bootstrap's body and headers and does nothing else (examples/http_floor.rs),
# counted as bench/vs_nginx.sh counts chatgate and nginx: callgrind, threads
# that served HTTP, REQUESTS requests (default 2,000) on one keep-alive
# connection after 200 to warm up, each with the X-Forwarded-For and Origin
# headers the bootstrap gets.
#
#   bench/http_floor.sh                 # web (actix-web) and http (actix-http)
#   MODES=web REQUESTS=5000 bench/http_floor.sh
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-2000}
MODES=${MODES:-web http}
PORT=${PORT:-18084}
out=$PWD/target/bench/http-floor
mkdir -p "$out"
cargo build --release --quiet --example http_floor
bin=${CARGO_TARGET_DIR:-target}/release/examples/http_floor
url="http://127.0.0.1:$PORT/widget/v1/bootstrap?key=demo-support&url=https%3A%2F%2Fshop.example%2Fcart"

send() {
  local n=$1 answered
  answered=$(awk -v n="$n" -v url="$url" 'BEGIN {
      for (i = 0; i < n; i++) {
        if (i) print "next"
        printf "url = \"%s\"\nheader = \"X-Forwarded-For: 8.8.%d.%d\"\n", url, i % 200, i % 250
        print "header = \"Origin: https://shop.example\"\noutput = \"/dev/null\"\nwrite-out = \"%{http_code}\\n\""
      }
    }' | curl -s -K - | grep -c '^200$' || true)
  [ "$answered" = "$n" ] || { echo "$answered of $n answered 200" >&2; return 1; }
}

for mode in $MODES; do
  rm -rf "$out/$mode"
  mkdir -p "$out/$mode"
  valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \
    --callgrind-out-file="$out/$mode/callgrind.out" "$bin" "$mode" "127.0.0.1:$PORT" \
    >"$out/$mode.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "$url"; do
    kill -0 "$pid" 2>/dev/null || { echo "http_floor $mode exited; see $out/$mode.log" >&2; exit 1; }
    sleep 0.3
  done
  callgrind_control -i on "$pid" >/dev/null 2>&1
  send 200
  callgrind_control -z "$pid" >/dev/null 2>&1
  send "$REQUESTS"
  callgrind_control -d "$pid" >/dev/null 2>&1
  sleep 1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  serving=$(grep -l 'InnerDispatcher' "$out/$mode"/callgrind.out.* \
    | xargs cat | awk -v n="$REQUESTS" '/^totals:/ {t += $2} END {printf "%.0f", t / n}')
  echo "$mode: $serving instructions per request in the threads serving HTTP"
done
