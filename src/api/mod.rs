//! The headless JSON API under `/api/v1`: the same site service as the
//! admin (same lossless writes, same commits, same history), with bearer
//! tokens or the browser session, ETags, and problem+json errors.
//!
//! One table (`routes`) lists every route with whether it writes; the
//! router, the access check and the OpenAPI document are all made from it.

mod entries;
mod history;
mod media;
mod openapi;
mod search;
mod status;

use crate::auth::{Role, tokens};
use crate::http::AppState;
use crate::http::Problem;
use crate::http::{csrf, session};
use crate::site::{Author, Identity};
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use std::sync::LazyLock;
use tower_sessions::Session;

/// One API route.
pub struct ApiRoute {
    pub method: Method,
    pub path: &'static str,
    /// For the OpenAPI document.
    pub summary: &'static str,
    handler: MethodRouter<AppState>,
}

fn route(
    method: Method,
    path: &'static str,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> ApiRoute {
    ApiRoute {
        method,
        path,
        summary,
        handler,
    }
}

/// Every API route. GET ones read (reviewers, editors, admins, and anyone
/// when `--api-public-read`); the others write (editors and admins).
pub fn routes() -> Vec<ApiRoute> {
    use Method as M;
    let entry = "/api/v1/collections/{collection}/entries/{slug}";
    let list = "/api/v1/collections/{collection}/entries";
    vec![
        route(
            M::GET,
            "/api/v1/openapi.json",
            "This document",
            get(openapi::document),
        ),
        route(
            M::GET,
            "/api/v1/collections",
            "The collections, with their document counts and fields",
            get(entries::collections),
        ),
        route(
            M::GET,
            list,
            "A collection's entries: filter, sort, choose fields, paginate",
            get(entries::list),
        ),
        route(M::POST, list, "Create an entry", post(entries::create)),
        route(
            M::GET,
            entry,
            "One entry (optionally at a past commit, or with its body as HTML)",
            get(entries::read),
        ),
        route(
            M::PUT,
            entry,
            "Replace an entry's fields and body",
            put(entries::replace),
        ),
        route(
            M::PATCH,
            entry,
            "Change some fields or the body (JSON Merge Patch)",
            patch(entries::patch),
        ),
        route(M::DELETE, entry, "Delete an entry", delete(entries::remove)),
        route(
            M::GET,
            "/api/v1/media",
            "The media library's files, with who uses each",
            get(media::list),
        ),
        route(
            M::POST,
            "/api/v1/media",
            "Add a file to the media library (or keep it pending for an entry's write)",
            // Its own limit (`--max-upload-bytes`), read as the file streams in.
            post(media::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        route(
            M::DELETE,
            "/api/v1/media/{*path}",
            "Delete a file no entry uses",
            delete(media::remove),
        ),
        route(
            M::GET,
            "/api/v1/history",
            "Changes to the site, newest first",
            get(history::list),
        ),
        route(
            M::GET,
            "/api/v1/search",
            "Full-text search over every collection, best first",
            get(search::search),
        ),
        route(
            M::GET,
            "/api/v1/status",
            "Where publishing stands: commits waiting for the remote, the last one it took, the last build",
            get(status::status),
        ),
        route(
            M::GET,
            "/api/v1/commits/{sha}",
            "One change, per file and per field",
            get(history::commit),
        ),
    ]
}

/// (method, path, summary) of every API route.
pub fn table() -> &'static [(Method, &'static str, &'static str)] {
    static TABLE: LazyLock<Vec<(Method, &'static str, &'static str)>> = LazyLock::new(|| {
        routes()
            .into_iter()
            .map(|r| (r.method, r.path, r.summary))
            .collect()
    });
    &TABLE
}

/// The API's router, every route behind [`authenticate`].
pub fn router(state: &AppState) -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, r| router.route(r.path, r.handler))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate))
}

/// A route's query string, read like axum's `Query`; one it cannot read is
/// a 400 problem+json, as every other API error.
pub(crate) struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(e) => Err(Problem::bad_request(format!(
                "The query string cannot be read: {}.",
                e.body_text()
                    .trim_start_matches("Failed to deserialize query string: ")
            ))),
        }
    }
}

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    /// `None`: nobody signed in, reading because reads are public.
    pub role: Option<Role>,
    /// Whom the caller's commits are authored by.
    pub author: Option<Author>,
    /// Reached with credentials (answers are `private` to caches).
    pub private: bool,
}

impl Caller {
    /// The author of a write; only writers get this far.
    pub fn author(&self) -> Result<Author, Problem> {
        self.author
            .clone()
            .ok_or_else(|| Problem::forbidden("This caller cannot write."))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Problem> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| Problem::unauthorized("Sign in or send a token."))
    }
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Finds the caller (a bearer token, else the browser session, else an
/// anonymous reader when reads are public) and checks their role. A bad
/// token answers 401 and counts against the client address's limit.
async fn authenticate(
    State(state): State<AppState>,
    address: crate::http::ClientAddress,
    mut request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/api/v1/openapi.json" {
        return next.run(request).await;
    }
    let headers = request.headers().clone();
    let writes = is_write(request.method());
    let session = request.extensions().get::<Session>().cloned();
    match caller_of(&state, address, &headers, writes, session).await {
        Ok(caller) => {
            let readable = caller.role.is_some() || (state.api.public_read && !writes);
            if !readable {
                return Problem::unauthorized("Sign in or send a token.").into_response();
            }
            if writes && !caller.role.is_some_and(Role::can_edit) {
                return Problem::forbidden(
                    "This token or account can read content but not change it.",
                )
                .into_response();
            }
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(p) => p.into_response(),
    }
}

async fn caller_of(
    state: &AppState,
    address: crate::http::ClientAddress,
    headers: &HeaderMap,
    writes: bool,
    session: Option<Session>,
) -> Result<Caller, Problem> {
    let now = state.clock.now();
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| Problem::unauthorized("Authorization must be `Bearer <token>`."))?;
        if let Some(wait) = state
            .throttle
            .check_address(address.0, state.clock.now_ms())
        {
            return Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                format!("Too many failed attempts from this address. Wait {wait} seconds."),
            )
            .with_header(header::RETRY_AFTER, wait.to_string()));
        }
        let found = tokens::authenticate_cached(
            &state.db,
            &state.tokens,
            secret,
            now,
            state.clock.now_ms(),
        )
        .await?;
        let Some(found) = found else {
            state
                .throttle
                .failed_address(address.0, state.clock.now_ms());
            return Err(Problem::unauthorized(
                "This token is not valid: unknown, revoked or expired.",
            ));
        };
        let identity = match &found.owner {
            Some(owner) => owner.identity(),
            None => Identity {
                name: found.token.name.clone(),
                email: "api@localhost".into(),
            },
        };
        return Ok(Caller {
            role: Some(found.role),
            author: Some(Author {
                user_id: found.owner.as_ref().map(|o| o.id),
                token_id: Some(found.token.id),
                identity,
            }),
            private: true,
        });
    }
    // The browser session, when there is one (the cookie is only read).
    if let Some(session) = session
        && let Some(user) = session::resolve(&session, state)
            .await
            .map_err(|e| Problem::internal("session", e))?
    {
        if writes {
            same_origin_with_token(headers, &session).await?;
        }
        return Ok(Caller {
            role: Some(user.role),
            author: Some(Author {
                user_id: Some(user.id),
                token_id: None,
                identity: user.identity(),
            }),
            private: true,
        });
    }
    Ok(Caller {
        role: None,
        author: None,
        private: false,
    })
}

/// A write with the browser session must come from this site and carry the
/// session's CSRF token in `X-CSRF-Token`.
async fn same_origin_with_token(headers: &HeaderMap, session: &Session) -> Result<(), Problem> {
    let refused = || {
        Problem::forbidden(
            "A write with the browser session needs the X-CSRF-Token header and must come from this site.",
        )
    };
    csrf::check_same_origin(headers).map_err(|_| refused())?;
    let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
    if csrf::is_valid(session, given)
        .await
        .map_err(|e| Problem::internal("session", e))?
    {
        Ok(())
    } else {
        Err(refused())
    }
}

/// A JSON request body: the content type checked (415), the size bounded
/// (413), the JSON parsed (400).
pub struct Body(pub serde_json::Value);

/// The media type each writing method takes.
fn expected_type(method: &Method) -> &'static str {
    if method == Method::PATCH {
        "application/merge-patch+json"
    } else {
        "application/json"
    }
}

impl FromRequest<AppState> for Body {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let expected = expected_type(req.method());
        let given = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let media = given.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case(expected) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                format!("Send the body as {expected} (got `{given}`)."),
            ));
        }
        let bytes = axum::body::to_bytes(req.into_body(), state.max_body)
            .await
            .map_err(|_| {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too-large",
                    format!("The body is larger than {} bytes.", state.max_body),
                )
            })?;
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| Problem::bad_request(format!("The body is not valid JSON: {e}.")))?;
        Ok(Body(value))
    }
}

/// Whether `If-None-Match` matches the entity tag `tag` (unquoted).
fn not_modified(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/").trim_matches('"') == tag
            })
        })
}

/// A JSON answer with its entity tag and cache policy, or 304 (then
/// `body` is never made).
fn cached_json<T: serde::Serialize>(
    headers: &HeaderMap,
    caller: &Caller,
    tag: &str,
    body: impl FnOnce() -> T,
) -> Response {
    let policy = if caller.private {
        "private, no-cache"
    } else {
        "public, no-cache"
    };
    let mut response = if not_modified(headers, tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match serde_json::to_vec(&body()) {
            Ok(bytes) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                bytes,
            )
                .into_response(),
            Err(e) => return Problem::internal("json", e).into_response(),
        }
    };
    let h = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{tag}\"")) {
        h.insert(header::ETAG, etag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Authorization, Cookie"),
    );
    response
}

/// The blob id an `If-Match` names (`None`: no precondition).
fn if_match(headers: &HeaderMap) -> Result<Option<crate::site::ObjectId>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    let bare = text.trim_start_matches("W/");
    let quoted = bare.len() >= 2 && bare.starts_with('"') && bare.ends_with('"');
    let tag = if quoted {
        &bare[1..bare.len() - 1]
    } else {
        bare
    };
    match crate::site::ObjectId::parse(tag) {
        Some(id) => Ok(Some(id)),
        // A well-formed entity tag that is no sha names no version: it
        // never matches. Left to the pipeline (as the null id), so an
        // unknown collection or entry is still a 404 and an entry that is
        // there a 412 with its current ETag.
        None if quoted => Ok(Some(crate::site::ObjectId::null())),
        None => Err(Problem::bad_request(
            "If-Match must be the entry's ETag: its sha, in double quotes.",
        )),
    }
}
