//! Visitors and event streams for the chat tests.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;

/// A visitor's browser: its own cookies, the id the frame keeps.
pub struct VisitorClient {
    pub client: reqwest::Client,
    pub base: String,
    /// The id the frame keeps in its storage and sends as a header; the
    /// client also holds the frame's cookie (which reads, never writes).
    pub visitor: String,
}

impl TestApp {
    pub async fn visitor(&self, case_key: &str) -> VisitorClient {
        self.visitor_via(case_key, None).await
    }

    /// A visitor whose requests carry `X-Forwarded-For: xff`.
    pub async fn visitor_via(&self, case_key: &str, xff: Option<&str>) -> VisitorClient {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(x) = xff {
            headers.insert("x-forwarded-for", x.parse().unwrap());
        }
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::new(reqwest::cookie::Jar::default()))
            .default_headers(headers)
            .pool_idle_timeout(IDLE)
            .build()
            .unwrap();
        visitor_from_frame(client, self.url(&format!("/widget/v1/{case_key}"))).await
    }
}

/// The visitor the frame under `base` (`.../widget/v1/{key}`) hands `client`,
/// as the page embedding the widget would open it.
pub async fn visitor_from_frame(client: reqwest::Client, base: String) -> VisitorClient {
    let html = client
        .get(format!("{base}/frame?url=https://shop.example/p"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let doc = scraper::Html::parse_document(&html);
    let visitor = doc
        .select(&scraper::Selector::parse("body").unwrap())
        .next()
        .and_then(|b| b.value().attr("data-visitor"))
        .expect("the frame's visitor id")
        .to_owned();
    VisitorClient {
        client,
        base,
        visitor,
    }
}

/// GET `path` under the widget's `base` as `visitor` (by header).
pub async fn seat_get(
    client: &reqwest::Client,
    base: &str,
    visitor: &str,
    path: &str,
) -> reqwest::Response {
    client
        .get(format!("{base}{path}"))
        .header("x-chatgate-visitor", visitor)
        .send()
        .await
        .unwrap()
}

/// The widget's state for `visitor`, which must be answered 200.
pub async fn seat_state(client: &reqwest::Client, base: &str, visitor: &str) -> Value {
    let r = seat_get(client, base, visitor, "/state").await;
    assert_eq!(r.status(), StatusCode::OK, "GET /state");
    r.json().await.unwrap()
}

impl VisitorClient {
    /// The same browser (its visitor id, sent as the header) at another
    /// address: `X-Forwarded-For: xff`.
    pub fn elsewhere(&self, xff: &str) -> VisitorClient {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", xff.parse().unwrap());
        headers.insert("x-chatgate-visitor", self.visitor.parse().unwrap());
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .pool_idle_timeout(IDLE)
            .build()
            .unwrap();
        VisitorClient {
            client,
            base: self.base.clone(),
            visitor: self.visitor.clone(),
        }
    }

    /// Opens the event stream the frame opens on a page view of `page`
    /// and waits until the visitor is online there (the page recorded).
    /// Moves the app's clock on a second first, so each page view has a
    /// time of its own.
    pub async fn on_page(&self, app: &TestApp, page: &str) -> EventStream {
        use chatgate::db::schema::visitors;
        use diesel::prelude::*;
        use sha2::Digest;
        app.core.clock.advance(chrono::Duration::seconds(1));
        let at = app.core.clock.now();
        let url: String = url::form_urlencoded::byte_serialize(page.as_bytes()).collect();
        let stream = self.events(&format!("?url={url}"), None).await;
        let key = hex::encode(sha2::Sha256::digest(self.visitor.as_bytes()));
        for _ in 0..200 {
            let seen: Option<chrono::NaiveDateTime> = visitors::table
                .filter(visitors::visitor_key.eq(&key))
                .select(visitors::last_seen_at)
                .first(&mut *app.core.db.get().unwrap())
                .optional()
                .unwrap();
            if seen.is_some_and(|t| t >= at) {
                return stream;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the visitor never showed as on {page}");
    }

    /// GET `path` as a new page view asks: by the cookie alone, no header.
    pub async fn get_by_cookie(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("x-chatgate-visitor", &self.visitor)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Sends a message from the page the frame was opened on; returns the
    /// conversation id.
    pub async fn say(&self, text: &str) -> String {
        let page = "url=https%3A%2F%2Fshop.example%2Fp";
        let body = json!({ "text": text, "url": "https://shop.example/p" });
        let r = self.post(&format!("/messages?{page}"), body).await;
        assert_eq!(r.status(), StatusCode::OK, "visitor message");
        r.json::<Value>().await.unwrap()["conversation"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn events(&self, query: &str, last_event_id: Option<i64>) -> EventStream {
        let mut req = self.client.get(format!("{}/events{query}", self.base));
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id.to_string());
        }
        EventStream::new(req.send().await.unwrap())
    }
}

impl VisitorClient {
    /// Sends a file; `conversation` as the frame would name it.
    pub async fn upload(
        &self,
        conversation: Option<&str>,
        name: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let q = conversation.map_or(String::new(), |c| format!("?conversation={c}"));
        let r = self
            .client
            .post(format!("{}/files{q}", self.base))
            .header("x-chatgate-visitor", &self.visitor)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or_default())
    }
}

/// Reads `data:` frames from an event stream.
pub struct EventStream {
    pub status: StatusCode,
    body: Option<futures_util::stream::BoxStream<'static, reqwest::Result<actix_web::web::Bytes>>>,
    buf: String,
}

impl EventStream {
    pub fn new(r: reqwest::Response) -> Self {
        let status = r.status();
        Self {
            status,
            body: Some(r.bytes_stream().boxed()),
            buf: String::new(),
        }
    }

    /// The next data frame, or None after `wait` without one.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Some(serde_json::from_str(data).unwrap());
                }
                continue;
            }
            let body = self.body.as_mut()?;
            match tokio::time::timeout_at(deadline, body.next()).await {
                Ok(Some(Ok(chunk))) => self.buf.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The next chat event (skipping invitations and refreshes).
    pub async fn event(&mut self) -> Value {
        loop {
            let v = self
                .next(Duration::from_secs(10))
                .await
                .expect("an event within 10 s");
            if v["type"] == "event" {
                return v;
            }
        }
    }

    /// The next event of `kind`, skipping others.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            let e = self.event().await;
            if e["kind"] == kind {
                return e;
            }
        }
    }

    /// Everything that arrives within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(v) = self.next(wait).await {
            out.push(v);
        }
        out
    }
}
