//! `POST /publishing/settle`: an admin chooses, for each conflict that
//! paused publishing, Cairn's version or the remote's; the remote is merged
//! with those choices (a merge commit authored by the admin) and pushed.

use crate::http::AppError;
use crate::http::AppState;
use crate::http::session::Notice;
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::i18n::{Message, ToArg};
use crate::site::merge::{Choices, Side};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// More conflict rows than any form shows.
const MAX_ROWS: usize = 1_000;

pub(super) async fn settle(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let fields: HashMap<String, String> = fields.into_iter().collect();
    let get = |name: &str| fields.get(name).map(String::as_str);
    let mut sides = HashMap::new();
    for i in 0..MAX_ROWS {
        let (Some(path), Some(part)) = (get(&format!("path.{i}")), get(&format!("part.{i}")))
        else {
            break;
        };
        let side = match get(&format!("side.{i}")) {
            None => continue,
            Some("ours") => Side::Ours,
            Some("theirs") => Side::Theirs,
            Some(other) => {
                return Err(AppError::BadRequest(Message::Key(
                    "settle-bad-choice",
                    vec![("choice", other.to_arg())],
                )));
            }
        };
        sides.insert((path.to_string(), part.to_string()), side);
    }
    if sides.is_empty() {
        session::set_notice(
            &current.session,
            Notice::Warning,
            current.lang.t("settle-no-choice"),
        )
        .await?;
        return Ok(Redirect::to("/").into_response());
    }
    let choices = Choices {
        by: current.user.identity(),
        sides,
    };
    let left = state
        .site
        .settle_conflicts(choices, state.clock.now())
        .await?;
    if left.is_empty() {
        session::set_flash(&current.session, current.lang.t("settle-merged")).await?;
    } else {
        session::set_notice(
            &current.session,
            Notice::Warning,
            current
                .lang
                .t_with("settle-left", &[("count", left.len().to_arg())]),
        )
        .await?;
    }
    Ok(Redirect::to("/").into_response())
}
