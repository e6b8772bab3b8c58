//! Allowed or blocked websites: patterns managers type, the page URLs and
//! origins visitors' browsers report, and a list indexed for fast matching.
//!
//! A pattern is an exact host (`example.com`) or a subdomain wildcard
//! (`*.example.com`), optionally with a path prefix (`example.com/help`).
//! Hosts are stored as lowercase punycode, compared exactly, ports ignored.
//! `*.example.com` covers the subdomains but not `example.com` itself: list
//! both to cover a whole site.

use std::collections::hash_map::{Entry, HashMap};
use std::fmt;

use url::{Host, Url};

use super::refused_line::{shown, Refusal, RefusedLine};

/// Most entries one website list may have.
pub const MAX_SITES: usize = 5_000;
const MAX_LABEL_LEN: usize = 63;
const MAX_HOST_LEN: usize = 253;

/// Why a website pattern was refused. The messages are shown to managers as
/// they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    #[error("Enter a website, such as example.com or *.example.com")]
    Empty,
    #[error("{0} contains a space: enter one website per line")]
    Whitespace(String),
    /// The input, and its scheme.
    #[error("{0} uses the {1} scheme: only http and https websites can be listed")]
    Scheme(String, String),
    #[error(
        "{0} contains a user name (the part before @): enter only the website, such as example.com"
    )]
    Userinfo(String),
    #[error("* alone would match every website: enter a domain, such as *.example.com")]
    WildcardAll,
    #[error("{0} has * in the wrong place: a wildcard is only allowed at the start, as in *.example.com")]
    WildcardPlacement(String),
    #[error("{0} is too broad: a wildcard needs a domain with at least two parts after it, as in *.example.com")]
    WildcardTooBroad(String),
    #[error("{0} puts a wildcard before an IP address: enter the address alone")]
    WildcardIp(String),
    #[error("{0} is not a valid website address")]
    Invalid(String),
    /// The input, and the offending part between dots.
    #[error("{0} is not a valid host name: {1} may only contain letters, digits, hyphens and underscores, and must start and end with a letter or digit")]
    Label(String, String),
    #[error("{0} is not a valid host name: each part between dots can be at most 63 characters")]
    LabelTooLong(String),
    #[error("{0} is not a valid host name: it can be at most 253 characters")]
    HostTooLong(String),
    #[error("{0} has an invalid port number: leave the port out, it is ignored anyway")]
    Port(String),
    #[error("{0} looks like an IPv6 address: put it in brackets, such as [2001:db8::1]")]
    Ipv6Brackets(String),
    /// The input, and the address the browser would read it as.
    #[error("{0} is an unusual way to write the IPv4 address {1}: write {1}")]
    Ipv4Form(String, String),
}

/// A website pattern: exact host or subdomain wildcard, optional path prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SitePattern {
    /// Lowercase punycode, no trailing dot; IPv6 in brackets.
    host: String,
    /// Matches strict subdomains of `host` rather than `host` itself.
    wildcard: bool,
    /// Path prefix starting with `/`, never `/` alone.
    path: Option<String>,
}

impl SitePattern {
    /// Parses what a manager typed: `example.com`, `https://Example.COM/help/`,
    /// `example.com:8080/help`, `*.example.com`, `bücher.de`, `203.0.113.7`,
    /// `[2001:db8::1]`. Scheme, port, query and fragment are dropped. A
    /// wildcard needs two labels (`*.com` is refused); there is no public
    /// suffix list, so `*.co.uk` is accepted.
    pub fn parse(input: &str) -> Result<SitePattern, SiteError> {
        let s = input.trim();
        let shown = shown(s);
        if s.chars().any(char::is_whitespace) {
            return Err(SiteError::Whitespace(shown));
        }
        let rest = strip_scheme(s, &shown)?;
        if matches!(rest, "" | "*" | "*.") || rest.starts_with("*./") {
            return Err(if rest.is_empty() {
                SiteError::Empty
            } else {
                SiteError::WildcardAll
            });
        }
        let (wildcard, rest) = match rest.strip_prefix("*.") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if rest.contains('*') {
            return Err(SiteError::WildcardPlacement(shown));
        }
        let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(SiteError::Userinfo(shown));
        }
        if !authority.starts_with('[') && authority.matches(':').count() > 1 {
            return Err(SiteError::Ipv6Brackets(shown));
        }
        let url = Url::parse(&format!("http://{rest}")).map_err(|e| match e {
            url::ParseError::InvalidPort => SiteError::Port(shown.clone()),
            _ => SiteError::Invalid(shown.clone()),
        })?;
        let host = match url.host() {
            Some(Host::Domain(d)) => check_domain(d, &shown)?,
            Some(Host::Ipv4(_) | Host::Ipv6(_)) if wildcard => {
                return Err(SiteError::WildcardIp(shown))
            }
            Some(Host::Ipv4(a)) => {
                let typed = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
                if typed.strip_suffix('.').unwrap_or(typed) != a.to_string() {
                    return Err(SiteError::Ipv4Form(shown, a.to_string()));
                }
                a.to_string()
            }
            Some(Host::Ipv6(a)) => format!("[{a}]"),
            None => return Err(SiteError::Invalid(shown)),
        };
        if wildcard && !host.contains('.') {
            return Err(SiteError::WildcardTooBroad(shown));
        }
        let path = Some(normalise_path(url.path())).filter(|p| !matches!(p.as_str(), "" | "/"));
        Ok(SitePattern {
            host,
            wildcard,
            path,
        })
    }

    /// Whether the page is covered: same host (or a strict subdomain for a
    /// wildcard), any port, and the path under the path prefix if any.
    pub fn matches(&self, page: &PageUrl) -> bool {
        self.host_matches(&page.host) && self.path_matches(&page.path)
    }

    fn host_matches(&self, host: &str) -> bool {
        if !self.wildcard {
            return host == self.host;
        }
        host.strip_suffix(self.host.as_str())
            .and_then(|sub| sub.strip_suffix('.'))
            .is_some_and(|sub| !sub.is_empty())
    }

    /// Prefix match on segment boundaries: `/help` covers `/help`, `/help/`
    /// and `/help/faq` but not `/helpdesk`; `/help/` covers `/help/…` only.
    fn path_matches(&self, path: &str) -> bool {
        let Some(prefix) = &self.path else {
            return true;
        };
        match path.strip_prefix(prefix.as_str()) {
            Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
            None => false,
        }
    }
}

/// Canonical text: `example.com`, `*.example.com`, `example.com/help`,
/// `xn--bcher-kva.de`; no scheme, port or trailing dot.
impl fmt::Display for SitePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (star, path) = (if self.wildcard { "*." } else { "" }, self.path.as_deref());
        write!(f, "{star}{}{}", self.host, path.unwrap_or_default())
    }
}

/// Splits off an `http:` or `https:` scheme (and its slashes); refuses any
/// other scheme but lets `host:port` through.
fn strip_scheme<'a>(s: &'a str, shown: &str) -> Result<&'a str, SiteError> {
    let Some((scheme, after)) = s.split_once(':') else {
        return Ok(s);
    };
    let scheme_like = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-');
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        return Ok(after.trim_start_matches(['/', '\\']));
    }
    let port = after.split(['/', '?', '#']).next().unwrap_or_default();
    if !scheme_like || (!after.starts_with('/') && port.bytes().all(|b| b.is_ascii_digit())) {
        return Ok(s);
    }
    if !after.starts_with("//") && after.split('/').next().is_some_and(|a| a.contains('@')) {
        return Err(SiteError::Userinfo(shown.to_owned()));
    }
    let scheme = scheme.to_ascii_lowercase();
    Err(SiteError::Scheme(shown.to_owned(), scheme))
}

/// Checks a host name the url crate accepted (already lowercase punycode)
/// against DNS rules, and drops one trailing dot.
fn check_domain(domain: &str, shown: &str) -> Result<String, SiteError> {
    let d = domain
        .strip_suffix('.')
        .unwrap_or(domain)
        .to_ascii_lowercase();
    if d.len() > MAX_HOST_LEN {
        return Err(SiteError::HostTooLong(shown.to_owned()));
    }
    for label in d.split('.') {
        if label.len() > MAX_LABEL_LEN {
            return Err(SiteError::LabelTooLong(shown.to_owned()));
        }
        let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let body_ok = label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !body_ok || !edge_ok(label.chars().next()) || !edge_ok(label.chars().last()) {
            return Err(match label {
                "" => SiteError::Invalid(shown.to_owned()),
                _ => SiteError::Label(shown.to_owned(), label.to_owned()),
            });
        }
    }
    Ok(d)
}

/// RFC 3986 normalisation on top of the url crate's: percent-encoded
/// unreserved characters decoded (`%68elp` is `help`), other escapes in
/// uppercase hex (`%c3%a9` is `%C3%A9`), so one path has one spelling.
fn normalise_path(path: &str) -> String {
    if !path.is_ascii() {
        return path.to_owned(); // never from the url crate, which encodes
    }
    let (bytes, mut out, mut i) = (path.as_bytes(), String::with_capacity(path.len()), 0);
    while let Some(&byte) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|&b| char::from(b).to_digit(16));
        match (byte, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                let c = char::from((hi * 16 + lo) as u8); // two hex digits: at most 255
                if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                    out.push(c);
                } else {
                    out.push_str(&format!("%{:02X}", hi * 16 + lo));
                }
                i += 3;
            }
            (b, ..) => {
                out.push(char::from(b));
                i += 1;
            }
        }
    }
    out
}

/// A page a visitor is on: an absolute http or https URL.
#[derive(Clone, Debug)]
pub struct PageUrl {
    /// ASCII lowercase (punycode), without a trailing dot; IPv6 in brackets.
    host: String,
    path: String,
    origin: String,
}

impl PageUrl {
    /// `None` unless the URL is absolute, http or https, with a host.
    pub fn parse(url: &str) -> Option<PageUrl> {
        let url = Url::parse(url).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let host = match url.host()? {
            Host::Domain(d) => d.strip_suffix('.').unwrap_or(d).to_ascii_lowercase(),
            Host::Ipv4(a) => a.to_string(),
            Host::Ipv6(a) => format!("[{a}]"),
        };
        let origin = url.origin().ascii_serialization();
        let path = normalise_path(url.path());
        Some(PageUrl { host, path, origin })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The path as the url crate normalises it (dot segments resolved,
    /// percent-encoded), plus `normalise_path`'s escape normalisation.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `scheme://host[:port]` as a browser's `Origin` header spells it,
    /// default port omitted: `https://example.com:8443`.
    pub fn origin(&self) -> String {
        self.origin.clone()
    }

    /// The same as [`PageUrl::origin`], borrowed.
    pub fn origin_str(&self) -> &str {
        &self.origin
    }
}

/// Normalises an `Origin` or `Referer` header value to the form of
/// [`PageUrl::origin`]; `None` for `null`, non-http(s) or garbage.
pub fn origin_of(header_value: &str) -> Option<String> {
    PageUrl::parse(header_value.trim()).map(|page| page.origin)
}

/// Patterns indexed by host, so finding a match costs one lookup per label
/// of the page's host, however many patterns there are.
#[derive(Clone, Debug, Default)]
pub struct SiteList {
    patterns: Vec<SitePattern>,
    /// Exact host -> indexes into `patterns`, ascending.
    exact: HashMap<String, Vec<usize>>,
    /// Wildcard base domain (`example.com` for `*.example.com`) -> indexes.
    wildcard: HashMap<String, Vec<usize>>,
}

impl SiteList {
    pub fn new(patterns: impl IntoIterator<Item = SitePattern>) -> SiteList {
        let mut list = SiteList::default();
        for (i, p) in patterns.into_iter().enumerate() {
            let index = if p.wildcard {
                &mut list.wildcard
            } else {
                &mut list.exact
            };
            index.entry(p.host.clone()).or_default().push(i);
            list.patterns.push(p);
        }
        list
    }

    /// The earliest pattern (in the order given to `new`) that matches.
    pub fn find(&self, page: &PageUrl) -> Option<&SitePattern> {
        let first_in = |ids: Option<&Vec<usize>>| {
            let ids = ids.map(Vec::as_slice).unwrap_or_default();
            ids.iter()
                .copied()
                .find(|&i| self.patterns.get(i).is_some_and(|p| p.matches(page)))
        };
        let mut best = first_in(self.exact.get(&page.host));
        let mut rest = page.host.as_str();
        while let Some((_, parent)) = rest.split_once('.') {
            if let Some(i) = first_in(self.wildcard.get(parent)) {
                best = Some(best.map_or(i, |b| b.min(i)));
            }
            rest = parent;
        }
        best.and_then(|i| self.patterns.get(i))
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// The patterns in the order given.
    pub fn patterns(&self) -> impl Iterator<Item = &SitePattern> {
        self.patterns.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }
}

/// A pattern accepted from a list, with its 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedSite {
    pub line: usize,
    pub pattern: SitePattern,
}

/// Parses a pasted list, one website per line. Blank lines and lines
/// starting with `#` are skipped.
/// Repeats of an earlier line are refused; past 5,000 entries the rest of
/// the list is refused with one line.
pub fn parse_list(text: &str) -> (Vec<ListedSite>, Vec<RefusedLine>) {
    let (mut listed, mut refused) = (Vec::new(), Vec::new());
    let mut seen: HashMap<SitePattern, usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let entry = raw.trim();
        if entry.is_empty() || entry.starts_with('#') {
            continue;
        }
        let refuse = |reason: String, kind| RefusedLine::new(line, entry, reason, kind);
        if listed.len() + refused.len() >= MAX_SITES {
            refused.push(refuse(
                format!("The list is too long: it can have at most {MAX_SITES} websites"),
                Refusal::Invalid,
            ));
            break;
        }
        match SitePattern::parse(entry) {
            Err(e) => refused.push(refuse(e.to_string(), Refusal::Invalid)),
            Ok(pattern) => match seen.entry(pattern.clone()) {
                Entry::Occupied(first) => {
                    refused.push(RefusedLine::duplicate(line, entry, *first.get()))
                }
                Entry::Vacant(slot) => {
                    slot.insert(line);
                    listed.push(ListedSite { line, pattern });
                }
            },
        }
    }
    (listed, refused)
}

#[cfg(test)]
#[path = "website_tests.rs"]
mod tests;
