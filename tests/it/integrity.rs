//! Data integrity: several instances seeding one database, NUL bytes in
//! any text, uploads and bodies that never finish, and the write-ahead log
//! after an unblock.

use std::{
    sync::Barrier,
    time::{Duration, Instant},
};

use chatgate::{
    db::{schema::blocks, seed},
    domain::account::NewPassword,
    passwords,
};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{
    blocking::{block, bootstrap_shows, chat_from, proxied},
    fresh_db::{raw_request, sqlite_file, FreshDb},
    *,
};

fn count_accounts(core: &chatgate::startup::Core) -> i64 {
    use chatgate::db::schema::accounts;
    let mut conn = core.db.get().unwrap();
    accounts::table.count().get_result(&mut *conn).unwrap()
}

#[test]
fn several_instances_seeding_one_empty_database_make_one_demo_account() {
    let hash = passwords::hash(&NewPassword::parse(PASSWORD).unwrap()).unwrap();
    for round in 0..3 {
        let fresh = FreshDb::create();
        let cores: Vec<_> = (0..6).map(|_| fresh.open()).collect();
        let barrier = Barrier::new(cores.len());
        let results: Vec<Result<bool, String>> = std::thread::scope(|s| {
            let handles: Vec<_> = cores
                .iter()
                .map(|core| {
                    let (barrier, hash) = (&barrier, &hash);
                    s.spawn(move || {
                        let mut conn = core.db.get().unwrap();
                        barrier.wait();
                        // The account alone: demo.rs checks its history.
                        let history = |_: &mut chatgate::db::DbConn, _| Ok(());
                        seed::seed_demo(&mut conn, hash, core.clock.now(), history)
                            .map_err(|e| e.to_string())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let errors: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(errors.is_empty(), "round {round}: {errors:?}");
        let seeded = results.iter().filter(|r| matches!(r, Ok(true))).count();
        assert_eq!(seeded, 1, "round {round}: exactly one instance seeds");
        assert_eq!(count_accounts(&cores[0]), 1, "round {round}");
    }
}

#[test]
fn several_cores_starting_together_seed_through_the_start_up_path() {
    let fresh = FreshDb::create();
    let cores: Vec<_> = if fresh.url.starts_with("postgres") {
        // Three instances open (and migrate) one empty database at once.
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..3).map(|_| s.spawn(|| fresh.open())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        })
    } else {
        (0..3).map(|_| fresh.open()).collect()
    };
    let barrier = Barrier::new(cores.len());
    let results: Vec<Result<Option<String>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = cores
            .iter()
            .map(|core| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    core.seed_demo().map_err(|e| e.to_string())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let errors: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        results.iter().filter(|r| matches!(r, Ok(Some(_)))).count(),
        1
    );
    assert_eq!(count_accounts(&cores[0]), 1);
}

/// A 400 that names the NUL character, as JSON or as a page.
async fn assert_nul_refused(r: reqwest::Response, what: &str) {
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{what}");
    let body = r.text().await.unwrap();
    assert!(body.contains("NUL"), "{what}: {body}");
}

#[actix_web::test]
async fn a_nul_byte_in_the_widget_bootstrap_or_a_message_is_a_clear_400() {
    let app = spawn_app().await;
    for path in [
        "/widget/v1/bootstrap?key=ok%00ok",
        "/widget/v1/bootstrap?key=acme-support&url=https://shop.example/%00",
        "/widget/v1/ok%00ok/bootstrap",
        "/widget/v1/ok%00ok/state",
    ] {
        assert_nul_refused(app.get(path).await, path).await;
    }
    let v = app.visitor("acme-support").await;
    let r = v
        .post("/messages", json!({ "text": "hello\u{0}there" }))
        .await;
    assert_nul_refused(r, "widget message").await;
    // Nothing was stored: the next message starts the first conversation.
    let agent = app.sign_in(&app.acme.agent).await;
    let o = agent.overview().await;
    assert_eq!(o["conversations"].as_array().unwrap().len(), 0, "{o}");
    // A NUL that is only written out in the text is just text.
    v.say(r"a backslash-u-zero: \u0000 and 100%00").await;
}

#[actix_web::test]
async fn a_nul_byte_in_a_block_reason_or_an_invitation_is_a_clear_400() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, "203.0.113.77", "hello").await;
    assert_nul_refused(block(&agent, id, "rude\u{0}").await, "block reason").await;
    assert!(bootstrap_shows(&app, "203.0.113.77").await, "not blocked");

    let v = app.visitor("acme-support").await;
    let _stream = v.events("?url=https://shop.example/tents", None).await;
    let mut visitor = None;
    for _ in 0..50 {
        let o: Value = agent.overview().await;
        if let Some(id) = o["visitors"][0]["id"].as_i64() {
            visitor = Some(id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let visitor = visitor.expect("the visitor is listed as online");
    let r = agent
        .post_json(
            &format!("/agent/api/visitors/{visitor}/invite"),
            json!({ "message": "Need help?\u{0}" }),
        )
        .await;
    assert_nul_refused(r, "invitation").await;
    let r = agent
        .post_json(
            &format!("/agent/api/conversations/{id}/messages"),
            json!({ "text": "\u{0}" }),
        )
        .await;
    assert_nul_refused(r, "agent message").await;
}

#[actix_web::test]
async fn a_nul_byte_in_a_panel_form_is_a_clear_400_and_nothing_is_stored() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let r = crate::support::blocking::add_rule(&m, "203.0.113.9", "bad\u{0}note").await;
    assert_nul_refused(r, "IP rule comment").await;
    let page = m.text("/settings/block-visitors").await;
    assert!(!page.contains("203.0.113.9"), "the rule was not stored");

    let r = m
        .post(
            "/settings/users",
            &[
                ("name", "Nul\u{0}Name"),
                ("email", "nul@acme.test"),
                ("role", "agent"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_nul_refused(r, "user name").await;
    let page = m.text("/settings/users").await;
    assert!(!page.contains("nul@acme.test"), "the user was not stored");
    // In a query string of a panel page too.
    let r = m.get("/settings/block-visitors?q=%00").await;
    assert_nul_refused(r, "panel query").await;
}

/// A multipart body whose closing boundary never comes.
const UNFINISHED: &str = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello";

/// Bodies cut at each place the closing boundary can be missing, and
/// whether the file in them is cut too (else it is whole, and may be kept).
fn unfinished_bodies() -> Vec<(String, bool)> {
    [
        ("", true),
        ("\r\n", true),
        ("\r\n--Xy", true),
        ("\r\n--XyZ", false),
        ("\r\n--XyZ-", false),
    ]
    .iter()
    .map(|(end, cut)| (format!("{UNFINISHED}{end}"), *cut))
    .collect()
}

const UNREADABLE: &str = "The upload could not be read. Please try again.";

/// A cut file is refused as unreadable (422, with the message); a whole
/// one is kept (200) or refused the same way, never a server error.
async fn assert_answer(r: reqwest::Response, body: &str, cut: bool) {
    let status = r.status();
    let text = r.text().await.unwrap();
    if !cut && status == StatusCode::OK {
        return;
    }
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{body:?}: {status} {text}"
    );
    let answer: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{text}"));
    assert_eq!(answer["error"], UNREADABLE, "{body:?}");
}

#[actix_web::test]
async fn an_upload_without_its_closing_boundary_is_answered_at_once() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    v.say("hello").await;
    for (body, cut) in unfinished_bodies() {
        let started = Instant::now();
        let r = tokio::time::timeout(
            Duration::from_secs(8),
            v.client
                .post(format!("{}/files", v.base))
                .header("x-chatgate-visitor", &v.visitor)
                .header("content-type", "multipart/form-data; boundary=XyZ")
                .body(body.clone())
                .send(),
        )
        .await
        .unwrap_or_else(|_| panic!("the widget upload is answered: {body:?}"))
        .unwrap();
        assert_answer(r, &body, cut).await;
        assert!(started.elapsed() < Duration::from_secs(8));
    }

    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    for (body, cut) in unfinished_bodies() {
        let r = tokio::time::timeout(
            Duration::from_secs(8),
            agent
                .request(
                    reqwest::Method::POST,
                    &format!("/agent/api/conversations/{id}/files"),
                )
                .header("content-type", "multipart/form-data; boundary=XyZ")
                .body(body.clone())
                .send(),
        )
        .await
        .unwrap_or_else(|_| panic!("the agent upload is answered: {body:?}"))
        .unwrap();
        assert_answer(r, &body, cut).await;
    }
}

#[actix_web::test]
async fn a_body_that_stops_arriving_is_answered_with_a_timeout() {
    let app = spawn_app().await;
    let started = Instant::now();
    // A form body announced as 100 bytes of which 10 ever come.
    let head = "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";
    let status = raw_request(&app.address, head, b"email=a%40", Duration::from_secs(20)).await;
    let status = status.expect("an answer while the socket stays open");
    assert!(status.contains(" 408 "), "{status}");
    assert!(started.elapsed() < Duration::from_secs(20));

    // The same for an upload that stalls half-way.
    let v = app.visitor("acme-support").await;
    let stalled = futures_util::StreamExt::chain(
        futures_util::stream::iter([Ok::<_, std::io::Error>(UNFINISHED.as_bytes())]),
        futures_util::stream::pending(),
    );
    let r = tokio::time::timeout(
        Duration::from_secs(20),
        v.client
            .post(format!("{}/files", v.base))
            .header("x-chatgate-visitor", &v.visitor)
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .header("content-length", "100000")
            .body(reqwest::Body::wrap_stream(stalled))
            .send(),
    )
    .await
    .expect("the stalled upload is answered in time")
    .expect("an answer, not a dropped connection");
    assert_eq!(r.status(), StatusCode::REQUEST_TIMEOUT);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["error"], chatgate::web::input_guard::TIMEOUT_MESSAGE);
}

/// A body whose pieces come every two seconds, longer in all than the read
/// timeout: slow but steady, so it is read to the end and the file kept.
#[actix_web::test]
async fn a_slow_but_steady_upload_is_accepted() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    v.say("hello").await;
    let head = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.txt\"\r\nContent-Type: text/plain\r\n\r\n";
    let mut pieces: Vec<String> = vec![head.to_owned()];
    pieces.extend((0..7).map(|i| format!("line {i} of a slow file\n")));
    pieces.push("\r\n--XyZ--\r\n".to_owned());
    let length: usize = pieces.iter().map(String::len).sum();
    let steady = futures_util::stream::unfold(pieces.into_iter().enumerate(), |mut it| async {
        let (i, piece) = it.next()?;
        if i > 0 {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        Some((Ok::<_, std::io::Error>(piece), it))
    });
    let started = Instant::now();
    let r = v
        .client
        .post(format!("{}/files", v.base))
        .header("x-chatgate-visitor", &v.visitor)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .header("content-length", length.to_string())
        .body(reqwest::Body::wrap_stream(steady))
        .send()
        .await
        .expect("an answer");
    let waited = started.elapsed();
    assert!(
        waited > chatgate::web::input_guard::BODY_READ_TIMEOUT,
        "the body took longer than one read timeout: {waited:?}"
    );
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert!(answer["seq"].as_i64().is_some(), "{text}");
    let (name, size): (String, i64) = {
        use chatgate::db::schema::files;
        let mut conn = app.core.db.get().unwrap();
        files::table
            .select((files::original_name, files::size_bytes))
            .first(&mut *conn)
            .unwrap()
    };
    assert_eq!(name, "slow.txt");
    assert_eq!(
        size,
        7 * "line 0 of a slow file\n".len() as i64,
        "the whole file"
    );
}

#[actix_web::test]
async fn unblock_now_leaves_no_copy_of_the_sealed_network_in_the_wal() {
    let app = proxied().await;
    let Some(file) = sqlite_file(&app) else {
        return; // PostgreSQL has no -wal file of ours.
    };
    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, id) = chat_from(&app, &agent, "198.51.100.61", "hi").await;
    assert_eq!(block(&agent, id, "spam").await.status(), StatusCode::OK);
    let sealed: Vec<u8> = {
        let mut conn = app.core.db.get().unwrap();
        blocks::table
            .select(blocks::network_sealed)
            .first::<Option<Vec<u8>>>(&mut *conn)
            .unwrap()
            .unwrap()
    };
    let wal = file.with_extension("db-wal");
    let contains = |path: &std::path::Path| {
        std::fs::read(path)
            .map(|b| b.windows(sealed.len()).any(|w| w == sealed.as_slice()))
            .unwrap_or(false)
    };
    assert!(
        contains(&wal) || contains(&file),
        "the sealed network is stored"
    );
    let boss = app.sign_in(&app.acme.manager).await;
    let r = boss
        .post(&format!("/conversations/{id}/unblock"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        !contains(&wal),
        "the -wal file still holds the sealed network"
    );
    assert!(
        !contains(&file),
        "the database file holds the sealed network"
    );
    assert!(bootstrap_shows(&app, "198.51.100.61").await);
}
