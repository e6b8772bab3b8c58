//! The languages the visitor widget speaks, which one a visitor gets, and
//! what a manager chose for the account: its default, the languages the
//! widget may offer, and greetings of their own per language.
//!
//! A visitor's language is negotiated from `Accept-Language` (RFC 4647
//! filtering by fluent-langneg: `de-AT` finds `de`), among the languages the
//! account offers, falling back to the account's default.

use std::collections::BTreeMap;

use fluent_langneg::{negotiate_languages, NegotiationStrategy};
use fluent_templates::LanguageIdentifier;

use super::account::InvalidInput;

/// A language with a catalogue under `locales/<code>/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    En,
    De,
    Fr,
    Es,
    It,
    Nl,
    Pt,
    Pl,
    Uk,
    Tr,
    Ar,
    Ja,
}

/// Every language: code, its name in itself, whether it is written right
/// to left, and its name in English (for the agents). The order is the settings page's.
const TABLE: [(Lang, &str, &str, bool, &str); 12] = [
    (Lang::En, "en", "English", false, "English"),
    (Lang::De, "de", "Deutsch", false, "German"),
    (Lang::Fr, "fr", "Français", false, "French"),
    (Lang::Es, "es", "Español", false, "Spanish"),
    (Lang::It, "it", "Italiano", false, "Italian"),
    (Lang::Nl, "nl", "Nederlands", false, "Dutch"),
    (Lang::Pt, "pt", "Português", false, "Portuguese"),
    (Lang::Pl, "pl", "Polski", false, "Polish"),
    (Lang::Uk, "uk", "Українська", false, "Ukrainian"),
    (Lang::Tr, "tr", "Türkçe", false, "Turkish"),
    (Lang::Ar, "ar", "العربية", true, "Arabic"),
    (Lang::Ja, "ja", "日本語", false, "Japanese"),
];

impl Lang {
    pub const ALL: [Lang; 12] = [
        Lang::En,
        Lang::De,
        Lang::Fr,
        Lang::Es,
        Lang::It,
        Lang::Nl,
        Lang::Pt,
        Lang::Pl,
        Lang::Uk,
        Lang::Tr,
        Lang::Ar,
        Lang::Ja,
    ];

    fn row(self) -> &'static (Lang, &'static str, &'static str, bool, &'static str) {
        &TABLE[self as usize]
    }

    /// The BCP 47 code: `de`.
    pub fn code(self) -> &'static str {
        self.row().1
    }

    /// The language's name in itself: `Deutsch`.
    pub fn endonym(self) -> &'static str {
        self.row().2
    }

    /// The language's name in English: `German`.
    pub fn english(self) -> &'static str {
        self.row().4
    }

    /// `rtl` or `ltr`, for the `dir` attribute.
    pub fn dir(self) -> &'static str {
        if self.row().3 {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The language of a code, exactly as [`Lang::code`] writes it.
    pub fn parse(code: &str) -> Option<Lang> {
        TABLE.iter().find(|r| r.1 == code).map(|r| r.0)
    }
}

/// The most languages of an `Accept-Language` header that are read.
const MAX_ASKED: usize = 20;

/// The languages an `Accept-Language` header asks for, most wanted first:
/// by weight (`q`), then in the header's order; `q=0` and `*` dropped, and
/// what does not read skipped.
fn preferences(header: &str) -> Vec<LanguageIdentifier> {
    let mut asked: Vec<(f32, usize, LanguageIdentifier)> = header
        .split(',')
        .take(MAX_ASKED)
        .enumerate()
        .filter_map(|(i, part)| {
            let mut fields = part.split(';');
            let tag = fields.next()?.trim();
            let q = match fields.find_map(|f| f.trim().strip_prefix("q=")) {
                Some(v) => v.trim().parse::<f32>().ok()?,
                None => 1.0,
            };
            if q <= 0.0 || tag == "*" {
                return None;
            }
            Some((q, i, tag.parse().ok()?))
        })
        .collect();
    asked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    asked.into_iter().map(|(_, _, id)| id).collect()
}

/// The most a greeting may be, in characters.
pub const GREETING_MAX: usize = 120;

/// What a manager chose for the widget's languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WidgetLanguages {
    /// For visitors whose browser asks for none of the offered languages.
    pub default: Lang,
    /// The languages the widget may answer in (always holds `default`).
    pub offered: Vec<Lang>,
    /// The manager's own "We usually answer within minutes", per language.
    pub greetings: BTreeMap<Lang, String>,
}

impl Default for WidgetLanguages {
    fn default() -> Self {
        Self {
            default: Lang::En,
            offered: Lang::ALL.to_vec(),
            greetings: BTreeMap::new(),
        }
    }
}

impl WidgetLanguages {
    /// Checks what a manager entered: a default among the offered
    /// languages, at least one language, greetings of at most
    /// [`GREETING_MAX`] characters on one line (empty ones are dropped).
    pub fn new(
        default: &str,
        offered: &[&str],
        greetings: &[(&str, &str)],
    ) -> Result<Self, InvalidInput> {
        let default = Lang::parse(default).ok_or(InvalidInput("Choose the default language."))?;
        let mut langs: Vec<Lang> = offered.iter().filter_map(|c| Lang::parse(c)).collect();
        langs.sort();
        langs.dedup();
        if langs.is_empty() {
            return Err(InvalidInput("Offer at least one language."));
        }
        if !langs.contains(&default) {
            return Err(InvalidInput(
                "The default language must be one of the languages offered.",
            ));
        }
        let mut kept = BTreeMap::new();
        for (code, text) in greetings {
            let Some(lang) = Lang::parse(code) else {
                continue;
            };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            if text.chars().count() > GREETING_MAX {
                return Err(InvalidInput("A greeting can be at most 120 characters."));
            }
            if text.chars().any(char::is_control) {
                return Err(InvalidInput("A greeting must be one line of text."));
            }
            kept.insert(lang, text.to_owned());
        }
        Ok(Self {
            default,
            offered: langs,
            greetings: kept,
        })
    }

    /// The visitor's language: the first of the browser's preferences
    /// (`Accept-Language`, in its order) that an offered language serves,
    /// else the default.
    pub fn negotiate(&self, accept_language: &str) -> Lang {
        let requested = preferences(accept_language);
        let available: Vec<LanguageIdentifier> = self
            .offered
            .iter()
            .filter_map(|l| l.code().parse().ok())
            .collect();
        let found =
            negotiate_languages(&requested, &available, None, NegotiationStrategy::Filtering);
        found
            .first()
            .and_then(|id| Lang::parse(id.language.as_str()))
            .unwrap_or(self.default)
    }

    /// The greeting a visitor in `lang` reads: the manager's, if any.
    pub fn greeting(&self, lang: Lang) -> Option<&str> {
        self.greetings.get(&lang).map(String::as_str)
    }

    /// Stored form of the offered languages: `de,en,fr`.
    pub fn offered_csv(&self) -> String {
        let codes: Vec<&str> = self.offered.iter().map(|l| l.code()).collect();
        codes.join(",")
    }

    /// Stored form of the greetings: a JSON object by language code.
    pub fn greetings_json(&self) -> String {
        let map: BTreeMap<&str, &str> = self
            .greetings
            .iter()
            .map(|(l, t)| (l.code(), t.as_str()))
            .collect();
        serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
    }

    /// Rebuilds stored settings; what cannot be read falls back to the
    /// defaults (every language, English first).
    pub fn from_stored(default: &str, offered: &str, greetings: &str) -> Self {
        let codes: Vec<&str> = offered.split(',').filter(|c| !c.is_empty()).collect();
        let texts: BTreeMap<String, String> = serde_json::from_str(greetings).unwrap_or_default();
        let pairs: Vec<(&str, &str)> = texts
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let all: Vec<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
        let offered = if codes.is_empty() { all } else { codes };
        Self::new(default, &offered, &pairs).unwrap_or_default()
    }

    /// One sentence for the audit log and the flash.
    pub fn summary(&self) -> String {
        let names: Vec<&str> = self.offered.iter().map(|l| l.endonym()).collect();
        format!(
            "Widget languages: {} by default; offered: {}; {} greeting(s) of your own",
            self.default.endonym(),
            names.join(", "),
            self.greetings.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(codes: &[&str], default: &str) -> WidgetLanguages {
        WidgetLanguages::new(default, codes, &[]).unwrap()
    }

    #[test]
    fn a_regional_preference_finds_its_language() {
        let all = WidgetLanguages::default();
        assert_eq!(all.negotiate("de-AT,de;q=0.9,en;q=0.8"), Lang::De);
        assert_eq!(all.negotiate("de-AT"), Lang::De);
        assert_eq!(all.negotiate("pt-BR"), Lang::Pt);
        assert_eq!(all.negotiate("ar-EG,ar;q=0.9"), Lang::Ar);
        assert_eq!(all.negotiate("ja-JP"), Lang::Ja);
    }

    #[test]
    fn the_browsers_order_and_weights_decide() {
        let all = WidgetLanguages::default();
        assert_eq!(all.negotiate("fr;q=0.5, nl;q=0.9"), Lang::Nl);
        assert_eq!(all.negotiate("sv, fr;q=0.8, de;q=0.7"), Lang::Fr);
        assert_eq!(all.negotiate("uk, en;q=0.5"), Lang::Uk);
        assert_eq!(
            all.negotiate("de;q=0, fr;q=0.1"),
            Lang::Fr,
            "q=0 is a refusal"
        );
        let huge = format!("{}, de", "xx-XX, ".repeat(5000));
        assert_eq!(all.negotiate(&huge), Lang::En, "only the first 20 are read");
    }

    #[test]
    fn nothing_offered_matches_gives_the_accounts_default() {
        let fr = only(&["en", "fr"], "fr");
        assert_eq!(fr.negotiate("de-AT,de;q=0.9"), Lang::Fr);
        assert_eq!(fr.negotiate(""), Lang::Fr);
        assert_eq!(fr.negotiate("*"), Lang::Fr);
        assert_eq!(fr.negotiate("garbage;;;q=x"), Lang::Fr);
        assert_eq!(fr.negotiate("en-GB"), Lang::En);
    }

    #[test]
    fn a_language_not_offered_is_not_given_even_if_asked_first() {
        let limited = only(&["en", "es"], "en");
        assert_eq!(limited.negotiate("de, es;q=0.5"), Lang::Es);
        assert_eq!(limited.negotiate("ar"), Lang::En);
    }

    #[test]
    fn the_settings_refuse_a_default_not_offered_or_nothing_offered() {
        assert!(WidgetLanguages::new("de", &["en", "fr"], &[]).is_err());
        assert!(WidgetLanguages::new("en", &[], &[]).is_err());
        assert!(WidgetLanguages::new("xx", &["en"], &[]).is_err());
        let long = "a".repeat(GREETING_MAX + 1);
        assert!(WidgetLanguages::new("en", &["en"], &[("en", &long)]).is_err());
        assert!(WidgetLanguages::new("en", &["en"], &[("en", "two\nlines")]).is_err());
    }

    #[test]
    fn the_settings_round_trip_through_their_stored_form() {
        let w = WidgetLanguages::new(
            "de",
            &["fr", "de", "de", "ar"],
            &[("de", "  Wir antworten sofort  "), ("fr", ""), ("xx", "no")],
        )
        .unwrap();
        assert_eq!(w.offered, vec![Lang::De, Lang::Fr, Lang::Ar]);
        assert_eq!(w.greeting(Lang::De), Some("Wir antworten sofort"));
        assert_eq!(w.greeting(Lang::Fr), None);
        let back = WidgetLanguages::from_stored("de", &w.offered_csv(), &w.greetings_json());
        assert_eq!(back, w);
        assert_eq!(
            WidgetLanguages::from_stored("en", "", "not json"),
            WidgetLanguages::default()
        );
    }

    #[test]
    fn arabic_is_written_right_to_left_and_codes_round_trip() {
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::Ja.dir(), "ltr");
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Some(l));
        }
    }
}
