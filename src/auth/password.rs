//! argon2id password hashing, off the async runtime and bounded in memory:
//! at most one hash per permit runs at once, each in a memory buffer the
//! permit owns and reuses (so the peak is permits x m, whatever the
//! allocator would do with many short-lived 64 MiB blocks).

use super::AuthError;
use crate::i18n::{Message, ToArg};
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OnceCell, Semaphore};

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer passwords are refused before hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A password that meets the length rules. Never logged.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(s: &str) -> Result<Password, Message> {
        if s.len() > MAX_PASSWORD_BYTES {
            return Err(Message::Key(
                "field-password-long",
                vec![("bytes", MAX_PASSWORD_BYTES.to_arg())],
            ));
        }
        if s.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Message::Key(
                "field-password-short",
                vec![("count", MIN_PASSWORD_CHARS.to_arg())],
            ));
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
    /// How many hashes have been computed (tests check refusals skip it).
    runs: Arc<AtomicU64>,
    /// The argon2 memory of idle permits, reused during a burst (never more
    /// buffers than permits) and freed when no hash is running.
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    /// Hashes running now.
    active: Arc<std::sync::atomic::AtomicUsize>,
}

/// Stored hashes asking for more memory than this are not computed (1 GiB).
const MAX_BLOCKS: usize = 1024 * 1024;
/// Length of the hashes Cairn makes, in bytes.
const OUTPUT_LEN: usize = 32;

/// argon2id cost parameters. Never below OWASP's minimum (m = 19 MiB, t = 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl HashCost {
    /// OWASP's minimum for argon2id.
    pub const MINIMUM: HashCost = HashCost {
        memory_kib: 19 * 1024,
        iterations: 2,
    };
    /// m = 64 MiB, t = 3, p = 1: 187 ms here (BENCHMARKS.md).
    pub const DEFAULT: HashCost = HashCost {
        memory_kib: 64 * 1024,
        iterations: 3,
    };
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost::DEFAULT
    }
}

impl Hasher {
    /// At most `concurrency` hashes at once, each with `cost` (refused
    /// below OWASP's minimum).
    pub fn new(concurrency: usize, cost: HashCost) -> Result<Self, AuthError> {
        if cost.memory_kib < HashCost::MINIMUM.memory_kib
            || cost.iterations < HashCost::MINIMUM.iterations
        {
            return Err(AuthError::InvalidInput(Message::Text(format!(
                "argon2 parameters m={} KiB, t={} are below OWASP's minimum (m={} KiB, t={})",
                cost.memory_kib,
                cost.iterations,
                HashCost::MINIMUM.memory_kib,
                HashCost::MINIMUM.iterations
            ))));
        }
        let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
            .map_err(|e| AuthError::InvalidInput(format!("argon2 parameters: {e}").into()))?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            params,
            dummy: Arc::new(OnceCell::new()),
            runs: Arc::new(AtomicU64::new(0)),
            buffers: Arc::new(Mutex::new(Vec::new())),
            active: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        })
    }

    /// How many hashes this hasher has computed.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Whether `hash` was made with other parameters (or another algorithm)
    /// than this hasher's, and should be replaced at the next login.
    pub fn needs_rehash(&self, hash: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(hash) else {
            return true;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return true;
        };
        parsed.algorithm != Algorithm::Argon2id.ident()
            || parsed.version != Some(Version::V0x13.into())
            || params.m_cost() != self.params.m_cost()
            || params.t_cost() != self.params.t_cost()
            || params.p_cost() != self.params.p_cost()
    }

    /// A PHC-format argon2id hash of `password`.
    pub async fn hash(&self, password: &Password) -> Result<String, AuthError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AuthError::Hashing(e.to_string()))?;
        let password = password.0.clone();
        let params = self.params.clone();
        self.run(move |blocks| {
            let mut out = [0u8; OUTPUT_LEN];
            compute(&params, password.as_bytes(), &salt, &mut out, blocks)?;
            let hashing = |e: argon2::password_hash::Error| AuthError::Hashing(e.to_string());
            let salt = SaltString::encode_b64(&salt).map_err(hashing)?;
            let phc = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params).map_err(hashing)?,
                salt: Some(salt.as_salt()),
                hash: Some(Output::new(&out).map_err(hashing)?),
            };
            Ok(phc.to_string())
        })
        .await
    }

    /// Whether `password` matches `hash`. With no hash (unknown user, or an
    /// account whose password was never set), a dummy hash is checked so the
    /// answer takes the same time. Over-long passwords are refused unhashed.
    pub async fn verify(&self, password: &str, hash: Option<String>) -> Result<bool, AuthError> {
        if password.len() > MAX_PASSWORD_BYTES {
            return Ok(false);
        }
        let hash = hash.filter(|h| PasswordHash::new(h).is_ok());
        let known = hash.is_some();
        let hash = match hash {
            Some(h) => h,
            None => self.dummy_hash().await?,
        };
        let password = password.to_string();
        let ok = self
            .run(move |blocks| {
                let hashing = |e: argon2::password_hash::Error| AuthError::Hashing(e.to_string());
                let parsed = PasswordHash::new(&hash).map_err(hashing)?;
                if parsed.algorithm != Algorithm::Argon2id.ident() {
                    return Ok(false);
                }
                let params = Params::try_from(&parsed).map_err(hashing)?;
                let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
                    return Ok(false);
                };
                let mut salt_bytes = [0u8; 64];
                let salt = salt.decode_b64(&mut salt_bytes).map_err(hashing)?;
                let mut out = vec![0u8; expected.len()];
                compute(&params, password.as_bytes(), salt, &mut out, blocks)?;
                Ok(super::secrets_match_bytes(&out, expected.as_bytes()))
            })
            .await?;
        Ok(ok && known)
    }

    /// Makes the dummy hash now, so the first unknown username is not the
    /// one answer that takes twice as long.
    pub async fn warm_up(&self) -> Result<(), AuthError> {
        self.dummy_hash().await.map(|_| ())
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

    /// Runs `work` on the blocking pool with a permit and its buffer.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> Result<T, AuthError> + Send + 'static,
    ) -> Result<T, AuthError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AuthError::Hashing(e.to_string()))?;
        self.runs.fetch_add(1, Ordering::Relaxed);
        let buffers = Arc::clone(&self.buffers);
        let active = Arc::clone(&self.active);
        active.fetch_add(1, Ordering::SeqCst);
        tokio::task::spawn_blocking(move || {
            let mut blocks = lock(&buffers).pop().unwrap_or_default();
            let result = work(&mut blocks);
            let mut pool = lock(&buffers);
            // The last hash of a burst frees the memory (64 MiB a buffer).
            if active.fetch_sub(1, Ordering::SeqCst) == 1 {
                pool.clear();
            } else {
                pool.push(blocks);
            }
            result
        })
        .await
        .map_err(|e| AuthError::Hashing(e.to_string()))?
    }
}

fn lock(buffers: &Mutex<Vec<Vec<Block>>>) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
    // Buffers hold no invariant a panic could break.
    buffers.lock().unwrap_or_else(|p| p.into_inner())
}

/// argon2id of `password` with `params` into `out`, in `blocks` (grown to
/// the size the parameters need, then kept).
fn compute(
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    blocks: &mut Vec<Block>,
) -> Result<(), AuthError> {
    let needed = params.block_count();
    if needed > MAX_BLOCKS {
        return Err(AuthError::Hashing(format!(
            "a stored hash asks for {needed} KiB of memory"
        )));
    }
    if blocks.len() < needed {
        blocks.resize(needed, Block::new());
    }
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password, salt, out, &mut blocks[..])
        .map_err(|e| AuthError::Hashing(e.to_string()))
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
        let hasher = Hasher::new(1, HashCost::DEFAULT)?;
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
        // An account whose password was never set matches nothing.
        assert!(!hasher.verify("", Some(String::new())).await?);
        Ok(())
    }

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crates_own_hasher() -> Result<(), AuthError> {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let hasher = Hasher::new(1, HashCost::MINIMUM)?;
        let ours = hasher
            .hash(&Password::parse("correct horse battery")?)
            .await?;
        let parsed = PasswordHash::new(&ours).map_err(|e| AuthError::Hashing(e.to_string()))?;
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let salt = SaltString::encode_b64(b"sixteen byte salt")
            .map_err(|e| AuthError::Hashing(e.to_string()))?;
        let theirs = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).map_err(|e| AuthError::Hashing(e.to_string()))?,
        )
        .hash_password(b"correct horse battery", &salt)
        .map_err(|e| AuthError::Hashing(e.to_string()))?
        .to_string();
        assert!(
            hasher
                .verify("correct horse battery", Some(theirs.clone()))
                .await?
        );
        assert!(!hasher.verify("correct horse batterY", Some(theirs)).await?);
        // Nothing running: no buffer kept.
        assert_eq!(lock(&hasher.buffers).len(), 0);
        Ok(())
    }

    #[tokio::test]
    async fn over_long_passwords_are_refused_without_hashing() -> Result<(), AuthError> {
        let hasher = Hasher::new(1, HashCost::MINIMUM)?;
        let hash = hasher
            .hash(&Password::parse("correct horse battery")?)
            .await?;
        let before = hasher.runs();
        let huge = "x".repeat(1024 * 1024);
        assert!(!hasher.verify(&huge, Some(hash.clone())).await?);
        assert!(!hasher.verify(&huge, None).await?);
        assert_eq!(hasher.runs(), before, "a 1 MB password was hashed");
        assert!(Password::parse(&huge).is_err());
        Ok(())
    }

    #[tokio::test]
    async fn parameters_below_owasp_are_refused_and_old_hashes_are_flagged() -> Result<(), AuthError>
    {
        assert!(
            Hasher::new(
                1,
                HashCost {
                    memory_kib: 8 * 1024,
                    iterations: 2
                }
            )
            .is_err()
        );
        assert!(
            Hasher::new(
                1,
                HashCost {
                    memory_kib: 64 * 1024,
                    iterations: 1
                }
            )
            .is_err()
        );
        let light = Hasher::new(1, HashCost::MINIMUM)?;
        let heavy = Hasher::new(1, HashCost::DEFAULT)?;
        let hash = light
            .hash(&Password::parse("correct horse battery")?)
            .await?;
        assert!(!light.needs_rehash(&hash));
        assert!(heavy.needs_rehash(&hash));
        assert!(heavy.needs_rehash("not a hash"));
        Ok(())
    }
}
