//! Issue 11 from the manager's seat in the panel: large imports, where the
//! confirmations show, the import report, the "written as" note, who may
//! export the Conversations CSV, and the safer defaults of a new account.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::support::{
    blocking::add_rule,
    blocking::{block, bootstrap_shows, chat_from, proxied},
    fixtures::{exe, PNG},
    fixtures::{rule_count, select_text, BLOCK_VISITORS as PAGE, IMPORT},
    *,
};

/// `n` distinct IPv4 lines with a comment each, as a manager's export reads.
fn big_list(n: usize) -> String {
    let mut s = String::with_capacity(n * 32);
    for i in 0..n {
        s.push_str(&format!(
            "10.{}.{}.{} # scraper batch {}\n",
            i / 65536,
            (i / 256) % 256,
            i % 256,
            i % 1000
        ));
    }
    s
}

#[actix_web::test]
async fn a_list_of_100000_lines_imports_and_an_oversized_one_is_refused_whole() {
    let app = proxied().await;
    let m = app.sign_in(&app.acme.manager).await;
    let list = big_list(100_000);
    assert!(list.len() > 3 * 1024 * 1024, "{}", list.len());
    let started = Instant::now();
    let r = m.post(IMPORT, &[("list", &list)]).await;
    let took = started.elapsed();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let html = m.text(PAGE).await;
    assert!(html.contains("Imported 100,000 rules"), "confirmed");
    assert_eq!(rule_count(&html), 100_000);
    assert!(
        !bootstrap_shows(&app, "10.1.134.159").await,
        "the gate has them"
    );
    assert!(bootstrap_shows(&app, "10.2.0.0").await, "and only them");

    // The same list again: nothing to add, said in one green line, quickly.
    let started = Instant::now();
    let r = m.post(IMPORT, &[("list", &list)]).await;
    assert!(started.elapsed() < Duration::from_secs(60));
    let html = m.shown(r).await;
    let ok = select_text(&html, "#import .flash-ok").join(" ");
    assert_eq!(
        ok,
        "Imported 0 rules. 100,000 lines needed nothing (100,000 already on the list)."
    );
    assert!(select_text(&html, "#import .flash-error").is_empty());
    assert_eq!(
        select_text(&html, "#import table.report-skipped tbody tr").len(),
        500
    );

    // Over the limit: a page that says the limit; nothing of it is stored.
    let mut huge = big_list(150_000);
    huge.push_str("192.0.2.1\n");
    let r = m.post(IMPORT, &[("list", &huge)]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let page = r.text().await.unwrap();
    assert!(page.contains("4 MB"), "the limit is stated: {page}");
    assert!(page.contains("Nothing was saved"), "{page}");
    assert!(bootstrap_shows(&app, "192.0.2.1").await, "nothing imported");
    assert_eq!(rule_count(&m.text(PAGE).await), 100_000);
}

/// Each section's confirmation sits in that section, where the #anchor
/// scrolls to, and nowhere else on the page.
#[actix_web::test]
async fn each_confirmation_shows_in_its_own_section() {
    let app = proxied().await;
    let m = app.sign_in(&app.acme.manager).await;
    let check = |section: &'static str, html: String, needle: &'static str| {
        let inside = select_text(&html, &format!("section#{section} .flash"));
        assert_eq!(inside.len(), 1, "{section}: {inside:?}");
        assert!(inside[0].contains(needle), "{section}: {inside:?}");
        assert_eq!(
            select_text(&html, ".flash").len(),
            1,
            "{section}: the message is shown once, in its section"
        );
    };
    let r = add_rule(&m, "203.0.113.0/24", "").await;
    assert_eq!(location(&r), format!("{PAGE}#ip-rules"));
    check("ip-rules", m.text(PAGE).await, "Saved: visitors from");

    let r = m
        .post(
            "/settings/block-visitors/countries",
            &[("mode", "block"), ("country", "FR")],
        )
        .await;
    assert_eq!(location(&r), format!("{PAGE}#countries"));
    check(
        "countries",
        m.text(PAGE).await,
        "Saved: visitors from the 1",
    );

    let r = m
        .post(
            "/settings/block-visitors/websites",
            &[("mode", "block"), ("list", "evil.example")],
        )
        .await;
    assert_eq!(location(&r), format!("{PAGE}#websites"));
    check("websites", m.text(PAGE).await, "Saved: the chat no longer");

    let agent = app.sign_in(&app.acme.agent).await;
    let (_, _, cid) = chat_from(&app, &agent, "192.0.2.9", "hi").await;
    assert_eq!(block(&agent, cid, "spam").await.status(), StatusCode::OK);
    let r = m
        .post(
            &format!("/settings/block-visitors/blocks/{cid}/unblock"),
            &[],
        )
        .await;
    assert_eq!(location(&r), format!("{PAGE}#blocks"));
    check("blocks", m.text(PAGE).await, "unblocked");

    // The country count is a live element the script keeps up to date.
    let html = m.text(PAGE).await;
    assert_eq!(
        select_text(&html, "#countries [data-checked-count=country-list]"),
        ["1"]
    );
}

#[actix_web::test]
async fn the_import_report_is_green_for_accepted_lines_and_keeps_only_refused_ones() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    add_rule(&m, "192.0.2.0/24", "").await;
    let list = "203.0.113.0/24 # scrapers\n\
                10.0.0.300 # typo\n\
                198.51.100.7\n\
                192.0.2.0/24\n\
                1.2.3.4/33\n\
                198.51.100.7\n";
    let r = m.post(IMPORT, &[("list", list)]).await;
    let html = m.shown(r).await;
    let ok = select_text(&html, "#import .flash-ok");
    assert_eq!(ok.len(), 1, "{ok:?}");
    assert!(ok[0].contains("Imported 2 rules"), "{ok:?}");
    let bad = select_text(&html, "#import .flash-error");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        !bad[0].contains("Imported"),
        "red only for refusals: {bad:?}"
    );
    assert!(bad[0].contains("2 lines"), "{bad:?}");
    // The box keeps the lines to correct, nothing already imported.
    let boxed = select_text(&html, "#import textarea[name=list]");
    assert_eq!(boxed, ["10.0.0.300 # typo\n1.2.3.4/33"], "{boxed:?}");
    // The lines with nothing to correct are reported, not kept.
    let skipped = select_text(&html, "#import table.report-skipped tbody tr");
    assert_eq!(skipped.len(), 2, "{skipped:?}");
}

#[actix_web::test]
async fn written_as_only_when_the_stored_form_differs() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let flash_after = |typed: &'static str| {
        let m = &m;
        async move {
            let r = add_rule(m, typed, "").await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{typed}");
            select_text(&m.text(PAGE).await, ".flash").join(" ")
        }
    };
    let same = flash_after("198.51.100.9").await;
    assert_eq!(
        same,
        "Saved: visitors from 198.51.100.9 no longer see the chat."
    );
    let v6 = flash_after("2001:DB8:0:0::1").await;
    assert_eq!(
        v6,
        "Saved: visitors from 2001:DB8:0:0::1 (written as 2001:db8::1) no longer see the chat."
    );
    let v6 = flash_after("2001:db8::2").await;
    assert_eq!(
        v6,
        "Saved: visitors from 2001:db8::2 no longer see the chat."
    );
}

#[actix_web::test]
async fn only_managers_export_the_conversations_csv() {
    let app = spawn_app().await;
    let case = app.acme.case.id;
    let csv = format!("/cases/{case}/conversations.csv?blocking=all");
    let list = format!("/cases/{case}/conversations");
    let agent = app.sign_in(&app.acme.agent).await;
    let r = agent.get(&csv).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = agent.text(&list).await;
    assert!(page.contains("<h1"), "{page}");
    assert!(!page.contains("conversations.csv"), "no button for agents");
    let boss = app.sign_in(&app.acme.manager).await;
    let r = boss.get(&csv).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(boss.text(&list).await.contains("conversations.csv"));
}

fn attr_present(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel)
        .map(|e| e.value().attr("value").unwrap_or("").to_owned())
        .collect()
}

#[actix_web::test]
async fn a_new_account_accepts_images_and_documents_without_previews() {
    let app = spawn_app().await;
    let m = app.sign_in(&app.acme.manager).await;
    let page = "/settings/chat-window";
    let html = m.text(page).await;
    assert_eq!(
        attr_present(&html, "input[name=file_mode][checked]"),
        ["custom"]
    );
    assert_eq!(
        attr_present(&html, "input[name=category][checked]"),
        ["images", "documents"]
    );
    assert!(attr_present(&html, "input[name=previews][checked]").is_empty());
    assert!(
        select_text(&html, "#categories[disabled]").is_empty(),
        "the boxes are live for a custom choice"
    );
    // A visitor of the new account: a program is refused, a picture and a
    // document are not.
    let v = app.visitor("acme-support").await;
    let cid = v.say("files coming").await;
    let (status, _) = v.upload(Some(&cid), "setup.exe", exe()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for (name, bytes) in [
        ("photo.png", PNG.to_vec()),
        ("notes.txt", b"order 1234".to_vec()),
    ] {
        let (status, body) = v.upload(Some(&cid), name, bytes).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
    }

    // "Images only": the server ignores the boxes and shows them disabled.
    let r = m
        .post(
            page,
            &[
                ("file_mode", "images"),
                ("category", "executables"),
                ("max_mb", "10"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = m.text(page).await;
    assert!(html.contains("Visitors may send images only"), "{html}");
    assert_eq!(select_text(&html, "fieldset#categories[disabled]").len(), 1);
    assert_eq!(
        attr_present(&html, "input[name=category][checked]"),
        ["images"]
    );
}
