//! `/security-log`, for administrators: logins, logouts, account changes and
//! token creation, newest first.

use crate::auth::audit;
use crate::http::AppError;
use crate::http::AppState;
use crate::http::CurrentUser;
use crate::http::page::{Layout, render};
use crate::i18n::When;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

const PAGE: i64 = 100;

struct Row {
    when: When,
    event: String,
    username: String,
    actor: String,
    address: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "security_log.html")]
struct LogPage {
    ctx: Layout,
    rows: Vec<Row>,
    /// The id to continue below, when there are older events.
    older: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct LogQuery {
    before: Option<i64>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    let events = audit::page(&state.db, q.before, PAGE + 1).await?;
    let older = (events.len() as i64 > PAGE)
        .then(|| events.get(PAGE as usize - 1).map(|e| e.id))
        .flatten();
    let rows = events
        .into_iter()
        .take(PAGE as usize)
        .map(|e| Row {
            when: current.when(e.at),
            event: e.event,
            username: e.username,
            actor: e.actor,
            address: e.address,
            detail: e.detail,
        })
        .collect();
    let page = LogPage {
        ctx: Layout::signed_in(&current).await?,
        rows,
        older,
    };
    Ok(render(&page)?.into_response())
}
