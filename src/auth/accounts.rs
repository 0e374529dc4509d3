//! User accounts: creating them, checking their passwords, and turning
//! database rows into users with parsed roles.

use super::{AuthError, Hasher, Password, Role};
use crate::db::{self, DbError, users::UserRow};
use sqlx::SqlitePool;

/// A signed-up person. Name and email are what their commits are authored with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
}

impl TryFrom<UserRow> for User {
    type Error = AuthError;
    fn try_from(row: UserRow) -> Result<Self, AuthError> {
        Ok(User {
            id: row.id,
            role: row
                .role
                .parse()
                .map_err(|e: super::UnknownRole| AuthError::InvalidInput(e.to_string()))?,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            disabled: row.disabled,
        })
    }
}

/// What it takes to create an account, already checked.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub password: Password,
}

impl NewUser {
    /// Checks each part: a username of letters, digits, `.`, `_`, `-`; a
    /// display name and email that git can put in a commit.
    pub fn parse(
        username: &str,
        display_name: Option<&str>,
        email: Option<&str>,
        role: Role,
        password: Password,
    ) -> Result<NewUser, AuthError> {
        let username = username.trim();
        if username.is_empty()
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(AuthError::InvalidInput(
                "A username has 1 to 64 letters, digits, dots, dashes or underscores.".into(),
            ));
        }
        let display_name = display_name
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(username);
        if display_name.len() > 200 || display_name.contains(['<', '>', '\n', '\r', '\0']) {
            return Err(AuthError::InvalidInput(
                "A display name has at most 200 characters and no `<`, `>` or line breaks.".into(),
            ));
        }
        let email = match email.map(str::trim).filter(|s| !s.is_empty()) {
            Some(e) => e.to_string(),
            None => format!("{username}@localhost"),
        };
        let at = email.find('@');
        if email.len() > 254
            || at.is_none_or(|i| i == 0 || i + 1 == email.len())
            || email.contains(['<', '>', ' ', '\n', '\r', '\0'])
        {
            return Err(AuthError::InvalidInput(
                "That email address is not valid.".into(),
            ));
        }
        Ok(NewUser {
            username: username.to_string(),
            display_name: display_name.to_string(),
            email,
            role,
            password,
        })
    }
}

/// Creates an account; its password is hashed first.
pub async fn create(
    pool: &SqlitePool,
    hasher: &Hasher,
    user: &NewUser,
    now: i64,
) -> Result<User, AuthError> {
    let hash = hasher.hash(&user.password).await?;
    let id = db::users::insert(
        pool,
        &db::users::NewUserRow {
            username: &user.username,
            display_name: &user.display_name,
            email: &user.email,
            role: user.role.as_str(),
            password_hash: &hash,
            created_at: now,
        },
    )
    .await
    .map_err(|e| match e {
        DbError::Duplicate => AuthError::DuplicateUser(user.username.clone()),
        other => AuthError::Db(other),
    })?;
    Ok(User {
        id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        email: user.email.clone(),
        role: user.role,
        disabled: false,
    })
}

/// The user these credentials belong to, or `None`: unknown users, wrong
/// passwords and disabled accounts all look the same and take as long.
pub async fn authenticate(
    pool: &SqlitePool,
    hasher: &Hasher,
    username: &str,
    password: &str,
    now: i64,
) -> Result<Option<User>, AuthError> {
    let row = db::users::by_username(pool, username.trim()).await?;
    let hash = row.as_ref().map(|r| r.password_hash.clone());
    if !hasher.verify(password, hash).await? {
        return Ok(None);
    }
    let Some(row) = row else { return Ok(None) };
    if row.disabled {
        return Ok(None);
    }
    db::users::touch_login(pool, row.id, now).await?;
    Ok(Some(User::try_from(row)?))
}

/// An enabled user by id, or `None`.
pub async fn active_user(pool: &SqlitePool, id: i64) -> Result<Option<User>, AuthError> {
    match db::users::by_id(pool, id).await? {
        Some(row) if !row.disabled => Ok(Some(User::try_from(row)?)),
        _ => Ok(None),
    }
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<User>, AuthError> {
    db::users::list(pool)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}

pub async fn set_password(
    pool: &SqlitePool,
    hasher: &Hasher,
    username: &str,
    password: &Password,
) -> Result<(), AuthError> {
    let hash = hasher.hash(password).await?;
    if db::users::set_password_hash(pool, username, &hash).await? {
        Ok(())
    } else {
        Err(AuthError::NoSuchUser(username.to_string()))
    }
}

pub async fn disable(pool: &SqlitePool, username: &str) -> Result<(), AuthError> {
    if db::users::set_disabled(pool, username, true).await? {
        Ok(())
    } else {
        Err(AuthError::NoSuchUser(username.to_string()))
    }
}
