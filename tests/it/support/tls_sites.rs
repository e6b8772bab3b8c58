//! A local TLS proxy for embed journeys: nginx (Debian's nginx-light), run
//! as this test's own child with its own prefix and config in a temp dir,
//! on a free high port, with a throwaway self-signed certificate made by
//! `openssl`. `https://chat.test:PORT` is the app behind the proxy; other
//! hosts (`shop.test`, `blog.test`, …) are static sites served from the
//! temp dir. Chromium reaches them through `--host-resolver-rules`.

use std::{
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub const NGINX: &str = "/usr/sbin/nginx";

/// A free port on the loopback interface (free when asked).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether nginx and openssl are here; without them the journey skips,
/// unless CHATGATE_REQUIRE_BROWSER=1, where it fails.
pub fn available() -> bool {
    let found = Path::new(NGINX).is_file()
        && Command::new("openssl")
            .arg("version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !found {
        if std::env::var("CHATGATE_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("nginx or openssl not found, and CHATGATE_REQUIRE_BROWSER=1");
        }
        println!("skipped: nginx or openssl not found");
    }
    found
}

/// The running proxy; nginx is killed when this is dropped.
pub struct TlsSites {
    pub port: u16,
    dir: tempfile::TempDir,
    nginx: Child,
}

impl TlsSites {
    /// Starts nginx on `port`: `chat.test` proxies to the app on
    /// `app_port`; each `(host, files)` is a static site.
    pub fn start(port: u16, app_port: u16, sites: &[(&str, Vec<(&str, String)>)]) -> TlsSites {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        certificate(d, sites.iter().map(|(h, _)| *h));
        let mut hosts = Vec::new();
        for (host, files) in sites {
            let root = d.join("sites").join(host);
            std::fs::create_dir_all(&root).unwrap();
            for (name, body) in files {
                std::fs::write(root.join(name), body).unwrap();
            }
            hosts.push(*host);
        }
        std::fs::write(d.join("nginx.conf"), config(d, port, app_port, &hosts)).unwrap();
        let nginx = Command::new(NGINX)
            .arg("-p")
            .arg(d)
            .arg("-e")
            .arg(d.join("error.log"))
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let mut sites = TlsSites { port, dir, nginx };
        sites.wait_ready();
        sites
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.nginx.try_wait() {
                panic!("nginx exited ({status}): {}", self.error_log());
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nginx never listened: {}", self.error_log());
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// `https://HOST:PORT`
    pub fn origin(&self, host: &str) -> String {
        format!("https://{host}:{}", self.port)
    }

    /// The Chromium arguments that send these hosts to the proxy and accept
    /// its throwaway certificate.
    pub fn chromium_args(&self, hosts: &[&str]) -> Vec<String> {
        let rules: Vec<String> = hosts.iter().map(|h| format!("MAP {h} 127.0.0.1")).collect();
        vec![
            format!("--host-resolver-rules={}", rules.join(",")),
            "--ignore-certificate-errors".into(),
        ]
    }
}

impl Drop for TlsSites {
    fn drop(&mut self) {
        let _ = self.nginx.kill();
        let _ = self.nginx.wait();
    }
}

/// A self-signed certificate for chat.test and every site host.
fn certificate<'a>(d: &Path, hosts: impl Iterator<Item = &'a str>) {
    let san: Vec<String> = std::iter::once("chat.test")
        .chain(hosts)
        .map(|h| format!("DNS:{h}"))
        .collect();
    let status = Command::new("openssl")
        .args(["req", "-x509", "-nodes", "-days", "1", "-newkey", "ec"])
        .args([
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-subj",
            "/CN=chat.test",
        ])
        .arg("-addext")
        .arg(format!("subjectAltName={}", san.join(",")))
        .arg("-keyout")
        .arg(d.join("key.pem"))
        .arg("-out")
        .arg(d.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl made the certificate");
}

fn config(d: &Path, port: u16, app_port: u16, hosts: &[&str]) -> String {
    let p = |name: &str| -> PathBuf { d.join(name) };
    let temp: String = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        .iter()
        .map(|t| format!("  {t}_temp_path {};\n", p(&format!("tmp_{t}")).display()))
        .collect();
    format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {pid};
error_log {log} warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
{temp}  types {{ text/html html; text/javascript js; }}
  ssl_certificate {cert};
  ssl_certificate_key {key};
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name chat.test;
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name {hosts};
    root {sites}/$host;
  }}
}}
"#,
        pid = p("nginx.pid").display(),
        log = p("error.log").display(),
        cert = p("cert.pem").display(),
        key = p("key.pem").display(),
        hosts = hosts.join(" "),
        sites = p("sites").display(),
    )
}
