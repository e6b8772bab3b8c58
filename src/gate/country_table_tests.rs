//! Tests of `country_table.rs`.
use super::*;
use proptest::prelude::*;

/// A database written by `tests/data/make_test_mmdb.py`.
macro_rules! test_db {
    ($name:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/", $name))
    };
}
const COUNTRY_CODE_DB: &[u8] = test_db!("country-code.mmdb");
const ISO_CODE_DB: &[u8] = test_db!("iso-code.mmdb");
const IPV4_ONLY_DB: &[u8] = test_db!("ipv4-only.mmdb");

/// `address=country` (empty: none) for both five-network test databases:
/// first and last address of each network, the neighbours just outside,
/// IPv4-mapped forms, and addresses no test database knows.
const CASES: &str = "
    203.0.113.0=DE 203.0.113.77=DE 203.0.113.255=DE 203.0.112.255= 203.0.114.0=
    198.51.100.0=FR 198.51.100.255=FR 198.51.99.255= 198.51.101.0=
    192.0.2.0=US 192.0.2.255=US 192.0.1.255= 192.0.3.0=
    ::ffff:203.0.113.0=DE ::ffff:198.51.100.255=FR ::ffff:192.0.2.9=US ::ffff:192.0.3.0=
    2001:db8:de::=DE 2001:db8:de:ffff:ffff:ffff:ffff:ffff=DE
    2001:db8:dd:ffff:ffff:ffff:ffff:ffff= 2001:db8:df::=
    2001:db8:f0::=FR 2001:db8:f0:1234::5=FR 2001:db8:f0:ffff:ffff:ffff:ffff:ffff=FR
    2001:db8:ef:ffff:ffff:ffff:ffff:ffff= 2001:db8:f1::=
    8.8.8.8= 10.0.0.1= 127.0.0.1= 0.0.0.0= 255.255.255.255= ::= ::1= ::cb00:7100=
    2002:cb00:7100::1= ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff=";

fn check(table: &CountryTable, cases: &str) {
    for case in cases.split_whitespace() {
        let (ip, want) = case.rsplit_once('=').unwrap();
        let ip: IpAddr = ip.parse().unwrap();
        assert_eq!(table.lookup(ip), CountryCode::parse(want), "{ip}");
    }
}

/// The first and last address of a network and their outside neighbours.
fn edges(first: IpAddr, prefix: u8) -> [IpAddr; 4] {
    match first {
        IpAddr::V4(a) => {
            let (f, l) = (u32::from(a), u32::from(a).last_of(prefix));
            [f.saturating_sub(1), f, l, l.saturating_add(1)].map(|x| x.to_be_bytes().into())
        }
        IpAddr::V6(a) => {
            let (f, l) = (u128::from(a), u128::from(a).last_of(prefix));
            [f.saturating_sub(1), f, l, l.saturating_add(1)].map(|x| x.to_be_bytes().into())
        }
    }
}

fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn reads_all_test_databases() {
    for db in [COUNTRY_CODE_DB, ISO_CODE_DB, IPV4_ONLY_DB] {
        Reader::from_source(db).unwrap().verify().unwrap();
    }
    for db in [COUNTRY_CODE_DB, ISO_CODE_DB] {
        let table = CountryTable::from_bytes(db).unwrap();
        check(&table, CASES);
        assert_eq!(table.ranges(), 5, "aliases are not counted twice");
    }
    // The two DE /25s merge. 192.0.0.1 is "EU", 192.0.0.9 an empty
    // record, 192.0.0.17 has only registered_country: no country.
    let table = CountryTable::from_bytes(IPV4_ONLY_DB).unwrap();
    assert_eq!(table.ranges(), 3);
    check(
        &table,
        "203.0.113.0=DE 203.0.113.127=DE 203.0.113.128=DE 203.0.113.255=DE
        198.51.100.1=FR ::ffff:192.0.2.1=US 192.0.0.1= 192.0.0.9= 192.0.0.17= ::1=",
    );
    let empty = CountryTable::empty();
    check(&empty, "203.0.113.1= ::ffff:203.0.113.1= 2001:db8:de::1=");
    assert_eq!(empty.ranges(), 0);
}

#[test]
fn ranges_merge_clip_and_search_at_the_edges() {
    let (de, fr) = (CountryCode::parse("DE"), CountryCode::parse("FR"));
    let (d, f, max) = (de.unwrap(), fr.unwrap(), u32::MAX);
    // Unsorted; (25, 35) overlaps (20, 29) and is clipped to 30..=35.
    let mut raw = vec![(20, 29, f), (0, 9, d), (10, 19, d)];
    raw.extend([(25, 35, d), (40, 45, f), (max - 1, max, f)]);
    let r = Ranges::from_unsorted(raw);
    assert_eq!(r.starts, [0, 20, 30, 40, max - 1]);
    assert_eq!(r.ends, [19, 29, 35, 45, max]);
    let found = [0, 19, 20, 36, 39, max].map(|ip| r.find(ip));
    assert_eq!(found, [de, de, fr, None, None, fr]);
    assert_eq!((0u32.last_of(0), 7u32.last_of(32)), (max, 7));
    assert_eq!((0u128.last_of(0), 5u128.last_of(128)), (u128::MAX, 5));
}

#[test]
fn damage_gives_errors_not_panics() {
    // A valid database in which no record names a country.
    let mut no_country = COUNTRY_CODE_DB.to_vec();
    while let Some(at) = no_country.windows(12).position(|w| w == b"country_code") {
        no_country[at..at + 12].copy_from_slice(b"country_kode");
    }
    assert!(CountryTable::from_bytes(&no_country).is_err());
    // Every truncation and many bit flips: Ok or Err, never a panic.
    for db in [COUNTRY_CODE_DB, ISO_CODE_DB, IPV4_ONLY_DB] {
        for len in 0..db.len() {
            assert!(CountryTable::from_bytes(&db[..len]).is_err());
        }
        for i in 0..db.len() {
            for flip in [0x01, 0x10, 0x80, 0xff] {
                let mut bytes = db.to_vec();
                bytes[i] ^= flip;
                if let Ok(table) = CountryTable::from_bytes(&bytes) {
                    table.lookup(IpAddr::from([203, 0, 113, 1]));
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn garbage_is_an_error(tree: Vec<u8>, meta: Vec<u8>, marker: bool) {
        let marker = if marker { &b"\xab\xcd\xefMaxMind.com"[..] } else { b"" };
        let bytes = [&tree[..], marker, &meta[..]].concat();
        prop_assert!(CountryTable::from_bytes(&bytes).is_err());
    }
}

#[test]
fn open_and_cached_read_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("iso.mmdb");
    std::fs::write(&path, ISO_CODE_DB).unwrap();
    check(&CountryTable::open(&path).unwrap(), CASES);
    let first = CountryTable::cached(&path).unwrap();
    let again = CountryTable::cached(&dir.path().join(".").join("iso.mmdb")).unwrap();
    assert!(Arc::ptr_eq(&first, &again), "built once per file");
    check(&again, CASES);

    let missing = dir.path().join("missing.mmdb");
    let err = CountryTable::cached(&missing).unwrap_err();
    assert!(
        matches!(&err, GeoError::Open(p, _) if *p == missing),
        "{err}"
    );
    let junk = dir.path().join("junk.mmdb");
    std::fs::write(&junk, b"junk").unwrap();
    let err = CountryTable::open(&junk).unwrap_err().to_string();
    assert!(
        err.contains("junk.mmdb") && err.contains("not a usable"),
        "{err}"
    );
}

#[test]
fn shipped_database_is_built_once_and_agrees_with_maxminddb() {
    let table = CountryTable::shipped().unwrap();
    assert!(Arc::ptr_eq(&table, &CountryTable::shipped().unwrap()));
    assert!(table.ranges() > 100_000, "{}", table.ranges());
    // The database itself puts 192.168.0.0/16 in AU.
    check(
        &table,
        "8.8.8.8=US ::ffff:8.8.8.8=US 2a00:1450:4001::1=IE 10.0.0.1=
        127.0.0.1= 192.168.1.1= 172.16.0.1= 100.64.0.1= ::1= fe80::1= fd00::1=",
    );

    // Random addresses, and the first and last address of the network
    // each falls in and their outside neighbours, answer as maxminddb.
    let reader = Reader::from_source(SHIPPED_DB).unwrap();
    let same = |ip: IpAddr| {
        let found = reader.lookup(ip).unwrap();
        let want = found.decode::<Record>().unwrap().and_then(|r| r.code());
        let want = want.filter(|_| !never_located(ip));
        assert_eq!(table.lookup(ip), want, "{ip}");
        found.network().unwrap()
    };
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..20_000 {
        let bits = u128::from(xorshift(&mut seed)) << 64 | u128::from(xorshift(&mut seed));
        let v6 = (bits >> 4) | (0x2 << 124); // in 2000::/4, where allocations are
        let (v4, v6) = ((bits as u32).to_be_bytes().into(), v6.to_be_bytes().into());
        for ip in [v4, v6] {
            let net = same(ip);
            for edge in edges(net.network(), net.prefix()) {
                same(edge);
            }
        }
    }
}

/// A minimal MMDB writer (24-bit records, `{"country_code": ...}` records)
/// for tree shapes the generator script does not make. `nets` are (first
/// address, prefix length, code) in the tree's bit width; they must not
/// overlap.
fn write_mmdb(ip_version: u16, nets: &[(u128, u8, &str)]) -> Vec<u8> {
    #[derive(Clone, Copy)]
    enum Rec {
        Empty,
        Node(usize),
        Data(usize),
    }
    let width = if ip_version == 6 { 128 } else { 32 };
    let (mut nodes, mut data) = (vec![[Rec::Empty; 2]], Vec::new());
    for &(first, len, code) in nets {
        let mut node = 0;
        for depth in 0..len {
            let bit = (first >> (width - 1 - u32::from(depth)) & 1) as usize;
            if depth + 1 == len {
                nodes[node][bit] = Rec::Data(data.len());
            } else if let Rec::Node(next) = nodes[node][bit] {
                node = next;
            } else {
                nodes.push([Rec::Empty; 2]);
                nodes[node][bit] = Rec::Node(nodes.len() - 1);
                node = nodes.len() - 1;
            }
        }
        data.extend([&b"\xe1\x4ccountry_code\x42"[..], code.as_bytes()].concat());
    }
    let n = nodes.len();
    let value = |r: Rec| match r {
        Rec::Empty => n,
        Rec::Node(i) => i,
        Rec::Data(offset) => n + 16 + offset,
    };
    let mut out: Vec<u8> = (nodes.iter().flatten())
        .flat_map(|&r| (value(r) as u32).to_be_bytes()[1..].to_vec())
        .collect();
    out.extend(
        [0; 16]
            .iter()
            .chain(&data)
            .chain(b"\xab\xcd\xefMaxMind.com"),
    );
    let s = |t: &str| [&[0x40 | t.len() as u8][..], t.as_bytes()].concat();
    out.push(0xe9); // a map of 9 entries
    for (key, value) in [
        ("binary_format_major_version", vec![0xa1, 2]),
        ("binary_format_minor_version", vec![0xa0]),
        ("build_epoch", vec![0x01, 0x02, 0x01]),
        ("database_type", s("test")),
        ("description", [vec![0xe1], s("en"), s("test")].concat()),
        ("ip_version", vec![0xa1, ip_version as u8]),
        ("languages", vec![0x00, 0x04]),
        (
            "node_count",
            [&[0xc4][..], &(n as u32).to_be_bytes()].concat(),
        ),
        ("record_size", vec![0xa1, 24]),
    ] {
        out.extend(s(key).into_iter().chain(value));
    }
    out
}

#[test]
fn the_test_writer_writes_valid_databases() {
    let db = write_mmdb(4, &[(0xcb00_7100, 24, "DE"), (0xc633_6400, 24, "FR")]);
    Reader::from_source(&db[..]).unwrap().verify().unwrap();
    let table = CountryTable::from_bytes(&db).unwrap();
    check(&table, "203.0.113.0=DE 198.51.100.255=FR 192.0.2.1=");
}

#[test]
fn reads_data_above_the_ipv4_subtree_and_under_ipv4_mapped() {
    // ::/1 -> DE: no IPv4 subtree, so every IPv4 address is in ::/1.
    let table = CountryTable::from_bytes(&write_mmdb(6, &[(0, 1, "DE")])).unwrap();
    check(
        &table,
        "8.8.8.8=DE ::ffff:8.8.8.8=DE 2001:db8::1=DE 8000::1= 10.0.0.1=",
    );
    assert_eq!(table.ranges(), 2);
    // IPv4 stored as ::ffff:198.51.100.0/120 instead of under ::/96.
    let db = write_mmdb(6, &[(0xffff_c633_6400, 120, "FR")]);
    let table = CountryTable::from_bytes(&db).unwrap();
    check(
        &table,
        "198.51.100.7=FR ::ffff:198.51.100.7=FR 198.51.101.0= ::c633:6407=",
    );
    assert_eq!(table.ranges(), 1);
}

proptest! {
    /// Random IPv4 (under ::/96) and IPv6 networks with random countries:
    /// the table answers like a linear search, at every network's edges.
    #[test]
    fn random_databases_match_a_linear_search(
        raw in proptest::collection::vec(
            (any::<u128>(), 1u8..=64, 0usize..4, any::<bool>()),
            0..40,
        )
    ) {
        let mut nets: Vec<(u128, u8, &str)> = Vec::new();
        for (bits, len, code, is_v4) in raw {
            let (first, len) = if is_v4 {
                (u128::from(bits as u32), 96 + len.min(32))
            } else {
                ((bits >> 3) | (1 << 125), len + 2) // in 2000::/3
            };
            let first = first & !0u128.last_of(len);
            if nets.iter().all(|&(f, l, _)| first > f.last_of(l) || f > first.last_of(len)) {
                nets.push((first, len, ["DE", "FR", "US", "EU"][code]));
            }
        }
        let table = CountryTable::from_bytes(&write_mmdb(6, &nets));
        let Ok(table) = table else {
            prop_assert!(nets.iter().all(|n| n.2 == "EU"));
            return Ok(());
        };
        for &(first, len, _) in &nets {
            for x in [first.saturating_sub(1), first, first.last_of(len), first.last_of(len) + 1] {
                let want = nets.iter().find(|&&(f, l, _)| f <= x && x <= f.last_of(l));
                let ip = match u32::try_from(x) {
                    Ok(v4) => IpAddr::from(v4.to_be_bytes()),
                    Err(_) => IpAddr::from(x.to_be_bytes()),
                };
                let want = want.and_then(|n| CountryCode::parse(n.2)).filter(|_| !never_located(ip));
                prop_assert_eq!(table.lookup(ip), want, "{}", ip);
            }
        }
    }
}
