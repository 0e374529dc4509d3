//! The only code that touches git2: reading files at the branch tip, and
//! committing changes without the index.
//!
//! Everything here is blocking and returns owned data: callers run it inside
//! `spawn_blocking`. git2 handles are not `Sync`: each operation takes one
//! from a small pool and gives it back, so a handle's object cache (the
//! parsed trees of large folders) outlives one request. Writes are
//! serialized by [`Repo::write_lock`] in this process and by an OS file lock
//! across processes.

pub mod durability;
pub mod history;
pub mod options;

use git2::{ErrorCode, FileMode, ObjectType, Oid, Repository, Signature, build::TreeUpdateBuilder};
use std::fmt;
use std::fs::File;
use std::io::Write;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// How many idle git2 handles a repository keeps for reuse.
const POOLED_HANDLES: usize = 8;

/// A git object id in hex: the commit or blob a caller saw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectId(String);

impl ObjectId {
    /// Accepts a full hex object id (SHA-1 or SHA-256 length).
    pub fn parse(s: &str) -> Option<ObjectId> {
        let ok = (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
        ok.then(|| ObjectId(s.to_ascii_lowercase()))
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

/// A whole-file write to make in one commit.
#[derive(Debug, Clone)]
pub struct Change {
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    pub content: Vec<u8>,
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
    /// holds the writer's own handle: its in-memory index stays loaded
    /// between commits instead of being read again for each.
    writer: Mutex<Option<Repository>>,
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
        let root = repo.workdir().unwrap_or(repo.path()).to_path_buf();
        Ok(Repo {
            root,
            pool: Mutex::new(vec![repo]),
            branch_ref,
            writer: Mutex::new(None),
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
    /// Commits are made only through it.
    pub fn write_lock(&self) -> Result<Writer<'_>, StoreError> {
        let guard = self.writer.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(Writer { repo: self, guard })
    }

    /// The commit at the tip of the branch.
    pub fn tip(&self) -> Result<ObjectId, StoreError> {
        let repo = self.handle()?;
        Ok(ObjectId::from_oid(repo.refname_to_id(&self.branch_ref)?))
    }

    /// A file at the branch tip, or `None` when there is no such file.
    pub fn read_file(&self, path: &str) -> Result<Option<FileAtTip>, StoreError> {
        let repo = self.handle()?;
        let commit = repo.find_commit(repo.refname_to_id(&self.branch_ref)?)?;
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
        let repo = self.handle()?;
        let root = repo
            .find_commit(repo.refname_to_id(&self.branch_ref)?)?
            .tree()?;
        if dir.is_empty() {
            return Ok(Some(ObjectId::from_oid(root.id())));
        }
        Ok(match root.get_path(Path::new(dir)) {
            Ok(e) if e.kind() == Some(ObjectType::Tree) => Some(ObjectId::from_oid(e.id())),
            _ => None,
        })
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

    /// The files (not folders) directly in `dir` at the branch tip; empty
    /// when the folder does not exist.
    pub fn list_dir(&self, dir: &str) -> Result<DirListing, StoreError> {
        let repo = self.handle()?;
        let commit = repo.find_commit(repo.refname_to_id(&self.branch_ref)?)?;
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
        let entries = tree
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Blob))
            .filter_map(|e| {
                Some(DirEntry {
                    name: e.name().ok()?.to_string(),
                    blob: ObjectId::from_oid(e.id()),
                })
            })
            .collect();
        Ok(DirListing { entries })
    }
}

/// The one writer of a repository in this process (see [`Repo::write_lock`]).
pub struct Writer<'a> {
    repo: &'a Repo,
    guard: MutexGuard<'a, Option<Repository>>,
}

impl Writer<'_> {
    /// Makes one commit on the branch from `request.parent`'s tree with the
    /// changed files, without the index, then moves the branch only if it
    /// still points at `request.parent`. The working tree is updated after.
    pub fn commit(&mut self, request: &CommitRequest) -> Result<CommitOutcome, StoreError> {
        let branch_ref = self.repo.branch_ref.as_str();
        let repo: &Repository = match &mut *self.guard {
            Some(repo) => repo,
            slot => slot.insert(Repository::open(&self.repo.root)?),
        };
        let parent = repo.find_commit(request.parent.oid()?)?;
        let base_tree = parent.tree()?;
        let mut update = TreeUpdateBuilder::new();
        let mut written = Vec::with_capacity(request.changes.len());
        for change in &request.changes {
            let old = base_tree.get_path(Path::new(&change.path)).ok();
            let mode = match old.as_ref().map(|e| e.filemode()) {
                Some(m) if m == i32::from(FileMode::BlobExecutable) => FileMode::BlobExecutable,
                _ => FileMode::Blob,
            };
            let blob = repo.blob(&change.content)?;
            update.upsert(change.path.as_str(), blob, mode);
            written.push((change, old.map(|e| e.id())));
        }
        let tree_id = update.create_updated(repo, &base_tree)?;
        if tree_id == base_tree.id() {
            return Ok(CommitOutcome::Unchanged);
        }
        let tree = repo.find_tree(tree_id)?;
        let author = signature(&request.author, request.time)?;
        let committer = signature(&request.committer, request.time)?;
        let commit = repo.commit(
            None,
            &author,
            &committer,
            &request.message,
            &tree,
            &[&parent],
        )?;
        let summary = request.message.lines().next().unwrap_or_default();
        match repo.reference_matching(
            branch_ref,
            commit,
            true,
            parent.id(),
            &format!("cairn: {summary}"),
        ) {
            Ok(_) => {}
            Err(e) if e.code() == ErrorCode::Modified => return Err(StoreError::BranchMoved),
            Err(e) => return Err(e.into()),
        }
        let mut local_edits = Vec::new();
        if repo.workdir().is_some() {
            for (change, old) in written {
                match sync_worktree_file(repo, change, old) {
                    Ok(true) => {}
                    Ok(false) => local_edits.push(change.path.clone()),
                    Err(e) => {
                        tracing::warn!(path = %change.path, error = %e, "could not update the working tree");
                        // Drop whatever the failed update left in the
                        // handle's in-memory index.
                        if let Ok(mut index) = repo.index() {
                            let _ = index.read(true);
                        }
                        local_edits.push(change.path.clone());
                    }
                }
            }
        }
        Ok(CommitOutcome::Committed {
            commit: ObjectId::from_oid(commit),
            local_edits,
        })
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

/// Brings one working-tree file up to date with a commit, but only when the
/// file and its index entry were exactly the old version: local edits and
/// staged changes are never overwritten. Returns whether the file was updated.
fn sync_worktree_file(
    repo: &Repository,
    change: &Change,
    old: Option<Oid>,
) -> Result<bool, StoreError> {
    let Some(workdir) = repo.workdir() else {
        return Ok(true);
    };
    let full = workdir.join(&change.path);
    let on_disk = match std::fs::read(&full) {
        Ok(bytes) => Some(Oid::hash_object(ObjectType::Blob, &bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    // A pooled handle keeps its index in memory: reread it if a `git`
    // command changed it since.
    let mut index = repo.index()?;
    index.read(false)?;
    let staged = index.get_path(Path::new(&change.path), 0).map(|e| e.id);
    if on_disk != old || staged != old {
        return Ok(false);
    }
    if let Some(dir) = full.parent() {
        std::fs::create_dir_all(dir)?;
    }
    write_atomically(&full, &change.content)?;
    index.add_path(Path::new(&change.path))?;
    index.write()?;
    Ok(true)
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
