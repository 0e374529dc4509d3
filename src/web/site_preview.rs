//! `/site-preview/{key}/...`: what the site's Jekyll built for a preview.
//! The page itself (`?page=` its id) goes only to the person who asked for
//! it; the built site's files beside it (stylesheets, images, scripts) to
//! whoever has the server's preview key, since the frame that shows the
//! page runs in a sandbox and sends no cookie. Everything here is answered
//! with a sandboxing policy, so the site's scripts run in an origin of
//! their own and cannot reach the admin.

use crate::http::AppError;
use crate::http::AppState;
use crate::http::session::{self, Signed};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Scripts run, in an origin of their own; only Cairn's pages may frame it.
const PREVIEW_POLICY: &str = "sandbox allow-scripts allow-popups; frame-ancestors 'self'";

#[derive(Debug, serde::Deserialize)]
pub(super) struct Which {
    page: Option<String>,
}

pub(super) async fn file(
    State(state): State<AppState>,
    session: Session,
    Path((key, path)): Path<(String, String)>,
    Query(which): Query<Which>,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(crate::i18n::Message::key("error-no-route"));
    let previews = &state.previews;
    if !previews.is_key(&key) {
        return Err(not_found());
    }
    let (file, mime) = match which.page {
        Some(id) => {
            let Signed::In(user) = session::resolve_session(&session, &state).await? else {
                return Err(not_found());
            };
            let file = previews.page(&id, user.id).ok_or_else(not_found)?;
            (file, "text/html; charset=utf-8".to_string())
        }
        None => {
            let file = previews.site_file(&path).ok_or_else(not_found)?;
            let mime = mime_guess::from_path(&file)
                .first_raw()
                .unwrap_or("application/octet-stream");
            let mime = if mime.starts_with("text/") || mime == "application/javascript" {
                format!("{mime}; charset=utf-8")
            } else {
                mime.to_string()
            };
            (file, mime)
        }
    };
    let bytes = tokio::fs::read(&file).await.map_err(|_| not_found())?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&mime) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PREVIEW_POLICY),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    Ok(response)
}
