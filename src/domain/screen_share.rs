//! Screen sharing: the request's state machine, the signals the two
//! browsers exchange to connect (a WebRTC offer, its answer and ICE
//! candidates), and the ICE servers a share is given, with TURN
//! credentials minted per share (the TURN REST API scheme coturn
//! implements: `use-auth-secret`).

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};

use super::account::InvalidInput;

/// The screen share of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreenShare {
    None,
    /// An agent asked; the visitor has not answered.
    Requested,
    /// The visitor said yes and is choosing what to share.
    Accepted,
    /// The visitor's browser offered its screen: the share is live.
    Sharing,
    Declined,
    Ended,
}

pub const ALREADY_WAITING: &str = "A screen-share request is already waiting for the visitor.";
pub const ALREADY_SHARING: &str = "The visitor is already sharing their screen.";
pub const NOTHING_TO_ANSWER: &str = "There is no screen-share request to answer.";
pub const NOT_SHARING: &str = "There is no screen share in progress.";
pub const NOTHING_TO_END: &str = "There is no screen share to end.";

impl ScreenShare {
    pub fn as_str(self) -> &'static str {
        match self {
            ScreenShare::None => "none",
            ScreenShare::Requested => "requested",
            ScreenShare::Accepted => "accepted",
            ScreenShare::Sharing => "sharing",
            ScreenShare::Declined => "declined",
            ScreenShare::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "requested" => ScreenShare::Requested,
            "accepted" => ScreenShare::Accepted,
            "sharing" => ScreenShare::Sharing,
            "declined" => ScreenShare::Declined,
            "ended" => ScreenShare::Ended,
            _ => ScreenShare::None,
        }
    }

    /// An agent asks to see the screen: not while a request waits or a
    /// share is under way.
    pub fn request(self) -> Result<Self, InvalidInput> {
        match self {
            ScreenShare::Requested => Err(InvalidInput(ALREADY_WAITING)),
            ScreenShare::Accepted | ScreenShare::Sharing => Err(InvalidInput(ALREADY_SHARING)),
            _ => Ok(ScreenShare::Requested),
        }
    }

    /// The visitor answers. Only a pending request can be answered.
    pub fn answer(self, accept: bool) -> Result<Self, InvalidInput> {
        match self {
            ScreenShare::Requested if accept => Ok(ScreenShare::Accepted),
            ScreenShare::Requested => Ok(ScreenShare::Declined),
            _ => Err(InvalidInput(NOTHING_TO_ANSWER)),
        }
    }

    /// The visitor's browser offers its screen: the first offer starts the
    /// share; later ones (a reconnection) continue it.
    pub fn offer(self) -> Result<Self, InvalidInput> {
        match self {
            ScreenShare::Accepted | ScreenShare::Sharing => Ok(ScreenShare::Sharing),
            _ => Err(InvalidInput(NOT_SHARING)),
        }
    }

    /// Either side ends the share, or withdraws the request.
    pub fn end(self) -> Result<Self, InvalidInput> {
        match self {
            ScreenShare::Requested | ScreenShare::Accepted | ScreenShare::Sharing => {
                Ok(ScreenShare::Ended)
            }
            _ => Err(InvalidInput(NOTHING_TO_END)),
        }
    }

    /// Whether the share is under way (answers and candidates may pass).
    pub fn is_live(self) -> bool {
        self == ScreenShare::Sharing
    }
}

/// Which browser a signal comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Visitor,
    Agent,
}

/// Who or what ended a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedBy {
    Visitor,
    Agent,
    /// The visitor was blocked.
    Block,
    /// The conversation ended.
    Close,
}

impl EndedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            EndedBy::Visitor => "visitor",
            EndedBy::Agent => "agent",
            EndedBy::Block => "block",
            EndedBy::Close => "close",
        }
    }
}

/// The line agents read when a share ends: who ended it and, once it had
/// started, for how long.
pub fn ended_line(by: &str, name: &str, secs: Option<i64>) -> String {
    let who = match by {
        "visitor" => "by the visitor".to_owned(),
        "agent" => format!("by {name}"),
        "block" => "by the block".to_owned(),
        _ => "with the conversation".to_owned(),
    };
    match secs {
        Some(s) => format!("Screen sharing ended {who} after {}", duration(s)),
        None => format!("Screen sharing ended {who} before it started"),
    }
}

/// "45 s", "2 min 5 s", "1 h 3 min".
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// Longest session description, in bytes (one video track needs about 5 KB).
pub const MAX_SDP: usize = 16_384;
/// Longest ICE candidate line, in bytes.
pub const MAX_CANDIDATE: usize = 1_024;

/// What a browser posts, as sent.
#[derive(Debug, Deserialize)]
pub struct SignalInput {
    #[serde(rename = "type")]
    pub kind: String,
    /// The sender's peer connection (a fresh id for each): a console that
    /// reloads answers anew, and the visitor's browser starts a new one.
    pub peer: String,
    pub sdp: Option<String>,
    pub candidate: Option<String>,
    #[serde(rename = "sdpMid")]
    pub sdp_mid: Option<String>,
    #[serde(rename = "sdpMLineIndex")]
    pub sdp_mline_index: Option<u16>,
}

/// A checked signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub offer: bool,
    body: Value,
}

impl Signal {
    /// Visitors send offers and candidates; agents answers and candidates.
    pub fn parse(input: &SignalInput, side: Side) -> Result<Self, InvalidInput> {
        let peer = &input.peer;
        if peer.is_empty()
            || peer.len() > 32
            || !peer
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(InvalidInput("A signal names its peer connection."));
        }
        let body = match (input.kind.as_str(), side) {
            ("offer", Side::Visitor) | ("answer", Side::Agent) => {
                let sdp = input.sdp.as_deref().unwrap_or_default();
                if !sdp.starts_with("v=0") || sdp.len() > MAX_SDP {
                    return Err(InvalidInput("The session description is not valid."));
                }
                json!({ "type": input.kind, "peer": peer, "sdp": sdp })
            }
            ("candidate", _) => {
                let c = input.candidate.as_deref().unwrap_or_default();
                let mid = input.sdp_mid.as_deref().unwrap_or_default();
                if !c.starts_with("candidate:")
                    || c.len() > MAX_CANDIDATE
                    || c.contains(['\r', '\n'])
                    || mid.len() > 32
                {
                    return Err(InvalidInput("The ICE candidate is not valid."));
                }
                json!({
                    "type": "candidate", "peer": peer, "candidate": c,
                    "sdpMid": input.sdp_mid, "sdpMLineIndex": input.sdp_mline_index,
                })
            }
            _ => return Err(InvalidInput("This side cannot send that signal.")),
        };
        Ok(Self {
            offer: input.kind == "offer",
            body,
        })
    }

    /// The signal as stored (sealed) and sent to the other side.
    pub fn to_json(&self) -> String {
        self.body.to_string()
    }
}

/// The ICE servers shares are given (`CHATGATE_STUN_URLS`,
/// `CHATGATE_TURN_URLS`, `CHATGATE_TURN_SECRET`). Nothing set: host
/// candidates only, enough on a LAN.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IceSettings {
    pub stun: Vec<String>,
    pub turn: Vec<String>,
    /// coturn's `static-auth-secret`.
    pub turn_secret: Option<String>,
    /// How long minted TURN credentials stay valid, in seconds.
    pub turn_ttl: i64,
    /// Connect through the TURN server only (`iceTransportPolicy: relay`):
    /// neither browser learns the other's address.
    pub relay_only: bool,
}

impl std::fmt::Debug for IceSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceSettings")
            .field("stun", &self.stun)
            .field("turn", &self.turn)
            .field("turn_secret", &self.turn_secret.as_ref().map(|_| "***"))
            .field("turn_ttl", &self.turn_ttl)
            .field("relay_only", &self.relay_only)
            .finish()
    }
}

impl IceSettings {
    /// Parses the comma-separated lists: STUN URLs start `stun:` or
    /// `stuns:`, TURN URLs `turn:` or `turns:`, and TURN needs the secret.
    pub fn parse(
        stun: Option<&str>,
        turn: Option<&str>,
        secret: Option<&str>,
        ttl: i64,
        relay_only: bool,
    ) -> Result<Self, String> {
        let list = |v: Option<&str>, schemes: [&str; 2]| -> Result<Vec<String>, String> {
            let urls: Vec<String> = v
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect();
            match urls.iter().find(|u| {
                !schemes.iter().any(|s| u.starts_with(s)) || u.len() > 200 || u.contains(' ')
            }) {
                Some(bad) => Err(format!("{bad} is not a {} URL", schemes[0])),
                None => Ok(urls),
            }
        };
        let settings = Self {
            stun: list(stun, ["stun:", "stuns:"])?,
            turn: list(turn, ["turn:", "turns:"])?,
            turn_secret: secret
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            turn_ttl: ttl,
            relay_only,
        };
        if settings.turn.is_empty() != settings.turn_secret.is_none() {
            return Err("TURN needs both CHATGATE_TURN_URLS and CHATGATE_TURN_SECRET".into());
        }
        if relay_only && settings.turn.is_empty() {
            return Err("CHATGATE_TURN_RELAY_ONLY needs a TURN server".into());
        }
        Ok(settings)
    }

    /// The `RTCPeerConnection` configuration for one side of one share at
    /// `now` (Unix seconds): the ICE servers, with TURN credentials that
    /// expire after the TTL for `user` alone, and the transport policy.
    pub fn config(&self, user: &str, now: i64) -> Value {
        let mut servers = Vec::new();
        if !self.stun.is_empty() {
            servers.push(json!({ "urls": self.stun }));
        }
        if let Some(secret) = &self.turn_secret {
            let (username, credential) = turn_credentials(secret, user, now + self.turn_ttl);
            servers
                .push(json!({ "urls": self.turn, "username": username, "credential": credential }));
        }
        let policy = if self.relay_only { "relay" } else { "all" };
        json!({ "iceServers": servers, "iceTransportPolicy": policy })
    }
}

/// The TURN REST API's time-limited credentials: the user name is
/// `<expiry>:<user>`, the password base64(HMAC-SHA1(secret, user name)).
pub fn turn_credentials(secret: &str, user: &str, expires: i64) -> (String, String) {
    let username = format!("{expires}:{user}");
    // HMAC takes keys of every length, so the error arm is never taken.
    let credential = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).map_or_else(
        |_| String::new(),
        |mut mac| {
            mac.update(username.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        },
    );
    (username, credential)
}

#[cfg(test)]
#[path = "screen_share_tests.rs"]
mod tests;
