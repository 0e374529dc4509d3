//! The signed-in user, read from the tower-sessions session on each request
//! (so a disabled account is refused at once), and flash messages.

use super::{User, accounts};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

const USER_ID: &str = "user_id";
const FLASH: &str = "flash";

/// The signed-in user; handlers that take it require a session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: Session,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let session = session_of(parts, state).await?;
        let next = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let Some(id) = session.get::<i64>(USER_ID).await? else {
            return Err(AppError::LoginRequired { next });
        };
        match accounts::active_user(&state.db, id).await? {
            Some(user) => Ok(CurrentUser { user, session }),
            None => {
                session.flush().await?;
                Err(AppError::LoginRequired { next })
            }
        }
    }
}

impl CurrentUser {
    /// Refuses users whose role may not change content (reviewers).
    pub fn require_editor(&self) -> Result<(), AppError> {
        if self.user.role.can_edit() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Your account can read content but not change it.".into(),
            ))
        }
    }
}

/// The request's session (created lazily by tower-sessions).
pub async fn session_of(parts: &mut Parts, state: &AppState) -> Result<Session, AppError> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, m)| AppError::internal("session", m))
}

/// Starts a signed-in session with a new id (no session fixation) and a new CSRF token.
pub async fn sign_in(session: &Session, user: &User) -> Result<(), AppError> {
    session.cycle_id().await?;
    session.insert(USER_ID, user.id).await?;
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
    session.insert(FLASH, message.into()).await?;
    Ok(())
}

pub async fn take_flash(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.remove::<String>(FLASH).await?)
}
