//! Managers' IP block rules: one address or one subnet per rule, parsed
//! strictly (as strictly as Cloudflare's IP access rules).
//!
//! A rule is always canonical: no host bits, and IPv4-mapped IPv6
//! (`::ffff:203.0.113.7`) turned into IPv4, because visitor addresses are
//! canonicalised to IPv4 before they are matched.

use std::collections::hash_map::{Entry, HashMap};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net};

use super::refused_line::{shown, Refusal, RefusedLine};

/// Most non-blank lines (comment lines included) one import may have.
pub const MAX_IMPORT_LINES: usize = 100_000;
/// Longest rule comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 200;

/// Why an address, subnet or comment was refused. The messages are shown to
/// managers as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("Enter an IP address or subnet, such as 203.0.113.7 or 203.0.113.0/24")]
    Empty,
    #[error("{0} contains a space: enter one address or subnet per line")]
    Whitespace(String),
    #[error("{0} has brackets: enter the address without [ and ]")]
    Brackets(String),
    #[error("{0} has a zone id (the part after %): enter the address without it")]
    ZoneId(String),
    #[error("{0} looks like it has a port number: enter the address without :port")]
    Port(String),
    /// The input, and the number written with a leading zero.
    #[error("{0} has a leading zero in {1}, which is ambiguous (it could be read as octal): write the numbers without leading zeros")]
    LeadingZero(String, String),
    /// The input, and the number over 255.
    #[error("{0} is not a valid IPv4 address: {1} is out of range (each number must be 0 to 255)")]
    OctetOutOfRange(String, String),
    #[error("{0} is not a complete IPv4 address: write all four numbers, such as 10.0.0.0")]
    Incomplete(String),
    #[error("{0} is not a valid IP address or subnet")]
    Invalid(String),
    #[error("{0} is not a valid IPv6 address")]
    InvalidIpv6(String),
    #[error("{0} ends with / but has no prefix: add one, such as /24, or remove the /")]
    PrefixMissing(String),
    #[error(
        "The prefix in {0} must be a plain number without a sign or leading zeros, such as /24"
    )]
    PrefixFormat(String),
    /// The input, the longest prefix and the address family.
    #[error("The prefix in {0} is out of range: prefix must be 0 to {1} for {2}")]
    PrefixOutOfRange(String, u8, &'static str),
    /// The input, and the network it was probably meant to be.
    #[error("{0} has host bits set: did you mean {1}?")]
    HostBits(String, String),
    #[error("A comment can be at most 200 characters, this one has {0}")]
    CommentTooLong(usize),
    #[error("The comment {0} contains a control character such as a tab: remove it")]
    CommentControl(String),
}

/// One blocked address or subnet, in canonical form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRule(IpNet);

impl IpRule {
    /// Parses one address (`203.0.113.7`, `2001:db8::1`) or subnet
    /// (`203.0.113.0/24`), surrounding whitespace ignored.
    pub fn parse(input: &str) -> Result<IpRule, RuleError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(RuleError::Empty);
        }
        let shown = shown(s);
        if s.chars().any(char::is_whitespace) {
            return Err(RuleError::Whitespace(shown));
        }
        if s.contains(['[', ']']) {
            return Err(RuleError::Brackets(shown));
        }
        if s.contains('%') {
            return Err(RuleError::ZoneId(shown));
        }
        let (addr_text, prefix_text) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = parse_addr(addr_text, &shown)?;
        let net = parse_prefix(addr, prefix_text, &shown)?;
        let rule = IpRule(canonical(net.trunc()));
        if net.trunc() != net {
            return Err(RuleError::HostBits(shown, rule.to_string()));
        }
        Ok(rule)
    }

    /// The network this rule covers.
    pub fn net(&self) -> IpNet {
        self.0
    }

    /// Whether the visitor address falls inside this rule. An IPv4-mapped
    /// IPv6 address is matched as the IPv4 address it carries.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.0.contains(&ip)
    }
}

/// Canonical text: a single host without `/32` or `/128`, a subnet with its
/// prefix; IPv6 compressed and lowercase.
impl fmt::Display for IpRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpNet::V4(n) if n.prefix_len() == 32 => n.addr().fmt(f),
            IpNet::V6(n) if n.prefix_len() == 128 => n.addr().fmt(f),
            net => net.fmt(f),
        }
    }
}

impl FromStr for IpRule {
    type Err = RuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IpRule::parse(s)
    }
}

/// Turns an IPv4-mapped IPv6 network of /96 or longer into the IPv4 network.
fn canonical(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(n) if n.prefix_len() >= 96 => n
            .addr()
            .to_ipv4_mapped()
            .and_then(|v4| Ipv4Net::new(v4, n.prefix_len() - 96).ok())
            .map_or(net, IpNet::V4),
        _ => net,
    }
}

/// Applies the prefix (`None` for a single host) to the address.
fn parse_prefix(addr: IpAddr, text: Option<&str>, shown: &str) -> Result<IpNet, RuleError> {
    let (max, family) = if addr.is_ipv4() {
        (32, "IPv4")
    } else {
        (128, "IPv6")
    };
    let prefix = match text {
        None => max,
        Some("") => return Err(RuleError::PrefixMissing(shown.to_owned())),
        Some(p)
            if !p.bytes().all(|b| b.is_ascii_digit()) || (p.len() > 1 && p.starts_with('0')) =>
        {
            return Err(RuleError::PrefixFormat(shown.to_owned()));
        }
        Some(p) => p.parse::<u8>().unwrap_or(u8::MAX),
    };
    IpNet::new(addr, prefix).map_err(|_| RuleError::PrefixOutOfRange(shown.to_owned(), max, family))
}

fn parse_addr(text: &str, shown: &str) -> Result<IpAddr, RuleError> {
    if !text.contains(':') {
        return parse_ipv4(text, shown).map(IpAddr::V4);
    }
    if let Some((host, port)) = text.split_once(':') {
        let is_port = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
        if !host.is_empty() && !host.contains(':') && !port.contains(':') && is_port {
            return Err(RuleError::Port(shown.to_owned()));
        }
    }
    // An embedded IPv4 tail (`::ffff:1.2.3.4`) gets the same precise checks.
    if let Some((_, tail)) = text.rsplit_once(':').filter(|(_, t)| t.contains('.')) {
        parse_ipv4(tail, shown)?;
    }
    Ipv6Addr::from_str(text)
        .map(IpAddr::V6)
        .map_err(|_| RuleError::InvalidIpv6(shown.to_owned()))
}

/// Strict dotted-quad: four decimal numbers 0 to 255 without leading zeros.
fn parse_ipv4(text: &str, shown: &str) -> Result<Ipv4Addr, RuleError> {
    let parts: Vec<&str> = text.split('.').collect();
    let digits = text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !digits || parts.len() > 4 || parts.iter().any(|p| p.is_empty()) {
        return Err(RuleError::Invalid(shown.to_owned()));
    }
    if parts.len() < 4 {
        return Err(RuleError::Incomplete(shown.to_owned()));
    }
    let mut octets = [0u8; 4];
    for (octet, part) in octets.iter_mut().zip(&parts) {
        if part.len() > 1 && part.starts_with('0') {
            return Err(RuleError::LeadingZero(shown.to_owned(), (*part).to_owned()));
        }
        let too_big =
            || RuleError::OctetOutOfRange(shown.to_owned(), part.chars().take(12).collect());
        *octet = part.parse().map_err(|_| too_big())?;
    }
    Ok(Ipv4Addr::from(octets))
}

/// A manager's note on a rule: trimmed, 1 to 200 characters, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleComment(String);

impl RuleComment {
    /// `Ok(None)` for an empty or blank comment.
    pub fn parse(input: &str) -> Result<Option<RuleComment>, RuleError> {
        let t = input.trim();
        if t.is_empty() {
            return Ok(None);
        }
        if t.chars().any(char::is_control) {
            let printable: String = t.chars().filter(|c| !c.is_control()).collect();
            return Err(RuleError::CommentControl(shown(&printable)));
        }
        match t.chars().count() {
            n if n > MAX_COMMENT_CHARS => Err(RuleError::CommentTooLong(n)),
            _ => Ok(Some(RuleComment(t.to_owned()))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rule accepted from an imported list, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRule {
    pub line: usize,
    pub rule: IpRule,
    pub comment: Option<RuleComment>,
}

/// A list with more non-blank lines than one import takes. It is refused
/// whole: importing part of it would leave the rest unreported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "The list has {lines} lines; an import takes at most {MAX_IMPORT_LINES} lines at a time. \
     Nothing was imported: split the list and import each part on its own."
)]
pub struct ListTooLong {
    pub lines: usize,
}

/// The rules a list adds, and its refused lines.
pub type ParsedList = (Vec<ImportedRule>, Vec<RefusedLine>);

/// Parses a pasted or uploaded list, one rule per line. A comment follows
/// the first `#`, or else the first space or comma after the address:
/// `1.2.3.4 # spammer`, `1.2.3.4 spammer`, `1.2.3.4, spammer`. Blank lines
/// and lines starting with `#` are skipped. Overlapping rules are all kept;
/// a rule repeating an earlier line is refused. A list of more than
/// `MAX_IMPORT_LINES` non-blank lines (comment lines included) is refused
/// whole.
pub fn parse_list(text: &str) -> Result<ParsedList, ListTooLong> {
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    if lines > MAX_IMPORT_LINES {
        return Err(ListTooLong { lines });
    }
    let (mut accepted, mut refused) = (Vec::new(), Vec::new());
    let mut seen: HashMap<IpRule, usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let (line, t) = (i + 1, raw.trim());
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let refuse = |reason: String, kind| RefusedLine::new(line, t, reason, kind);
        let (addr, comment) = split_line(t);
        let parsed = IpRule::parse(addr).and_then(|r| Ok((r, RuleComment::parse(comment)?)));
        match parsed {
            Err(e) => refused.push(refuse(e.to_string(), Refusal::Invalid)),
            Ok((rule, comment)) => match seen.entry(rule) {
                Entry::Occupied(first) => {
                    refused.push(RefusedLine::duplicate(line, t, *first.get()))
                }
                Entry::Vacant(slot) => {
                    slot.insert(line);
                    accepted.push(ImportedRule {
                        line,
                        rule,
                        comment,
                    });
                }
            },
        }
    }
    Ok((accepted, refused))
}

/// Splits a trimmed list line into its address and its comment.
fn split_line(t: &str) -> (&str, &str) {
    if let Some((head, comment)) = t.split_once('#') {
        let head = head.trim_end();
        return (head.strip_suffix(',').unwrap_or(head).trim_end(), comment);
    }
    match t
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || c == ',')
    {
        Some((i, c)) => {
            let rest = t[i + c.len_utf8()..].trim_start();
            (&t[..i], rest.strip_prefix(',').unwrap_or(rest))
        }
        None => (t, ""),
    }
}

/// One list line for a rule: `203.0.113.0/24 # comment`, or just the rule.
/// Control characters in the comment become spaces so the line stays one
/// line; `parse_list` reads back the rule and (valid) comment.
pub fn format_line(rule: &IpRule, comment: Option<&str>) -> String {
    let comment: String = comment
        .unwrap_or("")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match comment.trim() {
        "" => rule.to_string(),
        c => format!("{rule} # {c}"),
    }
}

#[cfg(test)]
#[path = "ip_rule_tests.rs"]
mod tests;
