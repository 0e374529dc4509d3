//! The one table from the domain's errors to HTTP statuses ([`classify`]),
//! and the admin's rendering of it: [`AppError`], answered as a calm HTML
//! page (internal details are logged, not shown). The API's rendering of the
//! same table is [`super::Problem`].

use super::page::{Layout, UserView};
use crate::auth::AuthError;
use crate::db::DbError;
use crate::i18n::{Arg, Lang};
use crate::site::SiteError;
use askama::Template;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};

pub use crate::i18n::Message;

/// An error answered to a browser.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(Message),
    #[error("{0}")]
    BadRequest(Message),
    #[error("{0}")]
    Forbidden(Message),
    /// No session: the browser is sent to the login page, then back.
    #[error("login required")]
    LoginRequired { next: String },
    #[error("{0}")]
    Conflict(Message),
    /// The version the request was based on is no longer the current one.
    #[error("{0}")]
    PreconditionFailed(Message),
    #[error("{0}")]
    PayloadTooLarge(Message),
    /// Understood, but the values cannot be written.
    #[error("{0}")]
    Unprocessable(Message),
    #[error("{0}")]
    Unavailable(Message),
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

/// An error page waiting to be written in the request's language, with the
/// navigation of the person signed in (see [`render_errors`]).
#[derive(Debug, Clone)]
struct PendingError {
    status: StatusCode,
    message: Message,
}

/// Who is signed in, for an error page's navigation: put on the answer by
/// the route check.
#[derive(Debug, Clone)]
pub struct PageUser {
    pub user: UserView,
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: Layout,
    title: &'a str,
    message: &'a str,
}

impl PendingError {
    fn render(&self, lang: Lang, user: Option<PageUser>) -> Response {
        let message = self.message.in_lang(lang);
        let title = lang.t(&format!("error-title-{}", self.status.as_u16()));
        let (user, csrf) = match user {
            Some(PageUser { user, csrf }) => (Some(user), csrf),
            None => (None, String::new()),
        };
        let page = ErrorPage {
            ctx: Layout {
                user,
                csrf,
                flash: None,
                lang,
            },
            title: &title,
            message: &message,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "could not render the error page");
                (
                    self.status,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    message,
                )
                    .into_response()
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match self {
            AppError::LoginRequired { next } => {
                let target = if next == "/" {
                    "/login".to_string()
                } else {
                    format!("/login?next={}", encode_query(&next))
                };
                return Redirect::to(&target).into_response();
            }
            AppError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Message::key("error-internal")
            }
            AppError::Unavailable(message) => {
                tracing::warn!(%message, "unavailable");
                message
            }
            AppError::NotFound(m)
            | AppError::BadRequest(m)
            | AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::PreconditionFailed(m)
            | AppError::PayloadTooLarge(m)
            | AppError::Unprocessable(m) => m,
        };
        let pending = PendingError { status, message };
        // In English without navigation unless `render_errors` (around
        // every route) writes it again in the request's language.
        let mut response = pending.render(Lang::En, None);
        response.extensions_mut().insert(pending);
        response
    }
}

/// Writes every error page in the request's language, with the navigation
/// of whoever is signed in.
pub async fn render_errors(request: Request, next: Next) -> Response {
    let lang = request
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_default();
    let mut response = next.run(request).await;
    let Some(pending) = response.extensions_mut().remove::<PendingError>() else {
        return response;
    };
    let user = response.extensions_mut().remove::<PageUser>();
    // A handler may answer an error with another status (429 with its
    // Retry-After): the answer's status stands.
    let pending = PendingError {
        status: response.status(),
        ..pending
    };
    let mut page = pending.render(lang, user);
    // Headers handlers set on the error (Retry-After) are kept.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    page
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
        SiteError::NotAllowed(..) => (StatusCode::FORBIDDEN, "not-allowed"),
        SiteError::Locked(_) | SiteError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        SiteError::Config(_)
        | SiteError::NoConfig
        | SiteError::Store(_)
        | SiteError::Index(_)
        | SiteError::Task(_)
        | SiteError::Uploads(_)
        | SiteError::Remote(_)
        | SiteError::RemoteDenied(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl From<SiteError> for AppError {
    fn from(e: SiteError) -> Self {
        let (status, _) = classify(&e);
        let what = |s: &str| vec![("what", Arg::from(s.to_string()))];
        let message = match &e {
            SiteError::UnknownCollection(name) => Message::Key("error-no-collection", what(name)),
            SiteError::NotFound(name) => Message::Key("error-no-page", what(name)),
            SiteError::UnknownBase => Message::key("error-unknown-base"),
            SiteError::NotADocument(_) | SiteError::Edit(_) => {
                Message::Key("error-not-editable", what(&e.to_string()))
            }
            SiteError::Locked(_) => Message::key("error-locked"),
            SiteError::Busy => Message::key("error-busy"),
            SiteError::Conflict(c) => {
                let fields: Vec<String> = c.fields.iter().map(|f| f.field.clone()).collect();
                Message::Key("error-conflict", what(&fields.join(", ")))
            }
            SiteError::Stale(_) => Message::key("error-stale"),
            SiteError::Exists(name) => Message::Key("error-exists", what(name)),
            // One refused value: its own message, which says what is wrong;
            // several: each after its field's name. Said in the reader's language.
            SiteError::InvalidFields(f) if f.0.len() == 1 => f.0[0].1.clone(),
            SiteError::InvalidFields(f) => {
                let mut parts = vec![Message::key("error-invalid")];
                for (field, message) in &f.0 {
                    parts.push(Message::Text(format!("{field}:")));
                    parts.push(message.clone());
                }
                Message::Joined(parts)
            }
            SiteError::Unsupported(thing) => Message::Key("error-unsupported", what(thing)),
            SiteError::NotAllowed(action, _) => Message::key(if *action == "create" {
                "error-no-create"
            } else {
                "error-no-delete"
            }),
            _ => return AppError::internal("site", e),
        };
        match status {
            StatusCode::NOT_FOUND => AppError::NotFound(message),
            StatusCode::FORBIDDEN => AppError::Forbidden(message),
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
            AuthError::Fields(f) => AppError::BadRequest(f.to_string().into()),
            AuthError::LastAdmin => AppError::Conflict(Message::key("error-last-admin")),
            AuthError::DuplicateUser(_) | AuthError::NoSuchUser(_) => {
                AppError::BadRequest(e.to_string().into())
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
