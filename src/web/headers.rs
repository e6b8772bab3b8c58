//! Security headers on every response. A handler that needs a different
//! policy (the widget frame, later) sets its own header and it is kept.
//!
//! The names and values are constants, built at compile time: a response
//! costs one pass over the headers it already has and one insert per
//! header added, with no parsing, validation or copying.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
    Error,
};

/// Strict: only our own scripts, styles and images; no inline script, no
/// plugins, no framing of the panel.
///
/// Screen sharing (WebRTC) adds nothing here, on purpose:
/// - the agent's `<video>` plays a `MediaStream` through `srcObject`, which
///   loads nothing by URL, so `media-src` (here `default-src 'self'`) is
///   not asked;
/// - `RTCPeerConnection`'s own traffic (ICE checks, DTLS-SRTP to the other
///   browser, STUN and TURN) is not governed by `connect-src` in any
///   shipping browser, and its signalling is our own API
///   (`connect-src 'self'`). The draft `webrtc` directive is left unset:
///   `'block'` would forbid the feature, and no browser enforces it;
/// - capturing the screen is a permission, not a fetch: the loader's
///   iframe delegates `display-capture`, and [`DEFAULTS`]'
///   `Permissions-Policy` leaves it at its default (this origin), while
///   camera and microphone stay off: a share sends the screen only.
///
/// The frame's own policy (`frame.rs`) likewise needs no addition.
pub const PANEL_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

/// How many defaults there are, `Cache-Control` aside.
const COUNT: usize = 5;

/// The defaults, in the order they are added. `X-Frame-Options` is the
/// one a handler's own policy also decides (see [`FRAMING`]).
static DEFAULTS: [(HeaderName, HeaderValue); COUNT] = [
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PANEL_CSP),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    (
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    ),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (
        PERMISSIONS_POLICY,
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    ),
];
/// The index of `X-Frame-Options` in [`DEFAULTS`].
const FRAMING: usize = 3;
/// The index of `Content-Security-Policy` in [`DEFAULTS`].
const CSP: usize = 0;
/// The bit of `Cache-Control` in [`present`]'s answer.
const CACHE: u8 = 1 << COUNT;

const NO_STORE: HeaderValue = HeaderValue::from_static("no-store");

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let is_static = req.path().starts_with("/static/");
    // Note: an `Err` from an inner middleware (the session store failing)
    // is turned into a response by the server after this point, without
    // these headers; it has an empty body. Holding a clone of the request
    // to convert it here is not possible: routing needs the only reference.
    let mut res = next.call(req).await?;
    add_defaults(res.headers_mut(), is_static);
    Ok(res)
}

/// Adds each default header the response does not have yet, and
/// `Cache-Control: no-store` unless `is_static`.
fn add_defaults(h: &mut HeaderMap, is_static: bool) {
    let mut present = present(h);
    // A handler that set its own policy (the chat frame) decides framing.
    if present & (1 << CSP) != 0 {
        present |= 1 << FRAMING;
    }
    if is_static {
        present |= CACHE;
    }
    h.reserve(COUNT + 1 - present.count_ones() as usize);
    for (i, (name, value)) in DEFAULTS.iter().enumerate() {
        if present & (1 << i) == 0 {
            h.insert(name.clone(), value.clone());
        }
    }
    if present & CACHE == 0 {
        h.insert(header::CACHE_CONTROL, NO_STORE);
    }
}

/// Which of [`DEFAULTS`] (bit `i`) and `Cache-Control` ([`CACHE`]) the
/// headers hold: one pass over the few a response has, comparing names.
fn present(h: &HeaderMap) -> u8 {
    let mut bits = 0;
    for name in h.keys() {
        if let Some(i) = DEFAULTS.iter().position(|(n, _)| n == name) {
            bits |= 1 << i;
        } else if name == header::CACHE_CONTROL {
            bits |= CACHE;
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(headers: &[(HeaderName, &'static str)], is_static: bool) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in headers {
            h.insert(name.clone(), HeaderValue::from_static(value));
        }
        add_defaults(&mut h, is_static);
        h
    }

    fn get<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
        h.get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn every_default_is_added_to_a_bare_response() {
        let h = with(&[], false);
        assert_eq!(get(&h, "content-security-policy"), Some(PANEL_CSP));
        assert_eq!(get(&h, "x-content-type-options"), Some("nosniff"));
        assert_eq!(get(&h, "referrer-policy"), Some("same-origin"));
        assert_eq!(get(&h, "x-frame-options"), Some("DENY"));
        assert_eq!(
            get(&h, "permissions-policy"),
            Some("camera=(), microphone=(), geolocation=(), payment=()")
        );
        assert_eq!(get(&h, "cache-control"), Some("no-store"));
        assert_eq!(h.len(), 6);
    }

    #[test]
    fn a_handler_s_own_headers_are_kept() {
        let h = with(
            &[
                (header::REFERRER_POLICY, "no-referrer"),
                (header::CACHE_CONTROL, "max-age=60"),
                (header::CONTENT_TYPE, "application/json"),
            ],
            false,
        );
        assert_eq!(get(&h, "referrer-policy"), Some("no-referrer"));
        assert_eq!(get(&h, "cache-control"), Some("max-age=60"));
        assert_eq!(get(&h, "x-frame-options"), Some("DENY"));
        assert_eq!(h.get_all("cache-control").count(), 1);
    }

    #[test]
    fn an_own_policy_decides_framing_and_static_files_keep_their_caching() {
        let h = with(
            &[(header::CONTENT_SECURITY_POLICY, "frame-ancestors *")],
            true,
        );
        assert_eq!(
            get(&h, "content-security-policy"),
            Some("frame-ancestors *")
        );
        assert_eq!(get(&h, "x-frame-options"), None);
        assert_eq!(get(&h, "cache-control"), None);
        assert_eq!(get(&h, "x-content-type-options"), Some("nosniff"));
    }

    #[test]
    fn an_own_x_frame_options_is_kept() {
        let h = with(&[(header::X_FRAME_OPTIONS, "SAMEORIGIN")], false);
        assert_eq!(get(&h, "x-frame-options"), Some("SAMEORIGIN"));
    }
}
