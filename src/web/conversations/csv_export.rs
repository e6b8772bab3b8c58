//! The streamed CSV export. Rows are read in batches by keyset (newest
//! first) and written as they come, so memory stays flat whatever the size.
//! The same filters as the list apply.

use actix_web::{http::header, web::Bytes, HttpResponse};
use chrono::NaiveDateTime;
use tokio::sync::mpsc;

use crate::{
    db::{models::BusinessCase, reports},
    domain::{block::BlockState, conversation_search::Filters, spreadsheet::safe_cell},
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

/// Every time in UTC, ISO 8601 with its zone: `2026-11-29T08:05:00Z`.
fn time(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// When the block ends or ended, its state now, and who lifted it early.
fn block_columns(r: &reports::Row, now: NaiveDateTime) -> [String; 3] {
    match r.block_state(now) {
        None => Default::default(),
        Some(BlockState::Active { remaining }) => {
            [time(Some(now + remaining)), "Active".into(), String::new()]
        }
        Some(BlockState::Expired { at }) => [time(Some(at)), "Expired".into(), String::new()],
        Some(BlockState::Lifted { at, by }) => [
            time(Some(at)),
            "Lifted early".into(),
            safe_cell(&by).into_owned(),
        ],
    }
}

fn encode(
    rows: &[reports::Row],
    case: &str,
    header: bool,
    now: NaiveDateTime,
) -> Result<Bytes, csv::Error> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows.len() * 120));
    if header {
        w.write_record(COLUMNS)?;
    }
    for r in rows {
        let [ends, state, lifted_by] = block_columns(r, now);
        let fields = [
            r.id.to_string(),
            safe_cell(case).into_owned(),
            time(Some(r.started_at)),
            time(r.ended_at),
            safe_cell(r.agent.as_deref().unwrap_or("")).into_owned(),
            r.message_count.to_string(),
            r.survey_rating.map(|n| n.to_string()).unwrap_or_default(),
            if r.was_blocked() {
                "Blocked"
            } else {
                "Not blocked"
            }
            .to_owned(),
            safe_cell(r.block_reason.as_deref().unwrap_or("")).into_owned(),
            time(r.blocked_at),
            ends,
            state,
            lifted_by,
        ];
        w.write_record(&fields)?;
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
    actix_web::rt::spawn(async move {
        let mut after = None;
        let mut first = true;
        loop {
            let (aid, cid, f) = (case.account_id, case.id, filters.clone());
            let rows = match db
                .run(move |c| Ok(reports::rows(c, aid, cid, &f, now, after, 0, BATCH)?))
                .await
            {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::error!(error = %e, "CSV export stopped");
                    return;
                }
            };
            let chunk = match encode(&rows, &case.name, first, now) {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, "CSV export stopped");
                    return;
                }
            };
            first = false;
            if tx.send(chunk).await.is_err() {
                return; // the client went away
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == BATCH => {
                    after = Some((last.started_at, last.id))
                }
                _ => return,
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
    }
}
