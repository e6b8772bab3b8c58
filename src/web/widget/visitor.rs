//! Who the visitor is: a random id in a cookie of the chat's own origin
//! (the frame), hashed before it is stored anywhere.

use actix_web::{
    cookie::{time::Duration, Cookie, SameSite},
    HttpRequest,
};
use sha2::{Digest, Sha256};

use crate::crypto::{random_token, Keys};

pub const VISITOR_COOKIE: &str = "cg_visitor";

#[derive(Debug, Clone)]
pub struct Visitor {
    /// The cookie value. Never stored; only its hash is.
    pub cookie: String,
    /// SHA-256 of the cookie, as stored with conversations.
    pub key: String,
}

impl Visitor {
    fn from_cookie(value: &str) -> Option<Self> {
        let valid = value.len() == 43
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        valid.then(|| Self {
            cookie: value.to_owned(),
            key: hex::encode(Sha256::digest(value.as_bytes())),
        })
    }

    pub fn of(req: &HttpRequest) -> Option<Self> {
        req.cookie(VISITOR_COOKIE)
            .and_then(|c| Self::from_cookie(c.value()))
    }

    pub fn new() -> Self {
        let token = random_token();
        Self::from_cookie(&token).unwrap_or_else(|| Self {
            key: hex::encode(Sha256::digest(token.as_bytes())),
            cookie: token,
        })
    }

    /// The cookie to set. Cross-site frames need `SameSite=None; Secure`,
    /// which browsers only accept over https; over plain http (a local
    /// trial, the /demo page) it is `Lax`.
    pub fn cookie(&self, secure: bool) -> Cookie<'static> {
        let mut c = Cookie::build(VISITOR_COOKIE, self.cookie.clone())
            .path("/widget/")
            .http_only(true)
            .max_age(Duration::days(30))
            .finish();
        if secure {
            c.set_secure(true);
            c.set_same_site(SameSite::None);
        } else {
            c.set_same_site(SameSite::Lax);
        }
        c
    }

    pub fn token(&self, keys: &Keys) -> String {
        keys.widget_token(&self.cookie)
    }

    /// Checks the anti-forgery token a write carries, in constant time.
    pub fn token_ok(&self, keys: &Keys, provided: Option<&str>) -> bool {
        use subtle::ConstantTimeEq;
        provided.is_some_and(|p| self.token(keys).as_bytes().ct_eq(p.as_bytes()).into())
    }
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
    fn cookie_values_are_checked() {
        let v = Visitor::new();
        assert_eq!(Visitor::from_cookie(&v.cookie).unwrap().key, v.key);
        assert!(Visitor::from_cookie("short").is_none());
        assert!(Visitor::from_cookie(&"a;".repeat(22)[..43]).is_none());
        assert_ne!(v.key, v.cookie, "only the hash is stored");
    }
}
