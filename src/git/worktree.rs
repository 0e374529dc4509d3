//! Keeping a checkout's files in step with the commits Cairn makes.
//!
//! A commit lands on the branch first; the working-tree file and its index
//! entry are updated right after, before the save is answered. Until then
//! the update is *pending*, recorded in `.git/cairn-worktree` (written and
//! synced before the branch moves), so a crash in between is repaired at the
//! next start; an update another program's index lock delays is made by the
//! next writer. Commits and checkout updates stay in order.
//!
//! A file is only ever changed when it and its index entry are versions
//! Cairn wrote or replaced (the one the commit replaced, or one of the
//! updates still pending for it): local edits, staged changes and untracked
//! files are never touched.

use git2::{ObjectType, Oid, Repository};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::StoreError;

/// The journal of pending updates, in the git folder.
const JOURNAL: &str = "cairn-worktree";

/// One working-tree file to bring from `old` to `new` (`None`: no file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    pub path: String,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// The blob id of the file at `path` in the working tree (`None`: no file).
fn on_disk(workdir: &Path, path: &str) -> Result<Option<Oid>, StoreError> {
    match std::fs::read(workdir.join(path)) {
        Ok(bytes) => Ok(Some(Oid::hash_object(ObjectType::Blob, &bytes)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The versions the checkout's `path` can be at while Cairn brings it along:
/// the one before the first pending update, and each pending update's (a
/// crash can cut an update off between the file and the index). Without
/// pending updates, `old`.
fn versions(pending: &[Pending], path: &str, old: Option<Oid>) -> Vec<Option<Oid>> {
    let mut chain = pending.iter().filter(|p| p.path == path).peekable();
    match chain.peek() {
        None => vec![old],
        Some(first) => std::iter::once(first.old)
            .chain(chain.map(|p| p.new))
            .collect(),
    }
}

/// Whether the checkout's file at `path` may follow a commit that changes
/// it from `old`: the file and its index entry are both versions Cairn
/// wrote or replaced ([`versions`]); anything else is a local edit.
pub(crate) fn is_clean(
    repo: &Repository,
    path: &str,
    old: Option<Oid>,
    pending: &[Pending],
) -> Result<bool, StoreError> {
    let Some(workdir) = repo.workdir() else {
        return Ok(false);
    };
    let known = versions(pending, path, old);
    if !known.contains(&on_disk(workdir, path)?) {
        return Ok(false);
    }
    let mut index = repo.index()?;
    // The handle keeps its index in memory: reread it if a `git` command
    // changed it since (a stat when nothing did).
    index.read(false)?;
    Ok(known.contains(&index.get_path(Path::new(path), 0).map(|e| e.id)))
}

/// The journal listing `pending`, and where it goes: written durably with the
/// commit's objects, so that after a crash [`recover`] finishes what it lists.
pub(crate) fn journal(git_dir: &Path, pending: &[Pending]) -> (PathBuf, Vec<u8>) {
    let mut text = String::new();
    for p in pending {
        let old = p.old.unwrap_or(Oid::ZERO_SHA1);
        let new = p.new.unwrap_or(Oid::ZERO_SHA1);
        text.push_str(&format!("{old} {new} {}\n", p.path));
    }
    (git_dir.join(JOURNAL), text.into_bytes())
}

/// Removes the journal once its updates are made.
fn clear_journal(git_dir: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(git_dir.join(JOURNAL)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

/// Each path once: the version before the first update and after the last.
fn coalesce(pending: &[Pending]) -> Vec<Pending> {
    let mut out: Vec<Pending> = Vec::new();
    for p in pending {
        match out.iter_mut().find(|o| o.path == p.path) {
            Some(o) => o.new = p.new,
            None => out.push(p.clone()),
        }
    }
    out
}

/// Applies `pending` to the checkout, then clears the journal. A file that
/// was changed by hand meanwhile is left as it is (and logged).
pub(crate) fn apply(repo: &Repository, pending: &[Pending]) -> Result<(), StoreError> {
    let Some(workdir) = repo.workdir() else {
        return Ok(());
    };
    if pending.is_empty() {
        // Nothing to do but forget a journal whose updates never landed.
        return clear_journal(repo.path());
    }
    let mut index = repo.index()?;
    index.read(false)?;
    let mut changed = false;
    for p in coalesce(pending) {
        let disk = on_disk(workdir, &p.path)?;
        let staged = index.get_path(Path::new(&p.path), 0).map(|e| e.id);
        if staged == p.new && disk == p.new {
            continue;
        }
        let known = versions(pending, &p.path, p.old);
        if !known.contains(&staged) || !known.contains(&disk) {
            tracing::warn!(path = %p.path, "the checkout has local edits to this file; left as it is");
            continue;
        }
        let full = workdir.join(&p.path);
        match p.new {
            Some(new) => {
                if disk != Some(new) {
                    let blob = repo.find_blob(new)?;
                    if let Some(dir) = full.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    write_atomically(&full, blob.content())?;
                }
                index.add_path(Path::new(&p.path))?;
            }
            None => {
                if disk.is_some() {
                    std::fs::remove_file(&full)?;
                    remove_empty_parents(workdir, &full);
                }
                if staged.is_some() {
                    index.remove_path(Path::new(&p.path))?;
                }
            }
        }
        changed = true;
    }
    if changed && let Err(e) = index.write() {
        // Forget the unwritten entries: the next attempt starts from disk.
        let _ = index.read(true);
        return Err(e.into());
    }
    clear_journal(repo.path())
}

/// At start-up: the updates a crashed server left in the journal, for the
/// files whose commit did land on `branch_ref` (to [`apply`]).
pub(crate) fn recover(repo: &Repository, branch_ref: &str) -> Result<Vec<Pending>, StoreError> {
    let path = repo.path().join(JOURNAL);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let pending: Vec<Pending> = text
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ' ');
            let old = Oid::from_str(parts.next()?).ok()?;
            let new = Oid::from_str(parts.next()?).ok()?;
            let path = parts.next()?.to_string();
            Some(Pending {
                path,
                old: (!old.is_zero()).then_some(old),
                new: (!new.is_zero()).then_some(new),
            })
        })
        .collect();
    if let Some(workdir) = repo.workdir() {
        for p in coalesce(&pending) {
            remove_temporary_files(&workdir.join(&p.path));
        }
    }
    let tree = repo.find_commit(repo.refname_to_id(branch_ref)?)?.tree()?;
    // A path is brought from its first recorded version to the one at the
    // tip, if the tip holds one of the versions recorded (the last entries
    // may be of a commit whose branch move never happened).
    let mut landed = Vec::new();
    for first in coalesce(&pending) {
        let at_tip = tree.get_path(Path::new(&first.path)).ok().map(|e| e.id());
        if pending
            .iter()
            .any(|p| p.path == first.path && p.new == at_tip)
        {
            landed.push(Pending {
                new: at_tip,
                ..first
            });
        }
    }
    Ok(landed)
}

/// Removes the folders above a removed file that it left empty, up to the
/// checkout's root (git keeps no empty folders either).
fn remove_empty_parents(workdir: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == workdir || !d.starts_with(workdir) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Removes what [`write_atomically`] leaves beside `path` when the process
/// dies in the middle (never anything else: only our own name pattern).
fn remove_temporary_files(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let prefix = format!(".{name}.cairn-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let leftover = entry
            .file_name()
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if leftover && std::fs::remove_file(entry.path()).is_ok() {
            tracing::info!(path = %entry.path().display(), "removed a temporary file left by a crash");
        }
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`, keeping the old file's permissions.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.cairn-{}", std::process::id()));
    let result = (|| {
        let mut file = File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(result?)
}
