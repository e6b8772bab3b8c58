#!/usr/bin/env bash
# The widget's bootstrap against nginx's `geo` module holding the same
# RULES CIDR rules (default 1,000,000), both on loopback, both taking the
# visitor's address from X-Forwarded-For sent by a trusted proxy.
#
#   bench/vs_nginx.sh
#   RULES=100000 ROUNDS=3 DURATION=4s REQUESTS=1000 bench/vs_nginx.sh
#   SKIP_WRK=1 bench/vs_nginx.sh        # instructions only
#
# chatgate: the release build on embedded SQLite, seeded as bench/bootstrap.sh
# seeds it (`seed-load --rules N`, 20,000 conversations with visitor blocks,
# a country block list and a 1,000-site allow list the page is on), so the
# bootstrap runs every step of the gate. nginx: `geo $blocked` with exactly
# the account's networks, read from the database, answering the same JSON
# body as the bootstrap ({"show":false} for a covered address).
#
# Two request sets of ADDRESSES addresses (default 1,000): misses only
# (addresses in US organisations' /8s below 11.0.0.0, where no rule is),
# and hits and misses alternating. Each address list is first sent to both
# servers once and their answers compared: they must agree.
#
# Reports, per request set: wrk requests/s of each server, alternated
# ROUNDS times (default 5; THREADS, CONNS, DURATION as in bootstrap.sh;
# nginx with one worker a core, as chatgate), and instructions per request
# counted by callgrind over REQUESTS requests (default 2,000) on one
# keep-alive connection (curl), with instrumentation on only once the
# server is up and warmed. Only the server runs under valgrind, so the
# client's instructions are not counted. chatgate is multithreaded and
# callgrind counts all its threads: the figure is given for all of them,
# and for the threads that served HTTP alone (without the background
# tasks, which under valgrind's slowdown run many more times per request
# than they would at full speed). nginx runs one worker without a master
# process there. Both log no requests (RUST_LOG=warn, access_log off).
# Instruction counts do not depend on the machine's noise; requests/s on
# this shared machine do.
#
# Work files and the raw outputs (wrk runs, callgrind dumps) are kept in
# target/bench/vs-nginx-$RULES/.
set -euo pipefail
trap 'echo "bench/vs_nginx.sh: failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."
RULES=${RULES:-1000000}
ROUNDS=${ROUNDS:-5}
REQUESTS=${REQUESTS:-2000}
ADDRESSES=${ADDRESSES:-1000}
DURATION=${DURATION:-6s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
PORT=${PORT:-18082}
NGINX_PORT=${NGINX_PORT:-18083}
PASSWORD="bench password 123"

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v callgrind_control >/dev/null || missing+=(valgrind)
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then apt-get install -y "${missing[@]}"; else sudo apt-get install -y "${missing[@]}"; fi
fi
. bench/lib.sh

bench_build
gate_seed
out=$PWD/target/bench/vs-nginx-$RULES
rm -rf "$out/raw"
mkdir -p "$out/logs" "$out/raw"
python3 bench/vs_nginx.py "$dir/bench.db" "$key" "$out" "$ADDRESSES"
sets=(misses mix)
path="/widget/v1/bootstrap?key=$key&$PAGE"
origin="Origin: https://shop.example"

# nginx's configuration: one worker without a master process under
# callgrind (nginx-1.conf), as many workers as chatgate has (one a core)
# for wrk (nginx.conf).
nginx_conf() {
  local workers=$1 master=$2
  cat <<EOF
daemon off;
master_process $master;
worker_processes $workers;
pid $out/logs/nginx.pid;
error_log $out/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  set_real_ip_from 127.0.0.1;
  real_ip_header X-Forwarded-For;
  geo \$blocked {
    default 0;
    include $out/geo.conf;
  }
  map \$blocked \$answer {
    0 '{"show":true,"frame":"/widget/v1/$key/frame"}';
    1 '{"show":false}';
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location = /widget/v1/bootstrap {
      default_type application/json;
      add_header Access-Control-Allow-Origin * always;
      add_header Cache-Control no-store always;
      return 200 \$answer;
    }
  }
}
EOF
}
nginx_conf "$(nproc)" on > "$out/nginx.conf"
nginx_conf 1 off > "$out/nginx-1.conf"

# Starts nginx with a configuration (under a wrapper command, if given),
# waiting up to WAIT seconds (default 120) until it answers.
nginx_serve() {
  local conf=$1
  shift
  "$@" "$NGINX" -p "$out" -c "$out/$conf" >"$out/logs/nginx.out" 2>&1 &
  nginx_pid=$!
  local until=$(( $(date +%s) + ${WAIT:-120} ))
  until curl -fs -o /dev/null "http://127.0.0.1:$NGINX_PORT$path"; do
    kill -0 "$nginx_pid" 2>/dev/null || { echo "nginx exited; see $out/logs/" >&2; return 1; }
    [ "$(date +%s)" -lt "$until" ] || { echo "nginx did not start in ${WAIT:-120} s" >&2; return 1; }
    sleep 0.2
  done
}

stop() {
  local pid
  for pid in "$@"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
server_pid="" nginx_pid=""
trap 'stop $server_pid $nginx_pid' EXIT

# A curl configuration sending N requests of a request set to a port, one
# address after the other, on one keep-alive connection; `show` keeps the
# answers (one a line) instead of the status codes.
curl_conf() {
  local set=$1 port=$2 n=$3 show=${4:-}
  awk -v n="$n" -v url="http://127.0.0.1:$port$path" -v origin="$origin" -v show="$show" '
    { a[NR] = $1 }
    END {
      for (i = 0; i < n; i++) {
        if (i) print "next"
        printf "url = \"%s\"\nheader = \"X-Forwarded-For: %s\"\nheader = \"%s\"\n", url, a[i % NR + 1], origin
        if (show) print "write-out = \"\\n\""
        else print "output = \"/dev/null\"\nwrite-out = \"%{http_code}\\n\""
      }
    }' "$out/$set.txt"
}

# Sends N requests of a set; fails unless all N were answered 200.
send() {
  local set=$1 port=$2 n=$3 answered
  answered=$(curl_conf "$set" "$port" "$n" | curl -s -K - | grep -c '^200$' || true)
  [ "$answered" = "$n" ] || { echo "$answered of $n requests answered 200 on port $port" >&2; return 1; }
}

echo "== starting chatgate and nginx ($RULES rules)"
gate_serve
gate_policies
nginx_serve nginx.conf

# Both servers must answer each address alike.
for set in "${sets[@]}"; do
  n=$(wc -l < "$out/$set.txt")
  curl_conf "$set" "$PORT" "$n" show | curl -s -K - > "$out/raw/$set.chatgate.answers"
  curl_conf "$set" "$NGINX_PORT" "$n" show | curl -s -K - > "$out/raw/$set.nginx.answers"
  cmp -s "$out/raw/$set.chatgate.answers" "$out/raw/$set.nginx.answers" || {
    echo "chatgate and nginx answer the $set set differently; see $out/raw/$set.*.answers" >&2
    exit 1
  }
  refused=$(grep -c '"show":false' "$out/raw/$set.chatgate.answers" || true)
  echo "$set: $n addresses, $refused refused by both"
done

declare -A rps_mean
if [ "${SKIP_WRK:-0}" != 1 ]; then
  # Alternate the servers (chatgate, nginx, chatgate, ...) so that drift in
  # the machine's speed falls on both alike; compare the means.
  rps() {
    local name=$1 port=$2 set=$3 round=$4 raw
    raw=$out/raw/wrk.$set.$name.$round
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -H "$origin" -s bench/vs_nginx.lua \
      "http://127.0.0.1:$port$path" -- "$out/$set.txt" > "$raw"
    if grep -q 'Non-2xx' "$raw"; then
      echo "non-2xx answers from $name; see $raw" >&2
      return 1
    fi
    awk '/Requests\/sec/ {print $2}' "$raw"
  }
  for set in "${sets[@]}"; do
    cs=() ns=()
    for round in $(seq 1 "$ROUNDS"); do
      cs+=("$(rps chatgate "$PORT" "$set" "$round")")
      ns+=("$(rps nginx "$NGINX_PORT" "$set" "$round")")
    done
    rps_mean[$set.chatgate]=$(mean "${cs[@]}")
    rps_mean[$set.nginx]=$(mean "${ns[@]}")
    echo "$set, req/s: chatgate ${cs[*]}; nginx ${ns[*]}"
  done
fi
stop "$server_pid" "$nginx_pid"
server_pid="" nginx_pid=""

# Instructions per request: the server under callgrind, instrumented only
# from `callgrind_control -i on` (with --instr-atstart=no; collection stays
# on, as --collect-atstart=no would leave it off whatever -i says). Per
# request set: warm-up requests, zero the counters, REQUESTS requests, dump.
# Each thread is dumped on its own (--separate-threads=yes), so the threads
# that served HTTP (those that ran actix's dispatcher) can be told from
# the others (background tasks: the gate's writes of rule hits and
# counters, on the blocking pool).
declare -A per_request serving
count() {
  local name=$1 port=$2 pid=$3 set dumps
  callgrind_control -i on "$pid" >/dev/null 2>&1
  for set in "${sets[@]}"; do
    send "$set" "$port" 200
    callgrind_control -z "$pid" >/dev/null 2>&1
    send "$set" "$port" "$REQUESTS"
    callgrind_control -d "$pid" >/dev/null 2>&1
    sleep 1
    dumps=$out/raw/callgrind.$name.$set
    mkdir -p "$dumps"
    mv "$out/raw/callgrind.$name.out".* "$dumps/"
    per_request[$set.$name]=$(cat "$dumps"/* | awk -v n="$REQUESTS" '/^totals:/ {t += $2} END {printf "%.0f", t / n}')
    serving[$set.$name]=$(grep -l 'InnerDispatcher\|ngx_http_process_request' "$dumps"/* \
      | xargs cat | awk -v n="$REQUESTS" '/^totals:/ {t += $2} END {printf "%.0f", t / n}')
    echo "$name, $set: ${per_request[$set.$name]} instructions per request, all threads;" \
      "${serving[$set.$name]} in the threads serving HTTP (raw/callgrind.$name.$set/)"
  done
}
vg=(valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes)
echo "== callgrind: chatgate (all threads counted)"
WAIT=${WAIT:-1200} gate_serve "${vg[@]}" --callgrind-out-file="$out/raw/callgrind.chatgate.out"
count chatgate "$PORT" "$server_pid"
stop "$server_pid"
server_pid=""
echo "== callgrind: nginx (one worker, no master process)"
WAIT=${WAIT:-1200} nginx_serve nginx-1.conf "${vg[@]}" --callgrind-out-file="$out/raw/callgrind.nginx.out"
count nginx "$NGINX_PORT" "$nginx_pid"
stop "$nginx_pid"
nginx_pid=""
rm -f "$out/raw/callgrind.chatgate.out"* "$out/raw/callgrind.nginx.out"*

echo
echo "$RULES rules; req/s: wrk -t$THREADS -c$CONNS, mean of $ROUNDS runs of $DURATION each;"
echo "instructions per request: callgrind over $REQUESTS requests, in all threads and in"
echo "the threads serving HTTP (chatgate's workers; without its background tasks)"
printf "%-8s %-9s %10s %12s %12s\n" set server req/s all serving
ratio() { echo "$1 / $2" | bc -l; }
for set in "${sets[@]}"; do
  for name in chatgate nginx; do
    printf "%-8s %-9s %10.0f %12s %12s\n" "$set" "$name" "${rps_mean[$set.$name]:-0}" \
      "${per_request[$set.$name]}" "${serving[$set.$name]}"
  done
  r=-
  [ -z "${rps_mean[$set.nginx]:-}" ] || r=$(printf '%.2f' "$(ratio "${rps_mean[$set.chatgate]}" "${rps_mean[$set.nginx]}")")
  printf "%-8s %-9s %10s %12.2f %12.2f\n" "$set" ratio "$r" \
    "$(ratio "${per_request[$set.chatgate]}" "${per_request[$set.nginx]}")" \
    "$(ratio "${serving[$set.chatgate]}" "${serving[$set.nginx]}")"
done
echo "(ratio: chatgate / nginx; target: instructions ≤ 1.5)"
