//! The one table from the domain's errors to HTTP statuses ([`classify`]),
//! and the admin's rendering of it: [`AppError`], answered as a calm HTML
//! page (internal details are logged, not shown). The API's rendering of the
//! same table is [`super::Problem`].

use crate::auth::AuthError;
use crate::db::DbError;
use crate::site::SiteError;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

/// An error answered to a browser.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    /// No session: the browser is sent to the login page, then back.
    #[error("login required")]
    LoginRequired { next: String },
    #[error("{0}")]
    Conflict(String),
    /// The version the request was based on is no longer the current one.
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Understood, but the values cannot be written.
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Unavailable(String),
    /// Logged with its detail; the user sees a generic message.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        AppError::Internal(format!("{context}: {error}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::LoginRequired { next } => {
                let target = if next == "/" {
                    "/login".to_string()
                } else {
                    format!("/login?next={}", encode_query(next))
                };
                return Redirect::to(&target).into_response();
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "Something went wrong on the server. Nothing was changed. Please try again; if it keeps happening, tell your site maintainer.".to_string()
            }
            AppError::Unavailable(detail) => {
                tracing::warn!(%detail, "unavailable");
                detail.clone()
            }
            other => other.to_string(),
        };
        let title = status.canonical_reason().unwrap_or("Error");
        let page = ErrorPage {
            title,
            message: &message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "could not render the error page");
                (
                    status,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    message,
                )
                    .into_response()
            }
        }
    }
}

/// Percent-encodes a value for a query string.
pub fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How the edge answers a domain error: its status, and a short name (the
/// `type` of a problem+json answer). The one table both faces use: the
/// admin's pages and the API's problems differ in wording only.
pub fn classify(e: &SiteError) -> (StatusCode, &'static str) {
    match e {
        SiteError::UnknownCollection(_) | SiteError::NotFound(_) => {
            (StatusCode::NOT_FOUND, "not-found")
        }
        SiteError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        SiteError::Exists(_) => (StatusCode::CONFLICT, "exists"),
        SiteError::Stale(_) => (StatusCode::PRECONDITION_FAILED, "stale"),
        SiteError::InvalidFields(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid-fields"),
        SiteError::UnknownBase => (StatusCode::UNPROCESSABLE_ENTITY, "unknown-base"),
        // The document itself (not a value sent) cannot be edited here.
        SiteError::NotADocument(_) | SiteError::Edit(_) => {
            (StatusCode::BAD_REQUEST, "not-editable")
        }
        SiteError::Unsupported(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unsupported"),
        SiteError::Locked(_) | SiteError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        SiteError::Config(_)
        | SiteError::NoConfig
        | SiteError::Store(_)
        | SiteError::Index(_)
        | SiteError::Task(_)
        | SiteError::Remote(_)
        | SiteError::RemoteDenied(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl From<SiteError> for AppError {
    fn from(e: SiteError) -> Self {
        let (status, _) = classify(&e);
        let message = match &e {
            SiteError::UnknownCollection(_) | SiteError::NotFound(_) => {
                format!("Not found: {e}.")
            }
            SiteError::UnknownBase => "This form was made from a version of the page that no longer exists. Reload the page and make your change again.".into(),
            SiteError::NotADocument(_) | SiteError::Edit(_) => {
                format!("This page cannot be saved: {e}.")
            }
            SiteError::Locked(_) => "Another program is writing to the site's repository right now. Nothing was saved; please try again in a moment.".into(),
            SiteError::Busy => "The site changed while saving. Nothing was saved; please try again.".into(),
            SiteError::Conflict(c) => {
                let fields: Vec<String> = c.fields.iter().map(|f| f.field.clone()).collect();
                format!(
                    "Someone else changed the same parts of this page ({}). Nothing was saved.",
                    fields.join(", ")
                )
            }
            SiteError::Stale(_) => "This page was changed since you opened it. Nothing was changed; open it again to see the new version.".into(),
            SiteError::Exists(what) => format!("`{what}` already exists. Nothing was saved."),
            SiteError::InvalidFields(f) => format!(
                "{e}: {}",
                f.0.iter()
                    .map(|(k, m)| format!("{k}: {m}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            SiteError::Unsupported(what) => {
                format!("Cairn cannot do that yet: {what}. Nothing was changed.")
            }
            _ => return AppError::internal("site", e),
        };
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound(message),
            StatusCode::BAD_REQUEST => AppError::BadRequest(message),
            StatusCode::CONFLICT => AppError::Conflict(message),
            StatusCode::PRECONDITION_FAILED => AppError::PreconditionFailed(message),
            StatusCode::UNPROCESSABLE_ENTITY => AppError::Unprocessable(message),
            StatusCode::SERVICE_UNAVAILABLE => AppError::Unavailable(message),
            _ => AppError::internal("site", e),
        }
    }
}

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidInput(m) => AppError::BadRequest(m),
            AuthError::Fields(f) => AppError::BadRequest(f.to_string()),
            AuthError::LastAdmin => AppError::Conflict(
                "Nothing was changed: the site must keep at least one active administrator.".into(),
            ),
            AuthError::DuplicateUser(_) | AuthError::NoSuchUser(_) => {
                AppError::BadRequest(e.to_string())
            }
            other => AppError::internal("auth", other),
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        AppError::internal("database", e)
    }
}

impl From<tower_sessions::session::Error> for AppError {
    fn from(e: tower_sessions::session::Error) -> Self {
        AppError::internal("session", e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::internal("template", e)
    }
}
