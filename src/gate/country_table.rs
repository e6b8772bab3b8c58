//! Which country an IP address is in, answered from memory.
//!
//! The visitor gate asks on every widget request, so the MaxMind database
//! (MMDB) is walked once when loaded and flattened into two sorted tables of
//! non-overlapping address ranges (IPv4, IPv6) with an ISO 3166-1 country
//! each; neighbours of the same country are merged. A lookup is one binary
//! search over integers.
//!
//! Records name their country either in a top-level `country_code`
//! (ip-location-db, the database shipped in `data/geoip`) or in
//! `country.iso_code` (GeoLite2-Country, DB-IP lite). Records with neither,
//! and codes outside ISO 3166-1 ("EU", "AP", "ZZ"), give no country; a
//! database in which no record names one (an ASN database configured by
//! mistake) is refused.
//!
//! In an IPv6 database IPv4 lives under `::/96`; it is read from there once
//! (the `::ffff:0:0/96` and `2002::/16` aliases of that subtree are skipped)
//! into the IPv4 table, where IPv4-mapped addresses (`::ffff:a.b.c.d`) are
//! looked up too. 6to4 and Teredo addresses are not translated.

use std::{
    collections::{hash_map::Entry, HashMap},
    net::IpAddr,
    path::{Path, PathBuf},
    sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError},
};

use maxminddb::{MaxMindDbError, Reader, WithinOptions};
use serde::Deserialize;

use crate::domain::country::CountryCode;

/// The database shipped in the repository: ip-location-db's
/// geo-whois-asn-country (CC BY 4.0, data by NRO; see `data/geoip/README.md`).
static SHIPPED_DB: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/geoip/geo-whois-asn-country.mmdb"
));

/// Why a country database could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// The file could not be read.
    #[error("cannot read the country database {path}: {1}", path = .0.display())]
    Open(PathBuf, #[source] std::io::Error),
    /// The bytes are not a MaxMind DB, are corrupt, or name no country.
    #[error("not a usable MaxMind country database: {0}")]
    Format(String),
}

impl From<MaxMindDbError> for GeoError {
    fn from(e: MaxMindDbError) -> Self {
        GeoError::Format(e.to_string())
    }
}

/// The in-memory country table: every network of the database that names a
/// country, as sorted address ranges.
#[derive(Debug, Default)]
pub struct CountryTable {
    v4: Ranges<u32>,
    v6: Ranges<u128>,
}

impl CountryTable {
    /// A table that knows no address: every lookup gives `None`.
    pub fn empty() -> CountryTable {
        CountryTable::default()
    }

    /// Builds the table from the bytes of a MaxMind-format country database.
    /// The bytes are not kept.
    pub fn from_bytes(bytes: &[u8]) -> Result<CountryTable, GeoError> {
        let reader = Reader::from_source(bytes)?;
        build(&reader)
    }

    /// Reads and builds the table from a database file.
    pub fn open(path: &Path) -> Result<CountryTable, GeoError> {
        let bytes = std::fs::read(path).map_err(|e| GeoError::Open(path.to_path_buf(), e))?;
        CountryTable::from_bytes(&bytes).map_err(|e| match e {
            GeoError::Format(m) => GeoError::Format(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// The database shipped in the repository (embedded in the binary), built
    /// once per process on first use and shared afterwards.
    pub fn shipped() -> Result<Arc<CountryTable>, GeoError> {
        static SHIPPED: OnceLock<Result<Arc<CountryTable>, String>> = OnceLock::new();
        let built = SHIPPED.get_or_init(|| {
            let table = CountryTable::from_bytes(SHIPPED_DB);
            table.map(Arc::new).map_err(|e| e.to_string())
        });
        built
            .clone()
            .map_err(|m| GeoError::Format(format!("shipped database: {m}")))
    }

    /// Like [`CountryTable::open`], but each file is built only once per
    /// process (keyed by its canonical path) and then shared, so that tests
    /// starting many servers in one process do not rebuild it each time.
    /// Failures are not cached. A file changed on disk is not re-read.
    pub fn cached(path: &Path) -> Result<Arc<CountryTable>, GeoError> {
        static CACHE: LazyLock<Mutex<HashMap<PathBuf, Arc<CountryTable>>>> =
            LazyLock::new(Mutex::default);
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        // Held while building, so that concurrent callers build a file once.
        let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(table) = cache.get(&key) {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(CountryTable::open(path)?);
        cache.insert(key, Arc::clone(&table));
        Ok(table)
    }

    /// The country of an address, if the database names an ISO 3166-1
    /// country for it. Addresses that are never on the public internet
    /// (private, loopback, link-local, multicast, …) give `None`
    /// whatever the database says.
    pub fn lookup(&self, ip: IpAddr) -> Option<CountryCode> {
        let ip = ip.to_canonical(); // ::ffff:a.b.c.d -> a.b.c.d
        if never_located(ip) {
            return None;
        }
        match ip {
            IpAddr::V4(v4) => self.v4.find(u32::from(v4)),
            IpAddr::V6(v6) => self.v6.find(u128::from(v6)),
        }
    }

    /// How many ranges the table holds (IPv4 plus IPv6), for logs.
    pub fn ranges(&self) -> usize {
        self.v4.len() + self.v6.len()
    }
}

/// The fields of a record that can name its country, the rest is skipped:
/// `{"country_code": "DE"}` (ip-location-db) or `{"country": {"iso_code":
/// "DE", ...}, ...}` (GeoLite2, DB-IP).
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    country_code: Option<&'a str>,
    #[serde(borrow, default)]
    country: Option<IsoCode<'a>>,
}

/// The `country` map of a GeoLite2-style record.
#[derive(Deserialize)]
struct IsoCode<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
}

impl Record<'_> {
    fn code(&self) -> Option<CountryCode> {
        let iso = self.country.as_ref().and_then(|c| c.iso_code);
        iso.and_then(CountryCode::parse)
            .or_else(|| self.country_code.and_then(CountryCode::parse))
    }
}

/// Private, loopback, link-local, shared (100.64/10), multicast and reserved
/// addresses: no visitor has them on the internet, but some databases give
/// them a country (the shipped one: 172.16/12 and 192.168/16 in AU), which
/// behind a misconfigured proxy would put every visitor there. Documentation
/// ranges are not excluded: the test databases use them.
fn never_located(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => matches!(
            a.octets(),
            [0 | 10 | 127 | 224..=255, ..]
                | [100, 64..=127, ..]
                | [169, 254, ..]
                | [172, 16..=31, ..]
                | [192, 168, ..]
        ),
        IpAddr::V6(a) => {
            a.is_unspecified()
                || a.is_loopback()
                || matches!(a.segments()[0], 0xfc00..=0xfdff | 0xfe80..=0xfebf | 0xff00..=0xffff)
        }
    }
}

/// Walks the whole search tree once and flattens it into range tables.
fn build<S: AsRef<[u8]>>(reader: &Reader<S>) -> Result<CountryTable, GeoError> {
    // A tree of N nodes has N + 1 leaves. Allow 3N, as maxminddb's verify()
    // does: a corrupt tree whose nodes point back into it must not hang us.
    let node_count = usize::try_from(reader.metadata().node_count).unwrap_or(usize::MAX);
    let max_leaves = node_count.saturating_mul(3).saturating_add(2);

    // Country databases hold a few hundred distinct records pointed to by
    // up to millions of networks: decode each record once.
    let mut decoded: HashMap<usize, Option<CountryCode>> = HashMap::new();
    let mut v4: Vec<(u32, u32, CountryCode)> = Vec::new();
    let mut v6: Vec<(u128, u128, CountryCode)> = Vec::new();
    let options = WithinOptions::default().include_networks_without_data();
    for (leaves, item) in reader.networks(options)?.enumerate() {
        if leaves >= max_leaves {
            return Err(GeoError::Format(format!(
                "the search tree has more than {max_leaves} leaves for {node_count} nodes"
            )));
        }
        let item = item?;
        let Some(offset) = item.offset() else {
            continue;
        };
        let code = match decoded.entry(offset) {
            Entry::Occupied(known) => *known.get(),
            Entry::Vacant(new) => *new.insert(item.decode::<Record>()?.and_then(|r| r.code())),
        };
        let Some(code) = code else {
            continue;
        };
        let net = item.network()?;
        match net.network() {
            IpAddr::V4(start) => {
                let start = u32::from(start);
                push_merged(&mut v4, (start, start.last_of(net.prefix()), code));
            }
            IpAddr::V6(start) => {
                let start = u128::from(start);
                let end = start.last_of(net.prefix());
                if start >> 32 == 0xffff && end >> 32 == 0xffff {
                    // Data under ::ffff:0:0/96 that is not an alias: the
                    // IPv4-mapped addresses it holds are looked up as IPv4.
                    push_merged(&mut v4, (start as u32, end as u32, code)); // low 32 bits
                    continue;
                }
                if start <= u128::from(u32::MAX) {
                    // A record above the IPv4 subtree covering ::/96:
                    // maxminddb gives it for every IPv4 address.
                    let v4_end = end.min(u128::from(u32::MAX)) as u32;
                    push_merged(&mut v4, (start as u32, v4_end, code));
                }
                push_merged(&mut v6, (start, end, code));
            }
        }
    }
    if v4.is_empty() && v6.is_empty() {
        let why = "no record has an ISO 3166-1 `country_code` or `country.iso_code`";
        return Err(GeoError::Format(why.to_owned()));
    }
    Ok(CountryTable {
        v4: Ranges::from_unsorted(v4),
        v6: Ranges::from_unsorted(v6),
    })
}

/// Appends a range, or extends the last one if they touch and agree: the
/// walk yields networks in address order, so this keeps the build's
/// temporary memory close to the final table's.
fn push_merged<T: Addr>(v: &mut Vec<(T, T, CountryCode)>, (start, end, code): (T, T, CountryCode)) {
    match v.last_mut() {
        Some(last) if last.2 == code && last.1.succ() == Some(start) => last.1 = end,
        _ => v.push((start, end, code)),
    }
}

/// An address as an unsigned integer (`u32` for IPv4, `u128` for IPv6).
trait Addr: Copy + Ord {
    /// The last address of the network of `prefix` bits starting at `self`.
    fn last_of(self, prefix: u8) -> Self;
    /// The next address, or `None` after the last one.
    fn succ(self) -> Option<Self>;
}

macro_rules! impl_addr {
    ($($t:ty),*) => {$(
        impl Addr for $t {
            fn last_of(self, prefix: u8) -> Self {
                self | <$t>::MAX.checked_shr(u32::from(prefix)).unwrap_or(0)
            }
            fn succ(self) -> Option<Self> {
                self.checked_add(1)
            }
        }
    )*};
}
impl_addr!(u32, u128);

/// Sorted, non-overlapping, inclusive address ranges with a country each.
///
/// Three parallel vectors rather than one of tuples: an IPv6 range takes 34
/// bytes instead of 48 (`(u128, u128, [u8; 2])` is padded to 16-byte
/// alignment), and the binary search reads only `starts`.
#[derive(Debug, Default)]
struct Ranges<T> {
    starts: Vec<T>,
    ends: Vec<T>,
    codes: Vec<CountryCode>,
}

impl<T: Addr + Default> Ranges<T> {
    /// Sorts the ranges and merges neighbours of the same country. Overlaps
    /// (impossible in a well-formed tree) are clipped so that the table stays
    /// searchable whatever the input.
    fn from_unsorted(mut raw: Vec<(T, T, CountryCode)>) -> Self {
        raw.sort_unstable_by_key(|&(start, end, _)| (start, end));
        let mut out = Ranges::default();
        for (start, end, code) in raw {
            let start = match out.ends.last().copied() {
                Some(prev_end) if start <= prev_end => match prev_end.succ() {
                    Some(next) if next <= end => next,
                    _ => continue,
                },
                _ => start,
            };
            let touches = out.ends.last().and_then(|e| e.succ()) == Some(start);
            if touches && out.codes.last() == Some(&code) {
                if let Some(last) = out.ends.last_mut() {
                    *last = end;
                }
                continue;
            }
            out.starts.push(start);
            out.ends.push(end);
            out.codes.push(code);
        }
        out.starts.shrink_to_fit();
        out.ends.shrink_to_fit();
        out.codes.shrink_to_fit();
        out
    }

    /// The country of the range holding `ip`.
    fn find(&self, ip: T) -> Option<CountryCode> {
        let i = self.starts.partition_point(|&s| s <= ip).checked_sub(1)?;
        if ip <= *self.ends.get(i)? {
            self.codes.get(i).copied()
        } else {
            None
        }
    }

    fn len(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
#[path = "country_table_tests.rs"]
mod tests;
