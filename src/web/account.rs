//! `/account`: every user changes their own display name, email (what their
//! commits are authored with) and password.

use super::ClientAddress;
use crate::auth::audit::{self, Event};
use crate::auth::{AuthError, FieldErrors, accounts};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::page::{Layout, render};
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::i18n::{Lang, ToArg, Zone};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: Layout,
    display_name: String,
    email: String,
    errors: FieldErrors,
    /// "You are alice (editor)."
    you_are: String,
    /// The language chosen (`""`: the browser's).
    language: String,
    /// The languages offered: code and own name.
    languages: Vec<(&'static str, &'static str)>,
    /// The time zone chosen (`""`: the site's).
    timezone: String,
    /// The site's time zone.
    site_zone: String,
    zones: Vec<String>,
}

async fn page(
    site_zone: &str,
    current: &CurrentUser,
    display_name: String,
    email: String,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AccountPage {
        ctx: Layout::signed_in(current).await?,
        display_name,
        email,
        errors,
        you_are: current.lang.t_with(
            "account-you-are",
            &[
                ("username", current.user.username.to_arg()),
                ("role", current.lang.role(current.user.role.as_str()).into()),
            ],
        ),
        language: current.user.language.map_or("", |l| l.code()).to_string(),
        languages: Lang::ALL.iter().map(|l| (l.code(), l.name())).collect(),
        timezone: current
            .user
            .timezone
            .as_ref()
            .map_or("", |z| z.name())
            .to_string(),
        site_zone: site_zone.to_string(),
        zones: Zone::all(),
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    let (name, email) = (
        current.user.display_name.clone(),
        current.user.email.clone(),
    );
    page(
        state.default_zone.name(),
        &current,
        name,
        email,
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct ProfileForm {
    display_name: String,
    email: String,
}

pub(super) async fn update(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, AppError> {
    match accounts::set_profile(
        &state.db,
        &current.user,
        Some(&form.display_name),
        Some(&form.email),
    )
    .await
    {
        Ok(()) => {}
        Err(AuthError::Fields(errors)) => {
            return page(
                state.default_zone.name(),
                &current,
                form.display_name,
                form.email,
                errors,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    let name = &current.user.username;
    audit::record(
        &state.db,
        state.clock.now(),
        Event::ProfileChanged,
        name,
        &address.actor(name),
        "",
    )
    .await;
    session::set_flash(&current.session, current.lang.t("account-profile-saved")).await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
pub(super) struct PasswordForm {
    current_password: String,
    password: String,
    password_again: String,
}

/// Checks the current password (throttled like a login), sets the new one,
/// ends every other session and keeps this one under a new id.
pub(super) async fn change_password(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let user = &current.user;
    let (name, email) = (user.display_name.clone(), user.email.clone());
    if let Some(wait) = state
        .throttle
        .check(&user.username, address.0, state.clock.now_ms())
    {
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            AppError::BadRequest(
                current
                    .lang
                    .t_with("account-password-throttled", &[("seconds", wait.to_arg())])
                    .into(),
            ),
        )
            .into_response());
    }
    let mut errors = FieldErrors::default();
    let new = accounts::parse_new_password(&form.password, Some(&form.password_again))
        .map_err(|e| errors = e)
        .ok();
    let Some(_) = accounts::authenticate(
        &state.db,
        &state.hasher,
        &user.username,
        &form.current_password,
        now,
    )
    .await?
    else {
        let _ = state
            .throttle
            .failed(&user.username, address.0, state.clock.now_ms());
        errors.add("current_password", current.lang.t("account-wrong-password"));
        return page(state.default_zone.name(), &current, name, email, errors).await;
    };
    let Some(new) = new else {
        return page(state.default_zone.name(), &current, name, email, errors).await;
    };
    accounts::set_password(&state.db, &state.hasher, user, &new).await?;
    audit::record(
        &state.db,
        now,
        Event::PasswordChanged,
        &user.username,
        &address.actor(&user.username),
        "by the user",
    )
    .await;
    // Every session, this one included, is now from an old epoch: this one
    // continues under a new id and the new epoch.
    let fresh = accounts::by_id(&state.db, user.id)
        .await?
        .ok_or_else(|| AppError::internal("account", "user vanished"))?;
    session::sign_in(&current.session, &fresh, now).await?;
    session::set_flash(&current.session, current.lang.t("account-password-changed")).await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
pub(super) struct LanguageForm {
    #[serde(default)]
    language: String,
}

/// Sets the language of the interface for this account (empty: the
/// browser's). The next page is already in it.
pub(super) async fn set_language(
    State(state): State<AppState>,
    current: CurrentUser,
    headers: axum::http::HeaderMap,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<Response, AppError> {
    let chosen = match form.language.trim() {
        "" => None,
        code => match Lang::ALL.into_iter().find(|l| l.code() == code) {
            Some(lang) => Some(lang),
            None => {
                let mut errors = FieldErrors::default();
                errors.add("language", current.lang.t("account-language-unknown"));
                let (name, email) = (
                    current.user.display_name.clone(),
                    current.user.email.clone(),
                );
                return page(state.default_zone.name(), &current, name, email, errors).await;
            }
        },
    };
    accounts::set_language(&state.db, &current.user, chosen).await?;
    let now_in = chosen
        .or_else(|| crate::http::lang::of_browser(&headers))
        .unwrap_or(state.default_language);
    session::set_flash(&current.session, now_in.t("account-language-saved")).await?;
    Ok(Redirect::to("/account").into_response())
}

#[derive(Deserialize)]
pub(super) struct ZoneForm {
    #[serde(default)]
    timezone: String,
}

/// Sets the time zone times are shown in for this account (empty: the
/// site's).
pub(super) async fn set_timezone(
    State(state): State<AppState>,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<ZoneForm>,
) -> Result<Response, AppError> {
    let chosen = match form.timezone.trim() {
        "" => None,
        name => match Zone::parse(name) {
            Some(zone) => Some(zone),
            None => {
                let mut errors = FieldErrors::default();
                errors.add("timezone", current.lang.t("account-zone-unknown"));
                let (name, email) = (
                    current.user.display_name.clone(),
                    current.user.email.clone(),
                );
                return page(state.default_zone.name(), &current, name, email, errors).await;
            }
        },
    };
    accounts::set_timezone(&state.db, &current.user, chosen.as_ref()).await?;
    session::set_flash(&current.session, current.lang.t("account-zone-saved")).await?;
    Ok(Redirect::to("/account").into_response())
}
