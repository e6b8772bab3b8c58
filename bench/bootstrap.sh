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
# a country block list, a 1,000-site allow list), then a rule saved on the
# settings page: how long the form takes, and that the bootstrap sent right
# after its answer is refused. The seeded database is kept in target/bench/
# and reused; RESEED=1 builds it anew.
set -euo pipefail
trap 'echo "bench/bootstrap.sh: failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."
RULES=${RULES:-1000000}
DURATION=${DURATION:-6s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
PORT=${PORT:-18081}
PASSWORD="bench password 123"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }

cargo build --release --quiet
BIN=$PWD/target/release/chatgate
dir=$PWD/target/bench/gate-$RULES
# The marker names what was seeded, so a change here seeds anew.
marker=$dir/seeded-rules-and-20000-conversations-with-blocks
if [ "${RESEED:-0}" = 1 ] || [ ! -f "$marker" ]; then
  rm -rf "$dir"
fi
mkdir -p "$dir"
[ -f "$dir/master.key" ] || openssl rand -hex 32 > "$dir/master.key"
export DATABASE_URL="sqlite://$dir/bench.db" CHATGATE_DATA_DIR=$dir CHATGATE_MASTER_KEY_FILE=$dir/master.key
export CHATGATE_DEMO_PASSWORD=$PASSWORD CHATGATE_BIND=127.0.0.1:$PORT RUST_LOG=warn
export CHATGATE_TRUSTED_PROXIES=127.0.0.1/32
if [ ! -f "$marker" ]; then
  # 20,000 conversations bring 1,000 visitor blocks, about 100 in force, so
  # the gate's block check runs too.
  echo "== seeding $RULES rules and 20,000 conversations"
  "$BIN" seed-load --rules "$RULES" --conversations 20000
  touch "$marker"
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
# The first form's CSRF token; reads the whole page (an early exit would
# break the pipe, and with pipefail fail the script at random).
token() { grep -o 'name="csrf_token" value="[^"]*"' | sed -n '1{s/.*value="//;s/"$//;p;}'; }
tok=$(curl -fs -c "$jar" "$base/login" | token)
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "email=manager@demo.test" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "csrf_token=$tok" "$base/login"
settings() { curl -fs -b "$jar" -c "$jar" "$base/settings/block-visitors" | token; }
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "mode=block" --data-urlencode "country=CN" \
  --data-urlencode "country=RU" --data-urlencode "country=KP" --data-urlencode "csrf_token=$(settings)" \
  "$base/settings/block-visitors/countries"
{ echo "shop.example"; for i in $(seq 1 999); do echo "site$i.example.net"; done; } > "$dir/sites.txt"
curl -fs -b "$jar" -c "$jar" -o /dev/null --data-urlencode "mode=allow" --data-urlencode "list@$dir/sites.txt" \
  --data-urlencode "csrf_token=$(settings)" "$base/settings/block-visitors/websites"
sleep 1

rps() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }
page="url=https%3A%2F%2Fshop.example%2Fcart"
# A public visitor address (US) that no generated rule covers: the
# generator never writes rules below 11.0.0.0.
hdr=(-H "X-Forwarded-For: 8.8.4.4" -H "Origin: https://shop.example")
curl -fs "${hdr[@]}" "$base/widget/v1/bootstrap?key=$key&$page" | grep -q '"show":true' || { echo "bootstrap does not show" >&2; exit 1; }
curl -fs -H "X-Forwarded-For: 8.8.4.4" -H "Origin: https://elsewhere.example" "$base/widget/v1/$key/bootstrap?url=https%3A%2F%2Felsewhere.example%2F" \
  | grep -q '"show":false' || { echo "the website list is not in force" >&2; exit 1; }
# Alternate the two endpoints (livez, bootstrap, livez, ...) so that drift
# in the machine's speed falls on both alike; compare the means.
ROUNDS=${ROUNDS:-5}
ts=() bs=()
for _ in $(seq 1 "$ROUNDS"); do
  ts+=("$(rps "$base/livez")")
  bs+=("$(rps "${hdr[@]}" "$base/widget/v1/bootstrap?key=$key&$page")")
done
ts+=("$(rps "$base/livez")")
mean() { echo "($(IFS=+; echo "$*")) / $#" | bc -l; }
t=$(mean "${ts[@]}")
b=$(mean "${bs[@]}")
printf "trivial /livez:      %10.0f req/s (runs: %s)\n" "$t" "${ts[*]}"
printf "widget bootstrap:    %10.0f req/s (runs: %s)\n" "$b" "${bs[*]}"
printf "ratio:               %10.3f\n" "$(echo "$b / $t" | bc -l)"

# A saved rule reaching the gate: add an address, then, on the same
# connection right after the answer, ask for the bootstrap from it. The
# gate takes the rule before the form is answered (see the criterion group
# apply_saved_rule for that step alone), so the bootstrap must be refused.
tok=$(settings)
# A fresh address each run (the database is reused between runs).
probe=10.$((RANDOM % 250)).$((RANDOM % 250)).$((RANDOM % 250))
out=$(curl -s -b "$jar" -c "$jar" -o /dev/null -w 'post %{time_total} %{http_code}\n' --data-urlencode "address=$probe" \
  --data-urlencode "comment=bench" --data-urlencode "csrf_token=$tok" "$base/settings/block-visitors/ip-rules" \
  --next -s -H "X-Forwarded-For: $probe" "${hdr[2]}" "${hdr[3]}" -w '\nbootstrap %{time_total}\n' \
  "$base/widget/v1/bootstrap?key=$key&$page")
echo "$out" | grep -q '^post .* 303$' || { echo "the rule was not saved: $out" >&2; exit 1; }
echo "$out" | grep -q '"show":false' || { echo "the saved rule was not in force: $out" >&2; exit 1; }
post=$(echo "$out" | awk '/^post/ {print $2 * 1000}')
next=$(echo "$out" | awk '/^bootstrap/ {print $2 * 1000}')
printf "rule saved: form answered in %.1f ms; the next bootstrap (%.1f ms later) was refused\n" "$post" "$next"
echo "server RSS after the run: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
