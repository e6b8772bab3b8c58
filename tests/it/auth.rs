use reqwest::StatusCode;

use crate::support::*;

#[actix_web::test]
async fn anonymous_panel_visit_goes_to_login_and_back() {
    let app = spawn_app().await;
    let r = app.get("/settings/users").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fsettings%2Fusers");
    let token = app.csrf().await;
    let r = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("email", app.acme.manager.as_str()),
            ("password", PASSWORD),
            ("next", "/settings/users"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/settings/users");
}

#[actix_web::test]
async fn login_and_logout() {
    let app = spawn_app().await;
    let me = app.login_ok(&app.acme.manager).await;
    let html = app.page("/", StatusCode::OK).await;
    assert!(
        html.contains("acme manager"),
        "the panel shows who is signed in"
    );
    assert!(html.contains("Sign out"));

    let r = me.post("/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?signed_out=1");
    let r = app.get("/").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out");
    let html = app.page("/login?signed_out=1", StatusCode::OK).await;
    assert!(html.contains("You have signed out."));
}

#[actix_web::test]
async fn wrong_password_is_refused_and_keeps_the_email() {
    let app = spawn_app().await;
    let r = app.login(&app.acme.manager, "not the password").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(html.contains("The e-mail address or password is not correct."));
    assert!(
        html.contains(&format!("value=\"{}\"", app.acme.manager)),
        "typed e-mail kept"
    );
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );

    // An unknown address gets the very same answer.
    let r = app.login("nobody@acme.test", "not the password").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("The e-mail address or password is not correct."));
}

#[actix_web::test]
async fn failed_logins_are_limited_per_user_and_explained() {
    let app = spawn_app().await;
    for i in 1..=4 {
        let r = app.login(&app.acme.agent, "wrong password!").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = app.login(&app.acme.agent, "wrong password!").await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "fifth failure reaches the limit"
    );
    // Now even the right password is refused, with an explanation.
    let r = app.login(&app.acme.agent, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = r.text().await.unwrap();
    assert!(html.contains("Too many failed sign-in attempts"), "{html}");
    assert!(html.contains("Try again in 15 minutes"), "{html}");
    assert_eq!(app.get("/").await.status(), StatusCode::SEE_OTHER);
    // Another user from the same address is not affected yet.
    app.login_ok(&app.acme.manager).await;
    // When the failures leave the window, the user may sign in again.
    app.sql("UPDATE login_failures SET failed_at = '2000-01-01 00:00:00'");
    app.sign_in(&app.acme.agent).await;
}

#[actix_web::test]
async fn post_without_or_with_a_wrong_csrf_token_is_refused() {
    let app = spawn_app().await;
    let _ = app.get("/login").await; // a session with a token exists
    let form = [("email", app.acme.manager.as_str()), ("password", PASSWORD)];
    let r = app
        .client
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let mut bad = form.to_vec();
    bad.push(("csrf_token", "forged"));
    let r = app
        .client
        .post(app.url("/login"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "not signed in"
    );

    // Signed in: a logout without the token does not log out.
    app.login_ok(&app.acme.manager).await;
    let r = app.client.post(app.url("/logout")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::OK,
        "still signed in"
    );
    // A token in the header works like the form field.
    let token = app.csrf().await;
    let r = app
        .client
        .post(app.url("/logout"))
        .header("x-csrf-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn session_cookie_is_strict_http_only_and_renewed_at_login() {
    let app = spawn_app().await;
    let r = app.get("/login").await;
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("chatgate_session="), "{set}");
    assert!(set.contains("HttpOnly"), "{set}");
    assert!(set.contains("SameSite=Strict"), "{set}");
    assert!(!set.contains("Secure"), "plain http in tests: {set}");
    let before = app.session_cookie().unwrap();
    app.login_ok(&app.acme.manager).await;
    let after = app.session_cookie().unwrap();
    assert_ne!(before, after);
    // The pre-login session id is dead: replaying it is not signed in.
    let fixation = app.other_client();
    let r = fixation
        .get(app.url("/"))
        .header("cookie", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "old session id renewed away"
    );
    let r = fixation
        .get(app.url("/"))
        .header("cookie", &after)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the new one is signed in");
}

#[actix_web::test]
async fn secure_cookie_behind_https() {
    let app = TestApp::builder()
        .env("CHATGATE_PUBLIC_URL", "https://chat.example.com")
        .spawn()
        .await;
    let r = app.get("/login").await;
    let set = r.headers()["set-cookie"].to_str().unwrap();
    assert!(set.contains("Secure"), "{set}");
}

#[actix_web::test]
async fn logout_revokes_the_session_server_side() {
    let app = spawn_app().await;
    let me = app.login_ok(&app.acme.manager).await;
    let stolen = app.session_cookie().unwrap();
    let thief = app.other_client();
    let r = thief
        .get(app.url("/"))
        .header("cookie", &stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the copied cookie works while signed in"
    );
    me.post("/logout", &[]).await;
    let r = thief
        .get(app.url("/"))
        .header("cookie", &stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "the old cookie is dead after logout"
    );
}

#[actix_web::test]
async fn sessions_end_when_idle_and_at_the_absolute_limit() {
    let app = spawn_app().await;
    app.login_ok(&app.acme.manager).await;
    app.sql("UPDATE sessions SET expires_at = '2000-01-01 00:00:00'");
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "idle timeout"
    );

    app.login_ok(&app.acme.manager).await;
    assert_eq!(app.get("/").await.status(), StatusCode::OK);
    // Still in use (idle deadline ahead) but created too long ago.
    app.sql("UPDATE sessions SET created_at = '2000-01-01 00:00:00'");
    assert_eq!(
        app.get("/").await.status(),
        StatusCode::SEE_OTHER,
        "absolute limit"
    );
}

#[actix_web::test]
async fn parallel_guesses_cannot_slip_under_the_limit() {
    let app = spawn_app().await;
    let token = app.csrf().await;
    let attempts = (0..12).map(|_| {
        app.client
            .post(app.url("/login"))
            .form(&[
                ("email", app.acme.agent.as_str()),
                ("password", "wrong password!"),
                ("csrf_token", &token),
            ])
            .send()
    });
    let results = futures_util::future::join_all(attempts).await;
    let checked = results
        .into_iter()
        .filter(|r| r.as_ref().unwrap().status() == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        checked <= 5,
        "{checked} passwords were checked; the limit is 5"
    );
}
