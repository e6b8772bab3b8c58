//! Screen sharing in two Chromium instances: the agent asks, the visitor
//! says yes and the frame captures a screen (Chromium's fake capture), the
//! picture reaches the agent's `<video>` over WebRTC; Stop on the visitor's
//! side and End on the agent's each stop it; a block during a share stops
//! it within a second, and the agent cannot ask again. A console that
//! reloads mid-share connects again.
//!
//! Chromium gathers no ICE candidates on loopback: the browsers connect
//! over the machine's other addresses. A machine with none gets a veth
//! pair with private addresses for the test (`ip link add … type veth`, as
//! root).

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{browser::Browser, spawn_app, TestApp};

/// Host candidates as addresses, not mDNS names, so two browsers on one
/// machine find each other without multicast DNS.
const NO_MDNS: &str = "--disable-features=WebRtcHideLocalIpsWithMdns";

/// Whether the machine has an address other than loopback; if not, makes
/// one (a veth pair). False when neither is possible.
fn has_non_loopback_address() -> bool {
    let listed = |args: &[&str]| {
        std::process::Command::new("ip")
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let global = |text: &str| {
        text.lines()
            .any(|l| l.contains("inet ") && !l.contains(" lo") && l.contains("scope global"))
    };
    if global(&listed(&["-4", "addr", "show", "up"])) {
        return true;
    }
    for args in [
        &[
            "link", "add", "cgshare0", "type", "veth", "peer", "name", "cgshare1",
        ][..],
        &["addr", "add", "10.203.0.1/24", "dev", "cgshare0"],
        &["addr", "add", "10.203.0.2/24", "dev", "cgshare1"],
        &["link", "set", "cgshare0", "up"],
        &["link", "set", "cgshare1", "up"],
        // Without media permission (the agent's side) Chromium gathers on
        // the interface of the default route only.
        &["route", "add", "default", "dev", "cgshare0"],
    ] {
        let _ = std::process::Command::new("ip").args(args).status();
    }
    global(&listed(&["-4", "addr", "show", "up"]))
}

async fn js(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

const VIDEO: &str = "var v = document.getElementById('share-video'); \
    var q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0; \
    return [v.videoWidth, q, !!v.srcObject, document.getElementById('share-panel').hidden];";

/// Waits until the agent's video shows frames and its frame count
/// advances; returns its width.
async fn frames_flow(agent: &Browser) -> i64 {
    let mut first = None;
    for _ in 0..200 {
        let v = js(agent, VIDEO).await;
        let (width, frames) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
        match first {
            None if width > 0 && frames > 0 => first = Some(frames),
            Some(f) if frames > f + 2 => return width,
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the agent's video never showed advancing frames: {:?}",
        js(agent, VIDEO).await
    );
}

/// The agent asks from the menu; the visitor says yes in the frame.
async fn ask_and_share(agent: &Browser, visitor: &Browser, asks_seen: usize) {
    agent.click("#menu-button").await;
    agent.click("#menu [data-action=screen-share]").await;
    let cards = "#log .card .btn.primary:not([disabled])";
    for _ in 0..100 {
        let n = visitor
            .client
            .find_all(fantoccini::Locator::Css(cards))
            .await
            .unwrap()
            .len();
        if n > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let yes = visitor
        .client
        .find_all(fantoccini::Locator::Css(cards))
        .await
        .unwrap();
    assert_eq!(yes.len(), 1, "one open request (after {asks_seen} before)");
    yes[0].click().await.unwrap();
    visitor
        .wait_text("#share-bar", "You are sharing your screen")
        .await;
    assert!(frames_flow(agent).await > 0);
}

/// Whether the visitor's frame still shares (the bar, the button's ring).
async fn visitor_sharing(visitor: &Browser) -> bool {
    let v = js(
        visitor,
        "return [document.getElementById('share-bar').hidden, document.body.classList.contains('sharing')];",
    )
    .await;
    !v[0].as_bool().unwrap() || v[1].as_bool().unwrap()
}

/// Waits up to `within` for both sides to have stopped; returns how long.
async fn both_stop(agent: &Browser, visitor: &Browser, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let a = js(agent, VIDEO).await;
        let agent_stopped = !a[2].as_bool().unwrap() && a[3].as_bool().unwrap();
        if agent_stopped && !visitor_sharing(visitor).await {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "still sharing after {within:?}: agent {a:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn open_both(app: &TestApp) -> Option<(Browser, Browser)> {
    let visitor = Browser::start_with(&[
        "--use-fake-ui-for-media-stream".into(),
        "--use-fake-device-for-media-stream".into(),
        "--auto-select-desktop-capture-source=Entire".into(),
        "--enable-usermedia-screen-capturing".into(),
        NO_MDNS.into(),
    ])
    .await?;
    let agent = Browser::start_with(&[NO_MDNS.into()]).await?;
    visitor.open_chat(app).await;
    visitor.send_message("Could you look at my screen?").await;
    agent.open_waiting_chat(app).await;
    agent.wait_text("#transcript", "look at my screen").await;
    Some((visitor, agent))
}

#[actix_web::test]
async fn the_visitor_shares_a_screen_either_side_ends_it_and_a_block_stops_it() {
    assert!(has_non_loopback_address(), "no address for ICE candidates");
    let app = spawn_app().await;
    let Some((visitor, agent)) = open_both(&app).await else {
        return;
    };

    // 0. A browser that cannot share a screen (most phones) says so and
    //    leaves only No.
    js(&visitor, "window.kept = MediaDevices.prototype.getDisplayMedia; delete MediaDevices.prototype.getDisplayMedia; return 0;").await;
    agent.click("#menu-button").await;
    agent.click("#menu [data-action=screen-share]").await;
    visitor
        .wait_text("#log .card", "This browser cannot share its screen.")
        .await;
    assert!(visitor.is_disabled("#log .card .btn.primary").await);
    visitor.screenshot("share-unsupported").await;
    visitor.click("#log .card .btn:not(.primary)").await;
    agent
        .wait_text("#transcript", "declined the screen-share request")
        .await;
    js(
        &visitor,
        "MediaDevices.prototype.getDisplayMedia = window.kept; return 0;",
    )
    .await;

    // 1. Shared, then stopped by the visitor.
    ask_and_share(&agent, &visitor, 1).await;
    agent
        .wait_text("#transcript", "The visitor started sharing their screen")
        .await;
    agent.screenshot("share-agent").await;
    visitor.client.enter_parent_frame().await.unwrap();
    visitor.screenshot("share-visitor").await;
    visitor.enter_chat().await;
    // The agent's console reloads mid-share: it answers again, the
    // visitor's browser starts a new connection, and the picture returns.
    agent.client.refresh().await.unwrap();
    assert!(frames_flow(&agent).await > 0);
    visitor.click("#share-stop").await;
    both_stop(&agent, &visitor, Duration::from_secs(5)).await;
    agent
        .wait_text("#transcript", "Screen sharing ended by the visitor after")
        .await;
    visitor.wait_text("#log", "Screen sharing has ended.").await;

    // 2. Shared again, ended by the agent's End.
    ask_and_share(&agent, &visitor, 2).await;
    agent.client.set_window_size(500, 900).await.unwrap();
    agent.screenshot("share-agent-500").await;
    agent.client.set_window_size(1280, 900).await.unwrap();
    agent.click("#share-end").await;
    both_stop(&agent, &visitor, Duration::from_secs(5)).await;
    agent
        .wait_text("#transcript", "Screen sharing ended by acme agent after")
        .await;

    // 3. Shared again; the visitor leaves the page (a reload): it ends.
    ask_and_share(&agent, &visitor, 3).await;
    visitor.client.refresh().await.unwrap();
    visitor.enter_chat().await;
    visitor.click("#launcher").await;
    both_stop(&agent, &visitor, Duration::from_secs(5)).await;
    let ended = "Screen sharing ended by the visitor after";
    for _ in 0..50 {
        let t = agent.css("#transcript").await.text().await.unwrap();
        if t.matches(ended).count() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let t = agent.css("#transcript").await.text().await.unwrap();
    assert_eq!(t.matches(ended).count(), 2, "{t}");

    // 4. Shared again; a block stops it on both sides within a second.
    ask_and_share(&agent, &visitor, 4).await;
    agent.click("#menu-button").await;
    agent.click("#menu [data-action=block]").await;
    agent
        .css("#block-reason")
        .await
        .send_keys("Showed abusive images")
        .await
        .unwrap();
    agent.click("#block-confirm").await;
    let took = both_stop(&agent, &visitor, Duration::from_secs(1)).await;
    println!("a block stopped the share in {took:?}");
    agent
        .wait_text("#transcript", "Screen sharing ended by the block")
        .await;
    // A new request is refused.
    agent.click("#menu-button").await;
    agent.click("#menu [data-action=screen-share]").await;
    agent
        .wait_text("#chat-error", "This conversation has ended.")
        .await;
    visitor.says_none_of(&["block", "abusive"]).await;

    visitor.client.clone().close().await.unwrap();
    agent.client.clone().close().await.unwrap();
}

/// The machine's first IPv4 address other than loopback.
fn host_address() -> String {
    let out = std::process::Command::new("ip")
        .args(["-4", "-o", "addr", "show", "scope", "global", "up"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .skip_while(|w| *w != "inet")
        .nth(1)
        .and_then(|a| a.split('/').next())
        .expect("an IPv4 address")
        .to_owned()
}

/// coturn from Debian on `addr`, checking credentials with the shared
/// secret (`use-auth-secret`), as the README sets it up.
struct Turn {
    child: std::process::Child,
    port: u16,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Turn {
    fn start(addr: &str, secret: &str) -> Option<Turn> {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::UdpSocket::bind((addr, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.path().join("turn.log");
        let child = std::process::Command::new("turnserver")
            .args(["-n", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint"])
            .args([
                "-v",
                "--use-auth-secret",
                "--realm=chatgate.test",
                "--simple-log",
            ])
            .arg(format!("--static-auth-secret={secret}"))
            .arg(format!("--listening-ip={addr}"))
            .arg(format!("--relay-ip={addr}"))
            .arg(format!("--listening-port={port}"))
            .args(["--min-port=49160", "--max-port=49400"])
            .arg(format!("--log-file={}", log.display()))
            .arg(format!(
                "--pidfile={}",
                dir.path().join("turn.pid").display()
            ))
            .arg(format!("--db={}", dir.path().join("turndb").display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        std::thread::sleep(Duration::from_millis(500));
        Some(Turn {
            child,
            port,
            log,
            _dir: dir,
        })
    }

    /// What coturn logged (its log file gets a date in its name).
    fn logged(&self) -> String {
        let dir = self.log.parent().unwrap();
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with("turn"))
            .filter_map(|e| std::fs::read(e.path()).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect()
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn through_a_coturn_relay_only_with_credentials_minted_for_the_share() {
    assert!(has_non_loopback_address(), "no address for ICE candidates");
    let addr = host_address();
    let Some(turn) = Turn::start(&addr, "journey-secret") else {
        if std::env::var("CHATGATE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("turnserver (Debian's coturn) not found, and CHATGATE_REQUIRE_BROWSER=1");
        }
        println!("skipped: turnserver not found");
        return;
    };
    let url = format!("turn:{addr}:{}?transport=udp", turn.port);
    let app = TestApp::builder()
        .env("CHATGATE_TURN_URLS", &url)
        .env("CHATGATE_TURN_SECRET", "journey-secret")
        .env("CHATGATE_TURN_RELAY_ONLY", "true")
        .spawn()
        .await;
    let Some((visitor, agent)) = open_both(&app).await else {
        return;
    };
    // Relay candidates only: the picture can only have come through coturn.
    ask_and_share(&agent, &visitor, 0).await;
    let logged = turn.logged();
    for side in ["-visitor>", "-agent>"] {
        let accepted = logged
            .lines()
            .find(|l| l.contains(side) && l.contains("ALLOCATE processed, success"));
        println!("coturn: {accepted:?}");
        assert!(
            accepted.is_some(),
            "coturn accepted no {side} credentials: {logged}"
        );
    }
    agent.click("#share-end").await;
    both_stop(&agent, &visitor, Duration::from_secs(5)).await;
    visitor.client.clone().close().await.unwrap();
    agent.client.clone().close().await.unwrap();
}
