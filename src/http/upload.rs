//! Forms that carry files (`multipart/form-data`): the media library's
//! upload, a document's form with an image or file field, and the API's
//! `POST /api/v1/media`. A form's `_csrf` comes first and is checked
//! before anything else is read (the API checks its caller before); each
//! file streams to a pending upload on disk, up to `--max-upload-bytes`;
//! the other fields are kept, up to `--max-body` in all, so that a refused
//! file never loses what the person typed.

use crate::http::AppError;
use crate::http::AppState;
use crate::i18n::Message;
use crate::site::SiteError;
use crate::site::uploads::{Keep, Pending};

/// What a multipart form sent.
pub struct Received {
    /// Its text fields, in order.
    pub texts: Vec<(String, String)>,
    /// Each file sent (by field name): kept pending, or why it was refused.
    pub files: Vec<(String, Result<Pending, SiteError>)>,
    /// A file was larger than `--max-upload-bytes` (and refused).
    pub too_large: bool,
}

impl Received {
    /// The text field `key`, if the form sent it.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The form field that asks to keep photos' metadata.
pub const KEEP_METADATA: &str = "keep_metadata";

/// The form field that asks for a resized copy of a large image.
pub const RESIZE: &str = "resize";

/// Who sends an upload: only they can commit it.
#[derive(Debug, Clone, Copy)]
pub struct Sender {
    pub user: Option<i64>,
    pub token: Option<i64>,
}

/// Whether a form's box `key` was ticked (`1`, or `true` from a script).
fn ticked(texts: &[(String, String)], key: &str) -> bool {
    texts
        .iter()
        .any(|(k, v)| k == key && (v == "1" || v == "true"))
}

/// A browser's form from the signed-in `current`, URL-encoded (no file) or
/// multipart (the fields named `is_file` are files), its CSRF token checked
/// either way.
pub async fn receive_form(
    state: &AppState,
    current: &crate::http::CurrentUser,
    request: axum::extract::Request,
    is_file: impl Fn(&str) -> bool,
) -> Result<Received, AppError> {
    use axum::extract::FromRequest;
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let crate::http::csrf::CsrfForm(texts) =
            crate::http::csrf::CsrfForm::<Vec<(String, String)>>::from_request(request, state)
                .await?;
        return Ok(Received {
            texts,
            files: Vec::new(),
            too_large: false,
        });
    }
    let headers = request.headers().clone();
    let form = axum::extract::Multipart::from_request(request, state)
        .await
        .map_err(|_| AppError::BadRequest(Message::key("error-bad-form")))?;
    let sender = Sender {
        user: Some(current.user.id),
        token: None,
    };
    receive(
        state,
        sender,
        Some(&current.session),
        &headers,
        form,
        is_file,
        Keep::default(),
    )
    .await
}

/// Reads a multipart form whose fields named `is_file` are files, sent by
/// `sender`. `session`: a browser's form, whose `_csrf` must come first.
/// `keep`: how its files are kept, besides what the form's boxes ask
/// (`keep_metadata`, `resize`).
pub async fn receive(
    state: &AppState,
    sender: Sender,
    session: Option<&tower_sessions::Session>,
    headers: &axum::http::HeaderMap,
    mut multipart: axum::extract::Multipart,
    is_file: impl Fn(&str) -> bool,
    keep: Keep,
) -> Result<Received, AppError> {
    if session.is_some() {
        crate::http::csrf::check_same_origin(headers)?;
    }
    let bad_form = || AppError::BadRequest(Message::key("error-bad-form"));
    let mut texts = Vec::new();
    let mut text_bytes = 0usize;
    let mut arrived = Vec::new();
    let mut refused: Vec<(String, Result<Pending, SiteError>)> = Vec::new();
    let mut checked = session.is_none();
    let mut over = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| bad_form())? {
        let name = field.name().unwrap_or_default().to_string();
        if !checked {
            // The token comes first: nothing else is read before it is checked.
            let token = if name == "_csrf" {
                field.text().await.ok()
            } else {
                None
            };
            let valid = match session {
                Some(s) => crate::http::csrf::is_valid(s, token.as_deref()).await?,
                None => true,
            };
            if !valid {
                return Err(AppError::Forbidden(Message::key("error-csrf")));
            }
            checked = true;
            continue;
        }
        if !is_file(&name) {
            let text = field.text().await.map_err(|_| bad_form())?;
            text_bytes += text.len() + name.len();
            if text_bytes > state.max_body {
                return Err(AppError::PayloadTooLarge(crate::http::csrf::too_large(
                    state.max_body,
                )));
            }
            texts.push((name, text));
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_string();
        let mut incoming = state
            .site
            .begin_upload(state.max_upload)
            .await
            .map_err(AppError::from)?;
        let mut drained = 0usize;
        while let Some(chunk) = field.chunk().await.map_err(|_| bad_form())? {
            if incoming.too_large() {
                // Past the limit: the rest is read and dropped (up to as much
                // again), so the answer reaches the browser on a connection
                // still in step, with the form's other values; beyond, it ends.
                drained += chunk.len();
                if drained > state.max_upload {
                    return Err(AppError::PayloadTooLarge(too_large(state.max_upload)));
                }
                continue;
            }
            incoming
                .push(&chunk)
                .await
                .map_err(|e| AppError::from(SiteError::io(e)))?;
        }
        if incoming.too_large() {
            over = true;
            let refusal = crate::site::uploads::refusal(too_large(state.max_upload));
            refused.push((name, Err(refusal)));
        } else if file_name.is_empty() && incoming.size() == 0 {
            // A file box left empty: nothing was chosen.
        } else {
            arrived.push((name, file_name, incoming));
        }
    }
    if !checked {
        return Err(AppError::Forbidden(Message::key("error-csrf")));
    }
    let keep = Keep {
        metadata: keep.metadata || ticked(&texts, KEEP_METADATA),
        resize: keep
            .resize
            .or_else(|| ticked(&texts, RESIZE).then_some(state.max_image_pixels)),
    };
    let mut files = refused;
    for (name, file_name, incoming) in arrived {
        let kept = state
            .site
            .receive(incoming, file_name, sender.user, sender.token, keep)
            .await;
        files.push((name, kept));
    }
    Ok(Received {
        texts,
        files,
        too_large: over,
    })
}

/// A raw body (the file itself, named `name`), streamed to a pending
/// upload as [`receive`] does a form's file; past the limit, refused at
/// once.
pub async fn receive_body(
    state: &AppState,
    sender: Sender,
    name: String,
    keep: Keep,
    body: axum::body::Body,
) -> Result<Received, AppError> {
    use futures_util::StreamExt;
    let mut incoming = state.site.begin_upload(state.max_upload).await?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest(Message::key("error-bad-form")))?;
        incoming
            .push(&chunk)
            .await
            .map_err(|e| AppError::from(SiteError::io(e)))?;
        if incoming.too_large() {
            return Err(AppError::PayloadTooLarge(too_large(state.max_upload)));
        }
    }
    let kept = state
        .site
        .receive(incoming, name, sender.user, sender.token, keep)
        .await;
    Ok(Received {
        texts: Vec::new(),
        files: vec![("file".into(), kept)],
        too_large: false,
    })
}

/// Why an upload over `limit` bytes was refused, naming the limit.
pub fn too_large(limit: usize) -> Message {
    use crate::i18n::ToArg;
    Message::Key("media-too-large", vec![("size", megabytes(limit).to_arg())])
}

/// `bytes` in MB, to a tenth, as the upload's limit is said.
pub fn megabytes(bytes: usize) -> f64 {
    (bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0
}
