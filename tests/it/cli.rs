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
