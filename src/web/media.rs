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
    let name = file.path.rsplit('/').next().unwrap_or("file").to_string();
    Ok(serve(
        file.bytes.into(),
        file.kind,
        &name,
        Some(file.blob.to_string()),
    ))
}

/// `GET /media/pending/{id}`: a file its sender chose on a form and has
/// not saved yet, to them only (its thumbnail beside the form's field),
/// with the same safe headers.
pub(super) async fn pending(
    State(state): State<AppState>,
    current: crate::http::CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let not_found = || AppError::NotFound(crate::i18n::Message::key("error-no-route"));
    let (pending, bytes) = state
        .site
        .pending_bytes(&id, Some(current.user.id))
        .await?
        .ok_or_else(not_found)?;
    Ok(serve(bytes, pending.kind(), &pending.name, None))
}

/// A media file's answer: the type its bytes say, a policy that runs
/// nothing, inline only for a raster image.
fn serve(
    bytes: bytes::Bytes,
    kind: Option<crate::content::media::MediaType>,
    name: &str,
    etag: Option<String>,
) -> Response {
    let mime = kind.map_or("application/octet-stream", |k| k.mime);
    let inline = kind.is_some_and(|k| k.raster);
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
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(MEDIA_POLICY),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Some(v) = etag.and_then(|e| HeaderValue::from_str(&format!("\"{e}\"")).ok()) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    response
}

/// Files on one page of the library.
const PER_PAGE: usize = 100;

/// One file as the library shows it.
struct FileView {
    path: String,
    /// Where it is served (`/media/file/...`, each segment encoded).
    url: String,
    name: String,
    public: String,
    thumbnail: bool,
    size: String,
    dimensions: Option<String>,
    /// Each document that uses it: its page and title.
    used_by: Vec<(String, String)>,
}

#[derive(askama::Template)]
#[template(path = "media.html")]
struct MediaPage {
    ctx: crate::http::page::Layout,
    folders: String,
    /// The folders an upload can go to.
    folder_choices: Vec<String>,
    /// Editors and administrators may add files.
    can_upload: bool,
    /// What the upload accepts, and up to what size.
    upload_hint: String,
    /// The "resized copy" box's words.
    resize_label: String,
    total: usize,
    files: Vec<FileView>,
    range: Option<String>,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct PageQuery {
    page: Option<usize>,
}

/// A size as people read it, in the reader's language.
fn size_text(bytes: u64, lang: crate::i18n::Lang) -> String {
    use crate::i18n::ToArg;
    let b = bytes as f64;
    if bytes < 1024 {
        lang.t_with("media-bytes", &[("n", b.to_arg())])
    } else if bytes < 1024 * 1024 {
        lang.t_with("media-kb", &[("n", (b / 1024.0).round().to_arg())])
    } else {
        lang.t_with(
            "media-mb",
            &[("n", crate::http::upload::megabytes(bytes as usize).to_arg())],
        )
    }
}

/// `GET /media`: the media library, 100 files a page.
pub(super) async fn library(
    State(state): State<AppState>,
    current: crate::http::CurrentUser,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Result<Response, AppError> {
    use crate::i18n::ToArg;
    let lang = current.lang;
    let page = q.page.unwrap_or(1).max(1);
    let start = (page - 1).saturating_mul(PER_PAGE);
    let library = state
        .site
        .media_library(start..start.saturating_add(PER_PAGE))
        .await?;
    let page = library.first / PER_PAGE + 1;
    let pages = library.total.div_ceil(PER_PAGE).max(1);
    let files = library
        .files
        .iter()
        .map(|f| FileView {
            path: f.path.clone(),
            url: super::media_url(&f.path),
            name: f.path.rsplit('/').next().unwrap_or(&f.path).to_string(),
            public: f.public.clone(),
            thumbnail: f.kind.is_some_and(|k| k.raster),
            size: size_text(f.size, lang),
            dimensions: f.dimensions.map(|(w, h)| {
                lang.t_with("media-dimensions", &[("w", w.to_arg()), ("h", h.to_arg())])
            }),
            used_by: f
                .used_by
                .iter()
                .map(|u| (super::document_url(&u.collection, &u.slug), u.title.clone()))
                .collect(),
        })
        .collect::<Vec<_>>();
    let range = (pages > 1).then(|| {
        lang.t_with(
            "collection-range",
            &[
                ("first", (library.first + 1).to_arg()),
                ("last", (library.first + files.len()).to_arg()),
                ("total", library.total.to_arg()),
            ],
        )
    });
    let page_href = |n: usize| format!("/media?page={n}");
    crate::http::page::render(&MediaPage {
        ctx: crate::http::page::Layout::signed_in(&current).await?,
        folders: library.folders.join(", "),
        folder_choices: library.folders.clone(),
        can_upload: current.user.role.can_edit(),
        upload_hint: lang.t_with(
            "media-upload-hint",
            &[(
                "size",
                crate::http::upload::megabytes(state.max_upload).to_arg(),
            )],
        ),
        resize_label: super::media_field::resize_label(state.max_image_pixels, lang),
        total: library.total,
        files,
        range,
        previous: (page > 1).then(|| page_href(page - 1)),
        next: (page < pages).then(|| page_href(page + 1)),
    })
    .map(IntoResponse::into_response)
}

/// `POST /media` (multipart): adds one file to a media folder, its own
/// commit by the editor. The form sends `_csrf` first, then `folder`,
/// `replace` and `keep_metadata`, then `file`, read up to
/// `--max-upload-bytes` and no further.
pub(super) async fn upload(
    State(state): State<AppState>,
    current: crate::http::CurrentUser,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    use crate::i18n::{Message, ToArg};
    let lang = current.lang;
    let received =
        crate::http::upload::receive_form(&state, &current, request, |n| n == "file").await?;
    if received.too_large {
        return Err(AppError::PayloadTooLarge(crate::http::upload::too_large(
            state.max_upload,
        )));
    }
    let folder = received
        .text("folder")
        .map(|v| v.chars().take(300).collect::<String>());
    let replace = received.text("replace") == Some("1");
    let Some((_, kept)) = received.files.into_iter().next() else {
        return Err(AppError::Unprocessable(Message::key("media-no-file")));
    };
    let pending = kept?;
    let added = state
        .site
        .add_media(
            folder,
            pending.id,
            replace,
            super::author_of(&current),
            state.clock.now(),
        )
        .await?;
    let text = lang.t_with("media-added", &[("path", added.public.to_arg())]);
    crate::http::session::set_flash(&current.session, text).await?;
    Ok(axum::response::Redirect::to("/media").into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct DeleteForm {
    path: String,
}

/// `POST /media/delete`: deletes one file of the library (one commit by
/// the editor), unless a page still uses it.
pub(super) async fn delete(
    State(state): State<AppState>,
    current: crate::http::CurrentUser,
    crate::http::csrf::CsrfForm(form): crate::http::csrf::CsrfForm<DeleteForm>,
) -> Result<Response, AppError> {
    use crate::i18n::ToArg;
    match state
        .site
        .delete_media(
            form.path.clone(),
            super::author_of(&current),
            state.clock.now(),
        )
        .await
    {
        Ok(_) => {
            let text = current
                .lang
                .t_with("media-deleted", &[("path", form.path.as_str().to_arg())]);
            crate::http::session::set_flash(&current.session, text).await?;
            Ok(axum::response::Redirect::to("/media").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub(super) struct RenameForm {
    path: String,
    name: String,
}

/// `POST /media/rename`: renames one file of the library, and its address
/// in every page that uses it (one commit by the editor).
pub(super) async fn rename(
    State(state): State<AppState>,
    current: crate::http::CurrentUser,
    crate::http::csrf::CsrfForm(form): crate::http::csrf::CsrfForm<RenameForm>,
) -> Result<Response, AppError> {
    use crate::i18n::ToArg;
    let renamed = state
        .site
        .rename_media(
            form.path.clone(),
            form.name.chars().take(300).collect(),
            super::author_of(&current),
            state.clock.now(),
        )
        .await?;
    let text = current.lang.t_with(
        "media-renamed",
        &[
            ("from", form.path.as_str().to_arg()),
            ("path", renamed.public.as_str().to_arg()),
        ],
    );
    crate::http::session::set_flash(&current.session, text).await?;
    Ok(axum::response::Redirect::to("/media").into_response())
}
