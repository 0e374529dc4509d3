//! The HTTP edge both faces share (the admin in `web`, the JSON API in
//! `api`): the state every handler reaches, the one table from domain
//! errors to statuses and its two renderings (an HTML page, problem+json),
//! the session and CSRF extractors, the client's address, the answer when
//! no route matches, and the security headers on every answer. Everything
//! that knows axum and is not one screen or one resource lives here;
//! nothing below this layer names axum.

pub mod client;
pub mod csrf;
pub mod error;
pub mod lang;
pub mod page;
pub mod problem;
pub mod session;
pub mod state;
pub mod upload;

pub use client::ClientAddress;
pub use error::AppError;
pub use problem::Problem;
pub use session::CurrentUser;
pub use state::{ApiSettings, AppState};

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// No route here: a page for browsers, problem+json under `/api/`.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        Problem::not_found("There is no API route at this address.").into_response()
    } else {
        AppError::NotFound(error::Message::key("error-no-route")).into_response()
    }
}

/// Headers on every answer, errors included: no inline script, no framing,
/// no sniffing, and nothing signed-in kept in caches.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A handler may set a stricter policy (a media file's).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // A preview of the site may be framed by Cairn's own pages.
    if !headers.contains_key(header::X_FRAME_OPTIONS) {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    // The API sets its own cache policy (ETags); everything else is no-store.
    if !is_asset && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The address a media file of the site is served at to signed-in users.
pub(crate) fn media_url(path: &str) -> String {
    let segments: Vec<String> = path.split('/').map(url_slug).collect();
    format!("/media/file/{}", segments.join("/"))
}

/// A document's slug as one segment of an address: a document in a folder
/// (`configuration/options`) has its `/` written `%2F`, so its pages keep
/// the shape `/collections/{collection}/{slug}/...`.
pub(crate) fn url_slug(slug: &str) -> String {
    use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'`')
        .add(b'{')
        .add(b'}');
    utf8_percent_encode(slug, SEGMENT).to_string()
}
