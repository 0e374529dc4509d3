//! Who may do what: accounts, password hashing, API tokens, roles, login
//! throttling and the security log. Sessions and CSRF, which live in HTTP
//! requests, belong to the HTTP edge (its `session` and `csrf` modules).

pub mod accounts;
pub mod audit;
pub mod password;
pub mod pending;
pub mod policy;
pub mod throttle;
pub mod tokens;

pub use accounts::User;
pub use password::{HashCost, Hasher, Password};
pub use policy::Access;

use crate::i18n::Message;
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

/// Messages for the fields of a form that failed validation, by field name.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub Vec<(&'static str, Message)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<Message>) {
        self.0.push((field, message.into()));
    }

    /// The message for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&Message> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Err(self)` when any field has a message.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// In English, for the command line and logs.
impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<String> = self.0.iter().map(|(_, m)| m.to_string()).collect();
        f.write_str(&messages.join(" "))
    }
}

/// Authentication and account errors.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    InvalidInput(Message),
    /// A form's fields failed validation.
    #[error("{0}")]
    Fields(FieldErrors),
    /// The change would leave the site without an active administrator.
    #[error("this would leave no active administrator")]
    LastAdmin,
    #[error("a user named `{0}` already exists")]
    DuplicateUser(String),
    #[error("no user named `{0}`")]
    NoSuchUser(String),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

impl From<Message> for AuthError {
    fn from(m: Message) -> Self {
        AuthError::InvalidInput(m)
    }
}

impl From<UnknownRole> for AuthError {
    fn from(e: UnknownRole) -> Self {
        AuthError::InvalidInput(Message::Key("field-role", vec![("role", e.0.into())]))
    }
}

/// A random token of `bytes` bytes from the OS, in hex.
pub fn random_token(bytes: usize) -> Result<String, AuthError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AuthError::Hashing(e.to_string()))?;
    Ok(hex(&buf))
}

/// Bytes in lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `text`, in hex: how secrets (tokens, links) are stored.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// Constant-time equality for secrets.
pub fn secrets_match(a: &str, b: &str) -> bool {
    secrets_match_bytes(a.as_bytes(), b.as_bytes())
}

/// Constant-time equality for secret bytes.
pub fn secrets_match_bytes(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
