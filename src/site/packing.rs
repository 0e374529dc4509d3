//! Keeping the store small over years of saves: the loose objects each
//! commit leaves are packed in the background once they pass a threshold
//! (count or bytes), by [`crate::git::pack`]. Saves go on meanwhile; a
//! round runs `git` on one core.

use super::{Site, SiteError};
use crate::git::pack::LooseObjects;
use std::time::Duration;

/// When loose objects are packed.
#[derive(Debug, Clone, Copy)]
pub struct PackPolicy {
    /// Pack once this many loose objects have been added since the last round.
    pub loose_objects: u64,
    /// Or once they take this many bytes.
    pub loose_bytes: u64,
    /// More packs than this are made into one.
    pub max_packs: usize,
}

impl PackPolicy {
    /// Whether a round is due with `loose` objects now, `left` of them
    /// unpackable after the last round (nothing reaches them).
    pub fn due(&self, loose: LooseObjects, left: LooseObjects) -> bool {
        loose.count.saturating_sub(left.count) >= self.loose_objects
            || loose.bytes.saturating_sub(left.bytes) >= self.loose_bytes
    }
}

impl Default for PackPolicy {
    fn default() -> Self {
        PackPolicy {
            loose_objects: 2_000,
            loose_bytes: 8 << 20,
            max_packs: 10,
        }
    }
}

/// How often loose objects are counted when no commit says so.
const CHECK_EVERY: Duration = Duration::from_secs(600);
/// At most one count per this long, however fast commits come.
const MIN_GAP: Duration = Duration::from_secs(2);

impl Site {
    /// Counts the loose objects after commits (and every ten minutes) and
    /// packs them when `policy` says so, until the process ends. Without
    /// the `git` command nothing is packed (said once, at start).
    pub async fn keep_packed(self, policy: PackPolicy) {
        if !crate::git::git_available() {
            tracing::warn!(
                "the git command is not installed: the repository's loose objects will not be packed"
            );
            return;
        }
        // What a round could not pack (objects nothing reaches) is not
        // counted again: it would make every round start at once.
        let mut left = LooseObjects::default();
        loop {
            let loose = match self.loose_objects().await {
                Ok(loose) => loose,
                Err(e) => {
                    tracing::error!(error = %e, "could not count the loose objects");
                    LooseObjects::default()
                }
            };
            if policy.due(loose, left) {
                let started = std::time::Instant::now();
                match self.pack_loose_objects(policy.max_packs).await {
                    Ok(packed) => {
                        tracing::info!(
                            before = packed.before.count,
                            before_bytes = packed.before.bytes,
                            after = packed.after.count,
                            consolidated = packed.consolidated,
                            ms = started.elapsed().as_millis() as u64,
                            "packed the loose objects"
                        );
                        left = packed.unpacked;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "could not pack the loose objects");
                        left = loose;
                    }
                }
            }
            tokio::time::sleep(MIN_GAP).await;
            let _ = tokio::time::timeout(CHECK_EVERY, self.committed.notified()).await;
        }
    }

    async fn loose_objects(&self) -> Result<LooseObjects, SiteError> {
        self.blocking(|cx| Ok(cx.repo.loose_objects()?)).await
    }

    /// One packing round now (see [`crate::git::pack`]).
    pub async fn pack_loose_objects(
        &self,
        max_packs: usize,
    ) -> Result<crate::git::pack::Packed, SiteError> {
        self.blocking(move |cx| Ok(cx.repo.pack_loose_objects(max_packs)?))
            .await
    }
}
