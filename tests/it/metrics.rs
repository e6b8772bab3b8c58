//! `/metrics`: off without `CHATGATE_METRICS_TOKEN`, 401 without the right
//! bearer token, and with it the Prometheus text with requests by route
//! pattern, open event streams, the pool, the purge and the gate. Each app
//! has a registry of its own, so the numbers here are this app's alone.

use std::{collections::HashMap, time::Duration};

use reqwest::StatusCode;

use crate::support::*;

const TOKEN: &str = "scrape-me-0123456789";

async fn app_with_metrics() -> TestApp {
    TestApp::builder()
        .env("CHATGATE_METRICS_TOKEN", TOKEN)
        .spawn()
        .await
}

async fn scrape_with(app: &TestApp, auth: Option<&str>) -> reqwest::Response {
    let mut req = app.other_client().get(app.url("/metrics"));
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    req.send().await.unwrap()
}

/// One sample line: its name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// The exposition, parsed and checked: every sample belongs to a metric
/// with a `# TYPE` line, and every line is a comment or `name{…} value`.
fn parse(text: &str) -> Vec<Sample> {
    let mut typed: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut it = rest.split(' ');
            typed.push(it.next().unwrap());
            let kind = it.next().unwrap();
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("name and value");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
        let (name, labels) = match series.split_once('{') {
            Some((n, rest)) => (n, labels_of(rest.strip_suffix('}').expect(line))),
            None => (series, HashMap::new()),
        };
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| typed.contains(f)))
            .unwrap_or(name);
        assert!(typed.contains(&family), "no # TYPE before {line}");
        out.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    out
}

fn labels_of(s: &str) -> HashMap<String, String> {
    s.split("\",")
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once("=\"").expect("label=\"value\"");
            (k.to_owned(), v.trim_end_matches('"').to_owned())
        })
        .collect()
}

async fn scrape(app: &TestApp) -> Vec<Sample> {
    let r = scrape_with(app, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(r.status(), StatusCode::OK);
    let kind = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    parse(&r.text().await.unwrap())
}

/// The value of `name` with (at least) `labels`, summed over the rest.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples
        .iter()
        .filter(|s| s.name == name)
        .filter(|s| {
            labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

#[actix_web::test]
async fn without_a_token_configured_there_is_no_metrics_page() {
    let app = spawn_app().await;
    assert_eq!(
        scrape_with(&app, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = scrape_with(&app, Some("Bearer anything")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_missing_or_wrong_bearer_token_is_refused() {
    let app = app_with_metrics().await;
    for auth in [
        None,
        Some("Bearer wrong-token".to_owned()),
        Some(format!("Bearer {TOKEN}x")),
        Some(format!("Basic {TOKEN}")),
        Some(format!("Bearer {}", &TOKEN[..5])),
        Some("Bearer ".to_owned()),
    ] {
        let r = scrape_with(&app, auth.as_deref()).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(r.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
        let body = r.text().await.unwrap();
        assert!(!body.contains("chatgate_"), "{body}");
    }
    let ok = scrape_with(&app, Some(&format!("bearer {TOKEN}"))).await;
    assert_eq!(
        ok.status(),
        StatusCode::OK,
        "the scheme is case-insensitive"
    );
}

#[actix_web::test]
async fn requests_are_counted_by_route_pattern_never_by_raw_path() {
    let app = app_with_metrics().await;
    let manager = app.sign_in(&app.acme.manager).await;
    let path = format!("/cases/{}/conversations", app.acme.case.id);
    for _ in 0..2 {
        assert_eq!(manager.get(&path).await.status(), StatusCode::OK);
    }
    assert_eq!(
        app.get("/no/such/page/12345").await.status(),
        StatusCode::NOT_FOUND
    );
    let r = scrape_with(&app, Some(&format!("Bearer {TOKEN}"))).await;
    let text = r.text().await.unwrap();
    let samples = parse(&text);
    let page = [
        ("route", "/cases/{case_id}/conversations"),
        ("method", "GET"),
        ("status", "200"),
    ];
    assert_eq!(
        value(&samples, "chatgate_http_requests_total", &page),
        Some(2.0),
        "{text}"
    );
    let timed = [
        ("route", "/cases/{case_id}/conversations"),
        ("method", "GET"),
    ];
    assert_eq!(
        value(
            &samples,
            "chatgate_http_request_duration_seconds_count",
            &timed
        ),
        Some(2.0)
    );
    assert!(!text.contains(&path), "the raw path is never a label");
    assert!(!text.contains("12345"), "an unknown path is not a label");
    assert!(!text.contains("127.0.0.1"), "no address in any label");
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert!(value(&samples, "chatgate_http_requests_total", &unmatched) >= Some(1.0));
}

/// The gauge of open visitor streams, once it equals `want` (or the last
/// value seen after `within`).
async fn visitor_streams_become(app: &TestApp, want: f64, within: Duration) -> Option<f64> {
    let deadline = std::time::Instant::now() + within;
    loop {
        let s = scrape(app).await;
        let seen = value(&s, "chatgate_event_streams_open", &[("kind", "visitor")]);
        if seen == Some(want) || std::time::Instant::now() > deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[actix_web::test]
async fn an_open_event_stream_shows_in_the_gauge_until_it_closes() {
    let app = app_with_metrics().await;
    let soon = Duration::from_secs(20);
    assert_eq!(visitor_streams_become(&app, 0.0, soon).await, Some(0.0));
    let visitor = app.visitor(&app.acme.case.widget_key).await;
    let stream = visitor.on_page(&app, "https://shop.example/tents").await;
    assert_eq!(stream.status, StatusCode::OK);
    assert_eq!(visitor_streams_become(&app, 1.0, soon).await, Some(1.0));
    let agents = value(
        &scrape(&app).await,
        "chatgate_event_streams_open",
        &[("kind", "agent")],
    );
    assert_eq!(agents, Some(0.0));
    drop(stream);
    drop(visitor);
    // The server learns that the client went when it next writes to the
    // stream: its ping, every 15 s (a write to a socket the peer closed may
    // still succeed once, so up to two pings).
    assert_eq!(
        visitor_streams_become(&app, 0.0, Duration::from_secs(45)).await,
        Some(0.0)
    );
}

#[actix_web::test]
async fn the_pool_and_the_gate_are_read_at_scrape_time() {
    let app = app_with_metrics().await;
    let s = scrape(&app).await;
    let open = value(&s, "chatgate_db_pool_connections", &[]).expect("pool connections");
    let idle = value(&s, "chatgate_db_pool_idle_connections", &[]).expect("idle");
    assert!(open >= 1.0 && idle <= open, "{open} {idle}");
    assert_eq!(value(&s, "chatgate_db_pool_waiting", &[]), Some(0.0));
    assert_eq!(value(&s, "chatgate_gate_rules", &[]), Some(0.0));
    let rebuilds = value(&s, "chatgate_gate_policy_rebuilds_total", &[]).expect("rebuilds");
    let manager = app.sign_in(&app.acme.manager).await;
    for net in ["203.0.113.0/24", "198.51.100.7"] {
        let r = crate::support::blocking::add_rule(&manager, net, "metrics").await;
        assert!(r.status().is_success() || r.status().is_redirection());
    }
    let s = scrape(&app).await;
    assert_eq!(value(&s, "chatgate_gate_rules", &[]), Some(2.0));
    assert_eq!(
        value(&s, "chatgate_gate_accounts", &[]),
        Some(2.0),
        "acme's and globex's (the test accounts save their flood limits)"
    );
    assert!(value(&s, "chatgate_gate_policy_rebuilds_total", &[]) >= Some(rebuilds));
    let mut reloaded = 0.0;
    for _ in 0..100 {
        reloaded = value(
            &scrape(&app).await,
            "chatgate_gate_last_reload_timestamp_seconds",
            &[],
        )
        .expect("last reload");
        if reloaded > 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let now = app.core.clock.now().and_utc().timestamp() as f64;
    assert!(
        reloaded > now - 600.0 && reloaded <= now,
        "{reloaded} vs {now}"
    );
}

#[actix_web::test]
async fn a_purge_run_is_counted_with_its_rows() {
    let app = app_with_metrics().await;
    let runs = |s: &[Sample]| value(s, "chatgate_purge_runs_total", &[("outcome", "ok")]);
    let sessions = |s: &[Sample]| {
        value(s, "chatgate_purge_rows_total", &[("kind", "sessions")]).unwrap_or(0.0)
    };
    // The start-up run may still be on its way: wait for it.
    let mut before = scrape(&app).await;
    for _ in 0..100 {
        if runs(&before) >= Some(1.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        before = scrape(&app).await;
    }
    let _old = app.sign_in(&app.acme.agent).await;
    app.core.clock.advance(chrono::Duration::hours(13));
    chatgate::startup::purge_once(
        &app.core.db,
        &app.core.clock,
        &app.core.metrics,
        (chrono::Duration::hours(12), chrono::Duration::days(400)),
    )
    .await
    .unwrap();
    let after = scrape(&app).await;
    assert_eq!(runs(&after), runs(&before).map(|n| n + 1.0));
    assert!(
        sessions(&after) >= sessions(&before) + 1.0,
        "the expired session"
    );
    assert_eq!(
        value(
            &after,
            "chatgate_purge_runs_total",
            &[("outcome", "failed")]
        ),
        Some(0.0)
    );
}

#[actix_web::test]
async fn gate_decisions_are_counted_by_cause() {
    use crate::support::blocking::{add_rule, bootstrap_from};
    let app = TestApp::builder()
        .env("CHATGATE_METRICS_TOKEN", TOKEN)
        .trusted_proxies("127.0.0.1/32")
        .spawn()
        .await;
    let m = app.sign_in(&app.acme.manager).await;
    add_rule(&m, "198.51.100.0/24", "scrapers").await;
    // Page views: two refused by the rule, one shown.
    for ip in ["198.51.100.7", "198.51.100.8", "192.0.2.1"] {
        assert_eq!(bootstrap_from(&app, ip).await.status(), StatusCode::OK);
    }
    let s = scrape(&app).await;
    let by = |cause| value(&s, "chatgate_gate_decisions_total", &[("cause", cause)]);
    assert_eq!((by("ip_rule"), by("allowed")), (Some(2.0), Some(1.0)));
    let text = scrape_with(&app, Some(&format!("Bearer {TOKEN}")))
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains("198.51.100"), "never an address");
}

#[actix_web::test]
async fn a_flood_refusal_counts_among_the_gate_decisions() {
    let app = app_with_metrics().await;
    let m = app.sign_in(&app.acme.manager).await;
    let r = m
        .post(
            "/settings/abuse/flood",
            &[("messages_on", "1"), ("messages", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let v = app.visitor(&app.acme.case.widget_key).await;
    v.say("one").await;
    let body = serde_json::json!({ "text": "two", "url": "https://shop.example/p" });
    let r = v
        .post("/messages?url=https%3A%2F%2Fshop.example%2Fp", body)
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let s = scrape(&app).await;
    let flood = value(&s, "chatgate_gate_decisions_total", &[("cause", "flood")]);
    assert_eq!(flood, Some(1.0));
}
