//! Edits kept across the end of a session: a form an editor posted after
//! their session ended (idle or too old) is kept, server-side and briefly,
//! for that same account; once they sign in again on that browser it is
//! saved as if just posted. Never in a URL; another account cannot take it.

use super::AuthError;
use crate::db::pending_edits::{self, PendingEdit};
use sqlx::SqlitePool;

/// How long a kept edit waits for its author to sign in again.
pub const KEPT_SECS: i64 = 3600;

/// Keeps `body`, posted to `path` by `user_id`; returns the id to put in
/// the browser's new session.
pub async fn keep(
    pool: &SqlitePool,
    user_id: i64,
    path: &str,
    body: Vec<u8>,
    now: i64,
) -> Result<String, AuthError> {
    let id = super::random_token(24)?;
    let edit = PendingEdit {
        user_id,
        path: path.to_string(),
        body,
        created_at: now,
    };
    pending_edits::insert(pool, &id, &edit, now - KEPT_SECS).await?;
    Ok(id)
}

/// The edit kept under `id`, if it is `user_id`'s and not too old: its
/// path and body. Taken either way, so it is tried once.
pub async fn take(
    pool: &SqlitePool,
    id: &str,
    user_id: i64,
    now: i64,
) -> Result<Option<(String, Vec<u8>)>, AuthError> {
    let Some(edit) = pending_edits::take(pool, id).await? else {
        return Ok(None);
    };
    if edit.user_id != user_id || now - edit.created_at > KEPT_SECS {
        tracing::info!(
            id_owner = edit.user_id,
            user = user_id,
            "a kept edit was not this account's, or too old: dropped"
        );
        return Ok(None);
    }
    Ok(Some((edit.path, edit.body)))
}
