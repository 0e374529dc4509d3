//! The security log: logins (and failures), logouts, account changes and
//! token creation, with time, account, actor and client address. Admins
//! read it at `/security-log`. Passwords and tokens are never recorded.

use crate::db::{self, security_log::NewEvent};
use sqlx::SqlitePool;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Login,
    LoginFailed,
    LoginThrottled,
    Logout,
    UserCreated,
    RoleChanged,
    UserDisabled,
    UserEnabled,
    PasswordLinkCreated,
    PasswordSet,
    PasswordChanged,
    ProfileChanged,
    TokenCreated,
    TokenRevoked,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Login => "login",
            Event::LoginFailed => "login failed",
            Event::LoginThrottled => "login throttled",
            Event::Logout => "logout",
            Event::UserCreated => "user created",
            Event::RoleChanged => "role changed",
            Event::UserDisabled => "user disabled",
            Event::UserEnabled => "user enabled",
            Event::PasswordLinkCreated => "password link created",
            Event::PasswordSet => "password set with a link",
            Event::PasswordChanged => "password changed",
            Event::ProfileChanged => "profile changed",
            Event::TokenCreated => "token created",
            Event::TokenRevoked => "token revoked",
        }
    }
}

/// Who did it and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    /// A username, or `cli` for the command line.
    pub name: String,
    /// The client address, or `local` for the command line.
    pub address: String,
}

impl Actor {
    pub fn cli() -> Actor {
        Actor {
            name: "cli".into(),
            address: "local".into(),
        }
    }
}

/// Records an event. A failure to record is logged, never shown: the action
/// it describes has already happened.
pub async fn record(
    pool: &SqlitePool,
    at: i64,
    event: Event,
    username: &str,
    actor: &Actor,
    detail: &str,
) {
    let row = NewEvent {
        at,
        event: event.as_str(),
        username,
        actor: &actor.name,
        address: &actor.address,
        detail,
    };
    if let Err(e) = db::security_log::insert(pool, &row).await {
        tracing::error!(error = %e, event = event.as_str(), "could not write the security log");
    }
    tracing::info!(event = event.as_str(), user = username, actor = %actor.name, address = %actor.address, "security");
}

/// A recorded event, as the security log page shows it.
pub use crate::db::security_log::EventRow as Recorded;

/// Newest first: up to `limit` events older than event `before` (from the
/// newest when `None`).
pub async fn page(
    pool: &SqlitePool,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Recorded>, super::AuthError> {
    Ok(db::security_log::page(pool, before, limit).await?)
}

/// Deletes the events older than `days` days before `now` (the security
/// log is kept for `--keep-security-log-days`); how many.
pub async fn forget_older_than(
    pool: &SqlitePool,
    now: i64,
    days: u32,
) -> Result<u64, super::AuthError> {
    let cutoff = now - i64::from(days) * 86_400;
    Ok(db::security_log::prune_before(pool, cutoff).await?)
}
