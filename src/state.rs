//! What every request handler can reach.

use crate::auth::Hasher;
use crate::auth::session::SessionPolicy;
use crate::auth::throttle::Throttle;
use crate::site::Site;
use sqlx::SqlitePool;
use std::sync::{Arc, Mutex};

/// The source of the current time, passed in so tests can control it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;

    /// Milliseconds since the Unix epoch (for delays of a second or two).
    fn now_ms(&self) -> i64 {
        self.now().saturating_mul(1000)
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }

    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
}

/// Shared application state. Clone is cheap.
#[derive(Clone)]
pub struct AppState {
    /// The content service; the only way handlers reach the repository.
    pub site: Site,
    /// Accounts and sessions.
    pub db: SqlitePool,
    /// Password hashing, bounded so logins cannot exhaust memory.
    pub hasher: Hasher,
    /// The one-time `/setup` token while no user exists; `None` once used.
    pub setup_token: Arc<Mutex<Option<String>>>,
    /// Time, for commits and login records.
    pub clock: Arc<dyn Clock>,
    /// Largest request body accepted, in bytes.
    pub max_body: usize,
    /// Session timeouts and cookie settings.
    pub sessions: SessionPolicy,
    /// Failed-login delays per account and limits per client address.
    pub throttle: Arc<Throttle>,
    /// The JSON API's settings.
    pub api: crate::api::ApiSettings,
    /// API tokens checked in the last second.
    pub tokens: Arc<crate::auth::tokens::TokenCache>,
    /// The secret push webhooks are signed with (none: webhooks refused).
    pub webhook_secret: Option<String>,
    /// Static builds after publishing, and their records.
    pub builds: crate::builds::Builds,
}
