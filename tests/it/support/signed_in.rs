//! A signed-in user: a browser of its own (cookies and all) with the CSRF
//! token of its session, as crates.io's `MockCookieUser`. Every POST it
//! sends carries the token, as the panel's forms and the console's script do.

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

use super::{visitors::EventStream, *};

pub struct SignedIn {
    client: reqwest::Client,
    csrf: String,
    base: String,
}

impl TestApp {
    /// Signs `email` in (with the test password) in a browser of its own.
    pub async fn sign_in(&self, email: &str) -> SignedIn {
        self.sign_in_with(self.other_client(), email).await
    }

    /// Signs `email` in with the app's own client (`app.client`, whose
    /// cookies `session_cookie` reads) and hands it back as signed in.
    pub async fn login_ok(&self, email: &str) -> SignedIn {
        self.sign_in_with(self.client.clone(), email).await
    }

    async fn sign_in_with(&self, client: reqwest::Client, email: &str) -> SignedIn {
        let r = sign_in_at(&client, &self.url("/login"), email).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{email} signs in");
        let html = get_text(&client, self.url("/")).await;
        SignedIn {
            client,
            csrf: csrf_in(&html).expect("a csrf token on the home page"),
            base: self.address.clone(),
        }
    }
}

impl SignedIn {
    /// The browser itself, for requests the methods below do not make.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The CSRF token of the session.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// The same browser (same session), sending `token` instead of its
    /// own: for the checks that a wrong token is refused.
    pub fn with_csrf(&self, token: &str) -> SignedIn {
        SignedIn {
            client: self.client.clone(),
            csrf: token.to_owned(),
            base: self.base.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET `path` and return the body as text.
    pub async fn text(&self, path: &str) -> String {
        self.get(path).await.text().await.unwrap()
    }

    /// GET `path` and return the body as JSON.
    pub async fn json(&self, path: &str) -> Value {
        self.get(path).await.json().await.unwrap()
    }

    /// A request to `path` carrying the token in `X-CSRF-Token`, as the
    /// console's script sends it; the caller adds the body.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("x-csrf-token", self.csrf())
    }

    /// POST form fields (repeated names allowed) with the token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", self.csrf()));
        self.client
            .post(self.url(path))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// The result a form post shows: asserts that the post redirected (so
    /// that a refresh shows the page again instead of posting the form
    /// again) and gets the page it redirected to.
    pub async fn shown(&self, r: Response) -> String {
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "a result shows after a redirect"
        );
        let to = location(&r);
        self.text(&to).await
    }

    /// POST JSON with the token in its header, as the agent console does.
    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.request(Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The agent's `action` (`close`, `survey`, `block` …) on conversation
    /// `id`, as the console's button for it sends it.
    pub async fn act(&self, id: i64, action: &str) -> Response {
        let path = format!("/agent/api/conversations/{id}/{action}");
        self.post_json(&path, json!({})).await
    }

    /// The agent console's overview.
    pub async fn overview(&self) -> Value {
        self.json("/agent/api/overview").await
    }

    /// The internal id of the first conversation the agent sees.
    pub async fn conversation_id(&self) -> i64 {
        let o = self.overview().await;
        o["conversations"][0]["id"]
            .as_i64()
            .expect("an open conversation")
    }

    /// The agent's stream of one conversation.
    pub async fn events(&self, id: i64, last: Option<i64>) -> EventStream {
        let path = format!("/agent/conversations/{id}/events");
        let mut req = self.client.get(self.url(&path));
        if let Some(l) = last {
            req = req.header("last-event-id", l.to_string());
        }
        EventStream::new(req.send().await.unwrap())
    }
}
