//! API tokens: a random secret shown once, stored only as a SHA-256, with a
//! role (editor or reviewer), an optional owner (whose name and email the
//! token's commits carry), an optional expiry, the time it was last used,
//! and revocation.

use super::{AuthError, Role, User, accounts};
use crate::db::{self, tokens::TokenRow};
use crate::i18n::Message;
use sqlx::SqlitePool;

/// Every token starts with this, so a leaked one is recognizable.
pub const PREFIX: &str = "cairn_";
/// `last_used_at` is written at most this often per token, in seconds.
const TOUCH_EVERY_SECS: i64 = 60;

/// A token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub owner_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl TryFrom<TokenRow> for Token {
    type Error = AuthError;
    fn try_from(row: TokenRow) -> Result<Self, AuthError> {
        Ok(Token {
            id: row.id,
            role: row.role.parse()?,
            name: row.name,
            owner_id: row.owner_id,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        })
    }
}

/// Who a valid token acts as.
#[derive(Debug, Clone)]
pub struct TokenCaller {
    pub token: Token,
    /// The owner, when the token has one (enabled: a disabled owner's
    /// tokens are refused).
    pub owner: Option<User>,
    /// The token's role, never more than its owner's.
    pub role: Role,
}

fn hash_of(secret: &str) -> String {
    super::sha256_hex(secret)
}

/// A token name: 1 to 100 characters, no line breaks or `<>`.
pub fn parse_name(name: &str) -> Result<String, Message> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.contains(['<', '>', '\n', '\r', '\0'])
    {
        return Err(Message::key("field-token-name"));
    }
    Ok(name.to_string())
}

/// Creates a token; returns it with its secret, which is not kept.
pub async fn create(
    pool: &SqlitePool,
    name: &str,
    role: Role,
    owner: Option<&User>,
    expires_at: Option<i64>,
    now: i64,
) -> Result<(Token, String), AuthError> {
    let name = parse_name(name).map_err(AuthError::InvalidInput)?;
    if role == Role::Admin {
        return Err(AuthError::InvalidInput(Message::key("field-token-admin")));
    }
    if let Some(owner) = owner
        && !owner.role.can_edit()
        && role.can_edit()
    {
        return Err(AuthError::InvalidInput(Message::Key(
            "field-token-reviewer",
            vec![("username", owner.username.clone().into())],
        )));
    }
    let secret = format!("{PREFIX}{}", super::random_token(32)?);
    let id = db::tokens::insert(
        pool,
        &db::tokens::NewTokenRow {
            name: &name,
            token_hash: &hash_of(&secret),
            role: role.as_str(),
            owner_id: owner.map(|o| o.id),
            created_at: now,
            expires_at,
        },
    )
    .await?;
    let token = Token {
        id,
        name,
        role,
        owner_id: owner.map(|o| o.id),
        created_at: now,
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    Ok((token, secret))
}

/// How long a checked token is trusted without asking the database again,
/// in milliseconds. Changes made through this server (revoking, disabling
/// or demoting an owner) clear it at once; a token revoked from the command
/// line (another process) stops working within this time.
pub const CACHE_MS: i64 = 1000;
/// Tokens remembered at most; past it the cache starts over.
const CACHE_ENTRIES: usize = 10_000;

/// Recently checked tokens, by hash. Share it behind an `Arc`.
#[derive(Debug, Default)]
pub struct TokenCache {
    map: std::sync::Mutex<std::collections::HashMap<String, (TokenCaller, i64)>>,
}

impl TokenCache {
    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (TokenCaller, i64)>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets every token (after a revocation or an account change).
    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// [`authenticate`], answered from `cache` when the token was checked less
/// than [`CACHE_MS`] ago (its expiry is still checked every time).
pub async fn authenticate_cached(
    pool: &SqlitePool,
    cache: &TokenCache,
    secret: &str,
    now: i64,
    now_ms: i64,
) -> Result<Option<TokenCaller>, AuthError> {
    if !secret.starts_with(PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    let hash = hash_of(secret);
    if let Some((caller, at)) = cache.lock().get(&hash)
        && now_ms - at < CACHE_MS
        && caller.token.expires_at.is_none_or(|e| e > now)
    {
        return Ok(Some(caller.clone()));
    }
    let found = authenticate(pool, secret, now).await?;
    let mut map = cache.lock();
    match &found {
        Some(caller) => {
            if map.len() >= CACHE_ENTRIES {
                map.clear();
            }
            map.insert(hash, (caller.clone(), now_ms));
        }
        None => {
            map.remove(&hash);
        }
    }
    Ok(found)
}

/// The caller a bearer secret stands for, or `None` for an unknown, revoked
/// or expired token, or one whose owner is disabled.
pub async fn authenticate(
    pool: &SqlitePool,
    secret: &str,
    now: i64,
) -> Result<Option<TokenCaller>, AuthError> {
    if !secret.starts_with(PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    let Some(row) = db::tokens::by_hash(pool, &hash_of(secret)).await? else {
        return Ok(None);
    };
    let token = Token::try_from(row)?;
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let owner = match token.owner_id {
        None => None,
        Some(id) => match accounts::by_id(pool, id).await? {
            Some(user) if !user.disabled => Some(user),
            _ => return Ok(None),
        },
    };
    let role = match &owner {
        Some(o) if !o.role.can_edit() => Role::Reviewer,
        _ => token.role,
    };
    if token
        .last_used_at
        .is_none_or(|t| now - t >= TOUCH_EVERY_SECS)
    {
        db::tokens::touch(pool, token.id, now).await?;
    }
    Ok(Some(TokenCaller { token, owner, role }))
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<Token>, AuthError> {
    db::tokens::list(pool)
        .await?
        .into_iter()
        .map(Token::try_from)
        .collect()
}

/// Revokes a live token; `false` when there is none with that id.
pub async fn revoke(pool: &SqlitePool, id: i64, now: i64) -> Result<bool, AuthError> {
    Ok(db::tokens::revoke(pool, id, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(parse_name(" deploy bot ").is_ok());
        assert!(parse_name("").is_err());
        assert!(parse_name("a<b").is_err());
        assert!(parse_name(&"x".repeat(101)).is_err());
    }

    #[test]
    fn only_the_hash_is_a_function_of_the_secret() {
        assert_eq!(hash_of("cairn_a"), hash_of("cairn_a"));
        assert_ne!(hash_of("cairn_a"), hash_of("cairn_b"));
        assert_eq!(hash_of("x").len(), 64);
    }
}
