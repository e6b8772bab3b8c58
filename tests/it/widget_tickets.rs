//! The visitor's read tickets and seat, as a reviewer found them: a ticket
//! reads one case for one purpose (the event stream, or one file); the
//! survey of a conversation an agent closed stays answerable on a new page
//! view; the old unpartitioned cookie names nobody; the frame carries no
//! unused token.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

/// A frame on another site with third-party cookies blocked: no cookies,
/// the visitor id (as the frame keeps it) sent as a header.
struct Seat {
    base: String,
    visitor: String,
}

/// The id a new frame of `case` names for its storage.
async fn fresh_id(app: &TestApp, case: &str) -> String {
    let html = get_text(
        &reqwest::Client::new(),
        app.url(&format!("/widget/v1/{case}/frame")),
    )
    .await;
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("body").unwrap();
    let body = doc.select(&sel).next().unwrap();
    body.value().attr("data-visitor").unwrap().to_owned()
}

impl Seat {
    async fn new(app: &TestApp, case: &str) -> Seat {
        let visitor = fresh_id(app, case).await;
        Seat::with(app, case, &visitor)
    }

    fn with(app: &TestApp, case: &str, visitor: &str) -> Seat {
        Seat {
            base: app.url(&format!("/widget/v1/{case}")),
            visitor: visitor.to_owned(),
        }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        crate::support::visitors::seat_get(&reqwest::Client::new(), &self.base, &self.visitor, path)
            .await
    }

    async fn state(&self) -> Value {
        crate::support::visitors::seat_state(&reqwest::Client::new(), &self.base, &self.visitor)
            .await
    }

    async fn ticket(&self) -> String {
        self.state().await["ticket"].as_str().unwrap().to_owned()
    }

    async fn say(&self, text: &str) -> String {
        let r = reqwest::Client::new()
            .post(format!("{}/messages", self.base))
            .header("x-chatgate-visitor", &self.visitor)
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()["conversation"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Sends a file; returns its id.
    async fn send_file(&self, cid: &str, name: &str, bytes: &[u8]) -> String {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned());
        let r = reqwest::Client::new()
            .post(format!("{}/files?conversation={cid}", self.base))
            .header("x-chatgate-visitor", &self.visitor)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        let seq = r.json::<Value>().await.unwrap()["seq"].as_i64().unwrap();
        let mut s = crate::support::visitors::EventStream::new(
            self.get(&format!("/events?conversation={cid}&after={}", seq - 1))
                .await,
        );
        s.until("file").await["body"]["file"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A request that names its visitor by the ticket alone: no header, no
/// cookie.
async fn by_ticket(url: &str) -> StatusCode {
    reqwest::Client::new()
        .get(url)
        .send()
        .await
        .unwrap()
        .status()
}

#[actix_web::test]
async fn a_ticket_reads_its_own_stream_and_no_other() {
    let app = spawn_app().await;
    let x = Seat::new(&app, "acme-support").await;
    let y = Seat::new(&app, "acme-support").await;
    let (cx, cy) = (x.say("I am X").await, y.say("I am Y").await);
    let tx = x.ticket().await;

    // The ticket alone opens X's stream and shows X's message.
    let r = reqwest::Client::new()
        .get(format!("{}/events?conversation={cx}&ticket={tx}", x.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut s = crate::support::visitors::EventStream::new(r);
    assert_eq!(s.until("message").await["body"]["text"], "I am X");
    // Not Y's.
    let url = format!("{}/events?conversation={cy}&ticket={tx}", x.base);
    assert_eq!(by_ticket(&url).await, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_ticket_of_one_account_reads_nothing_in_another() {
    let app = spawn_app().await;
    // The same browser on one site, with the same id in both accounts'
    // frames (as a shared storage name would keep it).
    let acme = Seat::new(&app, "acme-support").await;
    let globex = Seat::with(&app, "globex-support", &acme.visitor);
    let _ = acme.say("to acme").await;
    let cg = globex.say("to globex").await;
    let ticket = acme.ticket().await;
    let url = format!("{}/events?conversation={cg}&ticket={ticket}", globex.base);
    assert_eq!(by_ticket(&url).await, StatusCode::UNAUTHORIZED);
    let url = format!("{}/events?ticket={ticket}", globex.base);
    assert_eq!(by_ticket(&url).await, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn each_accounts_frame_names_its_own_visitor() {
    let app = spawn_app().await;
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let browser = client_with(jar);
    let id_of = |html: String| {
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("body").unwrap();
        let body = doc.select(&sel).next().unwrap();
        body.value().attr("data-visitor").unwrap().to_owned()
    };
    let acme = id_of(get_text(&browser, app.url("/widget/v1/acme-support/frame")).await);
    let again = id_of(get_text(&browser, app.url("/widget/v1/acme-support/frame")).await);
    let globex = id_of(get_text(&browser, app.url("/widget/v1/globex-support/frame")).await);
    assert_eq!(acme, again, "one browser, one visitor per account");
    assert_ne!(acme, globex, "the accounts do not share the visitor's id");
}

#[actix_web::test]
async fn file_links_carry_a_ticket_for_that_file_only() {
    let app = spawn_app().await;
    let v = Seat::new(&app, "acme-support").await;
    let cid = v.say("two receipts").await;
    let f1 = v.send_file(&cid, "one.pdf", b"%PDF-1.4 one").await;
    let f2 = v.send_file(&cid, "two.pdf", b"%PDF-1.4 two").await;
    let files = format!("{}/conversations/{cid}/files", v.base);

    let r = v
        .get(&format!("/conversations/{cid}/files/{f1}/ticket"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let t1 = r.json::<Value>().await.unwrap()["ticket"]
        .as_str()
        .expect("a file ticket")
        .to_owned();
    // It downloads that file, by itself.
    let r = reqwest::get(format!("{files}/{f1}?ticket={t1}"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(&r.bytes().await.unwrap()[..], b"%PDF-1.4 one");
    // Not another file, and not the event stream.
    let other = format!("{files}/{f2}?ticket={t1}");
    assert_eq!(by_ticket(&other).await, StatusCode::UNAUTHORIZED);
    let stream = format!("{}/events?conversation={cid}&ticket={t1}", v.base);
    assert_eq!(by_ticket(&stream).await, StatusCode::UNAUTHORIZED);
    // The stream's ticket opens no file.
    let te = v.ticket().await;
    let r = format!("{files}/{f1}?ticket={te}");
    assert_eq!(by_ticket(&r).await, StatusCode::UNAUTHORIZED);
    // A file ticket is only given to the visitor of the conversation.
    let stranger = Seat::new(&app, "acme-support").await;
    let r = stranger
        .get(&format!("/conversations/{cid}/files/{f1}/ticket"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = reqwest::get(format!(
        "{}/conversations/{cid}/files/{f1}/ticket?ticket={te}",
        v.base
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a ticket mints none");
}

async fn close(agent: &SignedIn, id: i64) {
    let r = agent.act(id, "close").await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[actix_web::test]
async fn the_survey_of_a_closed_conversation_is_still_answerable() {
    let app = spawn_app().await;
    let v = Seat::new(&app, "acme-support").await;
    let cid = v.say("thanks for the help").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    close(&agent, id).await;

    // The next page view names the closed conversation for its survey.
    let s = v.state().await;
    assert_eq!(s["conversation"]["id"], cid.as_str(), "{s}");
    assert_eq!(s["conversation"]["status"], "closed");
    assert_eq!(s["conversation"]["survey_pending"], true, "{s}");
    let r = reqwest::Client::new()
        .post(format!("{}/conversations/{cid}/survey", v.base))
        .header("x-chatgate-visitor", &v.visitor)
        .json(&json!({ "rating": 5, "comment": "great" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // Once answered, a new page view starts afresh.
    let s = v.state().await;
    assert!(s["conversation"].is_null(), "{s}");
}

#[actix_web::test]
async fn no_survey_for_a_blocked_conversation() {
    let app = crate::support::blocking::proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (v, cid, id) =
        crate::support::blocking::chat_from(&app, &agent, "198.51.100.9", "hi").await;
    let r = agent.act(id, "survey").await;
    assert_eq!(r.status(), StatusCode::OK, "the survey is offered");
    let r = crate::support::blocking::block(&agent, id, "abuse").await;
    assert_eq!(r.status(), StatusCode::OK);
    let boss = app.sign_in(&app.acme.manager).await;
    let r = boss
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = v.get_by_cookie("/state").await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = r.json().await.unwrap();
    assert!(s["conversation"].is_null(), "{s}");
    let r = v
        .post(
            &format!("/conversations/{cid}/survey"),
            json!({ "rating": 1 }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "no survey after a block");
}

#[actix_web::test]
async fn the_old_unpartitioned_cookie_names_nobody() {
    let app = spawn_app().await;
    let v = Seat::new(&app, "acme-support").await;
    let _ = v.say("from before").await;
    // A cookie of the old name, as browsers still keep it for 30 days.
    let old = format!("cg_visitor={}", v.visitor);
    let r = reqwest::Client::new()
        .get(format!("{}/state", v.base))
        .header("cookie", &old)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the old cookie");
    let r = reqwest::Client::new()
        .get(format!("{}/frame", v.base))
        .header("cookie", &old)
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| !c.starts_with("cg_visitor=")),
        "a new visitor cookie: {cookies:?}"
    );
    let html = r.text().await.unwrap();
    assert!(!html.contains(&v.visitor), "the old id is not taken over");
    assert!(!html.contains("data-token"), "no unused token in the frame");
}
