//! The streamed CSV export. Rows are read in batches by keyset (newest
//! first) and written as they come, so memory stays flat whatever the size.
//! The same filters as the list apply.

use std::sync::Arc;

use actix_web::{http::header, web::Bytes, HttpResponse};
use chrono::NaiveDateTime;
use tokio::sync::mpsc;

use crate::{
    db::{
        models::BusinessCase,
        reports::export::{self, Exported},
        Db,
    },
    domain::{
        block::BlockState, conversation_search::Filters, conversation_search::Key, iso_time,
        spreadsheet::safe_cell,
    },
    error::AppError,
    web::AppState,
};

/// Rows a keyset read brings (SQLite, and searches).
const BATCH: i64 = 2000;
/// Bytes of CSV sent at a time when the rows are streamed.
const CHUNK: usize = 128 * 1024;

pub const COLUMNS: [&str; 13] = [
    "id",
    "business case",
    "started at",
    "ended at",
    "agent",
    "message count",
    "survey rating",
    "blocking status",
    "blocking reason",
    "blocked at",
    "block ends at",
    "block state",
    "block lifted by",
];

/// Appends a cell, quoted as the `csv` crate quotes (only when it holds a
/// comma, a quote or a line break, with its quotes doubled).
fn push_cell(out: &mut Vec<u8>, cell: &[u8]) {
    if !cell
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(cell);
        return;
    }
    out.push(b'"');
    for part in cell.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Appends a cell of text a person wrote, neutralised for spreadsheets.
fn push_text(out: &mut Vec<u8>, text: &str) {
    push_cell(out, safe_cell(text).as_bytes());
}

fn push_int(out: &mut Vec<u8>, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

/// Every time in UTC, ISO 8601 with its zone: `2026-11-29T08:05:00Z`
/// (nothing for no time).
fn push_time(out: &mut Vec<u8>, t: Option<NaiveDateTime>) {
    if let Some(t) = t {
        iso_time::write_iso(out, t);
    }
}

/// The row's cells after the blocking reason: when the block ends or
/// ended, its state now, and who lifted it early.
fn block_cells(r: &Exported, now: NaiveDateTime) -> (Option<NaiveDateTime>, &'static str, &str) {
    match r.block_state(now) {
        None => (None, "", ""),
        Some(BlockState::Active { remaining }) => (Some(now + remaining), "Active", ""),
        Some(BlockState::Expired { at }) => (Some(at), "Expired", ""),
        Some(BlockState::Lifted { at, .. }) => (
            Some(at),
            "Lifted early",
            r.block_lifted_by.as_deref().unwrap_or(""),
        ),
    }
}

/// Appends the header row.
fn push_header(out: &mut Vec<u8>) {
    for (i, name) in COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_cell(out, name.as_bytes());
    }
    out.push(b'\n');
}

/// Appends one row. `case` is the case's cell, already encoded.
fn push_row(out: &mut Vec<u8>, r: &Exported, case: &[u8], now: NaiveDateTime) {
    let (ends, state, lifted_by) = block_cells(r, now);
    push_int(out, r.id);
    out.push(b',');
    out.extend_from_slice(case);
    out.push(b',');
    push_time(out, Some(r.started_at.0));
    out.push(b',');
    push_time(out, r.ended_at.map(|t| t.0));
    out.push(b',');
    push_text(out, r.agent.as_deref().unwrap_or(""));
    out.push(b',');
    push_int(out, r.message_count.into());
    out.push(b',');
    if let Some(n) = r.survey_rating {
        push_int(out, n.into());
    }
    out.push(b',');
    out.extend_from_slice(if r.was_blocked() {
        b"Blocked,"
    } else {
        b"Not blocked,"
    });
    push_text(out, r.block_reason.as_deref().unwrap_or(""));
    out.push(b',');
    push_time(out, r.blocked_at.map(|t| t.0));
    out.push(b',');
    push_time(out, ends);
    out.push(b',');
    out.extend_from_slice(state.as_bytes());
    out.push(b',');
    push_text(out, lifted_by);
    out.push(b'\n');
}

/// The case's cell, encoded once for every row.
fn case_cell(case: &str) -> Vec<u8> {
    let mut out = Vec::new();
    push_text(&mut out, case);
    out
}

/// The batch as CSV (after the header when `header`), appended to `out`.
fn encode(out: &mut Vec<u8>, rows: &[Exported], case: &[u8], header: bool, now: NaiveDateTime) {
    if header {
        push_header(out);
    }
    for r in rows {
        push_row(out, r, case, now);
    }
}

/// What the export needs from the request, shared by its reads.
struct Job {
    db: Db,
    scope: (i64, i64),
    filters: Arc<Filters>,
    now: NaiveDateTime,
    /// The case's cell, encoded once.
    case: Arc<Vec<u8>>,
}

/// On PostgreSQL without search words: one query, streamed, each row
/// encoded as it arrives and sent a chunk at a time. `false` when the
/// database reads this export in batches instead (nothing was sent).
async fn streamed(job: &Job, tx: &mpsc::Sender<Bytes>) -> Result<bool, AppError> {
    let (scope, f, now, case, tx) = (
        job.scope,
        job.filters.clone(),
        job.now,
        job.case.clone(),
        tx.clone(),
    );
    job.db
        .run(move |c| {
            let mut out = Vec::with_capacity(CHUNK + 1024);
            push_header(&mut out);
            let mut open = true;
            let streamed = export::stream(c, scope, &f, now, |r| {
                push_row(&mut out, &r, &case, now);
                if out.len() >= CHUNK {
                    open = tx.blocking_send(Bytes::copy_from_slice(&out)).is_ok();
                    out.clear();
                }
                open // false: the client went away
            })?;
            if streamed && open {
                let _ = tx.blocking_send(Bytes::copy_from_slice(&out));
            }
            Ok(streamed)
        })
        .await
}

/// Elsewhere: keyset batches, the next read while this one is encoded
/// and sent (its cursor is the last row read, known before encoding).
async fn batched(job: &Job, tx: &mpsc::Sender<Bytes>) -> Result<(), AppError> {
    let read = |after: Option<Key>| {
        let (db, scope, f, now) = (job.db.clone(), job.scope, job.filters.clone(), job.now);
        actix_web::rt::spawn(async move {
            db.run(move |c| Ok(export::rows(c, scope, &f, now, after, BATCH)?))
                .await
        })
    };
    let mut out = Vec::new();
    let mut next = Some(read(None));
    let mut first = true;
    while let Some(reading) = next.take() {
        let rows = reading
            .await
            .map_err(|e| AppError::internal("reading the CSV export", e))??;
        if let Some(last) = rows.last().filter(|_| rows.len() as i64 == BATCH) {
            next = Some(read(Some(Key {
                started_at: last.started_at.0,
                id: last.id,
            })));
        }
        encode(&mut out, &rows, &job.case, first, job.now);
        first = false;
        let chunk = Bytes::copy_from_slice(&out);
        out.clear();
        if tx.send(chunk).await.is_err() {
            return Ok(()); // the client went away
        }
    }
    Ok(())
}

pub fn response(state: &AppState, case: BusinessCase, filters: Filters) -> HttpResponse {
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    let filename = format!(
        "conversations-{}-{}.csv",
        case.name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase(),
        filters.blocking.as_str()
    );
    let job = Job {
        db: state.db.clone(),
        scope: (case.account_id, case.id),
        filters: Arc::new(filters),
        now: state.clock.now(),
        case: Arc::new(case_cell(&case.name)),
    };
    actix_web::rt::spawn(async move {
        let done = match streamed(&job, &tx).await {
            Ok(true) => Ok(()),
            Ok(false) => batched(&job, &tx).await,
            Err(e) => Err(e),
        };
        if let Err(e) = done {
            tracing::error!(error = %e, "CSV export stopped");
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::reports::export::At;
    use proptest::prelude::*;

    fn csv_of(rows: &[Exported], case: &str, now: NaiveDateTime) -> String {
        let mut out = Vec::new();
        encode(&mut out, rows, &case_cell(case), true, now);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cells_are_neutralised_and_status_is_historical() {
        let t = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let row = Exported {
            id: 7,
            started_at: At(t),
            ended_at: None,
            agent: Some("=cmd|' /C calc'!A0".into()),
            message_count: 3,
            survey_rating: Some(4),
            block_id: Some(1),
            blocked_at: Some(At(t)),
            block_reason: Some("@SUM(1+1)".into()),
            block_until: Some(At(t)),
            block_expires_at: Some(At(t)),
            block_lifted_at: Some(At(t - chrono::Duration::hours(1))),
            block_lifted_by: Some("-Mallory".into()),
        };
        let out = csv_of(&[row], "+Sales", t);
        let mut lines = out.lines();
        assert_eq!(lines.next().unwrap(), COLUMNS.join(","));
        let line = lines.next().unwrap();
        assert!(line.contains("'+Sales"), "{line}");
        assert!(line.contains("'=cmd"), "{line}");
        assert!(line.contains("'@SUM(1+1)"), "{line}");
        assert!(
            line.contains(",Blocked,"),
            "an ended block still reads Blocked: {line}"
        );
        assert!(
            line.contains("2027-01-15T07:00:00Z"),
            "ISO 8601 UTC: {line}"
        );
        assert!(line.ends_with(",Lifted early,'-Mallory"), "{line}");
        assert_eq!(
            line,
            "7,'+Sales,2027-01-15T08:00:00Z,,'=cmd|' /C calc'!A0,3,4,Blocked,'@SUM(1+1),\
             2027-01-15T08:00:00Z,2027-01-15T07:00:00Z,Lifted early,'-Mallory"
        );
    }

    #[test]
    fn times_are_iso_8601_utc_with_padding_and_empty_when_absent() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        let mut out = Vec::new();
        push_time(&mut out, Some(at("0987-03-04 05:06:07")));
        assert_eq!(out, b"0987-03-04T05:06:07Z");
        out.clear();
        push_time(&mut out, Some(at("2026-12-31 23:59:59")));
        assert_eq!(out, b"2026-12-31T23:59:59Z");
        out.clear();
        push_time(&mut out, None);
        assert_eq!(out, b"");
    }

    /// The export as the `csv` crate wrote it before it was encoded by
    /// hand: the same bytes for any text in any cell.
    fn with_csv_crate(r: &Exported, case: &str, now: NaiveDateTime) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let (ends, state, lifted_by) = block_cells(r, now);
        let time = |t: Option<NaiveDateTime>| {
            t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default()
        };
        let text = |t: Option<&str>| safe_cell(t.unwrap_or("")).into_owned();
        w.write_record([
            r.id.to_string(),
            text(Some(case)),
            time(Some(r.started_at.0)),
            time(r.ended_at.map(|t| t.0)),
            text(r.agent.as_deref()),
            r.message_count.to_string(),
            r.survey_rating.map(|n| n.to_string()).unwrap_or_default(),
            (if r.was_blocked() {
                "Blocked"
            } else {
                "Not blocked"
            })
            .into(),
            text(r.block_reason.as_deref()),
            time(r.blocked_at.map(|t| t.0)),
            time(ends),
            state.into(),
            text(Some(lifted_by)),
        ])
        .unwrap();
        w.into_inner().unwrap()
    }

    proptest! {
        #[test]
        fn encodes_as_the_csv_crate(
            id in any::<i64>(),
            count in any::<i32>(),
            rating in proptest::option::of(any::<i32>()),
            case in "[=+@\t\r,\"\n a-z-]{0,6}",
            agent in proptest::option::of("[=+@\t\r,\"\n a-zé-]{0,8}"),
            reason in proptest::option::of("\\PC{0,12}"),
            lifted_by in proptest::option::of("[=+@\t\r,\"\n a-z-]{0,6}"),
            secs in 0i64..4_000_000_000,
            state in 0u8..4,
        ) {
            let t = chrono::DateTime::from_timestamp(secs, 7).unwrap().naive_utc();
            let hour = chrono::Duration::hours(1);
            let row = Exported {
                id,
                started_at: At(t),
                ended_at: (secs % 2 == 0).then_some(At(t + hour)),
                agent,
                message_count: count,
                survey_rating: rating,
                block_id: (state > 0).then_some(1),
                blocked_at: (state > 0).then_some(At(t)),
                block_reason: reason,
                block_until: (state > 0).then_some(At(t + hour * 24)),
                block_expires_at: (state > 1).then_some(At(t + hour * 48)),
                block_lifted_at: (state > 2).then_some(At(t + hour)),
                block_lifted_by: lifted_by,
            };
            let now = t + hour * 30;
            let mut out = Vec::new();
            encode(&mut out, std::slice::from_ref(&row), &case_cell(&case), false, now);
            prop_assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(with_csv_crate(&row, &case, now)).unwrap()
            );
        }
    }

    #[test]
    fn the_header_is_the_columns() {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(COLUMNS).unwrap();
        let mut out = Vec::new();
        push_header(&mut out);
        assert_eq!(out, w.into_inner().unwrap());
    }
}
