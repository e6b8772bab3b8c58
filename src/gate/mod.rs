//! The visitor gate: may this visitor use this account's widget, here?
//!
//! The decision is made in memory on every widget request, from snapshots
//! that are swapped in atomically (`arc-swap`) whenever something changes,
//! so readers never wait and never see half a change:
//!
//! - the account's **policy** ([`policy::Policy`]): IP and subnet rules in a
//!   prefix trie per address family, the country policy and the website
//!   policy. Rebuilt for one account when its rules change here, and
//!   re-read every few seconds when another instance changed them;
//! - the **visitor blocks** made from chat windows: per account, a hash
//!   map from the visitor's network (opened once from the block's seal) to
//!   the block's end, and one from (account, keyed index of the visitor's
//!   browser) for the blocks that cover the browser too ([`blocks`]).
//!   Expiry is checked against the clock on each decision, so a block ends
//!   on time even before the next reload;
//! - the **country table** ([`country_table::CountryTable`]), decoded once
//!   at start-up from the MaxMind-format database.
//!
//! ## Precedence
//! The checks run in this order and the first refusal decides (it is the
//! reason the "Test a visitor" tool shows, and only an IP rule that refuses
//! counts a hit):
//! 1. the manager's **IP and subnet rules** (the most specific match);
//! 2. active **visitor blocks**: of the network, then of the browser the
//!    request names (when the account has blocks cover the browser);
//! 3. the **country policy** (an address with no known country counts as
//!    "Unknown location", which the manager can select like a country);
//! 4. the **website policy** on the page the widget is used on.
//!
//! Nothing allows past an earlier refusal: an allow-listed country or site
//! never lifts an IP rule or a visitor block.

mod blocks;
pub mod counters;
pub mod country_table;
mod flat;
pub mod flood;
mod hits;
pub mod load;
pub mod policy;
pub mod refusals;

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv6Addr},
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use arc_swap::ArcSwap;
use chrono::NaiveDateTime;
use ipnet::IpNet;

pub use load::reload;

use crate::{
    crypto::{IpIndexer, Keys},
    db::models::BusinessCase,
    domain::{
        access::Page,
        block::NetworkText,
        cause::Cause,
        country::CountryCode,
        flood::{FloodLimits, Sending},
        shield_policy::ShieldPolicy,
    },
};
use country_table::CountryTable;
use policy::Policy;

pub use blocks::{network_key, Blocks, BrowserIndex, Held, NetworkIndex, NetworkKey};

/// One widget request, as the gate sees it.
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a> {
    pub account_id: i64,
    pub ip: IpAddr,
    pub page: &'a Page,
    pub now: NaiveDateTime,
    /// The stored key of the visitor's cookie id, when the request names
    /// one (the frame and the requests after it; never the bootstrap).
    pub browser: Option<&'a str>,
}

/// Why the gate refused. The visitor is never told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    IpRule {
        id: i64,
        network: IpNet,
    },
    /// A block from a chat window: of the visitor's network, or (`browser`)
    /// of their browser, on any address.
    VisitorBlock {
        until: NaiveDateTime,
        browser: bool,
    },
    Country(Option<CountryCode>),
    Website,
}

/// What the gate decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Serve,
    Refuse(Reason),
}

impl Verdict {
    pub fn refused(&self) -> bool {
        matches!(self, Verdict::Refuse(_))
    }

    /// The cause the decision is counted under.
    pub fn cause(&self) -> crate::domain::cause::Cause {
        let reason = match self {
            Verdict::Serve => None,
            Verdict::Refuse(r) => Some(r),
        };
        counters::cause_of(reason).0
    }
}

/// Each account's policy, by account id, under a fast hash seeded per
/// process: it is looked up on every decision.
type Policies = HashMap<i64, Arc<Policy>, foldhash::fast::RandomState>;

pub struct Gate {
    /// Opens the networks of the blocks loaded.
    keys: Keys,
    indexer: IpIndexer,
    browser_indexer: IpIndexer,
    blocks: ArcSwap<Blocks>,
    policies: ArcSwap<Policies>,
    /// Policies swapped out whose hit counts are not yet flushed.
    retired: Mutex<Vec<(i64, Arc<Policy>)>>,
    countries: Arc<CountryTable>,
    cases: ArcSwap<HashMap<String, Arc<BusinessCase>>>,
    /// Reads of the blocks in force: how many were started, and which one
    /// the held snapshot came from. A read that finishes after a later one
    /// is stale and is dropped.
    block_reads: Mutex<(u64, u64)>,
    /// Set once every account's rules, the blocks and the cases have been
    /// read: until then the widget refuses everyone (no fail-open).
    ready: AtomicBool,
    /// How many policies were built from the database (not derived from
    /// the one held).
    rebuilds: AtomicU64,
    /// Refused widget requests not yet written.
    refusals: refusals::Tally,
    /// Page-view decisions by cause, not yet written.
    counters: counters::Tally,
    /// What each visitor network sent lately (flood control).
    flood: flood::Flood,
}

impl Gate {
    pub fn new(keys: &Keys, countries: Arc<CountryTable>) -> Self {
        Self {
            keys: keys.clone(),
            indexer: keys.ip_indexer(),
            browser_indexer: keys.browser_indexer(),
            blocks: ArcSwap::from_pointee(Blocks::default()),
            policies: ArcSwap::from_pointee(Policies::default()),
            retired: Mutex::new(Vec::new()),
            countries,
            cases: ArcSwap::from_pointee(HashMap::new()),
            block_reads: Mutex::new((0, 0)),
            ready: AtomicBool::new(false),
            rebuilds: AtomicU64::new(0),
            refusals: refusals::Tally::default(),
            counters: counters::Tally::default(),
            flood: flood::Flood::default(),
        }
    }

    /// Whether the gate holds every account's rules and blocks (after the
    /// first complete load). Before that no visitor may be served.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// How many policies were built in full from the database so far.
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    /// Marks the first complete load done.
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    /// The blind index a visitor address is looked up by.
    pub fn index_of(&self, ip: IpAddr) -> NetworkIndex {
        self.indexer.index(NetworkText::of(ip).as_str())
    }

    /// The blind index of a network the gate holds as [`network_key`]
    /// gives it: the same as [`Gate::index_of`] any address in it.
    pub fn index_of_network(&self, network: NetworkKey) -> NetworkIndex {
        self.index_of(IpAddr::V6(Ipv6Addr::from(network)).to_canonical())
    }

    /// Counts a refused widget request of the visitor at `ip` (and of
    /// `visitor_key`, when the request named one), by network; written by
    /// blind index (see `refusals`).
    pub fn count_refusal(&self, account_id: i64, ip: IpAddr, visitor_key: Option<&str>) {
        self.refusals
            .count(account_id, network_key(ip), visitor_key);
    }

    /// The refusals counted and not yet written.
    pub fn refusals(&self) -> &refusals::Tally {
        &self.refusals
    }

    pub fn replace_blocks(&self, blocks: Blocks) {
        self.blocks.store(Arc::new(blocks));
    }

    /// Call before reading the blocks in force from the database; hand the
    /// ticket to [`Gate::replace_blocks_read`] with what was read.
    pub fn block_read_ticket(&self) -> u64 {
        let mut reads = self.block_reads.lock().unwrap_or_else(|e| e.into_inner());
        reads.0 += 1;
        reads.0
    }

    /// Swaps in blocks read under `ticket`, unless a read started later has
    /// already been applied: of two reloads racing (two agents acting at
    /// once), the older snapshot never overwrites the newer one.
    pub fn replace_blocks_read(&self, ticket: u64, blocks: Blocks) -> bool {
        let mut reads = self.block_reads.lock().unwrap_or_else(|e| e.into_inner());
        if ticket <= reads.1 {
            return false;
        }
        reads.1 = ticket;
        self.blocks.store(Arc::new(blocks));
        true
    }

    /// Swaps in a new policy for one account, unless a newer one is held.
    pub fn set_policy(&self, account_id: i64, policy: Policy) {
        let policy = Arc::new(policy);
        let old = self.policies.rcu(|map| {
            let mut map = Policies::clone(map);
            match map.get(&account_id) {
                Some(held) if held.version > policy.version => {}
                _ => {
                    map.insert(account_id, policy.clone());
                }
            }
            map
        });
        if let Some(prev) = old.get(&account_id) {
            if let Ok(mut r) = self.retired.lock() {
                r.push((account_id, prev.clone()));
            }
        }
    }

    /// Swaps in a policy built from the database ([`Gate::set_policy`]).
    pub fn set_rebuilt(&self, account_id: i64, policy: Policy) {
        self.rebuilds.fetch_add(1, Ordering::Relaxed);
        self.set_policy(account_id, policy);
    }

    /// Applies a change made here to the account's policy without reading
    /// the rules back: `change` derives the policy at `version` from the
    /// one held at `version - 1`. Returns false when that is not possible
    /// (no policy held, a change from elsewhere in between, the small table
    /// full); the caller then rebuilds from the database.
    pub fn apply(
        &self,
        account_id: i64,
        version: i64,
        change: impl FnOnce(&Policy) -> Option<Policy>,
    ) -> bool {
        match self.policy(account_id) {
            Some(held) if held.version == version - 1 => match change(&held) {
                Some(p) => {
                    self.set_policy(account_id, p);
                    true
                }
                None => false,
            },
            _ => false,
        }
    }

    pub fn policy(&self, account_id: i64) -> Option<Arc<Policy>> {
        self.policies.load().get(&account_id).cloned()
    }

    /// The rule version each account's policy was built from.
    pub fn versions(&self) -> HashMap<i64, i64> {
        self.policies
            .load()
            .iter()
            .map(|(a, p)| (*a, p.version))
            .collect()
    }

    pub fn set_cases(&self, cases: HashMap<String, Arc<BusinessCase>>) {
        self.cases.store(Arc::new(cases));
    }

    /// A business case by widget key, from memory.
    pub fn case(&self, widget_key: &str) -> Option<Arc<BusinessCase>> {
        self.cases.load().get(widget_key).cloned()
    }

    pub fn country_of(&self, ip: IpAddr) -> Option<CountryCode> {
        self.countries.lookup(ip)
    }

    pub fn country_table(&self) -> &CountryTable {
        &self.countries
    }

    /// Flood control: may the visitor at `ip` send one more `what` to the
    /// account now? Under the account's limit (or with it off) this
    /// counts it; over it, the refusal is counted under the `flood` cause
    /// (keyed by what was sent). No database, no address kept.
    pub fn flood(
        &self,
        account_id: i64,
        ip: IpAddr,
        what: Sending,
        now: NaiveDateTime,
    ) -> flood::Check {
        // An account that never saved a rule holds no policy: its limits
        // are the defaults.
        let limits = self
            .policy(account_id)
            .map_or_else(FloodLimits::default, |p| p.flood);
        let Some(limit) = limits.of(what) else {
            return flood::Check::Allowed;
        };
        let net = self.index_of(ip);
        let ms = now.and_utc().timestamp_millis();
        let check = self.flood.check(account_id, &net, what, limit, ms);
        if check.refused() {
            let key = counters::Key::Sending(what);
            self.counters.count(account_id, now, Cause::Flood, key);
        }
        check
    }

    /// Forgets flood buckets and offences that no longer matter.
    pub fn sweep_flood(&self, now: NaiveDateTime) {
        self.flood.sweep(now.and_utc().timestamp_millis());
    }

    /// The account's offensive-language shield: the bundled default list
    /// for an account that never saved a rule (it holds no policy).
    pub fn shield(&self, account_id: i64) -> Arc<ShieldPolicy> {
        self.policy(account_id)
            .map_or_else(|| Arc::new(ShieldPolicy::default()), |p| p.shield.clone())
    }

    /// Decides without counting: for the stream guard and the test tool.
    pub fn decide(&self, v: &Visit<'_>) -> Verdict {
        self.judge(v, false)
    }

    /// Decides and counts a hit on the IP rule that refused, if any, and
    /// the decision by cause (once the gate is ready): for the request
    /// that shows the chat button (one per page view).
    pub fn admit(&self, v: &Visit<'_>) -> Verdict {
        let verdict = self.judge(v, true);
        if self.is_ready() {
            let reason = match &verdict {
                Verdict::Serve => None,
                Verdict::Refuse(r) => Some(r),
            };
            let (cause, key) = counters::cause_of(reason);
            self.counters.count(v.account_id, v.now, cause, key);
        }
        verdict
    }

    /// The page-view decisions counted and not yet written.
    pub fn counters(&self) -> &counters::Tally {
        &self.counters
    }

    /// The end of the visitor block covering the address, if one is in force.
    pub fn block_until(
        &self,
        account_id: i64,
        ip: IpAddr,
        now: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        self.blocks
            .load()
            .network_until(account_id, network_key(ip))
            .filter(|until| *until > now)
    }

    /// The keys the loader opens the blocks' networks with.
    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The blocks held now (the loader reuses the networks they opened).
    pub fn blocks(&self) -> Arc<Blocks> {
        self.blocks.load_full()
    }

    /// Whether any block in force covers a browser of the account: only
    /// then need a request name its visitor to the gate.
    pub fn blocks_browsers(&self, account_id: i64) -> bool {
        let blocks = self.blocks.load();
        !blocks.browsers.is_empty() && self.policy(account_id).is_some_and(|p| p.block_browser)
    }

    /// The end of the block covering the browser of `visitor_key`, if one
    /// is in force and the account has blocks cover browsers.
    pub fn browser_block_until(
        &self,
        account_id: i64,
        visitor_key: &str,
        now: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
        if !self.blocks_browsers(account_id) {
            return None;
        }
        let index = self.browser_indexer.index(visitor_key);
        self.blocks
            .load()
            .browsers
            .get(&(account_id, index))
            .copied()
            .filter(|until| *until > now)
    }

    fn judge(&self, v: &Visit<'_>, count: bool) -> Verdict {
        let policies = self.policies.load();
        let policy = policies.get(&v.account_id);
        if let Some(p) = policy {
            if let Some(m) = p.rule_for(v.ip) {
                if count {
                    p.count(&m);
                }
                return Verdict::Refuse(Reason::IpRule {
                    id: m.id,
                    network: m.network,
                });
            }
        }
        let blocks = self.blocks.load();
        if !blocks.is_empty() {
            let until = blocks.network_until(v.account_id, network_key(v.ip));
            if let Some(until) = until.filter(|until| *until > v.now) {
                return Verdict::Refuse(Reason::VisitorBlock {
                    until,
                    browser: false,
                });
            }
            let by_browser = v
                .browser
                .and_then(|key| self.browser_block_until(v.account_id, key, v.now));
            if let Some(until) = by_browser {
                return Verdict::Refuse(Reason::VisitorBlock {
                    until,
                    browser: true,
                });
            }
        }
        let Some(p) = policy else {
            return Verdict::Serve;
        };
        if p.countries.mode != crate::domain::access::ListMode::Off {
            let country = self.countries.lookup(v.ip);
            if p.countries.refuses(country) {
                return Verdict::Refuse(Reason::Country(country));
            }
        }
        if p.sites.refuses(v.page) {
            return Verdict::Refuse(Reason::Website);
        }
        Verdict::Serve
    }
}

#[cfg(test)]
mod tests;
