//! Durability of the repository: lock files left by a writer that died are
//! cleared so a restart works at once. (libgit2's fsync is switched on in
//! [`super::options`].)

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A lock file as first seen: removed later only if it has not changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    path: PathBuf,
    modified: Option<SystemTime>,
    len: u64,
}

/// Every `*.lock` file under `git_dir` (refs, `HEAD.lock`, `index.lock`,
/// `packed-refs.lock`, `config.lock`, ...). Object folders are skipped: git
/// writes no lock files there.
fn lock_files(git_dir: &Path) -> Vec<Seen> {
    let mut out = Vec::new();
    let mut stack = vec![git_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                if path.file_name().is_some_and(|n| n != "objects") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "lock") {
                out.push(Seen {
                    path,
                    modified: meta.modified().ok(),
                    len: meta.len(),
                });
            }
        }
    }
    out
}

/// Removes the lock files that were under `git_dir` at start-up and are
/// still there, unchanged, after `grace`: their writer died (kill -9, power
/// loss). A lock another program is still using changes or goes away within
/// the grace period and is left alone. Returns the paths removed.
pub fn clear_stale_locks(git_dir: &Path, grace: Duration) -> Vec<PathBuf> {
    let before = lock_files(git_dir);
    if before.is_empty() {
        return Vec::new();
    }
    std::thread::sleep(grace);
    let after = lock_files(git_dir);
    let mut removed = Vec::new();
    for lock in before.into_iter().filter(|l| after.contains(l)) {
        match std::fs::remove_file(&lock.path) {
            Ok(()) => {
                tracing::warn!(path = %lock.path.display(), "removed a lock file left by a writer that died");
                removed.push(lock.path);
            }
            Err(e) => {
                tracing::error!(path = %lock.path.display(), error = %e, "could not remove a stale lock file");
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unchanged_lock_files_are_removed() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let heads = dir.path().join("refs/heads");
        std::fs::create_dir_all(&heads)?;
        std::fs::create_dir_all(dir.path().join("objects/ab"))?;
        std::fs::write(heads.join("main.lock"), "0000\n")?;
        std::fs::write(dir.path().join("index.lock"), "")?;
        std::fs::write(dir.path().join("objects/ab/cd.lock"), "")?;
        std::fs::write(heads.join("main"), "0000\n")?;
        let removed = clear_stale_locks(dir.path(), Duration::from_millis(10));
        assert_eq!(removed.len(), 2);
        assert!(!heads.join("main.lock").exists());
        assert!(!dir.path().join("index.lock").exists());
        assert!(heads.join("main").exists(), "refs are never touched");
        assert!(
            dir.path().join("objects/ab/cd.lock").exists(),
            "objects are not scanned"
        );
        Ok(())
    }
}
