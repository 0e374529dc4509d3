//! `/setup`: creates the first administrator with the one-time token printed
//! at start-up while no user exists.

use super::ClientAddress;
use crate::auth::audit::{self, Event};
use crate::auth::{AuthError, FieldErrors, Role, accounts, secrets_match};
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
#[template(path = "setup.html")]
struct SetupPage {
    ctx: Layout,
    token: String,
    username: String,
    display_name: String,
    email: String,
    errors: FieldErrors,
}

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

/// Whether `given` is the live setup token.
fn token_is_live(state: &AppState, given: &str) -> Result<bool, AppError> {
    let guard = state
        .setup_token
        .lock()
        .map_err(|_| AppError::internal("setup", "token lock poisoned"))?;
    Ok(guard.as_deref().is_some_and(|t| secrets_match(t, given)))
}

pub(super) async fn show(
    State(state): State<AppState>,
    session: Session,
    lang: Lang,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let token = q.token.unwrap_or_default();
    if !token_is_live(&state, &token)? {
        return Err(AppError::NotFound(crate::i18n::Message::key(
            "setup-dead-link",
        )));
    }
    let page = SetupPage {
        ctx: Layout::anonymous(&session, lang).await?,
        token,
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        errors: FieldErrors::default(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub(super) struct SetupForm {
    token: String,
    username: String,
    display_name: String,
    email: String,
    password: String,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    address: ClientAddress,
    session: Session,
    lang: Lang,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Result<Response, AppError> {
    if !token_is_live(&state, &form.token)? {
        return Err(AppError::NotFound(crate::i18n::Message::key(
            "setup-dead-link",
        )));
    }
    let parsed = accounts::NewUser::parse(
        &form.username,
        Some(&form.display_name),
        Some(&form.email),
        Role::Admin,
        Some(&form.password),
    )
    .map_err(AuthError::Fields);
    let result = match parsed {
        Ok(new) => accounts::create(&state.db, &state.hasher, &new, state.clock.now()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(user) => {
            if let Ok(mut token) = state.setup_token.lock() {
                *token = None;
            }
            let now = state.clock.now();
            audit::record(
                &state.db,
                now,
                Event::UserCreated,
                &user.username,
                &address.actor(&user.username),
                "first administrator, at /setup",
            )
            .await;
            session::sign_in(&session, &user, now).await?;
            session::set_flash(&session, lang.t("setup-welcome")).await?;
            Ok(Redirect::to("/").into_response())
        }
        Err(e @ (AuthError::Fields(_) | AuthError::DuplicateUser(_))) => {
            let errors = match e {
                AuthError::Fields(f) => f,
                other => {
                    let mut f = FieldErrors::default();
                    f.add("username", other.to_string());
                    f
                }
            };
            let page = SetupPage {
                ctx: Layout::anonymous(&session, lang).await?,
                token: form.token,
                username: form.username,
                display_name: form.display_name,
                email: form.email,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
