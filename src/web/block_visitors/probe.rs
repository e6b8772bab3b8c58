//! "Test a visitor": the gate's decision for an address and page, step by
//! step, without counting a hit. And Unblock now for the active blocks.

use actix_session::Session;
use actix_web::{http::StatusCode, post, web, HttpResponse};
use serde::Deserialize;

use super::{
    confirm,
    kept::{keep, Kept},
    show, ListQuery, Shown, PATH,
};
use crate::{
    chat::{
        blocking::{unblock_now, UNBLOCKED},
        service::AgentRef,
    },
    error::AppError,
    rules::{self, Explanation, ProbeInput},
    web::{page::Page, see_other, AppState},
};

/// The "Test a visitor" form as typed.
#[derive(Default, Deserialize)]
pub struct ProbeForm {
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) url: String,
    /// The conversation whose visitor's browser to test, optional.
    #[serde(default)]
    pub(super) conversation: String,
}

/// The "Test a visitor" section: the form, and the decision explained or
/// why the form was refused.
#[derive(Default)]
pub(super) struct TestSection {
    pub(super) form: ProbeForm,
    pub(super) result: Option<Explanation>,
    pub(super) error: Option<String>,
}

impl TestSection {
    pub(super) fn with_result(form: ProbeForm, result: Explanation) -> Self {
        TestSection {
            form,
            result: Some(result),
            error: None,
        }
    }

    /// The form refused, as typed, with why.
    pub(super) fn with_error(form: ProbeForm, error: String) -> Self {
        TestSection {
            form,
            result: None,
            error: Some(error),
        }
    }
}

/// The gate's answer for the form, explained, or why the form is refused.
pub(super) async fn explain(
    state: &AppState,
    account_id: i64,
    form: &ProbeForm,
) -> Result<Result<Explanation, String>, AppError> {
    let input = match ProbeInput::parse(&form.address, &form.url, &form.conversation) {
        Ok(input) => input,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let (gate, now) = (state.gate.clone(), state.clock.now());
    let explained = state
        .db
        .run(move |c| Ok(rules::test_visitor(c, &gate, account_id, &input, now)))
        .await?;
    match explained {
        Ok(e) => Ok(Ok(e)),
        // A conversation number that names none of the account's.
        Err(e @ rules::RulesError::InvalidProbe(_)) => Ok(Err(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// A form refused comes back as typed; an answer is shown after a
/// redirect (`kept`), so a refresh does not post the form again.
#[post("/settings/block-visitors/test")]
pub(super) async fn test_visitor(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    form: web::Form<ProbeForm>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let form = form.into_inner();
    if let Err(e) = ProbeInput::parse(&form.address, &form.url, &form.conversation) {
        let shown = Shown::Probe(form, Err(e.to_string()));
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show(&state, page, ListQuery::default(), shown, status).await;
    }
    keep(&session, Kept::probe(&state.keys, page.user.id, form));
    Ok(see_other(&format!("{PATH}#test")))
}

#[post("/settings/block-visitors/blocks/{conversation}/unblock")]
pub(super) async fn unblock(
    state: web::Data<AppState>,
    page: Page,
    session: Session,
    conversation: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    page.user.require_manager()?;
    let (id, a) = (conversation.into_inner(), AgentRef::from(&page.user));
    match unblock_now(&state.node, a, id, state.clock.now()).await? {
        Ok(_) => confirm(&session, "blocks", true, UNBLOCKED.to_owned()),
        Err(m) => confirm(&session, "blocks", false, m.to_owned()),
    }
    Ok(see_other(&format!("{PATH}#blocks")))
}
