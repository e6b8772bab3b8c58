//! The `ClientIp` extractor: the socket peer, or the forwarded client when
//! the peer is a configured trusted proxy. See `domain::client_addr`.

use std::{
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
            .ok_or_else(|| AppError::Internal("request without a peer address".into()))?
            .ip();
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.settings.trusted_proxies.as_slice())
            .unwrap_or(&[]);
        let values = |name: header::HeaderName| {
            req.headers()
                .get_all(name)
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
        };
        let fwd = values(header::FORWARDED);
        let xff = values(header::HeaderName::from_static("x-forwarded-for"));
        Ok(Self(client_addr::resolve(peer, fwd, xff, trusted)))
    }
}

impl FromRequest for ClientIp {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::of(req))
    }
}
