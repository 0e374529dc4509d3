//! `/media/file/{path}`: a media file of the site, served from the branch
//! tip to signed-in users, safely: the type its bytes say (never its name),
//! `nosniff`, a policy that runs no script (an SVG's included), and a
//! download for anything that is not a raster image.

use crate::http::AppError;
use crate::http::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// Nothing from the file runs: no script, no plugin, no form, no frame.
const MEDIA_POLICY: &str = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

pub(super) async fn file(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(crate::i18n::Message::key("error-no-route"));
    let file = state.site.media_file(&path).await?.ok_or_else(not_found)?;
    let mime = file.kind.map_or("application/octet-stream", |k| k.mime);
    let inline = file.kind.is_some_and(|k| k.raster);
    let name = file.path.rsplit('/').next().unwrap_or("file");
    // The name is already a path segment of the site's; quotes and
    // controls are dropped from the header all the same.
    let safe: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    let disposition = if inline {
        format!("inline; filename=\"{safe}\"")
    } else {
        format!("attachment; filename=\"{safe}\"")
    };
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(MEDIA_POLICY),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", file.blob)) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    Ok(response)
}
