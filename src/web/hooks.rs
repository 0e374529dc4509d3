//! `POST /hooks/push`: the remote's push webhook (GitHub, GitLab, Gitea),
//! checked against `--webhook-secret`, makes Cairn fetch at once. Anything
//! unsigned, wrongly signed, or with webhooks off answers 401.

use crate::auth::secrets_match_bytes;
use crate::http::AppError;
use crate::http::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Whether the request carries a valid signature or token for `secret`.
fn verified(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let hmac_hex = |hex: &str| -> bool {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(body);
        let expected = crate::auth::hex(&mac.finalize().into_bytes());
        secrets_match_bytes(
            expected.as_bytes(),
            hex.trim().to_ascii_lowercase().as_bytes(),
        )
    };
    if let Some(sig) = header("x-hub-signature-256") {
        // GitHub
        return sig.strip_prefix("sha256=").is_some_and(hmac_hex);
    }
    if let Some(sig) = header("x-gitea-signature").or_else(|| header("x-gogs-signature")) {
        return hmac_hex(sig);
    }
    if let Some(token) = header("x-gitlab-token") {
        return secrets_match_bytes(token.as_bytes(), secret.as_bytes());
    }
    false
}

pub(super) async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let ok = state
        .webhook_secret
        .as_deref()
        .is_some_and(|secret| verified(secret, &headers, &body));
    if !ok {
        tracing::warn!("a push webhook was refused (no or wrong signature)");
        return Ok((
            StatusCode::UNAUTHORIZED,
            "This webhook is not signed with the site's secret.\n",
        )
            .into_response());
    }
    let fetching = state.site.remote_changed();
    Ok((
        StatusCode::ACCEPTED,
        if fetching {
            "Fetching the remote's changes.\n"
        } else {
            "This site does not publish to a remote; nothing to fetch.\n"
        },
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &'static str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            name,
            HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
        );
        h
    }

    #[test]
    fn signatures_of_each_forge_are_checked() {
        // A well-formed signature that is not the body's.
        let sig = "c7c9b5c17b1f5b0d5c1f4ba1bd0f5b0ab4a4f4ec1b2ac1cdff8b4c3e2d1f0a9b";
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").expect("key");
        mac.update(b"{}");
        let real = crate::auth::hex(&mac.finalize().into_bytes());
        assert!(verified(
            "secret",
            &with("x-hub-signature-256", &format!("sha256={real}")),
            b"{}"
        ));
        assert!(!verified(
            "secret",
            &with("x-hub-signature-256", &format!("sha256={sig}")),
            b"{}"
        ));
        assert!(
            !verified("secret", &with("x-hub-signature-256", &real), b"{}"),
            "prefix needed"
        );
        assert!(verified("secret", &with("x-gitea-signature", &real), b"{}"));
        assert!(
            !verified("secret", &with("x-gitea-signature", &real), b"{ }"),
            "body signed"
        );
        assert!(verified("secret", &with("x-gitlab-token", "secret"), b"{}"));
        assert!(!verified(
            "secret",
            &with("x-gitlab-token", "Secret"),
            b"{}"
        ));
        assert!(!verified("secret", &HeaderMap::new(), b"{}"));
    }
}
