//! Where the bytes of chat files live. With SQLite (one instance) they lie
//! under random names in the data directory; with PostgreSQL they are kept
//! in the database, in chunks written in the transaction that records the
//! file, so that any instance serves any file. Handlers hold one [`Store`]
//! and never ask which it is.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use actix_web::web::Bytes;
use futures_util::{
    future,
    stream::{self, LocalBoxStream, StreamExt},
};

use super::files::Accepted;
use crate::{
    crypto::random_token,
    db::{self, models::StoredFile, Db, DbConn},
    domain::file_policy::{self, FilePolicy, Refusal},
    error::AppError,
};

/// The size of a file's chunks in the database: a download holds about one
/// at a time, never the whole file.
pub const CHUNK: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub enum Store {
    /// Files under random names in this directory (SQLite).
    Dir(PathBuf),
    /// Chunks in the database, written with the file's row (PostgreSQL).
    /// Files stored before the bytes moved into the database are still
    /// read from this instance's directory.
    Database { earlier: PathBuf },
}

/// A stored file's bytes, as they are read: `len` bytes in all.
pub struct Content {
    pub len: u64,
    pub body: LocalBoxStream<'static, Result<Bytes, AppError>>,
}

impl Store {
    /// The store of the database in use: the `files` folder of the data
    /// directory for SQLite, the database itself for PostgreSQL.
    pub fn for_db(db: &Db, data_dir: &Path) -> Self {
        if db.is_sqlite() {
            Store::Dir(data_dir.join("files"))
        } else {
            Store::Database {
                earlier: data_dir.join("files"),
            }
        }
    }

    /// Checks the bytes under `policy`; a refusal comes back with the
    /// file's name. A directory store writes a file that passes now, under
    /// a new random name; the database store keeps its bytes for
    /// [`super::files::attach`] to write with its row. Blocking: run it in
    /// `web::block`.
    pub fn check_and_write(
        &self,
        policy: &FilePolicy,
        name: String,
        bytes: Vec<u8>,
    ) -> std::io::Result<Result<Accepted, (String, Refusal)>> {
        let checked = match file_policy::check(policy, &name, &bytes) {
            Ok(c) => c,
            Err(refusal) => return Ok(Err((name, refusal))),
        };
        // The database store records a random name too; only the directory
        // uses it.
        let stored_name = random_token();
        let size = bytes.len();
        let pending = match self {
            Store::Dir(dir) => {
                std::fs::create_dir_all(dir)?;
                std::fs::write(dir.join(&stored_name), &bytes)?;
                None
            }
            Store::Database { .. } => Some(Arc::new(bytes)),
        };
        Ok(Ok(Accepted {
            name,
            stored_name,
            checked,
            size,
            pending,
        }))
    }

    /// Removes the bytes of a file whose record could not be stored. In the
    /// database there is nothing to do: they went with the transaction.
    pub fn discard(&self, file: &Accepted) {
        if let Store::Dir(dir) = self {
            let _ = std::fs::remove_file(dir.join(&file.stored_name));
        }
    }

    /// The bytes of `f`; `None` when they are gone. From the database they
    /// come one chunk (one query) at a time, as the client takes them.
    pub async fn read(&self, db: &Db, f: &StoredFile) -> Option<Content> {
        match self {
            Store::Dir(dir) => from_dir(dir, f).await,
            Store::Database { earlier } => match chunks(db, f).await {
                Some(c) => Some(c),
                // Stored in the data directory by an earlier version.
                None => from_dir(earlier, f).await,
            },
        }
    }
}

async fn from_dir(dir: &Path, f: &StoredFile) -> Option<Content> {
    let path = dir.join(&f.stored_name);
    let bytes = actix_web::web::block(move || std::fs::read(path))
        .await
        .ok()?
        .ok()?;
    Some(Content {
        len: bytes.len() as u64,
        body: stream::once(future::ready(Ok(Bytes::from(bytes)))).boxed_local(),
    })
}

/// Writes the bytes a database store kept for `file` as the chunks of the
/// file `file_id`. Call in the transaction that inserted the file.
pub fn write_pending(conn: &mut DbConn, file_id: i64, file: &Accepted) -> diesel::QueryResult<()> {
    match &file.pending {
        Some(bytes) => db::file_chunks::insert(conn, file_id, bytes, CHUNK),
        None => Ok(()),
    }
}

async fn chunk(db: &Db, (account, file): (i64, i64), n: i32) -> Result<Option<Bytes>, AppError> {
    let got = db
        .run(move |c| Ok(db::file_chunks::get(c, account, file, n)?))
        .await?;
    Ok(got.map(Bytes::from))
}

/// The file's chunks in order, fetched as the body is read, until its size
/// is reached. The first is fetched now: without it the bytes are gone.
async fn chunks(db: &Db, f: &StoredFile) -> Option<Content> {
    let key = (f.account_id, f.id);
    let len = u64::try_from(f.size_bytes).ok()?;
    let first = chunk(db, key, 0).await.ok()??;
    let db = db.clone();
    let sent = first.len() as u64;
    let rest = stream::unfold((1, sent), move |(n, sent)| {
        let db = db.clone();
        async move {
            if sent >= len {
                return None;
            }
            let next = match chunk(&db, key, n).await {
                Ok(Some(b)) => b,
                Ok(None) => return Some((Err(missing(n)), (n, len))),
                Err(e) => return Some((Err(e), (n, len))),
            };
            let sent = sent + next.len() as u64;
            Some((Ok(next), (n + 1, sent)))
        }
    });
    Some(Content {
        len,
        body: stream::once(future::ready(Ok(first)))
            .chain(rest)
            .boxed_local(),
    })
}

fn missing(n: i32) -> AppError {
    AppError::Internal(anyhow::anyhow!("chunk {n} of a stored file is missing"))
}
