//! The `users` table.

use super::{DbError, map_unique};
use sqlx::SqlitePool;

/// A row of `users`, as stored. The role is text here; `auth` parses it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    /// Sessions signed in under another epoch are refused.
    pub session_epoch: i64,
    /// The interface language chosen (`en`, `fr`), if any.
    pub language: Option<String>,
    /// The time zone chosen (an IANA name), if any.
    pub timezone: Option<String>,
}

/// The values of a new row.
#[derive(Debug, Clone)]
pub struct NewUserRow<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub created_at: i64,
}

const COLUMNS: &str = "id, username, display_name, email, role, password_hash, disabled, \
     created_at, last_login_at, session_epoch, language, timezone";

pub async fn insert(pool: &SqlitePool, user: &NewUserRow<'_>) -> Result<i64, DbError> {
    let id = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, email, role, password_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.email)
    .bind(user.role)
    .bind(user.password_hash)
    .bind(user.created_at)
    .fetch_one(pool)
    .await
    .map_err(map_unique)?;
    Ok(id)
}

pub async fn count(pool: &SqlitePool) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(pool)
        .await?)
}

pub async fn by_username(pool: &SqlitePool, username: &str) -> Result<Option<UserRow>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE username = ?"))
            .bind(username)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn by_id(pool: &SqlitePool, id: i64) -> Result<Option<UserRow>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = ?"))
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<UserRow>, DbError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users ORDER BY username"))
            .fetch_all(pool)
            .await?,
    )
}

/// Sets the password hash (an empty hash: no password) and ends the user's
/// sessions. Returns whether the user exists.
pub async fn set_password_hash(pool: &SqlitePool, id: i64, hash: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ?",
    )
    .bind(hash)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Replaces the hash after a login with old parameters; sessions stay valid.
pub async fn rehash(pool: &SqlitePool, id: i64, old: &str, new: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?")
        .bind(new)
        .bind(id)
        .bind(old)
        .execute(pool)
        .await?;
    Ok(())
}

/// Enables or disables the user and ends their sessions.
pub async fn set_disabled(pool: &SqlitePool, id: i64, disabled: bool) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET disabled = ?, session_epoch = session_epoch + 1 WHERE id = ?",
    )
    .bind(disabled)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Changes the user's role and ends their sessions.
pub async fn set_role(pool: &SqlitePool, id: i64, role: &str) -> Result<bool, DbError> {
    let done =
        sqlx::query("UPDATE users SET role = ?, session_epoch = session_epoch + 1 WHERE id = ?")
            .bind(role)
            .bind(id)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Changes what the user's commits are authored with.
pub async fn set_profile(
    pool: &SqlitePool,
    id: i64,
    display_name: &str,
    email: &str,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE users SET display_name = ?, email = ? WHERE id = ?")
        .bind(display_name)
        .bind(email)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets (or, with `None`, clears) the user's interface language.
pub async fn set_language(
    pool: &SqlitePool,
    id: i64,
    language: Option<&str>,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE users SET language = ? WHERE id = ?")
        .bind(language)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Sets (or, with `None`, clears) the user's time zone.
pub async fn set_timezone(
    pool: &SqlitePool,
    id: i64,
    timezone: Option<&str>,
) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE users SET timezone = ? WHERE id = ?")
        .bind(timezone)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Enabled administrators other than `except`.
pub async fn other_active_admins(pool: &SqlitePool, except: i64) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND NOT disabled AND id != ?",
    )
    .bind(except)
    .fetch_one(pool)
    .await?)
}

pub async fn touch_login(pool: &SqlitePool, id: i64, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET last_login_at = ? WHERE id = ?")
        .bind(at)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}
