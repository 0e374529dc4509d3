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
        Ok(())
    }
}
