//! Pure types and rules: no actix, no diesel. Values are parsed once at the
//! edge into these types, so the rest of the code never re-validates.

pub mod access;
pub mod account;
pub mod block;
pub mod cause;
pub mod chart;
pub mod chat;
pub mod chat_window;
pub mod client_addr;
pub mod clock;
pub mod conversation_search;
pub mod country;
pub mod file_policy;
pub mod flood;
pub mod ip_rule;
pub mod iso_time;
pub mod language;
pub mod login_limit;
pub mod notice;
pub mod number;
pub mod reasons;
pub mod refused_line;
pub mod screen_share;
pub mod shield;
pub mod shield_policy;
pub mod spreadsheet;
pub mod time_zone;
pub mod visit;
pub mod website;
