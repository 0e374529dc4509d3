//! The `password_links` table: one-time links to set a password.

use super::DbError;
use sqlx::SqlitePool;

/// Replaces the user's links with this one (an older link stops working).
pub async fn replace(
    pool: &SqlitePool,
    user_id: i64,
    token_hash: &str,
    created_at: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM password_links WHERE user_id = ?")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO password_links (token_hash, user_id, created_at, expires_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(created_at)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The user a live link belongs to.
pub async fn user_of(
    pool: &SqlitePool,
    token_hash: &str,
    now: i64,
) -> Result<Option<i64>, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM password_links WHERE token_hash = ? AND expires_at > ?",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?)
}

/// Uses up a live link: returns its user once, `None` ever after.
pub async fn take(pool: &SqlitePool, token_hash: &str, now: i64) -> Result<Option<i64>, DbError> {
    Ok(sqlx::query_scalar(
        "DELETE FROM password_links WHERE token_hash = ? AND expires_at > ? RETURNING user_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?)
}

/// Removes every link of the user (after a password is set another way).
pub async fn revoke_all(pool: &SqlitePool, user_id: i64) -> Result<(), DbError> {
    sqlx::query("DELETE FROM password_links WHERE user_id = ?")
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}
