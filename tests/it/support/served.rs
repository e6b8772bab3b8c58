//! The real binary, run as a child process on a port of its own.

use reqwest::StatusCode;

use super::{tls_sites::free_port, *};

/// The real binary, serving the demo account on a port of its own, with
/// everything it writes collected.
pub struct Served {
    pub child: std::process::Child,
    base: String,
    out: std::sync::Arc<std::sync::Mutex<String>>,
    _dir: Option<tempfile::TempDir>,
}

impl Served {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Self::start_at(dir.path(), free_port());
        s._dir = Some(dir);
        s
    }

    /// Serves the data directory `dir` on `port` (another instance, or the
    /// same one restarted).
    pub fn start_at(dir: &std::path::Path, port: u16) -> Self {
        use std::{io::Read, process::Stdio};
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chatgate"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CHATGATE_DATA_DIR", dir)
            .env("CHATGATE_BIND", format!("127.0.0.1:{port}"))
            .env("CHATGATE_DEMO_PASSWORD", PASSWORD)
            .env(
                "CHATGATE_GEOIP_DB",
                concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/country-code.mmdb"),
            )
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        for mut pipe in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let out = out.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    out.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            out,
            _dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    pub async fn readyz(&self) -> Option<StatusCode> {
        // A new connection each time, as a load balancer's probe.
        let c = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        c.get(self.url("/readyz"))
            .send()
            .await
            .ok()
            .map(|r| r.status())
    }

    pub async fn wait_ready(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while self.readyz().await != Some(StatusCode::OK) {
            assert!(
                std::time::Instant::now() < deadline,
                "never ready: {}",
                self.log()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Waits for the process to exit, at most `within`.
    pub async fn exits_within(&mut self, within: std::time::Duration) -> std::process::ExitStatus {
        let started = std::time::Instant::now();
        loop {
            if let Some(code) = self.child.try_wait().unwrap() {
                return code;
            }
            assert!(
                started.elapsed() < within,
                "still running after {within:?}: {}",
                self.log()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    pub fn terminate(&self) {
        let ok = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo agent, signed in.
pub async fn demo_agent(s: &Served) -> reqwest::Client {
    let c = client_with(std::sync::Arc::new(reqwest::cookie::Jar::default()));
    let r = sign_in_at(&c, &s.url("/login"), "agent@demo.test").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", s.log());
    c
}
