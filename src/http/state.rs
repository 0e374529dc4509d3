//! What every request handler can reach.

use super::session::SessionPolicy;
use crate::auth::Hasher;
use crate::auth::throttle::Throttle;
use crate::clock::Clock;
use crate::site::Site;
use sqlx::SqlitePool;
use std::sync::{Arc, Mutex};

/// Shared application state: one reference-counted [`Shared`], so the
/// clones every extractor and middleware layer makes cost one atomic
/// increment, however many settings there are.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every request handler can reach, through [`AppState`].
pub struct Shared {
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
    /// Largest uploaded file accepted, in bytes.
    pub max_upload: usize,
    /// The longest side, in pixels, an image is resized to when the editor asks.
    pub max_image_pixels: u32,
    /// The interface's language when neither account nor browser names one.
    pub default_language: crate::i18n::Lang,
    /// The time zone when the account has not chosen one.
    pub default_zone: crate::i18n::Zone,
    /// Session timeouts and cookie settings.
    pub sessions: SessionPolicy,
    /// The proxies whose forwarding headers name the client (`--trusted-proxies`).
    pub trusted_proxies: super::client::TrustedProxies,
    /// Failed-login delays per account and limits per client address.
    pub throttle: Arc<Throttle>,
    /// The JSON API's settings.
    pub api: ApiSettings,
    /// API tokens checked in the last second.
    pub tokens: Arc<crate::auth::tokens::TokenCache>,
    /// The secret push webhooks are signed with (none: webhooks refused).
    pub webhook_secret: Option<String>,
    /// Static builds after publishing, and their records.
    pub builds: crate::builds::Builds,
    /// Pages built by the site's Jekyll with an edit not saved yet.
    pub previews: crate::preview::Previews,
    /// Answers that could go on forever (a build's live log) end with it.
    pub stopping: crate::shutdown::Stopping,
}

/// The JSON API's settings.
#[derive(Debug, Clone, Default)]
pub struct ApiSettings {
    /// Reading needs no token (`--api-public-read`).
    pub public_read: bool,
    /// Origins allowed to call the API from a browser (CORS); none by default.
    pub cors_origins: Vec<String>,
}

/// The largest request body accepted, for extractors that read bodies
/// themselves.
#[derive(Debug, Clone, Copy)]
pub struct MaxBody(pub usize);

impl axum::extract::FromRef<AppState> for MaxBody {
    fn from_ref(state: &AppState) -> MaxBody {
        MaxBody(state.max_body)
    }
}
