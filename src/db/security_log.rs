//! The `security_log` table: logins, logouts, account changes.

use super::DbError;
use sqlx::SqlitePool;

/// One recorded event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub username: String,
    pub actor: String,
    pub address: String,
    pub detail: String,
}

/// A new event's values.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub at: i64,
    pub event: &'a str,
    pub username: &'a str,
    pub actor: &'a str,
    pub address: &'a str,
    pub detail: &'a str,
}

pub async fn insert(pool: &SqlitePool, e: &NewEvent<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO security_log (at, event, username, actor, address, detail)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(e.at)
    .bind(e.event)
    .bind(e.username)
    .bind(e.actor)
    .bind(e.address)
    .bind(e.detail)
    .execute(pool)
    .await?;
    Ok(())
}

/// Removes the events recorded before `cutoff` (seconds); how many.
pub async fn prune_before(pool: &SqlitePool, cutoff: i64) -> Result<u64, DbError> {
    Ok(sqlx::query("DELETE FROM security_log WHERE at < ?")
        .bind(cutoff)
        .execute(pool)
        .await?
        .rows_affected())
}

/// Newest first: up to `limit` events with an id below `before` (all when `None`).
pub async fn page(
    pool: &SqlitePool,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, at, event, username, actor, address, detail FROM security_log
         WHERE id < ? ORDER BY id DESC LIMIT ?",
    )
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
