//! CSRF protection: a per-session synchronizer token in every form (the
//! login form included), compared in constant time, and a check that the
//! request comes from this site (`Origin`, `Sec-Fetch-Site`).

use super::AppError;
use super::error::Message;
use super::state::MaxBody;
use crate::auth::{random_token, secrets_match};
use crate::i18n::ToArg;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_sessions::Session;

pub(super) const KEY: &str = "csrf";

/// The session's CSRF token, created on first use.
pub async fn token(session: &Session) -> Result<String, AppError> {
    if let Some(t) = session.get::<String>(KEY).await? {
        return Ok(t);
    }
    renew(session).await
}

/// Whether `given` is the session's token (compared in constant time); a
/// session without a token accepts none. Forms and the API's session
/// writes both check through here.
pub async fn is_valid(session: &Session, given: Option<&str>) -> Result<bool, AppError> {
    let expected = session.get::<String>(KEY).await?;
    Ok(tokens_match(given, expected.as_deref()))
}

/// Whether a token sent matches the one expected (none expected: none
/// matches), in constant time.
pub fn tokens_match(given: Option<&str>, expected: Option<&str>) -> bool {
    matches!((given, expected), (Some(g), Some(e)) if secrets_match(g, e))
}

/// The `_csrf` field of a URL-encoded form, if it has one.
pub fn form_token(body: &[u8]) -> Result<Option<String>, AppError> {
    let given: TokenField = serde_urlencoded::from_bytes(body).map_err(|e| {
        tracing::info!(error = %e, "a form could not be read");
        AppError::BadRequest(Message::key("error-bad-form"))
    })?;
    Ok(given.csrf)
}

/// Replaces the session's token (at login).
pub async fn renew(session: &Session) -> Result<String, AppError> {
    let t = random_token(32)?;
    session.insert(KEY, t.clone()).await?;
    Ok(t)
}

/// A URL-encoded form whose `_csrf` field matched the session's token and
/// that came from this site. Every state-changing form handler takes one.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct TokenField {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// Why a form was refused: expired, or not from this site.
fn refused() -> AppError {
    AppError::Forbidden(Message::key("error-csrf"))
}

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    MaxBody: FromRef<S>,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let (mut parts, body) = req.into_parts();
        check_same_origin(&parts.headers)?;
        let form_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !form_type {
            return Err(AppError::BadRequest(Message::key("error-not-a-form")));
        }
        let session = super::session::session_of(&mut parts).await?;
        let MaxBody(limit) = MaxBody::from_ref(state);
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| AppError::PayloadTooLarge(too_large(limit)))?;
        let given = form_token(&bytes)?;
        if !is_valid(&session, given.as_deref()).await? {
            return Err(refused());
        }
        let value = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            tracing::info!(error = %e, "a form could not be read");
            AppError::BadRequest(Message::key("error-bad-form"))
        })?;
        Ok(CsrfForm(value))
    }
}

/// Why a body over `limit` bytes was refused, with the limit in MB (or KB
/// under one MB) as people read it.
pub fn too_large(limit: usize) -> Message {
    const MB: usize = 1024 * 1024;
    if limit >= MB {
        Message::Key("error-too-large-mb", vec![("size", (limit / MB).to_arg())])
    } else {
        Message::Key(
            "error-too-large-kb",
            vec![("size", limit.div_ceil(1024).to_arg())],
        )
    }
}

/// Refuses requests a browser marks as cross-site, or whose `Origin` is not
/// this host.
pub fn check_same_origin(headers: &HeaderMap) -> Result<(), AppError> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(refused());
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin = origin.to_str().unwrap_or("null");
        let same = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|o| !host.is_empty() && o.eq_ignore_ascii_case(host));
        if !same {
            return Err(refused());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_must_be_this_host() {
        assert!(check_same_origin(&headers(&[("host", "a:3000")])).is_ok());
        assert!(
            check_same_origin(&headers(&[("host", "a:3000"), ("origin", "http://a:3000")])).is_ok()
        );
        assert!(
            check_same_origin(&headers(&[("host", "a:3000"), ("origin", "http://evil")])).is_err()
        );
        assert!(check_same_origin(&headers(&[("host", "a:3000"), ("origin", "null")])).is_err());
        assert!(check_same_origin(&headers(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(check_same_origin(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
    }
}
