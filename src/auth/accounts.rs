//! User accounts: creating them, checking their passwords, changing them,
//! and the one-time links that set a password.

use super::{AuthError, FieldErrors, Hasher, Password, Role};
use crate::db::{self, DbError, users::UserRow};
use crate::i18n::Message;
use sqlx::SqlitePool;

/// How long a set-password link stays valid, in seconds.
pub const LINK_LIFETIME_SECS: i64 = 24 * 3600;

/// A signed-up person. Name and email are what their commits are authored with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    /// Whether a password was ever set (accounts made by an admin wait for
    /// their one-time link).
    pub has_password: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    /// Sessions signed in under another epoch are refused.
    pub session_epoch: i64,
    /// The interface language the person chose; `None`: their browser's.
    pub language: Option<crate::i18n::Lang>,
    /// The time zone the person chose; `None`: the site's.
    pub timezone: Option<crate::i18n::Zone>,
}

impl User {
    /// Who their commits are authored by: their display name and email.
    pub fn identity(&self) -> crate::git::Identity {
        crate::git::Identity {
            name: self.display_name.clone(),
            email: self.email.clone(),
        }
    }
}

impl TryFrom<UserRow> for User {
    type Error = AuthError;
    fn try_from(row: UserRow) -> Result<Self, AuthError> {
        Ok(User {
            id: row.id,
            role: row.role.parse()?,
            username: row.username,
            display_name: row.display_name,
            email: row.email,
            disabled: row.disabled,
            has_password: !row.password_hash.is_empty(),
            created_at: row.created_at,
            last_login_at: row.last_login_at,
            session_epoch: row.session_epoch,
            language: row.language.as_deref().and_then(crate::i18n::Lang::parse),
            timezone: row.timezone.as_deref().and_then(crate::i18n::Zone::parse),
        })
    }
}

/// A username of 1 to 64 letters, digits, `.`, `_`, `-`.
pub fn parse_username(username: &str) -> Result<String, Message> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(Message::key("field-username"));
    }
    Ok(username.to_string())
}

/// A display name git can put on an author line (`fallback` when empty).
pub fn parse_display_name(name: Option<&str>, fallback: &str) -> Result<String, Message> {
    let name = name
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(fallback);
    if name.chars().count() > 200 || name.contains(['<', '>', '\n', '\r', '\0']) {
        return Err(Message::key("field-display-name"));
    }
    Ok(name.to_string())
}

/// An email git can put on an author line (`{username}@localhost` when empty).
pub fn parse_email(email: Option<&str>, username: &str) -> Result<String, Message> {
    let email = match email.map(str::trim).filter(|s| !s.is_empty()) {
        Some(e) => e.to_string(),
        None => format!("{username}@localhost"),
    };
    let at = email.find('@');
    if email.len() > 254
        || at.is_none_or(|i| i == 0 || i + 1 == email.len())
        || email.contains(['<', '>', ' ', '\n', '\r', '\0'])
    {
        return Err(Message::key("field-email"));
    }
    Ok(email)
}

/// A new password and its confirmation, as typed in a form.
pub fn parse_new_password(password: &str, again: Option<&str>) -> Result<Password, FieldErrors> {
    let mut errors = FieldErrors::default();
    match Password::parse(password) {
        Ok(p) => {
            if again.is_some_and(|a| a != password) {
                errors.add("password_again", Message::key("field-passwords-differ"));
            }
            errors.into_result().map(|()| p)
        }
        Err(e) => {
            errors.add("password", e);
            Err(errors)
        }
    }
}

/// What it takes to create an account, already checked.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// `None`: the account waits for a one-time set-password link.
    pub password: Option<Password>,
}

impl NewUser {
    /// Checks every field and reports each problem against its field.
    pub fn parse(
        username: &str,
        display_name: Option<&str>,
        email: Option<&str>,
        role: Role,
        password: Option<&str>,
    ) -> Result<NewUser, FieldErrors> {
        let mut errors = FieldErrors::default();
        let username = parse_username(username)
            .map_err(|m| errors.add("username", m))
            .unwrap_or_default();
        let display_name = parse_display_name(display_name, &username)
            .map_err(|m| errors.add("display_name", m))
            .unwrap_or_default();
        let email = parse_email(email, &username)
            .map_err(|m| errors.add("email", m))
            .unwrap_or_default();
        let password = match password.map(Password::parse) {
            None => None,
            Some(Ok(p)) => Some(p),
            Some(Err(e)) => {
                errors.add("password", e);
                None
            }
        };
        errors.into_result()?;
        Ok(NewUser {
            username,
            display_name,
            email,
            role,
            password,
        })
    }
}

/// Creates an account; its password (if any) is hashed first.
pub async fn create(
    pool: &SqlitePool,
    hasher: &Hasher,
    user: &NewUser,
    now: i64,
) -> Result<User, AuthError> {
    let hash = match &user.password {
        Some(p) => hasher.hash(p).await?,
        None => String::new(),
    };
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
    by_id(pool, id)
        .await?
        .ok_or_else(|| AuthError::NoSuchUser(user.username.clone()))
}

/// The user these credentials belong to, or `None`: unknown users, wrong
/// passwords, accounts without a password and disabled accounts all look the
/// same and take as long. A hash made with other parameters is replaced.
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
    if hasher.needs_rehash(&row.password_hash)
        && let Ok(p) = Password::parse(password)
    {
        let new = hasher.hash(&p).await?;
        db::users::rehash(pool, row.id, &row.password_hash, &new).await?;
        tracing::info!(user = %row.username, "password rehashed with the current parameters");
    }
    db::users::touch_login(pool, row.id, now).await?;
    Ok(Some(User::try_from(row)?))
}

pub async fn by_id(pool: &SqlitePool, id: i64) -> Result<Option<User>, AuthError> {
    db::users::by_id(pool, id)
        .await?
        .map(User::try_from)
        .transpose()
}

pub async fn by_username(pool: &SqlitePool, username: &str) -> Result<User, AuthError> {
    db::users::by_username(pool, username.trim())
        .await?
        .map(User::try_from)
        .transpose()?
        .ok_or_else(|| AuthError::NoSuchUser(username.to_string()))
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<User>, AuthError> {
    db::users::list(pool)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Sets a new password, ends every session of the user and voids their links.
pub async fn set_password(
    pool: &SqlitePool,
    hasher: &Hasher,
    user: &User,
    password: &Password,
) -> Result<(), AuthError> {
    let hash = hasher.hash(password).await?;
    if !db::users::set_password_hash(pool, user.id, &hash).await? {
        return Err(AuthError::NoSuchUser(user.username.clone()));
    }
    db::password_links::revoke_all(pool, user.id).await?;
    Ok(())
}

/// Refuses a change that leaves no enabled administrator.
async fn keep_an_admin(pool: &SqlitePool, user: &User) -> Result<(), AuthError> {
    if user.role == Role::Admin
        && !user.disabled
        && db::users::other_active_admins(pool, user.id).await? == 0
    {
        return Err(AuthError::LastAdmin);
    }
    Ok(())
}

/// Disables (or enables) the user and ends their sessions.
pub async fn set_disabled(pool: &SqlitePool, user: &User, disabled: bool) -> Result<(), AuthError> {
    if disabled {
        keep_an_admin(pool, user).await?;
    }
    if db::users::set_disabled(pool, user.id, disabled).await? {
        Ok(())
    } else {
        Err(AuthError::NoSuchUser(user.username.clone()))
    }
}

/// Changes the user's role and ends their sessions.
pub async fn set_role(pool: &SqlitePool, user: &User, role: Role) -> Result<(), AuthError> {
    if role != Role::Admin {
        keep_an_admin(pool, user).await?;
    }
    if db::users::set_role(pool, user.id, role.as_str()).await? {
        Ok(())
    } else {
        Err(AuthError::NoSuchUser(user.username.clone()))
    }
}

/// Changes the name and email the user's commits are authored with.
pub async fn set_profile(
    pool: &SqlitePool,
    user: &User,
    display_name: Option<&str>,
    email: Option<&str>,
) -> Result<(), AuthError> {
    let mut errors = FieldErrors::default();
    let name = parse_display_name(display_name, &user.username)
        .map_err(|m| errors.add("display_name", m))
        .unwrap_or_default();
    let email = parse_email(email, &user.username)
        .map_err(|m| errors.add("email", m))
        .unwrap_or_default();
    errors.into_result().map_err(AuthError::Fields)?;
    db::users::set_profile(pool, user.id, &name, &email).await?;
    Ok(())
}

/// Sets the interface language the user chose (`None`: their browser's).
pub async fn set_language(
    pool: &SqlitePool,
    user: &User,
    language: Option<crate::i18n::Lang>,
) -> Result<(), AuthError> {
    db::users::set_language(pool, user.id, language.map(|l| l.code())).await?;
    Ok(())
}

/// Sets the time zone the user chose (`None`: the site's).
pub async fn set_timezone(
    pool: &SqlitePool,
    user: &User,
    zone: Option<&crate::i18n::Zone>,
) -> Result<(), AuthError> {
    db::users::set_timezone(pool, user.id, zone.map(|z| z.name())).await?;
    Ok(())
}

fn link_hash(token: &str) -> String {
    super::sha256_hex(token)
}

/// A new one-time token to set `user`'s password, valid 24 hours; earlier
/// links stop working. Only its hash is stored.
pub async fn create_password_link(
    pool: &SqlitePool,
    user: &User,
    now: i64,
) -> Result<String, AuthError> {
    let token = super::random_token(32)?;
    db::password_links::replace(
        pool,
        user.id,
        &link_hash(&token),
        now,
        now + LINK_LIFETIME_SECS,
    )
    .await?;
    Ok(token)
}

/// The enabled user a live link is for.
pub async fn password_link_user(
    pool: &SqlitePool,
    token: &str,
    now: i64,
) -> Result<Option<User>, AuthError> {
    let Some(id) = db::password_links::user_of(pool, &link_hash(token), now).await? else {
        return Ok(None);
    };
    Ok(by_id(pool, id).await?.filter(|u| !u.disabled))
}

/// Uses up a live link to set the password. `None`: the link is dead.
pub async fn use_password_link(
    pool: &SqlitePool,
    hasher: &Hasher,
    token: &str,
    password: &Password,
    now: i64,
) -> Result<Option<User>, AuthError> {
    // Checked first so a dead link costs no hashing.
    if password_link_user(pool, token, now).await?.is_none() {
        return Ok(None);
    }
    let hash = hasher.hash(password).await?;
    let Some(id) = db::password_links::take(pool, &link_hash(token), now).await? else {
        return Ok(None);
    };
    let Some(user) = by_id(pool, id).await?.filter(|u| !u.disabled) else {
        return Ok(None);
    };
    db::users::set_password_hash(pool, id, &hash).await?;
    db::password_links::revoke_all(pool, id).await?;
    Ok(Some(user))
}

/// Voids the user's password (they set a new one with a link) and ends
/// their sessions.
pub async fn clear_password(pool: &SqlitePool, user: &User) -> Result<(), AuthError> {
    if db::users::set_password_hash(pool, user.id, "").await? {
        Ok(())
    } else {
        Err(AuthError::NoSuchUser(user.username.clone()))
    }
}
