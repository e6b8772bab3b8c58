//! chatgate: a self-hosted live chat whose control panel protects agents
//! from abusive visitors. The binary in `main.rs` is only the command line;
//! everything else lives here so tests can build the app on port 0.

pub mod actor;
pub mod chat;
pub mod cluster;
pub mod config;
pub mod crypto;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod gate;
pub mod l10n;
pub mod load;
pub mod metrics;
pub mod passwords;
pub mod rules;
pub mod startup;
pub mod telemetry;
pub mod users;
pub mod web;
