//! The browser harness: Debian's Chromium driven through chromedriver.
//! Without Chromium, `Browser::start` prints "skipped: chromium not found"
//! and gives None, unless CHATGATE_REQUIRE_BROWSER=1 (CI sets it), where it
//! panics.

use std::{path::PathBuf, time::Duration};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::*;

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

pub struct Browser {
    pub client: Client,
    _driver: tokio::process::Child,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, or says why not.
    pub async fn start() -> Option<Browser> {
        Self::start_with(&[]).await
    }

    /// As [`Browser::start`], with more Chromium arguments.
    pub async fn start_with(extra_args: &[String]) -> Option<Browser> {
        let (Some(chromium), Some(driver)) = (
            which(&["chromium", "chromium-browser", "google-chrome"]),
            which(&["chromedriver"]),
        ) else {
            if std::env::var("CHATGATE_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!("chromium or chromedriver not found, and CHATGATE_REQUIRE_BROWSER=1");
            }
            println!("skipped: chromium not found");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = tokio::process::Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap().keep();
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--no-first-run",
            "--window-size=1280,900",
        ]
        .map(String::from)
        .to_vec();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend_from_slice(extra_args);
        let caps = json!({
            "goog:chromeOptions": { "binary": chromium, "args": args }
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if let Ok(client) = ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                return Some(Browser {
                    client,
                    _driver: child,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not connect to chromedriver");
    }

    /// The text of the first element matching `css`, once it exists. An
    /// element replaced between finding and reading it (a page still
    /// loading) is looked up again.
    pub async fn text_of(&self, css: &str) -> String {
        for _ in 0..50 {
            let element = self
                .client
                .wait()
                .for_element(Locator::Css(css))
                .await
                .unwrap();
            match element.text().await {
                Ok(text) => return text,
                Err(e) if e.is_stale_element_reference() => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(e) => panic!("reading {css}: {e}"),
            }
        }
        panic!("{css} kept being replaced before it could be read");
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// A screenshot the README shows: saved with the others and, with
    /// CHATGATE_UPDATE_DOCS=1, also as `docs/screenshots/{name}.png`, so
    /// the README's pictures come from the journeys and can be remade.
    pub async fn doc_screenshot(&self, name: &str) {
        self.screenshot(name).await;
        if std::env::var("CHATGATE_UPDATE_DOCS").as_deref() == Ok("1") {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
            std::fs::create_dir_all(&dir).unwrap();
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
        }
    }
}

impl Browser {
    pub async fn css(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// Clicks the element, finding it again if a live update replaced it.
    pub async fn click(&self, css: &str) {
        for _ in 0..20 {
            let e = self.css(css).await;
            match e.click().await {
                Ok(_) => return,
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        panic!("could not click {css}");
    }

    /// The page's text says none of `words` (lower case): a blocked
    /// visitor is told nothing of the block.
    pub async fn says_none_of(&self, words: &[&str]) {
        let shown = self.css("body").await.text().await.unwrap().to_lowercase();
        for w in words {
            assert!(!shown.contains(w), "{w:?} shown: {shown}");
        }
    }

    /// Whether the element is disabled now.
    pub async fn is_disabled(&self, css: &str) -> bool {
        self.css(css)
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_some()
    }

    /// Writes `text` in the chat window (the frame entered) and sends it;
    /// returns once the log shows it.
    pub async fn send_message(&self, text: &str) {
        self.css("#input").await.send_keys(text).await.unwrap();
        self.click("#send").await;
        self.wait_text("#log", text).await;
    }

    /// Waits until the element's text contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str) {
        for _ in 0..100 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if e.text().await.unwrap_or_default().contains(needle) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shown = match self.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => "(no element)".into(),
        };
        panic!("{css} never showed {needle:?}; it shows {shown:?}");
    }

    pub async fn sign_in(&self, app: &TestApp, email: &str, path: &str) {
        self.client.goto(&app.url(path)).await.unwrap();
        self.css("input[name=email]")
            .await
            .send_keys(email)
            .await
            .unwrap();
        self.css("input[name=password]")
            .await
            .send_keys(PASSWORD)
            .await
            .unwrap();
        self.click("button[type=submit]").await;
    }

    /// Goes ahead in the page's confirmation dialog, once it says `says`.
    pub async fn confirm_in_page(&self, says: &str) {
        self.wait_text("dialog.confirm-dialog", says).await;
        self.click("dialog.confirm-dialog button[value=ok]").await;
    }

    /// The page's width against the window's (scrollWidth, innerWidth).
    pub async fn page_widths(&self) -> (i64, i64) {
        let v = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    }

    /// A visitor on Acme's demo page, with the chat window open; the
    /// browser stays in the chat's frame.
    pub async fn open_chat(&self, app: &TestApp) {
        self.client
            .goto(&app.url("/demo?case=acme-support"))
            .await
            .unwrap();
        self.enter_chat().await;
        self.click("#launcher").await;
    }

    /// Enters the chat frame of the page.
    pub async fn enter_chat(&self) {
        let frame = self.css("iframe[data-chatgate]").await;
        frame.enter_frame().await.unwrap();
    }

    /// An agent signs in to the console and opens the waiting chat.
    pub async fn open_waiting_chat(&self, app: &TestApp) {
        self.sign_in(app, &app.acme.agent, "/agent").await;
        self.wait_text("#waiting", "Support").await;
        self.click("#waiting .queue-item").await;
    }

    /// Presses the Block a line of the transcript offers; returns the
    /// reason the block dialog was opened with.
    pub async fn offered_block_reason(&self) -> Option<String> {
        self.click("#transcript .offer-block").await;
        self.css("#block-reason").await.prop("value").await.unwrap()
    }
}

/// A Chrome DevTools command, sent through chromedriver.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (reqwest::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (reqwest::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Every request the browser makes from now on says it comes through
    /// the (trusted) proxy from `ip`: the same browser on another address.
    pub async fn forwarded_for(&self, ip: &str) {
        for (cmd, params) in [
            ("Network.enable", json!({})),
            (
                "Network.setExtraHTTPHeaders",
                json!({ "headers": { "X-Forwarded-For": ip } }),
            ),
        ] {
            self.client.issue_cmd(Cdp { cmd, params }).await.unwrap();
        }
    }
}
