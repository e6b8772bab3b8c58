//! Tests of `ip_rule.rs`.
use super::*;
use ipnet::Ipv6Net;
use proptest::prelude::*;

#[test]
fn accepts_and_canonicalises() {
    let canonical = "203.0.113.7 203.0.113.0/24 0.0.0.0/0 0.0.0.0 :: ::/0 ::1 ::/80";
    let canonical = canonical.split(' ').map(|c| (c, c));
    for (input, shown) in canonical.chain([
        (" 203.0.113.7/32\t", "203.0.113.7"),
        ("255.255.255.255/32", "255.255.255.255"),
        ("2001:DB8::1", "2001:db8::1"),
        ("2001:db8:0:0:0:0:0:1/128", "2001:db8::1"),
        ("2001:0DB8::/48", "2001:db8::/48"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("::FFFF:cb00:7107", "203.0.113.7"),
        ("::ffff:203.0.113.0/120", "203.0.113.0/24"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        ("::ffff:0.0.0.0/96", "0.0.0.0/0"),
        ("::1.2.3.4", "::102:304"),
    ]) {
        let rule = IpRule::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(rule.to_string(), shown, "{input}");
        assert_eq!(shown.parse::<IpRule>(), Ok(rule), "round trip of {shown}");
    }
}

#[test]
fn refuses_with_messages() {
    for (input, message) in [
        ("", "Enter an IP address or subnet, such as 203.0.113.7 or 203.0.113.0/24"),
        ("10.0.0.300", "10.0.0.300 is not a valid IPv4 address: 300 is out of range (each number must be 0 to 255)"),
        ("1.2.3.4/33", "The prefix in 1.2.3.4/33 is out of range: prefix must be 0 to 32 for IPv4"),
        ("2001:db8::/129", "The prefix in 2001:db8::/129 is out of range: prefix must be 0 to 128 for IPv6"),
        ("1.2.3.4/999", "prefix must be 0 to 32 for IPv4"),
        ("01.2.3.4", "01.2.3.4 has a leading zero in 01, which is ambiguous (it could be read as octal): write the numbers without leading zeros"),
        ("::ffff:1.2.3.010", "leading zero in 010"),
        ("10.1", "10.1 is not a complete IPv4 address: write all four numbers, such as 10.0.0.0"),
        ("10.0.0", "10.0.0 is not a complete IPv4 address"),
        ("1.2.3.4/024", "The prefix in 1.2.3.4/024 must be a plain number without a sign or leading zeros, such as /24"),
        ("1.2.3.4/+24", "The prefix in 1.2.3.4/+24 must be a plain number"),
        ("1.2.3.4/-1", "must be a plain number"),
        ("1.2.3.0/24/8", "must be a plain number"),
        ("1.2.3.4/", "1.2.3.4/ ends with / but has no prefix: add one, such as /24, or remove the /"),
        ("fe80::1%eth0", "fe80::1%eth0 has a zone id (the part after %): enter the address without it"),
        ("[2001:db8::1]", "[2001:db8::1] has brackets: enter the address without [ and ]"),
        ("1.2.3.4:80", "1.2.3.4:80 looks like it has a port number: enter the address without :port"),
        ("1.2. 3.4", "1.2. 3.4 contains a space: enter one address or subnet per line"),
        ("203.0.113.5/24", "203.0.113.5/24 has host bits set: did you mean 203.0.113.0/24?"),
        ("::ffff:203.0.113.5/120", "::ffff:203.0.113.5/120 has host bits set: did you mean 203.0.113.0/24?"),
        ("2001:db8::1/48", "2001:db8::1/48 has host bits set: did you mean 2001:db8::/48?"),
        ("example.com", "example.com is not a valid IP address or subnet"),
        ("1.2.3.4.5", "is not a valid IP address or subnet"),
        ("0x7f.0.0.1", "is not a valid IP address or subnet"),
        ("2001:db8::g", "2001:db8::g is not a valid IPv6 address"),
        ("1:2:3:4:5:6:7:8:9", "is not a valid IPv6 address"),
        ("/24", "is not a valid IP address or subnet"),
    ] {
        let err = IpRule::parse(input).expect_err(input).to_string();
        assert!(err.contains(message), "{input}: got {err:?}");
    }
}

#[test]
fn contains_on_boundaries() {
    for row in [
        "203.0.113.0/24: +203.0.113.0 +203.0.113.255 -203.0.112.255 -203.0.114.0 +::ffff:203.0.113.9 -2001:db8::1",
        "203.0.113.7: +203.0.113.7 -203.0.113.6 -203.0.113.8",
        "0.0.0.0/0: +0.0.0.0 +255.255.255.255 -::1",
        "::/0: +:: +2001:db8::1 -1.2.3.4 -::ffff:1.2.3.4",
        "2001:db8::/48: +2001:db8:: +2001:db8:0:ffff:ffff:ffff:ffff:ffff -2001:db8:1:: -2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001:db8::1: +2001:db8::1 -2001:db8::2",
    ] {
        let (rule, ips) = row.split_once(": ").unwrap();
        let rule = IpRule::parse(rule).unwrap();
        for ip in ips.split(' ') {
            let (inside, ip) = (ip.starts_with('+'), &ip[1..]);
            assert_eq!(rule.contains(ip.parse().unwrap()), inside, "{rule} {ip}");
        }
    }
}

#[test]
fn comments() {
    assert_eq!(RuleComment::parse("  "), Ok(None));
    assert_eq!(RuleComment::parse(" hi ").unwrap().unwrap().as_str(), "hi");
    assert!(RuleComment::parse(&"é".repeat(200)).unwrap().is_some());
    let long = RuleComment::parse(&"é".repeat(201));
    assert_eq!(long, Err(RuleError::CommentTooLong(201)));
    let err = RuleComment::parse("a\tb").unwrap_err().to_string();
    assert!(
        err.starts_with("The comment ab contains a control character"),
        "{err}"
    );
}

#[test]
fn list_report() {
    let text = "# exported\r\n10.0.0.0/8 # office\r\n\r\n10.1.0.0/16, branch\n 1.2.3.4 spammer \n\
        203.0.113.5/24\n10.0.0.0/8 again\n::ffff:1.2.3.4\nbad # x\n5.6.7.8 # a\u{7}b\n\
        2001:db8::/32 #\n9.9.9.9, # both\n";
    let (ok, bad) = parse_list(text).unwrap();
    let line = |r: &ImportedRule| {
        let comment = r.comment.as_ref().map(RuleComment::as_str);
        format!("{}: {}", r.line, format_line(&r.rule, comment))
    };
    let ok: Vec<_> = ok.iter().map(line).collect();
    let want = "2: 10.0.0.0/8 # office|4: 10.1.0.0/16 # branch|5: 1.2.3.4 # spammer|11: 2001:db8::/32|12: 9.9.9.9 # both";
    assert_eq!(ok.join("|"), want);
    let kinds: Vec<_> = bad.iter().map(|r| r.kind).collect();
    use Refusal::*;
    let want = [
        Invalid,
        Repeat { first: 2 },
        Repeat { first: 5 },
        Invalid,
        Invalid,
    ];
    assert_eq!(kinds, want);
    let bad: Vec<_> = bad
        .iter()
        .map(|r| format!("{}: {} => {}", r.line, r.text, r.reason))
        .collect();
    assert_eq!(bad, [
        "6: 203.0.113.5/24 => 203.0.113.5/24 has host bits set: did you mean 203.0.113.0/24?",
        "7: 10.0.0.0/8 again => Duplicate of line 2",
        "8: ::ffff:1.2.3.4 => Duplicate of line 5",
        "9: bad # x => bad is not a valid IP address or subnet",
        "10: 5.6.7.8 # a\u{7}b => The comment ab contains a control character such as a tab: remove it",
    ]);
}

#[test]
fn list_limits() {
    let (ok, bad) = parse_list(&format!("{}x{}", "1.2.3.4 ", "y".repeat(300))).unwrap();
    assert!(ok.is_empty());
    assert_eq!(bad[0].text.chars().count(), 80);
    // Over the limit (comment lines count): refused whole, nothing parsed.
    let text = format!("{}\n\n1.2.3.4\n5.6.7.8\n", "# c\n".repeat(MAX_IMPORT_LINES));
    let err = parse_list(&text).unwrap_err();
    assert_eq!(err.lines, MAX_IMPORT_LINES + 2);
    assert_eq!(
        err.to_string(),
        "The list has 100002 lines; an import takes at most 100000 lines at a time. \
         Nothing was imported: split the list and import each part on its own."
    );
    // At the limit, every line is read.
    let text = format!("{}\n\n1.2.3.4\n", "# c\n".repeat(MAX_IMPORT_LINES - 1));
    let (ok, bad) = parse_list(&text).unwrap();
    assert_eq!((ok.len(), bad.len()), (1, 0));
    assert_eq!(ok[0].line, MAX_IMPORT_LINES + 2);
}

#[test]
fn format_line_round_trips() {
    for (rule, comment, line) in [
        ("10.0.0.0/8", Some("a # 2"), "10.0.0.0/8 # a # 2"),
        ("2001:db8::1", None, "2001:db8::1"),
        ("1.2.3.4", Some("  "), "1.2.3.4"),
        ("1.2.3.4", Some("two\nlines"), "1.2.3.4 # two lines"),
    ] {
        let rule = IpRule::parse(rule).unwrap();
        assert_eq!(format_line(&rule, comment), line);
        let (ok, bad) = parse_list(line).unwrap();
        assert!(bad.is_empty(), "{line}");
        assert_eq!(ok[0].rule, rule);
        let want = comment
            .map(|c| c.replace('\n', " "))
            .filter(|c| !c.trim().is_empty());
        assert_eq!(ok[0].comment.as_ref().map(|c| c.as_str().to_owned()), want);
    }
}

fn any_net() -> impl Strategy<Value = IpNet> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, p)| IpNet::V4(Ipv4Net::new(a.into(), p).unwrap())),
        (any::<u128>(), 0u8..=128).prop_map(|(a, p)| IpNet::V6(Ipv6Net::new(a.into(), p).unwrap())),
        (any::<u32>(), 96u8..=128).prop_map(|(a, p)| {
            IpNet::V6(Ipv6Net::new(Ipv4Addr::from(a).to_ipv6_mapped(), p).unwrap())
        }),
    ]
    .prop_map(|n| n.trunc())
}

proptest! {
    #[test]
    fn display_parse_is_identity(net in any_net()) {
        let rule = IpRule(canonical(net));
        prop_assert_eq!(IpRule::parse(&rule.to_string()), Ok(rule));
        prop_assert_eq!(IpRule::parse(&net.to_string()), Ok(rule));
    }

    #[test]
    fn dotted_u32_is_a_host_rule(n in any::<u32>()) {
        let ip = Ipv4Addr::from(n);
        let rule = IpRule::parse(&ip.to_string()).unwrap();
        prop_assert_eq!(rule.net(), IpNet::V4(Ipv4Net::new(ip, 32).unwrap()));
        prop_assert!(rule.contains(IpAddr::V4(ip)));
    }

    #[test]
    fn never_panics(s in "\\PC*", t in "[0-9a-fA-F:./%\\[\\] +-]{0,45}") {
        let _ = IpRule::parse(&s);
        let _ = IpRule::parse(&t);
        let _ = parse_list(&format!("{s}\n{t}"));
    }
}
