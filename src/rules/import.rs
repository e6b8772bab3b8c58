//! Importing a list of IP and subnet rules, and the report of what it did.

use chrono::NaiveDateTime;

use super::{plural, Actor, Change, GateChange, RulesError};
use crate::{
    db::{self, audit, rules::ImportLine, DbConn},
    domain::{
        ip_rule::parse_list,
        refused_line::{Refusal, RefusedLine},
    },
};

/// A line of the report: its number, its text and why it is listed.
pub type ReportLine = (usize, String, String);

/// What an import did: how many rules it added, the lines refused (to
/// correct) and the lines with nothing to do (already on the list, or a
/// repeat of an earlier line; the first `SHOWN` of them are listed).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    pub accepted: usize,
    pub already: usize,
    pub refused: Vec<ReportLine>,
    pub skipped: Vec<ReportLine>,
    pub skipped_total: usize,
}

impl ImportReport {
    /// How many lines of each kind the report lists; the box below keeps
    /// every refused line whatever their number.
    const SHOWN: usize = 500;

    /// A report refusing the whole list, for `why`.
    pub fn whole_list_refused(why: String) -> Self {
        Self {
            refused: vec![(0, String::new(), why)],
            ..Self::default()
        }
    }

    /// Counts a line with nothing to do. Lines come from the parser and the
    /// database in two runs, so the first `SHOWN` by line number are chosen
    /// by `keep_first_skipped`; this keeps at most twice that meanwhile.
    fn skip(&mut self, line: usize, text: String, why: String) {
        self.skipped_total += 1;
        self.skipped.push((line, text, why));
        if self.skipped.len() >= 2 * Self::SHOWN {
            self.keep_first_skipped();
        }
    }

    /// Keeps the first `SHOWN` skipped lines by line number, in order.
    fn keep_first_skipped(&mut self) {
        self.skipped.sort_by_key(|r| r.0);
        self.skipped.truncate(Self::SHOWN);
    }

    pub fn refused_shown(&self) -> &[ReportLine] {
        &self.refused[..self.refused.len().min(Self::SHOWN)]
    }

    /// A refusal of the whole list (such as an empty one), not of a line.
    pub fn whole_list(&self) -> Option<&str> {
        match self.refused.as_slice() {
            [(0, _, why)] => Some(why),
            _ => None,
        }
    }

    /// Whether every line was imported: nothing to correct or to report.
    pub fn is_clean(&self) -> bool {
        self.refused.is_empty() && self.skipped_total == 0
    }

    /// The refused lines of `list` as typed, one per line: what is left to
    /// correct.
    pub fn left_to_correct(&self, list: &str) -> String {
        let typed: Vec<&str> = list.lines().collect();
        self.refused
            .iter()
            .filter_map(|r| r.0.checked_sub(1).and_then(|i| typed.get(i)))
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A parsed list: the rules to add, and the report of the lines refused.
#[derive(Debug)]
pub struct ImportList {
    rows: Vec<ImportLine>,
    pub(super) report: ImportReport,
}

impl ImportList {
    /// Parses the list; a list too long or with nothing in it is refused
    /// whole. Repeats of an earlier line need nothing (the first one is
    /// imported or reported); other refused lines are to correct.
    pub fn parse(list: &str) -> Result<ImportList, RulesError> {
        let (accepted, refused) = parse_list(list)?;
        if accepted.is_empty() && refused.is_empty() {
            return Err(RulesError::EmptyList);
        }
        let mut report = ImportReport::default();
        for RefusedLine {
            line,
            text,
            reason,
            kind,
        } in refused
        {
            match kind {
                Refusal::Repeat { .. } => report.skip(line, text, reason),
                Refusal::Invalid => report.refused.push((line, text, reason)),
            }
        }
        let rows = accepted
            .into_iter()
            .map(|r| ImportLine {
                line: r.line,
                network: r.rule.to_string(),
                comment: r.comment.map(|c| c.as_str().to_owned()),
            })
            .collect();
        Ok(ImportList { rows, report })
    }
}

/// What an import did: the report, and the change when it added a rule.
#[derive(Debug)]
pub struct Imported {
    pub report: ImportReport,
    pub change: Option<Change>,
}

/// Adds the list's rules the account does not have yet, in batches.
pub fn import(
    conn: &mut DbConn,
    actor: &Actor,
    list: ImportList,
    now: NaiveDateTime,
) -> Result<Imported, RulesError> {
    let aid = actor.account_id;
    let (added, on_list) =
        db::rules::import(conn, aid, &list.rows, actor.user_id, &actor.name, now)?;
    let mut report = list.report;
    report.accepted = added;
    report.already = on_list.len();
    for (line, network) in on_list {
        report.skip(line, network, "Already on the list; not added again".into());
    }
    report.keep_first_skipped();
    if added == 0 {
        return Ok(Imported {
            report,
            change: None,
        });
    }
    let version = db::rules::bump(conn, aid, now)?;
    let detail = format!("{added} rules imported");
    audit::record(conn, aid, actor.audit(), "ip_rule.import", &detail, now)?;
    let change = Change {
        version,
        gate: GateChange::Rebuild,
        message: format!(
            "Imported {} rule{}.",
            crate::domain::number::thousands(added),
            plural(added)
        ),
    };
    let change = super::announce(conn, aid, change)?;
    Ok(Imported {
        report,
        change: Some(change),
    })
}
