//! The server-rendered admin interface: one file per screen, each with a
//! `router()`. Handlers call `site` and `auth`; none opens a repository.

mod account;
mod assets;
mod collections;
mod dashboard;
mod documents;
mod health;
pub(crate) mod history;
mod hooks;
mod layout;
mod login;
pub mod routes;
mod security_log;
mod set_password;
mod setup;
mod tokens;
mod users;

use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;

pub use layout::render;

/// The signed-in user as the author of the commits they make: name and
/// email from the database, never from the form.
fn author_of(current: &crate::auth::CurrentUser) -> crate::site::Author {
    crate::site::Author {
        user_id: Some(current.user.id),
        token_id: None,
        identity: current.user.identity(),
    }
}

/// Every admin route, each behind the route table's access check. The
/// application adds the fallback and the security headers (`crate::app`).
pub fn router(state: &AppState) -> Router<AppState> {
    routes::router().route_layer(middleware::from_fn_with_state(
        state.clone(),
        routes::authorize,
    ))
}

/// The client's address as seen on the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip()),
        ))
    }
}

impl ClientAddress {
    /// `who` acting from this address, for the security log.
    pub fn actor(self, who: &str) -> crate::auth::audit::Actor {
        crate::auth::audit::Actor {
            name: who.to_string(),
            address: self.0.to_string(),
        }
    }
}

/// No route here: a page for browsers, problem+json under `/api/`.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        crate::api::problem::Problem::not_found("There is no API route at this address.")
            .into_response()
    } else {
        AppError::NotFound("There is no page at this address.".into()).into_response()
    }
}

/// Headers on every answer, errors included: no inline script, no framing,
/// no sniffing, and nothing signed-in kept in caches.
pub async fn security_headers(request: Request, next: Next) -> Response {
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
    // The API sets its own cache policy (ETags); everything else is no-store.
    if !is_asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
