//! Errors as `application/problem+json` (RFC 9457): `type`, `title`,
//! `status`, `detail`, and for invalid fields an `errors` list naming each.

use crate::auth::AuthError;
use crate::site::SiteError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An API error answer (boxed: results carrying it stay small).
#[derive(Debug)]
pub struct Problem(Box<Details>);

/// What a [`Problem`] says.
#[derive(Debug)]
pub struct Details {
    pub status: StatusCode,
    /// A short name, made the `type` URI (`urn:cairn:problem:NAME`).
    pub kind: &'static str,
    pub detail: String,
    /// Per-field messages: `(field, message)`.
    pub errors: Vec<(String, String)>,
    /// More members (a conflict's values, the current `sha`).
    pub extra: Option<Value>,
    /// Extra headers (`Retry-After`, `WWW-Authenticate`, `ETag`).
    pub headers: Vec<(header::HeaderName, String)>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Problem {
        Problem(Box::new(Details {
            status,
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            extra: None,
            headers: Vec::new(),
        }))
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
            .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"cairn\"")
    }

    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// Invalid field values (422), each named.
    pub fn invalid(errors: Vec<(String, String)>) -> Problem {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-fields",
            "Some values cannot be written; nothing was changed.",
        );
        p.0.errors = errors;
        p
    }

    pub fn internal(context: &str, error: impl std::fmt::Display) -> Problem {
        tracing::error!(%context, %error, "internal error in the API");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Something went wrong on the server; nothing was changed.",
        )
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Problem {
        self.0.headers.push((name, value.into()));
        self
    }

    pub fn with_extra(mut self, extra: Value) -> Problem {
        self.0.extra = Some(extra);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let this = *self.0;
        let mut body = json!({
            "type": format!("urn:cairn:problem:{}", this.kind),
            "title": this.status.canonical_reason().unwrap_or("Error"),
            "status": this.status.as_u16(),
            "detail": this.detail,
        });
        if !this.errors.is_empty() {
            body["errors"] = Value::Array(
                this.errors
                    .iter()
                    .map(|(field, message)| json!({"field": field, "message": message}))
                    .collect(),
            );
        }
        if let (Some(Value::Object(extra)), Some(obj)) = (this.extra, body.as_object_mut()) {
            obj.extend(extra);
        }
        let mut response = (this.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        for (name, value) in this.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        response
    }
}

impl From<SiteError> for Problem {
    fn from(e: SiteError) -> Problem {
        let (status, kind) = super::error::classify(&e);
        match e {
            SiteError::UnknownCollection(_) | SiteError::NotFound(_) => {
                Problem::new(status, kind, format!("{e}."))
            }
            SiteError::Stale(current) => Problem::new(
                status,
                kind,
                "The entry changed since the version given in If-Match; nothing was changed. Read it again and retry.",
            )
            .with_header(header::ETAG, format!("\"{current}\""))
            .with_extra(json!({"sha": current.as_str()})),
            SiteError::Exists(what) => Problem::new(
                status,
                kind,
                format!("`{what}` already exists; nothing was changed."),
            ),
            SiteError::InvalidFields(f) => {
                let mut p = Problem::invalid(
                    f.0.iter()
                        .map(|(k, m)| (k.clone(), m.in_lang(crate::i18n::Lang::En)))
                        .collect(),
                );
                p.0.status = status;
                p
            }
            SiteError::UnknownBase => Problem::new(
                status,
                kind,
                "The `sha` given is not a version of this entry in the repository; nothing was changed.",
            ),
            SiteError::Conflict(c) => {
                let who: Vec<String> = c
                    .fields
                    .iter()
                    .filter_map(|f| {
                        let by = f.changed_by.as_ref()?;
                        Some(format!("`{}` by {} at {}", f.field, by.name, rfc3339(by.time)))
                    })
                    .collect();
                let detail = if who.is_empty() {
                    "Someone else changed the same fields since the version given in `sha`; nothing was changed.".to_string()
                } else {
                    format!(
                        "Someone else changed the same fields since the version given in `sha` ({}); nothing was changed.",
                        who.join(", ")
                    )
                };
                Problem::new(status, kind, detail).with_extra(json!({
                    "conflicts": c.fields.iter().map(|f| {
                        let mut out = json!({
                            "field": f.field,
                            "yours": f.yours.to_json(),
                            "theirs": f.theirs.to_json(),
                        });
                        if let Some(by) = &f.changed_by {
                            out["changed_by"] = json!({
                                "name": by.name,
                                "time": rfc3339(by.time),
                                "commit": by.commit,
                            });
                        }
                        out
                    }).collect::<Vec<_>>()
                }))
            }
            SiteError::NotADocument(_) | SiteError::Edit(_) => {
                Problem::new(status, kind, format!("{e}; nothing was changed."))
            }
            SiteError::Locked(_) | SiteError::Busy => {
                Problem::new(status, kind, format!("{e}. Try again in a moment."))
                    .with_header(header::RETRY_AFTER, "1")
            }
            SiteError::Unsupported(what) => Problem::new(
                status,
                kind,
                format!("{what} is not supported; nothing was changed."),
            ),
            SiteError::NotAllowed(..) => {
                Problem::new(status, kind, format!("{e}; nothing was changed."))
            }
            other => Problem::internal("site", other),
        }
    }
}

/// Seconds since the Unix epoch as an RFC 3339 UTC time.
pub fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}

impl From<super::AppError> for Problem {
    /// An error of the parts both faces share (a form's or an upload's
    /// reading), said in English as the API speaks.
    fn from(e: super::AppError) -> Problem {
        use super::AppError as E;
        let status = e.status();
        let (kind, message) = match e {
            E::Internal(detail) => return Problem::internal("request", detail),
            E::LoginRequired { .. } => return Problem::unauthorized("Sign in or send a token."),
            E::NotFound(m) => ("not-found", m),
            E::BadRequest(m) => ("bad-request", m),
            E::Forbidden(m) => ("forbidden", m),
            E::Conflict(m) => ("conflict", m),
            E::PreconditionFailed(m) => ("precondition-failed", m),
            E::PayloadTooLarge(m) => ("too-large", m),
            E::Unprocessable(m) => ("invalid-fields", m),
            E::Unavailable(m) => ("unavailable", m),
        };
        Problem::new(status, kind, message.in_lang(crate::i18n::Lang::En))
    }
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Problem {
        Problem::internal("auth", e)
    }
}

impl From<tower_sessions::session::Error> for Problem {
    fn from(e: tower_sessions::session::Error) -> Problem {
        Problem::internal("session", e)
    }
}
