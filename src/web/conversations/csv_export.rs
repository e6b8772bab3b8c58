//! The streamed CSV export. Rows are read in batches by keyset (newest
//! first) and written as they come, so memory stays flat whatever the size.
//! The same filters as the list apply.

use actix_web::{http::header, web::Bytes, HttpResponse};
use chrono::NaiveDateTime;
use tokio::sync::mpsc;

use crate::{
    db::{models::BusinessCase, reports},
    domain::{
        block::BlockState,
        conversation_search::{Cursor, Filters, Key},
        spreadsheet::safe_cell,
    },
    web::AppState,
};

const BATCH: i64 = 2000;

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

/// Every time in UTC, ISO 8601 with its zone: `2026-11-29T08:05:00Z`,
/// appended to `out` (nothing for no time). Written from the time's fields:
/// a `format` pattern would be parsed again for every cell.
fn write_time(out: &mut String, t: Option<NaiveDateTime>) {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    if let Some(t) = t {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    }
}

/// The row's cells after the blocking reason: when the block ends or
/// ended, its state now, and who lifted it early.
fn block_cells(
    r: &reports::Row,
    now: NaiveDateTime,
) -> (Option<NaiveDateTime>, &'static str, &str) {
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

/// The batch as CSV. Each cell is written straight into the writer's
/// buffer; one scratch string holds the cell being formatted.
fn encode(
    rows: &[reports::Row],
    case: &str,
    header: bool,
    now: NaiveDateTime,
) -> Result<Bytes, csv::Error> {
    use std::fmt::Write;
    let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 160));
    if header {
        w.write_record(COLUMNS)?;
    }
    let case = safe_cell(case);
    let mut cell = String::with_capacity(32);
    for r in rows {
        let (ends, state, lifted_by) = block_cells(r, now);
        let mut field = |w: &mut csv::Writer<Vec<u8>>, f: &dyn Fn(&mut String)| {
            cell.clear();
            f(&mut cell);
            w.write_field(cell.as_bytes())
        };
        field(&mut w, &|c| {
            let _ = write!(c, "{}", r.id);
        })?;
        w.write_field(case.as_bytes())?;
        field(&mut w, &|c| write_time(c, Some(r.started_at)))?;
        field(&mut w, &|c| write_time(c, r.ended_at))?;
        w.write_field(safe_cell(r.agent.as_deref().unwrap_or("")).as_bytes())?;
        field(&mut w, &|c| {
            let _ = write!(c, "{}", r.message_count);
        })?;
        field(&mut w, &|c| {
            if let Some(n) = r.survey_rating {
                let _ = write!(c, "{n}");
            }
        })?;
        w.write_field(if r.was_blocked() {
            "Blocked"
        } else {
            "Not blocked"
        })?;
        w.write_field(safe_cell(r.block_reason.as_deref().unwrap_or("")).as_bytes())?;
        field(&mut w, &|c| write_time(c, r.blocked_at))?;
        field(&mut w, &|c| write_time(c, ends))?;
        w.write_field(state)?;
        w.write_field(safe_cell(lifted_by).as_bytes())?;
        w.write_record(None::<&[u8]>)?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| csv::Error::from(e.into_error()))
}

pub fn response(state: &AppState, case: BusinessCase, filters: Filters) -> HttpResponse {
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    let db = state.db.clone();
    let now = state.clock.now();
    let filename = format!(
        "conversations-{}-{}.csv",
        case.name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_lowercase(),
        filters.blocking.as_str()
    );
    let filters = std::sync::Arc::new(filters);
    let scope = (case.account_id, case.id);
    // The next batch is read while this one is encoded and sent: its
    // cursor is the last row read, known before encoding starts.
    let read = move |after: Cursor| {
        let (db, f) = (db.clone(), filters.clone());
        actix_web::rt::spawn(async move {
            db.run(move |c| Ok(reports::rows(c, scope, &f, now, after, BATCH)?))
                .await
        })
    };
    actix_web::rt::spawn(async move {
        let mut next = Some(read(Cursor::Newest));
        let mut first = true;
        while let Some(reading) = next.take() {
            let rows = match reading.await {
                Ok(Ok(rows)) => rows,
                Ok(Err(e)) => return tracing::error!(error = %e, "CSV export stopped"),
                Err(e) => return tracing::error!(error = %e, "CSV export stopped"),
            };
            if let Some(last) = rows.last().filter(|_| rows.len() as i64 == BATCH) {
                next = Some(read(Cursor::Older(Key {
                    started_at: last.started_at,
                    id: last.id,
                })));
            }
            let chunk = match encode(&rows, &case.name, first, now) {
                Ok(b) => b,
                Err(e) => return tracing::error!(error = %e, "CSV export stopped"),
            };
            first = false;
            if tx.send(chunk).await.is_err() {
                return; // the client went away
            }
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

    #[test]
    fn cells_are_neutralised_and_status_is_historical() {
        let t = chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc();
        let row = reports::Row {
            id: 7,
            started_at: t,
            ended_at: None,
            visitor_label: "Visitor 1".into(),
            status: "closed".into(),
            agent: Some("=cmd|' /C calc'!A0".into()),
            message_count: 3,
            survey_rating: Some(4),
            block_id: Some(1),
            blocked_at: Some(t),
            block_reason: Some("@SUM(1+1)".into()),
            block_until: Some(t),
            block_expires_at: Some(t),
            block_lifted_at: Some(t - chrono::Duration::hours(1)),
            block_lifted_by: Some("-Mallory".into()),
        };
        let out = String::from_utf8(encode(&[row], "+Sales", true, t).unwrap().to_vec()).unwrap();
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
        let mut out = String::new();
        write_time(&mut out, Some(at("0987-03-04 05:06:07")));
        assert_eq!(out, "0987-03-04T05:06:07Z");
        out.clear();
        write_time(&mut out, Some(at("2026-12-31 23:59:59")));
        assert_eq!(out, "2026-12-31T23:59:59Z");
        out.clear();
        write_time(&mut out, None);
        assert_eq!(out, "");
    }
}
