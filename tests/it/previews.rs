//! Image previews: the preview routes and their headers, and the account
//! default combined with each conversation's toggle, in the agent API and
//! on the transcript page.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    fixtures::set_policy,
    fixtures::{exe, PNG},
    *,
};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";

/// The ids of the conversation's files as the agent's stream names them,
/// with whether each may be previewed.
async fn files_seen(agent: &SignedIn, id: i64, n: usize) -> Vec<(String, bool)> {
    let mut s = agent.events(id, None).await;
    let mut out = Vec::new();
    while out.len() < n {
        let f = s.until("file").await;
        let b = &f["body"];
        out.push((
            b["file"].as_str().unwrap().to_owned(),
            b["preview"].as_bool().unwrap(),
        ));
    }
    out
}

async fn conversation(agent: &SignedIn, id: i64) -> Value {
    let r = agent.get(&format!("/agent/api/conversations/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The transcript's images (src, alt) and file links (text).
async fn transcript(c: &SignedIn, id: i64) -> (Vec<(String, String)>, Vec<String>) {
    let html = c.text(&format!("/conversations/{id}")).await;
    let doc = scraper::Html::parse_document(&html);
    let img = scraper::Selector::parse(".transcript img").unwrap();
    let link = scraper::Selector::parse(".transcript a.file").unwrap();
    let imgs = doc
        .select(&img)
        .map(|e| {
            let a = |k| e.value().attr(k).unwrap_or("").to_owned();
            (a("src"), a("alt"))
        })
        .collect();
    let links = doc.select(&link).map(|e| e.text().collect()).collect();
    (imgs, links)
}

async fn toggle(c: &SignedIn, id: i64, show: bool) -> reqwest::Response {
    c.post_json(
        &format!("/agent/api/conversations/{id}/previews"),
        json!({ "show": show }),
    )
    .await
}

#[actix_web::test]
async fn previews_are_inline_only_for_checked_images_and_only_for_their_owners() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("two files").await;
    assert_eq!(
        v.upload(Some(&cid), "photo.png", PNG.to_vec()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        v.upload(Some(&cid), "report.pdf", PDF.to_vec()).await.0,
        StatusCode::OK
    );
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let seen = files_seen(&agent, id, 2).await;
    let [(png, true), (pdf, false)] = &seen[..] else {
        panic!("{seen:?}");
    };

    let r = agent.get(&format!("/agent/files/{png}/preview")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);
    // The download stays an attachment that is never sniffed.
    let r = agent.get(&format!("/agent/files/{png}")).await;
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    // No preview of anything but a checked image, nor for another account.
    let r = agent.get(&format!("/agent/files/{pdf}/preview")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let globex = app.sign_in(&app.globex.agent).await;
    let r = globex.get(&format!("/agent/files/{png}/preview")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .other_client()
        .get(app.url(&format!("/agent/files/{png}/preview")))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), StatusCode::OK, "signed out");

    // The visitor previews the images of their own conversation only.
    let own = |who: &crate::support::visitors::VisitorClient, fid: &str| {
        who.client
            .get(format!(
                "{}/conversations/{cid}/files/{fid}/preview",
                who.base
            ))
            .send()
    };
    let r = own(&v, png).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(own(&v, pdf).await.unwrap().status(), StatusCode::NOT_FOUND);
    let stranger = app.visitor("acme-support").await;
    assert_eq!(
        own(&stranger, png).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_default_and_each_conversations_toggle_decide_what_agents_see() {
    let app = spawn_app().await;
    // A new account hides previews by default; this one turns them on.
    set_policy(&app, &app.acme, "all", &[], "10").await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("a photo").await;
    assert_eq!(
        v.upload(Some(&cid), "photo.png", PNG.to_vec()).await.0,
        StatusCode::OK
    );
    // A refused file is never offered as a picture.
    v.upload(Some(&cid), "invoice.png", exe()).await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let png = files_seen(&agent, id, 1).await.remove(0).0;
    let img = (
        format!("/agent/files/{png}/preview"),
        "photo.png".to_owned(),
    );
    let link = format!("photo.png ({} B)", PNG.len());

    // The account default (on, as the manager chose) applies.
    let c = conversation(&agent, id).await;
    assert_eq!(
        (
            c["image_previews"].clone(),
            c["image_previews_default"].clone()
        ),
        (json!(true), json!(true))
    );
    assert_eq!(transcript(&agent, id).await, (vec![img.clone()], vec![]));

    // Hidden for this conversation: a link with name and size instead.
    let r = toggle(&agent, id, false).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["image_previews"], false);
    assert_eq!(conversation(&agent, id).await["image_previews"], false);
    assert_eq!(transcript(&agent, id).await, (vec![], vec![link.clone()]));

    // The manager turns the default off: the toggled conversation keeps its
    // choice, a new one follows the default until an agent shows previews.
    let m = app.sign_in(&app.acme.manager).await;
    let off = [("file_mode", "all"), ("max_mb", "10")];
    let r = m.post("/settings/chat-window", &off).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = conversation(&agent, id).await;
    assert_eq!(
        (
            c["image_previews"].clone(),
            c["image_previews_default"].clone()
        ),
        (json!(false), json!(false))
    );
    let r = toggle(&agent, id, true).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        conversation(&agent, id).await["image_previews"],
        true,
        "the toggle beats the default"
    );
    assert_eq!(
        transcript(&m, id).await,
        (vec![img], vec![]),
        "managers see the same"
    );

    let w = app.visitor("acme-support").await;
    let wid_cid = w.say("another photo").await;
    assert_eq!(
        w.upload(Some(&wid_cid), "photo.png", PNG.to_vec()).await.0,
        StatusCode::OK
    );
    let other = agent.overview().await["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .find(|c| *c != id)
        .unwrap();
    assert_eq!(conversation(&agent, other).await["image_previews"], false);
    assert_eq!(transcript(&agent, other).await, (vec![], vec![link]));

    // Only with the token, and only the account's own conversations.
    let r = toggle(&agent.with_csrf("wrong"), other, true).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let globex = app.sign_in(&app.globex.agent).await;
    let r = toggle(&globex, other, true).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(conversation(&agent, other).await["image_previews"], false);
}
