//! The floor under the bootstrap's cost: a server on the same stack that
//! answers the bootstrap's path with the bootstrap's shown answer and
//! headers, and does nothing else (no gate, no middleware, no log).
//! `bench/http_floor.sh` counts its instructions per request as
//! `bench/vs_nginx.sh` counts chatgate's and nginx's.
//!
//!   cargo run --release --example http_floor -- web  127.0.0.1:18084
//!   cargo run --release --example http_floor -- http 127.0.0.1:18084
//!
//! `web` is actix-web (an `App` with one route, as chatgate's); `http` is
//! actix-http alone (one service function, no routing).

use std::{convert::Infallible, io};

use actix_http::{
    header::{self, HeaderValue},
    HttpService, Request, Response, StatusCode,
};
use actix_service::fn_service;
use actix_web::{web, App, HttpResponse, HttpServer};

const BODY: &[u8] = br#"{"show":true,"frame":"/widget/v1/demo-support/frame"}"#;

fn headers(h: &mut actix_http::header::HeaderMap) {
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

async fn web_answer() -> HttpResponse {
    let mut res = HttpResponse::Ok().body(BODY);
    headers(res.headers_mut());
    res
}

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_default();
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18084".into());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    actix_web::rt::System::new().block_on(async move {
        match mode.as_str() {
            "web" => {
                HttpServer::new(|| {
                    App::new().route("/widget/v1/bootstrap", web::get().to(web_answer))
                })
                .workers(workers)
                .bind(addr)?
                .run()
                .await
            }
            "http" => {
                actix_server::Server::build()
                    .bind("floor", addr, || {
                        HttpService::build()
                            .finish(fn_service(|req: Request| async move {
                                let status = if req.path() == "/widget/v1/bootstrap" {
                                    StatusCode::OK
                                } else {
                                    StatusCode::NOT_FOUND
                                };
                                let mut res = Response::with_body(status, BODY);
                                headers(res.headers_mut());
                                Ok::<_, Infallible>(res)
                            }))
                            .tcp()
                    })?
                    .workers(workers)
                    .run()
                    .await
            }
            _ => Err(io::Error::other("usage: http_floor web|http ADDR")),
        }
    })
}
