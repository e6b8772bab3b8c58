//! The offensive-language shield's matcher: which words of a visitor's
//! message are on the account's list, however they are disguised, and
//! never inside an innocent word.
//!
//! Text and patterns pass through the same normaliser: lower case,
//! accents dropped (`é` → `e`, `ß` → `ss`), leetspeak digits read as
//! letters (`sh1t`), and everything that is not a letter or digit dropped,
//! so `f.u.c.k` and `f u c k` read `fuck`. Repeated letters collapse
//! (`fuuuck`), but a match must have at least as many of each letter as
//! the pattern (`ass` needs two s: the word `as` is not it). A match must
//! start where a word of the original text starts and end where one ends,
//! so `Scunthorpe`, `class`, `assassin` and `therapist` are left alone.
//! Aho–Corasick finds every pattern in one pass over the text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use unicode_normalization::UnicodeNormalization;

/// The bundled default list's files (`data/shield/`, CC BY 4.0).
pub const DEFAULT_LISTS: [(&str, &str); 9] = [
    ("en", include_str!("../../data/shield/en.json")),
    ("de", include_str!("../../data/shield/de.json")),
    ("fr", include_str!("../../data/shield/fr.json")),
    ("es", include_str!("../../data/shield/es.json")),
    ("it", include_str!("../../data/shield/it.json")),
    ("nl", include_str!("../../data/shield/nl.json")),
    ("pt", include_str!("../../data/shield/pt.json")),
    ("pl", include_str!("../../data/shield/pl.json")),
    ("sv", include_str!("../../data/shield/sv.json")),
];

/// The bundled default list, one pattern per entry, as a new account's
/// shield starts from it.
pub fn default_patterns() -> Vec<String> {
    let mut all: Vec<String> = DEFAULT_LISTS
        .iter()
        .flat_map(|(_, json)| serde_json::from_str::<Vec<String>>(json).unwrap_or_default())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// An ASCII letter, digit or symbol as the matcher reads it.
fn fold_ascii(c: u8) -> u8 {
    match c.to_ascii_lowercase() {
        b'0' => b'o',
        b'1' => b'i',
        b'3' => b'e',
        b'4' => b'a',
        b'5' => b's',
        b'7' => b't',
        b'8' => b'b',
        b'@' => b'a',
        b'$' => b's',
        l => l,
    }
}

/// A letter or digit as the matcher reads it (possibly two letters).
fn fold(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(fold_ascii(c as u8) as char);
        return;
    }
    let lower = c.to_lowercase();
    for l in lower {
        match l {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            '0' => out.push('o'),
            '1' => out.push('i'),
            '3' => out.push('e'),
            '4' => out.push('a'),
            '5' => out.push('s'),
            '7' => out.push('t'),
            '8' => out.push('b'),
            '@' => out.push('a'),
            '$' => out.push('s'),
            _ => {
                // Accents: the base letter of the canonical decomposition.
                for d in l.nfd() {
                    if !('\u{300}'..='\u{36f}').contains(&d) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

/// Part of a word: letters, digits, and the symbols leetspeak uses.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '@' || c == '$'
}

/// One letter of the collapsed stream: the letter, how many times it was
/// repeated, and the original text it covers (byte range) with whether
/// that begins and ends a word.
#[derive(Debug, Clone, Copy)]
struct Run {
    letter: char,
    times: u32,
    from: usize,
    to: usize,
    starts_word: bool,
    ends_word: bool,
}

/// The text as runs of normalised letters.
fn runs(text: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut prev_word = false;
    let mut buf = String::new();
    while let Some((i, c)) = chars.next() {
        if !is_word_char(c) {
            prev_word = false;
            continue;
        }
        let next_word = chars.peek().is_some_and(|(_, n)| is_word_char(*n));
        let at = (i, i + c.len_utf8());
        if c.is_ascii() {
            let letter = fold_ascii(c as u8) as char;
            push(&mut out, letter, at, (!prev_word, !next_word), prev_word);
        } else {
            buf.clear();
            fold(c, &mut buf);
            let n = buf.chars().count();
            for (k, letter) in buf.chars().enumerate() {
                let edges = (k == 0 && !prev_word, k + 1 == n && !next_word);
                push(&mut out, letter, at, edges, k > 0 || prev_word);
            }
        }
        prev_word = true;
    }
    out
}

/// Adds one letter of the original text `at` (byte range): a repeat of
/// the last run when `joined` to it in one word (repeats collapse within a
/// word, not across a space), else a new run. `edges`: whether it starts
/// and ends a word.
fn push(
    out: &mut Vec<Run>,
    letter: char,
    (from, to): (usize, usize),
    (starts_word, ends_word): (bool, bool),
    joined: bool,
) {
    match out.last_mut() {
        Some(r) if joined && r.letter == letter => {
            r.times += 1;
            r.to = to;
            r.ends_word = ends_word;
        }
        _ => out.push(Run {
            letter,
            times: 1,
            from,
            to,
            starts_word,
            ends_word,
        }),
    }
}

/// A compiled list.
#[derive(Debug, Clone)]
pub struct Shield {
    ac: Option<AhoCorasick>,
    /// Each pattern's letters' least repeats, in order.
    times: Vec<Vec<u32>>,
}

impl Shield {
    /// Compiles the patterns (blank ones and those with no letter or digit
    /// are skipped).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Self {
        let mut keys = Vec::new();
        let mut times = Vec::new();
        for p in patterns {
            let r = runs(p.as_ref());
            if r.is_empty() {
                continue;
            }
            keys.push(r.iter().map(|r| r.letter).collect::<String>());
            times.push(r.iter().map(|r| r.times).collect());
        }
        let ac = (!keys.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&keys)
                    .ok()
            })
            .flatten();
        Self { ac, times }
    }

    /// The byte ranges of `text` that match, in order, merged where they
    /// overlap.
    pub fn find(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let Some(ac) = &self.ac else {
            return Vec::new();
        };
        let runs = runs(text);
        let letters: String = runs.iter().map(|r| r.letter).collect();
        // Byte offset in `letters` to run index (the same when all ASCII).
        let starts: Vec<usize> = if letters.is_ascii() {
            Vec::new()
        } else {
            letters.char_indices().map(|(i, _)| i).collect()
        };
        let index = |byte: usize| {
            if starts.is_empty() {
                byte
            } else {
                starts.partition_point(|s| *s < byte)
            }
        };
        let mut found: Vec<std::ops::Range<usize>> = Vec::new();
        for m in ac.find_overlapping_iter(&letters) {
            let (a, b) = (index(m.start()), index(m.end()));
            let (Some(first), Some(last)) =
                (runs.get(a), b.checked_sub(1).and_then(|l| runs.get(l)))
            else {
                continue;
            };
            let need = &self.times[m.pattern().as_usize()];
            let enough = runs[a..b].iter().zip(need).all(|(r, n)| r.times >= *n);
            if enough && first.starts_word && last.ends_word {
                found.push(first.from..last.to);
            }
        }
        found.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
        for r in found {
            match merged.last_mut() {
                Some(m) if r.start <= m.end => m.end = m.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    /// The text with every match replaced by `••••`.
    pub fn mask(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for r in self.find(text) {
            out.push_str(&text[at..r.start]);
            out.push_str("••••");
            at = r.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

#[cfg(test)]
#[path = "shield_tests.rs"]
mod tests;
