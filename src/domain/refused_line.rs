//! A refused line of a pasted or uploaded list (IP rules, websites), and why.

/// How many characters of a refused line are shown back.
const MAX_SHOWN_CHARS: usize = 80;

/// The kind of a refused line: one to correct, or one with nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a valid entry: the line needs correcting.
    Invalid,
    /// The same entry as the earlier line `first`, which is imported or
    /// reported on its own: nothing to do.
    Repeat { first: usize },
}

/// A line of a list that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedLine {
    pub line: usize,
    /// The line as typed, trimmed and cut to 80 characters.
    pub text: String,
    pub reason: String,
    pub kind: Refusal,
}

impl RefusedLine {
    /// The refusal of 1-based line `line`, typed as `text` (already trimmed).
    pub fn new(line: usize, text: &str, reason: String, kind: Refusal) -> Self {
        RefusedLine {
            line,
            text: shown(text),
            reason,
            kind,
        }
    }

    /// Line `line` repeats line `first` of the same list.
    pub fn duplicate(line: usize, text: &str, first: usize) -> Self {
        Self::new(
            line,
            text,
            format!("Duplicate of line {first}"),
            Refusal::Repeat { first },
        )
    }

    /// A refusal of the form or list as a whole, not of one of its lines
    /// (line 0, no text).
    pub fn whole(reason: String) -> Self {
        RefusedLine::new(0, "", reason, Refusal::Invalid)
    }
}

/// The input cut to 80 characters, for messages and refused lines.
pub fn shown(s: &str) -> String {
    s.chars().take(MAX_SHOWN_CHARS).collect()
}
