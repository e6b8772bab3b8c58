//! Who the visitor is: a random id, hashed before it is stored anywhere.
//!
//! On a customer's site the chat frame is a third-party frame, and browsers
//! block (Chromium, Safari) or partition (Firefox) its cookies. So the id
//! travels three ways:
//! - the frame's script keeps it in the frame's own storage, which browsers
//!   partition by top-level site, under a name of the case, and sends it as
//!   `X-Chatgate-Visitor` on every request it makes with `fetch`;
//! - the event stream and file links cannot carry headers: they carry a
//!   read-only [`ticket`](Visitor::ticket) that expires and is signed for
//!   one case and one purpose (the event stream, or one file);
//! - a cookie of the chat's own origin and the case's path, `Partitioned`
//!   (CHIPS) over https, so the frame's first page load names the visitor
//!   the storage keeps. The unpartitioned cookie of earlier versions
//!   (`cg_visitor`) is ignored.
//!
//! Only the header writes: a cross-site request cannot set it, so it needs
//! no further token. A cookie or a ticket never writes.

use actix_web::{
    cookie::{time::Duration, Cookie, SameSite},
    HttpRequest,
};
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::pages::query_param;
use crate::crypto::{random_token, Keys};

/// The visitor cookie. Only ever written `Partitioned` over https; the old
/// unpartitioned `cg_visitor` named one visitor across top-level sites.
pub const VISITOR_COOKIE: &str = "cg_vid";
/// The header the frame's script sends the stored id in.
pub const VISITOR_HEADER: &str = "x-chatgate-visitor";
/// How long a ticket for the event stream lasts; the frame asks for a new
/// one when its stream is refused.
const STREAM_TICKET_HOURS: i64 = 12;
/// How long a ticket for one file lasts: the frame asks for one per click.
const FILE_TICKET_MINUTES: i64 = 10;

/// What a ticket may read.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The event stream of the visitor's conversations in the case.
    Events,
    /// One file (by its public id), as a download or a preview.
    File(&'a str),
}

impl Scope<'_> {
    fn lifetime(self) -> chrono::Duration {
        match self {
            Scope::Events => chrono::Duration::hours(STREAM_TICKET_HOURS),
            Scope::File(_) => chrono::Duration::minutes(FILE_TICKET_MINUTES),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Visitor {
    /// The id (the cookie's value). Never stored; only its hash is.
    pub cookie: String,
    /// SHA-256 of the id, as stored with conversations.
    pub key: String,
}

/// A visitor known for reading only: the stored key.
#[derive(Debug, Clone)]
pub struct Reader {
    pub key: String,
}

/// How a request names its visitor, if it does.
pub enum Named {
    /// By the `X-Chatgate-Visitor` header (valid or not).
    Header(Option<Visitor>),
    /// By the cookie alone.
    Cookie(Visitor),
    None,
}

impl Visitor {
    fn from_id(value: &str) -> Option<Self> {
        let valid = value.len() == 43
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        valid.then(|| Self {
            cookie: value.to_owned(),
            key: hex::encode(Sha256::digest(value.as_bytes())),
        })
    }

    /// The visitor of the cookie, if any (the frame's own page load).
    pub fn of(req: &HttpRequest) -> Option<Self> {
        req.cookie(VISITOR_COOKIE)
            .and_then(|c| Self::from_id(c.value()))
    }

    /// The visitor a request names: its header decides when it has one.
    pub fn named(req: &HttpRequest) -> Named {
        if let Some(h) = req.headers().get(VISITOR_HEADER) {
            return Named::Header(h.to_str().ok().and_then(|v| Self::from_id(v.trim())));
        }
        match Self::of(req) {
            Some(v) => Named::Cookie(v),
            None => Named::None,
        }
    }

    pub fn new() -> Self {
        let token = random_token();
        Self::from_id(&token).unwrap_or_else(|| Self {
            key: hex::encode(Sha256::digest(token.as_bytes())),
            cookie: token,
        })
    }

    /// The cookie to set for the case's frame, as a header value: its path
    /// is the case's, so each case has its own. Cross-site frames need
    /// `SameSite=None; Secure`, which browsers only accept over https, and
    /// `Partitioned` (CHIPS) so that browsers blocking third-party cookies
    /// keep it, one per top-level site; over plain http (a local trial, the
    /// /demo page) it is `Lax`, which no cross-site frame is sent. (The
    /// cookie crate of actix-web 4 cannot write `Partitioned` itself.)
    pub fn set_cookie(&self, secure: bool, case_key: &str) -> String {
        let plain = !case_key.is_empty()
            && case_key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let path = if plain {
            format!("/widget/v1/{case_key}/")
        } else {
            "/widget/".to_owned()
        };
        let mut c = Cookie::build(VISITOR_COOKIE, self.cookie.clone())
            .path(path)
            .http_only(true)
            .max_age(Duration::days(30))
            .finish();
        if secure {
            c.set_secure(true);
            c.set_same_site(SameSite::None);
            format!("{c}; Partitioned")
        } else {
            c.set_same_site(SameSite::Lax);
            c.to_string()
        }
    }

    /// A read-only ticket for this visitor in the case, for `scope`, from
    /// `now` for the scope's lifetime, for the requests that cannot carry a
    /// header (the event stream, file links). It holds the stored key,
    /// never the id.
    pub fn ticket(
        &self,
        keys: &Keys,
        case_id: i64,
        scope: Scope<'_>,
        now: NaiveDateTime,
    ) -> String {
        let until = (now + scope.lifetime()).and_utc().timestamp();
        let mac = ticket_mac(keys, case_id, scope, &self.key, until);
        format!("{}.{until}.{mac}", self.key)
    }

    pub fn reader(&self) -> Reader {
        Reader {
            key: self.key.clone(),
        }
    }
}

fn ticket_mac(keys: &Keys, case_id: i64, scope: Scope<'_>, key: &str, until: i64) -> String {
    let scope = match scope {
        Scope::Events => "events".to_owned(),
        Scope::File(id) => format!("file:{id}"),
    };
    // A NUL never occurs in a visitor id, so this never equals a MAC of one.
    keys.widget_token(&format!(
        "ticket\u{0}{case_id}\u{0}{scope}\u{0}{key}\u{0}{until}"
    ))
}

/// The reader a `ticket` query parameter names, if it is valid, current,
/// and signed for this case and this scope. Compared in constant time.
pub fn ticket_reader(
    req: &HttpRequest,
    keys: &Keys,
    case_id: i64,
    scope: Scope<'_>,
    now: NaiveDateTime,
) -> Option<Reader> {
    use subtle::ConstantTimeEq;
    let ticket = query_param(req.query_string(), "ticket")?;
    let mut parts = ticket.splitn(3, '.');
    let (key, until, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let well_formed = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let until: i64 = until.parse().ok()?;
    let current = until > now.and_utc().timestamp();
    let genuine: bool = ticket_mac(keys, case_id, scope, key, until)
        .as_bytes()
        .ct_eq(mac.as_bytes())
        .into();
    (well_formed && current && genuine).then(|| Reader {
        key: key.to_owned(),
    })
}

impl Default for Visitor {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        let v = Visitor::new();
        assert_eq!(Visitor::from_id(&v.cookie).unwrap().key, v.key);
        assert!(Visitor::from_id("short").is_none());
        assert!(Visitor::from_id(&"a;".repeat(22)[..43]).is_none());
        assert_ne!(v.key, v.cookie, "only the hash is stored");
    }

    #[test]
    fn the_cookie_is_the_cases_and_partitioned_only_over_https() {
        let v = Visitor::new();
        let secure = v.set_cookie(true, "acme-support");
        assert!(secure.starts_with("cg_vid="), "{secure}");
        assert!(secure.ends_with("; Partitioned"), "{secure}");
        assert!(secure.contains("SameSite=None") && secure.contains("Secure"));
        assert!(secure.contains("Path=/widget/v1/acme-support/"), "{secure}");
        let plain = v.set_cookie(false, "acme-support");
        assert!(!plain.contains("Partitioned") && plain.contains("SameSite=Lax"));
        assert!(v.set_cookie(false, "a;b").contains("Path=/widget/;"));
    }

    fn req(t: &str) -> HttpRequest {
        actix_web::test::TestRequest::get()
            .uri(&format!("/events?ticket={t}"))
            .to_http_request()
    }

    #[test]
    fn tickets_read_until_they_expire_and_cannot_be_forged() {
        let keys = crate::crypto::MasterKey::random().keys();
        let v = Visitor::new();
        let now = crate::domain::clock::Clock::default().now();
        let ticket = v.ticket(&keys, 1, Scope::Events, now);
        let read = ticket_reader(&req(&ticket), &keys, 1, Scope::Events, now).map(|r| r.key);
        assert_eq!(read.as_deref(), Some(v.key.as_str()));
        let later =
            now + chrono::Duration::hours(STREAM_TICKET_HOURS) + chrono::Duration::seconds(1);
        assert!(
            ticket_reader(&req(&ticket), &keys, 1, Scope::Events, later).is_none(),
            "expired"
        );
        let other = Visitor::new();
        let forged = ticket.replacen(&v.key, &other.key, 1);
        assert!(
            ticket_reader(&req(&forged), &keys, 1, Scope::Events, now).is_none(),
            "another key"
        );
        let other_keys = crate::crypto::MasterKey::random().keys();
        assert!(ticket_reader(&req(&ticket), &other_keys, 1, Scope::Events, now).is_none());
        assert!(ticket_reader(&req("x.y.z"), &keys, 1, Scope::Events, now).is_none());
    }

    #[test]
    fn a_ticket_reads_one_case_for_one_purpose() {
        let keys = crate::crypto::MasterKey::random().keys();
        let v = Visitor::new();
        let now = crate::domain::clock::Clock::default().now();
        let events = v.ticket(&keys, 1, Scope::Events, now);
        let file = v.ticket(&keys, 1, Scope::File("f1"), now);
        let ok = |t: &str, case, scope| ticket_reader(&req(t), &keys, case, scope, now).is_some();
        assert!(ok(&events, 1, Scope::Events));
        assert!(!ok(&events, 2, Scope::Events), "another case");
        assert!(!ok(&events, 1, Scope::File("f1")), "a file");
        assert!(ok(&file, 1, Scope::File("f1")));
        assert!(!ok(&file, 1, Scope::File("f2")), "another file");
        assert!(!ok(&file, 1, Scope::Events), "the stream");
        assert!(!ok(&file, 2, Scope::File("f1")), "another case");
        let later =
            now + chrono::Duration::minutes(FILE_TICKET_MINUTES) + chrono::Duration::seconds(1);
        assert!(ticket_reader(&req(&file), &keys, 1, Scope::File("f1"), later).is_none());
    }
}
