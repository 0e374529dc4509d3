//! argon2id password hashing, off the async runtime and bounded in how many
//! hashes run at once (each takes 64 MiB).

use super::AuthError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::{OnceCell, Semaphore};

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer passwords are refused before hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A password that meets the length rules. Never logged.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(s: &str) -> Result<Password, AuthError> {
        if s.len() > MAX_PASSWORD_BYTES {
            return Err(AuthError::InvalidInput(format!(
                "The password is longer than {MAX_PASSWORD_BYTES} bytes."
            )));
        }
        if s.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AuthError::InvalidInput(format!(
                "The password must have at least {MIN_PASSWORD_CHARS} characters."
            )));
        }
        Ok(Password(s.to_string()))
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Hashes and verifies passwords. Clone is cheap.
#[derive(Clone)]
pub struct Hasher {
    /// At most this many hashes at once, so a burst of logins cannot exhaust memory.
    permits: Arc<Semaphore>,
    params: Params,
    /// A hash of a random password, verified against when a username is
    /// unknown so that answer takes as long as a wrong password.
    dummy: Arc<OnceCell<String>>,
}

impl Hasher {
    /// m = 64 MiB, t = 3, p = 1 (OWASP's minimum is m = 19 MiB, t = 2).
    pub fn new(concurrency: usize) -> Result<Self, AuthError> {
        let params =
            Params::new(64 * 1024, 3, 1, None).map_err(|e| AuthError::Hashing(e.to_string()))?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            params,
            dummy: Arc::new(OnceCell::new()),
        })
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// A PHC-format argon2id hash of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, AuthError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AuthError::Hashing(e.to_string()))?;
        let password = password.0.clone();
        let params = self.params.clone();
        self.run(move || {
            let salt =
                SaltString::encode_b64(&salt).map_err(|e| AuthError::Hashing(e.to_string()))?;
            Self::argon2(params)
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AuthError::Hashing(e.to_string()))
        })
        .await
    }

    /// Whether `password` matches `hash`. With no hash (unknown user), a
    /// dummy hash is checked so the answer takes the same time.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, AuthError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Ok(false);
        }
        let known = hash.is_some();
        let hash = match hash {
            Some(h) => h,
            None => self.dummy_hash().await?,
        };
        let password = password.to_string();
        let ok = self
            .run(move || {
                let parsed =
                    PasswordHash::new(&hash).map_err(|e| AuthError::Hashing(e.to_string()))?;
                Ok(Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok())
            })
            .await?;
        Ok(ok && known)
    }

    async fn dummy_hash(&self) -> Result<String, AuthError> {
        self.dummy
            .get_or_try_init(|| async {
                let random = super::random_token(24)?;
                self.hash(&Password(random)).await
            })
            .await
            .cloned()
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AuthError> + Send + 'static,
    ) -> Result<T, AuthError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AuthError::Hashing(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AuthError::Hashing(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_rules() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
        assert!(Password::parse("correct horse battery").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("correct horse battery").ok()),
            "Some(Password(..))"
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() -> Result<(), AuthError> {
        let hasher = Hasher::new(1)?;
        let pw = Password::parse("correct horse battery")?;
        let hash = hasher.hash(&pw).await?;
        assert!(hash.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"));
        assert!(
            hasher
                .verify("correct horse battery", Some(hash.clone()))
                .await?
        );
        assert!(!hasher.verify("wrong horse battery", Some(hash)).await?);
        assert!(!hasher.verify("correct horse battery", None).await?);
        Ok(())
    }
}
