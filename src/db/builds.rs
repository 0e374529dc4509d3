//! The `builds` table: one row per build run.

use super::DbError;
use sqlx::SqlitePool;

/// A row of `builds`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BuildRow {
    pub id: i64,
    pub commit_id: String,
    pub trigger: String,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub status: String,
    pub exit_code: Option<i64>,
    pub log_tail: String,
}

const COLUMNS: &str = "id, commit_id, trigger, started_at, ended_at, status, exit_code, log_tail";

/// Records a run that starts now; returns its id.
pub async fn start(
    pool: &SqlitePool,
    commit: &str,
    trigger: &str,
    now: i64,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO builds (commit_id, trigger, started_at, status) VALUES (?, ?, ?, 'running') RETURNING id",
    )
    .bind(commit)
    .bind(trigger)
    .bind(now)
    .fetch_one(pool)
    .await?)
}

/// Records how a run ended.
pub async fn finish(
    pool: &SqlitePool,
    id: i64,
    status: &str,
    exit_code: Option<i64>,
    log_tail: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE builds SET status = ?, exit_code = ?, log_tail = ?, ended_at = ? WHERE id = ?",
    )
    .bind(status)
    .bind(exit_code)
    .bind(log_tail)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// A run a previous process left `running` (it stopped mid-build).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unfinished {
    pub id: i64,
    pub commit_id: String,
}

/// The runs left `running`, newest first.
pub async fn unfinished(pool: &SqlitePool) -> Result<Vec<Unfinished>, DbError> {
    Ok(
        sqlx::query_as(
            "SELECT id, commit_id FROM builds WHERE status = 'running' ORDER BY id DESC",
        )
        .fetch_all(pool)
        .await?,
    )
}

/// Marks a run a previous process left `running` as interrupted.
pub async fn interrupt(pool: &SqlitePool, id: i64, now: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE builds SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'",
    )
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// The newest runs first.
pub async fn recent(pool: &SqlitePool, limit: i64) -> Result<Vec<BuildRow>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM builds ORDER BY id DESC LIMIT ?"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Removes the records of all but the newest `keep` runs (a run still
/// going is kept whatever its age); how many.
pub async fn keep_newest(pool: &SqlitePool, keep: i64) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "DELETE FROM builds WHERE status != 'running'
         AND id <= (SELECT id FROM builds ORDER BY id DESC LIMIT 1 OFFSET ?)",
    )
    .bind(keep)
    .execute(pool)
    .await?
    .rows_affected())
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<BuildRow>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM builds WHERE id = ?"))
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}
