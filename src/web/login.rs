//! `/login` and `/logout`.

use super::ClientAddress;
use crate::auth::accounts;
use crate::auth::audit::{self, Event};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::page::{Layout, render};
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::i18n::Lang;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

/// Only same-site relative paths are followed after login.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.chars().any(|c| c == '\\' || c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

pub(super) async fn show(
    session: Session,
    lang: Lang,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let page = LoginPage {
        ctx: Layout::anonymous(&session, lang).await?,
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub(super) async fn submit(
    State(state): State<AppState>,
    address: ClientAddress,
    session: Session,
    lang: Lang,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let next = safe_next(form.next.as_deref());
    // As typed, bounded, for the log (never the password).
    let typed: String = form.username.trim().chars().take(64).collect();
    if let Some(wait) = state
        .throttle
        .check(&form.username, address.0, state.clock.now_ms())
    {
        // Not written to the security log one by one (a flood would fill
        // it): the log has the failure that started the delay.
        tracing::warn!(user = %typed, address = %address.0, wait, "login refused: throttled");
        let page = LoginPage {
            ctx: Layout::anonymous(&session, lang).await?,
            next,
            username: form.username,
            error: Some(lang.t_with("login-throttled", &[("seconds", wait.into())])),
        };
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            render(&page)?,
        )
            .into_response());
    }
    let user = accounts::authenticate(
        &state.db,
        &state.hasher,
        &form.username,
        &form.password,
        now,
    )
    .await?;
    match user {
        Some(user) => {
            state.throttle.succeeded(&form.username);
            session::sign_in(&session, &user, now).await?;
            audit::record(
                &state.db,
                now,
                Event::Login,
                &user.username,
                &address.actor(&user.username),
                "",
            )
            .await;
            // A form posted after the session ended is saved now, if it
            // was this account's.
            if let Some(id) = session::take_pending(&session).await?
                && let Some((path, body)) =
                    crate::auth::pending::take(&state.db, &id, user.id, now).await?
            {
                let current = CurrentUser::of(user, session.clone(), lang, &state.default_zone);
                return super::documents::replay(&state, &current, &path, &body).await;
            }
            Ok(Redirect::to(&next).into_response())
        }
        None => {
            let started = state
                .throttle
                .failed(&form.username, address.0, state.clock.now_ms());
            let actor = address.actor(&typed);
            audit::record(&state.db, now, Event::LoginFailed, &typed, &actor, "").await;
            let starts = [
                (
                    started.account_delayed,
                    "too many failures: the account's next logins are delayed",
                ),
                (
                    started.address_limited,
                    "too many failures from this address: its logins are refused for a while",
                ),
            ];
            for (_, detail) in starts.into_iter().filter(|(yes, _)| *yes) {
                audit::record(
                    &state.db,
                    now,
                    Event::LoginThrottled,
                    &typed,
                    &actor,
                    detail,
                )
                .await;
            }
            // The same page and status for an unknown user, a wrong password,
            // an account without a password and a disabled account.
            let page = LoginPage {
                ctx: Layout::anonymous(&session, lang).await?,
                next,
                username: form.username,
                error: Some(lang.t("login-refused")),
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
    }
}

#[derive(Deserialize)]
pub(super) struct LogoutForm {}

pub(super) async fn logout(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    CsrfForm(_): CsrfForm<LogoutForm>,
) -> Result<Redirect, AppError> {
    session::sign_out(&current.session).await?;
    let name = &current.user.username;
    audit::record(
        &state.db,
        state.clock.now(),
        Event::Logout,
        name,
        &address.actor(name),
        "",
    )
    .await;
    Ok(Redirect::to("/login"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed() {
        assert_eq!(safe_next(Some("/history?page=2")), "/history?page=2");
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "evil.example",
            "/x\r\nLocation: http://evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
