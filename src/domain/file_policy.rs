//! Which files chat visitors may send, and the check every upload passes.
//! The content (magic bytes via `infer`, plus sniffing for text) and the
//! name (extension) must agree on a [`Category`], nothing may hide inside
//! (polyglots, embedded archives), and the chat must accept the category.

use std::collections::BTreeSet;

use infer::MatcherType;
use serde::{Deserialize, Serialize};
use Category as C;

/// The kinds of file a manager can allow or refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    Image,
    Document,
    Archive,
    Executable,
    Script,
    Other,
}

/// Each category's key (forms, storage), label (people) and extensions.
#[rustfmt::skip]
const TABLE: [(&str, &str, &[&str]); 6] = [
    ("images", "Images", &["png", "jpg", "jpeg", "jfif", "gif", "webp", "bmp", "tif", "tiff", "ico",
        "heic", "heif", "avif"]),
    ("documents", "Documents", &["pdf", "txt", "csv", "md", "rtf", "doc", "docx", "xls", "xlsx",
        "ppt", "pptx", "odt", "ods", "odp", "epub"]),
    ("archives", "Archives", &["zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz", "zst", "cab"]),
    ("executables", "Executables", &["exe", "dll", "msi", "com", "scr", "cpl", "sys", "pif", "lnk",
        "elf", "so", "dylib", "apk", "deb", "rpm", "dmg", "jar", "class", "dex", "wasm", "crx"]),
    ("scripts", "Scripts", &["sh", "bash", "zsh", "ps1", "psm1", "bat", "cmd", "js", "mjs", "cjs",
        "jse", "vbs", "vbe", "wsf", "wsh", "hta", "py", "pyw", "pl", "rb", "php", "phtml", "html",
        "htm", "xhtml", "shtml", "mht", "svg", "xsl"]),
    ("other", "Other files", &[]),
];

impl Category {
    /// Every category, in the order the settings page lists them.
    #[rustfmt::skip]
    pub const ALL: [Category; 6] =
        [C::Image, C::Document, C::Archive, C::Executable, C::Script, C::Other];

    /// The stable key used in forms and storage, e.g. "images".
    pub fn key(self) -> &'static str {
        TABLE[self as usize].0
    }

    /// The category with this key, if any.
    pub fn from_key(key: &str) -> Option<Category> {
        Self::ALL.into_iter().find(|c| c.key() == key.trim())
    }

    /// The plural name people see, e.g. "Images".
    pub fn label(self) -> &'static str {
        TABLE[self as usize].1
    }
}

/// A file setting a manager entered that cannot be used, written for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub &'static str);

const BAD_SIZE: PolicyError =
    PolicyError("Enter a maximum file size above 0 and at most 50 MB, for example 10 or 0.5.");
const NO_CATEGORY: PolicyError = PolicyError("Choose at least one type of file visitors may send.");

/// Which categories a chat accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowed {
    All,
    ImagesOnly,
    Custom(BTreeSet<Category>),
}

impl Allowed {
    /// Whether files of category `c` may be sent.
    pub fn permits(&self, c: Category) -> bool {
        match self {
            Self::All => true,
            Self::ImagesOnly => c == C::Image,
            Self::Custom(set) => set.contains(&c),
        }
    }

    /// The stored kind: "all", "images" or "custom".
    pub fn key(&self) -> &'static str {
        match self {
            Self::All => "all",
            Self::ImagesOnly => "images",
            Self::Custom(_) => "custom",
        }
    }

    /// Reads the settings form. Categories count only for "custom", which
    /// needs at least one; blank entries are ignored, unknown ones refused.
    pub fn parse(kind: &str, categories: &[&str]) -> Result<Allowed, PolicyError> {
        let unknown = PolicyError("One of the chosen types of file is not known.");
        let mut keys = categories.iter().filter(|k| !k.trim().is_empty());
        match kind.trim() {
            "all" => Ok(Self::All),
            "images" => Ok(Self::ImagesOnly),
            "custom" => match keys.try_fold(BTreeSet::new(), |mut set, k| {
                set.insert(Category::from_key(k).ok_or(unknown)?);
                Ok(set)
            }) {
                Ok(set) if set.is_empty() => Err(NO_CATEGORY),
                set => set.map(Self::Custom),
            },
            _ => Err(PolicyError("Choose which files visitors may send.")),
        }
    }

    /// The file input's `accept` list: the extensions of every permitted
    /// category, or None when any file may be chosen (all files, or "Other
    /// files", which have no extension to list).
    pub fn accept_list(&self) -> Option<String> {
        if self.permits(C::Other) {
            return None;
        }
        let permitted = Category::ALL.into_iter().filter(|c| self.permits(*c));
        let exts = permitted.flat_map(|c| TABLE[c as usize].2.iter().map(|e| format!(".{e}")));
        Some(exts.collect::<Vec<_>>().join(","))
    }

    /// The keys of every permitted category, comma-separated.
    pub fn categories_csv(&self) -> String {
        let keys = Category::ALL.into_iter().filter(|c| self.permits(*c));
        keys.map(Category::key).collect::<Vec<_>>().join(",")
    }
}

const MB: u64 = 1024 * 1024;

/// The largest file a chat accepts: above 0, at most 50 MB, in steps of
/// 0.01 MB so that [`MaxBytes::megabytes_text`] reads back exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct MaxBytes(u64);

impl MaxBytes {
    pub const LIMIT: u64 = 50 * MB;

    /// Reads megabytes such as "10", "0.5" or "0,5", rounded to 0.01 MB.
    pub fn from_megabytes(mb: &str) -> Result<MaxBytes, PolicyError> {
        let t = mb.trim().replace(',', ".");
        let numeric = t.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let value = t.parse::<f64>().ok().filter(|v| numeric && *v <= 50.0);
        let hundredths = value.map_or(0, |v| (v * 100.0).round() as u64);
        Self::from_bytes((hundredths * MB).div_ceil(100))
    }

    /// Rebuilds a stored value: 1 byte to [`MaxBytes::LIMIT`].
    pub fn from_bytes(bytes: u64) -> Result<MaxBytes, PolicyError> {
        let ok = (1..=Self::LIMIT).contains(&bytes);
        ok.then_some(Self(bytes)).ok_or(BAD_SIZE)
    }

    /// The limit in bytes; a file of exactly this size is accepted.
    pub fn bytes(self) -> u64 {
        self.0
    }

    /// Megabytes as the settings form shows them: "10", "0.5", "1.25".
    pub fn megabytes_text(self) -> String {
        let h = ((self.0 * 100 + MB / 2) / MB).max(1);
        let text = format!("{}.{:02}", h / 100, h % 100);
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// A chat's rules for files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePolicy {
    pub allowed: Allowed,
    pub max_bytes: MaxBytes,
}

impl Default for FilePolicy {
    /// All files, up to 10 MB.
    fn default() -> Self {
        let (allowed, max_bytes) = (Allowed::All, MaxBytes(10 * MB));
        Self { allowed, max_bytes }
    }
}

impl FilePolicy {
    /// The fixed policy for files agents send to visitors: images,
    /// documents and archives up to 25 MB; never executables or scripts.
    pub fn agent() -> Self {
        let allowed = Allowed::Custom(BTreeSet::from([C::Image, C::Document, C::Archive]));
        let max_bytes = MaxBytes(25 * MB);
        Self { allowed, max_bytes }
    }
}

/// The only image types ever shown inline as previews.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    Gif,
    Webp,
}

impl ImageKind {
    /// The content type to serve the preview with.
    pub fn mime(self) -> &'static str {
        ["image/png", "image/jpeg", "image/gif", "image/webp"][self as usize]
    }

    fn from_ext(ext: &str) -> Option<Self> {
        match ext {
            "png" => Some(Self::Png),
            "jpg" | "jpeg" | "jfif" => Some(Self::Jpeg),
            "gif" => Some(Self::Gif),
            "webp" => Some(Self::Webp),
            _ => None,
        }
    }
}

/// An accepted file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub category: Category,
    /// The content type to serve it with, as an attachment.
    pub mime: &'static str,
    /// Set only for a clean PNG/JPEG/GIF/WEBP whose name agrees.
    pub preview: Option<ImageKind>,
}

/// Why a file was refused; `Display` is what the visitor sees.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("This file is empty")]
    Empty,
    #[error("This file is too large: the limit is {max} MB")]
    TooLarge { max: String },
    #[error("This file's content does not match its name")]
    Mismatch {
        name_says: Category,
        content_says: Category,
    },
    #[error("This file hides other content inside it, so it cannot be sent")]
    Disguised,
    #[error("Files of this type ({}) are not accepted in this chat", .0.label())]
    NotAllowed(Category),
}

/// Decides whether `bytes`, uploaded as `name`, may be sent under `policy`.
pub fn check(policy: &FilePolicy, name: &str, bytes: &[u8]) -> Result<Checked, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() as u64 > policy.max_bytes.bytes() {
        let max = policy.max_bytes.megabytes_text();
        return Err(Refusal::TooLarge { max });
    }
    let content = inspect(bytes).ok_or(Refusal::Disguised)?;
    let ext = extension(name);
    let (name_says, content_says) = (ext_category(&ext), content.category);
    let agrees = name_says == content_says
        || match content.form {
            // Plain text cannot prove it is not a script or some unlisted format.
            Form::Text => content_says == C::Document && matches!(name_says, C::Script | C::Other),
            // Office files, e-books and Java/Android apps are ZIP files.
            Form::Zip => ZIP_NAMES.contains(&ext.as_str()),
            Form::Ole => ["doc", "xls", "ppt", "msi"].contains(&ext.as_str()),
            // Unrecognised binary named as a program hides nothing worse.
            Form::Unknown => name_says == C::Executable,
            Form::Known => false,
        };
    if !agrees {
        return Err(Refusal::Mismatch {
            name_says,
            content_says,
        });
    }
    if !policy.allowed.permits(name_says) {
        return Err(Refusal::NotAllowed(name_says));
    }
    let risky = matches!(name_says, C::Executable | C::Script);
    let mime = if risky { OCTET } else { content.mime };
    let preview = content
        .image
        .filter(|k| ImageKind::from_ext(&ext) == Some(*k));
    Ok(Checked {
        category: name_says,
        mime,
        preview,
    })
}

/// The category a file's name claims, by its last extension.
pub fn classify_name(name: &str) -> Category {
    ext_category(&extension(name))
}

/// The category a file's content shows, ignoring anything hidden in it.
pub fn classify_content(bytes: &[u8]) -> Category {
    identify(bytes).category
}

const OCTET: &str = "application/octet-stream";
const ZIP_NAMES: [&str; 10] = [
    "zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk",
];
/// Markup that makes text (or an image) something a browser or PHP runs.
#[rustfmt::skip]
const MARKUP: [&[u8]; 11] = [b"<script", b"<html", b"<?php", b"<svg", b"<!doctype html", b"<iframe",
    b"<body", b"<head", b"<object", b"<embed", b"<?xml-stylesheet"];

fn ext_category(ext: &str) -> Category {
    let mut known = Category::ALL.into_iter();
    known
        .find(|c| TABLE[*c as usize].2.contains(&ext))
        .unwrap_or(C::Other)
}

/// The lower-case last extension, as Windows saves the name (trailing dots
/// and spaces dropped); empty when there is none.
fn extension(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let base: String = base.chars().filter(|c| !c.is_control()).collect();
    match base.trim_end_matches(['.', ' ']).rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// How content relates to the names it may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Text,
    Zip,
    Ole,
    Known,
    Unknown,
}

/// What the content alone says.
struct Content {
    category: Category,
    mime: &'static str,
    form: Form,
    image: Option<ImageKind>,
}

/// What the content's first bytes say, without looking for hidden parts.
fn identify(b: &[u8]) -> Content {
    let t = infer::get(b);
    let ext = t.map_or("", |t| t.extension());
    let (category, mime, form) = match t {
        // Text wins over short magic numbers ("MZ", "BM", "BC") prose can start with.
        _ if !matches!(ext, "pdf" | "rtf") && is_text(b) => {
            if ext == "sh" || has_markup(b) {
                (C::Script, OCTET, Form::Text)
            } else {
                (C::Document, "text/plain", Form::Text)
            }
        }
        None => (C::Other, OCTET, Form::Unknown),
        Some(t) => {
            let category = match (t.matcher_type(), ext) {
                (MatcherType::App, "der" | "pem" | "qcow2" | "bc") => C::Other,
                (MatcherType::App, _) => C::Executable,
                (_, "msi") => C::Other, // any OLE container infer cannot name
                _ => ext_category(ext),
            };
            let form = match ext {
                _ if b.starts_with(b"PK\x03\x04") => Form::Zip,
                "msi" => Form::Ole,
                _ => Form::Known,
            };
            (category, t.mime_type(), form)
        }
    };
    let image = ImageKind::from_ext(ext).filter(|_| form == Form::Known);
    Content {
        category,
        mime,
        form,
        image,
    }
}

/// The content's verdict, or `None` when it hides a second format.
fn inspect(b: &[u8]) -> Option<Content> {
    let c = identify(b);
    let pdf = c.mime == "application/pdf";
    // Readers accept "%PDF" anywhere in the first KB: junk before it is a polyglot.
    if let Some(at) = find(&b[..b.len().min(1024)], b"%PDF") {
        if !pdf || !b[..at].iter().all(u8::is_ascii_whitespace) {
            return None;
        }
    }
    let plain = matches!(c.form, Form::Known | Form::Unknown);
    let media = matches!(c.category, C::Image | C::Other);
    if plain && (pdf || media) {
        // A ZIP anywhere (readers find its end record in the last 64 KiB),
        // PHP anywhere, or (not in PDFs, whose comments hold XHTML) markup
        // near the start.
        let tail = &b[b.len().saturating_sub(65_557)..];
        let hides = |w: &[u8]| match w[0] {
            b'P' => w.starts_with(b"PK\x03\x04") && w[4] <= 63 && w[5] == 0,
            b'<' => w[1..5].eq_ignore_ascii_case(b"?php") && w[5] <= b' ',
            _ => false,
        };
        if find(tail, b"PK\x05\x06").is_some()
            || b.windows(6).any(hides)
            || (media && has_markup(b))
        {
            return None;
        }
    }
    Some(c)
}

/// Whether the content is text: UTF-8, or an 8-bit legacy encoding without
/// control bytes; never with NULs.
fn is_text(b: &[u8]) -> bool {
    let plain = |c: &u8| *c >= 0x20 || b"\t\n\r\x0c\x1b".contains(c);
    !b.contains(&0) && (std::str::from_utf8(b).is_ok() || b.iter().all(plain))
}

/// Whether the first 8 KiB hold a [`MARKUP`] tag, ended as browsers end tag
/// names (so "<bodyguard" is not "<body").
fn has_markup(b: &[u8]) -> bool {
    let lower = b[..b.len().min(8 * 1024)].to_ascii_lowercase();
    let ends_tag = |i: usize| lower.get(i).is_none_or(|c| b" \t\r\n\x0c/>".contains(c));
    let found = |m: &&[u8]| {
        lower
            .windows(m.len())
            .enumerate()
            .any(|(i, w)| w == *m && ends_tag(i + m.len()))
    };
    MARKUP.iter().any(found)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[path = "file_policy_tests.rs"]
mod tests;
