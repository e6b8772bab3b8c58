//! The page addresses the widget's loader reports, parsed once per address.
//!
//! Every bootstrap carries the page it is on (`?url=…`), and a site sends
//! the same few addresses again and again. Parsing one (percent-decoding,
//! the URL parser, punycode, path normalisation) costs more than the whole
//! gate decision, so parsed pages are kept in a small bounded cache keyed by
//! the raw, still-encoded query value: a repeat costs one hash look-up.
//! Addresses that do not parse are cached too, as `None`, so garbage cannot
//! make every request parse again; long addresses are parsed but not kept.

use std::{borrow::Cow, sync::Arc};

use quick_cache::{sync::Cache, Weighter};

use crate::domain::website::PageUrl;

/// The most a reported address may be, encoded (longer is no page at all).
const MAX_ENCODED: usize = 6000;
/// The most a reported address may be, decoded.
const MAX_DECODED: usize = 2000;
/// Addresses longer than this, encoded, are parsed on each request.
const MAX_CACHED: usize = 512;
/// The cache's size, in bytes of keys and parsed values (roughly).
const CAPACITY_BYTES: u64 = 4 << 20;

#[derive(Clone)]
struct Bytes;

impl Weighter<Box<str>, Option<Arc<PageUrl>>> for Bytes {
    fn weight(&self, key: &Box<str>, page: &Option<Arc<PageUrl>>) -> u64 {
        let value = page.as_ref().map_or(0, |p| {
            p.host().len() + p.path().len() + p.origin_str().len() + 96
        });
        (key.len() + value + 64) as u64
    }
}

pub struct PageCache {
    parsed: Cache<Box<str>, Option<Arc<PageUrl>>, Bytes>,
}

impl Default for PageCache {
    fn default() -> Self {
        PageCache {
            parsed: Cache::with_weighter(16 * 1024, CAPACITY_BYTES, Bytes),
        }
    }
}

impl PageCache {
    /// The `url` parameter of a query string, if it is an http(s) page
    /// address (the first `url` parameter, as a form decoder would read it).
    pub fn reported(&self, query: &str) -> Option<Arc<PageUrl>> {
        let raw = raw_param(query, "url")?;
        if raw.len() > MAX_ENCODED {
            return None;
        }
        if raw.len() > MAX_CACHED {
            return parse(raw);
        }
        if let Some(page) = self.parsed.get(raw) {
            return page;
        }
        let page = parse(raw);
        self.parsed.insert(raw.into(), page.clone());
        page
    }
}

/// The first value of a query parameter, still encoded: the pairs between
/// `&`s, scanned as bytes (this runs twice per bootstrap).
fn raw_param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    let bytes = query.as_bytes();
    let mut start = 0;
    while start <= bytes.len() {
        let end = memchr::memchr(b'&', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let pair = &bytes[start..end];
        if pair.len() > name.len() && pair.starts_with(name.as_bytes()) && pair[name.len()] == b'='
        {
            return query.get(start + name.len() + 1..end);
        }
        start = end + 1;
    }
    None
}

/// The first value of a query parameter, decoded as a form decoder would.
pub fn query_param<'q>(query: &'q str, name: &str) -> Option<Cow<'q, str>> {
    decode(raw_param(query, name)?)
}

fn decode(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains(['%', '+']) {
        return Some(Cow::Borrowed(raw));
    }
    let pair = format!("v={raw}");
    let (_, value) = url::form_urlencoded::parse(pair.as_bytes()).next()?;
    Some(Cow::Owned(value.into_owned()))
}

fn parse(raw: &str) -> Option<Arc<PageUrl>> {
    let decoded = decode(raw)?;
    if decoded.len() > MAX_DECODED {
        return None;
    }
    PageUrl::parse(&decoded).map(Arc::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_url_parameter_as_a_form_decoder_does() {
        let c = PageCache::default();
        for (query, host, path) in [
            (
                "url=https%3A%2F%2FShop.Example%2Fcart",
                "shop.example",
                "/cart",
            ),
            ("v=1&url=https://shop.example/a+b", "shop.example", "/a%20b"),
            (
                "url=https%3A%2F%2Fb%C3%BCcher.example%2F",
                "xn--bcher-kva.example",
                "/",
            ),
            (
                "url=https://a.example/&url=https://b.example/",
                "a.example",
                "/",
            ),
        ] {
            // Twice: parsed, then from the cache, with the same answer.
            for _ in 0..2 {
                let page = c.reported(query).unwrap_or_else(|| panic!("{query}"));
                assert_eq!((page.host(), page.path()), (host, path), "{query}");
            }
        }
    }

    #[test]
    fn query_parameters_are_found_by_their_whole_name_and_decoded() {
        let q = "xkey=no&key=demo-support&url=https%3A%2F%2Fa.example%2F&q=a+b%26c";
        assert_eq!(query_param(q, "key").as_deref(), Some("demo-support"));
        assert_eq!(query_param(q, "url").as_deref(), Some("https://a.example/"));
        assert_eq!(query_param(q, "q").as_deref(), Some("a b&c"));
        assert_eq!(query_param(q, "ke"), None);
        assert_eq!(query_param("key", "key"), None);
        assert_eq!(query_param("key=", "key").as_deref(), Some(""));
        assert_eq!(query_param("&&key=1&", "key").as_deref(), Some("1"));
        assert_eq!(query_param("a=1&key=", "key").as_deref(), Some(""));
        assert_eq!(query_param("a=ü&key=é", "key").as_deref(), Some("é"));
        assert_eq!(query_param("", "key"), None);
        assert_eq!(query_param("key&key=2", "key").as_deref(), Some("2"));
    }

    #[test]
    fn no_page_for_a_missing_bad_or_overlong_address() {
        let c = PageCache::default();
        let long = format!("url=https://a.example/{}", "x".repeat(MAX_DECODED));
        for query in [
            "",
            "curl=https://a.example/",
            "url=",
            "url=javascript:alert(1)",
            "url=%2Frelative",
            "url=ftp://a.example/",
            long.as_str(),
        ] {
            assert!(c.reported(query).is_none(), "{query}");
            assert!(c.reported(query).is_none(), "{query} (cached)");
        }
        // Just under the limit still counts.
        let fits = format!("url=https://a.example/{}", "x".repeat(MAX_DECODED - 30));
        assert!(c.reported(&fits).is_some());
    }
}
