//! Typed settings, read once from the environment at start-up.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `CHATGATE_BIND` | `127.0.0.1:8080` | address the HTTP server listens on |
//! | `DATABASE_URL` | `sqlite://data/chatgate.db` | `sqlite://PATH` or `postgres://…` |
//! | `CHATGATE_DATA_DIR` | `data` | where the embedded database and generated key live |
//! | `CHATGATE_TRUSTED_PROXIES` | empty | comma-separated CIDRs whose forwarded headers count |
//! | `CHATGATE_FORWARDED_HEADER` | `x-forwarded-for` | the header those proxies set: `x-forwarded-for` or `forwarded` |
//! | `CHATGATE_MASTER_KEY_FILE` | `<data dir>/master.key` | 256-bit master key (64 hex characters) |
//! | `CHATGATE_PUBLIC_URL` | `http://<bind>` | external URL; `https://` makes cookies `Secure` |
//! | `CHATGATE_SESSION_IDLE_MINUTES` | `30` | idle sign-out |
//! | `CHATGATE_SESSION_MAX_HOURS` | `12` | absolute sign-out |
//! | `CHATGATE_DB_POOL_SIZE` | `16` | connections in the pool |
//! | `CHATGATE_DEMO_PASSWORD` | generated | password of the demo users on first run |
//! | `CHATGATE_GEOIP_DB` | shipped database | a MaxMind-format country `.mmdb` (GeoLite2-Country, DB-IP, ip-location-db) |
//! | `CHATGATE_METRICS_TOKEN` | unset | bearer token for `/metrics`; unset: `/metrics` answers 404 |
//! | `CHATGATE_STUN_URLS` | unset | screen sharing: comma-separated `stun:` URLs |
//! | `CHATGATE_TURN_URLS` | unset | screen sharing: comma-separated `turn:`/`turns:` URLs (needs the secret) |
//! | `CHATGATE_TURN_SECRET` | unset | coturn's `static-auth-secret`: credentials are minted per share |
//! | `CHATGATE_TURN_TTL_SECONDS` | `28800` | how long minted TURN credentials last |
//! | `CHATGATE_TURN_RELAY_ONLY` | `false` | `true`: shares connect through TURN only, so neither browser learns the other's address |

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use ipnet::IpNet;

use crate::domain::client_addr::ForwardedHeader;

/// Which database the process talks to. Parsed from `DATABASE_URL`; there is
/// no silent fallback: anything that is not SQLite or PostgreSQL is an error.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError::Invalid {
                    var: "DATABASE_URL",
                    reason: "sqlite:// needs a file path, e.g. sqlite://data/chatgate.db".into(),
                });
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        Err(ConfigError::Invalid {
            var: "DATABASE_URL",
            reason: "must start with sqlite:// or postgres:// (other databases are not supported)"
                .into(),
        })
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Self::Sqlite(_))
    }

    /// The URL as `DATABASE_URL` would give it (with any password): for a
    /// second instance on the same database.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(u) => u.clone(),
        }
    }

    /// A description that is safe to log: never the password of a PostgreSQL URL.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("sqlite://{}", p.display()),
            Self::Postgres(url) => match url::Url::parse(url) {
                Ok(mut u) => {
                    if u.password().is_some() {
                        let _ = u.set_password(Some("***"));
                    }
                    // Query parameters may carry a password or key paths.
                    u.set_query(None);
                    u.to_string()
                }
                Err(_) => "postgres://(unparsable)".into(),
            },
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub bind: SocketAddr,
    pub database: DatabaseUrl,
    pub data_dir: PathBuf,
    pub trusted_proxies: Vec<IpNet>,
    pub forwarded_header: ForwardedHeader,
    pub master_key_file: PathBuf,
    pub public_url: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub pool_size: u32,
    pub demo_password: Option<String>,
    /// None: the IP-to-country database shipped inside the binary.
    pub geoip_db: Option<PathBuf>,
    /// How long the dashboard's hourly gate counters are kept
    /// (`CHATGATE_COUNTER_RETENTION_DAYS`, 400 days by default).
    pub counter_retention: Duration,
    /// The bearer token `/metrics` asks for; None: no `/metrics` (404).
    pub metrics_token: Option<Secret>,
    /// The ICE servers screen shares are given.
    pub ice: crate::domain::screen_share::IceSettings,
}

/// A credential from the environment; its debug print is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: &str) -> Self {
        Self(value.to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`, so tests can pass a map instead of the
    /// process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let bind: SocketAddr = match get("CHATGATE_BIND") {
            Some(v) => v.trim().parse().map_err(|_| ConfigError::Invalid {
                var: "CHATGATE_BIND",
                reason: format!("{v:?} is not an address:port such as 127.0.0.1:8080"),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let data_dir = PathBuf::from(get("CHATGATE_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database = match get("DATABASE_URL") {
            Some(v) => DatabaseUrl::parse(&v)?,
            None => DatabaseUrl::Sqlite(data_dir.join("chatgate.db")),
        };
        let trusted_proxies = parse_proxies(get("CHATGATE_TRUSTED_PROXIES").as_deref())?;
        let forwarded_header = match get("CHATGATE_FORWARDED_HEADER") {
            None => ForwardedHeader::default(),
            Some(v) => ForwardedHeader::parse(&v).ok_or_else(|| ConfigError::Invalid {
                var: "CHATGATE_FORWARDED_HEADER",
                reason: format!("{v:?} is not x-forwarded-for or forwarded"),
            })?,
        };
        let master_key_file = get("CHATGATE_MASTER_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("master.key"));
        let public_url = get("CHATGATE_PUBLIC_URL")
            .map(|u| u.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{bind}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                var: "CHATGATE_PUBLIC_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        let session_idle =
            Duration::from_secs(60 * number(&get, "CHATGATE_SESSION_IDLE_MINUTES", 30)?);
        let session_absolute =
            Duration::from_secs(3600 * number(&get, "CHATGATE_SESSION_MAX_HOURS", 12)?);
        let pool_size = number(&get, "CHATGATE_DB_POOL_SIZE", 16)? as u32;
        let counter_retention = Duration::from_secs(
            86_400 * number(&get, "CHATGATE_COUNTER_RETENTION_DAYS", 400)?.min(36_500),
        );
        let ice = crate::domain::screen_share::IceSettings::parse(
            get("CHATGATE_STUN_URLS").as_deref(),
            get("CHATGATE_TURN_URLS").as_deref(),
            get("CHATGATE_TURN_SECRET").as_deref(),
            number(&get, "CHATGATE_TURN_TTL_SECONDS", 28_800)?.min(604_800) as i64,
            flag(&get, "CHATGATE_TURN_RELAY_ONLY")?,
        )
        .map_err(|reason| ConfigError::Invalid {
            var: "CHATGATE_TURN_URLS",
            reason,
        })?;
        Ok(Self {
            bind,
            database,
            data_dir,
            trusted_proxies,
            forwarded_header,
            master_key_file,
            public_url,
            session_idle,
            session_absolute,
            pool_size,
            demo_password: get("CHATGATE_DEMO_PASSWORD"),
            geoip_db: get("CHATGATE_GEOIP_DB").map(PathBuf::from),
            metrics_token: get("CHATGATE_METRICS_TOKEN").map(|t| Secret::new(t.trim())),
            counter_retention,
            ice,
        })
    }

    /// Cookies get the `Secure` flag when the panel is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
) -> Result<u64, ConfigError> {
    match get(var) {
        None => Ok(default),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(ConfigError::Invalid {
                var,
                reason: format!("{v:?} is not a positive whole number"),
            }),
        },
    }
}

/// A yes/no setting: `true`/`1`/`yes` or `false`/`0`/`no`; unset is no.
fn flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match get(var).map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            var,
            reason: format!("{other:?} is not true or false"),
        }),
    }
}

/// Parses `CHATGATE_TRUSTED_PROXIES`: CIDRs or single addresses, separated by
/// commas or white space.
pub fn parse_proxies(raw: Option<&str>) -> Result<Vec<IpNet>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                .map(|n| n.trunc())
                .map_err(|_| ConfigError::Invalid {
                    var: "CHATGATE_TRUSTED_PROXIES",
                    reason: format!("{item:?} is not an address or CIDR"),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_embedded_sqlite_on_loopback() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database, DatabaseUrl::Sqlite("data/chatgate.db".into()));
        assert!(s.trusted_proxies.is_empty());
        assert_eq!(s.master_key_file, PathBuf::from("data/master.key"));
        assert!(!s.secure_cookies());
    }

    #[test]
    fn unknown_database_scheme_is_refused_not_defaulted() {
        let err = settings(&[("DATABASE_URL", "mysql://root@localhost/x")]).unwrap_err();
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
        assert!(settings(&[("DATABASE_URL", "sqlite://")]).is_err());
        assert!(settings(&[("DATABASE_URL", "data.db")]).is_err());
    }

    #[test]
    fn postgres_url_is_kept_and_redacted_for_logs() {
        let s = settings(&[("DATABASE_URL", "postgres://u:secret@db:5432/chat")]).unwrap();
        assert!(!s.database.is_sqlite());
        let shown = format!("{:?}", s.database);
        assert!(!shown.contains("secret"), "{shown}");
        let s = settings(&[(
            "DATABASE_URL",
            "postgres://db/chat?password=hunter2&sslmode=require",
        )])
        .unwrap();
        assert!(!s.database.redacted().contains("hunter2"));
    }

    #[test]
    fn proxies_parse_cidrs_and_single_addresses() {
        let p = parse_proxies(Some("10.0.0.0/8, 192.168.1.7 ::1")).unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].to_string(), "192.168.1.7/32");
        assert!(parse_proxies(Some("10.0.0.0/33")).is_err());
        let s = settings(&[("CHATGATE_FORWARDED_HEADER", "Forwarded")]).unwrap();
        assert_eq!(s.forwarded_header, ForwardedHeader::Forwarded);
        assert!(settings(&[("CHATGATE_FORWARDED_HEADER", "x-real-ip")]).is_err());
    }

    #[test]
    fn the_metrics_token_is_optional_and_never_printed() {
        assert_eq!(settings(&[]).unwrap().metrics_token, None);
        let s = settings(&[("CHATGATE_METRICS_TOKEN", " s3cret-token \n")]).unwrap();
        assert_eq!(
            s.metrics_token.as_ref().map(Secret::expose),
            Some("s3cret-token")
        );
        assert!(!format!("{s:?}").contains("s3cret"), "{s:?}");
        assert_eq!(
            settings(&[("CHATGATE_METRICS_TOKEN", "  ")])
                .unwrap()
                .metrics_token,
            None
        );
    }

    #[test]
    fn counter_retention_defaults_to_400_days_and_is_configurable() {
        let day = Duration::from_secs(86_400);
        assert_eq!(settings(&[]).unwrap().counter_retention, day * 400);
        let s = settings(&[("CHATGATE_COUNTER_RETENTION_DAYS", "30")]).unwrap();
        assert_eq!(s.counter_retention, day * 30);
        assert!(settings(&[("CHATGATE_COUNTER_RETENTION_DAYS", "0")]).is_err());
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let s = settings(&[("CHATGATE_PUBLIC_URL", "https://chat.example.com/")]).unwrap();
        assert!(s.secure_cookies());
        assert_eq!(s.public_url, "https://chat.example.com");
        assert!(settings(&[("CHATGATE_SESSION_IDLE_MINUTES", "0")]).is_err());
    }

    #[test]
    fn screen_sharing_ice_settings() {
        let s = settings(&[]).unwrap();
        assert!(s.ice.turn.is_empty() && !s.ice.relay_only);
        assert_eq!(s.ice.turn_ttl, 28_800);
        let turn = [
            ("CHATGATE_TURN_URLS", "turn:turn.example.com:3478"),
            ("CHATGATE_TURN_SECRET", "s3cret"),
            ("CHATGATE_TURN_RELAY_ONLY", "TRUE"),
        ];
        let s = settings(&turn).unwrap();
        assert!(s.ice.relay_only);
        assert!(!format!("{s:?}").contains("s3cret"));
        let e = settings(&[turn[0], turn[1], ("CHATGATE_TURN_RELAY_ONLY", "maybe")]);
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("CHATGATE_TURN_RELAY_ONLY"));
        assert!(settings(&[turn[2]]).is_err(), "relay only without TURN");
        assert!(settings(&[turn[0]]).is_err(), "TURN without its secret");
        assert!(settings(&[("CHATGATE_STUN_URLS", "https://x")]).is_err());
    }
}
