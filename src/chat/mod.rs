//! The chat core: conversations and their events, the live hub and the event
//! streams. The web layer only parses requests and calls in here.

pub mod blocking;
pub mod context;
pub mod file_store;
pub mod files;
pub mod flood;
pub mod hub;
pub mod presence;
pub mod screen_share;
pub mod service;
pub mod shield;
pub mod stream;
pub mod window;

pub use hub::{Hub, Notice};
