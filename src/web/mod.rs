//! The server-rendered admin interface: one file per screen, each with a
//! `router()`. Handlers call `site` and `auth`; none opens a repository.

mod assets;
mod collections;
mod dashboard;
mod documents;
mod health;
pub(crate) mod history;
mod layout;
mod login;
mod setup;

use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;

pub use layout::render;

/// The signed-in user as the author of the commits they make: name and
/// email from the database, never from the form.
fn author_of(current: &crate::auth::CurrentUser) -> crate::site::Author {
    crate::site::Author {
        user_id: current.user.id,
        identity: crate::site::Identity {
            name: current.user.display_name.clone(),
            email: current.user.email.clone(),
        },
    }
}

/// Every admin route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(setup::router())
        .merge(dashboard::router())
        .merge(collections::router())
        .merge(documents::router())
        .merge(history::router())
        .merge(health::router())
        .merge(assets::router())
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
}

async fn not_found() -> AppError {
    AppError::NotFound("There is no page at this address.".into())
}

/// Headers on every answer, errors included: no inline script, no framing,
/// no sniffing, and nothing signed-in kept in caches.
async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_asset {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
