//! An agent's event streams end with the session they were opened with:
//! sign-out, deactivation, a role change, and the idle and absolute limits
//! (changed in the database, as another instance or the clock would).

use std::time::Duration;

use reqwest::StatusCode;

use crate::support::{
    sse::{Frame, Sse},
    *,
};

const WITHIN: Duration = Duration::from_millis(1000);

/// The agent's two streams: the console's list and one conversation.
async fn agent_streams(app: &TestApp, agent: &SignedIn) -> (Sse, Sse) {
    let v = app.visitor("acme-support").await;
    v.say("hello").await;
    let id = agent.conversation_id().await;
    let mut list = Sse::open(agent.client(), &app.url("/agent/events")).await;
    let mut conv = Sse::open(
        agent.client(),
        &app.url(&format!("/agent/conversations/{id}/events")),
    )
    .await;
    // Both are live: the conversation replays its first message.
    assert!(!matches!(
        list.next(Duration::from_millis(200)).await,
        Frame::End
    ));
    match conv.next(Duration::from_secs(5)).await {
        Frame::Data(d) => assert_eq!(d["kind"], "message", "{d}"),
        other => panic!("{other:?}"),
    }
    (list, conv)
}

async fn both_end(list: &mut Sse, conv: &mut Sse) {
    for s in [list, conv] {
        let seen = s.ends_within(WITHIN).await;
        assert!(
            seen.iter().any(|d| d["type"] == "signed_out"),
            "the console is told to sign in again: {seen:?}"
        );
    }
}

#[actix_web::test]
async fn sign_out_ends_that_sessions_streams_at_once() {
    let app = spawn_app().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let other_browser = app.sign_in(&app.acme.agent).await;
    let (mut list, mut conv) = agent_streams(&app, &agent).await;
    let mut elsewhere = Sse::open(other_browser.client(), &app.url("/agent/events")).await;

    let r = agent.post("/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    both_end(&mut list, &mut conv).await;
    // The same agent signed in elsewhere keeps their console.
    elsewhere.stays_open(Duration::from_millis(1500)).await;
}

#[actix_web::test]
async fn deactivation_ends_the_users_streams() {
    let app = spawn_app().await;
    let manager = app.sign_in(&app.acme.manager).await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (mut list, mut conv) = agent_streams(&app, &agent).await;
    let path = format!("/settings/users/{}/active", app.acme.agent_id);
    let r = manager.post(&path, &[("active", "false")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    both_end(&mut list, &mut conv).await;
}

#[actix_web::test]
async fn a_role_change_ends_the_users_streams() {
    let app = spawn_app().await;
    let manager = app.sign_in(&app.acme.manager).await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (mut list, mut conv) = agent_streams(&app, &agent).await;
    let path = format!("/settings/users/{}/role", app.acme.agent_id);
    let r = manager.post(&path, &[("role", "manager")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    both_end(&mut list, &mut conv).await;
    // Signed in again, the new manager's console streams as before.
    let again = app.sign_in(&app.acme.agent).await;
    Sse::open(again.client(), &app.url("/agent/events"))
        .await
        .stays_open(Duration::from_millis(1500))
        .await;
}

/// A change made in the database only, with no word to this instance's
/// hub: as a sign-out on another instance, or time running out, looks.
async fn ends_when_the_row_changes(statement: &str) {
    let app = spawn_app().await;
    let agent = app.sign_in(&app.acme.agent).await;
    let (mut list, mut conv) = agent_streams(&app, &agent).await;
    list.stays_open(Duration::from_millis(1200)).await;
    app.sql(statement);
    both_end(&mut list, &mut conv).await;
}

#[actix_web::test]
async fn an_idle_session_ends_its_open_streams() {
    ends_when_the_row_changes("UPDATE sessions SET expires_at = '2000-01-01 00:00:00'").await;
}

#[actix_web::test]
async fn a_session_past_its_absolute_limit_ends_its_open_streams() {
    ends_when_the_row_changes("UPDATE sessions SET created_at = '2000-01-01 00:00:00'").await;
}

#[actix_web::test]
async fn a_sign_out_on_another_instance_ends_the_streams() {
    ends_when_the_row_changes("DELETE FROM sessions").await;
}
