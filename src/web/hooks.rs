//! `POST /hooks/push`: the remote's push webhook (GitHub, GitLab, Gitea),
//! checked against `--webhook-secret`, makes Cairn fetch at once. Anything
//! unsigned, wrongly signed, or with webhooks off answers 401.

use crate::auth::secrets_match_bytes;
use crate::http::AppError;
use crate::http::AppState;
use crate::site::publish::RemoteChange;
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
    let pushed = pushed_ref(&headers, &body);
    let answer = match state.site.remote_changed(pushed.as_deref()) {
        RemoteChange::Fetching => "Fetching the remote's changes.\n",
        RemoteChange::OtherBranch => {
            "The push was to another branch than the one Cairn publishes; nothing to fetch.\n"
        }
        RemoteChange::NoRemote => "This site does not publish to a remote; nothing to fetch.\n",
    };
    Ok((StatusCode::ACCEPTED, answer).into_response())
}

/// The ref a push webhook names (`refs/heads/main`): the `ref` member of
/// GitHub's, GitLab's and Gitea's push payloads, sent as JSON or (GitHub)
/// as a form's `payload`. `None` when the body names none (a ping, another
/// forge): the remote is fetched then, to be safe.
fn pushed_ref(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Push {
        #[serde(rename = "ref")]
        pushed: Option<String>,
    }
    let form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let push: Push = if form {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        let (_, payload) = fields.into_iter().find(|(k, _)| k == "payload")?;
        serde_json::from_str(&payload).ok()?
    } else {
        serde_json::from_slice(body).ok()?
    };
    push.pushed
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
    fn the_pushed_ref_is_read_from_json_and_from_githubs_form() {
        let json = with("content-type", "application/json");
        assert_eq!(
            pushed_ref(&json, br#"{"ref":"refs/heads/main","before":"0"}"#).as_deref(),
            Some("refs/heads/main")
        );
        assert_eq!(pushed_ref(&json, br#"{"zen":"ping"}"#), None);
        assert_eq!(pushed_ref(&json, b"not json"), None);
        let form = with("content-type", "application/x-www-form-urlencoded");
        assert_eq!(
            pushed_ref(
                &form,
                b"payload=%7B%22ref%22%3A%22refs%2Fheads%2Fdraft%22%7D"
            )
            .as_deref(),
            Some("refs/heads/draft")
        );
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
