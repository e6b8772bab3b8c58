#!/usr/bin/env bash
# Instructions per gate decision, counted by callgrind (the count does not
# depend on the machine's noise): the criterion benchmark's full/1M gate
# (1M subnet rules, 100,000 visitor blocks, the country table with an allow
# list, 1,000 website rules in allow mode), DECISIONS decisions (default
# 20,000) over half hits and half misses of the rules, counting only inside
# the decision.
#
#   bench/gate_instructions.sh
#   DECISIONS=50000 bench/gate_instructions.sh
set -euo pipefail
trap 'echo "bench/gate_instructions.sh: failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."
DECISIONS=${DECISIONS:-20000}
command -v valgrind >/dev/null || { echo "valgrind is needed: apt-get install -y valgrind" >&2; exit 1; }
exe=$(cargo bench --bench gate_instructions --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "gate_instructions":
        print(m["executable"])')
out=$(mktemp)
DECISIONS=$DECISIONS valgrind --tool=callgrind --toggle-collect='*decide_one*' \
  --callgrind-out-file="$out" "$exe" >/dev/null 2>&1
total=$(awk '/^totals:/ {print $2}' "$out")
rm -f "$out"
echo "decisions: $DECISIONS"
echo "instructions in the decision: $total"
echo "instructions per decision: $((total / DECISIONS))"
