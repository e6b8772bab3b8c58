#!/usr/bin/env bash
# Measures the widget's bootstrap endpoint against a trivial endpoint of the
# same server (/livez), with wrk on loopback, release build, embedded SQLite,
# the account holding RULES generated subnet rules (default 1,000,000).
#
#   bench/bootstrap.sh
#   RULES=1000 DURATION=5s bench/bootstrap.sh
#
# Reports requests per second of each endpoint and their ratio (the
# bootstrap runs the whole gate: case look-up, IP rules, visitor blocks,
# countries, websites), then how long a rule saved on the settings page
# takes to reach the gate: from sending the form to the first bootstrap
# that hides the chat. The seeded database is kept in target/bench/ and
# reused; RESEED=1 builds it anew.
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${RULES:-1000000}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
PORT=${PORT:-18081}
PASSWORD="bench password 123"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
BIN=$PWD/target/release/chatgate
dir=$PWD/target/bench/gate-$RULES
if [ "${RESEED:-0}" = 1 ] || [ ! -f "$dir/seeded" ]; then
  rm -rf "$dir"
fi
mkdir -p "$dir"
[ -f "$dir/master.key" ] || openssl rand -hex 32 > "$dir/master.key"
export DATABASE_URL="sqlite://$dir/bench.db" CHATGATE_DATA_DIR=$dir CHATGATE_MASTER_KEY_FILE=$dir/master.key
export CHATGATE_DEMO_PASSWORD=$PASSWORD CHATGATE_BIND=127.0.0.1:$PORT RUST_LOG=warn
export CHATGATE_TRUSTED_PROXIES=127.0.0.1/32
if [ ! -f "$dir/seeded" ]; then
  echo "== seeding $RULES rules"
  "$BIN" seed-load --rules "$RULES"
  touch "$dir/seeded"
fi
"$BIN" serve >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
started=$(date +%s%N)
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:$PORT
# The gate is filled right after start; wait until the rules are in.
key=demo-support
for _ in $(seq 1 600); do
  curl -fs "$base/widget/v1/$key/bootstrap" >/dev/null && break; sleep 0.1
done
sleep 2
echo "server ready in $(( ($(date +%s%N) - started) / 1000000 )) ms; RSS $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"

# Sign in as the demo manager, and turn on the other two policies so the
# bootstrap runs every step of the gate: countries blocked by a list, and
# websites allowed by a list of 1,000 hosts the page is on.
jar=$dir/jar
token() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//'; }
tok=$(curl -fs -c "$jar" "$base/login" | token)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=manager@demo.test" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$tok" "$base/login"
settings() { curl -fs -b "$jar" "$base/settings/block-visitors" | token; }
curl -fs -b "$jar" -o /dev/null --data-urlencode "mode=block" --data-urlencode "country=CN" \
  --data-urlencode "country=RU" --data-urlencode "country=KP" --data-urlencode "csrf_token=$(settings)" \
  "$base/settings/block-visitors/countries"
{ echo "shop.example"; for i in $(seq 1 999); do echo "site$i.example.net"; done; } > "$dir/sites.txt"
curl -fs -b "$jar" -o /dev/null --data-urlencode "mode=allow" --data-urlencode "list@$dir/sites.txt" \
  --data-urlencode "csrf_token=$(settings)" "$base/settings/block-visitors/websites"
sleep 1

rps() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }
page="url=https%3A%2F%2Fshop.example%2Fcart"
# A public visitor address (US) that no generated rule covers: the
# generator never writes rules below 11.0.0.0.
hdr=(-H "X-Forwarded-For: 8.8.4.4" -H "Origin: https://shop.example")
curl -fs "${hdr[@]}" "$base/widget/v1/$key/bootstrap?$page" | grep -q '"show":true' || { echo "bootstrap does not show" >&2; exit 1; }
curl -fs -H "X-Forwarded-For: 8.8.4.4" -H "Origin: https://elsewhere.example" "$base/widget/v1/$key/bootstrap?url=https%3A%2F%2Felsewhere.example%2F" \
  | grep -q '"show":false' || { echo "the website list is not in force" >&2; exit 1; }
# Alternate the two endpoints (livez, bootstrap, livez, ...) so that drift
# in the machine's speed falls on both alike; compare the means.
ROUNDS=${ROUNDS:-2}
ts=() bs=()
for _ in $(seq 1 "$ROUNDS"); do
  ts+=("$(rps "$base/livez")")
  bs+=("$(rps "${hdr[@]}" "$base/widget/v1/$key/bootstrap?$page")")
done
ts+=("$(rps "$base/livez")")
mean() { echo "($(IFS=+; echo "$*")) / $#" | bc -l; }
t=$(mean "${ts[@]}")
b=$(mean "${bs[@]}")
printf "trivial /livez:      %10.0f req/s (runs: %s)\n" "$t" "${ts[*]}"
printf "widget bootstrap:    %10.0f req/s (runs: %s)\n" "$b" "${bs[*]}"
printf "ratio:               %10.3f\n" "$(echo "$b / $t" | bc -l)"

# A saved rule reaching the gate: add an address, poll bootstrap.
tok=$(settings)
# A fresh address each run (the database is reused between runs).
probe=10.$((RANDOM % 250)).$((RANDOM % 250)).$((RANDOM % 250))
t0=$(date +%s%N)
curl -fs -b "$jar" -o /dev/null -w "" --data-urlencode "address=$probe" --data-urlencode "comment=bench" \
  --data-urlencode "csrf_token=$tok" "$base/settings/block-visitors/ip-rules"
t_saved=$(date +%s%N)
until curl -fs -H "X-Forwarded-For: $probe" "${hdr[2]}" "${hdr[3]}" "$base/widget/v1/$key/bootstrap?$page" | grep -q '"show":false'; do :; done
t_gate=$(date +%s%N)
printf "rule saved (POST answered): %6.1f ms\n" "$(echo "($t_saved - $t0) / 1000000" | bc -l)"
printf "rule in force at the gate:  %6.1f ms after sending the form\n" "$(echo "($t_gate - $t0) / 1000000" | bc -l)"
echo "server RSS after the run: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
