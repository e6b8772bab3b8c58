//! The account's access policy for countries and websites: a mode and a
//! list. Pure values; the gate (`crate::gate`) applies them.

use std::{collections::BTreeSet, sync::Arc};

use super::country::CountryCode;
use super::website::{PageUrl, SiteList};

/// How a list applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListMode {
    /// The list is kept but not applied.
    #[default]
    Off,
    /// Only what is on the list may use the chat.
    Allow,
    /// What is on the list may not use the chat.
    Block,
}

impl ListMode {
    pub const ALL: [ListMode; 3] = [ListMode::Off, ListMode::Allow, ListMode::Block];

    pub fn parse(s: &str) -> Option<ListMode> {
        match s {
            "off" => Some(ListMode::Off),
            "allow" => Some(ListMode::Allow),
            "block" => Some(ListMode::Block),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListMode::Off => "off",
            ListMode::Allow => "allow",
            ListMode::Block => "block",
        }
    }

    /// Applies the mode to whether the visitor is on the list: true means
    /// the list refuses the visitor.
    pub fn refuses(self, listed: bool) -> bool {
        match self {
            ListMode::Off => false,
            ListMode::Allow => !listed,
            ListMode::Block => listed,
        }
    }
}

/// Countries: a mode, the selected countries, and whether an address with
/// no known country (private, loopback, unallocated or missing from the
/// database) counts as selected. So "Allow only" refuses unknown addresses
/// unless "Unknown location" is selected, and "Block" serves them unless it
/// is selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountryPolicy {
    pub mode: ListMode,
    pub countries: BTreeSet<CountryCode>,
    pub unknown: bool,
}

impl CountryPolicy {
    /// Whether a visitor from `country` (None: unknown) is refused.
    pub fn refuses(&self, country: Option<CountryCode>) -> bool {
        let listed = match country {
            Some(c) => self.countries.contains(&c),
            None => self.unknown,
        };
        self.mode.refuses(listed)
    }
}

/// Where the widget is being used, as far as the request shows it.
#[derive(Debug, Clone)]
pub enum Page {
    /// The page address, consistent with the request's Origin or Referer.
    Known(Arc<PageUrl>),
    /// No page address was reported and the headers show none.
    Unknown,
    /// The reported page address contradicts the Origin or Referer.
    Mismatch,
}

/// Websites: a mode and the listed sites.
#[derive(Debug, Default)]
pub struct SitePolicy {
    pub mode: ListMode,
    pub sites: SiteList,
}

impl SitePolicy {
    /// Whether the page is refused. When a list applies, a page that
    /// cannot be established is refused in "Allow only" mode and served in
    /// "Block" mode; a contradicted page is refused in either.
    pub fn refuses(&self, page: &Page) -> bool {
        match (self.mode, page) {
            (ListMode::Off, _) => false,
            (_, Page::Mismatch) => true,
            (mode, Page::Known(url)) => mode.refuses(self.sites.find(url).is_some()),
            (mode, Page::Unknown) => mode == ListMode::Allow,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_apply_lists() {
        for (mode, listed, refused) in [
            (ListMode::Off, true, false),
            (ListMode::Off, false, false),
            (ListMode::Allow, true, false),
            (ListMode::Allow, false, true),
            (ListMode::Block, true, true),
            (ListMode::Block, false, false),
        ] {
            assert_eq!(mode.refuses(listed), refused, "{mode:?} {listed}");
        }
        for m in ListMode::ALL {
            assert_eq!(ListMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(ListMode::parse("Allow"), None);
    }

    #[test]
    fn unknown_country_follows_its_own_choice() {
        let de = CountryCode::parse("DE").unwrap();
        let fr = CountryCode::parse("FR").unwrap();
        let mut p = CountryPolicy {
            mode: ListMode::Allow,
            countries: [de].into_iter().collect(),
            unknown: false,
        };
        assert!(!p.refuses(Some(de)));
        assert!(p.refuses(Some(fr)));
        assert!(p.refuses(None), "allow-only refuses unknown by default");
        p.unknown = true;
        assert!(!p.refuses(None));
        p.mode = ListMode::Block;
        assert!(p.refuses(Some(de)));
        assert!(!p.refuses(Some(fr)));
        assert!(p.refuses(None), "unknown selected in block mode");
        p.unknown = false;
        assert!(!p.refuses(None));
    }

    #[test]
    fn sites_refuse_contradicted_and_unknown_pages() {
        let sites =
            SiteList::new([super::super::website::SitePattern::parse("shop.example").unwrap()]);
        let mut p = SitePolicy {
            mode: ListMode::Allow,
            sites,
        };
        let ok = Page::Known(Arc::new(
            PageUrl::parse("https://shop.example/cart").unwrap(),
        ));
        let other = Page::Known(Arc::new(PageUrl::parse("https://evil.example/").unwrap()));
        assert!(!p.refuses(&ok));
        assert!(p.refuses(&other));
        assert!(p.refuses(&Page::Unknown));
        assert!(p.refuses(&Page::Mismatch));
        p.mode = ListMode::Block;
        assert!(p.refuses(&ok));
        assert!(!p.refuses(&other));
        assert!(!p.refuses(&Page::Unknown));
        assert!(p.refuses(&Page::Mismatch));
        p.mode = ListMode::Off;
        assert!(!p.refuses(&Page::Mismatch));
    }
}
