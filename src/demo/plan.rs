//! The demo account's 30 days of history, planned: who wrote what and
//! when, who answered, how each conversation ended. Pure and
//! deterministic (one fixed seed), so every first start shows the same
//! story; `super::write` stores it.

use chrono::{Duration, NaiveDateTime, Timelike};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

/// How many conversations the demo holds, over both business cases.
pub const CONVERSATIONS: usize = 300;
/// How far back the history goes.
pub const DAYS: i64 = 30;

/// The demo's agents beyond the seeded two (who answer as well).
pub const MORE_AGENTS: [(&str, &str); 2] = [
    ("sam@demo.test", "Sam Support"),
    ("robin@demo.test", "Robin Rivera"),
];

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Visitor,
    Agent,
}

/// One line of a conversation, `after` its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub who: Who,
    pub after: Duration,
    pub text: &'static str,
}

/// How a conversation ended (or has not yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// Closed by its agent; the visitor may have rated it.
    Closed {
        rating: Option<(i32, Option<&'static str>)>,
    },
    /// The visitor was blocked by its agent.
    Blocked { reason: &'static str, lifted: bool },
    /// Still going: an agent answers now.
    Active,
    /// Still waiting for an agent.
    Waiting,
}

/// A planned conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// 0: Support, 1: Sales.
    pub case: usize,
    /// The visitor's number: their label and key derive from it.
    pub visitor: u32,
    pub started: NaiveDateTime,
    pub page: &'static str,
    /// Index into the agents (the seeded two, then [`MORE_AGENTS`]).
    pub agent: Option<usize>,
    pub lines: Vec<Line>,
    /// A file the visitor sent: (name, text content).
    pub file: Option<(&'static str, &'static str)>,
    /// Documentation address (never a real one, never loopback).
    pub address: String,
    pub end: End,
}

const PAGES: [&str; 6] = [
    "https://shop.example/",
    "https://shop.example/pricing",
    "https://shop.example/checkout",
    "https://shop.example/orders",
    "https://shop.example/help/returns",
    "https://shop.example/products/standing-desk",
];

/// (visitor's question, agent's answer, visitor's thanks).
const TALKS: [(&str, &str, &str); 10] = [
    ("Hi, where is my order? It was due yesterday.", "Sorry about the wait! It left our warehouse this morning and should arrive tomorrow.", "Great, thanks for checking."),
    ("Do you ship to Canada?", "We do: 5 to 7 working days, and duties are included at checkout.", "Perfect, thank you!"),
    ("Can I change the colour of my desk after ordering?", "Yes, as long as it has not shipped. I have switched it to oak for you.", "Wonderful, thanks a lot."),
    ("My discount code SPRING10 does not work.", "It ended on Sunday, but I have applied 10% to your cart by hand.", "That is very kind, thanks."),
    ("How do I return a chair?", "Print the label from your order page and drop it at any post office; the refund follows within 3 days.", "Easy enough, thanks."),
    ("Is the standing desk available in 180 cm?", "It is, in white and black. The oak version comes back next month.", "I will take the black one."),
    ("Do you offer invoices for companies?", "Yes: add your VAT number at checkout and the invoice is in your confirmation e-mail.", "Exactly what I needed."),
    ("The payment failed twice, is my card charged?", "No charge went through: both attempts were declined before capture. Could you try PayPal?", "PayPal worked, thanks!"),
    ("What is the warranty on the monitor arm?", "Five years, parts and labour.", "Good to know, thank you."),
    ("Can I pick up my order in Berlin?", "Yes, from our showroom on Torstraße, Monday to Saturday, 10 to 6.", "See you Saturday then."),
];

/// Abuse that ended in a block: (what the visitor wrote, the reason).
const ABUSE: [(&str, &str); 5] = [
    (
        "You are all useless idiots, answer me NOW",
        "Insulted the agent repeatedly after two warnings",
    ),
    (
        "CHEAP WATCHES http://spam.example/watches http://spam.example/watches",
        "Spam links, pasted again and again",
    ),
    (
        "I know where your office is. Watch out.",
        "Threatened the agent",
    ),
    (
        "Send me the admin password or I will flood this chat",
        "Tried to get account credentials, then flooded the chat",
    ),
    (
        "=HYPERLINK(\"http://phish.example\",\"Your refund\")",
        "Phishing link disguised as a refund",
    ),
];

const COMMENTS: [&str; 4] = [
    "Quick and friendly, thank you!",
    "Solved in two minutes.",
    "Took a while to get an answer.",
    "Very helpful.",
];

const FILES: [(&str, &str); 2] = [
    (
        "order-48213.txt",
        "Order 48213\nStanding desk, black, 180 cm\nPaid by card\n",
    ),
    (
        "damage-notes.txt",
        "The box arrived torn at one corner.\nThe desk top has a scratch near the left leg.\n",
    ),
];

/// The history, oldest first, ending at `now`.
pub fn history(now: NaiveDateTime) -> Vec<Planned> {
    let mut rng = StdRng::seed_from_u64(2026);
    let mut planned: Vec<Planned> = (0..CONVERSATIONS)
        .map(|k| {
            let started = start_time(&mut rng, now);
            conversation(&mut rng, k, started)
        })
        .collect();
    planned.sort_by_key(|p| p.started);
    finish_recent(&mut planned, now);
    planned.sort_by_key(|p| p.started);
    planned
}

/// A start in the last 30 days, mostly in working hours (UTC).
fn start_time(rng: &mut StdRng, now: NaiveDateTime) -> NaiveDateTime {
    let day = now - Duration::days(rng.gen_range(0..DAYS));
    let hour = *[8, 9, 10, 10, 11, 11, 12, 13, 14, 14, 15, 16, 17, 19, 21]
        .choose(rng)
        .unwrap_or(&10);
    let at = day
        .with_hour(hour)
        .and_then(|t| t.with_minute(rng.gen_range(0..60)))
        .unwrap_or(day);
    // Not in the future; today's may only have started before now.
    if at > now - Duration::minutes(3) {
        now - Duration::minutes(rng.gen_range(3..90))
    } else {
        at
    }
}

fn conversation(rng: &mut StdRng, k: usize, started: NaiveDateTime) -> Planned {
    let abusive = k % 25 == 3;
    let agent = rng.gen_range(0..2 + MORE_AGENTS.len());
    let mut lines = Vec::new();
    let end = if abusive {
        let (text, reason) = ABUSE[(k / 25) % ABUSE.len()];
        lines.push(line(Who::Visitor, 0, "Hello?"));
        lines.push(line(Who::Agent, 40, "Hi! How can I help you today?"));
        lines.push(line(Who::Visitor, 70, text));
        End::Blocked {
            reason,
            lifted: false,
        }
    } else {
        let (ask, answer, thanks) = TALKS[rng.gen_range(0..TALKS.len())];
        let wait = rng.gen_range(15..240);
        lines.push(line(Who::Visitor, 0, ask));
        lines.push(line(Who::Agent, wait, answer));
        lines.push(line(Who::Visitor, wait + rng.gen_range(20..120), thanks));
        let rating = rng.gen_bool(0.45).then(|| {
            let r = *[5, 5, 5, 4, 4, 3, 2].choose(rng).unwrap_or(&5);
            (r, rng.gen_bool(0.4).then(|| COMMENTS[k % COMMENTS.len()]))
        });
        End::Closed { rating }
    };
    Planned {
        case: usize::from(k % 3 == 2),
        // One in five is a returning visitor: a browser seen three
        // conversations earlier.
        visitor: 0x1000 + ((if k % 5 == 4 { k - 3 } else { k }) as u32 * 7919) % 0xE000,
        started,
        page: PAGES[rng.gen_range(0..PAGES.len())],
        agent: Some(agent),
        lines,
        file: (k % 40 == 11).then(|| FILES[(k / 40) % FILES.len()]),
        address: address(k),
        end,
    }
}

fn line(who: Who, secs: i64, text: &'static str) -> Line {
    Line {
        who,
        after: Duration::seconds(secs),
        text,
    }
}

/// A documentation address (RFC 5737 and RFC 3849): never a real
/// visitor's, never 127.0.0.1, so the demo's own visitor stays welcome.
fn address(k: usize) -> String {
    match k % 3 {
        0 => format!("203.0.113.{}", 1 + k % 250),
        1 => format!("198.51.100.{}", 1 + k % 250),
        _ => format!("2001:db8:{:x}::{:x}", k % 4096, 1 + k % 200),
    }
}

/// The newest conversations tell the present: the last abusive one is a
/// block in force, the one before was lifted early; the newest two
/// ordinary ones are still waiting and being answered.
fn finish_recent(planned: &mut [Planned], now: NaiveDateTime) {
    let mut blocked = planned
        .iter_mut()
        .rev()
        .filter(|p| matches!(p.end, End::Blocked { .. }));
    if let Some(p) = blocked.next() {
        p.started = p.started.max(now - Duration::days(2));
    }
    if let Some(p) = blocked.next() {
        p.started = p.started.max(now - Duration::days(4));
        if let End::Blocked { lifted, .. } = &mut p.end {
            *lifted = true;
        }
    }
    let mut ordinary = planned
        .iter_mut()
        .rev()
        .filter(|p| matches!(p.end, End::Closed { .. }));
    if let Some(p) = ordinary.next() {
        p.started = now - Duration::minutes(2);
        p.lines.truncate(1);
        p.agent = None;
        p.end = End::Waiting;
    }
    if let Some(p) = ordinary.next() {
        p.started = now - Duration::minutes(9);
        p.lines.truncate(2);
        p.end = End::Active;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed moment for the plan (tests need no clock).
    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
            .and_then(|d| d.and_hms_opt(16, 0, 0))
            .unwrap()
    }

    #[test]
    fn thirty_days_of_conversations_in_the_past_and_the_same_every_time() {
        let h = history(at());
        assert_eq!(h.len(), CONVERSATIONS);
        assert_eq!(h, history(at()), "deterministic");
        assert!(h.iter().all(|p| p.started <= at()));
        assert!(h
            .iter()
            .all(|p| p.started > at() - Duration::days(DAYS + 1)));
        assert!(h.windows(2).all(|w| w[0].started <= w[1].started));
        assert!(h.iter().any(|p| p.case == 0) && h.iter().any(|p| p.case == 1));
        assert!(h.iter().filter(|p| p.file.is_some()).count() >= 5);
        let rated = h
            .iter()
            .filter(|p| matches!(p.end, End::Closed { rating: Some(_) }))
            .count();
        assert!(rated > 50, "{rated}");
    }

    #[test]
    fn one_block_in_force_one_lifted_early_and_a_live_queue() {
        let h = history(at());
        let blocks: Vec<_> = h
            .iter()
            .filter_map(|p| match p.end {
                End::Blocked { lifted, .. } => Some((p.started, lifted)),
                _ => None,
            })
            .collect();
        assert!(blocks.len() >= 10, "{}", blocks.len());
        assert_eq!(blocks.iter().filter(|b| b.1).count(), 1, "one lifted");
        let newest = blocks.iter().map(|b| b.0).max().unwrap();
        assert!(newest > at() - Duration::days(7), "one still in force");
        assert_eq!(h.iter().filter(|p| p.end == End::Waiting).count(), 1);
        assert_eq!(h.iter().filter(|p| p.end == End::Active).count(), 1);
    }

    #[test]
    fn addresses_are_documentation_ones_only() {
        for p in history(at()) {
            let ip: std::net::IpAddr = p.address.parse().unwrap();
            let doc = match ip {
                std::net::IpAddr::V4(v4) => {
                    let o = v4.octets();
                    (o[0], o[1], o[2]) == (203, 0, 113) || (o[0], o[1], o[2]) == (198, 51, 100)
                }
                std::net::IpAddr::V6(v6) => v6.segments()[..2] == [0x2001, 0xdb8],
            };
            assert!(doc, "{ip}");
        }
    }
}
