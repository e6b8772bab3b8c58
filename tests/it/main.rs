//! The one integration-test binary. Every module uses the harness in
//! `helpers`; `browser` drives Chromium through chromedriver.

mod auth;
mod block_visitors;
mod block_visitors_widget;
mod blocking;
mod browser;
mod browser_console;
mod browser_files;
mod browser_rules;
mod chat;
mod chat_files;
mod chat_helpers;
mod chat_window;
mod cli;
mod console_seat;
mod db;
mod file_uploads;
mod helpers;
mod lifecycle;
mod pages;
mod previews;
mod proxy;
mod reports;
mod seat_support;
mod session_streams;
mod users;
