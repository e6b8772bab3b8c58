//! Files in a conversation, and the sealed visitor address.

use reqwest::StatusCode;

use crate::support::*;

#[actix_web::test]
async fn files_travel_both_ways_as_attachments() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("here is the receipt").await;
    let (status, _) = v
        .upload(Some(&cid), "receipt.pdf", b"%PDF-1.4 receipt".to_vec())
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = v.upload(Some(&cid), "empty.txt", Vec::new()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let agent = app.sign_in(&app.acme.agent).await;
    let id = agent.conversation_id().await;
    let mut a = agent.events(id, None).await;
    let file = a.until("file").await;
    assert_eq!(file["body"]["name"], "receipt.pdf");
    let fid = file["body"]["file"].as_str().unwrap();
    let r = agent.get(&format!("/agent/files/{fid}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 receipt");
    let r = v
        .client
        .get(format!("{}/conversations/{cid}/files/{fid}", v.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the visitor can download their own file"
    );
    let other = app.visitor("acme-support").await;
    let r = other
        .client
        .get(format!("{}/conversations/{cid}/files/{fid}", other.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let globex = app.sign_in(&app.globex.agent).await;
    assert_eq!(
        globex.get(&format!("/agent/files/{fid}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_visitor_address_is_stored_only_sealed() {
    use chatgate::{chat::service::ip_context, db::schema::conversations};
    use diesel::prelude::*;
    let app = TestApp::builder()
        .trusted_proxies("127.0.0.1/32")
        .spawn()
        .await;
    let v = app.visitor_via("acme-support", Some("203.0.113.77")).await;
    let cid = v.say("hello").await;
    let mut conn = app.core.db.get().unwrap();
    let (sealed, index): (Option<Vec<u8>>, Option<Vec<u8>>) = conversations::table
        .filter(conversations::public_id.eq(&cid))
        .select((
            conversations::visitor_ip_sealed,
            conversations::visitor_ip_index,
        ))
        .first(&mut *conn)
        .unwrap();
    let (sealed, index) = (sealed.unwrap(), index.unwrap());
    let needle = b"203.0.113.77";
    assert!(
        !sealed.windows(needle.len()).any(|w| w == needle),
        "ciphertext only"
    );
    assert_eq!(
        app.core.keys.open(&sealed, ip_context(&cid)).unwrap(),
        needle
    );
    assert_eq!(index, app.core.keys.ip_index("203.0.113.77"));
    // No text column of the row holds the address either.
    let row: Vec<(String, String, Option<String>)> = conversations::table
        .select((
            conversations::visitor_key,
            conversations::visitor_label,
            conversations::page_url,
        ))
        .load(&mut *conn)
        .unwrap();
    assert!(!format!("{row:?}").contains("203.0.113.77"));
}
