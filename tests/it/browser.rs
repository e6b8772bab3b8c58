//! Browser journeys: Debian's Chromium driven through chromedriver. Without
//! Chromium they print "skipped: chromium not found" and pass, unless
//! CHATGATE_REQUIRE_BROWSER=1 (CI sets it), where they fail.

use std::{path::PathBuf, time::Duration};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::*;

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
        let caps = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--no-first-run",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
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

    pub async fn text_of(&self, css: &str) -> String {
        self.client
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

#[actix_web::test]
async fn manager_signs_in_sees_the_panel_and_signs_out() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let c = &b.client;
    c.goto(&app.url("/settings/users")).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    c.find(Locator::Css("input[name=email]"))
        .await
        .unwrap()
        .send_keys(&app.acme.manager)
        .await
        .unwrap();
    c.find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    assert_eq!(
        b.text_of("main h1").await,
        "Users",
        "back to the page asked for"
    );
    let nav = b.text_of("nav.nav").await;
    for item in [
        "Overview",
        "Agent console",
        "Support",
        "Block Visitors",
        "Live Chat Window",
        "Users",
        "Audit log",
    ] {
        assert!(nav.contains(item), "navigation lacks {item}: {nav}");
    }
    assert!(b.text_of("main table").await.contains(&app.acme.agent));
    b.screenshot("users").await;

    c.find(Locator::Css(".me button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(b.text_of(".flash").await.contains("You have signed out."));
    c.goto(&app.url("/")).await.unwrap();
    assert!(
        c.current_url().await.unwrap().path().ends_with("/login"),
        "signed out for real"
    );
    c.clone().close().await.unwrap();
}
