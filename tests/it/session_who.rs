//! A panel page reads the session and who is signed in (the user, the
//! account's name, its business cases and its people) in one query
//! (`db::sessions::load_with_user`). What it reads is never written back
//! into the session, and it is read afresh on every request: a change made
//! anywhere shows on the next page.

use chatgate::db::{accounts, schema::sessions};
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::support::spawn_app;

fn stored_states(app: &crate::support::TestApp) -> Vec<String> {
    let mut conn = app.core.db.get().unwrap();
    sessions::table
        .select(sessions::state)
        .load(&mut *conn)
        .unwrap()
}

#[actix_web::test]
async fn who_is_read_with_the_session_and_never_stored_in_it() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.manager).await;
    assert_eq!(me.get("/").await.status(), StatusCode::OK);
    // A form that flashes rewrites the session after a page read it.
    let r = me
        .post("/profile", &[("name", "Ada Manager"), ("time_zone", "UTC")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = me.text("/profile").await;
    assert!(
        html.contains("Ada Manager"),
        "the new name on the next page"
    );
    let states = stored_states(&app);
    assert!(!states.is_empty());
    for state in states {
        assert!(!state.contains("_who"), "stored: {state}");
        assert!(
            !state.contains(&app.acme.manager),
            "the e-mail stored: {state}"
        );
        assert!(!state.contains("Ada Manager"), "the name stored: {state}");
    }
}

#[actix_web::test]
async fn a_change_made_elsewhere_shows_on_the_next_page() {
    let app = spawn_app().await;
    let me = app.sign_in(&app.acme.manager).await;
    let case = app.acme.case.id;
    let list = format!("/cases/{case}/conversations");
    let html = me.text(&list).await;
    assert!(!html.contains("Returns desk"));
    assert!(!html.contains("Grace Newcomer"));
    let now = app.core.clock.now();
    {
        let mut conn = app.core.db.get().unwrap();
        let a = app.acme.account_id;
        accounts::create_case(&mut conn, a, "Returns desk", "acme-returns", now).unwrap();
    }
    app.sql(&format!(
        "INSERT INTO users (account_id, email, name, role, password_hash, active, \
         created_at, updated_at) VALUES ({}, 'grace@acme.test', 'Grace Newcomer', 'agent', \
         'x', TRUE, '2026-11-01 00:00:00', '2026-11-01 00:00:00')",
        app.acme.account_id
    ));
    app.sql("UPDATE accounts SET name = 'Acme Renamed'");
    let html = me.text(&list).await;
    assert!(
        html.contains("Returns desk"),
        "the new case in the navigation"
    );
    assert!(
        html.contains("Grace Newcomer"),
        "the new agent in the filter"
    );
    assert!(html.contains("Acme Renamed"), "the account's new name");
    // Another account's case is not this one's: the list answers 404.
    let theirs = app.globex.case.id;
    let r = me.get(&format!("/cases/{theirs}/conversations")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A role taken away, then the account deactivated: at once.
    app.sql(&format!(
        "UPDATE users SET role = 'agent' WHERE id = {}",
        app.acme.manager_id
    ));
    let r = me.get(&format!("/cases/{case}/conversations.csv")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    app.sql(&format!(
        "UPDATE users SET active = FALSE WHERE id = {}",
        app.acme.manager_id
    ));
    let r = me.get(&list).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "sent to sign in");
}
