//! Writing one commit's new objects (and the checkout journal) to disk as one
//! durable batch.
//!
//! libgit2 syncs each object on its own: the file, then its folder, one after
//! the other, some twenty `fsync` calls for a save, each waiting for a disk
//! flush. Here every file of a commit is written first, then all are synced
//! at once, then renamed into place, then their folders are synced at once
//! ([`sync_together`]). Every file and folder is still synced before the
//! branch moves, but a round costs about one flush instead of one per file.
//!
//! Objects are written in git's loose format: zlib around
//! `"<kind> <size>\0" + content`. They are stored without compression (git's
//! `core.looseCompression = 0`, zlib's stored blocks): deflating a 400 KB
//! folder tree on every save costs more than the rest of the commit, and
//! `git gc` compresses them when it packs.

use git2::{ObjectType, Odb, Oid};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

/// A file to put in place: written beside `dest` under a temporary name,
/// synced, renamed to `dest`.
#[derive(Debug)]
struct Item {
    dest: PathBuf,
    content: Content,
}

/// What an [`Item`] writes.
#[derive(Debug)]
enum Content {
    /// These bytes, as they are.
    Raw(Vec<u8>),
    /// A loose object: its header and content, framed as a zlib stream
    /// while written (the content is shared, never copied whole).
    Object { header: Vec<u8>, body: bytes::Bytes },
}

/// The files of one commit, written together by [`Batch::write`].
#[derive(Debug)]
pub(crate) struct Batch {
    objects_dir: PathBuf,
    items: Vec<Item>,
    /// Object ids already in the batch: one write each.
    ids: BTreeSet<Oid>,
}

/// The kinds of object Cairn writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Blob,
    Tree,
    Commit,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Blob => "blob",
            Kind::Tree => "tree",
            Kind::Commit => "commit",
        }
    }

    fn object_type(self) -> ObjectType {
        match self {
            Kind::Blob => ObjectType::Blob,
            Kind::Tree => ObjectType::Tree,
            Kind::Commit => ObjectType::Commit,
        }
    }
}

/// The id git gives `content` as an object of `kind`, hashed with plain
/// SHA-1. Only for content Cairn serializes itself from ids and names (trees):
/// text a user typed goes through [`hash_checked`].
pub(crate) fn hash_plain(kind: Kind, content: &[u8]) -> Result<Oid, StoreError> {
    use sha1::{Digest, Sha1};
    let mut hasher = Sha1::new();
    hasher.update(format!("{} {}\0", kind.name(), content.len()).as_bytes());
    hasher.update(content);
    Ok(Oid::from_bytes(&hasher.finalize())?)
}

/// The id of `content` hashed by libgit2, with SHA-1 collision detection:
/// for content users write (blobs, commit messages).
pub(crate) fn hash_checked(kind: Kind, content: &[u8]) -> Result<Oid, StoreError> {
    Ok(Oid::hash_object(kind.object_type(), content)?)
}

/// `parts`, one after the other, as a zlib stream of stored (uncompressed)
/// blocks (RFC 1950 and 1951): what `core.looseCompression = 0` writes.
/// Each part is copied once, into its own blocks.
#[cfg(test)]
fn zlib_stored(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write_zlib_stored(&mut out, parts);
    out
}

/// Writes `parts` to `out` as [`zlib_stored`] makes them, block by block.
fn write_zlib_stored(out: &mut impl Write, parts: &[&[u8]]) -> std::io::Result<()> {
    const BLOCK: usize = 65_535;
    // CMF: deflate, 32 KiB window; FLG: no dictionary, fastest, check bits.
    out.write_all(&[0x78, 0x01])?;
    let mut chunks = parts
        .iter()
        .flat_map(|p| p.chunks(BLOCK))
        .filter(|c| !c.is_empty())
        .peekable();
    if chunks.peek().is_none() {
        out.write_all(&[1, 0, 0, 0xff, 0xff])?;
    }
    let mut adler = Adler32::default();
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let n = chunk.len() as u16;
        let [a, b] = n.to_le_bytes();
        let [c, d] = (!n).to_le_bytes();
        out.write_all(&[u8::from(last), a, b, c, d])?;
        out.write_all(chunk)?;
        adler.update(chunk);
    }
    out.write_all(&adler.value().to_be_bytes())
}

/// The Adler-32 checksum zlib ends a stream with, over bytes given in pieces.
struct Adler32 {
    a: u32,
    b: u32,
}

impl Default for Adler32 {
    fn default() -> Self {
        Self { a: 1, b: 0 }
    }
}

impl Adler32 {
    fn update(&mut self, data: &[u8]) {
        const MOD: u32 = 65_521;
        // The most bytes summed before `b` could overflow a u32.
        const NMAX: usize = 5_552;
        for chunk in data.chunks(NMAX) {
            for byte in chunk {
                self.a += u32::from(*byte);
                self.b += self.a;
            }
            self.a %= MOD;
            self.b %= MOD;
        }
    }

    fn value(&self) -> u32 {
        (self.b << 16) | self.a
    }
}

impl Batch {
    pub fn new(git_dir: &Path) -> Self {
        Self {
            objects_dir: git_dir.join("objects"),
            items: Vec::new(),
            ids: BTreeSet::new(),
        }
    }

    /// Adds the object `content` of `kind` whose id is `id`, unless the
    /// repository or the batch has it already.
    pub fn object(
        &mut self,
        odb: &Odb<'_>,
        kind: Kind,
        id: Oid,
        content: bytes::Bytes,
    ) -> Result<(), StoreError> {
        if self.ids.contains(&id) || odb.exists(id) {
            return Ok(());
        }
        let header = format!("{} {}\0", kind.name(), content.len());
        let hex = id.to_string();
        self.items.push(Item {
            dest: self.objects_dir.join(&hex[..2]).join(&hex[2..]),
            content: Content::Object {
                header: header.into_bytes(),
                body: content,
            },
        });
        self.ids.insert(id);
        Ok(())
    }

    /// Adds a whole file to put in place atomically (the checkout journal).
    pub fn file(&mut self, dest: PathBuf, bytes: Vec<u8>) {
        self.items.push(Item {
            dest,
            content: Content::Raw(bytes),
        });
    }

    /// Writes every file durably: all written, all synced, all renamed into
    /// place, then every folder synced. `also`: other files to sync in the
    /// same round (the branch's lock). On error, the temporary files are
    /// removed; objects already renamed are harmless (unreferenced).
    pub fn write(self, also: &[&File]) -> Result<(), StoreError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut fresh_dirs = BTreeSet::new();
        let mut dirs = BTreeSet::new();
        let mut staged: Vec<(PathBuf, &Path)> = Vec::with_capacity(self.items.len());
        let result = (|| -> std::io::Result<()> {
            let mut files = Vec::with_capacity(self.items.len());
            for item in &self.items {
                let dir = item.dest.parent().unwrap_or(Path::new("."));
                if !dir.exists() {
                    std::fs::create_dir_all(dir)?;
                    fresh_dirs.insert(dir.parent().unwrap_or(Path::new(".")).to_path_buf());
                }
                dirs.insert(dir.to_path_buf());
                // git's prefix for temporary objects: `git fsck` ignores
                // one a crash leaves, and `git gc` removes it.
                let tmp = dir.join(format!(
                    "tmp_obj_cairn_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                ));
                let (mut file, remade) = create_in(dir, &tmp)?;
                if remade {
                    fresh_dirs.insert(dir.parent().unwrap_or(Path::new(".")).to_path_buf());
                }
                staged.push((tmp, &item.dest));
                match &item.content {
                    Content::Raw(bytes) => file.write_all(bytes)?,
                    Content::Object { header, body } => {
                        let mut out = std::io::BufWriter::with_capacity(1 << 17, &mut file);
                        write_zlib_stored(&mut out, &[header, body])?;
                        out.flush()?;
                    }
                }
                files.push(file);
            }
            let mut round: Vec<&File> = files.iter().collect();
            round.extend_from_slice(also);
            sync_together(&round)?;
            for (tmp, dest) in &staged {
                std::fs::rename(tmp, dest)?;
            }
            staged.clear();
            let dirs = dirs
                .iter()
                .chain(&fresh_dirs)
                .map(File::open)
                .collect::<std::io::Result<Vec<File>>>()?;
            sync_together(&dirs.iter().collect::<Vec<_>>())
        })();
        if result.is_err() {
            for (tmp, _) in &staged {
                let _ = std::fs::remove_file(tmp);
            }
        }
        Ok(result?)
    }
}

/// Creates the file `path` in `dir`, making `dir` again when it is gone:
/// `git prune-packed` (the packer, [`super::pack`]) removes an object
/// folder it has emptied, also between this writer's check and its create.
/// Once the file is in it, the folder is not empty and stays. Whether the
/// folder was made again (its parent must be synced then).
fn create_in(dir: &Path, path: &Path) -> std::io::Result<(File, bool)> {
    let mut tries = 0;
    loop {
        match File::create(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && tries < 10 => {
                tries += 1;
                std::fs::create_dir_all(dir)?;
            }
            other => return other.map(|file| (file, tries > 0)),
        }
    }
}

/// Syncs `files` at the same time, one thread each: the file system commits
/// them together (ext4's and XFS's journals group concurrent syncs into one
/// commit and one disk flush), where one after the other each pays a
/// flush. Every file is still synced before this returns.
pub(crate) fn sync_together(files: &[&File]) -> std::io::Result<()> {
    match files {
        [] => Ok(()),
        [one] => one.sync_all(),
        [first, rest @ ..] => std::thread::scope(|scope| {
            let others: Vec<_> = rest
                .iter()
                .map(|file| scope.spawn(move || file.sync_all()))
                .collect();
            let mut result = first.sync_all();
            for other in others {
                let synced = other
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("a sync thread panicked")));
                result = result.and(synced);
            }
            result
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn an_object_folder_removed_by_the_packer_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("ab");
        // Gone between the writer's look and its create (git prune-packed).
        let (file, remade) = create_in(&folder, &folder.join("tmp_obj_x")).unwrap();
        drop(file);
        assert!(remade);
        assert!(folder.join("tmp_obj_x").exists());
        let (_, remade) = create_in(&folder, &folder.join("tmp_obj_y")).unwrap();
        assert!(!remade);
    }

    #[test]
    fn plain_and_checked_hashes_agree_with_git() {
        for content in [&b""[..], b"hello\n", &[0u8, 1, 2, 255][..]] {
            for kind in [Kind::Blob, Kind::Tree, Kind::Commit] {
                assert_eq!(
                    hash_plain(kind, content).unwrap(),
                    hash_checked(kind, content).unwrap()
                );
            }
        }
        // `git hash-object` of "hello\n".
        assert_eq!(
            hash_plain(Kind::Blob, b"hello\n").unwrap().to_string(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn stored_zlib_is_what_zlib_reads() {
        use std::io::Read;
        for len in [0usize, 1, 65_534, 65_535, 65_536, 200_003] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
            let (head, tail) = data.split_at(len / 3);
            let stream = zlib_stored(&[head, tail]);
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&stream[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, data, "{len} bytes");
        }
        // Known value: Adler-32 of "Wikipedia", whole and in pieces.
        let mut whole = Adler32::default();
        whole.update(b"Wikipedia");
        let mut pieces = Adler32::default();
        pieces.update(b"Wiki");
        pieces.update(b"pedia");
        assert_eq!(whole.value(), 0x11E6_0398);
        assert_eq!(pieces.value(), 0x11E6_0398);
    }

    #[test]
    fn written_objects_read_back_through_libgit2() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        let odb = repo.odb().unwrap();
        let mut batch = Batch::new(repo.path());
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let a = hash_checked(Kind::Blob, b"one").unwrap();
        let b = hash_checked(Kind::Blob, &big).unwrap();
        batch
            .object(&odb, Kind::Blob, a, bytes::Bytes::from_static(b"one"))
            .unwrap();
        batch
            .object(&odb, Kind::Blob, b, bytes::Bytes::from(big.clone()))
            .unwrap();
        batch
            .object(&odb, Kind::Blob, a, bytes::Bytes::from_static(b"one"))
            .unwrap();
        batch.file(repo.path().join("note"), b"x".to_vec());
        batch.write(&[]).unwrap();
        assert_eq!(repo.find_blob(a).unwrap().content(), b"one");
        assert_eq!(repo.find_blob(b).unwrap().content(), &big[..]);
        assert_eq!(std::fs::read(repo.path().join("note")).unwrap(), b"x");
        let leftovers: Vec<_> = walk(&repo.path().join("objects"))
            .into_iter()
            .filter(|p| p.to_string_lossy().contains("tmp_obj_cairn"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
        out
    }
}
