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
. bench/lib.sh

bench_build
gate_seed
started=$(date +%s%N)
gate_serve
pid=$server_pid
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 2
echo "server ready in $(( ($(date +%s%N) - started) / 1000000 )) ms; RSS $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$pid/status)"
gate_policies

rps() { wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$@" | awk '/Requests\/sec/ {print $2}'; }
page=$PAGE
# A public visitor address (US) that no generated rule covers.
hdr=(-H "X-Forwarded-For: $MISS" -H "Origin: https://shop.example")
# Alternate the two endpoints (livez, bootstrap, livez, ...) so that drift
# in the machine's speed falls on both alike; compare the means.
ROUNDS=${ROUNDS:-5}
ts=() bs=()
for _ in $(seq 1 "$ROUNDS"); do
  ts+=("$(rps "$base/livez")")
  bs+=("$(rps "${hdr[@]}" "$base/widget/v1/bootstrap?key=$key&$page")")
done
ts+=("$(rps "$base/livez")")
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
