//! Chat values and rules: message text, survey answers, conversation status,
//! and event kinds (the screen-share state machine is in
//! [`super::screen_share`]).

use super::account::InvalidInput;

/// Longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// A chat message: trimmed, not empty, at most 4000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(InvalidInput("Type a message first."));
        }
        if t.chars().count() > MAX_MESSAGE_CHARS {
            return Err(InvalidInput("A message can be at most 4000 characters."));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An invitation's text: 1 to 300 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationText(String);

impl InvitationText {
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(InvalidInput("Write a short invitation."));
        }
        if t.chars().count() > 300 {
            return Err(InvalidInput("An invitation can be at most 300 characters."));
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A survey answer: a rating from 1 to 5 and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswer {
    pub rating: i32,
    pub comment: Option<String>,
}

impl SurveyAnswer {
    pub fn parse(rating: i64, comment: Option<&str>) -> Result<Self, InvalidInput> {
        if !(1..=5).contains(&rating) {
            return Err(InvalidInput("Choose a rating from 1 to 5."));
        }
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.chars().count() > 2000) {
            return Err(InvalidInput("A comment can be at most 2000 characters."));
        }
        Ok(Self {
            rating: rating as i32,
            comment: comment.map(str::to_owned),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Started by the visitor, no agent has answered yet.
    Waiting,
    /// An agent has answered.
    Active,
    Closed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Active => "active",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "waiting" => Status::Waiting,
            "active" => Status::Active,
            _ => Status::Closed,
        }
    }
}

/// Who wrote an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Visitor,
    Agent,
    System,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Visitor => "visitor",
            Author::Agent => "agent",
            Author::System => "system",
        }
    }
}

/// What happened in a conversation. Kinds marked agents-only never reach
/// the visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Message,
    File,
    AgentJoined,
    ScreenShareRequested,
    ScreenShareAccepted,
    ScreenShareDeclined,
    /// The visitor's screen reached the agent's console (the first offer).
    ScreenShareStarted,
    /// The share ended: by either side, a block or the conversation's end.
    ScreenShareEnded,
    /// A WebRTC offer, answer or ICE candidate, sealed at rest and erased
    /// when the share ends. Never in transcripts.
    ShareSignal,
    SurveyOffered,
    SurveyAnswered,
    Closed,
    /// A line only agents see (a refused file, a block).
    Note,
    /// A neutral line to the visitor (the shield's warning); agents see
    /// it too.
    Warning,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::Message,
        EventKind::File,
        EventKind::AgentJoined,
        EventKind::ScreenShareRequested,
        EventKind::ScreenShareAccepted,
        EventKind::ScreenShareDeclined,
        EventKind::ScreenShareStarted,
        EventKind::ScreenShareEnded,
        EventKind::ShareSignal,
        EventKind::SurveyOffered,
        EventKind::SurveyAnswered,
        EventKind::Closed,
        EventKind::Note,
        EventKind::Warning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Message => "message",
            EventKind::File => "file",
            EventKind::AgentJoined => "agent_joined",
            EventKind::ScreenShareRequested => "screen_share_requested",
            EventKind::ScreenShareAccepted => "screen_share_accepted",
            EventKind::ScreenShareDeclined => "screen_share_declined",
            EventKind::ScreenShareStarted => "screen_share_started",
            EventKind::ScreenShareEnded => "screen_share_ended",
            EventKind::ShareSignal => "share_signal",
            EventKind::SurveyOffered => "survey_offered",
            EventKind::SurveyAnswered => "survey_answered",
            EventKind::Closed => "closed",
            EventKind::Note => "note",
            EventKind::Warning => "warning",
        }
    }

    pub fn visible_to_visitor(self) -> bool {
        self != EventKind::Note
    }

    /// The kinds a visitor's stream may carry, as stored.
    pub fn visitor_kinds() -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|k| k.visible_to_visitor())
            .map(|k| k.as_str())
            .collect()
    }
}

pub use super::screen_share::ScreenShare;

/// A short, stable, non-identifying label for a visitor: "Visitor 3FA2".
pub fn visitor_label(visitor_key: &str) -> String {
    let tag: String = visitor_key
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(4)
        .collect();
    format!("Visitor {}", tag.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn messages() {
        assert_eq!(MessageText::parse("  hi  ").unwrap().as_str(), "hi");
        assert!(MessageText::parse(" \n\t ").is_err());
        assert!(MessageText::parse(&"x".repeat(4000)).is_ok());
        assert!(MessageText::parse(&"x".repeat(4001)).is_err());
        assert!(
            MessageText::parse(&"é".repeat(4000)).is_ok(),
            "characters, not bytes"
        );
    }

    #[test]
    fn surveys() {
        assert!(SurveyAnswer::parse(0, None).is_err());
        assert!(SurveyAnswer::parse(6, None).is_err());
        let a = SurveyAnswer::parse(5, Some("  ")).unwrap();
        assert_eq!(
            a,
            SurveyAnswer {
                rating: 5,
                comment: None
            }
        );
        assert!(SurveyAnswer::parse(3, Some(&"c".repeat(2001))).is_err());
    }

    #[test]
    fn notes_never_reach_visitors() {
        assert!(!EventKind::visitor_kinds().contains(&"note"));
        assert!(EventKind::visitor_kinds().contains(&"message"));
    }

    proptest! {
        #[test]
        fn parsed_messages_are_trimmed_and_bounded(s in "\\PC{0,50}") {
            if let Ok(m) = MessageText::parse(&s) {
                prop_assert_eq!(m.as_str(), m.as_str().trim());
                prop_assert!(!m.as_str().is_empty());
            }
        }
    }
}
