//! Prometheus metrics, served at `/metrics` (see `web::metrics`).
//!
//! Each [`Core`](crate::startup::Core) owns one [`Metrics`] with a registry
//! of its own (the `prometheus` crate, no global recorder): an instance
//! reports only what it saw, and the tests, which start many apps in one
//! process, read exact numbers from each app.
//!
//! Labels never carry an address, a visitor key, an id or a raw path: HTTP
//! requests are labelled by the matched route *pattern*
//! (`/cases/{id}/conversations`), gate decisions by a cause from a fixed
//! set of `&'static str`.

use std::time::Duration;

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web, Error,
};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use crate::{db::purge::Report, gate::Gate};

/// The route label of a request that matched no route (a 404 of the
/// catch-all), so unknown paths cannot grow the label set.
pub const UNMATCHED: &str = "unmatched";

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
    streams_open: IntGaugeVec,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    pool_waiting: IntGauge,
    purge_runs: IntCounterVec,
    purge_rows: IntCounterVec,
    gate_rules: IntGauge,
    gate_accounts: IntGauge,
    gate_rebuilds: IntCounter,
    gate_last_reload: IntGauge,
    gate_decisions: IntCounterVec,
}

/// What is read at scrape time rather than counted as it happens.
pub struct Snapshot<'a> {
    pub db: &'a crate::db::Db,
    pub gate: &'a Gate,
    /// Unix seconds of the last complete gate reload, 0 before the first.
    pub last_gate_reload: i64,
}

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace("chatgate")
}

impl Metrics {
    /// A fresh registry with every metric registered. Fails only on a
    /// programming error (a duplicate or invalid name).
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let m = Self {
            http_requests: IntCounterVec::new(
                opts(
                    "http_requests_total",
                    "HTTP requests by matched route pattern, method and status.",
                ),
                &["route", "method", "status"],
            )?,
            http_seconds: HistogramVec::new(
                HistogramOpts::from(opts(
                    "http_request_duration_seconds",
                    "Time to the response head, by matched route pattern and method.",
                )),
                &["route", "method"],
            )?,
            streams_open: IntGaugeVec::new(
                opts(
                    "event_streams_open",
                    "Open event streams (kind: visitor or agent).",
                ),
                &["kind"],
            )?,
            pool_connections: IntGauge::with_opts(opts(
                "db_pool_connections",
                "Database connections open in the pool (in use and idle).",
            ))?,
            pool_idle: IntGauge::with_opts(opts(
                "db_pool_idle_connections",
                "Idle database connections in the pool.",
            ))?,
            pool_waiting: IntGauge::with_opts(opts(
                "db_pool_waiting",
                "Requests waiting for a database connection from the pool.",
            ))?,
            purge_runs: IntCounterVec::new(
                opts(
                    "purge_runs_total",
                    "Privacy purge runs (outcome: ok or failed).",
                ),
                &["outcome"],
            )?,
            purge_rows: IntCounterVec::new(
                opts(
                    "purge_rows_total",
                    "Rows the privacy purge removed or erased, by kind.",
                ),
                &["kind"],
            )?,
            gate_rules: IntGauge::with_opts(opts(
                "gate_rules",
                "IP and subnet rules the visitor gate holds (all accounts).",
            ))?,
            gate_accounts: IntGauge::with_opts(opts(
                "gate_accounts",
                "Accounts whose rules the visitor gate holds.",
            ))?,
            gate_rebuilds: IntCounter::with_opts(opts(
                "gate_policy_rebuilds_total",
                "Account policies the gate rebuilt from the database.",
            ))?,
            gate_last_reload: IntGauge::with_opts(opts(
                "gate_last_reload_timestamp_seconds",
                "Unix time of the gate's last complete reload (0: not yet).",
            ))?,
            gate_decisions: IntCounterVec::new(
                opts("gate_decisions_total", "Visitor gate decisions by cause."),
                &["cause"],
            )?,
            registry,
        };
        m.register_all()?;
        Ok(m)
    }

    fn register_all(&self) -> prometheus::Result<()> {
        let r = &self.registry;
        r.register(Box::new(self.http_requests.clone()))?;
        r.register(Box::new(self.http_seconds.clone()))?;
        r.register(Box::new(self.streams_open.clone()))?;
        r.register(Box::new(self.pool_connections.clone()))?;
        r.register(Box::new(self.pool_idle.clone()))?;
        r.register(Box::new(self.pool_waiting.clone()))?;
        r.register(Box::new(self.purge_runs.clone()))?;
        r.register(Box::new(self.purge_rows.clone()))?;
        r.register(Box::new(self.gate_rules.clone()))?;
        r.register(Box::new(self.gate_accounts.clone()))?;
        r.register(Box::new(self.gate_rebuilds.clone()))?;
        r.register(Box::new(self.gate_last_reload.clone()))?;
        r.register(Box::new(self.gate_decisions.clone()))?;
        // Both kinds and both outcomes show from the start (at 0), so a
        // dashboard finds the series before the first stream or purge.
        for kind in ["visitor", "agent"] {
            self.streams_open.with_label_values(&[kind]);
        }
        for outcome in ["ok", "failed"] {
            self.purge_runs.with_label_values(&[outcome]);
        }
        Ok(())
    }

    /// One HTTP request answered.
    pub fn http_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let mut digits = [0u8; 5];
        self.http_requests
            .with_label_values(&[route, method, decimal(status, &mut digits)])
            .inc();
        self.http_seconds
            .with_label_values(&[route, method])
            .observe(took.as_secs_f64());
    }

    /// Counts an open event stream until the returned guard is dropped.
    pub fn stream_opened(&self, for_visitor: bool) -> StreamGuard {
        let gauge =
            self.streams_open
                .with_label_values(&[if for_visitor { "visitor" } else { "agent" }]);
        gauge.inc();
        StreamGuard(gauge)
    }

    /// One privacy purge run: its rows, or that it failed.
    pub fn purge_done(&self, report: Option<&Report>) {
        let Some(r) = report else {
            self.purge_runs.with_label_values(&["failed"]).inc();
            return;
        };
        self.purge_runs.with_label_values(&["ok"]).inc();
        for (kind, n) in [
            ("blocks_expired", r.blocks_expired),
            ("addresses_erased", r.addresses_erased),
            ("sessions", r.sessions),
            ("login_failures", r.login_failures),
            ("visit_records", r.visit_records),
            ("counters", r.counters),
        ] {
            self.purge_rows.with_label_values(&[kind]).inc_by(n as u64);
        }
    }

    /// How many purge runs have ended, either way.
    pub fn purge_runs(&self) -> u64 {
        ["ok", "failed"]
            .iter()
            .map(|o| self.purge_runs.with_label_values(&[o]).get())
            .sum()
    }

    /// One visitor gate decision. `cause` is the name of the decision's
    /// cause (allowed, ip_rule, block, country, website, not_ready…): a
    /// fixed word, never an address or a visitor key, hence `'static`.
    pub fn gate_decision(&self, cause: &'static str) {
        self.gate_decisions.with_label_values(&[cause]).inc();
    }

    /// The text exposition, after reading the pool and the gate.
    pub fn render(&self, now: Snapshot<'_>) -> Result<String, prometheus::Error> {
        let pool = now.db.pool_state();
        self.pool_connections.set(i64::from(pool.connections));
        self.pool_idle.set(i64::from(pool.idle_connections));
        self.pool_waiting.set(pool.waiting);
        let (accounts, rules) = gate_rules(now.gate);
        self.gate_accounts.set(accounts as i64);
        self.gate_rules.set(rules as i64);
        let rebuilds = now.gate.rebuilds();
        let seen = self.gate_rebuilds.get();
        if rebuilds > seen {
            self.gate_rebuilds.inc_by(rebuilds - seen);
        }
        self.gate_last_reload.set(now.last_gate_reload);
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// How many accounts the gate holds policies for, and their rules.
fn gate_rules(gate: &Gate) -> (usize, usize) {
    let accounts = gate.versions();
    let rules = accounts
        .keys()
        .filter_map(|a| gate.policy(*a))
        .map(|p| p.rule_count())
        .sum();
    (accounts.len(), rules)
}

/// Held by an open event stream; the gauge goes down when it is dropped.
pub struct StreamGuard(IntGauge);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl std::fmt::Debug for StreamGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamGuard")
    }
}

/// Middleware: counts every request by its matched route pattern (never
/// the raw path) and times it to the response head.
pub async fn http_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let start = std::time::Instant::now();
    let method = req.method().clone();
    let state = req.app_data::<web::Data<crate::web::AppState>>().cloned();
    let result = next.call(req).await;
    if let Some(state) = state {
        let (route, status) = match &result {
            Ok(res) => (route_of(res.request()), res.status().as_u16()),
            Err(e) => (
                UNMATCHED.to_owned(),
                e.as_response_error().status_code().as_u16(),
            ),
        };
        state
            .metrics
            .http_request(&route, method_label(&method), status, start.elapsed());
    }
    result
}

/// `n` in decimal, written into `buf` (no allocation per request).
fn decimal(mut n: u16, buf: &mut [u8; 5]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or_default()
}

/// The method, or "other" for one outside the standard set (a client may
/// send any token there).
fn method_label(m: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The matched route pattern, or [`UNMATCHED`].
fn route_of(req: &actix_web::HttpRequest) -> String {
    match req.match_pattern() {
        Some(p) if !p.is_empty() => p,
        _ => UNMATCHED.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_are_written_in_decimal() {
        let mut buf = [0u8; 5];
        for (n, text) in [
            (0, "0"),
            (7, "7"),
            (200, "200"),
            (404, "404"),
            (65535, "65535"),
        ] {
            assert_eq!(decimal(n, &mut buf), text);
        }
    }
}
