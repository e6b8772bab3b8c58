//! The offensive-language shield: a visitor's message with a listed word
//! reaches agents masked (console stream, transcript), the visitor sees
//! what they wrote, the original is stored as written, Show hands it out
//! and is audited, and the strikes do what the manager chose.

use chatgate::db::schema::{conversations, events};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{spawn_app, SignedIn, TestApp};

fn stored(app: &TestApp, kind: &str) -> Vec<Value> {
    let mut conn = app.core.db.get().unwrap();
    let bodies: Vec<String> = events::table
        .filter(events::kind.eq(kind))
        .order(events::id)
        .select(events::body)
        .load(&mut *conn)
        .unwrap();
    bodies
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect()
}

async fn set_shield(m: &SignedIn, list: &str, strikes: &str, action: &str) -> reqwest::Response {
    m.post(
        "/settings/abuse/shield",
        &[
            ("shield_on", "1"),
            ("list", list),
            ("strikes", strikes),
            ("action", action),
        ],
    )
    .await
}

#[actix_web::test]
async fn agents_read_it_masked_the_visitor_as_written_and_show_is_audited() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    // The bundled default list, untouched by the account.
    let cid = v.say("you are a CUNT, really").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let mut theirs = agent.events(id, None).await;
    let e = theirs.until("message").await;
    assert_eq!(e["body"]["text"], "you are a ••••, really");
    assert_eq!(e["body"]["shielded"], true);
    assert!(e["body"].get("shield").is_none(), "the ranges stay inside");
    let mut visitor_view = v.events(&format!("?conversation={cid}"), None).await;
    assert_eq!(
        visitor_view.until("message").await["body"]["text"],
        "you are a CUNT, really"
    );
    // Stored as written.
    assert_eq!(stored(&app, "message")[0]["text"], "you are a CUNT, really");

    // The transcript: masked, with Show.
    let html = agent.text(&format!("/conversations/{id}")).await;
    assert!(html.contains("you are a ••••, really"));
    assert!(!html.contains("CUNT"));
    assert!(html.contains(&format!(
        "data-reveal=\"/agent/api/conversations/{id}/events/{}/reveal\"",
        e["seq"]
    )));

    let path = format!("/agent/api/conversations/{id}/events/{}/reveal", e["seq"]);
    let r = agent.post_json(&path, serde_json::json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap()["text"],
        "you are a CUNT, really"
    );
    let m = app.sign_in(&app.acme.manager).await;
    let audit = m.text("/audit").await;
    assert!(audit.contains("message.reveal"));
    // Nothing else is revealed: a message that was not masked, another
    // account's conversation.
    v.say("thanks").await;
    let plain = theirs.until("message").await;
    let path2 = format!(
        "/agent/api/conversations/{id}/events/{}/reveal",
        plain["seq"]
    );
    assert_eq!(
        agent
            .post_json(&path2, serde_json::json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let other = app.sign_in(&app.globex.agent).await;
    assert_eq!(
        other.post_json(&path, serde_json::json!({})).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_strikes_do_what_the_manager_chose() {
    for action in ["offer_block", "warn", "end", "nothing"] {
        let app = spawn_app().await;
        let m = app.sign_in(&app.acme.manager).await;
        let r = set_shield(&m, "meanword\nvery bad phrase", "2", action).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action}");
        let v = app.visitor("acme-support").await;
        v.say("hello").await;
        v.say("you meanword").await;
        assert!(stored(&app, "note").is_empty() && stored(&app, "warning").is_empty());
        v.say("V e r y   b a d   phrase!").await;
        let notes = stored(&app, "note");
        let warnings = stored(&app, "warning");
        let closed: Vec<String> = {
            let mut conn = app.core.db.get().unwrap();
            conversations::table
                .select(conversations::status)
                .load(&mut *conn)
                .unwrap()
        };
        match action {
            "offer_block" => {
                assert_eq!(notes.len(), 1);
                assert_eq!(notes[0]["block_reason"], "Offensive language (2 strikes)");
            }
            "warn" => {
                assert_eq!(warnings.len(), 1);
                // Once: a third strike does not warn again.
                v.say("meanword again").await;
                assert_eq!(stored(&app, "warning").len(), 1);
            }
            "end" => assert_eq!(closed, ["closed"]),
            _ => assert!(notes.is_empty() && warnings.is_empty() && closed == ["waiting"]),
        }
    }
}

#[actix_web::test]
async fn the_shield_form_keeps_what_was_typed_and_saves_audited() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let page = m.text("/settings/abuse").await;
    assert!(page.contains("Offensive-language shield"));
    assert!(
        page.contains("arschloch"),
        "the default list is shown to start from"
    );
    let r = set_shield(&m, "meanword\nanother", "zero", "warn").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Strikes: enter a whole number from 1 to 100"));
    assert!(html.contains("meanword\nanother"), "the list typed stays");
    assert!(html.contains("value=\"zero\""));
    let r = set_shield(&m, "meanword\nanother\nmeanword", "4", "warn").await;
    let shown = m.shown(r).await;
    assert!(shown.contains("Saved: the shield masks 2 words and phrases."));
    let audit = m.text("/audit").await;
    assert!(audit.contains("shield.save"));
    assert!(audit.contains("on, 2 words, 4 strikes: warn"));
    let p = app.core.gate.policy(app.acme.account_id).unwrap();
    assert_eq!(
        (p.shield.strikes, p.shield.find("a meanword").len()),
        (4, 1)
    );
    assert!(
        p.shield.find("you cunt").is_empty(),
        "the account's own list now"
    );
    // A list far over the limit (400 KB, more than a plain form may carry)
    // comes back as typed, with why, and nothing is saved.
    let long: String = (0..6_000).map(|i| format!("word{i:0>60}\n")).collect();
    assert!(long.len() > 256 * 1024);
    let r = set_shield(&m, &long, "4", "warn").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("The list has 6000 entries; at most 5000 fit"));
    assert!(
        html.contains(&format!("word{:0>60}", 5_999)),
        "the list typed stays"
    );
    let p = app.core.gate.policy(app.acme.account_id).unwrap();
    assert_eq!(p.shield.strikes, 4);
    assert_eq!(
        p.shield.find("a meanword").len(),
        1,
        "the saved list stands"
    );
    let agent = app.sign_in(&app.acme.agent).await;
    let r = set_shield(&agent, "x", "3", "warn").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
