//! Files sent in a conversation: stored under random names in the data
//! directory, recorded with their original name, announced as an event.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::service::ChatError;
use crate::{
    crypto::random_token,
    db::{
        chat::{self, NewFile},
        models::{Conversation, Event, StoredFile},
        now, DbConn,
    },
    domain::chat::{Author, EventKind},
};

/// Largest file, until the Live Chat Window settings make it configurable.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The file's name as shown: no path, no control characters, at most 120
/// characters; "file" when nothing is left.
pub fn display_name(original: &str) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    let clean = clean.trim().to_owned();
    if clean.is_empty() || clean == "." || clean == ".." {
        "file".into()
    } else {
        clean
    }
}

pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("files")
}

/// Writes the bytes under a new random name and returns the name.
pub fn write(data_dir: &Path, bytes: &[u8]) -> std::io::Result<String> {
    let dir = dir(data_dir);
    std::fs::create_dir_all(&dir)?;
    let name = random_token();
    std::fs::write(dir.join(&name), bytes)?;
    Ok(name)
}

pub fn path_of(data_dir: &Path, f: &StoredFile) -> PathBuf {
    dir(data_dir).join(&f.stored_name)
}

/// Records a stored file in the conversation. Call inside a write
/// transaction; on error the caller removes the written bytes.
#[allow(clippy::too_many_arguments)]
pub fn attach(
    conn: &mut DbConn,
    conv: &Conversation,
    author: Author,
    author_name: &str,
    original: &str,
    stored_name: &str,
    content_type: &str,
    size: usize,
) -> Result<Event, ChatError> {
    if conv.is_closed() {
        return Err(ChatError::Conflict(super::service::CLOSED));
    }
    let public_id = random_token();
    let name = display_name(original);
    chat::insert_file(
        conn,
        &NewFile {
            account_id: conv.account_id,
            conversation_id: conv.id,
            public_id: &public_id,
            stored_name,
            original_name: &name,
            content_type,
            size: size as i64,
            uploaded_by: author,
            now: now(),
        },
    )?;
    Ok(chat::append(
        conn,
        conv.id,
        EventKind::File,
        author,
        author_name,
        &json!({ "file": public_id, "name": name, "size": size, "type": content_type }),
        now(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\Users\\me\\photo.png"), "photo.png");
        assert_eq!(display_name("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(display_name(".."), "file");
        assert_eq!(display_name(""), "file");
        assert_eq!(display_name(&"x".repeat(300)).len(), 120);
    }
}
