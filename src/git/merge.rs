//! Diverged histories: what each side changed since their common ancestor,
//! and the merge commit (two parents) that joins them. Deciding what the
//! merged files hold is the site's job (field by field); this module only
//! reads the two sides and writes the result the site asks for.

use super::{Identity, ObjectId, Repo, StoreError, Writer, handle_in, move_to_commit, signature};
use git2::{Oid, Repository, Tree};

/// A file one side changed since the common ancestor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDelta {
    pub path: String,
    /// The blob at the common ancestor (`None`: the file was added).
    pub old: Option<ObjectId>,
    /// The blob now (`None`: the file was removed).
    pub new: Option<ObjectId>,
}

/// Two histories that each have commits the other lacks.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// Their newest common ancestor.
    pub base: ObjectId,
    /// What the branch changed since `base`.
    pub ours: Vec<FileDelta>,
    /// What the other side changed since `base`.
    pub theirs: Vec<FileDelta>,
}

/// What the merge puts at one path.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// The other side's entry, as it is there (mode included; a removal
    /// when the other side removed it).
    Theirs,
    /// These bytes (the mode stays the branch's).
    Content(Vec<u8>),
}

/// A path the merge commit changes relative to the branch tip.
#[derive(Debug, Clone)]
pub struct MergeFile {
    pub path: String,
    pub take: Resolution,
}

/// A merge commit to make: `ours` must still be the branch tip.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    pub ours: ObjectId,
    pub theirs: ObjectId,
    pub files: Vec<MergeFile>,
    /// Cairn when the merge decided everything; the person who chose, when
    /// someone settled conflicts.
    pub author: Identity,
    pub committer: Identity,
    pub message: String,
    pub time: i64,
}

/// A commit, in a line: who changed a file on one side of a divergence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitSummary {
    pub id: ObjectId,
    pub author: Identity,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    pub summary: String,
}

impl Repo {
    /// What `ours` and `theirs` each changed since their newest common
    /// ancestor; `None` when they share no history.
    pub fn divergence(
        &self,
        ours: &ObjectId,
        theirs: &ObjectId,
    ) -> Result<Option<Divergence>, StoreError> {
        let repo = self.handle()?;
        let (ours, theirs) = (ours.oid()?, theirs.oid()?);
        let base = match repo.merge_base(ours, theirs) {
            Ok(base) => base,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let tree = |id: Oid| repo.find_commit(id).and_then(|c| c.tree());
        let base_tree = tree(base)?;
        let deltas = |id: Oid| -> Result<Vec<FileDelta>, StoreError> {
            Ok(tree_changes(&repo, &base_tree, &tree(id)?)?
                .into_iter()
                .map(|(path, old, new)| FileDelta {
                    path,
                    old: old.map(ObjectId::from_oid),
                    new: new.map(ObjectId::from_oid),
                })
                .collect())
        };
        Ok(Some(Divergence {
            base: ObjectId::from_oid(base),
            ours: deltas(ours)?,
            theirs: deltas(theirs)?,
        }))
    }

    /// The newest commit after `base` up to `tip` that changed `path`.
    pub fn last_change(
        &self,
        tip: &ObjectId,
        base: &ObjectId,
        path: &str,
    ) -> Result<Option<CommitSummary>, StoreError> {
        let repo = self.handle()?;
        let mut walk = repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
        walk.push(tip.oid()?)?;
        walk.hide(base.oid()?)?;
        let entry_at = |tree: &Tree<'_>| {
            tree.get_path(std::path::Path::new(path))
                .ok()
                .map(|e| (e.id(), e.filemode()))
        };
        for id in walk {
            let commit = repo.find_commit(id?)?;
            let now = entry_at(&commit.tree()?);
            let before = match commit.parent(0) {
                Ok(parent) => entry_at(&parent.tree()?),
                Err(_) => None,
            };
            if now != before {
                let author = commit.author();
                return Ok(Some(CommitSummary {
                    id: ObjectId::from_oid(commit.id()),
                    author: Identity {
                        name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
                    },
                    time: author.when().seconds(),
                    summary: String::from_utf8_lossy(commit.message_bytes())
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                }));
            }
        }
        Ok(None)
    }
}

impl Writer<'_> {
    /// Makes a merge commit with parents `ours` (the branch tip) and
    /// `theirs`, whose tree is the tip's with `files` applied, and moves the
    /// branch to it; the checkout follows as after a save (files with local
    /// edits are left alone and named). `StoreError::BranchMoved` when the
    /// tip is no longer `ours`.
    pub fn merge(&mut self, request: &MergeRequest) -> Result<(ObjectId, Vec<String>), StoreError> {
        for file in &request.files {
            super::check_path(&file.path)?;
        }
        let state = &mut *self.guard;
        let repo = handle_in(&mut state.handle, &self.repo.root)?;
        let tip = repo.refname_to_id(&self.repo.branch_ref)?;
        let ours = request.ours.oid()?;
        if tip != ours {
            return Err(StoreError::BranchMoved);
        }
        let ours = repo.find_commit(ours)?;
        let theirs = repo.find_commit(request.theirs.oid()?)?;
        let (our_tree, their_tree) = (ours.tree()?, theirs.tree()?);
        let mut update = git2::build::TreeUpdateBuilder::new();
        for file in &request.files {
            let path = std::path::Path::new(&file.path);
            match &file.take {
                Resolution::Theirs => match their_tree.get_path(path) {
                    Ok(entry) => {
                        update.upsert(&file.path, entry.id(), mode_of(entry.filemode()));
                    }
                    Err(_) => {
                        update.remove(&file.path);
                    }
                },
                Resolution::Content(bytes) => {
                    let mode = our_tree
                        .get_path(path)
                        .ok()
                        .map_or(git2::FileMode::Blob, |e| mode_of(e.filemode()));
                    let blob = repo.blob(bytes)?;
                    update.upsert(&file.path, blob, mode);
                }
            }
        }
        let merged = repo.find_tree(update.create_updated(repo, &our_tree)?)?;
        let who = signature(&request.committer, request.time)?;
        let author = signature(&request.author, request.time)?;
        let commit = repo.commit(
            None,
            &author,
            &who,
            &request.message,
            &merged,
            &[&ours, &theirs],
        )?;
        let summary = request.message.lines().next().unwrap_or_default();
        let local_edits = move_to_commit(
            repo,
            &mut state.pending,
            &self.repo.branch_ref,
            (ours.id(), commit),
            &who,
            &format!("cairn: {summary}"),
        )?;
        drop((ours, theirs, our_tree, their_tree, merged));
        self.try_sync_worktree();
        Ok((ObjectId::from_oid(commit), local_edits))
    }
}

fn mode_of(raw: i32) -> git2::FileMode {
    match raw {
        0o100755 => git2::FileMode::BlobExecutable,
        0o120000 => git2::FileMode::Link,
        0o160000 => git2::FileMode::Commit,
        _ => git2::FileMode::Blob,
    }
}

/// A path and its blob before and after (`None`: absent).
pub(super) type PathChange = (String, Option<Oid>, Option<Oid>);

/// The files that differ between two trees.
pub(super) fn tree_changes(
    repo: &Repository,
    old: &Tree<'_>,
    new: &Tree<'_>,
) -> Result<Vec<PathChange>, StoreError> {
    let diff = repo.diff_tree_to_tree(Some(old), Some(new), None)?;
    Ok(diff
        .deltas()
        .filter_map(|delta| {
            let id = |f: git2::DiffFile<'_>| (!f.id().is_zero()).then(|| f.id());
            let path = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())?
                .to_str()?
                .to_string();
            Some((path, id(delta.old_file()), id(delta.new_file())))
        })
        .collect())
}
