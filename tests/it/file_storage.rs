//! Where chat files' bytes live: in the database on PostgreSQL, so that
//! any instance serves any file, byte for byte and with the same headers;
//! in the data directory on SQLite (one instance).

use chatgate::{
    chat::file_store::CHUNK,
    db::schema::{conversations, file_chunks, files},
};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};

use crate::support::{
    fixtures::{stored, PNG},
    visitors::VisitorClient,
    *,
};

/// A PDF of `len` bytes: its header, then every byte value in a fixed
/// pseudo-random order (NULs and invalid UTF-8 included).
fn pdf_of(len: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n".to_vec();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while b.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b.push((x >> 24) as u8);
    }
    b
}

/// The conversation's files, oldest first: (id, public id).
fn files_of(app: &TestApp, cid: &str) -> Vec<(i64, String)> {
    let mut conn = app.core.db.get().unwrap();
    files::table
        .inner_join(conversations::table.on(conversations::id.eq(files::conversation_id)))
        .filter(conversations::public_id.eq(cid))
        .order(files::id)
        .select((files::id, files::public_id))
        .load(&mut *conn)
        .unwrap()
}

/// The sizes of a file's chunks in the database, in order.
fn chunk_sizes(app: &TestApp, file_id: i64) -> Vec<usize> {
    let mut conn = app.core.db.get().unwrap();
    let chunks: Vec<(i32, Vec<u8>)> = file_chunks::table
        .filter(file_chunks::file_id.eq(file_id))
        .order(file_chunks::n)
        .select((file_chunks::n, file_chunks::bytes))
        .load(&mut *conn)
        .unwrap();
    let numbers: Vec<i32> = chunks.iter().map(|c| c.0).collect();
    assert_eq!(numbers, (0..chunks.len() as i32).collect::<Vec<_>>());
    chunks.iter().map(|c| c.1.len()).collect()
}

/// A download as a browser sees it: the status, the headers that matter,
/// the bytes.
type Seen = (StatusCode, Vec<(&'static str, String)>, Vec<u8>);

async fn seen(r: reqwest::Response) -> Seen {
    const KEPT: [&str; 7] = [
        "content-type",
        "content-length",
        "content-disposition",
        "x-content-type-options",
        "content-security-policy",
        "cache-control",
        "transfer-encoding",
    ];
    let status = r.status();
    let headers = KEPT
        .iter()
        .filter_map(|k| Some((*k, r.headers().get(*k)?.to_str().unwrap().to_owned())))
        .collect();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

fn header<'a>(s: &'a Seen, name: &str) -> Option<&'a str> {
    s.1.iter().find(|h| h.0 == name).map(|h| h.1.as_str())
}

/// The same visitor (same browser, same id) at another instance.
fn at(v: &VisitorClient, app: &TestApp) -> VisitorClient {
    VisitorClient {
        client: v.client.clone(),
        base: app.url("/widget/v1/acme-support"),
        visitor: v.visitor.clone(),
    }
}

async fn visitor_download(v: &VisitorClient, cid: &str, fid: &str) -> Seen {
    let url = format!("{}/conversations/{cid}/files/{fid}", v.base);
    seen(v.client.get(url).send().await.unwrap()).await
}

async fn agent_upload(agent: &SignedIn, id: i64, name: &str, bytes: Vec<u8>) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let r = agent
        .request(
            Method::POST,
            &format!("/agent/api/conversations/{id}/files"),
        )
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{name} sent");
}

#[actix_web::test]
async fn a_file_sent_through_one_instance_is_served_by_another() {
    let a = spawn_app().await;
    let v = a.visitor("acme-support").await;
    let cid = v.say("a receipt and a photo").await;
    let pdf = pdf_of(5000);
    for (name, bytes) in [("receipt.pdf", pdf.clone()), ("photo.png", PNG.to_vec())] {
        let (status, body) = v.upload(Some(&cid), name, bytes).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }
    let ids = files_of(&a, &cid);
    let (pdf_id, png_id) = (&ids[0].1, &ids[1].1);
    let agent_a = a.sign_in(&a.acme.agent).await;
    let download = seen(agent_a.get(&format!("/agent/files/{pdf_id}")).await).await;
    assert_eq!(download.0, StatusCode::OK);
    assert_eq!(download.2, pdf, "the same bytes");
    assert_eq!(header(&download, "content-length"), Some("5000"));
    assert_eq!(header(&download, "transfer-encoding"), None);
    assert_eq!(
        header(&download, "content-type"),
        Some("application/octet-stream")
    );
    assert!(header(&download, "content-disposition")
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(header(&download, "x-content-type-options"), Some("nosniff"));
    assert_eq!(
        header(&download, "cache-control"),
        Some("private, no-store")
    );
    let preview = seen(agent_a.get(&format!("/agent/files/{png_id}/preview")).await).await;
    assert_eq!(preview.0, StatusCode::OK);
    assert_eq!(preview.2, PNG);
    assert_eq!(header(&preview, "content-type"), Some("image/png"));
    assert!(header(&preview, "content-security-policy").is_some());
    let by_visitor = visitor_download(&v, &cid, pdf_id).await;
    assert_eq!(by_visitor, download, "the visitor gets the same download");

    if a.core.db.is_sqlite() {
        eprintln!("SQLite runs one instance: files are served by the instance that stored them");
        return;
    }
    assert!(
        !a.core.settings.data_dir.join("files").exists(),
        "on PostgreSQL nothing is written to the data directory"
    );
    let b = a.another_instance().await;
    let agent_b = b.sign_in(&b.acme.agent).await;
    let via_b = seen(agent_b.get(&format!("/agent/files/{pdf_id}")).await).await;
    assert_eq!(via_b, download, "instance B serves A's file as A does");
    let preview_b = seen(agent_b.get(&format!("/agent/files/{png_id}/preview")).await).await;
    assert_eq!(preview_b, preview, "and its preview");
    let vb = at(&v, &b);
    assert_eq!(visitor_download(&vb, &cid, pdf_id).await, download);

    // The other way: an agent's file sent through B, fetched through A.
    let id = agent_b.conversation_id().await;
    agent_upload(&agent_b, id, "terms.pdf", pdf_of(700)).await;
    let ids = files_of(&a, &cid);
    let got = visitor_download(&v, &cid, &ids[2].1).await;
    assert_eq!((got.0, got.2), (StatusCode::OK, pdf_of(700)));
}

#[actix_web::test]
async fn a_file_of_several_chunks_comes_back_byte_for_byte() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("big files").await;
    let agent = app.sign_in(&app.acme.agent).await;
    for (i, len) in [2 * CHUNK, 2 * CHUNK + 12_345].into_iter().enumerate() {
        let bytes = pdf_of(len);
        let (status, body) = v.upload(Some(&cid), "scan.pdf", bytes.clone()).await;
        assert_eq!(status, StatusCode::OK, "{len} bytes: {body}");
        let (file_id, public_id) = files_of(&app, &cid)[i].clone();
        if !app.core.db.is_sqlite() {
            let sizes = chunk_sizes(&app, file_id);
            assert_eq!(sizes.len(), len.div_ceil(CHUNK), "{len} bytes");
            assert!(sizes.iter().all(|s| *s <= CHUNK && *s > 0));
            assert_eq!(sizes.iter().sum::<usize>(), len);
        }
        let got = seen(agent.get(&format!("/agent/files/{public_id}")).await).await;
        assert_eq!(got.0, StatusCode::OK);
        assert_eq!(
            header(&got, "content-length"),
            Some(len.to_string().as_str())
        );
        assert!(got.2 == bytes, "{len} bytes come back exactly");
        assert_eq!(visitor_download(&v, &cid, &public_id).await.2.len(), len);
    }
}

#[actix_web::test]
async fn a_files_bytes_go_with_its_conversation() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("a file to forget").await;
    let (_, held_before) = stored(&app, &cid);
    let (status, _) = v.upload(Some(&cid), "scan.pdf", pdf_of(CHUNK + 1)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored(&app, &cid), (1, held_before + 1));
    let (file_id, _) = files_of(&app, &cid)[0].clone();
    app.sql(&format!(
        "DELETE FROM conversations WHERE public_id = '{cid}'"
    ));
    if app.core.db.is_sqlite() {
        eprintln!("SQLite keeps files in the data directory: nothing to check in the database");
        assert_eq!(stored(&app, &cid).0, 0);
        return;
    }
    assert_eq!(stored(&app, &cid), (0, held_before), "no bytes kept");
    assert!(chunk_sizes(&app, file_id).is_empty());
}

#[actix_web::test]
async fn a_file_whose_bytes_are_gone_is_not_found() {
    let app = spawn_app().await;
    let v = app.visitor("acme-support").await;
    let cid = v.say("a file that vanishes").await;
    let (status, _) = v.upload(Some(&cid), "scan.pdf", pdf_of(1000)).await;
    assert_eq!(status, StatusCode::OK);
    let (file_id, public_id) = files_of(&app, &cid)[0].clone();
    if app.core.db.is_sqlite() {
        let dir = app.core.settings.data_dir.join("files");
        for f in std::fs::read_dir(dir).unwrap() {
            std::fs::remove_file(f.unwrap().path()).unwrap();
        }
    } else {
        app.sql(&format!(
            "DELETE FROM file_chunks WHERE file_id = {file_id}"
        ));
    }
    let agent = app.sign_in(&app.acme.agent).await;
    let r = agent.get(&format!("/agent/files/{public_id}")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_file_stored_on_disk_before_the_upgrade_is_still_served() {
    let app = spawn_app().await;
    if app.core.db.is_sqlite() {
        eprintln!("skipped: SQLite keeps every file in the data directory");
        return;
    }
    let v = app.visitor("acme-support").await;
    let cid = v.say("an old file").await;
    let bytes = pdf_of(3000);
    let (status, _) = v.upload(Some(&cid), "old.pdf", bytes.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (file_id, public_id) = files_of(&app, &cid)[0].clone();
    // As an earlier version stored it: bytes in the data directory only.
    let stored_name: String = {
        use chatgate::db::schema::files;
        use diesel::prelude::*;
        let mut conn = app.core.db.get().unwrap();
        files::table
            .find(file_id)
            .select(files::stored_name)
            .first(&mut *conn)
            .unwrap()
    };
    app.sql(&format!(
        "DELETE FROM file_chunks WHERE file_id = {file_id}"
    ));
    let dir = app.core.settings.data_dir.join("files");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(stored_name), &bytes).unwrap();
    let agent = app.sign_in(&app.acme.agent).await;
    let r = agent.get(&format!("/agent/files/{public_id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.bytes().await.unwrap() == bytes);
}
