//! `/login` and `/logout`.

use super::layout::{Layout, render};
use crate::auth::{CurrentUser, accounts, csrf::CsrfForm, session};
use crate::error::AppError;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_sessions::Session;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(submit))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site relative paths are followed after login.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/') && !n.starts_with("//") && !n.contains(['\\', '\r', '\n']) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

async fn show(session: Session, Query(q): Query<NextQuery>) -> Result<Response, AppError> {
    let page = LoginPage {
        ctx: Layout::anonymous(&session).await?,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn submit(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let user = accounts::authenticate(
        &state.db,
        &state.hasher,
        &form.username,
        &form.password,
        now,
    )
    .await?;
    let next = safe_next(form.next.as_deref());
    match user {
        Some(user) => {
            session::sign_in(&session, &user).await?;
            tracing::info!(user = %user.username, "signed in");
            Ok(Redirect::to(&next).into_response())
        }
        None => {
            tracing::info!("failed sign-in");
            // The same page and status for an unknown user, a wrong password
            // and a disabled account.
            let page = LoginPage {
                ctx: Layout::anonymous(&session).await?,
                next,
                username: form.username,
                error: Some("That username and password do not match an account.".into()),
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
struct LogoutForm {}

async fn logout(
    current: CurrentUser,
    CsrfForm(_): CsrfForm<LogoutForm>,
) -> Result<Redirect, AppError> {
    session::sign_out(&current.session).await?;
    Ok(Redirect::to("/login"))
}
