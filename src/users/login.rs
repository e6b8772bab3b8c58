//! Signing in: the password check and the throttle around it.
//!
//! Every attempt is counted in advance, as a failure, in one locked
//! transaction with the limit check, so parallel guesses cannot all slip
//! under the limit. The password is then verified without holding a
//! database connection, and the count settled: a success clears the
//! user's failures and takes back its own count; a failure may have hit
//! the limit.

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};
use diesel::QueryResult;

use crate::{
    crypto::Keys,
    db::{accounts, lock, throttle, Db, DbConn},
    domain::{account::Email, clock::Clock, login_limit},
    error::AppError,
    passwords,
};

/// One sign-in attempt as typed, with the throttle buckets it counts in
/// (keyed hashes of the e-mail address and the client address).
pub struct Attempt {
    email: Option<Email>,
    password: String,
    user_bucket: String,
    ip_bucket: String,
}

impl Attempt {
    /// `email` is as typed, trimmed; one that does not parse never signs in
    /// but still counts.
    pub fn new(keys: &Keys, email: &str, ip: IpAddr, password: String) -> Self {
        Self {
            email: Email::parse(email).ok(),
            password,
            user_bucket: user_bucket(keys, email),
            ip_bucket: keys.throttle_key("ip", &ip.to_string()),
        }
    }
}

/// The throttle bucket of the user with e-mail address `email`: failed
/// sign-ins, and wrong passwords typed to confirm a change (My profile).
pub fn user_bucket(keys: &Keys, email: &str) -> String {
    keys.throttle_key("user", &email.to_lowercase())
}

/// How a password typed to confirm a change of one's own account ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    Right,
    Wrong,
    /// The user's bucket is at its limit: try again after this long.
    Limited(Duration),
}

/// Checks a password typed to confirm a change (My profile), in the
/// user's sign-in bucket (`user_bucket`): refused while the bucket is at
/// its limit, counted in advance as a failure, and taken back when
/// `check` (the slow password check, run on the blocking pool) says it is
/// right. So a stolen session guesses no faster than the sign-in page.
pub async fn confirm_password(
    db: &Db,
    bucket: String,
    now: NaiveDateTime,
    check: impl FnOnce() -> bool + Send + 'static,
) -> Result<Confirmed, AppError> {
    let b = bucket.clone();
    let reserved = db
        .write(move |c| -> QueryResult<Result<Vec<i64>, Duration>> {
            lock(c, "login", &b)?;
            if let Some(wait) = wait_in(c, login_limit::PER_USER, &b, now)? {
                return Ok(Err(wait));
            }
            Ok(Ok(throttle::record(c, &[b.as_str()], now)?))
        })
        .await??;
    let reserved = match reserved {
        Ok(ids) => ids,
        Err(wait) => return Ok(Confirmed::Limited(wait)),
    };
    if !actix_web::web::block(check).await? {
        return Ok(Confirmed::Wrong);
    }
    db.write(move |c| throttle::delete_ids(c, &reserved))
        .await??;
    Ok(Confirmed::Right)
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    SignedIn {
        user_id: i64,
        account_id: i64,
    },
    /// Wrong e-mail address or password, or an inactive user.
    Wrong,
    /// Refused by the throttle: try again after this long.
    Limited(Duration),
}

/// The user an e-mail address names, as far as signing in needs.
struct Candidate {
    user_id: i64,
    account_id: i64,
    password_hash: String,
    active: bool,
}

/// What the first step learnt: either the attempt is refused outright, or
/// it was counted in advance (as a failure, until the password proves
/// right).
enum Admitted {
    Limited(Duration),
    Counted {
        reserved: Vec<i64>,
        user: Option<Candidate>,
    },
}

/// Runs a whole attempt: admit and count it, verify the password on the
/// blocking pool, settle the count. Each step reads the time from `clock`.
pub async fn sign_in(db: &Db, clock: &Clock, attempt: Attempt) -> Result<Outcome, AppError> {
    let Attempt {
        email,
        password,
        user_bucket,
        ip_bucket,
    } = attempt;
    let buckets = (user_bucket, ip_bucket);
    let (ub, ib) = buckets.clone();
    let now = clock.now();
    let admitted = db
        .write(move |c| admit(c, &ub, &ib, email.as_ref(), now))
        .await??;
    let (reserved, user) = match admitted {
        Admitted::Limited(wait) => return Ok(Outcome::Limited(wait)),
        Admitted::Counted { reserved, user } => (reserved, user),
    };
    let signed_in = actix_web::web::block(move || verify(user, &password)).await?;
    let now = clock.now();
    let (ub, ib) = buckets;
    db.run(move |c| Ok(settle(c, &ub, &ib, &reserved, signed_in, now)?))
        .await
}

/// Checks the limits and counts this attempt. Call inside a write
/// transaction.
fn admit(
    c: &mut DbConn,
    user_bucket: &str,
    ip_bucket: &str,
    email: Option<&Email>,
    now: NaiveDateTime,
) -> QueryResult<Admitted> {
    lock(c, "login", user_bucket)?;
    lock(c, "login", ip_bucket)?;
    if let Some(wait) = wait_for(c, user_bucket, ip_bucket, now)? {
        return Ok(Admitted::Limited(wait));
    }
    let reserved = throttle::record(c, &[user_bucket, ip_bucket], now)?;
    let user = match email {
        Some(e) => accounts::user_by_email(c, e)?.map(|u| Candidate {
            user_id: u.id,
            account_id: u.account_id,
            password_hash: u.password_hash,
            active: u.active,
        }),
        None => None,
    };
    Ok(Admitted::Counted { reserved, user })
}

/// The password check (slow on purpose: call it on the blocking pool). An
/// unknown address costs the same time as a known one.
fn verify(user: Option<Candidate>, password: &str) -> Option<(i64, i64)> {
    match user {
        Some(u) => (passwords::verify(password, &u.password_hash) && u.active)
            .then_some((u.user_id, u.account_id)),
        None => {
            passwords::verify_dummy(password);
            None
        }
    }
}

/// Settles the count: a success clears the user's failures and takes back
/// this attempt (in a write transaction of its own); a failure may have
/// hit the limit.
fn settle(
    c: &mut DbConn,
    user_bucket: &str,
    ip_bucket: &str,
    reserved: &[i64],
    signed_in: Option<(i64, i64)>,
    now: NaiveDateTime,
) -> QueryResult<Outcome> {
    match signed_in {
        Some((user_id, account_id)) => {
            crate::db::write_tx(c, |c| {
                throttle::clear(c, user_bucket)?;
                throttle::delete_ids(c, reserved)
            })?;
            Ok(Outcome::SignedIn {
                user_id,
                account_id,
            })
        }
        None => Ok(wait_for(c, user_bucket, ip_bucket, now)?
            .map(Outcome::Limited)
            .unwrap_or(Outcome::Wrong)),
    }
}

/// How long the attempt must wait, if either bucket is at its limit.
fn wait_for(
    c: &mut DbConn,
    user_bucket: &str,
    ip_bucket: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Duration>> {
    let user = wait_in(c, login_limit::PER_USER, user_bucket, now)?;
    let address = wait_in(c, login_limit::PER_ADDRESS, ip_bucket, now)?;
    Ok(user.max(address))
}

/// How long `bucket` must wait under `limit`, if it is at it.
fn wait_in(
    c: &mut DbConn,
    limit: login_limit::LoginLimit,
    bucket: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Duration>> {
    let (count, oldest) = throttle::recent(c, bucket, limit.since(now))?;
    Ok(limit.retry_after(count, oldest, now))
}
