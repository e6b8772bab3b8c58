//! Browser journey: a manager finds a conversation on the Conversations
//! tab by a word of its messages, narrows it by status, and the filters
//! stay in the URL, in the form and on Download CSV; refused filters say
//! why. At 1280 px and 390 px, never sideways, no serious axe violation.

use chatgate::db::schema::conversations;
use diesel::prelude::*;

use crate::support::{axe::serious_violations, browser::Browser, *};

async fn conversation(app: &TestApp, text: &str, label: &str) -> i64 {
    let v = app.visitor("acme-support").await;
    let public = v.say(text).await;
    let mut c = app.core.db.get().unwrap();
    let id = conversations::table
        .filter(conversations::public_id.eq(&public))
        .select(conversations::id)
        .first(&mut c)
        .unwrap();
    app.sql(&format!(
        "UPDATE conversations SET visitor_label = '{label}' WHERE id = {id}"
    ));
    id
}

async fn current_url(b: &Browser) -> String {
    b.client.current_url().await.unwrap().to_string()
}

async fn looks_right(b: &Browser, name: &str) {
    for (width, height) in [(1280, 900), (390, 844)] {
        b.client.set_window_size(width, height).await.unwrap();
        b.client.refresh().await.unwrap();
        b.css("form.filters").await;
        let (scroll, inner) = b.page_widths().await;
        assert!(
            scroll <= inner,
            "{name} at {width} px: {scroll} px in {inner}"
        );
        assert_eq!(serious_violations(b).await, Vec::<String>::new(), "{name}");
        b.screenshot(&format!("{name}-{width}")).await;
    }
    b.client.set_window_size(1280, 900).await.unwrap();
}

#[actix_web::test]
async fn a_manager_finds_a_conversation_by_what_was_said() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = spawn_app().await;
    let refund = conversation(&app, "Where is my refund for order 4711?", "Ada Lovelace").await;
    conversation(&app, "Do you ship to Norway?", "Ole Nordmann").await;
    let closed = conversation(&app, "A refund, please", "Grace Hopper").await;
    app.sql(&format!(
        "UPDATE conversations SET status = 'closed' WHERE id = {closed}"
    ));
    let case = app.acme.case.id;
    let list = format!("/cases/{case}/conversations");
    b.sign_in(&app, &app.acme.manager, &list).await;
    b.wait_text("p.total", "3 conversations").await;

    let search = b.css("input[name=q]").await;
    search.send_keys("refund\n").await.unwrap();
    b.wait_text("p.total", "2 conversations").await;
    assert!(current_url(&b).await.contains("q=refund"), "in the URL");
    let status = b.css("select[name=status]").await;
    status.select_by_value("waiting").await.unwrap();
    b.wait_text("p.total", "1 conversation").await;
    let url = current_url(&b).await;
    assert!(
        url.contains("q=refund") && url.contains("status=waiting"),
        "{url}"
    );
    let typed = b.css("input[name=q]").await.prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("refund"), "the box keeps the words");
    let rows = b.text_of("table.conversations tbody").await;
    assert!(
        rows.contains("Ada Lovelace") && !rows.contains("Grace"),
        "{rows}"
    );
    let csv = b.css("a[download]").await.attr("href").await.unwrap();
    assert_eq!(
        csv.as_deref(),
        Some(
            format!("/cases/{case}/conversations.csv?q=refund&status=waiting&blocking=all")
                .as_str()
        ),
        "Download CSV takes the same filters"
    );
    let link = b.css("table.conversations a.btn").await.attr("href").await;
    assert_eq!(
        link.unwrap().as_deref(),
        Some(format!("/conversations/{refund}").as_str())
    );
    looks_right(&b, "conversations-search").await;

    // Refused filters: the reason, what was typed, nothing listed.
    b.client
        .goto(&app.url(&format!("{list}?q=refund&from=2026-11-29&to=2026-11-01")))
        .await
        .unwrap();
    b.wait_text(".flash-error", "The From date is after the To date.")
        .await;
    let typed = b.css("input[name=q]").await.prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("refund"));
    looks_right(&b, "conversations-search-refused").await;
}
