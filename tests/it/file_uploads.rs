//! Harmful-file blocking through the real upload endpoints: every category
//! under each policy, disguised files, empty and oversized ones, what the
//! visitor is told and what the agent sees.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{
    fixtures::{exe, set_policy, stored, PNG},
    *,
};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";
const SH: &[u8] = b"#!/bin/sh\necho hello\n";
const HTML: &[u8] = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n";
const MP4: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free";

/// A one-entry ZIP archive.
fn zip() -> Vec<u8> {
    let name = b"readme.txt";
    let mut b = b"PK\x03\x04\x14\x00".to_vec();
    b.extend_from_slice(&[0; 20]);
    b.extend_from_slice(&[name.len() as u8, 0, 0, 0]);
    b.extend_from_slice(name);
    b.extend_from_slice(b"PK\x05\x06");
    b.extend_from_slice(&[0; 18]);
    b
}

/// One sample per category: (file name, bytes, category key).
fn samples() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        ("photo.png", PNG.to_vec(), "images"),
        ("report.pdf", PDF.to_vec(), "documents"),
        ("notes.txt", b"order 1234, two items".to_vec(), "documents"),
        ("backup.zip", zip(), "archives"),
        ("setup.exe", exe(), "executables"),
        ("install.sh", SH.to_vec(), "scripts"),
        ("page.html", HTML.to_vec(), "scripts"),
        ("clip.mp4", MP4.to_vec(), "other"),
    ]
}

#[actix_web::test]
async fn each_category_under_each_policy() {
    let app = spawn_app().await;
    let policies: [(&str, &[&str], &[&str]); 3] = [
        (
            "all",
            &[],
            &[
                "images",
                "documents",
                "archives",
                "executables",
                "scripts",
                "other",
            ],
        ),
        ("images", &[], &["images"]),
        (
            "custom",
            &["documents", "archives"],
            &["documents", "archives"],
        ),
    ];
    for (mode, cats, permitted) in policies {
        set_policy(&app, &app.acme, mode, cats, "10").await;
        let v = app.visitor("acme-support").await;
        let cid = v.say("files coming").await;
        let mut accepted = 0;
        for (name, bytes, category) in samples() {
            let (status, body) = v.upload(Some(&cid), name, bytes).await;
            if permitted.contains(&category) {
                assert_eq!(status, StatusCode::OK, "{mode}: {name} accepted: {body}");
                accepted += 1;
            } else {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{mode}: {name}");
                let msg = body["error"].as_str().unwrap();
                assert!(msg.starts_with(&format!("{name} was not sent.")), "{msg}");
                assert!(
                    msg.contains("are not accepted in this chat"),
                    "{mode} {name}: {msg}"
                );
            }
        }
        assert_eq!(
            stored(&app, &cid).0,
            accepted,
            "{mode}: only accepted files are stored"
        );
    }
}

#[actix_web::test]
async fn disguised_empty_and_oversized_files_are_refused_and_noted_for_agents() {
    let app = spawn_app().await;
    set_policy(&app, &app.acme, "all", &[], "0.01").await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("here are my files").await;
    let (_, on_disk_before) = stored(&app, &cid);
    let polyglot = [PNG, &zip()].concat();
    let mut big = PNG.to_vec();
    big.resize(11_000, 0);
    let cases: [(&str, Vec<u8>, &str); 6] = [
        (
            "invoice.png",
            exe(),
            "This file's content does not match its name",
        ),
        (
            "photo.jpg",
            SH.to_vec(),
            "This file's content does not match its name",
        ),
        (
            "cat.gif",
            HTML.to_vec(),
            "This file's content does not match its name",
        ),
        (
            "holiday.png",
            polyglot,
            "This file hides other content inside it, so it cannot be sent",
        ),
        ("empty.txt", Vec::new(), "This file is empty"),
        (
            "huge.png",
            big,
            "This file is too large: the limit is 0.01 MB",
        ),
    ];
    for (name, bytes, why) in &cases {
        let (status, body) = v.upload(Some(&cid), name, bytes.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_eq!(
            body["error"].as_str().unwrap(),
            format!("{name} was not sent. {why}."),
            "the visitor is told clearly"
        );
    }
    assert_eq!(stored(&app, &cid), (0, on_disk_before), "no bytes kept");

    // The agent sees one note per refusal, with the name and why.
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let mut a = agent.events(id, None).await;
    for (name, _, why) in &cases {
        let note = a.until("note").await;
        assert_eq!(
            note["body"]["text"],
            format!("A file from the visitor was refused: {name} ({why})")
        );
    }
    // The visitor never sees those notes.
    let mut s = v.events(&format!("?conversation={cid}"), None).await;
    let seen = s.drain(std::time::Duration::from_millis(800)).await;
    assert!(!seen.iter().any(|e| e["kind"] == "note"), "{seen:?}");
    // A file at the limit exactly is fine.
    let mut at_limit = PNG.to_vec();
    at_limit.resize(10_486, 0);
    let (status, body) = v.upload(Some(&cid), "at-limit.png", at_limit).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[actix_web::test]
async fn a_refused_file_starts_no_conversation_and_the_other_account_is_untouched() {
    let app = spawn_app().await;
    set_policy(&app, &app.acme, "images", &[], "10").await;
    let v = app.visitor("acme-support").await;
    let (status, body) = v.upload(None, "invoice.png", exe()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap().contains("does not match"));
    let (status, _) = v.upload(None, "report.pdf", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "images only");
    let agent = app.sign_in(&app.acme.agent).await;
    assert_eq!(
        agent.overview().await["conversations"],
        serde_json::json!([])
    );
    // An accepted image does start one, with its category and preview type.
    let (status, body) = v.upload(None, "photo.png", PNG.to_vec()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cid = body["conversation"].as_str().unwrap().to_owned();
    use chatgate::db::schema::files;
    use diesel::prelude::*;
    let mut conn = app.core.db.get().unwrap();
    let row: (Option<String>, Option<String>, String) = files::table
        .select((files::category, files::preview_type, files::stored_name))
        .first(&mut *conn)
        .unwrap();
    assert_eq!(row.0.as_deref(), Some("images"));
    assert_eq!(row.1.as_deref(), Some("image/png"));
    assert!(!row.2.contains("photo"), "stored under a random name");
    assert_eq!(stored(&app, &cid).0, 1);

    // Globex still accepts documents: policies are per account.
    let g = app.visitor("globex-support").await;
    let (status, _) = g.upload(None, "report.pdf", PDF.to_vec()).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn agents_send_under_the_fixed_agent_policy() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    v.say("hello").await;
    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let send = |name: &'static str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
        agent
            .request(
                reqwest::Method::POST,
                &format!("/agent/api/conversations/{id}/files"),
            )
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    for (name, bytes) in [
        ("photo.png", PNG.to_vec()),
        ("report.pdf", PDF.to_vec()),
        ("backup.zip", zip()),
    ] {
        let r = send(name, bytes).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{name}");
    }
    for (name, bytes, why) in [
        (
            "setup.exe",
            exe(),
            "Files of this type (Executables) are not accepted",
        ),
        (
            "install.sh",
            SH.to_vec(),
            "Files of this type (Scripts) are not accepted",
        ),
        ("invoice.png", exe(), "does not match its name"),
        ("empty.pdf", Vec::new(), "This file is empty"),
    ] {
        let r = send(name, bytes).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains(why),
            "{name}: {body}"
        );
    }
}
