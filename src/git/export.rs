//! Writing a commit's files into a folder of their own (a clean checkout for
//! a build), without touching the repository's index or working tree.

use super::{ObjectId, Repo, StoreError};
use git2::{ObjectType, TreeWalkMode, TreeWalkResult};
use std::path::Path;

impl Repo {
    /// Writes every file of `commit` below `dir` (which must be empty or
    /// absent): regular and executable files, and symbolic links; submodules
    /// become empty folders. Returns how many files were written.
    pub fn export(&self, commit: &ObjectId, dir: &Path) -> Result<usize, StoreError> {
        let repo = self.handle()?;
        let tree = repo.find_commit(commit.oid()?)?.tree()?;
        std::fs::create_dir_all(dir)?;
        let mut written = 0;
        let mut failure: Option<StoreError> = None;
        let walked = tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
            let Ok(name) = entry.name() else {
                return TreeWalkResult::Skip;
            };
            // Names a checkout must never write (git fsck refuses them too).
            if name == "." || name == ".." || name.eq_ignore_ascii_case(".git") {
                return TreeWalkResult::Skip;
            }
            let path = dir.join(parent).join(name);
            let result = (|| -> Result<(), StoreError> {
                match entry.kind() {
                    Some(ObjectType::Tree) => std::fs::create_dir_all(&path)?,
                    Some(ObjectType::Commit) => std::fs::create_dir_all(&path)?,
                    Some(ObjectType::Blob) => {
                        let blob = repo.find_blob(entry.id())?;
                        if entry.filemode() == 0o120000 {
                            let target = String::from_utf8_lossy(blob.content()).into_owned();
                            std::os::unix::fs::symlink(target, &path)?;
                        } else {
                            std::fs::write(&path, blob.content())?;
                            if entry.filemode() == 0o100755 {
                                use std::os::unix::fs::PermissionsExt;
                                std::fs::set_permissions(
                                    &path,
                                    std::fs::Permissions::from_mode(0o755),
                                )?;
                            }
                        }
                        written += 1;
                    }
                    _ => {}
                }
                Ok(())
            })();
            match result {
                Ok(()) => TreeWalkResult::Ok,
                Err(e) => {
                    failure = Some(e);
                    TreeWalkResult::Abort
                }
            }
        });
        match (failure, walked) {
            (Some(e), _) => Err(e),
            (None, Err(e)) => Err(e.into()),
            (None, Ok(())) => Ok(written),
        }
    }
}

impl Repo {
    /// Brings a folder written by [`Repo::export`] of `from` to `to`: the
    /// files the two commits hold differently are written or removed, and
    /// so are `also` (paths someone wrote there since, put back as `to` has
    /// them). Returns every path written or removed.
    pub fn update_export(
        &self,
        from: &ObjectId,
        to: &ObjectId,
        dir: &Path,
        also: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let repo = self.handle()?;
        let new_tree = repo.find_commit(to.oid()?)?.tree()?;
        let old_tree = repo.find_commit(from.oid()?)?.tree()?;
        let mut paths: Vec<String> = also.to_vec();
        if from != to {
            let diff = repo.diff_tree_to_tree(Some(&old_tree), Some(&new_tree), None)?;
            for delta in diff.deltas() {
                for file in [delta.old_file(), delta.new_file()] {
                    if let Some(path) = file.path().and_then(|p| p.to_str()) {
                        paths.push(path.to_string());
                    }
                }
            }
        }
        paths.sort();
        paths.dedup();
        for path in &paths {
            if !safe_path(path) {
                continue;
            }
            let target = dir.join(path);
            let entry = new_tree.get_path(Path::new(path)).ok();
            match entry.filter(|e| e.kind() == Some(ObjectType::Blob)) {
                Some(entry) => {
                    let blob = repo.find_blob(entry.id())?;
                    if let Some(parent) = target.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    let _ = std::fs::remove_file(&target);
                    if entry.filemode() == 0o120000 {
                        let link = String::from_utf8_lossy(blob.content()).into_owned();
                        std::os::unix::fs::symlink(link, &target)?;
                    } else {
                        std::fs::write(&target, blob.content())?;
                    }
                }
                None => match std::fs::remove_file(&target) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e.into()),
                },
            }
        }
        Ok(paths)
    }
}

/// A path a checkout may write: relative, no `..`, no `.git`.
fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.eq_ignore_ascii_case(".git"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::{FileMode, Repository, Signature};

    #[test]
    fn a_commit_is_written_with_its_modes_and_links_and_the_checkout_is_untouched()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let site = dir.path().join("site");
        let repo = Repository::init(&site)?;
        let mut update = git2::build::TreeUpdateBuilder::new();
        update.upsert(
            "_projects/a.md",
            repo.blob(b"---\nname: A\n---\n")?,
            FileMode::Blob,
        );
        update.upsert(
            "bin/build.sh",
            repo.blob(b"#!/bin/sh\n")?,
            FileMode::BlobExecutable,
        );
        update.upsert("latest.md", repo.blob(b"_projects/a.md")?, FileMode::Link);
        let empty = repo.find_tree(repo.treebuilder(None)?.write()?)?;
        let tree = repo.find_tree(update.create_updated(&repo, &empty)?)?;
        let sig = Signature::now("T", "t@example.org")?;
        let commit = repo.commit(Some("HEAD"), &sig, &sig, "one", &tree, &[])?;
        drop(tree);

        let store = Repo::open_reader(&site)?;
        let out = dir.path().join("build");
        let written = store.export(&ObjectId::from_oid(commit), &out)?;
        assert_eq!(written, 3);
        assert_eq!(
            std::fs::read(out.join("_projects/a.md"))?,
            b"---\nname: A\n---\n"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("bin/build.sh"))?
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "executable");
        assert_eq!(
            std::fs::read_link(out.join("latest.md"))?,
            Path::new("_projects/a.md")
        );
        // The site's own checkout and index were not touched.
        assert!(!site.join("_projects").exists());
        assert!(!site.join(".git/index").exists());

        // A second commit: one file changed, one removed, one added; and a
        // file written there meanwhile is put back.
        let mut update = git2::build::TreeUpdateBuilder::new();
        update.upsert(
            "_projects/a.md",
            repo.blob(b"---\nname: B\n---\n")?,
            FileMode::Blob,
        );
        update.remove("bin/build.sh");
        update.upsert("new.md", repo.blob(b"new")?, FileMode::Blob);
        let first = repo.find_commit(commit)?;
        let tree = repo.find_tree(update.create_updated(&repo, &first.tree()?)?)?;
        let second = repo.commit(Some("HEAD"), &sig, &sig, "two", &tree, &[&first])?;
        std::fs::write(out.join("latest.md.tmp"), b"mine")?;
        let paths = store.update_export(
            &ObjectId::from_oid(commit),
            &ObjectId::from_oid(second),
            &out,
            &["latest.md.tmp".to_string()],
        )?;
        assert_eq!(
            paths,
            ["_projects/a.md", "bin/build.sh", "latest.md.tmp", "new.md"]
        );
        assert_eq!(
            std::fs::read(out.join("_projects/a.md"))?,
            b"---\nname: B\n---\n"
        );
        assert!(!out.join("bin/build.sh").exists());
        assert!(!out.join("latest.md.tmp").exists());
        assert_eq!(std::fs::read(out.join("new.md"))?, b"new");
        Ok(())
    }
}
