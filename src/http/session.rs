//! Signed-in sessions on top of tower-sessions: who is signed in, since when,
//! last seen when (idle and absolute timeouts, on the application's clock),
//! and under which epoch of their account (a password, role or status change
//! ends every older session). Flash messages live here too.

use super::{AppError, AppState};
use crate::auth::{User, accounts};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

const USER_ID: &str = "user_id";
const EPOCH: &str = "epoch";
const SIGNED_IN_AT: &str = "signed_in_at";
const SEEN_AT: &str = "seen_at";
const FLASH: &str = "flash";

/// Session lifetime and cookie settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ended after this many seconds without a request.
    pub idle_secs: i64,
    /// Ended this many seconds after signing in, however active.
    pub absolute_secs: i64,
    /// Served over HTTPS: the cookie is `Secure` and named with `__Host-`.
    pub secure: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_secs: 30 * 60,
            absolute_secs: 8 * 3600,
            secure: false,
        }
    }
}

impl SessionPolicy {
    /// The cookie's name: `__Host-` makes browsers insist on `Secure`,
    /// `Path=/` and no `Domain`, so no other host can set it.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-cairn_session"
        } else {
            "cairn_session"
        }
    }
}

/// The signed-in user; handlers that take it run behind the route table's
/// check (`web::routes`), which puts it in the request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: Session,
    /// The language this request is answered in.
    pub lang: crate::i18n::Lang,
    /// The time zone times are shown in.
    pub zone: crate::i18n::Zone,
}

impl CurrentUser {
    /// `user` signed in on `session`, answered in the language they chose,
    /// else `browser`'s (the browser's, else the site's), and shown times
    /// in the zone they chose, else the site's.
    pub fn of(
        user: User,
        session: Session,
        browser: crate::i18n::Lang,
        site_zone: &crate::i18n::Zone,
    ) -> CurrentUser {
        CurrentUser {
            lang: user.language.unwrap_or(browser),
            zone: user.timezone.clone().unwrap_or_else(|| site_zone.clone()),
            user,
            session,
        }
    }

    /// A moment in this person's language and time zone.
    pub fn when(&self, secs: i64) -> crate::i18n::When {
        self.lang.when(&self.zone, secs)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| AppError::LoginRequired {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_string(),
            })
    }
}

/// What a request's session says about who sent it.
#[derive(Debug, Clone)]
pub enum Signed {
    In(User),
    /// The session was valid but timed out (idle or too old): whose it was,
    /// and its CSRF token, to check a form posted with it.
    Ended {
        user: User,
        csrf: Option<String>,
    },
    Out,
}

/// The user signed in on `session`, if the session is still valid: the
/// account enabled and at the same epoch, not idle too long, not too old.
/// An invalid session is destroyed. A valid one is marked as seen now.
pub async fn resolve(session: &Session, state: &AppState) -> Result<Option<User>, AppError> {
    Ok(match resolve_session(session, state).await? {
        Signed::In(user) => Some(user),
        Signed::Ended { .. } | Signed::Out => None,
    })
}

/// Like [`resolve`], telling a session that timed out from none.
pub async fn resolve_session(session: &Session, state: &AppState) -> Result<Signed, AppError> {
    let Some(id) = session.get::<i64>(USER_ID).await? else {
        return Ok(Signed::Out);
    };
    let now = state.clock.now();
    let policy = &state.sessions;
    let epoch = session.get::<i64>(EPOCH).await?;
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(i64::MIN);
    let seen_at = session.get::<i64>(SEEN_AT).await?.unwrap_or(i64::MIN);
    let user = accounts::by_id(&state.db, id).await?;
    let account_ok = user
        .as_ref()
        .filter(|u| !u.disabled && epoch == Some(u.session_epoch));
    let in_time = now.saturating_sub(seen_at) <= policy.idle_secs
        && now.saturating_sub(signed_in_at) <= policy.absolute_secs;
    match (account_ok, in_time) {
        (Some(user), true) => {
            if seen_at != now {
                session.insert(SEEN_AT, now).await?;
            }
            Ok(Signed::In(user.clone()))
        }
        (Some(user), false) => {
            let csrf = session.get::<String>(super::csrf::KEY).await?;
            session.flush().await?;
            Ok(Signed::Ended {
                user: user.clone(),
                csrf,
            })
        }
        (None, _) => {
            session.flush().await?;
            Ok(Signed::Out)
        }
    }
}

/// The id of an edit kept when the session ended, in the browser's new
/// session until its author signs in again.
const PENDING: &str = "pending_edit";

pub async fn set_pending(session: &Session, id: &str) -> Result<(), AppError> {
    session.insert(PENDING, id.to_string()).await?;
    Ok(())
}

pub async fn take_pending(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.remove::<String>(PENDING).await?)
}

/// The request's session (created lazily by tower-sessions).
pub async fn session_of(parts: &mut Parts) -> Result<Session, AppError> {
    Session::from_request_parts(parts, &())
        .await
        .map_err(|(_, m)| AppError::internal("session", m))
}

/// Starts a signed-in session with a new id (no session fixation) and a new
/// CSRF token.
pub async fn sign_in(session: &Session, user: &User, now: i64) -> Result<(), AppError> {
    session.cycle_id().await?;
    session.insert(USER_ID, user.id).await?;
    session.insert(EPOCH, user.session_epoch).await?;
    session.insert(SIGNED_IN_AT, now).await?;
    session.insert(SEEN_AT, now).await?;
    super::csrf::renew(session).await?;
    Ok(())
}

/// Ends the session entirely.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await?;
    Ok(())
}

/// A message shown once on the next page.
pub async fn set_flash(session: &Session, message: impl Into<String>) -> Result<(), AppError> {
    set_notice(session, Notice::Success, message).await
}

/// How a message shown once reads: done, for information, a warning (look
/// at this), or an error (it did not happen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notice {
    Success,
    Info,
    Warning,
    Error,
}

impl Notice {
    /// The notice's class in the stylesheet.
    pub fn class(self) -> &'static str {
        match self {
            Notice::Success => "flash",
            Notice::Info => "notice-info",
            Notice::Warning => "notice-warning",
            Notice::Error => "error",
        }
    }

    /// Errors and warnings interrupt; the rest waits its turn.
    pub fn role(self) -> &'static str {
        match self {
            Notice::Error | Notice::Warning => "alert",
            Notice::Success | Notice::Info => "status",
        }
    }
}

/// A message shown once on the next page, and how it reads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    pub kind: Notice,
    pub text: String,
}

/// A message of this kind shown once on the next page.
pub async fn set_notice(
    session: &Session,
    kind: Notice,
    message: impl Into<String>,
) -> Result<(), AppError> {
    let flash = Flash {
        kind,
        text: message.into(),
    };
    session.insert(FLASH, flash).await?;
    Ok(())
}

pub async fn take_flash(session: &Session) -> Result<Option<Flash>, AppError> {
    // A session from before notices had kinds holds plain text.
    Ok(match session.remove_value(FLASH).await? {
        None => None,
        Some(value) => serde_json::from_value::<Flash>(value.clone())
            .ok()
            .or_else(|| {
                value.as_str().map(|text| Flash {
                    kind: Notice::Success,
                    text: text.to_string(),
                })
            }),
    })
}
