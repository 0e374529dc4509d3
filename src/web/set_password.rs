//! `/set-password?token=...`: the one-time link an administrator gives a new
//! user (or one whose password was reset) to choose their password.

use super::ClientAddress;
use crate::auth::audit::{self, Event};
use crate::auth::{FieldErrors, accounts};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::page::{Layout, render};
use crate::http::{csrf::CsrfForm, session};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    ctx: Layout,
    token: String,
    username: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let token = q.token.unwrap_or_default();
    let Some(user) = accounts::password_link_user(&state.db, &token, state.clock.now()).await?
    else {
        return Err(AppError::NotFound(crate::i18n::Message::key(
            "set-password-dead-link",
        )));
    };
    let page = SetPasswordPage {
        ctx: Layout::anonymous(&session, lang).await?,
        token,
        username: user.username,
        errors: FieldErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub(super) struct SetPasswordForm {
    token: String,
    password: String,
    password_again: String,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    address: ClientAddress,
    session: Session,
    lang: Lang,
    CsrfForm(form): CsrfForm<SetPasswordForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let Some(user) = accounts::password_link_user(&state.db, &form.token, now).await? else {
        return Err(AppError::NotFound(crate::i18n::Message::key(
            "set-password-dead-link",
        )));
    };
    let password = match accounts::parse_new_password(&form.password, Some(&form.password_again)) {
        Ok(p) => p,
        Err(errors) => {
            let page = SetPasswordPage {
                ctx: Layout::anonymous(&session, lang).await?,
                token: form.token,
                username: user.username,
                errors,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    let Some(user) =
        accounts::use_password_link(&state.db, &state.hasher, &form.token, &password, now).await?
    else {
        return Err(AppError::NotFound(crate::i18n::Message::key(
            "set-password-dead-link",
        )));
    };
    audit::record(
        &state.db,
        now,
        Event::PasswordSet,
        &user.username,
        &address.actor(&user.username),
        "",
    )
    .await;
    session::set_flash(&session, lang.t("set-password-done")).await?;
    Ok(Redirect::to("/login").into_response())
}
