use reqwest::StatusCode;

use crate::support::*;

#[actix_web::test]
async fn agent_cannot_open_or_use_manager_pages() {
    let app = spawn_app().await;
    let me = app.login_ok(&app.acme.agent).await;
    for path in [
        "/settings/users",
        "/settings/block-visitors",
        "/settings/chat-window",
        "/audit",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(r.text().await.unwrap().contains("Not allowed"));
    }
    let r = me
        .post(
            &format!("/settings/users/{}/role", app.acme.agent_id),
            &[("role", "manager")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The agent's navigation does not offer the settings.
    let html = app.page("/", StatusCode::OK).await;
    assert!(!html.contains("/settings/users"));
    assert!(html.contains("/agent"));
}

#[actix_web::test]
async fn another_accounts_ids_answer_404() {
    let app = spawn_app().await;
    let me = app.login_ok(&app.acme.manager).await;
    let theirs = &app.globex;
    let r = app
        .get(&format!("/cases/{}/conversations", theirs.case.id))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = me
        .post(
            &format!("/settings/users/{}/role", theirs.agent_id),
            &[("role", "manager")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = me
        .post(
            &format!("/settings/users/{}/active", theirs.manager_id),
            &[("active", "false")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Nothing of theirs changed, and their user list is not shown.
    let html = app.page("/settings/users", StatusCode::OK).await;
    assert!(!html.contains(&theirs.agent));
    // Their users are untouched: the agent is still an active agent.
    let theirs_agent = app.sign_in(&theirs.agent).await;
    let r = theirs_agent.get("/settings/users").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "still an agent");
    app.sign_in(&theirs.manager).await;
    // Our own case works.
    assert_eq!(
        app.get(&format!("/cases/{}/conversations", app.acme.case.id))
            .await
            .status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn manager_adds_a_user_and_bad_input_keeps_what_was_typed() {
    let app = spawn_app().await;
    let me = app.login_ok(&app.acme.manager).await;
    let r = me
        .post(
            "/settings/users",
            &[
                ("name", "Dana Doe"),
                ("email", "not-an-email"),
                ("role", "agent"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Enter an e-mail address like name@example.com."));
    assert!(html.contains("A password needs at least 12 characters."));
    assert!(html.contains("value=\"Dana Doe\""), "name kept");
    assert!(html.contains("value=\"not-an-email\""), "e-mail kept");
    assert!(
        !html.contains("value=\"short\""),
        "a password is never echoed"
    );
    assert!(
        !app.page("/settings/users", StatusCode::OK)
            .await
            .contains("Dana Doe"),
        "nothing stored"
    );

    let r = me
        .post(
            "/settings/users",
            &[
                ("name", "Dana Doe"),
                ("email", "Dana@Acme.test"),
                ("role", "agent"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.page("/settings/users", StatusCode::OK).await;
    assert!(
        html.contains("Dana Doe was added as agent."),
        "confirmation shown"
    );
    assert!(html.contains("dana@acme.test"));
    app.sign_in("dana@acme.test").await;

    // A duplicate is reported, not stored twice.
    let r = me
        .post(
            "/settings/users",
            &[
                ("name", "Dana Again"),
                ("email", "dana@acme.test"),
                ("role", "manager"),
                ("password", "a long enough secret"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("A user with this e-mail address already exists."));
    assert!(html.contains("value=\"Dana Again\""));
    // Even an address used in another account is refused: sign-in is by e-mail.
    let r = me
        .post(
            "/settings/users",
            &[
                ("name", "X"),
                ("email", &app.globex.agent),
                ("role", "agent"),
                ("password", "a long enough secret"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let audit = app.page("/audit", StatusCode::OK).await;
    assert!(audit.contains("user.created"));
}

#[actix_web::test]
async fn role_change_takes_effect_at_once() {
    let app = spawn_app().await;
    app.login_ok(&app.acme.agent).await;
    assert_eq!(
        app.get("/settings/users").await.status(),
        StatusCode::FORBIDDEN
    );

    let boss = app.sign_in(&app.acme.manager).await;
    let r = boss
        .post(
            &format!("/settings/users/{}/role", app.acme.agent_id),
            &[("role", "manager")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The agent's existing session now has the manager's rights.
    assert_eq!(app.get("/settings/users").await.status(), StatusCode::OK);
    // And back.
    let r = boss
        .post(
            &format!("/settings/users/{}/role", app.acme.agent_id),
            &[("role", "agent")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/settings/users").await.status(),
        StatusCode::FORBIDDEN
    );
    let audit = boss.text("/audit").await;
    assert!(audit.contains("user.role_changed"));
}

#[actix_web::test]
async fn deactivation_signs_out_at_once_and_blocks_sign_in() {
    let app = spawn_app().await;
    app.login_ok(&app.acme.agent).await;
    assert_eq!(app.get("/agent").await.status(), StatusCode::OK);
    let boss = app.sign_in(&app.acme.manager).await;
    let r = boss
        .post(
            &format!("/settings/users/{}/active", app.acme.agent_id),
            &[("active", "false")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/agent").await.status(),
        StatusCode::SEE_OTHER,
        "signed out at once"
    );
    let mut conn = app.core.db.get().unwrap();
    let left = chatgate::db::sessions::count_for_user(&mut conn, app.acme.agent_id).unwrap();
    assert_eq!(left, 0, "their sessions are deleted, not just ignored");
    drop(conn);
    let r = app.login(&app.acme.agent, PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "cannot sign in while deactivated"
    );
    // Reactivated, they can sign in again.
    let r = boss
        .post(
            &format!("/settings/users/{}/active", app.acme.agent_id),
            &[("active", "true")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.login_ok(&app.acme.agent).await;
}

#[actix_web::test]
async fn the_last_manager_and_oneself_are_protected() {
    let app = spawn_app().await;
    let manager = app.login_ok(&app.acme.manager).await;
    let me = app.acme.manager_id;
    let r = manager
        .post(&format!("/settings/users/{me}/role"), &[("role", "agent")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.page("/settings/users", StatusCode::OK).await;
    assert!(
        html.contains("The account must keep at least one active manager."),
        "{html}"
    );
    let r = manager
        .post(
            &format!("/settings/users/{me}/active"),
            &[("active", "false")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = app.page("/settings/users", StatusCode::OK).await;
    assert!(html.contains("You cannot deactivate your own account."));
    // Still a manager.
    assert_eq!(app.get("/audit").await.status(), StatusCode::OK);
}
