//! Who the visitor is when the chat is embedded on another site: the
//! browser may send no cookie at all to the frame (third-party-cookie
//! blocking), so the frame keeps the visitor's id in its own partitioned
//! storage and sends it as `X-Chatgate-Visitor`; the event stream and file
//! links, which cannot carry headers, use a read-only ticket. The cookie
//! itself is `Partitioned` over https. The file input says what the
//! account's file policy accepts.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{fixtures::set_policy, visitors::EventStream, *};

/// A browser that never sends or keeps cookies, like a frame on another
/// site with third-party cookies blocked, holding the id in "storage".
struct Cookieless {
    client: reqwest::Client,
    base: String,
    visitor: String,
}

/// One page view: the frame, then the id as the frame's script keeps it
/// (the stored one if any, else the one the frame names).
async fn page_view(app: &TestApp, stored: Option<&str>) -> Cookieless {
    let client = reqwest::Client::new();
    let base = app.url("/widget/v1/acme-support");
    let r = client
        .get(format!("{base}/frame?url=https://shop.example/p"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("body").unwrap();
    let named = doc
        .select(&sel)
        .next()
        .and_then(|b| b.value().attr("data-visitor"))
        .expect("the frame names a visitor id for its storage")
        .to_owned();
    Cookieless {
        client,
        base,
        visitor: stored.map_or(named, str::to_owned),
    }
}

impl Cookieless {
    async fn get(&self, path: &str) -> reqwest::Response {
        crate::support::visitors::seat_get(&self.client, &self.base, &self.visitor, path).await
    }

    async fn state(&self) -> Value {
        crate::support::visitors::seat_state(&self.client, &self.base, &self.visitor).await
    }

    async fn say(&self, text: &str, conversation: Option<&str>) -> reqwest::Response {
        self.client
            .post(format!("{}/messages", self.base))
            .header("x-chatgate-visitor", &self.visitor)
            .json(&json!({ "text": text, "conversation": conversation }))
            .send()
            .await
            .unwrap()
    }

    /// The event stream as the frame opens it: with the ticket from /state.
    async fn events(&self, conversation: &str) -> EventStream {
        let s = self.state().await;
        let ticket = s["ticket"].as_str().expect("a ticket for the stream");
        let r = self
            .client
            .get(format!(
                "{}/events?conversation={conversation}&ticket={ticket}",
                self.base
            ))
            .send()
            .await
            .unwrap();
        EventStream::new(r)
    }
}

#[actix_web::test]
async fn a_visitor_without_cookies_keeps_the_conversation_across_pages() {
    let app = spawn_app().await;
    let page1 = page_view(&app, None).await;
    let r = page1.say("Hello from page 1", None).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let cid = r.json::<Value>().await.unwrap()["conversation"]
        .as_str()
        .unwrap()
        .to_owned();

    // The next page of the same site: a new frame, the stored id.
    let page2 = page_view(&app, Some(&page1.visitor)).await;
    let s = page2.state().await;
    assert_eq!(s["conversation"]["id"], cid.as_str(), "{s}");
    let mut stream = page2.events(&cid).await;
    assert_eq!(stream.status, StatusCode::OK);
    assert_eq!(
        stream.until("message").await["body"]["text"],
        "Hello from page 1"
    );
    let r = page2.say("And from page 2", Some(&cid)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap()["conversation"],
        cid.as_str()
    );
    assert_eq!(
        stream.until("message").await["body"]["text"],
        "And from page 2"
    );

    // The agents see one conversation with both messages.
    let agent = app.sign_in(&app.acme.agent).await;
    let o = agent.overview().await;
    assert_eq!(o["conversations"].as_array().unwrap().len(), 1, "{o}");
    assert_eq!(o["conversations"][0]["messages"], 2);
}

#[actix_web::test]
async fn another_site_is_another_visitor_and_ids_are_checked() {
    let app = spawn_app().await;
    let shop = page_view(&app, None).await;
    let cid = shop
        .say("on the shop", None)
        .await
        .json::<Value>()
        .await
        .unwrap()["conversation"]
        .as_str()
        .unwrap()
        .to_owned();
    // The same site's next page (the stored id) finds the conversation...
    let again = page_view(&app, Some(&shop.visitor)).await;
    assert_eq!(again.state().await["conversation"]["id"], cid.as_str());
    // ...another top-level site (another partition, nothing stored) does not.
    let blog = page_view(&app, None).await;
    assert!(blog.state().await["conversation"].is_null());
    let r = blog.say("hijack", Some(&cid)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nor does the blog's own ticket, alone, open the shop's stream.
    let blog_ticket = blog.state().await["ticket"].as_str().unwrap().to_owned();
    let r = reqwest::Client::new()
        .get(format!(
            "{}/events?conversation={cid}&ticket={blog_ticket}",
            blog.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A forged or mangled id or ticket is no visitor at all.
    for bad in ["short", "a;b", &"x".repeat(300)] {
        let forged = Cookieless {
            client: reqwest::Client::new(),
            base: shop.base.clone(),
            visitor: bad.to_owned(),
        };
        assert_eq!(
            forged.get("/state").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let ticket = shop.state().await["ticket"].as_str().unwrap().to_owned();
    let mut tampered = ticket.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    let r = reqwest::Client::new()
        .get(format!(
            "{}/events?conversation={cid}&ticket={tampered}",
            shop.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The ticket reads; it never writes.
    let r = reqwest::Client::new()
        .post(format!("{}/messages?ticket={ticket}", shop.base))
        .json(&json!({ "text": "no" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn over_https_the_visitor_cookie_is_partitioned() {
    let app = TestApp::builder()
        .env("CHATGATE_PUBLIC_URL", "https://chat.example")
        .spawn()
        .await;
    let r = reqwest::Client::new()
        .get(app.url("/widget/v1/acme-support/frame"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("cg_vid="))
        .expect("the visitor cookie");
    for attribute in ["Secure", "SameSite=None", "HttpOnly", "Partitioned"] {
        assert!(
            cookie.split("; ").any(|a| a == attribute),
            "{attribute} in {cookie}"
        );
    }
}

/// The `accept` attribute of the frame's file input.
async fn accept_of(app: &TestApp) -> Option<String> {
    let html = get_text(
        &app.other_client(),
        app.url("/widget/v1/acme-support/frame"),
    )
    .await;
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("input[type=file]").unwrap();
    let input = doc.select(&sel).next().expect("the file input");
    input.value().attr("accept").map(str::to_owned)
}

#[actix_web::test]
async fn the_file_input_accepts_what_the_policy_allows() {
    let app = spawn_app().await;
    set_policy(&app, &app.acme, "images", &[], "5").await;
    let accept = accept_of(&app).await.expect("an accept attribute");
    let listed: Vec<&str> = accept.split(',').collect();
    for ext in [".png", ".jpg", ".jpeg", ".gif", ".webp"] {
        assert!(listed.contains(&ext), "{ext} in {accept}");
    }
    for ext in [".pdf", ".exe", ".html", ".zip"] {
        assert!(!listed.contains(&ext), "{ext} not in {accept}");
    }

    set_policy(&app, &app.acme, "custom", &["documents", "archives"], "5").await;
    let accept = accept_of(&app).await.expect("an accept attribute");
    let listed: Vec<&str> = accept.split(',').collect();
    for ext in [".pdf", ".docx", ".txt", ".zip"] {
        assert!(listed.contains(&ext), "{ext} in {accept}");
    }
    for ext in [".png", ".exe", ".sh"] {
        assert!(!listed.contains(&ext), "{ext} not in {accept}");
    }

    // "Other files" have no known extension: no filter can list them.
    set_policy(&app, &app.acme, "custom", &["images", "other"], "5").await;
    assert_eq!(accept_of(&app).await, None);
    set_policy(&app, &app.acme, "all", &[], "5").await;
    assert_eq!(accept_of(&app).await, None);
}

#[actix_web::test]
async fn blocking_stays_by_address_whatever_names_the_visitor() {
    let app = crate::support::blocking::proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = crate::support::blocking::chat_from(&app, &agent, "198.51.100.77", "hi").await;
    let r = crate::support::blocking::block(&agent, id, "spam").await;
    assert_eq!(r.status(), StatusCode::OK);
    // A fresh id from storage, on the blocked address: refused all the same.
    let fresh = page_view(&app, None).await;
    for ip in ["198.51.100.77", "198.51.100.78"] {
        let r = fresh
            .client
            .get(format!("{}/state", fresh.base))
            .header("x-chatgate-visitor", &fresh.visitor)
            .header("x-forwarded-for", ip)
            .send()
            .await
            .unwrap();
        let blocked = ip == "198.51.100.77";
        let want = if blocked {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(r.status(), want, "{ip}");
    }
    // A ticket (from the unblocked address) opens no stream on the blocked
    // one.
    let r = fresh
        .client
        .get(format!("{}/state", fresh.base))
        .header("x-chatgate-visitor", &fresh.visitor)
        .header("x-forwarded-for", "198.51.100.78")
        .send()
        .await
        .unwrap();
    let ticket = r.json::<Value>().await.unwrap()["ticket"]
        .as_str()
        .unwrap()
        .to_owned();
    for ip in ["198.51.100.77", "198.51.100.78"] {
        let r = fresh
            .client
            .get(format!("{}/events?ticket={ticket}", fresh.base))
            .header("x-forwarded-for", ip)
            .send()
            .await
            .unwrap();
        let want = if ip == "198.51.100.77" {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::OK
        };
        assert_eq!(r.status(), want, "/events?ticket= from {ip}");
    }
}
