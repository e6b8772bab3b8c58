//! My profile: a user changes their own name, time zone and password; the
//! browser's zone is taken once at first sign-in; and every time the panel
//! shows reads in the user's zone, with the zone named, while the CSV
//! export stays in UTC.

use chrono::{DateTime, Duration, NaiveDateTime};
use diesel::prelude::*;
use reqwest::StatusCode;

use chatgate::{
    db::{audit, models::User, schema::users},
    web::conversations::CSV_COLUMNS,
};

use crate::support::{
    blocking::{block, chat_from, proxied},
    fixtures::select_text,
    *,
};

const NEW_PASSWORD: &str = "a brand new passphrase";

fn user(app: &TestApp, id: i64) -> User {
    let mut c = app.core.db.get().unwrap();
    users::table
        .find(id)
        .select(User::as_select())
        .first(&mut c)
        .unwrap()
}

/// The audit entries of Acme whose action starts with `prefix`, oldest first.
fn audit_entries(app: &TestApp, prefix: &str) -> Vec<(String, String, NaiveDateTime)> {
    let mut c = app.core.db.get().unwrap();
    let (entries, _, _) = audit::page(&mut c, app.acme.account_id, 1, 500).unwrap();
    let mut found: Vec<_> = entries
        .into_iter()
        .filter(|e| e.action.starts_with(prefix))
        .map(|e| (e.action, e.detail, e.created_at))
        .collect();
    found.reverse();
    found
}

/// The value of the form field `name` on the page.
fn field(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("input[name={name}]")).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

/// The error shown inside the label of the field `name`.
fn error_of(html: &str, name: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let label = scraper::Selector::parse("label").unwrap();
    let input = scraper::Selector::parse(&format!("input[name={name}]")).unwrap();
    let error = scraper::Selector::parse(".field-error").unwrap();
    doc.select(&label)
        .find(|l| l.select(&input).next().is_some())
        .and_then(|l| l.select(&error).next())
        .map(|e| e.text().collect::<String>().trim().to_owned())
        .unwrap_or_default()
}

async fn save(me: &SignedIn, fields: &[(&str, &str)]) -> reqwest::Response {
    me.post("/profile", fields).await
}

#[actix_web::test]
async fn the_profile_page_changes_the_name_and_the_time_zone() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.agent).await;
    let html = me.text("/").await;
    assert!(html.contains(r#"href="/profile""#), "the sidebar links it");
    let r = me.get("/profile").await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert_eq!(select_text(&html, "main h1"), ["My profile"]);
    assert_eq!(field(&html, "name").as_deref(), Some("acme agent"));
    assert_eq!(field(&html, "time_zone").as_deref(), Some("UTC"));
    assert!(html.contains(r#"<option value="Asia/Tokyo">"#));

    let r = save(
        &me,
        &[("name", "  Ada Lovelace "), ("time_zone", "Asia/Tokyo")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/profile");
    let html = me.text("/profile").await;
    let flash = select_text(&html, ".flash-ok").join(" ");
    assert!(flash.contains("Your name is now Ada Lovelace."), "{flash}");
    assert!(flash.contains("Times now show in Asia/Tokyo."), "{flash}");
    // The layout shows the new name at once, and the zone for the script.
    assert_eq!(select_text(&html, ".me strong"), ["Ada Lovelace"]);
    assert!(html.contains(r#"data-time-zone="Asia/Tokyo""#));
    assert!(!html.contains("data-time-zone-unset"));
    assert_eq!(field(&html, "time_zone").as_deref(), Some("Asia/Tokyo"));
    let u = user(&app, app.acme.agent_id);
    assert_eq!(
        (u.name.as_str(), u.time_zone.as_deref()),
        ("Ada Lovelace", Some("Asia/Tokyo"))
    );
    let entries = audit_entries(&app, "user.");
    let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(actions, ["user.renamed", "user.time_zone_changed"]);
    assert_eq!(
        entries[0].1,
        "acme agent changed their name to Ada Lovelace"
    );
    assert_eq!(
        entries[1].1,
        "Ada Lovelace changed their time zone from none (UTC) to Asia/Tokyo"
    );

    // Saving again as it is changes nothing and records nothing, even
    // with the current password filled in (by the browser's autofill).
    let r = save(
        &me,
        &[
            ("name", "Ada Lovelace"),
            ("time_zone", "Asia/Tokyo"),
            ("current_password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = me.text("/profile").await;
    assert_eq!(select_text(&html, ".flash-ok"), ["Nothing changed."]);
    assert_eq!(audit_entries(&app, "user.").len(), 2);
}

#[actix_web::test]
async fn refused_input_keeps_what_was_typed_and_stores_nothing() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.agent).await;
    let pw = |current, new, confirm| [current, new, confirm];
    let cases: [(&str, &str, [&str; 3], &str, &str); 6] = [
        (
            "Ada",
            "Mars/Olympus_Mons",
            pw("", "", ""),
            "time_zone",
            chatgate::domain::time_zone::UNKNOWN,
        ),
        ("", "Asia/Tokyo", pw("", "", ""), "name", "Enter a name."),
        (
            "Ada",
            "Asia/Tokyo",
            pw("not my password", NEW_PASSWORD, NEW_PASSWORD),
            "current_password",
            "Your current password is not correct.",
        ),
        (
            "Ada",
            "Asia/Tokyo",
            pw(PASSWORD, NEW_PASSWORD, "a brand new passphrasE"),
            "confirm_password",
            "The two new passwords are not the same.",
        ),
        (
            "Ada",
            "Asia/Tokyo",
            pw(PASSWORD, "short", "short"),
            "new_password",
            "A password needs at least 12 characters.",
        ),
        (
            "Ada",
            "Asia/Tokyo",
            pw("", NEW_PASSWORD, NEW_PASSWORD),
            "current_password",
            "Enter your current password to change it.",
        ),
    ];
    for (name, zone, [current, new, confirm], bad, says) in cases {
        let r = save(
            &me,
            &[
                ("name", name),
                ("time_zone", zone),
                ("current_password", current),
                ("new_password", new),
                ("confirm_password", confirm),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let html = r.text().await.unwrap();
        // The message sits beside the field it is about.
        assert_eq!(error_of(&html, bad), says, "{bad}");
        assert_eq!(select_text(&html, ".field-error").len(), 1, "{bad}");
        assert!(html.contains("Nothing was saved."));
        // What was typed is back, except the passwords.
        assert_eq!(field(&html, "name").as_deref(), Some(name), "{bad}");
        assert_eq!(field(&html, "time_zone").as_deref(), Some(zone), "{bad}");
        for p in ["current_password", "new_password", "confirm_password"] {
            assert_eq!(field(&html, p), None, "{p} is not shown again");
        }
        assert!(!html.contains(NEW_PASSWORD) && !html.contains(PASSWORD));
        // Nothing changed: the layout still has the old name.
        assert_eq!(select_text(&html, ".me strong"), ["acme agent"]);
    }
    let u = user(&app, app.acme.agent_id);
    assert_eq!((u.name.as_str(), u.time_zone), ("acme agent", None));
    assert!(audit_entries(&app, "user.").is_empty());
    // The password is the old one still.
    let r = app.login(&app.acme.agent, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn a_new_password_keeps_this_session_and_ends_the_others() {
    let app = spawn_app().await;
    let me = app.login_ok(&app.acme.agent).await;
    let before = app.session_cookie().unwrap();
    let elsewhere = app.sign_in(&app.acme.agent).await;
    let r = save(
        &me,
        &[
            ("name", "acme agent"),
            ("time_zone", "UTC"),
            ("current_password", PASSWORD),
            ("new_password", NEW_PASSWORD),
            ("confirm_password", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = me.text("/profile").await;
    assert!(
        select_text(&html, ".flash-ok")
            .join(" ")
            .contains("Your password was changed, and your other session was signed out."),
        "{html}"
    );
    // This session holds, under a new id: a stolen copy of the old
    // cookie is signed out with the others.
    assert_eq!(me.get("/").await.status(), StatusCode::OK);
    assert_ne!(app.session_cookie().unwrap(), before, "a new session id");
    let stolen = app
        .other_client()
        .get(app.url("/"))
        .header("cookie", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::SEE_OTHER);
    assert!(location(&stolen).starts_with("/login"));
    let r = elsewhere.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
    // The old password no longer signs in; the new one does.
    let r = app.login(&app.acme.agent, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app.login(&app.acme.agent, NEW_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // One audit entry, without the password.
    let entries = audit_entries(&app, "user.password");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].0, "user.password_changed");
    assert_eq!(
        entries[0].1,
        "acme agent changed their password; 1 other session signed out"
    );
    let u = user(&app, app.acme.agent_id);
    assert!(chatgate::passwords::verify(NEW_PASSWORD, &u.password_hash));
    assert!(!chatgate::passwords::verify(PASSWORD, &u.password_hash));
}

#[actix_web::test]
async fn the_profile_forms_need_the_csrf_token() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.agent).await;
    let forged = me.with_csrf("not-the-token");
    let r = save(&forged, &[("name", "Mallory"), ("time_zone", "Asia/Tokyo")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = forged
        .post("/profile/time-zone", &[("time_zone", "Asia/Tokyo")])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let u = user(&app, app.acme.agent_id);
    assert_eq!((u.name.as_str(), u.time_zone), ("acme agent", None));
    // Signed out, the page is not there.
    let r = app.get("/profile").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fprofile");
}

#[actix_web::test]
async fn the_browsers_zone_is_taken_once_and_unknown_zones_are_refused() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.agent).await;
    let html = me.text("/").await;
    assert!(html.contains("data-time-zone-unset"), "the script is asked");
    assert!(html.contains(r#"data-time-zone="UTC""#));

    // A GET changes nothing.
    let r = me.get("/profile/time-zone?time_zone=Asia/Tokyo").await;
    assert!(!r.status().is_success(), "{}", r.status());
    let r = me
        .post("/profile/time-zone", &[("time_zone", "Mars/Base")])
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("Choose a time zone"),
        "{body}"
    );
    assert_eq!(user(&app, app.acme.agent_id).time_zone, None);

    let r = me
        .post("/profile/time-zone", &[("time_zone", "Asia/Tokyo")])
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let html = me.text("/").await;
    assert!(!html.contains("data-time-zone-unset"));
    assert!(html.contains(r#"data-time-zone="Asia/Tokyo""#));

    // Once set, the script's report never overwrites it.
    let r = me
        .post("/profile/time-zone", &[("time_zone", "Europe/Berlin")])
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(
        user(&app, app.acme.agent_id).time_zone.as_deref(),
        Some("Asia/Tokyo")
    );
    let entries = audit_entries(&app, "user.");
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].1,
        "acme agent's time zone was set to Asia/Tokyo from their browser"
    );
    // Another user of the account is untouched.
    assert_eq!(user(&app, app.acme.manager_id).time_zone, None);
}

/// `t` as the panel shows it in Tokyo, with or without the zone.
fn tokyo(t: NaiveDateTime) -> String {
    (t + Duration::hours(9))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn csv_time(t: &str) -> NaiveDateTime {
    assert!(t.ends_with('Z'), "the CSV stays in UTC: {t:?}");
    DateTime::parse_from_rfc3339(t).unwrap().naive_utc()
}

#[actix_web::test]
async fn a_tokyo_user_reads_times_nine_hours_after_utc_and_the_csv_stays_utc() {
    let app = proxied().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (_v, _cid, id) = chat_from(&app, &agent, "203.0.113.9", "Hello from Osaka").await;
    let r = block(&agent, id, "spam").await;
    assert!(r.status().is_success());
    let boss = app.sign_in(&app.acme.manager).await;
    // As UTC first (no zone yet).
    let utc_page = boss.text(&format!("/conversations/{id}")).await;
    assert!(utc_page.contains(" UTC"), "{utc_page}");
    let r = save(
        &boss,
        &[("name", "acme manager"), ("time_zone", "Asia/Tokyo")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The CSV: UTC with Z, for a Tokyo user too.
    let case = app.acme.case.id;
    let csv = boss
        .text(&format!("/cases/{case}/conversations.csv?blocking=all"))
        .await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    let col = |name: &str| CSV_COLUMNS.iter().position(|c| *c == name).unwrap();
    let started = csv_time(&row[col("started at")]);
    let blocked = csv_time(&row[col("blocked at")]);
    let ends = csv_time(&row[col("block ends at")]);

    // The transcript: every time nine hours on, the zone named.
    let html = boss.text(&format!("/conversations/{id}")).await;
    let head = select_text(&html, ".page-head .muted").join(" ");
    assert!(
        head.starts_with(&format!("Started {} JST", tokyo(started))),
        "{head}"
    );
    let facts = select_text(&html, "#block .facts").join(" ");
    assert!(
        facts.contains(&format!("{} JST by acme agent", tokyo(blocked))),
        "{facts}"
    );
    assert!(
        facts.contains(&format!("(at {} JST)", tokyo(ends))),
        "{facts}"
    );
    let stored = {
        let mut c = app.core.db.get().unwrap();
        chatgate::db::chat::events_after(&mut c, id, 0, false, 10).unwrap()
    };
    let said = stored.iter().find(|e| e.kind == "message").unwrap();
    let at = (said.created_at + Duration::hours(9)).format("%H:%M");
    let who = select_text(&html, ".transcript .msg .who");
    assert_eq!(who.len(), 1, "{who:?}");
    assert!(who[0].ends_with(&format!(" · {at}")), "{who:?}");
    assert!(!html.contains(" UTC"), "no time left in UTC");

    // The conversation list names the zone in its header.
    let list = boss.text(&format!("/cases/{case}/conversations")).await;
    assert_eq!(
        select_text(&list, ".conversations th")[0],
        "Started (Asia/Tokyo)"
    );
    assert_eq!(
        select_text(&list, ".conversations td[data-label^=Started]"),
        [tokyo(started)]
    );

    // The audit log: each entry nine hours after its stored time.
    let audit_html = boss.text("/audit").await;
    assert_eq!(select_text(&audit_html, "thead th")[0], "When (Asia/Tokyo)");
    let shown = select_text(&audit_html, "tbody td[data-label^=When]");
    let mut c = app.core.db.get().unwrap();
    let (entries, _, _) = audit::page(&mut c, app.acme.account_id, 1, 50).unwrap();
    let expected: Vec<String> = entries.iter().map(|e| tokyo(e.created_at)).collect();
    assert_eq!(shown, expected);
    assert!(!expected.is_empty());

    // Block Visitors: the block's time, in Tokyo, named.
    let bv = boss.text("/settings/block-visitors").await;
    let rows = select_text(&bv, "#blocks td[data-label='Blocked by']").join(" ");
    assert!(rows.contains(&format!("{} JST", tokyo(blocked))), "{rows}");
}

/// A wrong current password on My profile counts as a failed sign-in of
/// that user: a stolen session cannot guess the password any faster than
/// the sign-in page allows, and the right one is refused too while the
/// limit holds.
#[actix_web::test]
async fn wrong_current_passwords_count_against_the_sign_in_limit() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.agent).await;
    let change = |current: &'static str| {
        let me = &me;
        async move {
            save(
                me,
                &[
                    ("name", "acme agent"),
                    ("time_zone", "UTC"),
                    ("current_password", current),
                    ("new_password", NEW_PASSWORD),
                    ("confirm_password", NEW_PASSWORD),
                ],
            )
            .await
        }
    };
    for _ in 0..5 {
        let r = change("a wrong guess").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The limit holds for My profile, even with the right password ...
    let r = change(PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = r.text().await.unwrap();
    let error = error_of(&html, "current_password");
    assert!(error.contains("Too many wrong passwords"), "{error}");
    assert!(error.contains("minutes"), "{error}");
    assert_eq!(field(&html, "name").as_deref(), Some("acme agent"));
    // ... and for signing in.
    let r = app.login(&app.acme.agent, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // Nothing changed: once the window has passed, the old password works.
    app.core.clock.advance(Duration::minutes(16));
    let r = app.login(&app.acme.agent, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// A user whose browser has not reported a zone yet sees UTC in the form;
/// saving the form for another change leaves the zone unset (no "changed
/// to UTC" entry), so the browser's zone is still taken afterwards.
#[actix_web::test]
async fn saving_the_form_without_a_zone_leaves_it_to_the_browser() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.agent).await;
    assert_eq!(user(&app, app.acme.agent_id).time_zone, None);
    let html = me.text("/profile").await;
    assert_eq!(field(&html, "time_zone").as_deref(), Some("UTC"));
    let r = save(&me, &[("name", "Agent Smith"), ("time_zone", "UTC")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let u = user(&app, app.acme.agent_id);
    assert_eq!(u.name, "Agent Smith");
    assert_eq!(u.time_zone, None, "still the browser's to set");
    assert!(audit_entries(&app, "user.time_zone").is_empty());
    let r = me
        .post("/profile/time-zone", &[("time_zone", "Europe/Berlin")])
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        user(&app, app.acme.agent_id).time_zone.as_deref(),
        Some("Europe/Berlin")
    );
}
