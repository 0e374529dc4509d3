//! Cairn: a self-hosted, headless CMS for Jekyll sites whose storage is git.
//!
//! Layers, arrows pointing down only:
//!
//! - the edge, the only code that knows axum: `web` (the admin, one file per
//!   screen) and `api` (the JSON API), both on `http` (the state, the one
//!   table from domain errors to statuses and its HTML and problem+json
//!   renderings, sessions, CSRF, the client's address, security headers);
//! - the domain: `site` (the one edit pipeline both faces use, history,
//!   publishing), `builds` (static builds after publishing), `preview`
//!   (a page built by the site's Jekyll with an edit not saved yet), `auth`
//!   (accounts, passwords, tokens, roles, throttling, the security log);
//! - below them: `content` (Jekyll and YAML, on bytes), `git` (the only
//!   code that touches git2), `db` (sqlx queries), `i18n` (the message
//!   catalogues and the choice of language), `clock` and `shutdown`;
//! - around them: `config` (the command line), `server` (`cairn serve`:
//!   open, start the background work, serve, stop), `commands` (the other
//!   subcommands).

pub mod api;
pub mod auth;
pub mod builds;
pub mod clock;
pub mod commands;
pub mod config;
pub mod content;
pub mod db;
pub mod git;
pub mod http;
pub mod i18n;
pub mod preview;
pub mod search;
pub mod server;
pub mod shutdown;
pub mod site;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use http::AppState;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// The whole application, ready to serve. Tests drive it through this too.
pub fn app(state: AppState) -> Router {
    let store = SqliteStore::new(state.db.clone());
    let policy = state.sessions;
    // The store's own expiry (on the wall clock) only cleans up; the
    // timeouts are enforced in `auth::session::resolve`, on `state.clock`.
    let sessions = SessionManagerLayer::new(store)
        .with_name(policy.cookie_name())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(policy.secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(policy.idle_secs),
        ));
    let max_body = state.max_body;
    let cors = cors_layer(&state.api.cors_origins);
    web::router(&state)
        .merge(api::router(&state))
        .fallback(http::not_found)
        .layer(axum::middleware::from_fn(http::error::render_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::lang::choose,
        ))
        .layer(axum::middleware::from_fn(http::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::client::resolve,
        ))
        .layer(cors)
        .layer(sessions)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(
            // Paths only: query strings can hold one-time tokens.
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state)
}

/// Cross-origin calls to the API from the configured origins (none by default).
fn cors_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use axum::http::{HeaderName, HeaderValue, Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, parts| {
            parts.uri.path().starts_with("/api/") && allowed.iter().any(|a| a == origin)
        }))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            HeaderName::from_static("retry-after"),
        ])
}
