//! The bytes of chat files in the database (PostgreSQL): the chunks of one
//! file, written in the transaction that records the file and read back one
//! at a time. They go with the file's row, and so with its conversation
//! (`ON DELETE CASCADE`).

use diesel::prelude::*;

use super::{
    schema::{file_chunks, files},
    DbConn,
};

/// Writes `bytes` as the chunks of the file `file_id`, `size` bytes each
/// (the last one shorter). Call inside the write transaction that inserted
/// the file, so that the file and all its bytes are kept, or nothing.
pub fn insert(conn: &mut DbConn, file_id: i64, bytes: &[u8], size: usize) -> QueryResult<()> {
    for (n, chunk) in bytes.chunks(size.max(1)).enumerate() {
        let n =
            i32::try_from(n).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        diesel::insert_into(file_chunks::table)
            .values((
                file_chunks::file_id.eq(file_id),
                file_chunks::n.eq(n),
                file_chunks::bytes.eq(chunk),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The chunk `n` of the account's file `file_id`; `None` when there is no
/// such chunk.
pub fn get(
    conn: &mut DbConn,
    account_id: i64,
    file_id: i64,
    n: i32,
) -> QueryResult<Option<Vec<u8>>> {
    file_chunks::table
        .inner_join(files::table)
        .filter(files::account_id.eq(account_id))
        .filter(file_chunks::file_id.eq(file_id))
        .filter(file_chunks::n.eq(n))
        .select(file_chunks::bytes)
        .first(conn)
        .optional()
}
