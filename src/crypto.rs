//! Keys, sealing and blind indexes.
//!
//! One 256-bit master key (a file of 64 hex characters) is the root. Every
//! purpose gets its own key, derived with HKDF-SHA256 and a distinct `info`
//! label, so a key used for one purpose can never open another's data:
//!
//! * `chatgate/v1/ip-seal`: AES-256-GCM key that seals visitor addresses;
//! * `chatgate/v1/ip-index`: HMAC-SHA256 key for the blind index of addresses;
//! * `chatgate/v1/throttle`: HMAC-SHA256 key for login-throttle buckets;
//! * `chatgate/v1/cookie`: 512-bit key that signs and encrypts the session cookie.
//!
//! A sealed value is `key_id (4 bytes) || nonce (12 bytes) || ciphertext+tag`.
//! The nonce is random per record; the associated data binds it to its table,
//! column and row, so a ciphertext copied elsewhere fails to open.

use std::{fs, io::Write, path::Path};

use aes_gcm::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    Aes256Gcm, Key, Nonce,
};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read the master key file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the master key file {path} must hold exactly 64 hex characters (256 bits)")]
    Malformed { path: String },
    #[error("cannot create the master key file {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
}

/// The root secret. Not `Debug`, not `Display`: it is never printed.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

/// How the key was obtained, so start-up can warn about a generated one.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    Loaded,
    Generated,
}

impl MasterKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn random() -> Self {
        let mut b = [0u8; 32];
        OsRng.fill_bytes(&mut b);
        Self(b)
    }

    /// Reads the key from `path`. When the file is absent and `may_generate`
    /// is true, a new key is written there with mode 0600.
    pub fn load_or_generate(
        path: &Path,
        may_generate: bool,
    ) -> Result<(Self, KeyOrigin), KeyError> {
        let shown = path.display().to_string();
        match fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim())
                    .ok()
                    .and_then(|v| <[u8; 32]>::try_from(v).ok())
                    .ok_or(KeyError::Malformed { path: shown })?;
                Ok((Self(bytes), KeyOrigin::Loaded))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && may_generate => {
                let key = Self::random();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    fs::create_dir_all(dir).map_err(|source| KeyError::Create {
                        path: shown.clone(),
                        source,
                    })?;
                }
                write_private(path, hex::encode(key.0).as_bytes()).map_err(|source| {
                    KeyError::Create {
                        path: shown,
                        source,
                    }
                })?;
                Ok((key, KeyOrigin::Generated))
            }
            Err(source) => Err(KeyError::Read {
                path: shown,
                source,
            }),
        }
    }

    fn derive<const N: usize>(&self, label: &str) -> [u8; N] {
        let hk = Hkdf::<Sha256>::new(Some(b"chatgate"), &self.0);
        let mut out = [0u8; N];
        // N is at most 64 here, far below HKDF-SHA256's 8160-byte limit.
        if hk.expand(label.as_bytes(), &mut out).is_err() {
            unreachable!("HKDF output length is within bounds");
        }
        out
    }

    /// The keys the application uses, derived once at start-up.
    pub fn keys(&self) -> Keys {
        let seal: [u8; 32] = self.derive("chatgate/v1/ip-seal");
        let id_bytes: [u8; 4] = self.derive("chatgate/v1/ip-seal/key-id");
        Keys {
            seal: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&seal)),
            seal_key_id: u32::from_be_bytes(id_bytes),
            ip_index: self.derive("chatgate/v1/ip-index"),
            browser_index: self.derive("chatgate/v1/browser-index"),
            throttle: self.derive("chatgate/v1/throttle"),
            cookie: self.derive("chatgate/v1/cookie"),
            widget: self.derive("chatgate/v1/widget-token"),
        }
    }
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(contents)?;
    f.write_all(b"\n")?;
    f.sync_all()
}

/// Where a sealed value lives; it is the associated data of the seal.
#[derive(Debug, Clone, Copy)]
pub struct SealContext<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: &'a str,
}

impl SealContext<'_> {
    fn aad(&self) -> Vec<u8> {
        format!("{}\u{0}{}\u{0}{}", self.table, self.column, self.row).into_bytes()
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("sealed value is too short")]
    Truncated,
    #[error("sealed with an unknown key")]
    UnknownKey,
    #[error("sealed value failed authentication")]
    Forged,
}

/// The derived keys. Cheap to clone behind an `Arc`; the gate holds its
/// own copy to open the networks of the blocks it loads.
#[derive(Clone)]
pub struct Keys {
    seal: Aes256Gcm,
    seal_key_id: u32,
    ip_index: [u8; 32],
    browser_index: [u8; 32],
    throttle: [u8; 32],
    cookie: [u8; 64],
    widget: [u8; 32],
}

impl Keys {
    /// Encrypts `plain` with a fresh random nonce.
    pub fn seal(&self, plain: &[u8], ctx: SealContext<'_>) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = ctx.aad();
        let ct = match self.seal.encrypt(
            &nonce,
            Payload {
                msg: plain,
                aad: &aad,
            },
        ) {
            Ok(ct) => ct,
            // AES-GCM only fails for inputs beyond 64 GiB.
            Err(_) => unreachable!("AES-GCM input within limits"),
        };
        let mut out = Vec::with_capacity(4 + 12 + ct.len());
        out.extend_from_slice(&self.seal_key_id.to_be_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn open(&self, sealed: &[u8], ctx: SealContext<'_>) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < 4 + 12 + 16 {
            return Err(OpenError::Truncated);
        }
        let (id, rest) = sealed.split_at(4);
        if id != self.seal_key_id.to_be_bytes() {
            return Err(OpenError::UnknownKey);
        }
        let (nonce, ct) = rest.split_at(12);
        let aad = ctx.aad();
        self.seal
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| OpenError::Forged)
    }

    /// Keyed blind index of an address (or network), for equality look-ups
    /// without storing the address.
    pub fn ip_index(&self, canonical: &str) -> Vec<u8> {
        mac(&self.ip_index, canonical.as_bytes())
    }

    /// The blind index as a reusable keyed state, for the gate's hot path:
    /// same result as [`Keys::ip_index`] without re-deriving the key pads.
    pub fn ip_indexer(&self) -> IpIndexer {
        let Ok(m) = <HmacSha256 as Mac>::new_from_slice(&self.ip_index) else {
            unreachable!("HMAC accepts keys of any length")
        };
        IpIndexer(m)
    }

    /// The blind index of a visitor's browser (the stored key of its cookie
    /// id), kept with a block that covers the browser.
    pub fn browser_index(&self, visitor_key: &str) -> Vec<u8> {
        mac(&self.browser_index, visitor_key.as_bytes())
    }

    /// A keyed state computing [`Keys::browser_index`] for the gate.
    pub fn browser_indexer(&self) -> IpIndexer {
        let Ok(m) = <HmacSha256 as Mac>::new_from_slice(&self.browser_index) else {
            unreachable!("HMAC accepts keys of any length")
        };
        IpIndexer(m)
    }

    /// Keyed bucket name for login throttling, so no address is stored.
    pub fn throttle_key(&self, kind: &str, value: &str) -> String {
        hex::encode(mac(
            &self.throttle,
            format!("{kind}\u{0}{value}").as_bytes(),
        ))
    }

    /// A keyed hash with the widget's key: the signature of a visitor's
    /// read ticket (see `web::widget::visitor`).
    pub fn widget_token(&self, message: &str) -> String {
        hex::encode(mac(&self.widget, message.as_bytes()))
    }

    pub fn cookie_key(&self) -> &[u8; 64] {
        &self.cookie
    }
}

/// A keyed HMAC state for computing many blind indexes.
#[derive(Clone)]
pub struct IpIndexer(HmacSha256);

impl IpIndexer {
    pub fn index(&self, canonical: &str) -> [u8; 32] {
        let mut m = self.0.clone();
        m.update(canonical.as_bytes());
        m.finalize().into_bytes().into()
    }
}

fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let Ok(mut m) = <HmacSha256 as Mac>::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of any length")
    };
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// A random token for URLs and forms: 32 bytes, URL-safe base64.
pub fn random_token() -> String {
    use base64::Engine;
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const CTX: SealContext<'static> = SealContext {
        table: "conversations",
        column: "visitor_ip_sealed",
        row: "42",
    };

    #[test]
    fn ten_thousand_seals_are_all_different_and_open() {
        let keys = MasterKey::random().keys();
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let s = keys.seal(b"203.0.113.7", CTX);
            assert_eq!(keys.open(&s, CTX).unwrap(), b"203.0.113.7");
            assert!(seen.insert(s));
        }
        assert_eq!(seen.len(), 10_000);
    }

    #[test]
    fn tampering_or_moving_fails() {
        let keys = MasterKey::random().keys();
        let s = keys.seal(b"2001:db8::1", CTX);
        for i in 0..s.len() {
            let mut t = s.clone();
            t[i] ^= 0x01;
            assert!(keys.open(&t, CTX).is_err(), "byte {i} flipped yet opened");
        }
        let other_row = SealContext { row: "43", ..CTX };
        assert_eq!(keys.open(&s, other_row), Err(OpenError::Forged));
        assert_eq!(keys.open(&s[..20], CTX), Err(OpenError::Truncated));
        assert_eq!(
            MasterKey::random().keys().open(&s, CTX),
            Err(OpenError::UnknownKey)
        );
    }

    #[test]
    fn derived_keys_are_distinct_and_stable() {
        let mk = MasterKey::from_bytes([7; 32]);
        let (a, b) = (mk.keys(), mk.keys());
        assert_eq!(a.ip_index("1.2.3.4"), b.ip_index("1.2.3.4"));
        assert_ne!(a.ip_index("1.2.3.4"), a.ip_index("1.2.3.5"));
        assert_ne!(
            a.throttle_key("ip", "1.2.3.4"),
            hex::encode(a.ip_index("ip\u{0}1.2.3.4"))
        );
        assert_ne!(&a.cookie_key()[..32], &a.ip_index[..]);
        assert_ne!(a.browser_index("k"), a.ip_index("k"));
        assert_eq!(
            a.browser_index("k"),
            a.browser_indexer().index("k").to_vec()
        );
    }

    #[test]
    fn key_file_is_generated_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/master.key");
        let (k1, o1) = MasterKey::load_or_generate(&path, true).unwrap();
        assert_eq!(o1, KeyOrigin::Generated);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let (k2, o2) = MasterKey::load_or_generate(&path, true).unwrap();
        assert_eq!(o2, KeyOrigin::Loaded);
        assert_eq!(k1.0, k2.0);
        let missing = dir.path().join("none.key");
        assert!(matches!(
            MasterKey::load_or_generate(&missing, false),
            Err(KeyError::Read { .. })
        ));
        fs::write(dir.path().join("bad.key"), "abc").unwrap();
        assert!(matches!(
            MasterKey::load_or_generate(&dir.path().join("bad.key"), true),
            Err(KeyError::Malformed { .. })
        ));
    }
}
