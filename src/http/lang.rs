//! The language of each request: the account's choice (put in by the route
//! check once the user is known), else the browser's `Accept-Language`,
//! else the site's default.

use super::AppState;
use crate::i18n::Lang;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;

/// The browser's language, if it names one the interface has.
pub fn of_browser(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Lang::from_accept_language)
}

/// Puts the request's language in its extensions, for every answer,
/// errors included.
pub async fn choose(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let lang = of_browser(request.headers()).unwrap_or(state.default_language);
    request.extensions_mut().insert(lang);
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Lang>().copied().unwrap_or_default())
    }
}
