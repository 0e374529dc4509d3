//! Reading history: the commits on the branch with the files each changed
//! (renames detected), oldest first, as owned data for the history index.

use super::{Identity, ObjectId, Repo, StoreError};
use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository, Sort};

/// How a file changed in a commit, relative to its first parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Renamed => "renamed",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        Some(match s {
            "added" => ChangeKind::Added,
            "modified" => ChangeKind::Modified,
            "deleted" => ChangeKind::Deleted,
            "renamed" => ChangeKind::Renamed,
            _ => return None,
        })
    }
}

/// One file a commit changed.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    pub kind: ChangeKind,
    pub old_blob: Option<ObjectId>,
    pub new_blob: Option<ObjectId>,
}

/// A commit and what it changed.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
    pub author: Identity,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    pub committer: Identity,
    pub message: String,
    pub files: Vec<FileChange>,
}

impl CommitInfo {
    /// The first line of the message.
    pub fn summary(&self) -> &str {
        self.message.lines().next().unwrap_or_default()
    }

    /// The value of a `Key: value` trailer in the message, if present.
    pub fn trailer(&self, key: &str) -> Option<&str> {
        self.message
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':').map(str::trim))
    }

    /// The message past its first line, without its trailers
    /// (`Cairn-User: 2`): what a person wrote below the summary.
    pub fn body_without_trailers(&self) -> String {
        let is_trailer = |line: &str| {
            line.split_once(": ").is_some_and(|(key, _)| {
                key.contains('-') && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
        };
        self.message
            .lines()
            .skip(1)
            .filter(|l| !is_trailer(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// What the branch holds beyond what was already indexed.
#[derive(Debug, Clone)]
pub enum NewHistory {
    /// Commits after the indexed tip, oldest first.
    Appended(Vec<CommitInfo>),
    /// The indexed tip is no longer in the branch's history (it was
    /// rewritten): every commit, oldest first.
    Rewritten(Vec<CommitInfo>),
}

impl Repo {
    /// The branch tip, and the commits up to it that are not ancestors of
    /// `indexed` (all of them when `indexed` is `None`), oldest first.
    pub fn history_since(
        &self,
        indexed: Option<&ObjectId>,
    ) -> Result<(ObjectId, NewHistory), StoreError> {
        let repo = self.handle()?;
        let tip = repo.refname_to_id(&self.branch_ref)?;
        let tip_id = ObjectId::from_oid(tip);
        let known = match indexed {
            Some(id) => {
                let oid = id.oid()?;
                let reachable = oid == tip
                    || (repo.find_commit(oid).is_ok()
                        && repo.graph_descendant_of(tip, oid).unwrap_or(false));
                if !reachable {
                    return Ok((tip_id, NewHistory::Rewritten(walk(&repo, tip, None)?)));
                }
                Some(oid)
            }
            None => None,
        };
        Ok((tip_id, NewHistory::Appended(walk(&repo, tip, known)?)))
    }

    /// One commit and what it changed, or `None` if there is no such commit.
    pub fn commit_info(&self, id: &ObjectId) -> Result<Option<CommitInfo>, StoreError> {
        let repo = self.handle()?;
        let Ok(commit) = repo.find_commit(id.oid()?) else {
            return Ok(None);
        };
        Ok(Some(describe(&repo, &commit)?))
    }

    /// A file's bytes in a given commit, or `None` when it has no such file.
    pub fn file_at(
        &self,
        commit: &ObjectId,
        path: &str,
    ) -> Result<Option<(ObjectId, Vec<u8>)>, StoreError> {
        let repo = self.handle()?;
        let Ok(commit) = repo.find_commit(commit.oid()?) else {
            return Ok(None);
        };
        let tree = commit.tree()?;
        let Ok(entry) = tree.get_path(std::path::Path::new(path)) else {
            return Ok(None);
        };
        let Ok(blob) = repo.find_blob(entry.id()) else {
            return Ok(None);
        };
        Ok(Some((
            ObjectId::from_oid(blob.id()),
            blob.content().to_vec(),
        )))
    }

    /// A file's bytes in the first parent of `commit` (what a deletion
    /// removed), or `None` when it had no such file or no parent.
    pub fn file_before(
        &self,
        commit: &ObjectId,
        path: &str,
    ) -> Result<Option<(ObjectId, Vec<u8>)>, StoreError> {
        let parent = {
            let repo = self.handle()?;
            let Ok(commit) = repo.find_commit(commit.oid()?) else {
                return Ok(None);
            };
            match commit.parent_id(0) {
                Ok(id) => ObjectId::from_oid(id),
                Err(_) => return Ok(None),
            }
        };
        self.file_at(&parent, path)
    }
}

fn walk(repo: &Repository, tip: Oid, hide: Option<Oid>) -> Result<Vec<CommitInfo>, StoreError> {
    let mut revwalk = repo.revwalk()?;
    revwalk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    revwalk.push(tip)?;
    if let Some(hide) = hide {
        revwalk.hide(hide)?;
    }
    let mut out = Vec::new();
    for oid in revwalk {
        let commit = repo.find_commit(oid?)?;
        out.push(describe(repo, &commit)?);
    }
    Ok(out)
}

fn identity(sig: &git2::Signature<'_>) -> Identity {
    Identity {
        name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
    }
}

/// A commit's metadata and its changes against its first parent.
fn describe(repo: &Repository, commit: &git2::Commit<'_>) -> Result<CommitInfo, StoreError> {
    let new_tree = commit.tree()?;
    let old_tree = match commit.parent(0) {
        Ok(parent) => Some(parent.tree()?),
        Err(_) => None,
    };
    let mut opts = DiffOptions::new();
    opts.ignore_submodules(true);
    let mut diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), Some(&mut opts))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    let path_of = |f: git2::DiffFile<'_>| f.path().map(|p| p.to_string_lossy().replace('\\', "/"));
    let blob_of = |f: git2::DiffFile<'_>| (!f.id().is_zero()).then(|| ObjectId::from_oid(f.id()));
    let mut files = Vec::new();
    for delta in diff.deltas() {
        let kind = match delta.status() {
            Delta::Added | Delta::Copied => ChangeKind::Added,
            Delta::Deleted => ChangeKind::Deleted,
            Delta::Renamed => ChangeKind::Renamed,
            Delta::Modified | Delta::Typechange => ChangeKind::Modified,
            _ => continue,
        };
        let Some(path) = path_of(delta.new_file()).or_else(|| path_of(delta.old_file())) else {
            continue;
        };
        files.push(FileChange {
            old_path: (kind == ChangeKind::Renamed)
                .then(|| path_of(delta.old_file()))
                .flatten(),
            path,
            kind,
            old_blob: blob_of(delta.old_file()),
            new_blob: blob_of(delta.new_file()),
        });
    }
    Ok(CommitInfo {
        id: ObjectId::from_oid(commit.id()),
        parents: commit.parent_ids().map(ObjectId::from_oid).collect(),
        author: identity(&commit.author()),
        time: commit.author().when().seconds(),
        committer: identity(&commit.committer()),
        message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
        files,
    })
}
