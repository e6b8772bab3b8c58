//! The `ClientIp` extractor: the socket peer, or the forwarded client when
//! the peer is a configured trusted proxy. See `domain::client_addr`.

use std::{
    borrow::Cow,
    future::{ready, Ready},
    net::IpAddr,
};

use actix_web::{
    dev::Payload,
    http::header::{self, HeaderName, HeaderValue},
    web, FromRequest, HttpRequest,
};

use crate::{
    config::Settings,
    domain::client_addr::{self, ForwardedHeader},
    error::AppError,
    web::AppState,
};

/// Built at compile time: no name parsed per request.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    pub fn of(req: &HttpRequest) -> Result<Self, AppError> {
        match req.app_data::<web::Data<AppState>>() {
            Some(state) => Self::with(req, &state.settings),
            None => Ok(Self(peer(req)?.to_canonical())),
        }
    }

    /// The same, for a handler that holds the settings already.
    pub fn with(req: &HttpRequest, settings: &Settings) -> Result<Self, AppError> {
        let peer = peer(req)?;
        if settings.trusted_proxies.is_empty() {
            return Ok(Self(peer.to_canonical()));
        }
        let header = settings.forwarded_header;
        let name = match header {
            ForwardedHeader::XForwardedFor => X_FORWARDED_FOR,
            ForwardedHeader::Forwarded => header::FORWARDED,
        };
        let mut all = req.headers().get_all(name);
        let (first, second) = (all.next(), all.next());
        // The usual case: one proxy, one value naming one hop.
        if let (ForwardedHeader::XForwardedFor, Some(v), None) = (header, first, second) {
            let single = std::str::from_utf8(v.as_bytes()).ok().and_then(|text| {
                client_addr::resolve_single_hop(peer, text, &settings.trusted_proxies)
            });
            if let Some(ip) = single {
                return Ok(Self(ip));
            }
        }
        // A value that is not visible ASCII is kept as text, so that it
        // stops the walk as an unparsable hop instead of vanishing.
        // Usually one value: it is borrowed, and nothing is allocated.
        let first: Option<Cow<'_, str>> = first.map(lossy);
        let rest: Vec<Cow<'_, str>> = second.into_iter().chain(all).map(lossy).collect();
        let values = first.iter().chain(rest.iter()).map(|v| v.as_ref());
        Ok(Self(client_addr::resolve(
            peer,
            header,
            values,
            &settings.trusted_proxies,
        )))
    }
}

fn lossy(v: &HeaderValue) -> Cow<'_, str> {
    String::from_utf8_lossy(v.as_bytes())
}

fn peer(req: &HttpRequest) -> Result<IpAddr, AppError> {
    Ok(req
        .peer_addr()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("request without a peer address")))?
        .ip())
}

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(req))
    }
}
