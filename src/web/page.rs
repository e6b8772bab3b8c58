//! What every panel page needs: the signed-in user, the navigation, the CSRF
//! token and a one-time flash message. Extractors load it in one database
//! round trip.

use actix_session::{Session, SessionExt};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use chrono::NaiveDateTime;
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};

use crate::{
    actor::Actor,
    db::{accounts, models::BusinessCase},
    domain::{account::Role, time_zone::TimeZone},
    error::AppError,
    web::{
        csrf,
        session_store::{USER_ID, WHO},
        AppState,
    },
};

const ACCOUNT_ID: &str = "aid";
const FLASH: &str = "flash";

/// The signed-in, active user. Role and status are read from the database on
/// every request, so a role change or deactivation takes effect at once.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The zone the panel shows times in (UTC until one is set).
    pub time_zone: TimeZone,
    /// Whether the user has a zone yet; until then, the panel's script
    /// reports the browser's.
    pub time_zone_set: bool,
}

impl CurrentUser {
    pub fn is_manager(&self) -> bool {
        self.role.is_manager()
    }

    pub fn require_manager(&self) -> Result<(), AppError> {
        if self.is_manager() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The user as the actor of a service action.
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: self.account_id,
            user_id: self.id,
            name: self.name.clone(),
        }
    }

    /// Stores who is signed in; the caller renews the session id first.
    pub fn sign_in(session: &Session, user_id: i64, account_id: i64) -> Result<(), AppError> {
        session
            .insert(USER_ID, user_id)
            .and_then(|_| session.insert(ACCOUNT_ID, account_id))
            .map_err(|e| AppError::internal("session", e))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

pub fn flash(session: &Session, ok: bool, text: impl Into<String>) {
    let _ = session.insert(
        FLASH,
        Flash {
            ok,
            text: text.into(),
        },
    );
}

/// Everything the base layout shows.
#[derive(Debug, Clone)]
pub struct Page {
    pub user: CurrentUser,
    pub account_name: String,
    pub cases: Vec<BusinessCase>,
    /// The account's people (id and name, by name), for the pages that
    /// name them (the Conversations tab's agent filter).
    pub people: Vec<(i64, String)>,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// Which navigation entry is current.
    pub nav: &'static str,
    /// The business case whose pages are shown, if any.
    pub current_case: Option<i64>,
}

impl Page {
    pub fn at(mut self, nav: &'static str) -> Self {
        self.nav = nav;
        self
    }

    pub fn in_case(mut self, case_id: i64) -> Self {
        self.nav = "cases";
        self.current_case = Some(case_id);
        self
    }

    pub fn is_case(&self, case_id: &i64) -> bool {
        self.current_case == Some(*case_id)
    }

    /// A stored (UTC) time as the panel shows it, in the user's zone with
    /// the zone named: "2026-11-29 19:45 JST". Every time a panel page
    /// shows goes through this or the two below.
    pub fn time(&self, t: &NaiveDateTime) -> String {
        self.user.time_zone.show(t)
    }

    /// Date and time in the user's zone, for a column whose header names
    /// the zone ([`Page::zone`]): "2026-11-29 19:45".
    pub fn date_time(&self, t: &NaiveDateTime) -> String {
        self.user.time_zone.date_time(t)
    }

    /// The time of day in the user's zone: "19:45".
    pub fn clock(&self, t: &NaiveDateTime) -> String {
        self.user.time_zone.clock(t)
    }

    /// The user's zone by its IANA name, for column headers ("Started
    /// (Asia/Tokyo)") and the page's script.
    pub fn zone(&self) -> &'static str {
        self.user.time_zone.name()
    }
}

/// Who is signed in, as the session store read it with the session in
/// one query (`db::sessions::load_with_user`).
#[derive(Debug, Deserialize)]
struct Who {
    id: i64,
    account_id: i64,
    name: String,
    email: String,
    role: String,
    active: i64,
    time_zone: Option<String>,
    account: Option<String>,
    /// id, name, widget key, created at.
    cases: Vec<(i64, String, String, String)>,
    people: Vec<(i64, String)>,
}

/// A stored time as the databases' JSON gives it: SQLite's text, or
/// PostgreSQL's ISO form.
fn json_time(raw: &str) -> NaiveDateTime {
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .unwrap_or_default()
}

impl Who {
    fn into_parts(self) -> (CurrentUser, Nav) {
        // As `User::role`: anything unknown gets the lesser role.
        let role = Role::parse(&self.role).unwrap_or(Role::Agent);
        let cases = self
            .cases
            .into_iter()
            .map(|(id, name, widget_key, at)| BusinessCase {
                id,
                account_id: self.account_id,
                name,
                widget_key,
                created_at: json_time(&at),
            })
            .collect();
        let user = CurrentUser {
            id: self.id,
            account_id: self.account_id,
            name: self.name,
            email: self.email,
            role,
            time_zone: TimeZone::stored(self.time_zone.as_deref()),
            time_zone_set: self.time_zone.is_some(),
        };
        let nav = Nav {
            account_name: self.account.unwrap_or_default(),
            cases,
            people: self.people,
        };
        (user, nav)
    }
}

/// The navigation and the account's people, for the pages that show them.
#[derive(Debug, Clone, Default)]
struct Nav {
    account_name: String,
    cases: Vec<BusinessCase>,
    people: Vec<(i64, String)>,
}

/// Who the session store read with the session, when it is this user of
/// this account and active; `None` sends the caller to the database.
fn read_with_session(session: &Session, uid: i64, aid: i64) -> Option<Option<(CurrentUser, Nav)>> {
    let who: Who = session.get(WHO).ok().flatten()?;
    if who.id != uid || who.account_id != aid {
        return None;
    }
    if who.active == 0 {
        return Some(None);
    }
    Some(Some(who.into_parts()))
}

async fn load(req: &HttpRequest, with_nav: bool) -> Result<(CurrentUser, Option<Nav>), AppError> {
    let session = req.get_session();
    let next = if req.method() == actix_web::http::Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into())
    } else {
        "/".into()
    };
    let login = || AppError::LoginRequired { next: next.clone() };
    let uid: Option<i64> = session.get(USER_ID).ok().flatten();
    let aid: Option<i64> = session.get(ACCOUNT_ID).ok().flatten();
    let (Some(uid), Some(aid)) = (uid, aid) else {
        return Err(login());
    };
    let found = match read_with_session(&session, uid, aid) {
        Some(found) => found.map(|(user, nav)| (user, with_nav.then_some(nav))),
        None => read_user(req, uid, aid, with_nav).await?,
    };
    match found {
        Some(found) => Ok(found),
        None => {
            // Deactivated or removed: forget who this was, keep the session
            // usable for the sign-in form.
            session.clear();
            Err(login())
        }
    }
}

/// Who is signed in, read from the database (a session signed in during
/// this request, before the store read it with the user).
async fn read_user(
    req: &HttpRequest,
    uid: i64,
    aid: i64,
    with_nav: bool,
) -> Result<Option<(CurrentUser, Option<Nav>)>, AppError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))?
        .clone();
    let found = state
        .db
        .run(move |c| {
            let Some(user) = accounts::user(c, aid, uid)?.filter(|u| u.active) else {
                return Ok(None);
            };
            let nav = if with_nav {
                let account_name = accounts::account(c, aid)?
                    .map(|a| a.name)
                    .unwrap_or_default();
                let cases = accounts::cases(c, aid)?;
                let people = crate::db::reports::agents(c, aid)?;
                Some(Nav {
                    account_name,
                    cases,
                    people,
                })
            } else {
                None
            };
            Ok(Some((user, nav)))
        })
        .await?;
    Ok(found.map(|(u, nav)| {
        let user = CurrentUser {
            id: u.id,
            account_id: u.account_id,
            role: u.role(),
            time_zone: TimeZone::stored(u.time_zone.as_deref()),
            time_zone_set: u.time_zone.is_some(),
            name: u.name,
            email: u.email,
        };
        (user, nav)
    }))
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load(&req, false).await.map(|(u, _)| u) })
    }
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let (user, nav) = load(&req, true).await?;
            let Nav {
                account_name,
                cases,
                people,
            } = nav.unwrap_or_default();
            let session = req.get_session();
            // Only touch the session when there is a message: a removal
            // marks the session changed and rewrites its row.
            let flash = match session.get::<Flash>(FLASH) {
                Ok(Some(f)) => {
                    session.remove(FLASH);
                    Some(f)
                }
                _ => None,
            };
            Ok(Page {
                user,
                account_name,
                cases,
                people,
                csrf: csrf::token(&session),
                flash,
                nav: "",
                current_case: None,
            })
        })
    }
}
