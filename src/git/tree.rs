//! Building a commit's trees from the parent's, byte for byte.
//!
//! A collection folder of 10,000 documents is one tree object of some
//! 440 KB. libgit2's `TreeUpdateBuilder` parses all of it into a tree
//! builder, sorts it and serializes it again for every save (about 5 ms), and
//! compresses the result with zlib (another 5 ms). Here a tree is kept as the
//! raw bytes git stores, an edit is a splice of one entry into them, and the
//! object goes into the commit's [`Batch`] of loose objects. Trees read or
//! written are kept in a small cache, so the next save starts from the bytes
//! this one produced.
//!
//! The result is the tree git itself would build: entries in git's order
//! (names compared bytewise, a folder's name as if it ended in `/`), and the
//! unit tests check it against `TreeUpdateBuilder` on random edits.

use git2::{ObjectType, Odb, Oid};
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::StoreError;
use super::loose::{Batch, Kind, hash_plain};

/// Mode of a folder entry, as git writes it.
const MODE_TREE: &[u8] = b"40000";
/// SHA-1 object ids: the only kind git2 reads today.
const OID_LEN: usize = 20;

/// A write to make in a tree: `path` (with `/` separators) set to a blob of
/// `mode` (`None`: removed).
#[derive(Debug, Clone)]
pub(crate) struct Edit<'a> {
    pub path: &'a str,
    pub blob: Option<(Mode, Oid)>,
}

/// The file modes Cairn writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Blob,
    Executable,
}

impl Mode {
    fn bytes(self) -> &'static [u8] {
        match self {
            Mode::Blob => b"100644",
            Mode::Executable => b"100755",
        }
    }
}

/// A path (relative to some tree) and what to set it to.
type PathEdit<'a> = (&'a [u8], Option<(Mode, Oid)>);

/// One entry of a raw tree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawEntry<'a> {
    pub mode: &'a [u8],
    pub name: &'a [u8],
    pub oid: &'a [u8],
    /// Where the entry starts and ends in the tree's bytes.
    start: usize,
    end: usize,
}

impl RawEntry<'_> {
    pub fn is_tree(&self) -> bool {
        self.mode == MODE_TREE
    }

    pub fn oid(&self) -> Result<Oid, StoreError> {
        Ok(Oid::from_bytes(self.oid)?)
    }
}

/// The entries of a raw tree, in order.
pub(crate) fn entries(raw: &[u8]) -> impl Iterator<Item = Result<RawEntry<'_>, StoreError>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= raw.len() {
            return None;
        }
        let start = at;
        let bad = || StoreError::Corrupt("a tree entry is malformed".into());
        let entry = (|| {
            let space = raw[at..].iter().position(|b| *b == b' ').ok_or_else(bad)?;
            let mode = &raw[at..at + space];
            let name_at = at + space + 1;
            let nul = raw[name_at..]
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(bad)?;
            let name = &raw[name_at..name_at + nul];
            let oid_at = name_at + nul + 1;
            let end = oid_at + OID_LEN;
            if end > raw.len() || mode.is_empty() || name.is_empty() {
                return Err(bad());
            }
            Ok(RawEntry {
                mode,
                name,
                oid: &raw[oid_at..end],
                start,
                end,
            })
        })();
        match entry {
            Ok(e) => {
                at = e.end;
                Some(Ok(e))
            }
            Err(e) => {
                at = raw.len();
                Some(Err(e))
            }
        }
    })
}

/// git's order of tree entries: names compared bytewise, a folder's name as
/// if it were followed by `/`.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let len = a.len().min(b.len());
    match a[..len].cmp(&b[..len]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| match name.get(len) {
        Some(c) => *c,
        None if tree => b'/',
        None => 0,
    };
    next(a, a_tree).cmp(&next(b, b_tree))
}

/// `raw` with the entry `name` removed and, when `new` is given, an entry
/// `name` of that mode and id put in its place in git's order.
fn splice(raw: &[u8], name: &[u8], new: Option<(&[u8], Oid)>) -> Result<Vec<u8>, StoreError> {
    let new_tree = new.is_some_and(|(mode, _)| mode == MODE_TREE);
    let mut existing = None;
    let mut insert_at = None;
    for entry in entries(raw) {
        let entry = entry?;
        if entry.name == name {
            existing = Some((entry.start, entry.end));
        } else if insert_at.is_none()
            && git_order(entry.name, entry.is_tree(), name, new_tree) == Ordering::Greater
        {
            insert_at = Some(entry.start);
        }
    }
    let insert_at = insert_at.unwrap_or(raw.len());
    let mut added = Vec::new();
    if let Some((mode, oid)) = new {
        added.extend_from_slice(mode);
        added.push(b' ');
        added.extend_from_slice(name);
        added.push(0);
        added.extend_from_slice(oid.as_bytes());
    }
    let mut out = Vec::with_capacity(raw.len() + added.len());
    // The entry replaced and the insertion point never overlap: the point is
    // the start of another entry (or the end).
    match existing {
        None => {
            out.extend_from_slice(&raw[..insert_at]);
            out.extend_from_slice(&added);
            out.extend_from_slice(&raw[insert_at..]);
        }
        Some((start, end)) if insert_at <= start => {
            out.extend_from_slice(&raw[..insert_at]);
            out.extend_from_slice(&added);
            out.extend_from_slice(&raw[insert_at..start]);
            out.extend_from_slice(&raw[end..]);
        }
        Some((start, end)) => {
            out.extend_from_slice(&raw[..start]);
            out.extend_from_slice(&raw[end..insert_at]);
            out.extend_from_slice(&added);
            out.extend_from_slice(&raw[insert_at..]);
        }
    }
    Ok(out)
}

/// Raw trees by id, bounded by their total size.
#[derive(Debug)]
pub(crate) struct TreeCache {
    trees: HashMap<Oid, Arc<Vec<u8>>>,
    order: VecDeque<Oid>,
    bytes: usize,
    limit: usize,
}

impl TreeCache {
    pub fn new(limit: usize) -> Self {
        Self {
            trees: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            limit,
        }
    }

    /// A tree's bytes, from the cache or the object database.
    pub fn get(&mut self, odb: &Odb<'_>, id: Oid) -> Result<Arc<Vec<u8>>, StoreError> {
        if let Some(raw) = self.trees.get(&id) {
            return Ok(raw.clone());
        }
        let object = odb.read(id)?;
        if object.kind() != ObjectType::Tree {
            return Err(StoreError::Corrupt(format!("{id} is not a tree")));
        }
        let raw = Arc::new(object.data().to_vec());
        self.put(id, raw.clone());
        Ok(raw)
    }

    /// The file at `path` below tree `root`, if there is one: its mode and
    /// blob id.
    pub fn blob_at(
        &mut self,
        odb: &Odb<'_>,
        root: Oid,
        path: &str,
    ) -> Result<Option<(Mode, Oid)>, StoreError> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut tree = root;
        for (i, part) in parts.iter().enumerate() {
            let raw = self.get(odb, tree)?;
            let mut found = None;
            for entry in entries(&raw) {
                let entry = entry?;
                if entry.name == part.as_bytes() {
                    let mode = if entry.mode == b"100755" {
                        Mode::Executable
                    } else {
                        Mode::Blob
                    };
                    found = Some((entry.is_tree(), mode, entry.oid()?));
                    break;
                }
            }
            let last = i + 1 == parts.len();
            match found {
                Some((true, _, id)) if !last => tree = id,
                Some((false, mode, id)) if last => return Ok(Some((mode, id))),
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    fn put(&mut self, id: Oid, raw: Arc<Vec<u8>>) {
        if raw.len() > self.limit || self.trees.contains_key(&id) {
            return;
        }
        self.bytes += raw.len();
        self.trees.insert(id, raw);
        self.order.push_back(id);
        while self.bytes > self.limit {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(raw) = self.trees.remove(&old) {
                self.bytes -= raw.len();
            }
        }
    }
}

/// Where trees come from and go: the object database (to read), the
/// commit's batch of new objects (to write), and the cache.
pub(crate) struct Trees<'a> {
    pub odb: &'a Odb<'a>,
    pub batch: &'a mut Batch,
    pub cache: &'a mut TreeCache,
}

impl Trees<'_> {
    /// The tree `root` with `edits` applied, written to the object database.
    /// Returns the new root tree's id (the same id when nothing changed).
    pub fn apply(&mut self, root: Oid, edits: &[Edit<'_>]) -> Result<Oid, StoreError> {
        let edits: Vec<PathEdit<'_>> = edits.iter().map(|e| (e.path.as_bytes(), e.blob)).collect();
        match self.update(Some(root), &edits)? {
            Some(id) => Ok(id),
            // Everything was removed: the root is the empty tree.
            None => self.write(Vec::new()),
        }
    }

    /// Applies `edits` (paths relative to this tree) to tree `id` (`None`:
    /// no tree yet). `None` when the result is empty.
    fn update(
        &mut self,
        id: Option<Oid>,
        edits: &[PathEdit<'_>],
    ) -> Result<Option<Oid>, StoreError> {
        let original = match id {
            Some(id) => Some(self.cache.get(self.odb, id)?),
            None => None,
        };
        let mut raw: Vec<u8> = original.as_deref().cloned().unwrap_or_default();
        // Files directly here, in order; then each folder's edits together.
        let mut folders: Vec<(&[u8], Vec<PathEdit<'_>>)> = Vec::new();
        for (path, blob) in edits {
            match path.iter().position(|b| *b == b'/') {
                None => {
                    let new = blob.map(|(mode, oid)| (mode.bytes(), oid));
                    raw = splice(&raw, path, new)?;
                }
                Some(slash) => {
                    let (dir, rest) = (&path[..slash], &path[slash + 1..]);
                    match folders.iter_mut().find(|(d, _)| *d == dir) {
                        Some((_, list)) => list.push((rest, *blob)),
                        None => folders.push((dir, vec![(rest, *blob)])),
                    }
                }
            }
        }
        for (dir, list) in folders {
            let current = entries(&raw)
                .filter_map(Result::ok)
                .find(|e| e.name == dir && e.is_tree())
                .map(|e| e.oid())
                .transpose()?;
            let updated = self.update(current, &list)?;
            if updated == current {
                continue;
            }
            raw = splice(&raw, dir, updated.map(|id| (MODE_TREE, id)))?;
        }
        if raw.is_empty() {
            return Ok(None);
        }
        if let (Some(id), Some(original)) = (id, &original)
            && **original == raw
        {
            return Ok(Some(id));
        }
        Ok(Some(self.write(raw)?))
    }

    fn write(&mut self, raw: Vec<u8>) -> Result<Oid, StoreError> {
        let id = hash_plain(Kind::Tree, &raw)?;
        self.batch.object(
            self.odb,
            Kind::Tree,
            id,
            bytes::Bytes::copy_from_slice(&raw),
        )?;
        self.cache.put(id, Arc::new(raw));
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use git2::{FileMode, Repository, build::TreeUpdateBuilder};
    use proptest::prelude::*;
    use std::path::Path;

    /// Files only: folders (`a`, `dir`, `dir/sub`) are never files, so both
    /// builders accept every edit. Names chosen around git's ordering rule
    /// (`a` the folder sorts as `a/`, after `a-b` and `a.md`, before `a0`).
    const FILES: &[&str] = &[
        "a.md",
        "a-b.md",
        "a0",
        "ab",
        "dir.md",
        "dir0",
        "z",
        "a/x.md",
        "a/y",
        "dir/q",
        "dir/sub/y",
        "dir/sub/z.md",
        "dir/sub.md",
    ];

    fn repo() -> (tempfile::TempDir, Repository) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        (dir, repo)
    }

    /// The tree `base` with `edits`, built by libgit2.
    fn by_libgit2(repo: &Repository, base: Oid, edits: &[(usize, Option<(bool, u8)>)]) -> Oid {
        let base = repo.find_tree(base).unwrap();
        let mut update = TreeUpdateBuilder::new();
        for (file, edit) in edits {
            match edit {
                Some((exec, byte)) => {
                    let blob = repo.blob(&[*byte]).unwrap();
                    let mode = if *exec {
                        FileMode::BlobExecutable
                    } else {
                        FileMode::Blob
                    };
                    update.upsert(FILES[*file], blob, mode);
                }
                None => {
                    update.remove(FILES[*file]);
                }
            }
        }
        update.create_updated(repo, &base).unwrap()
    }

    /// The same with [`Trees::apply`].
    fn by_cairn(repo: &Repository, base: Oid, edits: &[(usize, Option<(bool, u8)>)]) -> Oid {
        let odb = repo.odb().unwrap();
        let mut batch = Batch::new(repo.path());
        let mut cache = TreeCache::new(1 << 20);
        let mut trees = Trees {
            odb: &odb,
            batch: &mut batch,
            cache: &mut cache,
        };
        let edits: Vec<Edit<'_>> = edits
            .iter()
            .map(|(file, edit)| Edit {
                path: FILES[*file],
                blob: edit.map(|(exec, byte)| {
                    let mode = if exec { Mode::Executable } else { Mode::Blob };
                    (mode, repo.blob(&[byte]).unwrap())
                }),
            })
            .collect();
        let id = trees.apply(base, &edits).unwrap();
        batch.write(&[]).unwrap();
        id
    }

    fn edits() -> impl Strategy<Value = Vec<(usize, Option<(bool, u8)>)>> {
        prop::collection::vec(
            (
                0..FILES.len(),
                prop::option::weighted(0.8, (any::<bool>(), 0u8..4)),
            ),
            1..6,
        )
    }

    /// libgit2 refuses two edits of one path: the last of each.
    fn last_of_each(
        mut edits: Vec<(usize, Option<(bool, u8)>)>,
    ) -> Vec<(usize, Option<(bool, u8)>)> {
        let mut seen = std::collections::HashSet::new();
        edits.reverse();
        edits.retain(|(f, _)| seen.insert(*f));
        edits.reverse();
        edits
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Every edit gives the very tree libgit2 builds (same id), and the
        /// objects written are ones libgit2 reads back.
        #[test]
        fn builds_the_tree_libgit2_builds(first in edits(), second in edits()) {
            let (_dir, repo) = repo();
            let empty = repo.treebuilder(None).unwrap().write().unwrap();
            // A first round of upserts only (libgit2 refuses to remove what
            // is not there), then any edits of the files that exist.
            let first: Vec<_> = last_of_each(
                first
                    .into_iter()
                    .map(|(f, e)| (f, Some(e.unwrap_or((false, 9)))))
                    .collect(),
            );
            let theirs = by_libgit2(&repo, empty, &first);
            let ours = by_cairn(&repo, empty, &first);
            prop_assert_eq!(ours, theirs);
            let tree = repo.find_tree(ours).unwrap();
            let exists = |f: usize| tree.get_path(Path::new(FILES[f])).is_ok();
            let second = last_of_each(
                second
                    .into_iter()
                    .filter(|(f, e)| e.is_some() || exists(*f))
                    .collect(),
            );
            let theirs = by_libgit2(&repo, ours, &second);
            let ours = by_cairn(&repo, ours, &second);
            prop_assert_eq!(ours, theirs);
            let written = repo.find_tree(ours).unwrap();
            prop_assert_eq!(written.id(), ours);
        }
    }

    #[test]
    fn finds_files_and_only_files() {
        let (_dir, repo) = repo();
        let empty = repo.treebuilder(None).unwrap().write().unwrap();
        let root = by_cairn(
            &repo,
            empty,
            &[(0, Some((false, 1))), (10, Some((true, 2)))],
        );
        let odb = repo.odb().unwrap();
        let mut cache = TreeCache::new(1 << 20);
        let blob = |b: u8| Oid::hash_object(ObjectType::Blob, &[b]).unwrap();
        assert_eq!(
            cache.blob_at(&odb, root, "a.md").unwrap(),
            Some((Mode::Blob, blob(1)))
        );
        assert_eq!(
            cache.blob_at(&odb, root, "dir/sub/y").unwrap(),
            Some((Mode::Executable, blob(2)))
        );
        assert_eq!(cache.blob_at(&odb, root, "dir").unwrap(), None, "a folder");
        assert_eq!(cache.blob_at(&odb, root, "dir/sub").unwrap(), None);
        assert_eq!(cache.blob_at(&odb, root, "a.md/x").unwrap(), None);
        assert_eq!(cache.blob_at(&odb, root, "nothing").unwrap(), None);
    }

    #[test]
    fn refuses_a_malformed_tree() {
        for raw in [
            &b"100644 name"[..],
            b"100644 name\0short",
            b" \0aaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(entries(raw).any(|e| e.is_err()), "{raw:?}");
        }
    }
}
