//! The only code that touches git2: reading files at the branch tip, and
//! committing changes without the index.
//!
//! Everything here is blocking and returns owned data: callers run it inside
//! `spawn_blocking`. git2 handles are not `Sync`: each operation takes one
//! from a small pool and gives it back, so a handle's object cache (the
//! parsed trees of large folders) outlives one request. Writes are
//! serialized by [`Repo::write_lock`] in this process and by an OS file lock
//! across processes.

mod cli;
pub mod durability;
mod export;
pub use cli::git_available;
pub mod history;
mod loose;
pub mod merge;
pub mod options;
pub mod pack;
mod refs;
pub mod remote;
mod tree;
mod worktree;

use git2::{ErrorCode, FileMode, ObjectType, Oid, Repository, Signature, build::TreeUpdateBuilder};
use std::fmt;
use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// How many idle git2 handles a repository keeps for reuse.
const POOLED_HANDLES: usize = 8;

/// A git object id in hex: the commit or blob a caller saw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectId(String);

impl ObjectId {
    /// Accepts a full hex object id: 40 digits (SHA-1, the only object
    /// format this libgit2 reads; a 64-digit SHA-256 id names nothing here).
    pub fn parse(s: &str) -> Option<ObjectId> {
        let ok = s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| ObjectId(s.to_ascii_lowercase()))
    }

    /// Git's null id (forty zeros): names no object, so it matches no
    /// version.
    pub fn null() -> ObjectId {
        ObjectId::from_oid(Oid::ZERO_SHA1)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn from_oid(oid: Oid) -> Self {
        ObjectId(oid.to_string())
    }

    fn oid(&self) -> Result<Oid, StoreError> {
        Oid::from_str(&self.0).map_err(StoreError::from)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person or service named in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} is not a git repository")]
    NotARepository(PathBuf),
    #[error("the repository has no commits on its current branch")]
    NoCommits,
    #[error("the repository's HEAD is not on a branch")]
    DetachedHead,
    #[error("another Cairn process is serving this site ({0})")]
    Busy(PathBuf),
    #[error("the branch moved while the commit was being made")]
    BranchMoved,
    /// Another program holds a git lock (`*.lock`) Cairn needs.
    #[error("the repository is locked by another program: {0}")]
    Locked(String),
    #[error("git: {0}")]
    Git(git2::Error),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("`{0}` is not a path Cairn can write")]
    InvalidPath(String),
    #[error("the repository is damaged: {0}")]
    Corrupt(String),
    #[error("the write lock was poisoned by a panic")]
    Poisoned,
}

impl From<git2::Error> for StoreError {
    fn from(e: git2::Error) -> Self {
        if e.code() == ErrorCode::Locked {
            StoreError::Locked(e.message().to_string())
        } else {
            StoreError::Git(e)
        }
    }
}

/// Folders below a collection deeper than this are not read.
const MAX_FOLDER_DEPTH: usize = 16;

/// The files in `tree` and in its folders, as Jekyll reads a collection:
/// each named by its path below `tree` (`configuration/options.md`).
/// Folders Jekyll skips (names starting with `.`, `_` or `#`, or ending
/// with `~`) are skipped.
fn files_of(repo: &Repository, tree: &git2::Tree<'_>) -> Result<DirListing, StoreError> {
    let mut entries = Vec::new();
    let mut stack: Vec<(String, git2::Tree<'_>, usize)> = vec![(String::new(), tree.clone(), 0)];
    while let Some((prefix, tree, depth)) = stack.pop() {
        for e in tree.iter() {
            let Ok(name) = e.name() else { continue };
            match e.kind() {
                Some(ObjectType::Blob) => entries.push(DirEntry {
                    name: format!("{prefix}{name}"),
                    blob: ObjectId::from_oid(e.id()),
                }),
                Some(ObjectType::Tree) if depth < MAX_FOLDER_DEPTH && is_read_folder(name) => {
                    stack.push((
                        format!("{prefix}{name}/"),
                        repo.find_tree(e.id())?,
                        depth + 1,
                    ));
                }
                _ => {}
            }
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(DirListing { entries })
}

/// Whether a collection's folder named `name` is read (as Jekyll does: not
/// hidden, private, or a backup).
fn is_read_folder(name: &str) -> bool {
    !name.starts_with(['.', '_', '#']) && !name.ends_with('~')
}

/// The id git gives a file with these bytes.
pub fn blob_id(bytes: &[u8]) -> Result<ObjectId, StoreError> {
    Ok(ObjectId::from_oid(git2::Oid::hash_object(
        git2::ObjectType::Blob,
        bytes,
    )?))
}

/// A file as it is at the branch tip.
#[derive(Debug, Clone)]
pub struct FileAtTip {
    pub commit: ObjectId,
    pub blob: ObjectId,
    pub bytes: Vec<u8>,
}

/// The files of a folder at the branch tip.
#[derive(Debug, Clone, Default)]
pub struct DirListing {
    pub entries: Vec<DirEntry>,
}

/// A file in a folder at the branch tip.
#[derive(Debug, Clone)]
pub struct DirEntry {
    pub name: String,
    pub blob: ObjectId,
}

/// A whole-file write (or removal) to make in one commit.
#[derive(Debug, Clone)]
pub struct Change {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// The new content; `None` removes the file. Shared, not copied, on
    /// its way to the object database.
    pub content: Option<bytes::Bytes>,
}

/// Everything a commit needs. `parent` is the tip the change was computed
/// on: if the branch moved since, nothing is written.
#[derive(Debug, Clone)]
pub struct CommitRequest {
    pub parent: ObjectId,
    pub changes: Vec<Change>,
    pub author: Identity,
    pub committer: Identity,
    pub message: String,
    /// Seconds since the Unix epoch (UTC), for author and committer.
    pub time: i64,
}

/// What a commit did.
#[derive(Debug, Clone)]
pub enum CommitOutcome {
    /// The tree did not change: no commit was made.
    Unchanged,
    Committed {
        commit: ObjectId,
        /// Paths whose working-tree file had local edits and was left alone.
        local_edits: Vec<String>,
    },
}

/// A site repository. Cheap to share; lends a git2 handle per operation.
pub struct Repo {
    root: PathBuf,
    /// Idle handles, reused so their object caches stay warm.
    pool: Mutex<Vec<Repository>>,
    /// `refs/heads/<branch>`: the branch HEAD pointed to at start-up.
    branch_ref: String,
    /// Serializes read-modify-commit sequences within this process, and
    /// holds what the writer keeps between commits.
    writer: Mutex<WriterState>,
    /// Held for the life of the process so two servers cannot both write.
    _process_lock: Option<File>,
}

impl Repo {
    /// Opens an existing repository at `path` (its work tree root, or a bare
    /// repository), taking the cross-process writer lock.
    pub fn open(path: &Path) -> Result<Repo, StoreError> {
        Self::open_with(path, true)
    }

    /// Opens a repository to read only (`cairn reindex` while a server runs):
    /// no writer lock is taken, and it must never be written through.
    pub fn open_reader(path: &Path) -> Result<Repo, StoreError> {
        Self::open_with(path, false)
    }

    fn open_with(path: &Path, writer: bool) -> Result<Repo, StoreError> {
        let repo = Repository::open(path).map_err(|e| match e.code() {
            ErrorCode::NotFound => StoreError::NotARepository(path.to_path_buf()),
            _ => StoreError::Git(e),
        })?;
        let head = repo.find_reference("HEAD")?;
        let branch_ref = match head.symbolic_target()? {
            Some(target) if target.starts_with("refs/heads/") => target.to_string(),
            _ => return Err(StoreError::DetachedHead),
        };
        drop(head);
        if repo.refname_to_id(&branch_ref).is_err() {
            return Err(StoreError::NoCommits);
        }
        let lock = if writer {
            // Not `*.lock`: stale-lock recovery must never take it for git's.
            let lock_path = repo.path().join("cairn-writer");
            let lock = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)?;
            if lock.try_lock().is_err() {
                return Err(StoreError::Busy(lock_path));
            }
            Some(lock)
        } else {
            None
        };
        let mut state = WriterState::default();
        if lock.is_some() {
            // Updates of the checkout a crashed server left unfinished: made
            // by the first sync or write (once stale locks are cleared).
            match worktree::recover(&repo, &branch_ref) {
                Ok(pending) if pending.is_empty() => {}
                Ok(pending) => {
                    tracing::info!(
                        files = pending.len(),
                        "the checkout has updates left from a crash"
                    );
                    state.pending = pending;
                }
                Err(e) => tracing::warn!(error = %e, "could not read the checkout journal"),
            }
        }
        let root = repo.workdir().unwrap_or(repo.path()).to_path_buf();
        Ok(Repo {
            root,
            pool: Mutex::new(vec![repo]),
            branch_ref,
            writer: Mutex::new(state),
            _process_lock: lock,
        })
    }

    /// Creates a repository at `path` with one commit holding `files`, on a
    /// branch named `main`, and checks it out. Built in a sibling folder and
    /// renamed into place, so a crash never leaves half a site behind.
    pub fn create(
        path: &Path,
        files: &[(&str, &[u8])],
        identity: &Identity,
        message: &str,
        time: i64,
    ) -> Result<(), StoreError> {
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)?;
        let staging = parent.join(format!(
            ".{}.creating-{}",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("site"),
            std::process::id()
        ));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)?;
        }
        {
            let mut opts = git2::RepositoryInitOptions::new();
            opts.initial_head("main").mkpath(true);
            let repo = Repository::init_opts(&staging, &opts)?;
            let empty = repo.treebuilder(None)?.write()?;
            let empty = repo.find_tree(empty)?;
            let mut update = TreeUpdateBuilder::new();
            for (file, bytes) in files {
                let blob = repo.blob(bytes)?;
                update.upsert(*file, blob, FileMode::Blob);
            }
            let tree = repo.find_tree(update.create_updated(&repo, &empty)?)?;
            let sig = signature(identity, time)?;
            repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &[])?;
            let mut checkout = git2::build::CheckoutBuilder::new();
            checkout.force();
            repo.checkout_head(Some(&mut checkout))?;
        }
        std::fs::rename(&staging, path)?;
        Ok(())
    }

    /// The repository's git folder (`.git`, or the bare repository).
    pub fn git_dir(&self) -> Result<PathBuf, StoreError> {
        Ok(self.handle()?.path().to_path_buf())
    }

    /// The repository's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The branch Cairn commits to, without `refs/heads/`.
    pub fn branch(&self) -> &str {
        self.branch_ref.trim_start_matches("refs/heads/")
    }

    /// A handle from the pool (or a new one), given back when dropped.
    fn handle(&self) -> Result<Handle<'_>, StoreError> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let repo = match pooled {
            Some(repo) => repo,
            None => Repository::open(&self.root)?,
        };
        Ok(Handle {
            repo: Some(repo),
            pool: &self.pool,
        })
    }

    /// Held across a read-modify-commit sequence: one writer at a time.
    /// Commits are made only through it. Taking it first brings the checkout
    /// up to date with the commits made before.
    pub fn write_lock(&self) -> Result<Writer<'_>, StoreError> {
        let guard = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        let mut writer = Writer { repo: self, guard };
        writer.try_sync_worktree();
        Ok(writer)
    }

    /// Brings the checkout up to date with the commits made so far: the
    /// updates a crash or another program's index lock left pending.
    /// `StoreError::Locked` while the lock is still held.
    pub fn sync_worktree(&self) -> Result<(), StoreError> {
        let guard = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        Writer { repo: self, guard }.sync_worktree()
    }

    /// The commit at the tip of the branch.
    pub fn tip(&self) -> Result<ObjectId, StoreError> {
        let repo = self.handle()?;
        Ok(ObjectId::from_oid(repo.refname_to_id(&self.branch_ref)?))
    }

    /// A file at the branch tip, or `None` when there is no such file.
    pub fn read_file(&self, path: &str) -> Result<Option<FileAtTip>, StoreError> {
        self.read_file_at(None, path)
    }

    /// A file in commit `at` (the branch tip when `None`); `None` when there
    /// is no such file, or no such commit.
    pub fn read_file_at(
        &self,
        at: Option<&ObjectId>,
        path: &str,
    ) -> Result<Option<FileAtTip>, StoreError> {
        let repo = self.handle()?;
        let Some(commit) = self.commit_at(&repo, at)? else {
            return Ok(None);
        };
        let tree = commit.tree()?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = repo.find_blob(entry.id())?;
        Ok(Some(FileAtTip {
            commit: ObjectId::from_oid(commit.id()),
            blob: ObjectId::from_oid(blob.id()),
            bytes: blob.content().to_vec(),
        }))
    }

    /// The commit `at`, or the tip when `None`; `None` when there is no such commit.
    fn commit_at<'r>(
        &self,
        repo: &'r Repository,
        at: Option<&ObjectId>,
    ) -> Result<Option<git2::Commit<'r>>, StoreError> {
        let id = match at {
            None => repo.refname_to_id(&self.branch_ref)?,
            Some(id) => id.oid()?,
        };
        match repo.find_commit(id) {
            Ok(c) => Ok(Some(c)),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A blob's bytes by id, or `None` if the repository has no such blob.
    pub fn read_blob(&self, id: &ObjectId) -> Result<Option<Vec<u8>>, StoreError> {
        let repo = self.handle()?;
        match repo.find_blob(id.oid()?) {
            Ok(blob) => Ok(Some(blob.content().to_vec())),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The tree id of folder `dir` at the branch tip (`None`: no such
    /// folder). It changes exactly when something below the folder changes,
    /// so it keys caches of the folder's listing.
    pub fn dir_tree_id(&self, dir: &str) -> Result<Option<ObjectId>, StoreError> {
        self.dir_tree_id_at(None, dir)
    }

    /// The tree id of folder `dir` in commit `at` (the tip when `None`).
    pub fn dir_tree_id_at(
        &self,
        at: Option<&ObjectId>,
        dir: &str,
    ) -> Result<Option<ObjectId>, StoreError> {
        let repo = self.handle()?;
        let Some(commit) = self.commit_at(&repo, at)? else {
            return Ok(None);
        };
        let root = commit.tree()?;
        if dir.is_empty() {
            return Ok(Some(ObjectId::from_oid(root.id())));
        }
        Ok(match root.get_path(Path::new(dir)) {
            Ok(e) if e.kind() == Some(ObjectType::Tree) => Some(ObjectId::from_oid(e.id())),
            _ => None,
        })
    }

    /// The files of the tree `tree` and of its folders (see `files_of`).
    pub fn list_tree(&self, tree: &ObjectId) -> Result<DirListing, StoreError> {
        let repo = self.handle()?;
        let tree = repo.find_tree(tree.oid()?)?;
        files_of(&repo, &tree)
    }

    /// The first of `paths` (below the tree `tree`) that [`Repo::list_tree`]
    /// would list: each looked up directly in one read of the tree, without
    /// listing its folders.
    pub fn first_listed<'p>(
        &self,
        tree: &ObjectId,
        paths: &'p [String],
    ) -> Result<Option<&'p str>, StoreError> {
        let repo = self.handle()?;
        let tree = repo.find_tree(tree.oid()?)?;
        for path in paths {
            let listed = path.rsplit_once('/').is_none_or(|(folders, _)| {
                folders.split('/').count() <= MAX_FOLDER_DEPTH
                    && folders.split('/').all(is_read_folder)
            });
            if !listed {
                continue;
            }
            match tree.get_path(Path::new(path)) {
                Ok(e) if e.kind() == Some(ObjectType::Blob) => return Ok(Some(path)),
                Ok(_) => {}
                Err(e) if e.code() == ErrorCode::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(None)
    }

    /// Every file of commit `at` (folders starting with `_` or `.` too,
    /// but not submodules), sorted by path.
    pub fn every_file_at(&self, at: &ObjectId) -> Result<DirListing, StoreError> {
        let repo = self.handle()?;
        let tree = repo.find_commit(at.oid()?)?.tree()?;
        let mut entries = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |parent, e| {
            if e.kind() == Some(ObjectType::Blob)
                && let Ok(name) = e.name()
            {
                entries.push(DirEntry {
                    name: format!("{parent}{name}"),
                    blob: ObjectId::from_oid(e.id()),
                });
            }
            git2::TreeWalkResult::Ok
        })?;
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(DirListing { entries })
    }

    /// Many blobs' bytes through one handle (opening one per blob dominates
    /// the cost of reading a large collection); `None` for a missing blob.
    pub fn read_blobs(&self, ids: &[ObjectId]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let repo = self.handle()?;
        ids.iter()
            .map(|id| match repo.find_blob(id.oid()?) {
                Ok(blob) => Ok(Some(blob.content().to_vec())),
                Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            })
            .collect()
    }

    /// The sizes of blobs in bytes, read from their headers (not their
    /// content); `None` for an id the repository lacks.
    pub fn blob_sizes(&self, ids: &[ObjectId]) -> Result<Vec<Option<u64>>, StoreError> {
        let repo = self.handle()?;
        let odb = repo.odb()?;
        ids.iter()
            .map(|id| match odb.read_header(id.oid()?) {
                Ok((size, _)) => Ok(Some(size as u64)),
                Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            })
            .collect()
    }

    /// The files (not folders) directly in `dir` at the branch tip; empty
    /// when the folder does not exist.
    pub fn list_dir(&self, dir: &str) -> Result<DirListing, StoreError> {
        self.list_dir_at(None, dir)
    }

    /// The files in `dir` and its folders in commit `at` (the tip when `None`).
    pub fn list_dir_at(&self, at: Option<&ObjectId>, dir: &str) -> Result<DirListing, StoreError> {
        let repo = self.handle()?;
        let Some(commit) = self.commit_at(&repo, at)? else {
            return Ok(DirListing::default());
        };
        let root = commit.tree()?;
        let tree = if dir.is_empty() {
            root
        } else {
            match root.get_path(Path::new(dir)) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => repo.find_tree(e.id())?,
                Ok(_) => return Ok(DirListing::default()),
                Err(e) if e.code() == ErrorCode::NotFound => return Ok(DirListing::default()),
                Err(e) => return Err(e.into()),
            }
        };
        files_of(&repo, &tree)
    }
}

/// What the writer keeps between commits.
struct WriterState {
    /// The writer's own handle: its in-memory index stays loaded.
    handle: Option<Repository>,
    /// The trees of recent commits, raw: the next commit starts from them.
    trees: tree::TreeCache,
    /// Checkout updates not made yet.
    pending: Vec<worktree::Pending>,
}

impl Default for WriterState {
    fn default() -> Self {
        Self {
            handle: None,
            trees: tree::TreeCache::new(TREE_CACHE_BYTES),
            pending: Vec::new(),
        }
    }
}

/// How much of the writer's memory raw trees may take.
const TREE_CACHE_BYTES: usize = 32 << 20;

/// The one writer of a repository in this process (see [`Repo::write_lock`]).
pub struct Writer<'a> {
    repo: &'a Repo,
    guard: MutexGuard<'a, WriterState>,
}

impl Writer<'_> {
    /// Makes the pending checkout updates; on failure (a `git` command
    /// holding the index lock) they stay pending.
    fn sync_worktree(&mut self) -> Result<(), StoreError> {
        if self.guard.pending.is_empty() {
            return Ok(());
        }
        let state = &mut *self.guard;
        let repo = handle_in(&mut state.handle, &self.repo.root)?;
        worktree::apply(repo, &state.pending)?;
        state.pending.clear();
        Ok(())
    }

    /// [`Self::sync_worktree`], where a failure only delays the updates: the
    /// next writer or [`Repo::sync_worktree`] makes them.
    fn try_sync_worktree(&mut self) {
        if let Err(e) = self.sync_worktree() {
            tracing::debug!(error = %e, "could not update the checkout yet");
        }
    }

    /// A file at the branch tip, or `None`, read through the writer's own
    /// trees: after a commit, the next save finds its file without reading
    /// and parsing the folder's tree again.
    pub fn read_file(&mut self, path: &str) -> Result<Option<FileAtTip>, StoreError> {
        let Some((tip, blob)) = self.blob_at_tip(path)? else {
            return Ok(None);
        };
        let state = &mut *self.guard;
        let repo = handle_in(&mut state.handle, &self.repo.root)?;
        let odb = repo.odb()?;
        let object = odb.read(blob)?;
        Ok(Some(FileAtTip {
            commit: ObjectId::from_oid(tip),
            blob: ObjectId::from_oid(blob),
            bytes: object.data().to_vec(),
        }))
    }

    /// Whether the branch tip has a file at `path`, from its trees only
    /// (the file is not read: a photo of 20 MiB costs as little as a page).
    pub fn has_file(&mut self, path: &str) -> Result<bool, StoreError> {
        Ok(self.blob_at_tip(path)?.is_some())
    }

    /// The tip and the blob at `path` in it, through the writer's trees.
    fn blob_at_tip(&mut self, path: &str) -> Result<Option<(git2::Oid, git2::Oid)>, StoreError> {
        let state = &mut *self.guard;
        let repo = handle_in(&mut state.handle, &self.repo.root)?;
        let tip = repo.refname_to_id(&self.repo.branch_ref)?;
        let root = repo.find_commit(tip)?.tree_id();
        let odb = repo.odb()?;
        Ok(state
            .trees
            .blob_at(&odb, root, path)?
            .map(|(_, blob)| (tip, blob)))
    }

    /// Makes one commit on the branch from `request.parent`'s tree with the
    /// changed files, without the index, then moves the branch only if it
    /// still points at `request.parent`. The checkout's files are updated
    /// just after (see [`worktree`]); the outcome names those with local
    /// edits, which are left alone.
    pub fn commit(&mut self, request: &CommitRequest) -> Result<CommitOutcome, StoreError> {
        for change in &request.changes {
            check_path(&change.path)?;
        }
        let state = &mut *self.guard;
        let repo = handle_in(&mut state.handle, &self.repo.root)?;
        let parent = repo.find_commit(request.parent.oid()?)?;
        let base_tree = parent.tree_id();
        let odb = repo.odb()?;
        let mut batch = loose::Batch::new(repo.path());
        let mut edits = Vec::with_capacity(request.changes.len());
        let mut written = Vec::with_capacity(request.changes.len());
        for change in &request.changes {
            let old = state.trees.blob_at(&odb, base_tree, &change.path)?;
            let new = match &change.content {
                Some(content) => {
                    let mode = old.map_or(tree::Mode::Blob, |(mode, _)| mode);
                    let blob = loose::hash_checked(loose::Kind::Blob, content)?;
                    batch.object(&odb, loose::Kind::Blob, blob, content.clone())?;
                    Some((mode, blob))
                }
                None => None,
            };
            edits.push(tree::Edit {
                path: &change.path,
                blob: new,
            });
            written.push((
                change.path.clone(),
                old.map(|(_, id)| id),
                new.map(|(_, id)| id),
            ));
        }
        let tree_id = tree::Trees {
            odb: &odb,
            batch: &mut batch,
            cache: &mut state.trees,
        }
        .apply(base_tree, &edits)?;
        if tree_id == base_tree {
            return Ok(CommitOutcome::Unchanged);
        }
        let author = signature(&request.author, request.time)?;
        let committer = signature(&request.committer, request.time)?;
        let raw = commit_bytes(tree_id, parent.id(), &author, &committer, &request.message);
        let commit = loose::hash_checked(loose::Kind::Commit, &raw)?;
        batch.object(&odb, loose::Kind::Commit, commit, raw.into())?;
        let summary = request.message.lines().next().unwrap_or_default();
        let local_edits = move_branch(
            repo,
            &mut state.pending,
            &self.repo.branch_ref,
            batch,
            written,
            (parent.id(), commit),
            &committer,
            &format!("cairn: {summary}"),
        )?;
        // Done with the handle's objects: the writer is borrowed whole below.
        drop((parent, odb));
        // The checkout follows before the answer: a `git commit` or `git mv`
        // made there right after must not commit the old version back (the
        // integration tests do exactly that).
        self.try_sync_worktree();
        Ok(CommitOutcome::Committed {
            commit: ObjectId::from_oid(commit),
            local_edits,
        })
    }
}

/// What [`Writer::fast_forward`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FastForward {
    /// The branch already has that commit.
    UpToDate,
    /// The branch moved to the commit; the checkout follows (files with
    /// local edits, named here, are left alone).
    Moved { local_edits: Vec<String> },
    /// Both sides have commits the other lacks: nothing was done.
    Diverged,
}

impl Writer<'_> {
    /// Moves the branch forward to `to` (a descendant of its tip, already in
    /// the repository), with git's lock protocol, and brings the checkout's
    /// changed files along as a commit's would be.
    pub fn fast_forward(
        &mut self,
        to: &ObjectId,
        who: &Identity,
        now: i64,
    ) -> Result<FastForward, StoreError> {
        let outcome = self.move_forward(to, who, now)?;
        if matches!(outcome, FastForward::Moved { .. }) {
            self.try_sync_worktree();
        }
        Ok(outcome)
    }

    fn move_forward(
        &mut self,
        to: &ObjectId,
        who: &Identity,
        now: i64,
    ) -> Result<FastForward, StoreError> {
        let state = &mut *self.guard;
        let repo = handle_in(&mut state.handle, &self.repo.root)?;
        let tip = repo.refname_to_id(&self.repo.branch_ref)?;
        let target = to.oid()?;
        if tip == target || repo.graph_descendant_of(tip, target)? {
            return Ok(FastForward::UpToDate);
        }
        if !repo.graph_descendant_of(target, tip)? {
            return Ok(FastForward::Diverged);
        }
        let local_edits = move_to_commit(
            repo,
            &mut state.pending,
            &self.repo.branch_ref,
            (tip, target),
            &signature(who, now)?,
            "cairn: fast-forward to the remote",
        )?;
        Ok(FastForward::Moved { local_edits })
    }
}

/// Moves the branch from `from` to `to`, a commit already in the
/// repository (a fast-forward, a merge), with [`move_branch`]: the files
/// that differ between their trees follow in the checkout.
fn move_to_commit(
    repo: &Repository,
    pending: &mut Vec<worktree::Pending>,
    branch_ref: &str,
    (from, to): (Oid, Oid),
    who: &Signature<'_>,
    reflog: &str,
) -> Result<Vec<String>, StoreError> {
    let old_tree = repo.find_commit(from)?.tree()?;
    let new_tree = repo.find_commit(to)?.tree()?;
    let changed = merge::tree_changes(repo, &old_tree, &new_tree)?;
    move_branch(
        repo,
        pending,
        branch_ref,
        loose::Batch::new(repo.path()),
        changed,
        (from, to),
        who,
        reflog,
    )
}

/// Moves the branch from `from` to `to` (git's lock protocol, the lock
/// synced with `batch`), the checkout following: each changed file
/// `(path, old, new)` that is at a version Cairn wrote or replaced is
/// journaled (in `batch`, so a crash after the move is repaired at the next
/// start) and added to `pending`; the others have local edits, are left
/// alone, and are returned.
#[allow(clippy::too_many_arguments)]
fn move_branch(
    repo: &Repository,
    pending: &mut Vec<worktree::Pending>,
    branch_ref: &str,
    mut batch: loose::Batch,
    changed: Vec<(String, Option<Oid>, Option<Oid>)>,
    (from, to): (Oid, Oid),
    who: &Signature<'_>,
    reflog: &str,
) -> Result<Vec<String>, StoreError> {
    let mut local_edits = Vec::new();
    let mut follow = Vec::new();
    if repo.workdir().is_some() {
        for (path, old, new) in changed {
            if worktree::is_clean(repo, &path, old, pending)? {
                follow.push(worktree::Pending { path, old, new });
            } else {
                local_edits.push(path);
            }
        }
    }
    let all = [pending.as_slice(), &follow].concat();
    if !follow.is_empty() {
        let (path, text) = worktree::journal(repo.path(), &all);
        batch.file(path, text);
    }
    // The branch is locked and checked before anything is made durable.
    let branch = refs::BranchLock::take(repo, branch_ref, from, to)?;
    batch.write(&[branch.file()])?;
    branch.commit(repo, who, reflog)?;
    *pending = all;
    Ok(local_edits)
}

/// `Name <email> <seconds> <+hhmm>`, as git writes a person in commits and
/// reflogs.
fn identity_line(sig: &Signature<'_>) -> Vec<u8> {
    let when = sig.when();
    let offset = when.offset_minutes();
    let mut out = sig.name_bytes().to_vec();
    out.extend_from_slice(b" <");
    out.extend_from_slice(sig.email_bytes());
    out.extend_from_slice(
        format!(
            "> {} {}{:02}{:02}",
            when.seconds(),
            if offset < 0 { '-' } else { '+' },
            offset.abs() / 60,
            offset.abs() % 60
        )
        .as_bytes(),
    );
    out
}

/// A commit object's bytes, as libgit2 writes them: one parent, no
/// encoding header, the message as given.
fn commit_bytes(
    tree: Oid,
    parent: Oid,
    author: &Signature<'_>,
    committer: &Signature<'_>,
    message: &str,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + message.len());
    out.extend_from_slice(format!("tree {tree}\nparent {parent}\n").as_bytes());
    for (header, sig) in [("author", author), ("committer", committer)] {
        out.extend_from_slice(header.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&identity_line(sig));
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(message.as_bytes());
    out
}

/// The writer's handle, opened on first use.
fn handle_in<'a>(
    slot: &'a mut Option<Repository>,
    root: &Path,
) -> Result<&'a Repository, StoreError> {
    Ok(match slot {
        Some(repo) => repo,
        slot => slot.insert(Repository::open(root)?),
    })
}

/// A path Cairn may write: relative, `/`-separated, with no empty, `.`,
/// `..` or `.git` part and no NUL.
fn check_path(path: &str) -> Result<(), StoreError> {
    let bad = path.is_empty()
        || path.contains('\0')
        || path.split('/').any(|part| {
            part.is_empty() || part == "." || part == ".." || part.eq_ignore_ascii_case(".git")
        });
    if bad {
        Err(StoreError::InvalidPath(path.to_string()))
    } else {
        Ok(())
    }
}

impl fmt::Debug for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repo")
            .field("root", &self.root)
            .field("branch_ref", &self.branch_ref)
            .finish_non_exhaustive()
    }
}

/// A git2 handle lent by a [`Repo`]'s pool.
struct Handle<'a> {
    repo: Option<Repository>,
    pool: &'a Mutex<Vec<Repository>>,
}

impl Deref for Handle<'_> {
    type Target = Repository;

    fn deref(&self) -> &Repository {
        // Only `drop` takes the handle out.
        self.repo.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Handle<'_> {
    fn drop(&mut self) {
        if let (Some(repo), Ok(mut pool)) = (self.repo.take(), self.pool.lock())
            && pool.len() < POOLED_HANDLES
        {
            pool.push(repo);
        }
    }
}

fn signature(identity: &Identity, time: i64) -> Result<Signature<'static>, StoreError> {
    Ok(Signature::new(
        &identity.name,
        &identity.email,
        &git2::Time::new(time, 0),
    )?)
}
