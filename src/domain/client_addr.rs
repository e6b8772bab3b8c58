//! Which address is the visitor? The one well-tested answer.
//!
//! The socket peer is the client unless the peer is one of the configured
//! trusted proxies. Only then does the one forwarding header the proxies are
//! configured to set count: `X-Forwarded-For` (the default) or `Forwarded`
//! (RFC 7239). The other is ignored, because a proxy that only appends to
//! one passes the other through from the client untouched. Hops are walked
//! from the right:
//! every hop that is itself a trusted proxy is skipped, and the first hop that
//! is not trusted is the client. A hop that cannot be parsed (`unknown`, an
//! obfuscated `_name`, garbage) ends the walk and the last trusted hop seen is
//! used, because nothing to its left can be believed.
//!
//! IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are canonicalised to IPv4
//! everywhere, so one visitor never has two identities.

use std::net::IpAddr;

use ipnet::IpNet;

/// Which header the trusted proxies set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForwardedHeader {
    #[default]
    XForwardedFor,
    Forwarded,
}

impl ForwardedHeader {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Some(Self::XForwardedFor),
            "forwarded" => Some(Self::Forwarded),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::XForwardedFor => "x-forwarded-for",
            Self::Forwarded => "forwarded",
        }
    }
}

/// Resolves the client address.
///
/// * `peer`: the TCP peer address.
/// * `header`: which forwarding header the trusted proxies set.
/// * `values`: every value of that header, in the order received.
/// * `trusted`: the trusted proxy networks.
pub fn resolve<'a, V>(peer: IpAddr, header: ForwardedHeader, values: V, trusted: &[IpNet]) -> IpAddr
where
    V: IntoIterator<Item = &'a str>,
    V::IntoIter: DoubleEndedIterator,
{
    let peer = peer.to_canonical();
    if !is_trusted(peer, trusted) {
        return peer;
    }
    // The hops from the right, without collecting them.
    let values = values.into_iter().rev();
    match header {
        ForwardedHeader::Forwarded => walk(
            peer,
            values.flat_map(|v| forwarded_for_values(v).rev()),
            trusted,
        ),
        ForwardedHeader::XForwardedFor => walk(
            peer,
            values
                .flat_map(|v| v.rsplit(','))
                .map(str::trim)
                .filter(|s| !s.is_empty()),
            trusted,
        ),
    }
}

/// [`resolve`] for the usual case behind one proxy: a single
/// `X-Forwarded-For` value naming one hop (no comma). `None` when the
/// value names more than one hop; otherwise the same answer as `resolve`,
/// without walking: the one hop is the client whether it is trusted or
/// not, and an unreadable or empty hop leaves the peer.
pub fn resolve_single_hop(peer: IpAddr, value: &str, trusted: &[IpNet]) -> Option<IpAddr> {
    if value.contains(',') {
        return None;
    }
    let peer = peer.to_canonical();
    if !is_trusted(peer, trusted) {
        return Some(peer);
    }
    Some(parse_hop(value).unwrap_or(peer))
}

/// Walks the hops from the right: trusted proxies are skipped, the first
/// untrusted hop is the client, an unreadable hop ends the walk.
fn walk<'a>(
    peer: IpAddr,
    hops_from_right: impl Iterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let mut client = peer;
    for hop in hops_from_right {
        match parse_hop(hop) {
            Some(addr) if is_trusted(addr, trusted) => client = addr,
            Some(addr) => return addr,
            None => return client,
        }
    }
    client
}

fn is_trusted(addr: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&addr))
}

/// The `for=` parameters of one `Forwarded` header value, in order.
fn forwarded_for_values(value: &str) -> impl DoubleEndedIterator<Item = &str> {
    value.split(',').filter_map(|element| {
        element.split(';').find_map(|pair| {
            let (key, val) = pair.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("for")
                .then(|| val.trim().trim_matches('"'))
        })
    })
}

/// Parses one hop: `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`,
/// `[2001:db8::1]` or `[2001:db8::1]:8080`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    let addr = if let Some(rest) = hop.strip_prefix('[') {
        rest.split_once(']')?.0.parse().ok()?
    } else if let Ok(addr) = hop.parse::<IpAddr>() {
        addr
    } else {
        // IPv4 with a port. A bare IPv6 address never reaches here.
        let (host, port) = hop.rsplit_once(':')?;
        port.parse::<u16>().ok()?;
        IpAddr::V4(host.parse().ok()?)
    };
    Some(addr.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_single_hop_resolves_as_the_walk_does() {
        let trusted = nets(&["10.0.0.0/8", "2001:db8::/32"]);
        let peers = ["10.0.0.1", "203.0.113.9", "::ffff:10.1.2.3"];
        let values = [
            "198.51.100.7",
            " 198.51.100.7 ",
            "10.9.9.9",
            "",
            "  ",
            "unknown",
            "_hidden",
            "198.51.100.7:8080",
            "[2001:db8::5]:443",
            "2001:db8::5",
            "::ffff:198.51.100.8",
            "2001:db9::1",
            "1.2.3.4.5",
        ];
        for peer in peers {
            for value in values {
                let fast = resolve_single_hop(ip(peer), value, &trusted);
                let walked = resolve(ip(peer), XFF, [value], &trusted);
                assert_eq!(fast, Some(walked), "{peer} {value:?}");
            }
        }
        assert_eq!(
            resolve_single_hop(ip("10.0.0.1"), "1.1.1.1, 10.0.0.2", &trusted),
            None
        );
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }
    const NONE: [&str; 0] = [];
    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;
    const FWD: ForwardedHeader = ForwardedHeader::Forwarded;

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let got = resolve(ip("198.51.100.7"), FWD, ["for=1.1.1.1"], &[]);
        assert_eq!(got, ip("198.51.100.7"));
        let trusted = nets(&["10.0.0.0/8"]);
        let got = resolve(ip("198.51.100.7"), XFF, ["2.2.2.2"], &trusted);
        assert_eq!(got, ip("198.51.100.7"));
    }

    #[test]
    fn trusted_peer_uses_rightmost_untrusted_hop() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client forged 6.6.6.6 on the left; the proxy appended the real one.
        let got = resolve(ip("10.0.0.2"), XFF, ["6.6.6.6, 203.0.113.9"], &trusted);
        assert_eq!(got, ip("203.0.113.9"));
        // Several trusted proxies in a chain are skipped.
        let got = resolve(
            ip("10.0.0.2"),
            XFF,
            ["6.6.6.6, 203.0.113.9", "10.1.1.1"],
            &trusted,
        );
        assert_eq!(got, ip("203.0.113.9"));
    }

    #[test]
    fn all_hops_trusted_gives_leftmost() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = resolve(ip("10.0.0.2"), XFF, ["10.9.9.9, 10.0.0.5"], &trusted);
        assert_eq!(got, ip("10.9.9.9"));
    }

    #[test]
    fn trusted_peer_without_headers_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(resolve(ip("10.0.0.2"), XFF, NONE, &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn forwarded_header_is_parsed_when_configured() {
        let trusted = nets(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        let got = resolve(
            ip("10.0.0.2"),
            FWD,
            [r#"for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https"#],
            &trusted,
        );
        assert_eq!(got, ip("2001:db8:cafe::17"));
        let got = resolve(
            ip("10.0.0.2"),
            FWD,
            ["For=198.51.100.1:1234;by=10.0.0.2"],
            &trusted,
        );
        assert_eq!(got, ip("198.51.100.1"));
        assert_eq!(ForwardedHeader::parse(" Forwarded "), Some(FWD));
        assert_eq!(ForwardedHeader::parse("x-real-ip"), None);
    }

    #[test]
    fn unparsable_hop_stops_at_last_trusted() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = resolve(ip("10.0.0.2"), FWD, ["for=1.2.3.4, for=unknown"], &trusted);
        assert_eq!(got, ip("10.0.0.2"));
        let got = resolve(
            ip("10.0.0.2"),
            XFF,
            ["1.2.3.4, 10.0.0.7, garbage"],
            &trusted,
        );
        assert_eq!(got, ip("10.0.0.2"));
        let got = resolve(
            ip("10.0.0.2"),
            XFF,
            ["1.2.3.4, garbage, 10.0.0.7"],
            &trusted,
        );
        assert_eq!(got, ip("10.0.0.7"));
    }

    #[test]
    fn ipv4_mapped_ipv6_is_canonicalised() {
        assert_eq!(
            resolve(ip("::ffff:203.0.113.5"), XFF, NONE, &[]),
            ip("203.0.113.5")
        );
        let trusted = nets(&["10.0.0.0/8"]);
        // A mapped peer still matches an IPv4 trusted range.
        let got = resolve(
            ip("::ffff:10.0.0.1"),
            XFF,
            ["::ffff:198.51.100.4"],
            &trusted,
        );
        assert_eq!(got, ip("198.51.100.4"));
    }

    #[test]
    fn hop_forms() {
        assert_eq!(parse_hop("192.0.2.1:80"), Some(ip("192.0.2.1")));
        assert_eq!(parse_hop("[2001:db8::1]:80"), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("[2001:db8::1]"), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("2001:db8::1"), Some(ip("2001:db8::1")));
        assert_eq!(parse_hop("_hidden"), None);
        assert_eq!(parse_hop("1.2.3.4:99999"), None);
        assert_eq!(parse_hop(""), None);
    }

    proptest! {
        /// Whatever a client writes into the headers, an untrusted peer is
        /// always its own address.
        #[test]
        fn spoofing_from_untrusted_peer_never_works(
            a in any::<[u8; 4]>(), fwd in ".{0,60}", xff in ".{0,60}"
        ) {
            let peer = IpAddr::from(a);
            let trusted = nets(&["127.0.0.0/8"]);
            prop_assume!(!trusted[0].contains(&peer));
            prop_assert_eq!(resolve(peer, FWD, [fwd.as_str()], &trusted), peer);
            prop_assert_eq!(resolve(peer, XFF, [xff.as_str()], &trusted), peer);
        }

        /// Behind a trusted proxy the result is either a header hop or the
        /// peer, and never a trusted address when an untrusted hop exists.
        #[test]
        fn result_is_a_real_hop(hops in proptest::collection::vec(any::<[u8; 4]>(), 1..6)) {
            let trusted = nets(&["10.0.0.0/8"]);
            let peer = ip("10.0.0.1");
            let list: Vec<String> = hops.iter().map(|h| IpAddr::from(*h).to_string()).collect();
            let header = list.join(", ");
            let got = resolve(peer, XFF, [header.as_str()], &trusted);
            let rightmost_untrusted = hops.iter().rev().map(|h| IpAddr::from(*h))
                .find(|a| !trusted[0].contains(a));
            match rightmost_untrusted {
                Some(expected) => prop_assert_eq!(got, expected),
                None => prop_assert!(trusted[0].contains(&got)),
            }
        }
    }
}
