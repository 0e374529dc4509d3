//! `/users`, for administrators: the accounts, creating one (with a one-time
//! link to set its password, never a password typed by the admin), changing
//! a role, disabling, enabling, and resetting a password (a new link).

use super::ClientAddress;
use crate::auth::accounts::{self, NewUser, User};
use crate::auth::audit::{self, Event};
use crate::auth::{AuthError, FieldErrors, Role};
use crate::http::AppState;
use crate::http::error::{AppError, encode_query};
use crate::http::page::{Layout, render};
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::i18n::{Message, ToArg, When};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// A user as the pages show them.
struct UserRow {
    username: String,
    display_name: String,
    email: String,
    role: &'static str,
    /// The catalogue key of the account's status.
    status: &'static str,
    last_login: Option<When>,
}

impl UserRow {
    fn of(u: &User, current: &CurrentUser) -> Self {
        UserRow {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            role: u.role.as_str(),
            status: if u.disabled {
                "user-status-disabled"
            } else if !u.has_password {
                "user-status-waiting"
            } else {
                "user-status-active"
            },
            last_login: u.last_login_at.map(|t| current.when(t)),
        }
    }
}

const ROLES: [&str; 3] = ["admin", "editor", "reviewer"];

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    ctx: Layout,
    users: Vec<UserRow>,
    roles: [&'static str; 3],
    new_username: String,
    new_display_name: String,
    new_email: String,
    new_role: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    ctx: Layout,
    user: UserRow,
    disabled: bool,
    roles: [&'static str; 3],
    /// A one-time link just made, shown once.
    link: Option<String>,
}

async fn users_page(
    state: &AppState,
    current: &CurrentUser,
    form: Option<NewUserForm>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let users = accounts::list(&state.db).await?;
    let form = form.unwrap_or(NewUserForm {
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
        role: "editor".into(),
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = UsersPage {
        ctx: Layout::signed_in(current).await?,
        users: users.iter().map(|u| UserRow::of(u, current)).collect(),
        roles: ROLES,
        new_username: form.username,
        new_display_name: form.display_name,
        new_email: form.email,
        new_role: form.role,
        errors,
    };
    Ok((status, render(&page)?).into_response())
}

pub(super) async fn list(
    State(state): State<AppState>,
    current: CurrentUser,
) -> Result<Response, AppError> {
    users_page(&state, &current, None, FieldErrors::default()).await
}

#[derive(Deserialize)]
pub(super) struct NewUserForm {
    username: String,
    display_name: String,
    email: String,
    role: String,
}

/// The address of a set-password link, on the host the admin is using.
fn link_url(state: &AppState, headers: &HeaderMap, token: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if state.sessions.secure {
        "https"
    } else {
        "http"
    };
    format!(
        "{scheme}://{host}/set-password?token={}",
        encode_query(token)
    )
}

async fn user_page(
    current: &CurrentUser,
    user: &User,
    link: Option<String>,
) -> Result<Response, AppError> {
    let page = UserPage {
        ctx: Layout::signed_in(current).await?,
        user: UserRow::of(user, current),
        disabled: user.disabled,
        roles: ROLES,
        link,
    };
    Ok(render(&page)?.into_response())
}

pub(super) async fn create(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    current: CurrentUser,
    CsrfForm(form): CsrfForm<NewUserForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::default();
    let role = form
        .role
        .parse::<Role>()
        .map_err(|e: crate::auth::UnknownRole| {
            errors.add(
                "role",
                Message::Key("field-role", vec![("role", e.0.to_arg())]),
            )
        })
        .ok();
    let parsed = NewUser::parse(
        &form.username,
        Some(&form.display_name),
        Some(&form.email),
        role.unwrap_or(Role::Reviewer),
        None,
    );
    let new = match parsed {
        Ok(new) if errors.is_empty() => new,
        Ok(_) => return users_page(&state, &current, Some(form), errors).await,
        Err(more) => {
            errors.0.extend(more.0);
            return users_page(&state, &current, Some(form), errors).await;
        }
    };
    let now = state.clock.now();
    let user = match accounts::create(&state.db, &state.hasher, &new, now).await {
        Ok(user) => user,
        Err(e @ AuthError::DuplicateUser(_)) => {
            errors.add("username", format!("{e}."));
            return users_page(&state, &current, Some(form), errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    let actor = address.actor(&current.user.username);
    audit::record(
        &state.db,
        now,
        Event::UserCreated,
        &user.username,
        &actor,
        &format!("role {}", user.role),
    )
    .await;
    let token = accounts::create_password_link(&state.db, &user, now).await?;
    audit::record(
        &state.db,
        now,
        Event::PasswordLinkCreated,
        &user.username,
        &actor,
        "",
    )
    .await;
    user_page(&current, &user, Some(link_url(&state, &headers, &token))).await
}

async fn find(state: &AppState, username: &str) -> Result<User, AppError> {
    accounts::by_username(&state.db, username)
        .await
        .map_err(|e| match e {
            AuthError::NoSuchUser(_) => AppError::NotFound(Message::Key(
                "user-none",
                vec![("username", username.to_arg())],
            )),
            other => other.into(),
        })
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(username): Path<String>,
) -> Result<Response, AppError> {
    let user = find(&state, &username).await?;
    user_page(&current, &user, None).await
}

/// Shows the outcome of a change on the user's page.
async fn done(
    current: &CurrentUser,
    user: &User,
    result: Result<(), AuthError>,
    message: String,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => session::set_flash(&current.session, message).await?,
        Err(AuthError::LastAdmin) => {
            session::set_flash(&current.session, current.lang.t("error-last-admin")).await?;
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/users/{}", encode_query(&user.username))).into_response())
}

#[derive(Deserialize)]
pub(super) struct RoleForm {
    role: String,
}

pub(super) async fn set_role(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    Path(username): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, AppError> {
    let user = find(&state, &username).await?;
    let role: Role = form.role.parse().map_err(|e: crate::auth::UnknownRole| {
        AppError::BadRequest(Message::Key("field-role", vec![("role", e.0.to_arg())]))
    })?;
    if role == user.role {
        return done(
            &current,
            &user,
            Ok(()),
            current.lang.t("user-role-unchanged"),
        )
        .await;
    }
    let result = accounts::set_role(&state.db, &user, role).await;
    // The user's tokens follow their role and status at once.
    state.tokens.clear();
    if result.is_ok() {
        audit::record(
            &state.db,
            state.clock.now(),
            Event::RoleChanged,
            &user.username,
            &address.actor(&current.user.username),
            &format!("{} -> {role}", user.role),
        )
        .await;
    }
    let message = current.lang.t_with(
        "user-role-changed",
        &[
            ("username", user.username.to_arg()),
            ("role", current.lang.role(role.as_str()).into()),
        ],
    );
    done(&current, &user, result, message).await
}

#[derive(Deserialize)]
pub(super) struct EmptyForm {}

async fn set_disabled(
    state: &AppState,
    address: ClientAddress,
    current: &CurrentUser,
    username: &str,
    disabled: bool,
) -> Result<Response, AppError> {
    let user = find(state, username).await?;
    let result = accounts::set_disabled(&state.db, &user, disabled).await;
    state.tokens.clear();
    let (event, message) = if disabled {
        (
            Event::UserDisabled,
            current
                .lang
                .t_with("user-disabled", &[("username", user.username.to_arg())]),
        )
    } else {
        (
            Event::UserEnabled,
            current
                .lang
                .t_with("user-enabled", &[("username", user.username.to_arg())]),
        )
    };
    if result.is_ok() {
        audit::record(
            &state.db,
            state.clock.now(),
            event,
            &user.username,
            &address.actor(&current.user.username),
            "",
        )
        .await;
    }
    done(current, &user, result, message).await
}

pub(super) async fn disable(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    Path(username): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    set_disabled(&state, address, &current, &username, true).await
}

pub(super) async fn enable(
    State(state): State<AppState>,
    address: ClientAddress,
    current: CurrentUser,
    Path(username): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    set_disabled(&state, address, &current, &username, false).await
}

/// Voids the password and every session, and makes a new one-time link.
pub(super) async fn reset_password(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    current: CurrentUser,
    Path(username): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    let user = find(&state, &username).await?;
    let now = state.clock.now();
    accounts::clear_password(&state.db, &user).await?;
    let token = accounts::create_password_link(&state.db, &user, now).await?;
    audit::record(
        &state.db,
        now,
        Event::PasswordLinkCreated,
        &user.username,
        &address.actor(&current.user.username),
        "password reset",
    )
    .await;
    let user = find(&state, &username).await?;
    user_page(&current, &user, Some(link_url(&state, &headers, &token))).await
}
