//! The site's media files (issue 16): read from the branch tip, only from
//! inside its media folders.

use super::{Site, SiteError, load_config};
use crate::content::media::{self, MediaType};
use crate::git::ObjectId;

/// A media file at the tip, with the type its bytes say.
#[derive(Debug, Clone)]
pub struct MediaFile {
    pub path: String,
    pub blob: ObjectId,
    pub bytes: Vec<u8>,
    /// `None`: not one of the accepted types (served as a download).
    pub kind: Option<MediaType>,
}

impl Site {
    /// The file at `path` (relative to the site's root) when it is inside
    /// one of the site's media folders; `None` otherwise, or when there is
    /// no such file.
    pub async fn media_file(&self, path: &str) -> Result<Option<MediaFile>, SiteError> {
        let path = path.to_string();
        self.blocking(move |cx| {
            let config = load_config(&cx)?;
            let folders = media::media_folders(&config.model);
            if !media::is_media_path(&path, &folders) {
                return Ok(None);
            }
            let Some(file) = cx.repo.read_file(&path)? else {
                return Ok(None);
            };
            let kind = media::sniff(&file.bytes);
            Ok(Some(MediaFile {
                path,
                blob: file.blob,
                bytes: file.bytes,
                kind,
            }))
        })
        .await
    }
}
