//! The `ClientIp` extractor: the socket peer, or the forwarded client when
//! the peer is a configured trusted proxy. See `domain::client_addr`.

use std::{
    borrow::Cow,
    future::{ready, Ready},
    net::IpAddr,
};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::{domain::client_addr, error::AppError, web::AppState};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    pub fn of(req: &HttpRequest) -> Result<Self, AppError> {
        let peer = req
            .peer_addr()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("request without a peer address")))?
            .ip();
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return Ok(Self(peer.to_canonical()));
        };
        let settings = &state.settings;
        if settings.trusted_proxies.is_empty() {
            return Ok(Self(peer.to_canonical()));
        }
        let header = settings.forwarded_header;
        // A value that is not visible ASCII is kept as text, so that it
        // stops the walk as an unparsable hop instead of vanishing.
        // Usually one value: it is borrowed, and nothing is allocated.
        let mut all = req
            .headers()
            .get_all(header::HeaderName::from_static(header.name()))
            .map(|v| String::from_utf8_lossy(v.as_bytes()));
        let first: Option<Cow<'_, str>> = all.next();
        let rest: Vec<Cow<'_, str>> = all.collect();
        let values = first.iter().chain(rest.iter()).map(|v| v.as_ref());
        Ok(Self(client_addr::resolve(
            peer,
            header,
            values,
            &settings.trusted_proxies,
        )))
    }
}

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(req))
    }
}
