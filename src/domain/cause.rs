//! Why the gate decided what it did on a page view: the cause a decision
//! is counted under (the dashboard's charts; a "gate decisions by cause"
//! metric can use [`Cause::as_str`] as its label). A pure type: the gate
//! maps its reasons onto it, the database stores [`Cause::as_str`].

/// The cause of a counted gate decision on a page view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    /// Refused by one of the manager's IP and subnet rules (key: rule id).
    IpRule,
    /// Refused by a visitor block made from a chat.
    VisitorBlock,
    /// Refused by the country policy (key: country code, "" when unknown).
    Country,
    /// Refused by the website policy.
    Website,
    /// A message, conversation or file refused by flood control (key:
    /// what was sent: `messages`, `conversations`, `files`).
    Flood,
    /// Allowed: the chat button was shown.
    Allowed,
}

impl Cause {
    /// Every cause, refusals first (in the gate's order of precedence).
    pub const ALL: [Cause; 6] = [
        Cause::IpRule,
        Cause::VisitorBlock,
        Cause::Country,
        Cause::Website,
        Cause::Flood,
        Cause::Allowed,
    ];

    /// The causes of a refusal.
    pub const REFUSALS: [Cause; 5] = [
        Cause::IpRule,
        Cause::VisitorBlock,
        Cause::Country,
        Cause::Website,
        Cause::Flood,
    ];

    /// The stable name stored in the counters and used as a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::IpRule => "ip_rule",
            Cause::VisitorBlock => "visitor_block",
            Cause::Country => "country",
            Cause::Website => "website",
            Cause::Flood => "flood",
            Cause::Allowed => "allowed",
        }
    }

    /// A stored name back; `None` for a name this build does not know.
    pub fn parse(s: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Cause::IpRule => "IP rule",
            Cause::VisitorBlock => "Visitor block",
            Cause::Country => "Country",
            Cause::Website => "Website",
            Cause::Flood => "Flood",
            Cause::Allowed => "Allowed",
        }
    }

    pub fn is_refusal(self) -> bool {
        self != Cause::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        let mut names: Vec<_> = Cause::ALL.iter().map(|c| c.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), Cause::ALL.len());
        assert_eq!(Cause::parse("Allowed"), None, "stored names are exact");
        assert!(Cause::REFUSALS.iter().all(|c| c.is_refusal()));
        assert!(!Cause::Allowed.is_refusal());
    }
}
