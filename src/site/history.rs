//! History for reviewers: the index (a database cache of the branch's
//! commits, filled incrementally, rebuilt when history was rewritten), the
//! site-wide and per-document histories read from it, a commit's changes
//! field by field, and restore and revert, which make new commits.

use super::edit::{self, Proposed};
use super::{
    Author, Conflict, Ctx, FieldConflict, Message, SaveOutcome, Site, SiteError, collection_of,
    commit_as, document_path, with_retries,
};
use crate::content::diff::{self, DocumentDiff, Line};
use crate::content::{self, CollectionName, Document, FieldValue, Schema, Slug};
use crate::db::history::{self as index, CommitRow, FileRow, Filter, NewCommit};
use crate::git::history::{ChangeKind, CommitInfo, NewHistory};
use crate::git::{Change, ObjectId, StoreError};

/// `YYYY-MM-DD` as seconds at the start of that day (UTC): how history
/// filters take dates, in the admin and the API.
pub fn parse_day(s: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(s, &format).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

/// A document a history entry names, as a reader knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRef {
    pub collection: String,
    pub slug: String,
    /// Its title (`title`, else `name`), else its slug.
    pub title: String,
    /// Whether it is at the branch tip, so its page can be opened.
    pub exists: bool,
}

/// Entries per history page.
pub const PAGE: usize = 50;

/// A file a commit changed, as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryFile {
    pub path: String,
    pub old_path: Option<String>,
    pub change: String,
    /// Changed front matter keys (`body` for the body).
    pub fields: Vec<String>,
}

/// One commit in a history list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub sha: String,
    pub author_name: String,
    pub author_email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    pub summary: String,
    /// Made by Cairn for a person (its summary is Cairn's, not theirs).
    pub by_cairn: bool,
    pub files: Vec<HistoryFile>,
    /// Index position, for the next page's cursor.
    pub seq: i64,
}

/// Which commits a site-wide history page shows.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    pub author: Option<String>,
    pub collection: Option<CollectionName>,
    pub slug: Option<Slug>,
    /// Commits that changed exactly this path (or renamed from it).
    pub path: Option<String>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub before: Option<i64>,
}

/// A page of history and the cursor of the next one.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub next: Option<String>,
}

/// One file of a commit, with what changed in it.
#[derive(Debug, Clone)]
pub struct FileDetail {
    pub path: String,
    pub old_path: Option<String>,
    pub change: ChangeKind,
    /// For documents: the field-by-field changes.
    pub document: Option<DocumentDiff>,
    /// The body's line diff (documents) or the file's (other text files).
    pub lines: Vec<Line>,
    /// Not text: no line diff is shown.
    pub binary: bool,
}

/// A commit as the review page shows it.
#[derive(Debug, Clone)]
pub struct CommitDetail {
    pub info: CommitInfo,
    pub files: Vec<FileDetail>,
}

fn is_document_path(path: &str) -> bool {
    path.rsplit('/').next().and_then(content::slug_of).is_some()
}

/// The changed field names of a document between two blobs.
fn changed_fields(
    cx: &Ctx<'_>,
    old: Option<&ObjectId>,
    new: Option<&ObjectId>,
) -> Result<String, SiteError> {
    let load = |id: Option<&ObjectId>| -> Result<Option<std::sync::Arc<super::Parsed>>, SiteError> {
        match id {
            None => Ok(None),
            Some(id) => Ok(Some(cx.cache.document(id, || {
                cx.repo
                    .read_blob(id)?
                    .ok_or(SiteError::Store(StoreError::NoCommits))
            })?)),
        }
    };
    let (old, new) = (load(old)?, load(new)?);
    fn doc(p: &Option<std::sync::Arc<super::Parsed>>) -> Option<&Document> {
        p.as_ref().and_then(|p| p.as_ref().as_ref().ok())
    }
    Ok(diff::diff_documents(doc(&old), doc(&new)).names().join(","))
}

/// The index rows for one commit.
fn index_row(cx: &Ctx<'_>, commit: &CommitInfo) -> Result<NewCommit, SiteError> {
    let mut files = Vec::with_capacity(commit.files.len());
    for f in &commit.files {
        let fields = if is_document_path(&f.path) {
            changed_fields(cx, f.old_blob.as_ref(), f.new_blob.as_ref())?
        } else {
            String::new()
        };
        files.push(FileRow {
            path: f.path.clone(),
            old_path: f.old_path.clone(),
            change: f.kind.as_str().to_string(),
            fields,
        });
    }
    Ok(NewCommit {
        sha: commit.id.to_string(),
        author_name: commit.author.name.clone(),
        author_email: commit.author.email.clone(),
        time: commit.time,
        summary: commit.summary().to_string(),
        user_id: commit.trailer("Cairn-User").and_then(|v| v.parse().ok()),
        files,
    })
}

fn entry(row: CommitRow, files: Vec<FileRow>) -> HistoryEntry {
    HistoryEntry {
        sha: row.sha,
        author_name: row.author_name,
        author_email: row.author_email,
        time: row.time,
        summary: row.summary,
        by_cairn: row.user_id.is_some(),
        seq: row.seq,
        files: files
            .into_iter()
            .map(|f| HistoryFile {
                fields: f
                    .fields
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                path: f.path,
                old_path: f.old_path,
                change: f.change,
            })
            .collect(),
    }
}

impl Site {
    /// Brings the history index up to the branch tip: commits made by Cairn
    /// and by anyone else. Returns how many commits were added.
    pub async fn index_history(&self) -> Result<usize, SiteError> {
        let _one_at_a_time = self.indexing.lock().await;
        let indexed = index::tip(&self.db)
            .await
            .map_err(|e| SiteError::Index(e.to_string()))?
            .and_then(|t| ObjectId::parse(&t));
        if let Some(indexed) = &indexed {
            let tip = self.blocking(|cx| Ok(cx.repo.tip()?)).await?;
            if tip == *indexed {
                return Ok(0);
            }
        }
        let (tip, rows, reset) = self
            .blocking(move |cx| {
                let (tip, new) = cx.repo.history_since(indexed.as_ref())?;
                let (commits, reset) = match new {
                    NewHistory::Appended(c) => (c, false),
                    NewHistory::Rewritten(c) => (c, true),
                };
                let rows = commits
                    .iter()
                    .map(|c| index_row(&cx, c))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((tip, rows, reset))
            })
            .await?;
        if reset {
            tracing::warn!("the branch's history was rewritten: rebuilding the history index");
        }
        index::append(&self.db, &rows, tip.as_str(), reset)
            .await
            .map_err(|e| SiteError::Index(e.to_string()))?;
        Ok(rows.len())
    }

    /// Empties the history index and builds it again from the repository.
    pub async fn reindex(&self) -> Result<usize, SiteError> {
        index::clear(&self.db)
            .await
            .map_err(|e| SiteError::Index(e.to_string()))?;
        self.index_history().await
    }

    /// After a commit, in the background, off the save's answer: make the
    /// checkout updates another program's index lock delayed (if any), and
    /// index the commit. The commit has landed whatever happens here; every
    /// history read first catches the index up (one indexer at a time), so
    /// none misses it, and a failure only delays the index.
    pub(super) fn index_after_commit(&self) {
        self.publisher.poke();
        self.committed.notify_one();
        if self.publisher.target().is_none() && self.publisher.builds_follow() {
            // Nothing to push to: the commit itself is ready to build.
            let site = self.clone();
            self.spawn_after_commit(async move {
                if let Ok(tip) = site.blocking(|cx| Ok(cx.repo.tip()?)).await {
                    site.publisher.ready(tip, "commit");
                }
            });
        }
        self.after_outside_change();
    }

    /// Runs `work` in the background, remembered until it ends so that
    /// [`Site::settle`] can wait for it.
    pub(super) fn spawn_after_commit(
        &self,
        work: impl std::future::Future<Output = ()> + Send + 'static,
    ) {
        let handle = tokio::spawn(work);
        let mut pending = self.after_commit.lock().unwrap_or_else(|p| p.into_inner());
        pending.retain(|h| !h.is_finished());
        pending.push(handle);
    }

    /// Waits for the work commits started (the checkout and the history
    /// index catching up): when the server stops, nothing is left holding
    /// the repository.
    pub async fn settle(&self) {
        loop {
            let pending =
                std::mem::take(&mut *self.after_commit.lock().unwrap_or_else(|p| p.into_inner()));
            if pending.is_empty() {
                return;
            }
            for handle in pending {
                if let Err(e) = handle.await {
                    tracing::error!(error = %e, "work after a commit failed");
                }
            }
        }
    }

    /// The checkout and the history index catch up with the branch.
    pub(super) fn after_outside_change(&self) {
        let site = self.clone();
        self.spawn_after_commit(async move {
            if let Err(e) = site.sync_checkout().await {
                tracing::error!(error = %e, "could not update the checkout");
            }
            if let Err(e) = site.index_history().await {
                tracing::error!(error = %e, "could not update the history index");
            }
            if let Err(e) = site.index_search().await {
                tracing::error!(error = %e, "could not update the search index");
            }
        });
    }

    /// The site-wide history, newest first, filtered and paginated.
    pub async fn history(&self, query: &HistoryQuery) -> Result<HistoryPage, SiteError> {
        self.index_history().await?;
        let mut filter = Filter {
            author: query.author.clone(),
            since: query.since,
            until: query.until,
            before_seq: query.before,
            path: query.path.clone(),
            ..Filter::default()
        };
        if let Some(name) = &query.collection {
            let name = name.as_str().to_string();
            let slug = query.slug.clone();
            let (dir, path) = self
                .blocking(move |cx| {
                    let coll = collection_of(&cx, &name)?;
                    let path = match slug {
                        Some(slug) => Some(document_path(&cx, &coll, slug.as_str())?),
                        None => None,
                    };
                    Ok((format!("{}/", coll.dir), path))
                })
                .await?;
            filter.path_prefix = Some(dir);
            if path.is_some() {
                filter.path = path;
            }
        }
        let rows = index::commits(&self.db, &filter, PAGE as i64 + 1)
            .await
            .map_err(|e| SiteError::Index(e.to_string()))?;
        let more = rows.len() > PAGE;
        let rows: Vec<CommitRow> = rows.into_iter().take(PAGE).collect();
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        let mut files = index::files(&self.db, &seqs)
            .await
            .map_err(|e| SiteError::Index(e.to_string()))?;
        let next = more
            .then(|| rows.last().map(|r| r.seq.to_string()))
            .flatten();
        let entries = rows
            .into_iter()
            .map(|row| {
                let mine: Vec<FileRow> = files
                    .iter()
                    .filter(|(seq, _)| *seq == row.seq)
                    .map(|(_, f)| f.clone())
                    .collect();
                files.retain(|(seq, _)| *seq != row.seq);
                entry(row, mine)
            })
            .collect();
        Ok(HistoryPage { entries, next })
    }

    /// One document's history, newest first, following renames. The cursor
    /// is `seq:path` (the path the document had before that point).
    pub async fn document_history(
        &self,
        collection: &CollectionName,
        slug: &Slug,
        cursor: Option<&str>,
    ) -> Result<HistoryPage, SiteError> {
        self.index_history().await?;
        let (name, slug_s) = (collection.as_str().to_string(), slug.as_str().to_string());
        let current = self
            .blocking(move |cx| {
                let coll = collection_of(&cx, &name)?;
                document_path(&cx, &coll, &slug_s)
            })
            .await?;
        let (mut before, mut path) = match cursor.and_then(|c| c.split_once(':')) {
            Some((seq, path)) => (seq.parse::<i64>().ok(), path.to_string()),
            None => (None, current),
        };
        // The path the document had before a history entry: a rename's old
        // path, else the entry's own.
        fn path_before(f: &FileRow) -> &str {
            match (&f.old_path, f.change.as_str()) {
                (Some(old), "renamed") => old,
                _ => &f.path,
            }
        }
        let mut found: Vec<(CommitRow, FileRow)> = Vec::new();
        while found.len() <= PAGE {
            let want = PAGE + 1 - found.len();
            let rows = index::path_history(&self.db, &path, before, want as i64)
                .await
                .map_err(|e| SiteError::Index(e.to_string()))?;
            let exhausted = rows.len() < want;
            let mut renamed = false;
            for (commit, file) in rows {
                before = Some(commit.seq);
                let earlier = path_before(&file).to_string();
                found.push((commit, file));
                if earlier != path {
                    // Older entries are under the old name.
                    path = earlier;
                    renamed = true;
                    break;
                }
            }
            if exhausted && !renamed {
                break;
            }
        }
        let more = found.len() > PAGE;
        found.truncate(PAGE);
        let next = more
            .then(|| {
                found
                    .last()
                    .map(|(c, f)| format!("{}:{}", c.seq, path_before(f)))
            })
            .flatten();
        Ok(HistoryPage {
            entries: found.into_iter().map(|(c, f)| entry(c, vec![f])).collect(),
            next,
        })
    }

    /// A commit and its changes: documents field by field plus a body line
    /// diff, other text files as a line diff.
    /// The documents these paths are, by path, each with the commit it was
    /// seen in: its title at the tip, or, for one gone since, its title in
    /// that commit (or in the commit's parent, for the commit that deleted
    /// it). Paths in no collection are left out.
    pub async fn pages(
        &self,
        paths: Vec<(String, Option<ObjectId>)>,
    ) -> Result<std::collections::HashMap<String, PageRef>, SiteError> {
        self.blocking(move |cx| {
            let config = super::load_config(&cx)?;
            let mut out = std::collections::HashMap::new();
            for (path, seen_in) in paths {
                if out.contains_key(&path) {
                    continue;
                }
                let Some((dir, file)) = path.rsplit_once('/') else {
                    continue;
                };
                let Some(coll) = config.collections.iter().find(|c| c.dir == dir) else {
                    continue;
                };
                let Some(slug) = coll.slug_of(file) else {
                    continue;
                };
                let title_of = |bytes: &[u8], blob: &ObjectId| {
                    cx.cache
                        .document(blob, || Ok::<_, SiteError>(bytes.to_vec()))
                        .ok()
                        .and_then(|d| d.as_ref().as_ref().ok().and_then(Document::title))
                };
                let (title, exists) = match cx.repo.read_file(&path)? {
                    Some(file) => (title_of(&file.bytes, &file.blob), true),
                    None => {
                        let then = match &seen_in {
                            None => None,
                            Some(seen_in) => match cx.repo.file_at(seen_in, &path)? {
                                Some(found) => Some(found),
                                None => cx.repo.file_before(seen_in, &path)?,
                            },
                        };
                        (
                            then.and_then(|(blob, bytes)| title_of(&bytes, &blob)),
                            false,
                        )
                    }
                };
                out.insert(
                    path.clone(),
                    PageRef {
                        collection: coll.name.clone(),
                        slug: slug.to_string(),
                        title: title.unwrap_or_else(|| slug.to_string()),
                        exists,
                    },
                );
            }
            Ok(out)
        })
        .await
    }

    pub async fn commit_detail(&self, sha: &ObjectId) -> Result<CommitDetail, SiteError> {
        let sha = sha.clone();
        self.blocking(move |cx| {
            let info = cx
                .repo
                .commit_info(&sha)?
                .ok_or_else(|| SiteError::NotFound(format!("commit {sha}")))?;
            let read = |id: &Option<ObjectId>| -> Result<Option<Vec<u8>>, SiteError> {
                match id {
                    Some(id) => Ok(cx.repo.read_blob(id)?),
                    None => Ok(None),
                }
            };
            let mut files = Vec::new();
            for f in &info.files {
                let (old, new) = (read(&f.old_blob)?, read(&f.new_blob)?);
                let parse = |b: &Option<Vec<u8>>| b.as_ref().and_then(|b| Document::parse(b).ok());
                let (old_doc, new_doc) = (parse(&old), parse(&new));
                let text = |b: &Option<Vec<u8>>| match b {
                    Some(b) => std::str::from_utf8(b).ok().map(str::to_string),
                    None => Some(String::new()),
                };
                let (document, lines, binary) =
                    if is_document_path(&f.path) && (old_doc.is_some() || new_doc.is_some()) {
                        let body = |d: &Option<Document>| {
                            d.as_ref()
                                .map(Document::body_normalized)
                                .unwrap_or_default()
                        };
                        (
                            Some(diff::diff_documents(old_doc.as_ref(), new_doc.as_ref())),
                            diff::line_diff(&body(&old_doc), &body(&new_doc)),
                            false,
                        )
                    } else {
                        match (text(&old), text(&new)) {
                            (Some(a), Some(b)) => (None, diff::line_diff(&a, &b), false),
                            _ => (None, Vec::new(), true),
                        }
                    };
                files.push(FileDetail {
                    path: f.path.clone(),
                    old_path: f.old_path.clone(),
                    change: f.kind,
                    document,
                    lines,
                    binary,
                });
            }
            Ok(CommitDetail { info, files })
        })
        .await
    }

    /// What restoring the document as it was in commit `sha` (at
    /// `path_then`) would change now: from the current version to that one,
    /// field by field, and the body's lines.
    pub async fn restore_preview(
        &self,
        collection: &CollectionName,
        slug: &Slug,
        sha: &ObjectId,
        path_then: &str,
    ) -> Result<FileDetail, SiteError> {
        let (name, slug) = (collection.as_str().to_string(), slug.as_str().to_string());
        let (sha, path_then) = (sha.clone(), path_then.to_string());
        self.blocking(move |cx| {
            let (path, old, now) = restore_sources(&cx, &name, &slug, &sha, &path_then)?;
            let (now_doc, old_doc) = (Document::parse(&now.bytes).ok(), Document::parse(&old).ok());
            let body = |d: &Option<Document>| {
                d.as_ref()
                    .map(Document::body_normalized)
                    .unwrap_or_default()
            };
            Ok(FileDetail {
                path,
                old_path: None,
                change: ChangeKind::Modified,
                document: Some(diff::diff_documents(now_doc.as_ref(), old_doc.as_ref())),
                lines: diff::line_diff(&body(&now_doc), &body(&old_doc)),
                binary: false,
            })
        })
        .await
    }

    /// Makes a new commit that puts the document back exactly as it was in
    /// commit `sha` (at `path`, its path then). History is never rewritten.
    pub async fn restore(
        &self,
        collection: &CollectionName,
        slug: &Slug,
        sha: &ObjectId,
        path_then: &str,
        author: Author,
        now: i64,
    ) -> Result<SaveOutcome, SiteError> {
        let (name, slug) = (collection.as_str().to_string(), slug.as_str().to_string());
        let (sha, path_then) = (sha.clone(), path_then.to_string());
        let committer = self.committer.clone();
        let outcome = self
            .blocking(move |cx| {
                let mut writer = cx.repo.write_lock()?;
                with_retries(|| {
                    let (path, old, tip) = restore_sources(&cx, &name, &slug, &sha, &path_then)?;
                    if tip.bytes == old {
                        return Ok(SaveOutcome::Unchanged);
                    }
                    let message = Message::Restore {
                        collection: &name,
                        slug: &slug,
                        to: &sha,
                    }
                    .text();
                    let changes = vec![Change {
                        path,
                        content: Some(old.into()),
                    }];
                    let done = commit_as(
                        &mut writer,
                        &tip.commit,
                        changes,
                        message,
                        &author,
                        &committer,
                        now,
                    )?;
                    Ok(outcome_of(done, "restored"))
                })
            })
            .await?;
        self.index_after_commit();
        Ok(outcome)
    }

    /// Makes a new commit that undoes commit `sha`: each field it changed
    /// goes back to its value before, merged with what changed since; a
    /// field changed again since is a conflict and nothing is committed.
    pub async fn revert(
        &self,
        sha: &ObjectId,
        author: Author,
        now: i64,
    ) -> Result<SaveOutcome, SiteError> {
        let sha = sha.clone();
        let committer = self.committer.clone();
        let outcome = self
            .blocking(move |cx| {
                let mut writer = cx.repo.write_lock()?;
                with_retries(|| {
                    let info = cx
                        .repo
                        .commit_info(&sha)?
                        .ok_or_else(|| SiteError::NotFound(format!("commit {sha}")))?;
                    if info.parents.len() > 1 {
                        return Err(SiteError::Unsupported("reverting a merge commit".into()));
                    }
                    let tip_commit = cx.repo.tip()?;
                    let mut changes = Vec::new();
                    let mut conflicts = Vec::new();
                    for f in &info.files {
                        let now_blob = cx.repo.read_file(&f.path)?.map(|file| file.blob);
                        match f.kind {
                            ChangeKind::Modified => {}
                            ChangeKind::Renamed => {
                                return Err(SiteError::Unsupported(format!(
                                    "reverting a change that renamed a file ({})",
                                    f.path
                                )));
                            }
                            // An added file is removed again, if nobody changed it since.
                            ChangeKind::Added => {
                                match now_blob {
                                    None => {}
                                    Some(now) if Some(&now) == f.new_blob.as_ref() => {
                                        changes.push(Change {
                                            path: f.path.clone(),
                                            content: None,
                                        });
                                    }
                                    Some(_) => conflicts.push(FieldConflict {
                                        field: f.path.clone(),
                                        yours: FieldValue::text("removed"),
                                        theirs: FieldValue::text("changed since it was added"),
                                        changed_by: None,
                                    }),
                                }
                                continue;
                            }
                            // A deleted file comes back, if nothing took its place.
                            ChangeKind::Deleted => {
                                let old = f
                                    .old_blob
                                    .as_ref()
                                    .ok_or_else(|| SiteError::NotFound(f.path.clone()))?;
                                match now_blob {
                                    Some(now) if now == *old => {}
                                    Some(_) => conflicts.push(FieldConflict {
                                        field: f.path.clone(),
                                        yours: FieldValue::text("the deleted version"),
                                        theirs: FieldValue::text("a new file at the same path"),
                                        changed_by: None,
                                    }),
                                    None => changes.push(Change {
                                        path: f.path.clone(),
                                        content: Some(
                                            cx.repo
                                                .read_blob(old)?
                                                .ok_or_else(|| SiteError::NotFound(f.path.clone()))?
                                                .into(),
                                        ),
                                    }),
                                }
                                continue;
                            }
                        }
                        let read = |id: &Option<ObjectId>| -> Result<Vec<u8>, SiteError> {
                            let id = id
                                .as_ref()
                                .ok_or_else(|| SiteError::NotFound(f.path.clone()))?;
                            cx.repo
                                .read_blob(id)?
                                .ok_or_else(|| SiteError::NotFound(f.path.clone()))
                        };
                        let (before, after) = (read(&f.old_blob)?, read(&f.new_blob)?);
                        let Some(now_file) = cx.repo.read_file(&f.path)? else {
                            conflicts.push(FieldConflict {
                                field: f.path.clone(),
                                yours: FieldValue::text("the version before the change"),
                                theirs: FieldValue::text("deleted since"),
                                changed_by: None,
                            });
                            continue;
                        };
                        match revert_document(&before, &after, &now_file.bytes)? {
                            Reverted::Text(text) => changes.push(Change {
                                path: f.path.clone(),
                                content: Some(text.into_bytes().into()),
                            }),
                            Reverted::Unchanged => {}
                            Reverted::Conflicts(mut c) => conflicts.append(&mut c),
                            Reverted::NotADocument if now_file.bytes == after => {
                                changes.push(Change {
                                    path: f.path.clone(),
                                    content: Some(before.into()),
                                })
                            }
                            Reverted::NotADocument => conflicts.push(FieldConflict {
                                field: f.path.clone(),
                                yours: FieldValue::text("the version before the change"),
                                theirs: FieldValue::text("changed again since"),
                                changed_by: None,
                            }),
                        }
                    }
                    if !conflicts.is_empty() {
                        let edited = conflicts.iter().map(|c| c.field.clone()).collect();
                        return Err(SiteError::Conflict(Conflict {
                            fields: conflicts,
                            edited,
                        }));
                    }
                    if changes.is_empty() {
                        return Ok(SaveOutcome::Unchanged);
                    }
                    let message = Message::Revert {
                        summary: info.summary(),
                        sha: &sha,
                    }
                    .text();
                    let done = commit_as(
                        &mut writer,
                        &tip_commit,
                        changes,
                        message,
                        &author,
                        &committer,
                        now,
                    )?;
                    Ok(outcome_of(done, "reverted"))
                })
            })
            .await?;
        self.index_after_commit();
        Ok(outcome)
    }
}

/// What restoring the document `slug` of collection `name` to its version
/// at `path_then` in commit `sha` starts from: its path now, the old bytes,
/// and the file at the tip. The old path must be in the collection's folder.
fn restore_sources(
    cx: &Ctx<'_>,
    name: &str,
    slug: &str,
    sha: &ObjectId,
    path_then: &str,
) -> Result<(String, Vec<u8>, crate::git::FileAtTip), SiteError> {
    let coll = collection_of(cx, name)?;
    if !path_then.starts_with(&format!("{}/", coll.dir)) {
        return Err(SiteError::NotFound(path_then.to_string()));
    }
    let path = document_path(cx, &coll, slug)?;
    let (_, old) = cx
        .repo
        .file_at(sha, path_then)?
        .ok_or_else(|| SiteError::NotFound(format!("{path_then} in {sha}")))?;
    let tip = cx
        .repo
        .read_file(&path)?
        .ok_or_else(|| SiteError::NotFound(path.clone()))?;
    Ok((path, old, tip))
}

/// A restore's or revert's outcome from the commit it made (if any).
fn outcome_of(done: Option<(ObjectId, bool)>, what: &str) -> SaveOutcome {
    match done {
        None => SaveOutcome::Unchanged,
        Some((commit, local_edits)) => SaveOutcome::Saved {
            commit,
            changed: vec![what.to_string()],
            merged: false,
            local_edits,
        },
    }
}

/// What reverting one document's change gives.
enum Reverted {
    Text(String),
    Unchanged,
    Conflicts(Vec<FieldConflict>),
    /// One of the versions is not an editable document.
    NotADocument,
}

/// Undoes the change `before -> after` on `now`, field by field.
fn revert_document(before: &[u8], after: &[u8], now: &[u8]) -> Result<Reverted, SiteError> {
    let (Ok(before), Ok(after), Ok(now)) = (
        Document::parse(before),
        Document::parse(after),
        Document::parse(now),
    ) else {
        return Ok(Reverted::NotADocument);
    };
    if [&before, &after, &now]
        .iter()
        .any(|d| d.front_matter_error().is_some())
    {
        return Ok(Reverted::NotADocument);
    }
    let change = diff::diff_documents(Some(&after), Some(&before));
    let mut fields = Vec::new();
    for f in &change.fields {
        // The value to go back to; a key the change added goes back to empty.
        match f.after.as_ref().map(|v| v.value()) {
            Some(Some(value)) => fields.push((f.key.clone(), value)),
            None => fields.push((f.key.clone(), FieldValue::Null)),
            Some(None) => return Ok(Reverted::NotADocument),
        }
    }
    let body = change.body_changed.then(|| before.body_normalized());
    let plan: Vec<Proposed> = fields
        .into_iter()
        .map(|(key, value)| Proposed::form(&key, value))
        .collect();
    match edit::merge(Some(&after), &now, &plan, body.as_ref(), &|| {
        Ok(std::sync::Arc::new(Schema::default()))
    }) {
        Ok(Some(merged)) => Ok(Reverted::Text(merged.text)),
        Ok(None) => Ok(Reverted::Unchanged),
        Err(SiteError::Conflict(c)) => Ok(Reverted::Conflicts(c.fields)),
        Err(e) => Err(e),
    }
}
