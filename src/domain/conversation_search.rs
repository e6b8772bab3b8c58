//! The Conversations tab's filters: the GET form as typed, checked into
//! [`Filters`] the queries take, and the search words turned into a
//! full-text query that cannot carry the database's query syntax.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::{block::BlockingFilter, time_zone::TimeZone};

/// At most this many characters of search text.
pub const MAX_SEARCH: usize = 200;
/// At most this many words are searched for; the rest are ignored.
pub const MAX_WORDS: usize = 12;

pub const NO_WORDS: &str = "Type a word or a name to search for: punctuation alone finds nothing.";
pub const TOO_LONG: &str = "The search text is too long: use at most 200 characters.";
pub const BAD_STATUS: &str = "Choose a status from the list: waiting, active or closed.";
pub const BAD_AGENT: &str = "Choose an agent from the list.";
pub const BAD_FROM: &str = "The From date is not a date: use the form 2026-11-29.";
pub const BAD_TO: &str = "The To date is not a date: use the form 2026-11-29.";
pub const FROM_AFTER_TO: &str = "The From date is after the To date.";

/// A conversation's status as the filter names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Waiting,
    Active,
    Closed,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Waiting, Status::Active, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Active => "Active",
            Self::Closed => "Closed",
        }
    }
}

/// The form as typed; every field may be missing or anything at all.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub q: String,
    pub from: String,
    pub to: String,
    pub status: String,
    pub agent: String,
    pub blocking: String,
}

/// What the list and the export select: all of it at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub blocking: BlockingFilter,
    /// Search words (letters and digits, and a final `*` on a prefix),
    /// all of which must occur.
    pub words: Vec<String>,
    pub status: Option<Status>,
    pub agent: Option<i64>,
    /// Started at or after this UTC time.
    pub from: Option<NaiveDateTime>,
    /// Started before this UTC time (the start of the day after "To").
    pub until: Option<NaiveDateTime>,
}

/// The words of a search text: runs of letters and digits, lower-cased,
/// at most [`MAX_WORDS`]. A `*` right after a word asks for every word
/// that starts so (`refu*` finds "refund") and stays on it as its last
/// character; everything else (quotes, `-`, brackets, a lone `*`) only
/// separates words, so no query syntax survives.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() && out.len() < MAX_WORDS {
            if c == '*' {
                word.push('*');
            }
            out.push(std::mem::take(&mut word));
        }
        word.clear();
    }
    out
}

fn date(raw: &str, bad: &'static str) -> Result<Option<NaiveDate>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if (1970..=9998).contains(&chrono::Datelike::year(&d)) => Ok(Some(d)),
        _ => Err(bad),
    }
}

impl Form {
    /// The form and where the page starts from a query string as
    /// browsers and people send it: unknown fields are ignored and a field
    /// given twice keeps its last value, so `?q=a&q=b` searches for "b"
    /// instead of failing the whole request. A cursor that does not read
    /// (or an old `page=N` link) starts at the newest.
    pub fn from_query(query: &str) -> (Self, Cursor) {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let mut form = Self::default();
        let mut cursor = Cursor::Newest;
        for (k, v) in pairs {
            match k.as_str() {
                "q" => form.q = v,
                "from" => form.from = v,
                "to" => form.to = v,
                "status" => form.status = v,
                "agent" => form.agent = v,
                "blocking" => form.blocking = v,
                "older" => cursor = Key::parse(&v).map_or(Cursor::Newest, Cursor::Older),
                "newer" => cursor = Key::parse(&v).map_or(Cursor::Newest, Cursor::Newer),
                _ => {}
            }
        }
        (form, cursor)
    }

    /// The filters, or every reason the form is refused. `agents` are the
    /// ids of the account's users; dates are days in `zone`.
    pub fn parse(&self, zone: TimeZone, agents: &[i64]) -> Result<Filters, Vec<&'static str>> {
        let mut errors = Vec::new();
        let mut f = Filters {
            blocking: self.blocking(),
            ..Filters::default()
        };
        let q = self.q.trim();
        if q.chars().count() > MAX_SEARCH {
            errors.push(TOO_LONG);
        } else {
            f.words = words(q);
            if !q.is_empty() && f.words.is_empty() {
                errors.push(NO_WORDS);
            }
        }
        match self.status.trim() {
            "" | "any" => {}
            s => match Status::ALL.into_iter().find(|x| x.as_str() == s) {
                Some(x) => f.status = Some(x),
                None => errors.push(BAD_STATUS),
            },
        }
        match self.agent.trim() {
            "" | "any" => {}
            s => match s.parse::<i64>().ok().filter(|id| agents.contains(id)) {
                Some(id) => f.agent = Some(id),
                None => errors.push(BAD_AGENT),
            },
        }
        let from = date(&self.from, BAD_FROM).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let to = date(&self.to, BAD_TO).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                errors.push(FROM_AFTER_TO);
            }
        }
        f.from = from.map(|d| zone.start_of_day(d));
        f.until = to.map(|d| zone.start_of_day(d + Duration::days(1)));
        if errors.is_empty() {
            Ok(f)
        } else {
            Err(errors)
        }
    }

    /// The form as a query string (without the page), for the pager and
    /// the CSV link: only the fields that hold something.
    pub fn query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("q", &self.q),
            ("from", &self.from),
            ("to", &self.to),
            ("status", &self.status),
            ("agent", &self.agent),
            ("blocking", &self.blocking),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    /// Whether search, dates, status or agent narrow the list.
    pub fn searches(&self) -> bool {
        [&self.q, &self.from, &self.to, &self.status, &self.agent]
            .iter()
            .any(|v| !v.trim().is_empty() && v.trim() != "any")
    }

    /// Whether anything narrows the list, the blocking status included.
    pub fn narrows(&self) -> bool {
        self.searches() || self.blocking() != BlockingFilter::All
    }

    /// The blocking status asked for (anything unknown reads as All, as
    /// it always has).
    pub fn blocking(&self) -> BlockingFilter {
        BlockingFilter::parse(Some(self.blocking.trim()))
    }
}

impl Filters {
    /// An SQLite FTS5 query: every word quoted (so `OR`, `NOT`, `-` and
    /// brackets are plain text), all required, a word asked for with `*`
    /// as a prefix. `None` without words.
    pub fn fts5(&self) -> Option<String> {
        self.query(|w| format!("\"{}\"", w.replace('"', "\"\"")), "*", " ")
    }

    /// A PostgreSQL `to_tsquery` text: every word quoted, joined by `&`,
    /// a word asked for with `*` as a prefix (`:*`). `None` without words.
    pub fn tsquery(&self) -> Option<String> {
        let quote = |w: &str| format!("'{}'", w.replace('\'', "''").replace('\\', "\\\\"));
        self.query(quote, ":*", " & ")
    }

    /// The words, each `quote`d, joined by `and`, those ending in `*`
    /// followed by `prefix` instead. Whole words by default: a prefix
    /// reads every word that starts so, which costs the index far more.
    /// `None` without words.
    fn query(&self, quote: impl Fn(&str) -> String, prefix: &str, and: &str) -> Option<String> {
        (!self.words.is_empty()).then(|| {
            self.words
                .iter()
                .map(|w| match w.strip_suffix('*') {
                    Some(stem) => quote(stem) + prefix,
                    None => quote(w),
                })
                .collect::<Vec<_>>()
                .join(and)
        })
    }
}

/// A row's place in the list: when it started and its id (a search
/// orders by the id alone, which follows starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub started_at: NaiveDateTime,
    pub id: i64,
}

impl Key {
    /// As a link carries it: the start in microseconds since 1970, a dot,
    /// the id (`1764419100000000.4711`).
    pub fn param(&self) -> String {
        format!(
            "{}.{}",
            self.started_at.and_utc().timestamp_micros(),
            self.id
        )
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let (at, id) = raw.trim().split_once('.')?;
        let at = chrono::DateTime::from_timestamp_micros(at.parse().ok()?)?.naive_utc();
        Some(Self {
            started_at: at,
            id: id.parse().ok().filter(|id: &i64| *id > 0)?,
        })
    }
}

/// Where a list page starts. Pages are read from a row's key, never by
/// skipping rows, so the thousandth page costs what the first does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cursor {
    /// The newest rows.
    #[default]
    Newest,
    /// The rows listed after this one ("Older →").
    Older(Key),
    /// The rows listed before this one ("← Newer").
    Newer(Key),
}

/// How many conversations the filters select; `more` when counting
/// stopped at `n` with more left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub n: i64,
    pub more: bool,
}

impl Total {
    /// The total the list shows: "1 conversation", "1,234
    /// conversations", "More than 1,000 conversations".
    pub fn text(self) -> String {
        let noun = if self.n == 1 && !self.more {
            "conversation"
        } else {
            "conversations"
        };
        let n = super::number::thousands(self.n);
        if self.more {
            format!("More than {n} {noun}")
        } else {
            format!("{n} {noun}")
        }
    }
}

#[cfg(test)]
#[path = "conversation_search_tests.rs"]
mod tests;
