//! The shared harness, the only thing test modules import besides the crate:
//! an app on port 0 with a fresh database and two seeded accounts (`app`),
//! a signed-in user with its CSRF token (`signed_in`), plain HTTP helpers
//! (`http`), visitors and event streams (`visitors`, `sse`), blocking and
//! settings fixtures (`blocking`, `fixtures`), Chromium through chromedriver
//! (`browser`), the real binary (`served`), nginx as a local TLS proxy
//! (`tls_sites`) and fresh empty databases (`fresh_db`).

pub mod app;
pub mod axe;
pub mod blocking;
pub mod browser;
pub mod fixtures;
pub mod fresh_db;
pub mod http;
pub mod served;
pub mod signed_in;
pub mod sse;
pub mod tls_sites;
pub mod visitors;

pub use app::*;
pub use http::*;
pub use signed_in::SignedIn;
