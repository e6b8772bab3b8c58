//! Who the visitor is: a random id, hashed before it is stored anywhere.
//!
//! On a customer's site the chat frame is a third-party frame, and browsers
//! block (Chromium, Safari) or partition (Firefox) its cookies. So the id
//! travels three ways:
//! - the frame's script keeps it in the frame's own storage, which browsers
//!   partition by top-level site, and sends it as `X-Chatgate-Visitor` on
//!   every request it makes with `fetch`;
//! - the event stream and file links cannot carry headers: they carry a
//!   read-only [`ticket`](Visitor::ticket) that expires;
//! - a cookie of the chat's own origin, `Partitioned` (CHIPS) over https, for
//!   the frame's first page load and for clients that send no header.
//!
//! A header names the visitor outright and cannot be forged from another
//! page (a cross-site request cannot set it), so writes that carry it need
//! no further token; writes by cookie carry `X-Widget-Token`.

use actix_web::{
    cookie::{time::Duration, Cookie, SameSite},
    HttpRequest,
};
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::pages::query_param;
use crate::crypto::{random_token, Keys};

pub const VISITOR_COOKIE: &str = "cg_visitor";
/// The header the frame's script sends the stored id in.
pub const VISITOR_HEADER: &str = "x-chatgate-visitor";
/// How long a read ticket lasts; the frame asks for a new one when its
/// stream is refused.
const TICKET_HOURS: i64 = 12;

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

    /// The cookie to set, as a header value. Cross-site frames need
    /// `SameSite=None; Secure`, which browsers only accept over https, and
    /// `Partitioned` (CHIPS) so that browsers blocking third-party cookies
    /// keep it, one per top-level site; over plain http (a local trial, the
    /// /demo page) it is `Lax`. (The cookie crate of actix-web 4 cannot
    /// write `Partitioned` itself.)
    pub fn set_cookie(&self, secure: bool) -> String {
        let mut c = Cookie::build(VISITOR_COOKIE, self.cookie.clone())
            .path("/widget/")
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

    pub fn token(&self, keys: &Keys) -> String {
        keys.widget_token(&self.cookie)
    }

    /// Checks the anti-forgery token a write carries, in constant time.
    pub fn token_ok(&self, keys: &Keys, provided: Option<&str>) -> bool {
        use subtle::ConstantTimeEq;
        provided.is_some_and(|p| self.token(keys).as_bytes().ct_eq(p.as_bytes()).into())
    }

    /// A read-only ticket for this visitor until `now` + 12 hours, for the
    /// requests that cannot carry a header (the event stream, file links).
    /// It holds the stored key, never the id.
    pub fn ticket(&self, keys: &Keys, now: NaiveDateTime) -> String {
        let until = (now + chrono::Duration::hours(TICKET_HOURS))
            .and_utc()
            .timestamp();
        format!(
            "{}.{until}.{}",
            self.key,
            ticket_mac(keys, &self.key, until)
        )
    }

    pub fn reader(&self) -> Reader {
        Reader {
            key: self.key.clone(),
        }
    }
}

fn ticket_mac(keys: &Keys, key: &str, until: i64) -> String {
    // A NUL never occurs in a visitor id, so this never equals a write token.
    keys.widget_token(&format!("ticket\u{0}{key}\u{0}{until}"))
}

/// The reader a `ticket` query parameter names, if it is valid and current.
pub fn ticket_reader(req: &HttpRequest, keys: &Keys, now: NaiveDateTime) -> Option<Reader> {
    use subtle::ConstantTimeEq;
    let ticket = query_param(req.query_string(), "ticket")?;
    let mut parts = ticket.splitn(3, '.');
    let (key, until, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let well_formed = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
    let until: i64 = until.parse().ok()?;
    let current = until > now.and_utc().timestamp();
    let genuine: bool = ticket_mac(keys, key, until)
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
    fn the_cookie_is_partitioned_only_over_https() {
        let v = Visitor::new();
        let secure = v.set_cookie(true);
        assert!(secure.ends_with("; Partitioned"), "{secure}");
        assert!(secure.contains("SameSite=None") && secure.contains("Secure"));
        let plain = v.set_cookie(false);
        assert!(!plain.contains("Partitioned") && plain.contains("SameSite=Lax"));
    }

    #[test]
    fn tickets_read_until_they_expire_and_cannot_be_forged() {
        let keys = crate::crypto::MasterKey::random().keys();
        let v = Visitor::new();
        let now = chrono::Utc::now().naive_utc();
        let ticket = v.ticket(&keys, now);
        let req = |t: &str| {
            actix_web::test::TestRequest::get()
                .uri(&format!("/events?ticket={t}"))
                .to_http_request()
        };
        let read = ticket_reader(&req(&ticket), &keys, now).map(|r| r.key);
        assert_eq!(read.as_deref(), Some(v.key.as_str()));
        let later = now + chrono::Duration::hours(TICKET_HOURS) + chrono::Duration::seconds(1);
        assert!(
            ticket_reader(&req(&ticket), &keys, later).is_none(),
            "expired"
        );
        let other = Visitor::new();
        let forged = ticket.replacen(&v.key, &other.key, 1);
        assert!(
            ticket_reader(&req(&forged), &keys, now).is_none(),
            "another key"
        );
        let other_keys = crate::crypto::MasterKey::random().keys();
        assert!(ticket_reader(&req(&ticket), &other_keys, now).is_none());
        assert!(ticket_reader(&req("x.y.z"), &keys, now).is_none());
    }
}
