//! Packing the loose objects saves leave behind.
//!
//! Every commit Cairn makes writes its objects loose and uncompressed (see
//! [`super::loose`]): fast to write, but at 10,000 documents each save
//! leaves a 440 KB folder tree, and nothing in libgit2 ever packs them.
//! Here they are packed with the `git` command itself (`git repack`), the
//! tool made for it: it packs what refs, reflogs and the index reach, with
//! deltas and compression, and is safe beside a writer (an object written
//! after it listed the reachable ones stays loose for the next round).
//! git2's `PackBuilder` was the alternative; it cannot delta against objects
//! already packed and leaves the choice of what is safe to delete to the
//! caller, which is exactly what `git repack` gets right.
//!
//! One round ([`Repo::pack_loose_objects`]):
//! 1. `git repack -l` writes the reachable loose objects into a new pack
//!    and its index (each synced: `core.fsync` with `objects` and
//!    `derived-metadata`), removing nothing;
//! 2. the pack folder is synced, so the new pack's name is on disk;
//! 3. `git prune-packed` removes the loose copies of objects now in a pack
//!    (only those: an object that is only loose is never touched).
//!
//! When there are many packs, they become one (`git repack -a -d
//! --keep-unreachable`): every object of the old packs is in the new one,
//! unreachable ones too, so nothing a save in progress may have found there
//! disappears. Nothing is ever pruned: objects only a reflog or a pending
//! checkout update reaches stay.

use super::cli::git_command;
use super::{Repo, StoreError};
use std::path::Path;
use std::process::{Command, Stdio};

/// How many loose objects there are, and their size on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LooseObjects {
    pub count: u64,
    pub bytes: u64,
}

/// What a packing round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    /// Loose objects before and after.
    pub before: LooseObjects,
    pub after: LooseObjects,
    /// The objects that were loose before and still are: nothing reached
    /// them (an unfinished commit's, one a refused update left). Objects
    /// written while the round ran are not among them.
    pub unpacked: LooseObjects,
    /// Whether the packs were also made into one.
    pub consolidated: bool,
}

/// Runs `cmd`; its stderr as the error when it fails.
fn run(mut cmd: Command, what: &str) -> Result<(), StoreError> {
    let out = cmd.stdout(Stdio::null()).output()?;
    if out.status.success() {
        Ok(())
    } else {
        let said = String::from_utf8_lossy(&out.stderr);
        Err(StoreError::Corrupt(format!(
            "{what} failed ({}): {}",
            out.status,
            said.trim()
        )))
    }
}

/// The loose objects under `objects` (the `xx/` folders), by name
/// (`xx/yyyy...`), with their sizes.
fn list_loose(objects: &Path) -> std::collections::BTreeMap<String, u64> {
    let mut found = std::collections::BTreeMap::new();
    let Ok(dirs) = std::fs::read_dir(objects) else {
        return found;
    };
    for dir in dirs.flatten() {
        let name = dir.file_name();
        let name = name.to_string_lossy();
        if name.len() != 2 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for file in files.flatten() {
            // git's temporary files (`tmp_obj_*`) are not objects yet.
            let Some(file_name) = file
                .file_name()
                .to_str()
                .filter(|n| n.len() >= 38 && n.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(String::from)
            else {
                continue;
            };
            if let Ok(meta) = file.metadata() {
                found.insert(format!("{name}/{file_name}"), meta.len());
            }
        }
    }
    found
}

/// How many loose objects `list` names, and their bytes.
fn total<'a>(sizes: impl Iterator<Item = &'a u64>) -> LooseObjects {
    sizes.fold(LooseObjects::default(), |t, size| LooseObjects {
        count: t.count + 1,
        bytes: t.bytes + size,
    })
}

/// Counts the loose objects under `objects`.
fn count_loose(objects: &Path) -> LooseObjects {
    total(list_loose(objects).values())
}

/// How many packs `objects/pack` holds.
fn count_packs(objects: &Path) -> usize {
    std::fs::read_dir(objects.join("pack")).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
            .count()
    })
}

/// Settings for `git` that make its packs as durable as Cairn's own writes.
const DURABLE: [&str; 4] = [
    "-c",
    "core.fsync=objects,derived-metadata,reference",
    "-c",
    "core.fsyncMethod=fsync",
];

impl Repo {
    /// The loose objects of the repository, counted.
    pub fn loose_objects(&self) -> Result<LooseObjects, StoreError> {
        Ok(count_loose(&self.git_dir()?.join("objects")))
    }

    /// Packs the loose objects (see the module's notes) and, when there
    /// are more than `max_packs` packs, makes them one. Blocking; runs
    /// `git` with one thread, so a core stays free for saves.
    pub fn pack_loose_objects(&self, max_packs: usize) -> Result<Packed, StoreError> {
        let git_dir = self.git_dir()?;
        let objects = git_dir.join("objects");
        let listed = list_loose(&objects);
        let before = total(listed.values());
        let mut repack = git_command(&git_dir);
        repack
            .args(DURABLE)
            .args(["-c", "pack.threads=1", "repack", "-l", "-q"])
            .arg("--no-write-bitmap-index");
        run(repack, "git repack")?;
        std::fs::File::open(objects.join("pack"))?.sync_all()?;
        let mut prune = git_command(&git_dir);
        prune.args(["prune-packed", "-q"]);
        run(prune, "git prune-packed")?;
        let consolidated = count_packs(&objects) > max_packs;
        if consolidated {
            let mut all = git_command(&git_dir);
            all.args(DURABLE)
                .args(["-c", "pack.threads=1", "repack", "-a", "-d", "-l", "-q"])
                .args(["--keep-unreachable", "--no-write-bitmap-index"]);
            run(all, "git repack -a")?;
            std::fs::File::open(objects.join("pack"))?.sync_all()?;
        }
        let now = list_loose(&objects);
        let unpacked = total(
            now.iter()
                .filter(|(name, _)| listed.contains_key(*name))
                .map(|(_, size)| size),
        );
        Ok(Packed {
            before,
            after: total(now.values()),
            unpacked,
            consolidated,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn loose_objects_are_counted_and_git_temporaries_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let objects = dir.path();
        std::fs::create_dir_all(objects.join("ab")).unwrap();
        std::fs::create_dir_all(objects.join("pack")).unwrap();
        std::fs::create_dir_all(objects.join("info")).unwrap();
        std::fs::write(objects.join("ab").join("c".repeat(38)), b"12345").unwrap();
        std::fs::write(objects.join("ab").join("tmp_obj_XYZ"), b"1").unwrap();
        std::fs::write(objects.join("info/packs"), b"P x.pack\n").unwrap();
        std::fs::write(objects.join("pack/pack-1.pack"), b"PACK").unwrap();
        std::fs::write(objects.join("pack/pack-1.idx"), b"").unwrap();
        assert_eq!(count_loose(objects), LooseObjects { count: 1, bytes: 5 });
        assert_eq!(count_packs(objects), 1);
    }
}
