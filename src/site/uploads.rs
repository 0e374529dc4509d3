//! Files received and checked but not committed yet (issue 16): an upload
//! from a document's form waits here until the form is saved, so that the
//! file and the document go into one commit, and a refused save (missing
//! alt text, say) keeps the file for the next try. Each upload is streamed
//! to disk as it arrives (never held whole in memory while it does), under
//! Cairn's data folder: `<id>.part` while it arrives, then `<id>.file` and
//! `<id>.json` (who sent it, its clean name, its type). Uploads nobody
//! saved are removed after a day.

use super::{Site, SiteError};
use crate::content::media::{self, MediaType};
use std::path::{Path, PathBuf};

/// Uploads left unsaved longer than this are removed.
const KEEP_SECS: u64 = 24 * 3600;

/// The folder of pending uploads.
#[derive(Debug)]
pub struct Uploads {
    dir: PathBuf,
    /// Files checked and stripped at once (each is read whole for that):
    /// ten concurrent uploads hold at most this many in memory.
    checking: tokio::sync::Semaphore,
}

/// A file checked and waiting to be committed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    /// 32 hexadecimal digits, random: how the form names it.
    pub id: String,
    /// The user who sent it: nobody else may commit it.
    pub owner: Option<i64>,
    /// The API token it was sent with, for a token that is nobody's.
    #[serde(default)]
    pub token: Option<i64>,
    /// Its clean name (`photo-ete.jpg`).
    pub name: String,
    /// Its type's extension, as read from its bytes.
    pub extension: String,
    pub size: u64,
    /// Width and height, for an image.
    pub dimensions: Option<(usize, usize)>,
    /// Its personal metadata (GPS, camera) was removed.
    pub stripped: bool,
    /// It was larger, and resized from these dimensions as asked.
    #[serde(default)]
    pub resized_from: Option<(usize, usize)>,
}

impl Pending {
    pub fn kind(&self) -> Option<MediaType> {
        media::ACCEPTED
            .iter()
            .copied()
            .find(|t| t.extension == self.extension)
    }
}

/// An upload arriving: bytes are appended to its file as they come.
#[derive(Debug)]
pub struct Incoming {
    id: String,
    path: PathBuf,
    /// Written in large pieces: each write of a file is a blocking task.
    /// `None` once closed.
    file: Option<tokio::io::BufWriter<tokio::fs::File>>,
    size: u64,
    limit: u64,
    /// Checked and kept: the file is no longer this guard's to remove.
    kept: bool,
}

impl Incoming {
    /// Appends `chunk`, counted; past the limit nothing more is written
    /// ([`Self::too_large`] says so).
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), std::io::Error> {
        use tokio::io::AsyncWriteExt;
        self.size += chunk.len() as u64;
        if let Some(file) = self.file.as_mut().filter(|_| self.size <= self.limit) {
            file.write_all(chunk).await?;
        }
        Ok(())
    }

    /// Writes out what is buffered and closes the file.
    async fn close(&mut self) -> Result<(), std::io::Error> {
        use tokio::io::AsyncWriteExt;
        if let Some(mut file) = self.file.take() {
            file.flush().await?;
        }
        Ok(())
    }

    /// Whether more than the limit was pushed.
    pub fn too_large(&self) -> bool {
        self.size > self.limit
    }

    pub fn size(&self) -> u64 {
        self.size
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // Not kept (refused, or the connection dropped): nothing stays.
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `id` could be an upload's id (and so a file name of the folder).
fn valid_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

impl Uploads {
    /// The pending uploads kept in `dir` (created if missing); those older
    /// than a day are removed.
    pub fn open(dir: &Path) -> std::io::Result<Uploads> {
        std::fs::create_dir_all(dir)?;
        let uploads = Uploads {
            dir: dir.to_path_buf(),
            checking: tokio::sync::Semaphore::new(2),
        };
        uploads.remove_old();
        Ok(uploads)
    }

    /// Removes uploads older than a day (best effort).
    fn remove_old(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let now = std::time::SystemTime::now();
        for entry in entries.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age.as_secs() > KEEP_SECS);
            if old {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Starts receiving an upload of at most `limit` bytes.
    pub async fn begin(&self, limit: usize) -> std::io::Result<Incoming> {
        let mut raw = [0u8; 16];
        getrandom::fill(&mut raw).map_err(|e| std::io::Error::other(e.to_string()))?;
        let id: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let path = self.dir.join(format!("{id}.part"));
        let file =
            tokio::io::BufWriter::with_capacity(1 << 20, tokio::fs::File::create(&path).await?);
        Ok(Incoming {
            id,
            path,
            file: Some(file),
            size: 0,
            limit: limit as u64,
            kept: false,
        })
    }

    fn file_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.file"))
    }

    fn meta_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// The pending upload `id`, if it exists and `owner` sent it (or, for
    /// a token that is nobody's, that `token`).
    pub fn find(&self, id: &str, owner: Option<i64>, token: Option<i64>) -> Option<Pending> {
        if !valid_id(id) {
            return None;
        }
        let text = std::fs::read(self.meta_path(id)).ok()?;
        let pending: Pending = serde_json::from_slice(&text).ok()?;
        let theirs = match owner {
            Some(_) => pending.owner == owner,
            None => token.is_some() && pending.owner.is_none() && pending.token == token,
        };
        (theirs && pending.id == id).then_some(pending)
    }

    /// The bytes of the pending upload `pending`.
    pub fn bytes(&self, pending: &Pending) -> std::io::Result<bytes::Bytes> {
        Ok(bytes::Bytes::from(std::fs::read(
            self.file_path(&pending.id),
        )?))
    }

    /// Forgets the pending upload `id` (after its commit).
    pub fn remove(&self, id: &str) {
        if valid_id(id) {
            let _ = std::fs::remove_file(self.file_path(id));
            let _ = std::fs::remove_file(self.meta_path(id));
        }
    }
}

/// Why an upload was refused, said beside the file.
pub fn refusal(message: crate::i18n::Message) -> SiteError {
    SiteError::InvalidFields(super::edit::InvalidFields(vec![("file".into(), message)]))
}

/// [`refusal`] of the catalogue's message `key`.
pub(super) fn refused(key: &'static str, args: Vec<(&'static str, crate::i18n::Arg)>) -> SiteError {
    refusal(crate::i18n::Message::Key(key, args))
}

/// How an upload is to be kept.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keep {
    /// Keep the photo's metadata (GPS position, camera) as it came.
    pub metadata: bool,
    /// Resize an image larger than this many pixels on its longest side
    /// (a resized copy has no metadata).
    pub resize: Option<u32>,
}

impl Site {
    /// Checks a received upload named `name` by `owner`'s browser and keeps
    /// it, pending, until a commit takes it. Refused, with nothing kept: an
    /// empty file, a name that cannot be made safe, a type Cairn does not
    /// accept, bytes that are not what the name says, an SVG that could run
    /// something, an image whose structure cannot be read to remove its
    /// metadata. A photo's metadata is removed unless `keep.metadata`.
    pub async fn receive(
        &self,
        mut incoming: Incoming,
        name: String,
        owner: Option<i64>,
        token: Option<i64>,
        keep: Keep,
    ) -> Result<Pending, SiteError> {
        use crate::i18n::ToArg;
        incoming.close().await.map_err(SiteError::io)?;
        // The kinds of file the site takes (`media_types`), else all.
        let allowed = self
            .config()
            .await
            .ok()
            .and_then(|c| c.model.media_types.clone());
        let _permit = self
            .uploads
            .checking
            .acquire()
            .await
            .map_err(|e| SiteError::io(std::io::Error::other(e)))?;
        let uploads = self.uploads.clone();
        tokio::task::spawn_blocking(move || {
            if incoming.size == 0 {
                return Err(refused("media-empty-file", Vec::new()));
            }
            let clean = match media::clean_name(&name) {
                Ok(n) => n,
                Err(media::BadName::Extension) => {
                    return Err(refused(
                        "media-bad-extension",
                        vec![("name", name.to_arg())],
                    ));
                }
                Err(_) => return Err(refused("media-bad-name", vec![("name", name.to_arg())])),
            };
            // The one time the file is whole in memory, to check and strip it.
            let bytes = bytes::Bytes::from(std::fs::read(&incoming.path).map_err(SiteError::io)?);
            let Some(is) = media::sniff(&bytes) else {
                return Err(refused(
                    "media-unknown-type",
                    vec![("name", clean.to_arg())],
                ));
            };
            if media::by_name(&clean).map(|t| t.mime) != Some(is.mime) {
                return Err(refused(
                    "media-type-mismatch",
                    vec![
                        ("name", clean.to_arg()),
                        ("extension", is.extension.to_arg()),
                    ],
                ));
            }
            if let Some(types) = allowed
                .as_ref()
                .filter(|t| !t.iter().any(|t| t == is.extension))
            {
                return Err(refused(
                    "media-type-not-allowed",
                    vec![
                        ("name", clean.to_arg()),
                        ("types", types.join(", ").to_arg()),
                    ],
                ));
            }
            // AVIF's metadata lives in items of its container, which Cairn
            // does not rewrite: a photo that carries EXIF (a position, a
            // camera) is refused rather than published with it.
            if is.extension == "avif" && !keep.metadata && media::avif_has_exif(&bytes) {
                return Err(refused(
                    "media-avif-metadata",
                    vec![("name", clean.to_arg())],
                ));
            }
            if is.extension == "svg" && !media::svg_is_safe(&bytes) {
                return Err(refused("media-unsafe-svg", Vec::new()));
            }
            let dimensions = is
                .raster
                .then(|| imagesize::blob_size(&bytes).ok())
                .flatten()
                .map(|d| (d.width, d.height));
            let id = incoming.id.clone();
            let target = uploads.file_path(&id);
            let mut stripped = false;
            let mut size = bytes.len() as u64;
            let mut dimensions = dimensions;
            let mut resized_from = None;
            let larger = |max: u32| dimensions.is_some_and(|(w, h)| w.max(h) > max as usize);
            if let Some(max) = keep.resize.filter(|m| larger(*m)) {
                let tmp = uploads.dir.join(format!("{id}.resize"));
                let mut out = std::fs::File::create(&tmp).map_err(SiteError::io)?;
                match media::write_resized(&bytes, is.extension, max, &mut out) {
                    Ok(Some((w, h))) => {
                        size = out.metadata().map_err(SiteError::io)?.len();
                        drop(out);
                        std::fs::rename(&tmp, &target).map_err(SiteError::io)?;
                        resized_from = dimensions;
                        dimensions = Some((w as usize, h as usize));
                        stripped = true;
                    }
                    Ok(None) => {
                        drop(out);
                        let _ = std::fs::remove_file(&tmp);
                    }
                    Err(e) => {
                        drop(out);
                        let _ = std::fs::remove_file(&tmp);
                        tracing::info!(error = %e, "an image could not be resized");
                        return Err(refused(
                            "media-unreadable-image",
                            vec![("name", clean.to_arg())],
                        ));
                    }
                }
            }
            if !keep.metadata && resized_from.is_none() {
                let tmp = uploads.dir.join(format!("{id}.strip"));
                let mut out =
                    std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(SiteError::io)?);
                match media::write_without_metadata(bytes, is.extension, &mut out) {
                    Ok(true) => {
                        let file = out
                            .into_inner()
                            .map_err(|e| SiteError::io(e.into_error()))?;
                        size = file.metadata().map_err(SiteError::io)?.len();
                        drop(file);
                        std::fs::rename(&tmp, &target).map_err(SiteError::io)?;
                        stripped = true;
                    }
                    Ok(false) => {
                        drop(out);
                        let _ = std::fs::remove_file(&tmp);
                    }
                    Err(e) => {
                        drop(out);
                        let _ = std::fs::remove_file(&tmp);
                        tracing::info!(error = %e, "an image's metadata could not be removed");
                        return Err(refused(
                            "media-unreadable-image",
                            vec![("name", clean.to_arg())],
                        ));
                    }
                }
            }
            if !stripped {
                std::fs::rename(&incoming.path, &target).map_err(SiteError::io)?;
            }
            // Kept under its own name: the guard has nothing left to remove.
            incoming.kept = true;
            let _ = std::fs::remove_file(&incoming.path);
            let pending = Pending {
                id: id.clone(),
                owner,
                token,
                name: clean,
                extension: is.extension.to_string(),
                size,
                dimensions,
                stripped,
                resized_from,
            };
            let json = serde_json::to_vec(&pending)
                .map_err(|e| SiteError::io(std::io::Error::other(e)))?;
            std::fs::write(uploads.meta_path(&id), json).map_err(SiteError::io)?;
            Ok(pending)
        })
        .await
        .map_err(|e| SiteError::io(std::io::Error::other(e)))?
    }

    /// Starts receiving an upload of at most `limit` bytes.
    pub async fn begin_upload(&self, limit: usize) -> Result<Incoming, SiteError> {
        self.uploads.begin(limit).await.map_err(SiteError::io)
    }

    /// The pending upload `id` sent by `owner` and its bytes, if it is
    /// still kept.
    pub async fn pending_bytes(
        &self,
        id: &str,
        owner: Option<i64>,
    ) -> Result<Option<(Pending, bytes::Bytes)>, SiteError> {
        let uploads = self.uploads.clone();
        let id = id.to_string();
        tokio::task::spawn_blocking(move || {
            let Some(p) = uploads.find(&id, owner, None) else {
                return Ok(None);
            };
            let bytes = uploads.bytes(&p).map_err(SiteError::io)?;
            Ok(Some((p, bytes)))
        })
        .await
        .map_err(|e| SiteError::Task(e.to_string()))?
    }

    /// The pending upload `id` sent by `owner`, if it is still kept.
    pub async fn pending_upload(&self, id: &str, owner: Option<i64>) -> Option<Pending> {
        let uploads = self.uploads.clone();
        let id = id.to_string();
        tokio::task::spawn_blocking(move || uploads.find(&id, owner, None))
            .await
            .ok()
            .flatten()
    }
}
