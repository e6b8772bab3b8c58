//! Server-Sent Event streams. A stream first sends what the database has
//! after the last event the client saw (`Last-Event-ID`, the per-conversation
//! sequence number), then waits for the hub and repeats. Sequence numbers
//! only grow, so nothing is sent twice and nothing is skipped.
//!
//! Streams do not poll the database. The hub hears of every change: from
//! this instance's writes, and from other instances through
//! [`crate::cluster`] (PostgreSQL notifications, and one safety poll per
//! instance). Only the agent console's list re-reads on a timer, as its
//! online visitors age. Visitors are kept online by the instance
//! ([`super::presence`]), not by each stream.

use std::{convert::Infallible, sync::Arc, time::Duration};

use actix_web::web::Bytes;
use futures_util::Stream;
use serde_json::json;
use tokio::sync::{broadcast::error::RecvError, mpsc};

use super::hub::{Hub, Notice, Watching};
use crate::{
    db::{chat, models::Event, notify, presence, visits, Db},
    domain::{
        chat::EventKind,
        clock::Clock,
        notice::{Kind, Notice as NoticeOut},
    },
    error::AppError,
};

/// A visitor watching for invitations and marked online while watching.
#[derive(Debug, Clone)]
pub struct Presence {
    pub case: crate::db::models::BusinessCase,
    pub visitor_key: String,
    pub label: String,
    pub page_url: Option<String>,
}

/// Ends a visitor's stream as soon as the gate refuses their address or
/// browser.
#[derive(Clone)]
pub struct Guard {
    pub gate: Arc<crate::gate::Gate>,
    pub ip: std::net::IpAddr,
    pub page: crate::domain::access::Page,
    /// The stored key of the visitor's browser.
    pub browser: Option<String>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Guard")
    }
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub account_id: i64,
    /// The conversation to follow and the last sequence number seen.
    pub conversation: Option<(i64, i64)>,
    /// Leave out agents-only events.
    pub for_visitor: bool,
    pub presence: Option<Presence>,
    /// Send `{"type":"refresh"}` whenever anything in the account changes
    /// (the agent console's list).
    pub refresh: bool,
    /// For visitor streams: the gate to consult before sending anything.
    pub guard: Option<Guard>,
}

/// The signed-in session an agent's stream belongs to. The stream ends as
/// soon as the session does (sign-out, deactivation, a role change, the
/// idle or absolute limit), on this instance or another.
#[derive(Clone)]
pub struct SessionCheck {
    /// Whether the session still holds, read from the database.
    pub check: Arc<SessionTest>,
}

pub type SessionTest = dyn Fn(&mut crate::db::DbConn) -> diesel::QueryResult<bool> + Send + Sync;

impl std::fmt::Debug for SessionCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCheck")
    }
}

const BATCH: i64 = 500;
/// How often a stream re-reads its session (changes made elsewhere, and
/// time limits).
const SESSION_CHECK: Duration = Duration::from_millis(500);
/// What the browser is told when the server stops: reconnect, to another
/// instance when there is one (`retry` covers browsers that do it natively).
const RECONNECT: &[u8] = b"retry: 500\ndata: {\"type\":\"reconnect\"}\n\n";
/// How often the agent console's list re-reads (online visitors age).
const LIST_POLL: Duration = Duration::from_secs(10);
const PING: Duration = Duration::from_secs(15);
/// Invitations older than this are not shown to a visitor who arrives later.
const INVITATION_TTL: i64 = 120;

pub fn event_json(e: &Event, for_visitor: bool) -> serde_json::Value {
    let mut body = serde_json::from_str::<serde_json::Value>(&e.body).unwrap_or_default();
    super::shield::view(&mut body, for_visitor);
    // A blocked visitor's share ends without a word on why, and visitors
    // are not told agents' ids.
    if for_visitor && e.kind.starts_with("screen_share_") {
        if let Some(o) = body.as_object_mut() {
            o.remove("by");
            o.remove("agent");
        }
    }
    json!({
        "type": "event",
        "seq": e.seq,
        "kind": e.kind,
        "author": e.author,
        "name": e.author_name,
        "body": body,
        "at": e.created_at.and_utc().to_rfc3339(),
    })
}

fn frame(id: Option<i64>, data: &serde_json::Value) -> Bytes {
    match id {
        Some(id) => Bytes::from(format!("id: {id}\ndata: {data}\n\n")),
        None => Bytes::from(format!("data: {data}\n\n")),
    }
}

/// What a stream reads: the database, the hub's notices and the clock.
#[derive(Clone)]
pub struct Sources {
    pub db: Db,
    pub hub: Arc<Hub>,
    pub clock: Arc<Clock>,
    /// Counts the stream as open while its body lives.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Opens the screen-share signals the streams carry.
    pub keys: Arc<crate::crypto::Keys>,
}

/// Starts the stream's task and returns its body.
pub fn open(src: Sources, spec: Spec) -> impl Stream<Item = Result<Bytes, Infallible>> {
    open_for(src, spec, None)
}

/// Starts a stream that also ends with its signed-in session, and returns
/// its body. Every stream ends with a "reconnect" event when the server
/// stops.
pub fn open_for(
    src: Sources,
    spec: Spec,
    session: Option<SessionCheck>,
) -> impl Stream<Item = Result<Bytes, Infallible>> {
    let (tx, rx) = mpsc::channel::<Bytes>(64);
    // Held by the body: dropped when the client goes (the server drops the
    // body) or the stream ends.
    let open = src.metrics.stream_opened(spec.for_visitor);
    let notices = src.hub.subscribe();
    let mut stopping = src.hub.watch_stopping();
    let sessions = src.hub.watch_sessions();
    actix_web::rt::spawn(async move {
        let watched = async {
            tokio::select! {
                r = run(&src, notices, spec, &tx) => r,
                r = session_lasts(&src.db, session, sessions) => match r {
                    // The console goes to the sign-in page.
                    Ok(()) => send(&tx, frame(None, &json!({ "type": "signed_out" }))).await,
                    Err(e) => Err(e),
                },
            }
        };
        let result = tokio::select! {
            r = watched => r,
            _ = stopping.wait_for(|s| *s) => {
                let _ = tx.send(Bytes::from_static(RECONNECT)).await;
                Ok(())
            }
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, "event stream ended");
        }
    });
    futures_util::stream::unfold((rx, open), |(mut rx, open)| async move {
        rx.recv().await.map(|b| (Ok(b), (rx, open)))
    })
}

#[derive(Debug, thiserror::Error)]
enum End {
    #[error("client gone")]
    Gone,
    #[error(transparent)]
    App(#[from] AppError),
}

/// Returns when the session has ended (never for streams without one).
async fn session_lasts(
    db: &Db,
    session: Option<SessionCheck>,
    mut changed: tokio::sync::watch::Receiver<u64>,
) -> Result<(), End> {
    let Some(session) = session else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(SESSION_CHECK);
    let mut hub_open = true;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            // A hub gone (never while serving) leaves the timer.
            r = changed.changed(), if hub_open => hub_open = r.is_ok(),
        }
        let check = session.check.clone();
        if !db.run(move |c| Ok(check(c)?)).await? {
            return Ok(());
        }
    }
}

/// Whether the conversation has ended, and whether by a block in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ConversationState {
    closed: bool,
    blocked: bool,
}

/// Tells an agent's console the conversation's state when it changed
/// (first on opening), so every open console closes the composer as soon
/// as the conversation ends, by a block from any agent included.
async fn send_state(
    src: &Sources,
    tx: &mpsc::Sender<Bytes>,
    account_id: i64,
    conv: i64,
    shown: Option<ConversationState>,
) -> Result<ConversationState, End> {
    let found = src
        .db
        .run(move |c| Ok(chat::for_account(c, account_id, conv)?))
        .await?;
    let Some(c) = found else {
        return Err(End::Gone);
    };
    let now = src.clock.now();
    let state = ConversationState {
        closed: c.is_closed(),
        blocked: c.block_until.is_some_and(|u| u > now),
    };
    if shown != Some(state) {
        let data = json!({ "type": "state", "closed": state.closed, "blocked": state.blocked });
        send(tx, frame(None, &data)).await?;
    }
    Ok(state)
}

async fn send(tx: &mpsc::Sender<Bytes>, b: Bytes) -> Result<(), End> {
    tx.send(b).await.map_err(|_| End::Gone)
}

/// Whether the gate now refuses the visitor of this stream; if so the
/// stream says "unavailable" (nothing more), and the visitor leaves the
/// consoles' Online visitors.
async fn refused(src: &Sources, spec: &Spec, tx: &mpsc::Sender<Bytes>) -> Result<bool, End> {
    let Some(g) = &spec.guard else {
        return Ok(false);
    };
    let now = src.clock.now();
    let visit = crate::gate::Visit {
        account_id: spec.account_id,
        ip: g.ip,
        page: &g.page,
        now,
        browser: g.browser.as_deref(),
    };
    if !g.gate.decide(&visit).refused() {
        return Ok(false);
    }
    send(tx, frame(None, &json!({ "type": "unavailable" }))).await?;
    if let Some(p) = &spec.presence {
        let (case, key) = (p.case.clone(), p.visitor_key.clone());
        src.db
            .write(move |c| presence::leave(c, &case, &key, now))
            .await?
            .map_err(AppError::from)?;
        src.hub.notify(Notice::new(spec.account_id, None));
    }
    Ok(true)
}

/// Sends the conversation's events after `after`; returns the last sent.
async fn send_events(
    src: &Sources,
    tx: &mpsc::Sender<Bytes>,
    conv: i64,
    mut after: i64,
    for_visitor: bool,
) -> Result<i64, End> {
    loop {
        let from = after;
        let events = src
            .db
            .run(move |c| Ok(chat::events_after(c, conv, from, for_visitor, BATCH)?))
            .await?;
        for e in &events {
            after = e.seq;
            let data = if e.kind == EventKind::ShareSignal.as_str() {
                // The other side's signals, opened; never one's own.
                match super::screen_share::view(&src.keys, e, for_visitor) {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                event_json(e, for_visitor)
            };
            send(tx, frame(Some(e.seq), &data)).await?;
        }
        if (events.len() as i64) < BATCH {
            return Ok(after);
        }
    }
}

/// Marks the stream's visitor as online now, on the page it reports: a
/// new page is added to the pages the consoles' sidebars show, and while
/// the visitor is in a conversation the consoles hear of it.
async fn touch(src: &Sources, p: Presence) -> Result<(), End> {
    let now = src.clock.now();
    let account_id = p.case.account_id;
    let moved = src
        .db
        .write(move |c| {
            let url = p.page_url.as_deref();
            chat::touch_visitor(c, &p.case, &p.visitor_key, &p.label, url, now)?;
            let Some(url) = url else { return Ok(false) };
            if !visits::record_page(c, account_id, &p.visitor_key, url, now)? {
                return Ok(false);
            }
            // Only a visitor in a conversation is shown with their page.
            let chatting = chat::latest_for_visitor(c, p.case.id, &p.visitor_key)?
                .is_some_and(|conv| !conv.is_closed());
            if chatting {
                notify::send(c, NoticeOut::new(account_id, Kind::List, 0, 0))?;
            }
            Ok::<_, diesel::result::Error>(chatting)
        })
        .await?
        .map_err(AppError::from)?;
    if moved {
        src.hub.notify(Notice::new(account_id, None));
    }
    Ok(())
}

/// Sends the visitor's invitations after the one numbered `after` and made
/// after `since`; returns the last sent.
async fn send_invitations(
    src: &Sources,
    tx: &mpsc::Sender<Bytes>,
    p: &Presence,
    mut after: i64,
    since: chrono::NaiveDateTime,
) -> Result<i64, End> {
    let (case_id, key, from) = (p.case.id, p.visitor_key.clone(), after);
    let invitations = src
        .db
        .run(move |c| Ok(chat::invitations_after(c, case_id, &key, from, since)?))
        .await?;
    for i in invitations {
        after = i.id;
        let data = json!({ "type": "invitation", "id": i.id, "agent": i.agent_name, "message": i.message });
        send(tx, frame(None, &data)).await?;
    }
    Ok(after)
}

async fn run(
    src: &Sources,
    mut notices: tokio::sync::broadcast::Receiver<Notice>,
    spec: Spec,
    tx: &mpsc::Sender<Bytes>,
) -> Result<(), End> {
    send(tx, Bytes::from_static(b"retry: 2000\n\n")).await?;
    let mut after = spec.conversation.map(|(_, a)| a).unwrap_or(0);
    let mut last_invitation = 0i64;
    // What the agent's console was last told of the conversation's state.
    let mut shown: Option<ConversationState> = None;
    let since = src.clock.now() - chrono::Duration::seconds(INVITATION_TTL);
    let mut poll = tokio::time::interval(LIST_POLL);
    let mut ping = tokio::time::interval(PING);
    let mut gate = src.hub.watch_gate();
    ping.reset();
    // The visitor is online while the stream is open (first marked now).
    let _here = match &spec.presence {
        Some(p) => {
            touch(src, p.clone()).await?;
            Some(src.hub.presence.arrive(p.case.id, &p.visitor_key))
        }
        None => None,
    };
    loop {
        if refused(src, &spec, tx).await? {
            return Ok(());
        }
        if let Some((conv, _)) = spec.conversation {
            let for_visitor = spec.for_visitor;
            let before = after;
            after = send_events(src, tx, conv, after, for_visitor).await?;
            if !for_visitor && (shown.is_none() || after != before) {
                shown = Some(send_state(src, tx, spec.account_id, conv, shown).await?);
            }
        }
        if let Some(p) = &spec.presence {
            last_invitation = send_invitations(src, tx, p, last_invitation, since).await?;
        }
        // Wait for something that concerns this stream.
        let watching = Watching {
            list: spec.refresh,
            invitations: spec.presence.is_some(),
            following: spec.conversation.map(|(c, _)| (c, after)),
        };
        loop {
            tokio::select! {
                n = notices.recv() => match n {
                    Ok(n) if n.concerns(spec.account_id, watching) => break,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return Ok(()),
                },
                _ = poll.tick(), if spec.refresh => break,
                r = gate.changed(), if spec.guard.is_some() => {
                    if r.is_err() || refused(src, &spec, tx).await? {
                        return Ok(());
                    }
                }
                _ = ping.tick() => send(tx, Bytes::from_static(b": ping\n\n")).await?,
                _ = tx.closed() => return Ok(()),
            }
        }
        if spec.refresh {
            send(tx, frame(None, &json!({ "type": "refresh" }))).await?;
        }
    }
}
