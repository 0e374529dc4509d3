//! The `pending_edits` table: forms posted after their session ended, kept
//! until the same account signs in again (see `http::session`).

use super::DbError;
use sqlx::SqlitePool;

/// A kept form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingEdit {
    pub user_id: i64,
    /// The address the form was posted to.
    pub path: String,
    /// The form as posted (`application/x-www-form-urlencoded`).
    pub body: Vec<u8>,
    pub created_at: i64,
}

/// Keeps a form under `id`; forms older than `before` are dropped.
pub async fn insert(
    pool: &SqlitePool,
    id: &str,
    edit: &PendingEdit,
    before: i64,
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM pending_edits WHERE created_at < ?")
        .bind(before)
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO pending_edits (id, user_id, path, body, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(edit.user_id)
    .bind(&edit.path)
    .bind(&edit.body)
    .bind(edit.created_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes (reads and deletes) the form kept under `id`, if any.
pub async fn take(pool: &SqlitePool, id: &str) -> Result<Option<PendingEdit>, DbError> {
    Ok(sqlx::query_as(
        "DELETE FROM pending_edits WHERE id = ? RETURNING user_id, path, body, created_at",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}
