//! Tests of `website.rs`.
use super::*;
use proptest::prelude::*;

fn page(url: &str) -> PageUrl {
    PageUrl::parse(url).unwrap_or_else(|| panic!("page {url}"))
}

#[test]
fn matching_table() {
    // Each row: a pattern, then pages it matches (+) and does not (-).
    for row in [
        "abc.com: +https://abc.com/ +http://ABC.com:8080/x +https://user:pw@abc.com/ +https://abc.com./",
        "abc.com: -https://yyyabc.com/ -https://abc.com.evil.net/ -https://sub.abc.com/ -https://abc.co/",
        "Example.COM.: +https://example.com/ +https://EXAMPLE.com.:443/a -https://example.com.au/",
        "*.abc.com: +https://x.abc.com/ +https://a.b.abc.com/p +https://X.ABC.com.:444/",
        "*.abc.com: -https://abc.com/ -https://xabc.com/ -https://x.abc.com.evil.net/ -https://x.abc.co/",
        "bücher.de: +https://xn--bcher-kva.de/ +https://BÜCHER.de/ -https://bucher.de/",
        "xn--bcher-kva.de: +https://bücher.de/x",
        "*.bücher.de: +https://shop.xn--bcher-kva.de/ -https://bücher.de/",
        "example.com/help: +https://example.com/help +https://example.com/help/ +https://example.com/help/faq",
        "example.com/help: +https://example.com/help?x=1#y -https://example.com/helpdesk",
        "example.com/help: -https://example.com/Help -https://example.com/ -https://other.com/help",
        "example.com/help/: -https://example.com/help +https://example.com/help/faq",
        "https://example.com/help/: +http://example.com:81/help/x",
        "example.com:8080/help: +https://example.com/help",
        "example.com/%C3%A9: +https://example.com/é/x +https://example.com/%c3%a9 -https://example.com/e",
        "example.com/%68elp: +https://example.com/help -https://example.com/%2Fhelp",
        "*.example.com/help: +https://www.example.com/help/x -https://www.example.com/other",
        "203.0.113.7: +http://203.0.113.7:8080/ -http://203.0.113.70/ -http://[::ffff:203.0.113.7]/",
        "[2001:db8::1]: +http://[2001:DB8:0::1]/ -http://[2001:db8::2]/",
    ] {
        let (pattern, urls) = row.split_once(": ").unwrap();
        let p = SitePattern::parse(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        let list = SiteList::new([SitePattern::parse("other.example").unwrap(), p.clone()]);
        for token in urls.split(' ') {
            let (expected, url) = (token.starts_with('+'), page(&token[1..]));
            assert_eq!(p.matches(&url), expected, "{pattern} vs {url:?}");
            assert_eq!(list.find(&url), expected.then_some(&p), "list {pattern} vs {url:?}");
        }
    }
}

#[test]
fn canonical_text() {
    for (input, shown) in [
        ("Example.COM", "example.com"),
        ("https://example.com/help/", "example.com/help/"),
        ("HTTP://Example.com/?q=1#top", "example.com"),
        ("example.com:8080/help", "example.com/help"),
        ("https:example.com", "example.com"),
        ("*.Example.com", "*.example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("example.com.", "example.com"),
        ("localhost:3000", "localhost"),
        ("203.0.113.7:80", "203.0.113.7"),
        ("[2001:DB8::1]:443/x", "[2001:db8::1]/x"),
        ("example.com/a/../b", "example.com/b"),
    ] {
        let p = SitePattern::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.to_string(), shown, "{input}");
        assert_eq!(SitePattern::parse(shown), Ok(p), "round trip of {shown}");
    }
}

#[test]
fn parse_errors() {
    let long_label = format!("{}.com", "a".repeat(64));
    let long_host = format!("{}.com", vec!["a".repeat(60); 5].join("."));
    for (input, message) in [
        ("  ", "Enter a website, such as example.com or *.example.com"),
        ("https://", "Enter a website"),
        ("*", "* alone would match every website: enter a domain, such as *.example.com"),
        ("https://*./x", "* alone would match every website"),
        ("*.com", "*.com is too broad: a wildcard needs a domain with at least two parts after it, as in *.example.com"),
        ("ex*ample.com", "ex*ample.com has * in the wrong place: a wildcard is only allowed at the start, as in *.example.com"),
        ("*example.com", "has * in the wrong place"),
        ("a.*.example.com", "has * in the wrong place"),
        ("example.com/*", "has * in the wrong place"),
        ("exa mple.com", "exa mple.com contains a space: enter one website per line"),
        ("ftp://example.com", "ftp://example.com uses the ftp scheme: only http and https websites can be listed"),
        ("javascript:alert(1)", "uses the javascript scheme"),
        ("user@example.com", "user@example.com contains a user name (the part before @): enter only the website, such as example.com"),
        ("https://user:pw@example.com", "contains a user name"),
        ("user:pw@example.com", "contains a user name"),
        ("_a.example.com", "_a.example.com is not a valid host name: _a may only contain letters, digits, hyphens and underscores, and must start and end with a letter or digit"),
        ("a-.example.com", "a- may only contain"),
        ("exa!mple.com", "exa!mple may only contain"),
        ("example..com", "example..com is not a valid website address"),
        (".", ". is not a valid website address"),
        (&long_label, "each part between dots can be at most 63 characters"),
        (&long_host, "it can be at most 253 characters"),
        ("example.com:99999", "example.com:99999 has an invalid port number"),
        ("2001:db8::1", "2001:db8::1 looks like an IPv6 address: put it in brackets, such as [2001:db8::1]"),
        ("*.203.0.113.7", "*.203.0.113.7 puts a wildcard before an IP address"),
        ("10.1", "10.1 is an unusual way to write the IPv4 address 10.0.0.1: write 10.0.0.1"),
        ("0x7f.1", "the IPv4 address 127.0.0.1"),
        ("example.999", "example.999 is not a valid website address"),
        ("[::1", "is not a valid website address"),
    ] {
        let err = SitePattern::parse(input).expect_err(input).to_string();
        assert!(err.contains(message), "{input}: got {err:?}");
    }
}

#[test]
fn origins() {
    // Each row: an Origin or Referer header, a page URL, their origin.
    for row in [
        "https://example.com:443 | https://example.com/x | https://example.com",
        "http://example.com:80 | http://EXAMPLE.com/ | http://example.com",
        "https://example.com:8443 | https://example.com:8443/a?b | https://example.com:8443",
        "https://bücher.de | https://xn--bcher-kva.de/ | https://xn--bcher-kva.de",
        "https://example.com/page?x#y | https://user@example.com | https://example.com",
        "http://[2001:DB8::1]:8080 | http://[2001:db8::1]:8080/ | http://[2001:db8::1]:8080",
    ] {
        let [header, url, origin] =
            <[&str; 3]>::try_from(row.split(" | ").collect::<Vec<_>>()).unwrap();
        let got = origin_of(&format!(" {header} "));
        assert_eq!(got.as_deref(), Some(origin), "{header}");
        assert_eq!(page(url).origin(), origin, "{url}");
    }
    let bad = "null||garbage|example.com|ftp://example.com|file:///etc/passwd|data:text/plain,hi";
    for bad in bad.split('|') {
        assert!(
            origin_of(bad).is_none() && PageUrl::parse(bad).is_none(),
            "{bad}"
        );
    }
    let p = page("https://Sub.Example.COM./a/b?c");
    assert_eq!((p.host(), p.path()), ("sub.example.com", "/a/b"));
}

#[test]
fn list_report_and_order() {
    let text = "# partners\r\nexample.com\r\n\r\n*.example.com\nbad site\nEXAMPLE.com/\n\
        ftp://x.org\nexample.com/help\n  #indented comment\n";
    let (ok, bad) = parse_list(text);
    let ok: Vec<_> = ok
        .iter()
        .map(|s| format!("{}: {}", s.line, s.pattern))
        .collect();
    assert_eq!(
        ok,
        ["2: example.com", "4: *.example.com", "8: example.com/help"]
    );
    let bad: Vec<_> = bad
        .iter()
        .map(|r| format!("{}: {} => {}", r.line, r.text, r.reason))
        .collect();
    assert_eq!(bad, [
        "5: bad site => bad site contains a space: enter one website per line",
        "6: EXAMPLE.com/ => Duplicate of line 2",
        "7: ftp://x.org => ftp://x.org uses the ftp scheme: only http and https websites can be listed",
    ]);
    let (ok, bad) = parse_list(&"a.example\n".repeat(MAX_SITES + 10));
    assert_eq!((ok.len(), bad.len()), (1, MAX_SITES));
    let too_long = "The list is too long: it can have at most 5000 websites";
    assert_eq!(bad[MAX_SITES - 1].reason, too_long);
    // The first matching pattern wins, whichever index holds it.
    let patterns = ["*.example.com", "www.example.com", "example.com/x"];
    let list = SiteList::new(patterns.map(|p| SitePattern::parse(p).unwrap()));
    assert_eq!((list.len(), list.is_empty()), (3, false));
    let found = list.find(&page("https://www.example.com/"));
    assert_eq!(
        found.map(ToString::to_string).as_deref(),
        Some("*.example.com")
    );
    assert_eq!(list.find(&page("https://example.com/y")), None);
    assert!(SiteList::new([]).is_empty());
}

proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC*", t in "[a-z*.:/@\\[\\]%#?0-9-]{0,30}") {
        for input in [&s, &t] {
            let _ = SitePattern::parse(input);
            let _ = PageUrl::parse(input);
            let _ = origin_of(input);
        }
        let _ = parse_list(&format!("{s}\n{t}"));
    }

    #[test]
    fn display_round_trips(text in "(\\*\\.)?[a-z][a-z0-9]{0,8}(\\.[a-z][a-z0-9]{0,8}){1,3}(/[a-z0-9]{1,6}){0,3}/?") {
        let pattern = SitePattern::parse(&text).unwrap();
        prop_assert_eq!(SitePattern::parse(&pattern.to_string()), Ok(pattern.clone()));
        let url = format!("https://{}", text.trim_start_matches("*."));
        prop_assert_eq!(pattern.matches(&page(&url)), !text.starts_with('*'));
    }
}

#[test]
fn list_refusals_share_the_ip_list_kinds() {
    let (_, bad) = parse_list("example.com\nbad site\nexample.com/\n");
    let kinds: Vec<_> = bad.iter().map(|r| (r.line, r.kind)).collect();
    assert_eq!(
        kinds,
        [(2, Refusal::Invalid), (3, Refusal::Repeat { first: 1 })]
    );
}
