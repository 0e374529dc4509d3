//! Who may do what: accounts, password hashing, sessions, roles and CSRF.

pub mod accounts;
pub mod csrf;
pub mod password;
pub mod session;

pub use accounts::User;
pub use password::{Hasher, Password};
pub use session::CurrentUser;

use std::fmt;
use std::str::FromStr;

/// What a user may do. Checked on the server for every route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Users, settings, and everything an editor can do.
    Admin,
    /// Creates, edits, deletes and restores content.
    Editor,
    /// Reads content, history and diffs; changes nothing.
    Reviewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
        }
    }

    /// Whether this role may change content.
    pub fn can_edit(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of `admin`, `editor`, `reviewer`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`: use admin, editor or reviewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "editor" => Ok(Role::Editor),
            "reviewer" => Ok(Role::Reviewer),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

/// Authentication and account errors.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("a user named `{0}` already exists")]
    DuplicateUser(String),
    #[error("no user named `{0}`")]
    NoSuchUser(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    #[error("session store: {0}")]
    Session(#[from] tower_sessions::session::Error),
}

/// A random token of `bytes` bytes from the OS, in hex.
pub fn random_token(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Constant-time equality for secrets.
pub fn secrets_match(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
