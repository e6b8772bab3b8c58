//! ISO 3166-1 countries: the codes a visitor's address resolves to and an
//! account's country rules are written in.
//!
//! Pure: no I/O. The list of countries comes from the `isocountry` crate, so a
//! [`CountryCode`] is always one of the 249 officially assigned alpha-2 codes;
//! user-assigned or reserved codes that geolocation databases use ("EU", "AP",
//! "ZZ", "XK", …) are rejected.

use std::{collections::BTreeSet, fmt, sync::OnceLock};

/// An officially assigned ISO 3166-1 alpha-2 code, stored as two uppercase
/// ASCII letters ("DE").
///
/// Ordered by the code, so sets of codes list as "DE,FR,US".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parses an alpha-2 code, ignoring case and surrounding whitespace.
    ///
    /// Returns `None` for anything that is not an assigned ISO 3166-1 alpha-2
    /// code: wrong length, alpha-3 codes, "EU", "ZZ", …
    pub fn parse(s: &str) -> Option<CountryCode> {
        match *s.trim().as_bytes() {
            [a, b] => CountryCode::from_bytes([a, b]),
            _ => None,
        }
    }

    /// Checks two bytes the same way as [`CountryCode::parse`] (case
    /// insensitive) and returns the code in uppercase.
    pub fn from_bytes(b: [u8; 2]) -> Option<CountryCode> {
        let upper = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
        let code = CountryCode(upper);
        code.iso().map(|_| code)
    }

    /// The code as two uppercase letters, e.g. "DE".
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII letters by construction, so this never fails.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The English short name from ISO 3166-1, e.g. "Germany".
    pub fn name(&self) -> &'static str {
        match self.iso() {
            Some(c) => c.name(),
            None => "",
        }
    }

    /// The flag: the two regional indicator symbols of the code ("🇩🇪"),
    /// which systems show as the flag or as the letters.
    pub fn flag(&self) -> String {
        self.0
            .iter()
            .filter_map(|b| char::from_u32(0x1F1E6 + u32::from(b.checked_sub(b'A')?)))
            .collect()
    }

    /// The `isocountry` entry for this code (always `Some` for a constructed
    /// value).
    fn iso(&self) -> Option<isocountry::CountryCode> {
        if !self.0.iter().all(u8::is_ascii_uppercase) {
            return None;
        }
        isocountry::CountryCode::for_alpha2(std::str::from_utf8(&self.0).ok()?).ok()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every ISO 3166-1 country, sorted by English name without regard to case or
/// accents ("Åland Islands" comes right after "Afghanistan"), as a form lists
/// them. Computed once.
pub fn all() -> &'static [CountryCode] {
    static ALL: OnceLock<Vec<CountryCode>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut codes: Vec<CountryCode> = isocountry::CountryCode::iter()
            .filter_map(|c| CountryCode::parse(c.alpha2()))
            .collect();
        codes.sort_by_cached_key(|c| (sort_key(c.name()), *c));
        codes.dedup();
        codes
    })
}

/// The key names are sorted by: lowercase, with the accented Latin letters
/// that occur in country names folded to their base letter.
fn sort_key(name: &str) -> String {
    name.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à'..='å' => 'a',
            'ç' => 'c',
            'è'..='ë' => 'e',
            'ì'..='ï' => 'i',
            'ñ' => 'n',
            'ò'..='ö' | 'ø' => 'o',
            'ù'..='ü' => 'u',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect()
}

/// Reads a stored comma-separated list such as "DE,FR,us". Unknown codes and
/// empty items are dropped, so a list written by an older version never fails
/// to load.
pub fn parse_set(codes: &str) -> BTreeSet<CountryCode> {
    codes.split(',').filter_map(CountryCode::parse).collect()
}

/// Writes a set as the comma-separated list [`parse_set`] reads: "DE,FR,US"
/// (sorted by code, no spaces; empty for an empty set).
pub fn format_set(set: &BTreeSet<CountryCode>) -> String {
    let mut out = String::with_capacity(set.len() * 3);
    for (i, code) in set.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(code.as_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    #[test]
    fn known_codes_parse_with_their_names() {
        assert_eq!(code("DE").name(), "Germany");
        assert_eq!(code("de"), code("DE"));
        assert_eq!(code(" fR\t").as_str(), "FR");
        assert_eq!(code("US").name(), "United States of America");
        assert_eq!(code("AX").name(), "Åland Islands");
        assert_eq!(code("DE").to_string(), "DE");
        assert_eq!(format!("{}", code("gb")), "GB");
        assert_eq!(code("DE").flag(), "\u{1F1E9}\u{1F1EA}");
        assert_eq!(code("fr").flag(), "🇫🇷");
    }

    #[test]
    fn anything_else_is_rejected() {
        for s in [
            "", " ", "D", "DEU", "XX", "ZZ", "EU", "AP", "XK", "UK", "A1", "--", "d e", "1A", "ÄÖ",
            "De,",
        ] {
            assert_eq!(CountryCode::parse(s), None, "{s:?}");
        }
        assert_eq!(CountryCode::from_bytes(*b"ZZ"), None);
        assert_eq!(CountryCode::from_bytes([0, 0]), None);
        assert_eq!(CountryCode::from_bytes([0xC3, 0x84]), None);
        assert_eq!(CountryCode::from_bytes(*b"de"), Some(code("DE")));
    }

    #[test]
    fn all_is_every_country_sorted_by_name() {
        let all = all();
        assert!(all.len() >= 249, "{}", all.len());
        assert!(std::ptr::eq(all, super::all()), "computed once");
        let keys: Vec<String> = all.iter().map(|c| sort_key(c.name())).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "sorted");
        let unique: BTreeSet<CountryCode> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len(), "no duplicates");
        assert_eq!(all[0].name(), "Afghanistan");
        assert_eq!(all[1], code("AX"), "Åland sorts as Aland");
        for c in ["DE", "FR", "US", "CI", "CW", "RE", "BL", "TW", "GB", "KR"] {
            assert!(all.contains(&code(c)), "{c}");
        }
        assert!(all.iter().all(|c| !c.name().is_empty()));
    }

    #[test]
    fn sets_round_trip() {
        let set = parse_set("DE,FR,us");
        assert_eq!(set.len(), 3);
        assert_eq!(format_set(&set), "DE,FR,US");
        assert_eq!(parse_set(&format_set(&set)), set);
        assert_eq!(format_set(&parse_set("us, fr ,XX,,de,DE,EU,")), "DE,FR,US");
        assert!(parse_set("").is_empty());
        assert_eq!(format_set(&BTreeSet::new()), "");
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_is_canonical(s in "\\PC{0,6}") {
            if let Some(c) = CountryCode::parse(&s) {
                prop_assert_eq!(c.as_str(), s.trim().to_ascii_uppercase());
                prop_assert_eq!(CountryCode::parse(c.as_str()), Some(c));
                prop_assert!(!c.name().is_empty());
            }
        }

        #[test]
        fn any_subset_round_trips(picks in proptest::collection::vec(0usize..249, 0..20)) {
            let all = all();
            let set: BTreeSet<CountryCode> = picks.iter().map(|&i| all[i % all.len()]).collect();
            prop_assert_eq!(parse_set(&format_set(&set)), set);
        }
    }
}
