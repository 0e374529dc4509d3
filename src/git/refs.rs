//! Moving the branch to a new commit, as git's own files backend does: take
//! `<ref>.lock` (created exclusively: a `git` command holding it makes us
//! wait, and we make it wait), check the branch still points at the commit
//! the change was computed on, write and sync the lock, append the reflogs,
//! rename the lock over the ref and sync its folder.
//!
//! libgit2 does the same with every file synced on its own (the lock, each
//! reflog and their folders: seven syncs a save). Here the lock is synced in
//! the same round as the commit's objects, then the ref's folder; reflogs are
//! appended without a sync of their own, like git with its default
//! `core.fsync`.

use git2::{Oid, Repository, Signature};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::StoreError;

/// The branch's lock, held from before a commit's objects are written until
/// the branch has moved (or removed, on any error, when dropped).
pub(crate) struct BranchLock {
    git_dir: PathBuf,
    branch_ref: String,
    path: PathBuf,
    file: File,
    expected: Oid,
    new: Oid,
    held: bool,
}

impl Drop for BranchLock {
    fn drop(&mut self) {
        if self.held {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl BranchLock {
    /// Takes `<branch_ref>.lock`, checks the branch still points at
    /// `expected`, and writes `new` into the lock (not synced: see
    /// [`Self::file`]). `StoreError::Locked` when another program holds the
    /// lock; `StoreError::BranchMoved` when the branch moved.
    pub fn take(
        repo: &Repository,
        branch_ref: &str,
        expected: Oid,
        new: Oid,
    ) -> Result<Self, StoreError> {
        let git_dir = repo.path().to_path_buf();
        let ref_path = git_dir.join(branch_ref);
        if let Some(dir) = ref_path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let path = PathBuf::from(format!("{}.lock", ref_path.display()));
        let file = match File::options().write(true).create_new(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(StoreError::Locked(format!(
                    "{} exists",
                    path.strip_prefix(&git_dir).unwrap_or(&path).display()
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let mut lock = BranchLock {
            git_dir,
            branch_ref: branch_ref.to_string(),
            path,
            file,
            expected,
            new,
            held: true,
        };
        // With the lock held, nobody else can move the branch.
        if repo.refname_to_id(branch_ref)? != expected {
            return Err(StoreError::BranchMoved);
        }
        lock.file.write_all(format!("{new}\n").as_bytes())?;
        Ok(lock)
    }

    /// The lock file, to sync before [`Self::commit`].
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Appends the reflogs, renames the lock over the ref and syncs its
    /// folder. The lock file must have been synced.
    pub fn commit(
        mut self,
        repo: &Repository,
        who: &Signature<'_>,
        message: &str,
    ) -> Result<(), StoreError> {
        let line = reflog_line(self.expected, self.new, who, message);
        if logs(repo, &self.git_dir, &self.branch_ref) {
            append(&self.git_dir.join("logs").join(&self.branch_ref), &line)?;
        }
        let head_is_branch = repo
            .find_reference("HEAD")
            .ok()
            .and_then(|head| {
                head.symbolic_target()
                    .ok()
                    .flatten()
                    .map(|t| t == self.branch_ref)
            })
            .unwrap_or(false);
        if head_is_branch && logs(repo, &self.git_dir, "HEAD") {
            append(&self.git_dir.join("logs/HEAD"), &line)?;
        }
        let ref_path = self.git_dir.join(&self.branch_ref);
        std::fs::rename(&self.path, &ref_path)?;
        self.held = false;
        let dir = ref_path.parent().unwrap_or(&self.git_dir);
        File::open(dir)?.sync_all()?;
        Ok(())
    }
}

/// Moves `branch_ref` (`refs/heads/...`) from `expected` to `new` on its own
/// (no objects to write with it).
#[cfg(test)]
fn move_branch(
    repo: &Repository,
    branch_ref: &str,
    expected: Oid,
    new: Oid,
    who: &Signature<'_>,
    message: &str,
) -> Result<(), StoreError> {
    let lock = BranchLock::take(repo, branch_ref, expected, new)?;
    lock.file().sync_all()?;
    lock.commit(repo, who, message)
}

/// Whether updates of `name` are logged: its log exists, or
/// `core.logAllRefUpdates` asks for it (by default: in a repository with a
/// working tree), as git decides.
fn logs(repo: &Repository, git_dir: &Path, name: &str) -> bool {
    if git_dir.join("logs").join(name).exists() {
        return true;
    }
    let setting = repo
        .config()
        .ok()
        .and_then(|c| c.get_string("core.logallrefupdates").ok());
    match setting.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => !repo.is_bare(),
        Some("false" | "no" | "off" | "0") => false,
        Some(_) => true,
    }
}

/// One reflog line: `<old> <new> <name> <<email>> <time> <zone>\t<message>`.
fn reflog_line(old: Oid, new: Oid, who: &Signature<'_>, message: &str) -> Vec<u8> {
    let mut line = format!("{old} {new} ").into_bytes();
    line.extend_from_slice(&super::identity_line(who));
    line.push(b'\t');
    // One line: the message's first.
    line.extend_from_slice(message.lines().next().unwrap_or_default().as_bytes());
    line.push(b'\n');
    line
}

fn append(path: &Path, line: &[u8]) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut log = File::options().create(true).append(true).open(path)?;
    log.write_all(line)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn repo_with_commits() -> (tempfile::TempDir, Repository, Oid, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = Signature::new("A", "a@example.org", &git2::Time::new(1, 0)).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let tree = repo.find_tree(tree).unwrap();
        let first = repo
            .commit(Some("HEAD"), &sig, &sig, "one", &tree, &[])
            .unwrap();
        let parent = repo.find_commit(first).unwrap();
        let second = repo
            .commit(None, &sig, &sig, "two", &tree, &[&parent])
            .unwrap();
        drop(parent);
        drop(tree);
        (dir, repo, first, second)
    }

    fn branch(repo: &Repository) -> String {
        repo.find_reference("HEAD")
            .unwrap()
            .symbolic_target()
            .unwrap()
            .unwrap()
            .to_string()
    }

    #[test]
    fn moves_the_branch_and_logs_it_like_git() {
        let (_dir, repo, first, second) = repo_with_commits();
        let name = branch(&repo);
        let who = Signature::new("Cairn", "cairn@localhost", &git2::Time::new(2, 60)).unwrap();
        move_branch(&repo, &name, first, second, &who, "cairn: Update x\n\nmore").unwrap();
        assert_eq!(repo.refname_to_id(&name).unwrap(), second);
        assert!(!repo.path().join(format!("{name}.lock")).exists());
        let expected = format!("{first} {second} Cairn <cairn@localhost> 2 +0100\tcairn: Update x");
        for log in [name.as_str(), "HEAD"] {
            let reflog = repo.reflog(log).unwrap();
            let entry = reflog.get(0).unwrap();
            assert_eq!(entry.id_old(), first, "{log}");
            assert_eq!(entry.id_new(), second, "{log}");
            assert_eq!(entry.message().unwrap(), Some("cairn: Update x"), "{log}");
            let text = std::fs::read_to_string(repo.path().join("logs").join(log)).unwrap();
            assert!(text.ends_with(&format!("{expected}\n")), "{text}");
        }
    }

    #[test]
    fn refuses_a_moved_branch_and_a_held_lock_and_leaves_them_alone() {
        let (_dir, repo, first, second) = repo_with_commits();
        let name = branch(&repo);
        let who = Signature::new("Cairn", "cairn@localhost", &git2::Time::new(2, 0)).unwrap();
        // The branch is at `first`, not `second`.
        let moved = move_branch(&repo, &name, second, second, &who, "m");
        assert!(matches!(moved, Err(StoreError::BranchMoved)), "{moved:?}");
        assert!(!repo.path().join(format!("{name}.lock")).exists());

        let lock = repo.path().join(format!("{name}.lock"));
        std::fs::write(&lock, "held by git\n").unwrap();
        let locked = move_branch(&repo, &name, first, second, &who, "m");
        assert!(matches!(locked, Err(StoreError::Locked(_))), "{locked:?}");
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), "held by git\n");
        assert_eq!(repo.refname_to_id(&name).unwrap(), first);
    }
}
