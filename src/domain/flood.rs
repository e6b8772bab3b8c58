//! Flood control: how much one visitor network (an address, or its /64)
//! may send an account's chat in a while. Each limit is the manager's, and
//! may be off. A visitor over one is told only to wait a moment.

use std::fmt;

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sending {
    Message,
    Conversation,
    File,
}

impl Sending {
    pub const ALL: [Sending; 3] = [Sending::Message, Sending::Conversation, Sending::File];

    /// The window the limit counts over, in seconds.
    pub fn window_secs(self) -> i64 {
        match self {
            Sending::Message => 60,
            Sending::Conversation => 3_600,
            Sending::File => 600,
        }
    }

    /// The limit a new account starts with.
    pub fn default_limit(self) -> u32 {
        match self {
            Sending::Message => 20,
            Sending::Conversation => 6,
            Sending::File => 10,
        }
    }

    /// The stable name: the counters' key under the `flood` cause, and
    /// the settings form's field.
    pub fn as_str(self) -> &'static str {
        match self {
            Sending::Message => "messages",
            Sending::Conversation => "conversations",
            Sending::File => "files",
        }
    }

    pub fn parse(s: &str) -> Option<Sending> {
        Sending::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How the settings page names the limit.
    pub fn label(self) -> &'static str {
        match self {
            Sending::Message => "Messages per minute",
            Sending::Conversation => "New conversations per hour",
            Sending::File => "Files per 10 minutes",
        }
    }
}

impl fmt::Display for Sending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most a limit may be set to.
pub const MAX_LIMIT: u32 = 10_000;

/// What a flooding visitor reads: never that they are blocked.
pub const SLOW_DOWN: &str = "Please wait a moment before sending more.";

/// Limits hit this many times in an hour by one network are shown to the
/// agents, with Block offered.
pub const REPEAT_OFFENCES: u32 = 3;

/// The line the agents read, and the block reason offered with it.
pub fn repeat_line(times: u32) -> String {
    format!("Sending too fast ({times} times in an hour)")
}

/// An account's limits; `None` is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FloodLimits {
    pub messages: Option<u32>,
    pub conversations: Option<u32>,
    pub files: Option<u32>,
}

impl Default for FloodLimits {
    fn default() -> Self {
        Self {
            messages: Some(Sending::Message.default_limit()),
            conversations: Some(Sending::Conversation.default_limit()),
            files: Some(Sending::File.default_limit()),
        }
    }
}

impl FloodLimits {
    pub fn of(&self, what: Sending) -> Option<u32> {
        match what {
            Sending::Message => self.messages,
            Sending::Conversation => self.conversations,
            Sending::File => self.files,
        }
    }

    /// Stored values back (they were checked when saved; anything out of
    /// range reads as off rather than as a limit nobody chose).
    pub fn from_stored(
        messages: Option<i32>,
        conversations: Option<i32>,
        files: Option<i32>,
    ) -> Self {
        let read = |v: Option<i32>| {
            v.and_then(|n| u32::try_from(n).ok())
                .filter(|n| (1..=MAX_LIMIT).contains(n))
        };
        Self {
            messages: read(messages),
            conversations: read(conversations),
            files: read(files),
        }
    }

    /// One line for the audit log: `messages 20, conversations off, files 10`.
    pub fn describe(&self) -> String {
        Sending::ALL
            .iter()
            .map(|k| match self.of(*k) {
                Some(n) => format!("{k} {n}"),
                None => format!("{k} off"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A limit as the settings form sends it: whether it is on, and the
/// number typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypedLimit {
    pub on: bool,
    pub value: String,
}

/// Why a typed limit was refused: the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{label}: enter a whole number from 1 to 10,000, or turn the limit off")]
pub struct BadLimit {
    pub what: Sending,
    pub label: &'static str,
}

/// The three limits as typed, each checked; every bad one is reported.
pub fn parse_limits(typed: [(Sending, &TypedLimit); 3]) -> Result<FloodLimits, Vec<BadLimit>> {
    let mut limits = FloodLimits {
        messages: None,
        conversations: None,
        files: None,
    };
    let mut bad = Vec::new();
    for (what, t) in typed {
        if !t.on {
            continue;
        }
        let n = t
            .value
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n));
        let Some(n) = n else {
            bad.push(BadLimit {
                what,
                label: what.label(),
            });
            continue;
        };
        match what {
            Sending::Message => limits.messages = Some(n),
            Sending::Conversation => limits.conversations = Some(n),
            Sending::File => limits.files = Some(n),
        }
    }
    if bad.is_empty() {
        Ok(limits)
    } else {
        Err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(on: bool, value: &str) -> TypedLimit {
        TypedLimit {
            on,
            value: value.into(),
        }
    }

    #[test]
    fn limits_parse_each_on_or_off_and_report_every_bad_one() {
        let (m, c, f) = (typed(true, " 30 "), typed(false, "junk"), typed(true, "1"));
        let got = parse_limits([
            (Sending::Message, &m),
            (Sending::Conversation, &c),
            (Sending::File, &f),
        ]);
        assert_eq!(
            got,
            Ok(FloodLimits {
                messages: Some(30),
                conversations: None,
                files: Some(1)
            })
        );
        for bad in ["0", "-1", "10001", "2.5", "", "twenty"] {
            let (m, c, f) = (typed(true, bad), typed(true, "6"), typed(true, bad));
            let err = parse_limits([
                (Sending::Message, &m),
                (Sending::Conversation, &c),
                (Sending::File, &f),
            ])
            .unwrap_err();
            let which: Vec<Sending> = err.iter().map(|b| b.what).collect();
            assert_eq!(which, [Sending::Message, Sending::File], "{bad:?}");
        }
        assert_eq!(
            BadLimit {
                what: Sending::File,
                label: Sending::File.label()
            }
            .to_string(),
            "Files per 10 minutes: enter a whole number from 1 to 10,000, or turn the limit off"
        );
    }

    #[test]
    fn stored_limits_read_back_and_describe_themselves() {
        let l = FloodLimits::from_stored(Some(20), None, Some(0));
        assert_eq!(l.describe(), "messages 20, conversations off, files off");
        assert_eq!(
            FloodLimits::default().describe(),
            "messages 20, conversations 6, files 10"
        );
        for k in Sending::ALL {
            assert_eq!(Sending::parse(k.as_str()), Some(k));
        }
        assert_eq!(repeat_line(3), "Sending too fast (3 times in an hour)");
    }
}
