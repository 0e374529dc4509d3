//! `POST /publishing/settle`: an admin chooses, for each conflict that
//! paused publishing, Cairn's version or the remote's; the remote is merged
//! with those choices (a merge commit authored by the admin) and pushed.

use crate::http::AppError;
use crate::http::AppState;
use crate::http::{CurrentUser, csrf::CsrfForm, session};
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
                return Err(AppError::BadRequest(
                    format!("`{other}` is not a choice: choose Cairn's version or the remote's.")
                        .into(),
                ));
            }
        };
        sides.insert((path.to_string(), part.to_string()), side);
    }
    if sides.is_empty() {
        session::set_flash(
            &current.session,
            "Nothing was merged: choose which version to keep for at least one conflict.",
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
    let message = match left.len() {
        0 => "Merged with your choices; publishing goes on.".to_string(),
        1 => "Nothing was merged yet: 1 conflict still needs a choice.".to_string(),
        n => format!("Nothing was merged yet: {n} conflicts still need a choice."),
    };
    session::set_flash(&current.session, message).await?;
    Ok(Redirect::to("/").into_response())
}
