//! The `chatgate` binary's commands.

use std::process::{Command, Stdio};

fn chatgate(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_chatgate"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CHATGATE_DATA_DIR", dir)
        .env("RUST_LOG", "warn");
    c
}

#[test]
fn an_unsupported_database_url_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = chatgate(dir.path())
        .arg("migrate")
        .env("DATABASE_URL", "mysql://root@localhost/chat")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DATABASE_URL") && err.contains("sqlite://"),
        "{err}"
    );
    assert!(
        !dir.path().join("chatgate.db").exists(),
        "no silent SQLite fallback"
    );
}

#[test]
fn seed_demo_once_then_create_user() {
    let dir = tempfile::tempdir().unwrap();
    let out = chatgate(dir.path())
        .arg("seed-demo")
        .env("CHATGATE_DEMO_PASSWORD", "demo password 123")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("manager@demo.test") && text.contains("agent@demo.test"),
        "{text}"
    );
    assert!(text.contains("demo password 123"));
    assert!(
        text.contains("chatgate reset-password --email"),
        "the demo says how to recover its password: {text}"
    );
    assert!(
        dir.path().join("chatgate.db").exists(),
        "default embedded database in the data dir"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "generated key is private");
    }
    let again = chatgate(dir.path()).arg("seed-demo").output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing seeded"));

    let mut child = chatgate(dir.path())
        .args([
            "create-user",
            "--account",
            "Demo Company",
            "--email",
            "new@demo.test",
            "--name",
            "New Person",
            "--role",
            "manager",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long new password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Added New Person <new@demo.test> as Manager."),
        "{text}"
    );
    assert!(
        !text.contains("Created account"),
        "joined the existing account"
    );

    let dup = chatgate(dir.path())
        .args([
            "create-user",
            "--account",
            "Demo Company",
            "--email",
            "new@demo.test",
            "--name",
            "Dup",
        ])
        .output()
        .unwrap();
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already exists"));
}

// `reset-password`, run on a live app's database (SQLite, or PostgreSQL
// with TEST_DATABASE_URL) and master key, as an operator would on the
// server.

mod reset_password {
    use std::process::Output;

    use chatgate::db::schema::audit_log;
    use diesel::prelude::*;
    use reqwest::StatusCode;

    use crate::support::*;

    /// Runs `chatgate reset-password --email <email> [args]` against the
    /// app's database, with `stdin` on standard input (or none).
    async fn reset(app: &TestApp, email: &str, args: &[&str], stdin: Option<&str>) -> Output {
        use tokio::io::AsyncWriteExt;
        let s = &app.core.settings;
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_chatgate"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CHATGATE_DATA_DIR", &s.data_dir)
            .env("DATABASE_URL", s.database.url())
            .env("CHATGATE_MASTER_KEY_FILE", &s.master_key_file)
            .env("RUST_LOG", "warn")
            .args(["reset-password", "--email", email])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.unwrap();
        }
        drop(input);
        child.wait_with_output().await.unwrap()
    }

    fn stdout(o: &Output) -> String {
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn stderr(o: &Output) -> String {
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    /// Signs in from a fresh browser; the status of the answer (303: in).
    async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
        let client = app.other_client();
        let html = client
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = csrf_in(&html).unwrap();
        let form = [
            ("email", email),
            ("password", password),
            ("csrf_token", &token),
        ];
        let r = client.post(app.url("/login")).form(&form).send().await;
        r.unwrap().status()
    }

    fn audit_details(app: &TestApp, action: &str) -> Vec<String> {
        audit_log::table
            .filter(audit_log::account_id.eq(app.acme.account_id))
            .filter(audit_log::action.eq(action))
            .select(audit_log::detail)
            .load(&mut *app.core.db.get().unwrap())
            .unwrap()
    }

    #[actix_web::test]
    async fn a_generated_password_signs_in_and_the_old_one_no_longer_does() {
        let app = spawn_app().await;
        let agent = app.acme.agent.clone();
        // Locked out by wrong passwords: the reset lifts that too.
        for _ in 0..5 {
            sign_in_status(&app, &agent, "not the password").await;
        }
        assert_eq!(
            sign_in_status(&app, &agent, PASSWORD).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        let out = reset(&app, &agent, &[], None).await;
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        let password = text
            .lines()
            .find_map(|l| l.strip_prefix("Password: "))
            .unwrap_or_else(|| panic!("a new password: {text}"))
            .to_owned();
        assert!(password.chars().count() >= 12, "{password}");
        assert!(text.contains(&format!("<{agent}>")), "{text}");
        assert_eq!(
            sign_in_status(&app, &agent, PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in_status(&app, &agent, &password).await,
            StatusCode::SEE_OTHER
        );
        let details = audit_details(&app, "user.password_reset");
        assert_eq!(details.len(), 1, "{details:?}");
        assert!(
            details[0].contains("reset from the command line"),
            "{details:?}"
        );
        assert!(!details[0].contains(&password), "never the password");
    }

    #[actix_web::test]
    async fn a_password_from_standard_input_is_taken_and_not_printed() {
        let app = spawn_app().await;
        let manager = app.acme.manager.clone();
        let chosen = "a brand new passphrase";
        let out = reset(
            &app,
            &manager,
            &["--password-stdin"],
            Some(&format!("{chosen}\n")),
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(!stdout(&out).contains(chosen), "{}", stdout(&out));
        assert!(!stdout(&out).contains("Password:"));
        assert_eq!(
            sign_in_status(&app, &manager, chosen).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            sign_in_status(&app, &manager, PASSWORD).await,
            StatusCode::UNAUTHORIZED
        );
        // `--stdin` is the same flag.
        let again = "another new passphrase";
        let out = reset(&app, &manager, &["--stdin"], Some(again)).await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            sign_in_status(&app, &manager, again).await,
            StatusCode::SEE_OTHER
        );
    }

    #[actix_web::test]
    async fn a_too_short_password_is_refused_and_nothing_changes() {
        let app = spawn_app().await;
        let agent = app.acme.agent.clone();
        let session = app.sign_in(&agent).await;
        let out = reset(&app, &agent, &["--stdin"], Some("short\n")).await;
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("A password needs at least 12 characters."),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            sign_in_status(&app, &agent, PASSWORD).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            session.get("/").await.status(),
            StatusCode::OK,
            "still signed in"
        );
        assert!(audit_details(&app, "user.password_reset").is_empty());
    }

    #[actix_web::test]
    async fn an_unknown_email_exits_with_1_and_says_so() {
        let app = spawn_app().await;
        let out = reset(&app, "nobody@acme.test", &[], None).await;
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("no user has the e-mail address nobody@acme.test"),
            "{}",
            stderr(&out)
        );
        assert!(!stdout(&out).contains("Password:"), "{}", stdout(&out));
    }

    #[actix_web::test]
    async fn every_session_of_the_user_ends_and_no_one_elses() {
        let app = spawn_app().await;
        let agent = app.acme.agent.clone();
        let (laptop, phone) = (app.sign_in(&agent).await, app.sign_in(&agent).await);
        let manager = app.sign_in(&app.acme.manager).await;
        let out = reset(&app, &agent, &[], None).await;
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("2 sessions signed out"),
            "{}",
            stdout(&out)
        );
        for s in [&laptop, &phone] {
            let r = s.get("/").await;
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out");
            let to = r.headers()["location"].to_str().unwrap();
            assert!(to.starts_with("/login"), "{to}");
        }
        assert_eq!(
            manager.get("/").await.status(),
            StatusCode::OK,
            "others stay"
        );
    }
}
