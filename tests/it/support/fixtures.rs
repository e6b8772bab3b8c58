//! Fixtures of the settings pages and the upload tests: the chat window's
//! file policy, sample files, what a conversation stored, and reading the
//! Block Visitors page.

use reqwest::StatusCode;

use super::*;

/// The Live Chat Window settings page.
pub const CHAT_WINDOW: &str = "/settings/chat-window";
/// The Block Visitors settings page and its import form.
pub const BLOCK_VISITORS: &str = "/settings/block-visitors";
pub const IMPORT: &str = "/settings/block-visitors/ip-rules/import";

/// Saves the chat window settings as the account's manager.
pub async fn save_settings(m: &SignedIn, fields: &[(&str, &str)]) -> reqwest::Response {
    m.post(CHAT_WINDOW, fields).await
}

/// Sets the file policy (and previews on) for `tenant`'s account.
pub async fn set_policy(app: &TestApp, tenant: &Tenant, mode: &str, cats: &[&str], mb: &str) {
    let m = app.sign_in(&tenant.manager).await;
    let mut fields = vec![("file_mode", mode), ("max_mb", mb), ("previews", "1")];
    fields.extend(cats.iter().map(|c| ("category", *c)));
    let r = save_settings(&m, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{mode} {cats:?} {mb}");
}

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0DIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1F\x15\xC4\x89\x00\x00\x00\x0DIDATx\x9Cc\xF8\xCF\xC0\xF0\x1F\x00\x05\x00\x01\xFF\x89\x99=\x1D\x00\x00\x00\x00IEND\xAE\x42\x60\x82";

/// A Windows program's first bytes.
pub fn exe() -> Vec<u8> {
    let mut b = b"MZ\x90\x00\x03\x00\x00\x00".to_vec();
    b.resize(256, 0);
    b
}

/// How many files the conversation has stored, and how many files' bytes
/// the store holds in all: files in the data directory on SQLite, files
/// with chunks in the database on PostgreSQL.
pub fn stored(app: &TestApp, cid: &str) -> (i64, usize) {
    use chatgate::db::schema::{conversations, file_chunks, files};
    use diesel::prelude::*;
    let mut conn = app.core.db.get().unwrap();
    let rows: i64 = files::table
        .inner_join(conversations::table.on(conversations::id.eq(files::conversation_id)))
        .filter(conversations::public_id.eq(cid))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let held = if app.core.db.is_sqlite() {
        let dir = app.core.settings.data_dir.join("files");
        std::fs::read_dir(dir).map_or(0, |d| d.count())
    } else {
        let n: i64 = file_chunks::table
            .filter(file_chunks::n.eq(0))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        n as usize
    };
    (rows, held)
}

pub fn select_text(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .collect()
}

/// The "N rules" count shown above the rule list.
pub fn rule_count(html: &str) -> usize {
    let text = select_text(html, "#ip-rules .toolbar .muted.small");
    // Written with thousands separators: "100,000 rules".
    let n = text[0].split_whitespace().next().unwrap().replace(',', "");
    n.parse().unwrap()
}
