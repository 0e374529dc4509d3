//! The `api_tokens` table.

use super::DbError;
use sqlx::SqlitePool;

/// A row of `api_tokens`, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub owner_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, name, role, owner_id, created_at, expires_at, last_used_at, revoked_at";

/// A new row's values.
#[derive(Debug, Clone)]
pub struct NewTokenRow<'a> {
    pub name: &'a str,
    pub token_hash: &'a str,
    pub role: &'a str,
    pub owner_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

pub async fn insert(pool: &SqlitePool, t: &NewTokenRow<'_>) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (name, token_hash, role, owner_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(t.name)
    .bind(t.token_hash)
    .bind(t.role)
    .bind(t.owner_id)
    .bind(t.created_at)
    .bind(t.expires_at)
    .fetch_one(pool)
    .await?)
}

pub async fn by_hash(pool: &SqlitePool, token_hash: &str) -> Result<Option<TokenRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = ?"
    ))
    .bind(token_hash)
    .fetch_optional(pool)
    .await?)
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<TokenRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM api_tokens ORDER BY id DESC"
    ))
    .fetch_all(pool)
    .await?)
}

/// Returns whether a live token with that id existed.
pub async fn revoke(pool: &SqlitePool, id: i64, at: i64) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(at)
            .bind(id)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn touch(pool: &SqlitePool, id: i64, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?")
        .bind(at)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
