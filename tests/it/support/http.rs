//! Plain HTTP helpers: a cookie-keeping client, GETs as text or JSON, the
//! sign-in form, and reading a CSRF token or a redirect from an answer.

use std::sync::Arc;

use reqwest::{redirect::Policy, Response};

use super::*;

pub fn client_with(jar: Arc<reqwest::cookie::Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .cookie_provider(jar)
        .pool_idle_timeout(IDLE)
        .build()
        .unwrap()
}

/// The body of a GET of `url` as text.
pub async fn get_text(c: &reqwest::Client, url: String) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

/// The body of a GET of `url` as JSON.
pub async fn get_json(c: &reqwest::Client, url: String) -> serde_json::Value {
    c.get(url).send().await.unwrap().json().await.unwrap()
}

/// Signs `c` in as `email` (with the test password) through the form at
/// `login_url`; the answer, for the caller to check.
pub async fn sign_in_at(c: &reqwest::Client, login_url: &str, email: &str) -> Response {
    let html = get_text(c, login_url.to_owned()).await;
    let token = csrf_in(&html).unwrap();
    c.post(login_url)
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
}

pub fn csrf_in(html: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(r#"input[name="csrf_token"]"#).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}
