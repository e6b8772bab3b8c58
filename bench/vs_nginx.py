"""The rule set and the visitor addresses bench/vs_nginx.sh sends (Python 3,
standard library only).

    python3 bench/vs_nginx.py DB WIDGET_KEY OUT_DIR ADDRESSES

Reads the IP and subnet rules of the widget key's account from the seeded
SQLite database (what `chatgate seed-load --rules N` wrote, see
src/load/generate.rs, plus any rule added since) and writes to OUT_DIR:

* geo.conf: the same networks as an nginx `geo` block body, `<net> 1;`
  per rule (a bare address is a /32 or a /128 to nginx too);
* misses.txt: ADDRESSES IPv4 visitor addresses no rule covers, in 3/8,
  4/8 and 6/8 to 9/8 (US organisations' blocks, so the bench's country
  list lets them through; the generator writes rules from 11.0.0.0 only,
  and each is checked against the rules anyway);
* mix.txt: ADDRESSES addresses alternating a hit (an address inside a
  random rule, IPv4 or IPv6 as the rule is) and a miss as above.
"""

import random
import socket
import sqlite3
import sys


def parse(text):
    """(family bits, network as int, prefix length) of a stored rule."""
    addr, _, length = text.partition("/")
    if ":" in addr:
        bits, raw = 128, socket.inet_pton(socket.AF_INET6, addr)
    else:
        bits, raw = 32, socket.inet_pton(socket.AF_INET, addr)
    return bits, int.from_bytes(raw, "big"), int(length) if length else bits


def text_of(bits, value):
    family = socket.AF_INET6 if bits == 128 else socket.AF_INET
    return socket.inet_ntop(family, value.to_bytes(bits // 8, "big"))


# /8s registered to US organisations, below the generator's 11.0.0.0:
# no country list of the bench refuses them.
US_BLOCKS = [3, 4, 6, 7, 8, 9]


def covered(nets, value):
    """Whether an IPv4 address lies in any rule."""
    return any(
        (32, value >> (32 - p) << (32 - p), p) in nets for p in range(0, 33)
    )


def main():
    db, key, out, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT network FROM ip_rules WHERE account_id = "
        "(SELECT account_id FROM business_cases WHERE widget_key = ?)",
        (key,),
    ).fetchall()
    if not rows:
        sys.exit(f"no rules for the widget key {key!r} in {db}")
    rules = [parse(r[0]) for r in rows]
    with open(f"{out}/geo.conf", "w") as f:
        f.writelines(f"{r[0]} 1;\n" for r in rows)
    nets = set(rules)
    rng = random.Random(17)

    def miss():
        while True:
            value = rng.choice(US_BLOCKS) << 24 | rng.getrandbits(24)
            if not covered(nets, value):
                return text_of(32, value)

    def hit():
        bits, net, length = rules[rng.randrange(len(rules))]
        host = rng.getrandbits(bits - length) if length < bits else 0
        return text_of(bits, net | host)

    with open(f"{out}/misses.txt", "w") as f:
        f.writelines(miss() + "\n" for _ in range(count))
    with open(f"{out}/mix.txt", "w") as f:
        f.writelines((hit() if i % 2 == 0 else miss()) + "\n" for i in range(count))
    print(f"{len(rows)} rules; {count} addresses per request set")


if __name__ == "__main__":
    main()
