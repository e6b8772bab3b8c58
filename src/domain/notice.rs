//! What one instance tells the others when it has written something they
//! must see (PostgreSQL `NOTIFY chatgate`, sent inside the writing
//! transaction, so it is delivered at commit and in commit order).
//!
//! A notice names only what changed: the account, the kind, an id and a
//! version. It never carries data and never an address: the receiver reads
//! what it needs from the database, so a lost notice loses nothing (the
//! receiver's catch-up and its slow safety poll find the change anyway).
//!
//! The payload is text, `kind:account:id:version`, e.g. `event:3:42:17`
//! (conversation 42 of account 3 reached sequence number 17).

use std::{fmt, str::FromStr};

/// The channel every instance listens on.
pub const CHANNEL: &str = "chatgate";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A chat event: `id` is the conversation, `version` its sequence number.
    Event,
    /// The account's lists changed (a visitor arrived or left): `id` and
    /// `version` are 0.
    List,
    /// An agent invited a visitor to chat: `id` and `version` are 0.
    Invitation,
    /// An IP rule added: `id` is the rule, `version` the account's rule
    /// version after it.
    RuleAdded,
    /// An IP rule removed: `id` is the rule.
    RuleRemoved,
    /// The country policy saved.
    Countries,
    /// The website policy saved.
    Websites,
    /// Too much changed to follow one by one (an import): rebuild the
    /// account's rules.
    Rules,
    /// A visitor block made or lifted: `id` is the block.
    Block,
    /// Sessions of the account may have ended (sign-out, a role change, a
    /// deactivation): `id` is the user, 0 for a sign-out.
    Session,
    /// A business case was created or changed: `id` is the case.
    Case,
    /// Flood control's limits saved: `version` is the account's rule
    /// version after it.
    Flood,
    /// The offensive-language shield saved.
    Shield,
    /// Whether blocks cover the browser, saved.
    Browser,
}

impl Kind {
    const ALL: [(Kind, &'static str); 14] = [
        (Kind::Event, "event"),
        (Kind::List, "list"),
        (Kind::Invitation, "invitation"),
        (Kind::RuleAdded, "rule+"),
        (Kind::RuleRemoved, "rule-"),
        (Kind::Countries, "countries"),
        (Kind::Websites, "websites"),
        (Kind::Rules, "rules"),
        (Kind::Block, "block"),
        (Kind::Session, "session"),
        (Kind::Case, "case"),
        (Kind::Flood, "flood"),
        (Kind::Shield, "shield"),
        (Kind::Browser, "browser"),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("", |(_, s)| s)
    }

    /// Whether the notice changes the account's rules (the gate's policy).
    pub fn is_rule_change(self) -> bool {
        matches!(
            self,
            Kind::RuleAdded
                | Kind::RuleRemoved
                | Kind::Countries
                | Kind::Websites
                | Kind::Rules
                | Kind::Flood
                | Kind::Shield
                | Kind::Browser
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice {
    pub account_id: i64,
    pub kind: Kind,
    pub id: i64,
    pub version: i64,
}

impl Notice {
    pub fn new(account_id: i64, kind: Kind, id: i64, version: i64) -> Self {
        Self {
            account_id,
            kind,
            id,
            version,
        }
    }
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Notice {
            account_id,
            kind,
            id,
            version,
        } = self;
        write!(f, "{}:{account_id}:{id}:{version}", kind.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a chatgate notice: {0:?}")]
pub struct NotANotice(pub String);

impl FromStr for Notice {
    type Err = NotANotice;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || NotANotice(s.chars().take(80).collect());
        let mut parts = s.split(':');
        let kind = parts.next().ok_or_else(bad)?;
        let kind = Kind::ALL
            .iter()
            .find(|(_, name)| *name == kind)
            .map(|(k, _)| *k)
            .ok_or_else(bad)?;
        let mut number = || -> Result<i64, NotANotice> {
            parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)
        };
        let (account_id, id, version) = (number()?, number()?, number()?);
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Notice::new(account_id, kind, id, version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_survives_the_payload() {
        for (kind, name) in Kind::ALL {
            let n = Notice::new(7, kind, 42, 9);
            let text = n.to_string();
            assert_eq!(text, format!("{name}:7:42:9"));
            assert_eq!(text.parse::<Notice>(), Ok(n));
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "event",
            "event:1:2",
            "event:1:2:3:4",
            "evnt:1:2:3",
            "event:x:2:3",
            "event:1:2:3 ",
        ] {
            assert!(bad.parse::<Notice>().is_err(), "{bad:?}");
        }
    }
}
