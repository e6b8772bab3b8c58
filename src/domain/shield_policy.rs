//! The offensive-language shield as an account sets it: on or off, its
//! list (the bundled default until the manager saves one), and what
//! happens at N strikes (matching messages) in one conversation.

use std::sync::{Arc, OnceLock};

use super::shield::{default_patterns, Shield};

/// Strikes in one conversation before the manager's action, by default.
pub const DEFAULT_STRIKES: u32 = 3;
/// The most patterns a list may hold.
pub const MAX_PATTERNS: usize = 5_000;
/// The longest pattern.
pub const MAX_PATTERN_CHARS: usize = 100;

/// The one line a warned visitor reads.
pub const WARNING: &str =
    "Please keep the conversation respectful. Messages with offensive language are hidden from our team.";

/// The block reason offered at the strikes.
pub fn block_reason(strikes: u32) -> String {
    format!("Offensive language ({strikes} strikes)")
}

/// What happens when a conversation reaches the strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StrikeAction {
    Nothing,
    /// The visitor is warned, once, with a neutral line.
    Warn,
    /// The conversation ends.
    End,
    /// The agents are offered Block, its reason filled in.
    #[default]
    OfferBlock,
}

impl StrikeAction {
    pub const ALL: [StrikeAction; 4] = [
        StrikeAction::Nothing,
        StrikeAction::Warn,
        StrikeAction::End,
        StrikeAction::OfferBlock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StrikeAction::Nothing => "nothing",
            StrikeAction::Warn => "warn",
            StrikeAction::End => "end",
            StrikeAction::OfferBlock => "offer_block",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StrikeAction::Nothing => "Nothing more: the words stay masked",
            StrikeAction::Warn => "Warn the visitor, once, with a neutral line",
            StrikeAction::End => "End the conversation",
            StrikeAction::OfferBlock => "Offer the agents Block, with the reason filled in",
        }
    }
}

/// The bundled default list, compiled once per process.
pub fn default_shield() -> Arc<Shield> {
    static DEFAULT: OnceLock<Arc<Shield>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| Arc::new(Shield::new(&default_patterns())))
        .clone()
}

/// An account's shield, as the gate holds it.
#[derive(Debug, Clone)]
pub struct ShieldPolicy {
    pub enabled: bool,
    pub shield: Arc<Shield>,
    pub strikes: u32,
    pub action: StrikeAction,
}

impl Default for ShieldPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            shield: default_shield(),
            strikes: DEFAULT_STRIKES,
            action: StrikeAction::default(),
        }
    }
}

impl ShieldPolicy {
    /// The byte ranges of `text` the shield masks (none when it is off).
    pub fn find(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        if self.enabled {
            self.shield.find(text)
        } else {
            Vec::new()
        }
    }
}

/// The list as typed, one pattern per line: trimmed, blank lines and
/// repeats dropped. Too many or too long patterns are refused whole.
pub fn parse_list(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines() {
        let p = line.trim();
        if p.is_empty() || !seen.insert(p) {
            continue;
        }
        if p.chars().count() > MAX_PATTERN_CHARS {
            let start: String = p.chars().take(20).collect();
            return Err(format!(
                "“{start}…” is longer than {MAX_PATTERN_CHARS} characters: one word or phrase per line"
            ));
        }
        out.push(p.to_owned());
    }
    if out.len() > MAX_PATTERNS {
        return Err(format!(
            "The list has {} entries; at most {MAX_PATTERNS} fit",
            out.len()
        ));
    }
    Ok(out)
}

/// Strikes as typed: 1 to 100.
pub fn parse_strikes(text: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=100).contains(n))
        .ok_or_else(|| "Strikes: enter a whole number from 1 to 100".to_owned())
}

/// Masks `text` at `ranges` (as found when it was sent). Ranges that do
/// not fit the text are ignored, never a panic.
pub fn masked(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(a, b) in ranges {
        let fits = a >= at && a <= b && text.is_char_boundary(a) && text.is_char_boundary(b);
        if !fits || b > text.len() {
            continue;
        }
        out.push_str(&text[at..a]);
        out.push_str("••••");
        at = b;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_strikes_parse() {
        assert_eq!(
            parse_list(" spam \n\nspam\nbad word\n").unwrap(),
            ["spam", "bad word"]
        );
        assert!(parse_list(&"x".repeat(101))
            .unwrap_err()
            .contains("longer than 100"));
        let many: String = (0..5_001).map(|i| format!("w{i}\n")).collect();
        assert!(parse_list(&many).unwrap_err().contains("5001 entries"));
        assert_eq!(parse_strikes(" 3 "), Ok(3));
        for bad in ["0", "101", "x", ""] {
            assert!(parse_strikes(bad).is_err(), "{bad}");
        }
        for a in StrikeAction::ALL {
            assert_eq!(StrikeAction::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn masking_follows_the_stored_ranges_and_never_panics() {
        assert_eq!(masked("you idiot!", &[(4, 9)]), "you ••••!");
        assert_eq!(
            masked("é idiot", &[(1, 2)]),
            "é idiot",
            "not a char boundary"
        );
        assert_eq!(masked("short", &[(2, 99)]), "short");
        assert_eq!(masked("a b", &[(2, 3), (0, 1)]), "a ••••", "out of order");
        let p = ShieldPolicy::default();
        assert!(!p.find("you are a cunt").is_empty());
        let off = ShieldPolicy {
            enabled: false,
            ..ShieldPolicy::default()
        };
        assert!(off.find("you are a cunt").is_empty());
        assert_eq!(block_reason(3), "Offensive language (3 strikes)");
    }
}
