#!/usr/bin/env python3
"""Writes the small MaxMind DB (MMDB) files that chatgate's tests load.

Regenerate (standard library only, Python 3.8+; the output is byte-for-byte
reproducible, so a rerun without changes leaves git clean):

    python3 tests/data/make_test_mmdb.py

The files are written next to this script:

``country-code.mmdb``
    IPv6 tree with IPv4 stored under ``::/96`` and no aliases, records
    ``{"country_code": "DE"}`` -- the schema of ip-location-db (the database
    shipped in ``data/geoip``).
``iso-code.mmdb``
    IPv6 tree with IPv4 under ``::/96`` plus the aliases a MaxMind-built file
    has (``::ffff:0:0/96`` and ``2002::/16`` point at the IPv4 subtree), records
    shaped like GeoLite2-Country: ``{"country": {"iso_code": "DE", ...}, ...}``.

Both hold exactly these networks, everything else is unknown::

    203.0.113.0/24  -> DE      2001:db8:de::/48 -> DE
    198.51.100.0/24 -> FR      2001:db8:f0::/48 -> FR
    192.0.2.0/24    -> US

``ipv4-only.mmdb``
    ``ip_version`` 4 tree covering the edge cases of the loader: 203.0.113.0/24
    split into two /25 records that must merge into one DE range (top-level
    ``country_code``), 198.51.100.0/24 -> FR (``country.iso_code``),
    192.0.2.0/24 -> US, and three networks that must give no country:
    192.0.0.0/29  -> "EU" (not ISO 3166-1), 192.0.0.8/29  -> ``{}``,
    192.0.0.16/29 -> ``{"registered_country": {"iso_code": "DE"}}``.

The writer follows the MaxMind DB format 2.0 spec
(https://maxmind.github.io/MaxMind-DB/): 24-bit records, a data section of
maps and strings, and the metadata map after the ``\\xab\\xcd\\xefMaxMind.com``
marker.
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUILD_EPOCH = 1_767_225_600  # fixed (2026-01-01) so that the output is reproducible
RECORD_SIZE = 24

NAMES = {"DE": "Germany", "FR": "France", "US": "United States"}
GEONAME_IDS = {"DE": 2921044, "FR": 3017382, "US": 6252001}
CONTINENTS = {"DE": "EU", "FR": "EU", "US": "NA"}

NETWORKS = [
    ("203.0.113.0/24", "DE"),
    ("198.51.100.0/24", "FR"),
    ("2001:db8:de::/48", "DE"),
    ("2001:db8:f0::/48", "FR"),
    ("192.0.2.0/24", "US"),
]


# --- data section encoding -------------------------------------------------


def _control(type_num: int, size: int) -> bytes:
    """Control byte(s) for a value of `type_num` with payload `size`."""
    if size < 29:
        first, ext = size, b""
    elif size < 29 + 256:
        first, ext = 29, bytes([size - 29])
    elif size < 285 + 65536:
        first, ext = 30, struct.pack(">H", size - 285)
    else:
        first, ext = 31, struct.pack(">I", size - 65821)[1:]
    if type_num <= 7:
        return bytes([(type_num << 5) | first]) + ext
    return bytes([first, type_num - 7]) + ext


def _uint(type_num: int, value: int, width: int) -> bytes:
    payload = value.to_bytes(width, "big").lstrip(b"\x00")
    return _control(type_num, len(payload)) + payload


class Uint:
    """An unsigned integer of an exact MMDB type (the metadata needs these)."""

    TYPES = {16: (5, 2), 32: (6, 4), 64: (9, 8)}

    def __init__(self, bits: int, value: int) -> None:
        self.type_num, self.width = self.TYPES[bits]
        self.value = value


def encode(value) -> bytes:
    """Encodes a Python value (str, int, Uint, list, dict) in the MMDB data
    format; a plain int gets the smallest unsigned type that holds it."""
    if isinstance(value, Uint):
        return _uint(value.type_num, value.value, value.width)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _control(2, len(raw)) + raw
    if isinstance(value, bool):
        raise TypeError("booleans are not needed here")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("only unsigned integers are supported")
        if value < 1 << 16:
            return _uint(5, value, 2)
        if value < 1 << 32:
            return _uint(6, value, 4)
        return _uint(9, value, 8)
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        out = _control(7, len(value))
        for key, item in value.items():
            out += encode(str(key)) + encode(item)
        return out
    raise TypeError(f"cannot encode {value!r}")


# --- search tree -----------------------------------------------------------


class Node:
    """An internal node; children are Node, int (data offset) or None."""

    __slots__ = ("children",)

    def __init__(self) -> None:
        self.children: list = [None, None]


def _bits(network: str, ip_version: int) -> list[int]:
    net = ipaddress.ip_network(network)
    if net.version == 4 and ip_version == 6:
        value, length = int(net.network_address), 96 + net.prefixlen
    else:
        value, length = int(net.network_address), net.prefixlen
    width = 128 if ip_version == 6 else 32
    return [(value >> (width - 1 - i)) & 1 for i in range(length)]


def _insert(root: Node, bits: list[int], leaf) -> None:
    node = root
    for bit in bits[:-1]:
        child = node.children[bit]
        if child is None:
            child = Node()
            node.children[bit] = child
        elif not isinstance(child, Node):
            raise ValueError("networks overlap")
        node = child
    if node.children[bits[-1]] is not None:
        raise ValueError("networks overlap")
    node.children[bits[-1]] = leaf


def _walk(root: Node, bits: list[int]) -> Node:
    node = root
    for bit in bits:
        node = node.children[bit]
    return node


def _alias(root: Node, network: str, target: Node) -> None:
    """Points `network` (an IPv6 prefix) at the IPv4 subtree, as MaxMind does."""
    bits = _bits(network, 6)
    node = root
    for bit in bits[:-1]:
        if node.children[bit] is None:
            node.children[bit] = Node()
        node = node.children[bit]
    node.children[bits[-1]] = target


def build(records: list[tuple[str, dict]], ip_version: int, aliases: bool,
          database_type: str) -> bytes:
    """Returns a whole MMDB file mapping each network to its record."""
    data = b""
    offsets: dict[bytes, int] = {}
    root = Node()
    for network, record in records:
        blob = encode(record)
        if blob not in offsets:
            offsets[blob] = len(data)
            data += blob
        _insert(root, _bits(network, ip_version), ("data", offsets[blob]))
    if aliases:
        ipv4_root = _walk(root, [0] * 96)
        _alias(root, "::ffff:0:0/96", ipv4_root)
        _alias(root, "2002::/16", ipv4_root)

    # Number the nodes breadth first; a shared (aliased) node gets one number.
    order: list[Node] = []
    numbers: dict[int, int] = {}
    queue = [root]
    while queue:
        node = queue.pop(0)
        if id(node) in numbers:
            continue
        numbers[id(node)] = len(order)
        order.append(node)
        queue.extend(c for c in node.children if isinstance(c, Node))
    node_count = len(order)

    def record_value(child) -> int:
        if child is None:
            return node_count
        if isinstance(child, Node):
            return numbers[id(child)]
        return node_count + 16 + child[1]

    tree = b"".join(
        record_value(n.children[0]).to_bytes(3, "big")
        + record_value(n.children[1]).to_bytes(3, "big")
        for n in order
    )
    metadata = encode({
        "binary_format_major_version": Uint(16, 2),
        "binary_format_minor_version": Uint(16, 0),
        "build_epoch": Uint(64, BUILD_EPOCH),
        "database_type": database_type,
        "description": {"en": "chatgate test data (documentation address ranges)"},
        "ip_version": Uint(16, ip_version),
        "languages": ["en"],
        "node_count": Uint(32, node_count),
        "record_size": Uint(16, RECORD_SIZE),
    })
    return tree + b"\x00" * 16 + data + b"\xab\xcd\xefMaxMind.com" + metadata


def geolite_record(code: str) -> dict:
    """A record shaped like GeoLite2-Country's."""
    country = {
        "geoname_id": GEONAME_IDS[code],
        "iso_code": code,
        "names": {"en": NAMES[code]},
    }
    continent = CONTINENTS[code]
    return {
        "continent": {"code": continent, "geoname_id": 6255148, "names": {"en": continent}},
        "country": country,
        "registered_country": country,
    }


def main() -> None:
    outputs = {
        "country-code.mmdb": build(
            [(net, {"country_code": code}) for net, code in NETWORKS],
            ip_version=6, aliases=False, database_type="chatgate-test-country-code"),
        "iso-code.mmdb": build(
            [(net, geolite_record(code)) for net, code in NETWORKS],
            ip_version=6, aliases=True, database_type="chatgate-test-iso-code"),
        "ipv4-only.mmdb": build(
            [
                ("203.0.113.0/25", {"country_code": "DE"}),
                ("203.0.113.128/25", {"country_code": "DE", "note": "other half"}),
                ("198.51.100.0/24", geolite_record("FR")),
                ("192.0.2.0/24", {"country_code": "US"}),
                ("192.0.0.0/29", {"country_code": "EU"}),
                ("192.0.0.8/29", {}),
                ("192.0.0.16/29", {"registered_country": {"iso_code": "DE"}}),
            ],
            ip_version=4, aliases=False, database_type="chatgate-test-ipv4-only"),
    }
    for name, blob in outputs.items():
        (HERE / name).write_bytes(blob)
        print(f"wrote {HERE / name} ({len(blob)} bytes)")


if __name__ == "__main__":
    main()
