//! The one error type at the web edge. Domain errors convert into it; it
//! answers with a calm HTML page (internal details are logged, not shown).

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
    #[error("{0}")]
    PayloadTooLarge(String),
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
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
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

impl From<SiteError> for AppError {
    fn from(e: SiteError) -> Self {
        match e {
            SiteError::UnknownCollection(_) | SiteError::NotFound(_) => AppError::NotFound(format!("Not found: {e}.")),
            SiteError::UnknownBase => AppError::BadRequest(
                "This form was made from a version of the page that no longer exists. Reload the page and make your change again.".into(),
            ),
            SiteError::NotADocument(_) | SiteError::Edit(_) => AppError::BadRequest(format!("This page cannot be saved: {e}.")),
            SiteError::Locked(_) => AppError::Unavailable(
                "Another program is writing to the site's repository right now. Nothing was saved; please try again in a moment.".into(),
            ),
            SiteError::Busy => {
                AppError::Unavailable("The site changed while saving. Nothing was saved; please try again.".into())
            }
            SiteError::Conflict(_) => AppError::BadRequest(e.to_string()),
            SiteError::Stale(_) | SiteError::Exists(_) | SiteError::FieldsChanged(_) => {
                AppError::Conflict(format!("{e}. Nothing was saved."))
            }
            SiteError::InvalidFields(ref f) => AppError::BadRequest(format!(
                "{e}: {}",
                f.0.iter()
                    .map(|(k, m)| format!("{k}: {m}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            SiteError::Unsupported(what) => AppError::BadRequest(format!(
                "Cairn cannot do that yet: {what}. Nothing was changed."
            )),
            other => AppError::internal("site", other),
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
