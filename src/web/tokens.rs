//! `/tokens`, for administrators: the API tokens (never their secrets),
//! creating one (its secret shown once), and revoking one.

use super::ClientAddress;
use crate::auth::audit::{self, Event};
use crate::auth::{FieldErrors, Role, accounts, tokens};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::page::{Layout, render};
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::i18n::{Message, ToArg, When};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

struct TokenRow {
    id: i64,
    name: String,
    role: &'static str,
    /// The user its commits are authored by (`None`: the token's name).
    owner: Option<String>,
    created: When,
    expires: Option<When>,
    last_used: Option<When>,
    /// `active`, `revoked` or `expired`.
    status: &'static str,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: Layout,
    tokens: Vec<TokenRow>,
    users: Vec<String>,
    name: String,
    role: String,
    owner: String,
    expires_days: String,
    errors: FieldErrors,
    /// A token just made: shown once.
    secret: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct NewTokenForm {
    name: String,
    role: String,
    owner: String,
    expires_days: String,
}

async fn page(
    state: &AppState,
    current: &CurrentUser,
    form: NewTokenForm,
    errors: FieldErrors,
    secret: Option<String>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let users = accounts::list(&state.db).await?;
    let name_of = |id: Option<i64>| {
        id.and_then(|id| users.iter().find(|u| u.id == id))
            .map(|u| u.username.clone())
    };
    let rows = tokens::list(&state.db)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            role: t.role.as_str(),
            owner: name_of(t.owner_id),
            created: current.when(t.created_at),
            expires: t.expires_at.map(|e| current.when(e)),
            last_used: t.last_used_at.map(|u| current.when(u)),
            status: if t.revoked_at.is_some() {
                "revoked"
            } else if t.expires_at.is_some_and(|e| e <= now) {
                "expired"
            } else {
                "active"
            },
            name: t.name,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TokensPage {
        ctx: Layout::signed_in(current).await?,
        tokens: rows,
        users: users
            .iter()
            .filter(|u| !u.disabled)
            .map(|u| u.username.clone())
            .collect(),
        name: form.name,
        role: if form.role.is_empty() {
            "reviewer".into()
        } else {
            form.role
        },
        owner: form.owner,
        expires_days: form.expires_days,
        errors,
        secret,
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    page(
        &state,
        &current,
        NewTokenForm::default(),
        FieldErrors::default(),
        None,
    )
    .await
}

pub(super) async fn create(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<NewTokenForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let name = tokens::parse_name(&form.name)
        .map_err(|m| errors.add("name", m))
        .ok();
    let role = match form.role.as_str() {
        "editor" => Some(Role::Editor),
        "reviewer" => Some(Role::Reviewer),
        _ => {
            errors.add("role", Message::key("tokens-choose-role"));
            None
        }
    };
    let owner = match form.owner.trim() {
        "" => None,
        username => match accounts::by_username(&state.db, username).await {
            Ok(u) if !u.disabled => Some(u),
            _ => {
                errors.add(
                    "owner",
                    Message::Key("tokens-no-owner", vec![("username", username.to_arg())]),
                );
                None
            }
        },
    };
    let expires = match form.expires_days.trim() {
        "" => None,
        d => match d.parse::<u32>() {
            Ok(days) if days >= 1 => Some(now + i64::from(days) * 86_400),
            _ => {
                errors.add("expires_days", Message::key("tokens-bad-days"));
                None
            }
        },
    };
    let (Some(name), Some(role), true) = (name, role, errors.is_empty()) else {
        return page(&state, &current, form, errors, None).await;
    };
    let (token, secret) =
        match tokens::create(&state.db, &name, role, owner.as_ref(), expires, now).await {
            Ok(made) => made,
            Err(crate::auth::AuthError::InvalidInput(m)) => {
                errors.add("role", m);
                return page(&state, &current, form, errors, None).await;
            }
            Err(e) => return Err(e.into()),
        };
    audit::record(
        &state.db,
        now,
        Event::TokenCreated,
        owner.as_ref().map_or("", |o| o.username.as_str()),
        &address.actor(&current.user.username),
        &format!("token {} `{}`, role {}", token.id, token.name, token.role),
    )
    .await;
    page(
        &state,
        &current,
        NewTokenForm::default(),
        FieldErrors::default(),
        Some(secret),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct EmptyForm {}

pub(super) async fn revoke(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let now = state.clock.now();
    let revoked = tokens::revoke(&state.db, id, now).await?;
    state.tokens.clear();
    if revoked {
        audit::record(
            &state.db,
            now,
            Event::TokenRevoked,
            "",
            &address.actor(&current.user.username),
            &format!("token {id}"),
        )
        .await;
        session::set_flash(
            &current.session,
            current
                .lang
                .t_with("tokens-revoked", &[("id", id.to_arg())]),
        )
        .await?;
    } else {
        session::set_flash(&current.session, current.lang.t("tokens-already-revoked")).await?;
    }
    Ok(Redirect::to("/tokens").into_response())
}
