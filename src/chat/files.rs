//! Files sent in a conversation: checked against the chat's file policy,
//! stored (see [`super::file_store`]), recorded with their original name,
//! category and preview type, and announced as an event. A refused visitor
//! file becomes an agents-only note instead.

use std::{net::IpAddr, sync::Arc};

use chrono::NaiveDateTime;

use crate::domain::language::Lang;
use serde_json::json;

use super::service::{self, ChatError, VisitorMessage, VisitorRef};
use crate::{
    chat::file_store,
    crypto::{random_token, Keys},
    db::{
        chat::{self, NewEvent, NewFile},
        models::{Conversation, Event},
        DbConn,
    },
    domain::{
        chat::{Author, EventKind, MessageText},
        file_policy::{Checked, Refusal},
    },
};

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

/// A file that passed the check, its bytes in the store or on their way.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub name: String,
    pub stored_name: String,
    pub checked: Checked,
    pub size: usize,
    /// Bytes that [`attach`] writes with the file's row (the database
    /// store); `None` when they are written already (the data directory).
    pub pending: Option<Arc<Vec<u8>>>,
}

/// Records a stored file in the conversation, with its bytes when the
/// store keeps them in the database. Call inside a write transaction; on
/// error the caller discards the written bytes.
pub fn attach(
    conn: &mut DbConn,
    conv: &Conversation,
    author: Author,
    author_name: &str,
    file: &Accepted,
    now: NaiveDateTime,
) -> Result<Event, ChatError> {
    if conv.is_closed() {
        return Err(ChatError::Conflict(super::service::CLOSED));
    }
    let public_id = random_token();
    let name = display_name(&file.name);
    let c = &file.checked;
    let id = chat::insert_file(
        conn,
        &NewFile {
            account_id: conv.account_id,
            conversation_id: conv.id,
            public_id: &public_id,
            stored_name: &file.stored_name,
            original_name: &name,
            content_type: c.mime,
            size: file.size as i64,
            uploaded_by: author,
            category: c.category.key(),
            preview_type: c.preview.map(|k| k.mime()),
            now,
        },
    )?;
    file_store::write_pending(conn, id, file)?;
    Ok(chat::append(
        conn,
        NewEvent {
            conversation_id: conv.id,
            kind: EventKind::File,
            author,
            name: author_name,
            body: json!({
                "file": public_id, "name": name, "size": file.size, "type": c.mime,
                "category": c.category.key(), "preview": c.preview.is_some(),
            }),
            at: now,
        },
    )?)
}

/// The agents-only line about a visitor's file that was refused. Call
/// inside a write transaction, for an open conversation.
pub fn note_refusal(
    conn: &mut DbConn,
    conv: &Conversation,
    original: &str,
    refusal: &Refusal,
    now: NaiveDateTime,
) -> Result<Event, ChatError> {
    let name = display_name(original);
    let text = format!("A file from the visitor was refused: {name} ({refusal})");
    Ok(chat::append(
        conn,
        NewEvent {
            conversation_id: conv.id,
            kind: EventKind::Note,
            author: Author::System,
            name: "chatgate",
            body: json!({ "text": text, "refused": name }),
            at: now,
        },
    )?)
}

/// The line a file that starts a chat stands behind, as the agents read
/// it; the visitor's frame shows it in their language (`sent-a-file`).
pub const FILE_STARTED: &str = "(sent a file)";

/// A visitor's file that passed the check, and where it goes: the
/// conversation named, else the visitor's open one in the case.
#[derive(Debug, Clone, Copy)]
pub struct VisitorFile<'a> {
    pub conversation: Option<&'a str>,
    pub ip: IpAddr,
    pub file: &'a Accepted,
    /// The visitor's widget language, kept if the file starts a chat.
    pub lang: Option<Lang>,
}

/// The visitor sends a checked and written file. Without a conversation
/// of theirs open, the file starts one, like a message. On error the
/// caller discards the written bytes.
pub fn visitor_file(
    conn: &mut DbConn,
    keys: &Keys,
    v: VisitorRef<'_>,
    f: VisitorFile<'_>,
    now: NaiveDateTime,
) -> Result<(Conversation, Event), ChatError> {
    let conv = match f.conversation {
        Some(id) => service::visitor_conversation(conn, v, id)?,
        None => match service::open_conversation(conn, v)? {
            Some(conv) => conv,
            None => {
                let text = MessageText::parse(FILE_STARTED)?;
                let m = VisitorMessage {
                    conversation: None,
                    ip: f.ip,
                    page_url: None,
                    text: &text,
                    // A file that starts a chat counts against the file
                    // limit, checked before it was read.
                    may_start: &|| true,
                    shielded: None,
                    lang: f.lang,
                };
                service::visitor_message(conn, keys, v, m, now)?.0
            }
        },
    };
    let e = attach(
        conn,
        &conv,
        Author::Visitor,
        &conv.visitor_label,
        f.file,
        now,
    )?;
    Ok((conv, e))
}

/// A visitor's file was refused: noted for the agents in the conversation
/// named when it is the visitor's and open, else in the visitor's open one
/// in the case. A refused file never starts a conversation. Returns the
/// conversation noted in.
pub fn visitor_refusal(
    conn: &mut DbConn,
    v: VisitorRef<'_>,
    conversation: Option<&str>,
    (original, refusal): (&str, &Refusal),
    now: NaiveDateTime,
) -> Result<Option<i64>, ChatError> {
    match service::named_or_open(conn, v, conversation)? {
        Some(conv) => note_refusal(conn, &conv, original, refusal, now).map(|_| Some(conv.id)),
        None => Ok(None),
    }
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
