//! The media library over the API (issue 16): `POST /api/v1/media` (a
//! multipart form with `file`, or the raw file with `?filename=`), `GET
//! /api/v1/media` (the library, paginated) and `DELETE
//! /api/v1/media/{path}`, with the admin's checks. `?pending=true` keeps
//! the file uncommitted and answers its `upload` id: a write of an entry
//! that names it (`"uploads": {"featured_img": "<id>"}`) commits both in
//! one commit.

use super::Caller;
use crate::http::upload::{self, Sender};
use crate::http::{AppError, AppState, Problem};
use crate::site::uploads::{Keep, Pending};
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct UploadQuery {
    /// The file's name, for a raw body.
    filename: Option<String>,
    folder: Option<String>,
    #[serde(default)]
    replace: bool,
    #[serde(default)]
    keep_metadata: bool,
    /// Resize an image larger than `--max-image-pixels`.
    #[serde(default)]
    resize: bool,
    /// Keep it pending (not committed), for an entry's write to name.
    #[serde(default)]
    pending: bool,
}

/// `POST /api/v1/media`.
pub(super) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    super::ApiQuery(q): super::ApiQuery<UploadQuery>,
    request: Request,
) -> Result<Response, Problem> {
    let author = caller.author()?;
    let sender = Sender {
        user: author.user_id,
        token: author.token_id,
    };
    let keep = Keep {
        metadata: q.keep_metadata,
        resize: q.resize.then_some(state.max_image_pixels),
    };
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let received = if multipart {
        let headers = request.headers().clone();
        let form = axum::extract::Multipart::from_request(request, &state)
            .await
            .map_err(|_| Problem::bad_request("The body is not a multipart form."))?;
        upload::receive(&state, sender, None, &headers, form, |n| n == "file", keep).await?
    } else {
        let Some(name) = q.filename.clone() else {
            return Err(Problem::invalid(vec![(
                "filename".into(),
                "send the file as a multipart form (`file`), or raw with `?filename=`".into(),
            )]));
        };
        upload::receive_body(&state, sender, name, keep, request.into_body()).await?
    };
    if received.too_large {
        return Err(AppError::PayloadTooLarge(upload::too_large(state.max_upload)).into());
    }
    let folder = q
        .folder
        .clone()
        .or_else(|| received.text("folder").map(str::to_string));
    let replace = q.replace
        || received
            .text("replace")
            .is_some_and(|v| v == "1" || v == "true");
    let Some((_, kept)) = received.files.into_iter().next() else {
        return Err(Problem::invalid(vec![(
            "file".into(),
            "send the file in a `file` part".into(),
        )]));
    };
    let pending = kept?;
    if q.pending {
        return Ok((StatusCode::CREATED, axum::Json(pending_out(&pending))).into_response());
    }
    let added = state
        .site
        .add_media(folder, pending.id, replace, author, state.clock.now())
        .await?;
    let mut response = (
        StatusCode::CREATED,
        axum::Json(json!({
            "path": added.path,
            "public": added.public,
            "commit": added.commit.as_str(),
        })),
    )
        .into_response();
    if let Ok(v) = header::HeaderValue::from_str(&crate::http::media_url(&added.path)) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    Ok(response)
}

/// A pending upload as the API shows it.
fn pending_out(p: &Pending) -> serde_json::Value {
    json!({
        "upload": p.id,
        "name": p.name,
        "type": p.kind().map(|k| k.mime),
        "size": p.size,
        "width": p.dimensions.map(|d| d.0),
        "height": p.dimensions.map(|d| d.1),
        "metadata_removed": p.stripped,
        "resized_from": p.resized_from.map(|(w, h)| json!({"width": w, "height": h})),
    })
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ListQuery {
    #[serde(default = "first_page")]
    page: usize,
    #[serde(default = "per_page")]
    per_page: usize,
}

fn first_page() -> usize {
    1
}

fn per_page() -> usize {
    100
}

/// `GET /api/v1/media`: the library's files, sorted by path.
pub(super) async fn list(
    State(state): State<AppState>,
    super::ApiQuery(q): super::ApiQuery<ListQuery>,
) -> Result<Response, Problem> {
    let per = q.per_page.clamp(1, 500);
    let start = q.page.max(1).saturating_sub(1).saturating_mul(per);
    let library = state
        .site
        .media_library(start..start.saturating_add(per))
        .await?;
    let files: Vec<serde_json::Value> = library
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path,
                "public": f.public,
                "url": crate::http::media_url(&f.path),
                "size": f.size,
                "type": f.kind.map(|k| k.mime),
                "width": f.dimensions.map(|d| d.0),
                "height": f.dimensions.map(|d| d.1),
                "used_by": f.used_by.iter().map(|u| json!({
                    "collection": u.collection,
                    "slug": u.slug,
                    "title": u.title,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(axum::Json(json!({
        "folders": library.folders,
        "total": library.total,
        "page": library.first / per + 1,
        "per_page": per,
        "files": files,
    }))
    .into_response())
}

/// `DELETE /api/v1/media/{path}`: refused (422, with the pages) while an
/// entry uses the file.
pub(super) async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(path): Path<String>,
) -> Result<Response, Problem> {
    let commit = state
        .site
        .delete_media(path.clone(), caller.author()?, state.clock.now())
        .await?;
    Ok(axum::Json(json!({"path": path, "commit": commit.as_str()})).into_response())
}
