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

/// What a media file is, read from its bytes: its type and, for a raster
/// image, its width and height.
pub(super) type Meta = (Option<MediaType>, Option<(usize, usize)>);

/// A document that names a media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub collection: String,
    pub slug: String,
    pub title: String,
}

/// One file of the media library.
#[derive(Debug, Clone)]
pub struct LibraryFile {
    /// Its path in the site (`assets/images/a.png`).
    pub path: String,
    /// The address the site uses for it (`/assets/images/a.png`).
    pub public: String,
    pub size: u64,
    pub kind: Option<MediaType>,
    /// Width and height in pixels, for images.
    pub dimensions: Option<(usize, usize)>,
    /// The documents whose values or text name it.
    pub used_by: Vec<Use>,
}

/// A page of the media library.
#[derive(Debug, Clone)]
pub struct Library {
    /// The media folders, as configured (else `assets`).
    pub folders: Vec<String>,
    pub total: usize,
    /// The position of the first file given.
    pub first: usize,
    pub files: Vec<LibraryFile>,
}

/// Which documents name which media file, at one commit: by path in the
/// site.
#[derive(Debug, Default)]
pub(super) struct Usage {
    /// The documents that name each file.
    uses: std::collections::HashMap<String, Vec<Use>>,
    /// The alt text a document last gave each image (by path), for the
    /// next document that uses it.
    alts: std::collections::HashMap<String, String>,
}

impl Usage {
    fn get(&self, path: &str) -> Option<&Vec<Use>> {
        self.uses.get(path)
    }
}

impl Site {
    /// The files of the media folders at the tip, sorted by path: those in
    /// `rows` (past the end, the last page), with their size, dimensions
    /// and the documents that use them.
    pub async fn media_library(&self, rows: std::ops::Range<usize>) -> Result<Library, SiteError> {
        self.blocking(move |cx| {
            let config = load_config(&cx)?;
            let folders = media::media_folders(&config.model);
            let tip = cx.repo.tip()?;
            let all = files_at(&cx, &tip, &folders)?;
            let total = all.len();
            let len = rows.end.saturating_sub(rows.start).max(1);
            let start = if rows.start >= total && total > 0 {
                (total - 1) / len * len
            } else {
                rows.start.min(total)
            };
            let page = &all[start..total.min(start.saturating_add(len))];
            let ids: Vec<ObjectId> = page.iter().map(|(_, b)| b.clone()).collect();
            let sizes = cx.repo.blob_sizes(&ids)?;
            let usage = usage_at(&cx, &tip, &config)?;
            let public = |path: &str| public_path(&config.model, path);
            let mut files = Vec::with_capacity(page.len());
            for ((path, blob), size) in page.iter().zip(sizes) {
                // A blob is read whole, so its type and dimensions are kept
                // by its id: each file is read once, not on every page view.
                let meta = cx.cache.media_meta(blob, || {
                    let bytes = cx
                        .repo
                        .read_blobs(std::slice::from_ref(blob))?
                        .pop()
                        .flatten()
                        .unwrap_or_default();
                    let kind = media::sniff(&bytes);
                    let dimensions = kind
                        .filter(|k| k.raster)
                        .and_then(|_| imagesize::blob_size(&bytes).ok())
                        .map(|d| (d.width, d.height));
                    Ok::<_, SiteError>((kind, dimensions))
                })?;
                let (kind, dimensions) = *meta;
                files.push(LibraryFile {
                    public: public(path),
                    used_by: usage.get(path).cloned().unwrap_or_default(),
                    path: path.clone(),
                    size: size.unwrap_or(0),
                    kind,
                    dimensions,
                });
            }
            Ok(Library {
                folders,
                total,
                first: start,
                files,
            })
        })
        .await
    }
}

/// A path or address as documents write it (`/images/uploads/a.png` under
/// a `public_folder`, `/assets/a.png`) as a path from the site's root.
pub fn site_path(model: &crate::content::Model, written: &str) -> String {
    let written = written.split(['?', '#']).next().unwrap_or(written);
    if let (Some(media), Some(public)) = (&model.media_folder, &model.public_folder) {
        let public = public.trim_end_matches('/');
        if let Some(rest) = written.strip_prefix(public)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return format!("{}{rest}", media.trim_matches('/'));
        }
    }
    written.trim_matches('/').to_string()
}

/// A file a field can be given, as the form's chooser offers it.
#[derive(Debug, Clone)]
pub struct Choice {
    pub path: String,
    /// What the field will say: the address the site uses.
    pub public: String,
    /// The alt text a document already gave it.
    pub alt: Option<String>,
}

impl Site {
    /// Up to `limit` files of the media folders at the tip whose path holds
    /// `query` (any case; empty: all), images only when `images`, newest
    /// names last as the library sorts them; and how many matched in all.
    pub async fn media_choices(
        &self,
        images: bool,
        query: String,
        limit: usize,
    ) -> Result<(Vec<Choice>, usize), SiteError> {
        self.blocking(move |cx| {
            let config = load_config(&cx)?;
            let folders = media::media_folders(&config.model);
            let tip = cx.repo.tip()?;
            let usage = usage_at(&cx, &tip, &config)?;
            let query = crate::content::fold(&query.to_lowercase());
            let all: Vec<String> = files_at(&cx, &tip, &folders)?
                .into_iter()
                .map(|(path, _)| path)
                .filter(|path| {
                    let kind = media::kind_by_name(path);
                    kind.is_some() && (!images || kind == Some(media::MediaKind::Image))
                })
                .filter(|path| {
                    query.is_empty() || crate::content::fold(&path.to_lowercase()).contains(&query)
                })
                .collect();
            let total = all.len();
            let choices = all
                .into_iter()
                .take(limit)
                .map(|path| Choice {
                    public: public_path(&config.model, &path),
                    alt: usage.alts.get(&path).cloned(),
                    path,
                })
                .collect();
            Ok((choices, total))
        })
        .await
    }

    /// The alt text documents already give the file a field names (`value`
    /// as written), if any.
    pub async fn remembered_alt(&self, value: String) -> Result<Option<String>, SiteError> {
        self.blocking(move |cx| {
            let config = load_config(&cx)?;
            let tip = cx.repo.tip()?;
            let usage = usage_at(&cx, &tip, &config)?;
            Ok(usage.alts.get(&site_path(&config.model, &value)).cloned())
        })
        .await
    }
}

/// Every file of the media `folders` at commit `at` (their subfolders
/// too), by path in the site, sorted, each once, with its blob.
fn files_at(
    cx: &super::Ctx<'_>,
    at: &ObjectId,
    folders: &[String],
) -> Result<Vec<(String, ObjectId)>, SiteError> {
    let mut all: Vec<(String, ObjectId)> = Vec::new();
    for folder in folders {
        for e in &super::listing_at(cx, at, folder)?.entries {
            all.push((format!("{folder}/{}", e.name), e.blob.clone()));
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.dedup_by(|a, b| a.0 == b.0);
    Ok(all)
}

/// The address the site serves `path` at: under `public_folder` when the
/// site maps its `media_folder` there, else `/` and the path.
pub fn public_path(model: &crate::content::Model, path: &str) -> String {
    if let (Some(media), Some(public)) = (&model.media_folder, &model.public_folder) {
        let media = media.trim_matches('/');
        if let Some(rest) = path.strip_prefix(media).and_then(|r| r.strip_prefix('/')) {
            return format!("{}/{rest}", public.trim_end_matches('/'));
        }
    }
    format!("/{path}")
}

/// Which documents name which media file at commit `at`, found once per
/// commit: every address in a document's text (values and body) that
/// starts with a media folder (as a path, or as the public address the
/// site maps it to).
fn usage_at(
    cx: &super::Ctx<'_>,
    at: &ObjectId,
    config: &crate::content::SiteConfig,
) -> Result<std::sync::Arc<Usage>, SiteError> {
    cx.cache.media_usage(at, || {
        let prefixes = prefixes(&config.model);
        let mut usage = Usage::default();
        for coll in &config.collections {
            let model = config.model.collection(coll.name.as_str());
            let schema = super::collection_schema(cx, coll)?;
            let mut keys: Vec<&str> = schema.fields.iter().map(|f| f.key.as_str()).collect();
            if let Some(m) = model {
                keys.extend(m.fields.iter().map(|f| f.name.as_str()));
            }
            let described: Vec<(String, String)> = media::media_fields(model, &schema, &keys)
                .into_iter()
                .filter_map(|f| Some((f.key, f.alt?)))
                .collect();
            for (entry, parsed) in super::parsed_documents(cx, coll)? {
                let Some(slug) = coll.slug_of(&entry.name) else {
                    continue;
                };
                let Ok(doc) = parsed.as_ref() else { continue };
                for (key, alt) in &described {
                    let text = |k: &str| match doc.field(k) {
                        Some(crate::content::FieldView::Text(s)) if !s.trim().is_empty() => Some(s),
                        _ => None,
                    };
                    if let (Some(value), Some(alt)) = (text(key), text(alt)) {
                        usage.alts.insert(site_path(&config.model, &value), alt);
                    }
                }
                let mut found: Vec<String> = Vec::new();
                for (_, path) in addresses(doc.as_str(), &prefixes) {
                    if !found.contains(&path) {
                        found.push(path);
                    }
                }
                for path in found {
                    usage.uses.entry(path).or_default().push(Use {
                        collection: coll.name.clone(),
                        slug: slug.to_string(),
                        title: doc.title().unwrap_or_else(|| slug.to_string()),
                    });
                }
            }
        }
        Ok(usage)
    })
}

/// How documents write the addresses of media files: (the prefix as
/// written, the folder it means), for each media folder as a path and as
/// an address, and for `public_folder` when the site maps one.
fn prefixes(model: &crate::content::Model) -> Vec<(String, String)> {
    let mut prefixes: Vec<(String, String)> = media::media_folders(model)
        .iter()
        .flat_map(|f| [(format!("/{f}/"), f.clone()), (format!("{f}/"), f.clone())])
        .collect();
    if let (Some(media), Some(public)) = (&model.media_folder, &model.public_folder) {
        prefixes.push((
            format!("{}/", public.trim_end_matches('/')),
            media.trim_matches('/').to_string(),
        ));
    }
    prefixes
}

/// Every address of a media file in `text` (values and body): its byte
/// range and the file's path in the site. Only at the start of a value or
/// a link, never inside a word or another address.
fn addresses(text: &str, prefixes: &[(String, String)]) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (prefix, folder) in prefixes {
        let mut from = 0;
        while let Some(i) = text[from..].find(prefix.as_str()) {
            let start = from + i;
            let before = text[..start].chars().next_back();
            let after = &text[start + prefix.len()..];
            let end = after
                .find(|c: char| c.is_whitespace() || "\"'()[]<>?#,|`".contains(c))
                .unwrap_or(after.len());
            from = start + prefix.len();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '/' || c == '.') {
                continue;
            }
            let range = start..start + prefix.len() + end;
            if !out
                .iter()
                .any(|(r, _)| r.start <= range.start && range.start < r.end)
            {
                out.push((range, format!("{folder}/{}", &after[..end])));
            }
        }
    }
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// A file an editor added, and where it went.
#[derive(Debug, Clone)]
pub struct Added {
    /// Its path in the site.
    pub path: String,
    /// The address the site uses for it.
    pub public: String,
    pub commit: ObjectId,
}

/// `name` in `folder`, or `stem-2.ext`, `stem-3.ext`...: the first the
/// tip has no file at and `taken` does not hold. Nothing is overwritten.
pub(super) fn free_media_path(
    writer: &mut crate::git::Writer<'_>,
    folder: &str,
    name: &str,
    taken: &[&str],
) -> Result<String, SiteError> {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "bin"));
    let mut path = format!("{folder}/{name}");
    let mut n = 1;
    while writer.has_file(&path)? || taken.contains(&path.as_str()) {
        n += 1;
        path = format!("{folder}/{stem}-{n}.{ext}");
    }
    Ok(path)
}

/// A change to the media files, worked out at the tip: what to commit
/// (nothing: no commit), its message, and what to answer.
struct MediaChange<T> {
    changes: Vec<crate::git::Change>,
    message: String,
    answer: T,
}

impl Site {
    /// One commit to the media files by `author`. `plan` works it out at
    /// the tip with the repository's writer held (again if the branch moves
    /// meanwhile). Answers the plan's answer and the tip afterwards.
    async fn commit_media<T: Send + 'static>(
        &self,
        author: super::Author,
        now: i64,
        mut plan: impl FnMut(
            &super::Ctx<'_>,
            &mut crate::git::Writer<'_>,
            &crate::content::SiteConfig,
            &ObjectId,
        ) -> Result<MediaChange<T>, SiteError>
        + Send
        + 'static,
    ) -> Result<(T, ObjectId), SiteError> {
        let committer = self.committer.clone();
        let done = self
            .blocking(move |cx| {
                let mut writer = cx.repo.write_lock()?;
                super::with_retries(|| {
                    let config = load_config(&cx)?;
                    let tip = cx.repo.tip()?;
                    let MediaChange {
                        changes,
                        message,
                        answer,
                    } = plan(&cx, &mut writer, &config, &tip)?;
                    if changes.is_empty() {
                        return Ok((answer, tip));
                    }
                    let summary = message.clone();
                    let done = super::commit_as(
                        &mut writer,
                        &tip,
                        changes,
                        message,
                        &author,
                        &committer,
                        now,
                    )?;
                    // The same bytes as the tip has: nothing was committed.
                    let commit = done.map_or(tip, |(commit, _)| commit);
                    tracing::info!(%commit, change = %summary, user = ?author.user_id, token = ?author.token_id, "media changed");
                    Ok((answer, commit))
                })
            })
            .await?;
        self.index_after_commit();
        Ok(done)
    }

    /// Commits the pending upload `upload` (sent by `author`) into the
    /// media folder `folder` (the first one when `None` or not one of
    /// them): one commit by `author`. A name the folder has gets a suffix
    /// (`photo-2.jpg`) unless `replace`, which commits the new file over
    /// the old one (the history keeps the old one).
    pub async fn add_media(
        &self,
        folder: Option<String>,
        upload: String,
        replace: bool,
        author: super::Author,
        now: i64,
    ) -> Result<Added, SiteError> {
        let uploads = self.uploads.clone();
        let id = upload.clone();
        let sender = (author.user_id, author.token_id);
        let ((path, public), commit) = self
            .commit_media(author, now, move |_, writer, config, _| {
                let gone = || super::uploads::refused("media-upload-gone", Vec::new());
                let pending = uploads.find(&upload, sender.0, sender.1).ok_or_else(gone)?;
                let folders = media::media_folders(&config.model);
                let folder = folder
                    .as_ref()
                    .filter(|f| folders.contains(f))
                    .unwrap_or(&folders[0]);
                let path = if replace {
                    format!("{folder}/{}", pending.name)
                } else {
                    free_media_path(writer, folder, &pending.name, &[])?
                };
                let message = if writer.has_file(&path)? {
                    format!("Replace {path}")
                } else {
                    format!("Add {path}")
                };
                // Read once the writer is ours: of uploads arriving together,
                // one at a time is whole in memory here.
                let bytes = uploads.bytes(&pending).map_err(|_| gone())?;
                Ok(MediaChange {
                    changes: vec![crate::git::Change {
                        path: path.clone(),
                        content: Some(bytes),
                    }],
                    message,
                    answer: (path.clone(), public_path(&config.model, &path)),
                })
            })
            .await?;
        let uploads = self.uploads.clone();
        let _ = tokio::task::spawn_blocking(move || uploads.remove(&id)).await;
        Ok(Added {
            path,
            public,
            commit,
        })
    }

    /// Renames the media file at `path` to `name` (cleaned; the same type)
    /// in its folder: one commit by `author` that also changes, in every
    /// document that uses it, the address and nothing else, so no page
    /// loses its image. Refused: a name taken, a name that changes the
    /// type, a file outside the media folders.
    pub async fn rename_media(
        &self,
        path: String,
        name: String,
        author: super::Author,
        now: i64,
    ) -> Result<Added, SiteError> {
        use crate::i18n::ToArg;
        let ((to, public), commit) = self
            .commit_media(author, now, move |cx, writer, config, tip| {
                let folders = media::media_folders(&config.model);
                if !media::is_media_path(&path, &folders) {
                    return Err(SiteError::NotFound(path.clone()));
                }
                let Some(file) = writer.read_file(&path)? else {
                    return Err(SiteError::NotFound(path.clone()));
                };
                let Ok(clean) = media::clean_name(&name) else {
                    return Err(super::uploads::refused(
                        "media-bad-name",
                        vec![("name", name.to_arg())],
                    ));
                };
                let same_type = |p: &str| media::by_name(p).map(|t| t.mime);
                if same_type(&clean) != same_type(&path) {
                    return Err(super::uploads::refused(
                        "media-rename-type",
                        vec![("name", clean.to_arg())],
                    ));
                }
                let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
                let to = format!("{folder}/{clean}");
                let answer = (to.clone(), public_path(&config.model, &to));
                if to == path {
                    return Ok(MediaChange {
                        changes: Vec::new(),
                        message: String::new(),
                        answer,
                    });
                }
                if writer.has_file(&to)? {
                    return Err(super::uploads::refused(
                        "media-name-taken",
                        vec![("name", clean.to_arg())],
                    ));
                }
                let mut changes = vec![
                    crate::git::Change {
                        path: path.clone(),
                        content: None,
                    },
                    crate::git::Change {
                        path: to.clone(),
                        content: Some(file.bytes.into()),
                    },
                ];
                // Each document that names the file: its addresses, and
                // only them, changed.
                let usage = usage_at(cx, tip, config)?;
                let prefixes = prefixes(&config.model);
                for u in usage.get(&path).cloned().unwrap_or_default() {
                    let coll = super::collection_of(cx, &u.collection)?;
                    let Ok(doc_path) = super::document_path(cx, &coll, &u.slug) else {
                        continue;
                    };
                    let Some(current) = writer.read_file(&doc_path)? else {
                        continue;
                    };
                    let Ok(text) = String::from_utf8(current.bytes) else {
                        continue;
                    };
                    let out = readdressed(&text, &prefixes, &path, &clean);
                    if out != text {
                        changes.push(crate::git::Change {
                            path: doc_path,
                            content: Some(out.into_bytes().into()),
                        });
                    }
                }
                Ok(MediaChange {
                    changes,
                    message: format!("Rename {path} to {to}"),
                    answer,
                })
            })
            .await?;
        Ok(Added {
            path: to,
            public,
            commit,
        })
    }

    /// Deletes the media file at `path`: one commit by `author`. Refused
    /// while a document names it (the message lists them); `NotFound` for
    /// a path outside the media folders or a file the tip lacks.
    pub async fn delete_media(
        &self,
        path: String,
        author: super::Author,
        now: i64,
    ) -> Result<ObjectId, SiteError> {
        use crate::i18n::ToArg;
        let ((), commit) = self
            .commit_media(author, now, move |cx, writer, config, tip| {
                let folders = media::media_folders(&config.model);
                if !media::is_media_path(&path, &folders) || !writer.has_file(&path)? {
                    return Err(SiteError::NotFound(path.clone()));
                }
                let usage = usage_at(cx, tip, config)?;
                if let Some(users) = usage.get(&path).filter(|u| !u.is_empty()) {
                    let titles: Vec<String> =
                        users.iter().map(|u| format!("“{}”", u.title)).collect();
                    return Err(super::uploads::refused(
                        "media-in-use",
                        vec![
                            ("name", path.rsplit('/').next().unwrap_or(&path).to_arg()),
                            ("pages", titles.join(", ").to_arg()),
                            ("count", users.len().to_arg()),
                        ],
                    ));
                }
                Ok(MediaChange {
                    changes: vec![crate::git::Change {
                        path: path.clone(),
                        content: None,
                    }],
                    message: format!("Delete {path}"),
                    answer: (),
                })
            })
            .await?;
        Ok(commit)
    }
}

/// `text` with every address of the media file `path` (as `prefixes`
/// write them) naming `name` instead, in the same folder and form; the
/// rest of the text as it was.
fn readdressed(text: &str, prefixes: &[(String, String)], path: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, found) in addresses(text, prefixes) {
        if found != path {
            continue;
        }
        let written = &text[range.clone()];
        let head = written.rsplit_once('/').map_or("", |(h, _)| h);
        out.push_str(&text[last..range.start]);
        out.push_str(head);
        out.push('/');
        out.push_str(name);
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}
