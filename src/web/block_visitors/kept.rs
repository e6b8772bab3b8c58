//! A result shown after a redirect. A form post that shows a result (an
//! import's report, "Test a visitor"'s answer) keeps it in the session and
//! redirects to the page, so that a refresh shows the page again instead of
//! sending the form again. The page takes the result once.

use actix_session::Session;
use serde::{Deserialize, Serialize};

use super::{ip_rules::ImportForm, probe::ProbeForm};
use crate::{
    crypto::{Keys, SealContext},
    rules::ImportReport,
};

const KEPT: &str = "block_visitors_kept";

/// What the next view of the page shows.
#[derive(Serialize, Deserialize)]
pub(super) enum Kept {
    /// An import's report, and the lines left to correct in the box.
    Import { list: String, report: ImportReport },
    /// "Test a visitor" as typed; the page answers it again when shown.
    /// The address may be a visitor's: it is kept sealed, as every
    /// visitor address the server stores.
    Probe {
        sealed: Vec<u8>,
        url: String,
        #[serde(default)]
        conversation: String,
    },
}

/// The seal's context: the kept probe of this user's session.
fn context(user_id: &str) -> SealContext<'_> {
    SealContext {
        table: "sessions",
        column: KEPT,
        row: user_id,
    }
}

/// Keeps `kept` for the next view of the page.
pub(super) fn keep(session: &Session, kept: Kept) {
    let _ = session.insert(KEPT, kept);
}

/// What a redirect left for this view, taken once. The session is only
/// touched when something is there: a removal rewrites the session's row.
pub(super) fn take(session: &Session) -> Option<Kept> {
    let kept = session.get::<Kept>(KEPT).ok().flatten()?;
    session.remove(KEPT);
    Some(kept)
}

impl Kept {
    /// "Test a visitor" as typed by user `user_id`, its address sealed.
    pub(super) fn probe(keys: &Keys, user_id: i64, form: ProbeForm) -> Self {
        let row = user_id.to_string();
        Kept::Probe {
            sealed: keys.seal(form.address.as_bytes(), context(&row)),
            url: form.url,
            conversation: form.conversation,
        }
    }

    /// The import kept, or else the probe as typed (None when its seal
    /// does not open: then there is nothing to show).
    pub(super) fn open(
        self,
        keys: &Keys,
        user_id: i64,
    ) -> Option<Result<(ImportForm, ImportReport), ProbeForm>> {
        match self {
            Kept::Import { list, report } => Some(Ok((ImportForm { list }, report))),
            Kept::Probe {
                sealed,
                url,
                conversation,
            } => {
                let row = user_id.to_string();
                let plain = keys.open(&sealed, context(&row)).ok()?;
                let address = String::from_utf8(plain).ok()?;
                Some(Err(ProbeForm {
                    address,
                    url,
                    conversation,
                }))
            }
        }
    }
}
