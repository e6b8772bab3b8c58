//! The one integration-test binary. Every module uses the harness in
//! `helpers`; `browser` drives Chromium through chromedriver.

mod auth;
mod block_visitors;
mod block_visitors_widget;
mod blocking;
mod browser;
mod browser_embed;
mod browser_files;
mod browser_narrow;
mod browser_panel;
mod browser_rules;
mod browser_visitor;
mod chat;
mod chat_files;
mod chat_helpers;
mod chat_window;
mod cli;
mod csv_columns;
mod db;
mod file_uploads;
mod helpers;
mod pages;
mod panel_seat;
mod previews;
mod proxy;
mod reports;
mod safer_defaults;
mod tls_sites;
mod users;
mod widget_identity;
mod widget_seat;
