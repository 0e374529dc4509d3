//! The service both faces (admin and API) share: listing collections and
//! documents, and saving an edit as one commit. It joins the content engine
//! to the git store; nothing above it opens a repository.
//!
//! A save is computed against the version the editor saw (`base`) and applied
//! to the branch tip, field by field: a change someone else made meanwhile to
//! another field is kept, the same field changed both ways is a conflict.

mod cache;
pub mod check;
pub mod demo;
pub mod edit;
pub mod entries;
pub mod history;
pub mod media;
pub mod merge;
pub mod packing;
pub mod publish;
pub mod search;
pub mod uploads;

use cache::{Cache, Parsed};
pub use edit::{
    Action, Applied, Attach, ChangedBy, Conflict, Draft, Edit, FieldConflict, InvalidFields, Made,
    Message, Update, Value, broken_rules, collection_name, document_name, new_slug, slug_for,
    slug_from_title,
};

use crate::content::{
    self, Collection, CollectionKind, CollectionName, EditError, NotADocument, Schema, SiteConfig,
    Slug,
};
use crate::git::{self, Change, CommitOutcome, CommitRequest, Repo, StoreError, Writer};
pub use crate::git::{Identity, ObjectId};
use sqlx::SqlitePool;
use std::sync::Arc;
use std::time::Duration;

/// Where the site's configuration lives.
const CONFIG_PATH: &str = "_config.yml";

/// A collection and how many documents it holds.
#[derive(Debug, Clone)]
pub struct CollectionSummary {
    pub name: String,
    pub dir: String,
    pub documents: usize,
}

/// One document in a collection listing.
#[derive(Debug, Clone)]
pub struct DocumentSummary {
    pub slug: String,
    /// The `title` or `name` field, else the slug.
    pub title: String,
    pub path: String,
    /// Why the document cannot be edited through the form, if it cannot.
    pub problem: Option<String>,
    /// The values of the columns asked for ([`Site::table`]), as text.
    pub values: Vec<String>,
}

/// Rows of a collection's table ([`Site::table`]).
#[derive(Debug, Clone)]
pub struct Table {
    /// How many documents the collection has.
    pub total: usize,
    /// The position of the first row given.
    pub first: usize,
    pub rows: Vec<DocumentSummary>,
}

/// A document read at the branch tip.
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    pub collection: String,
    pub slug: String,
    pub path: String,
    /// The blob the editor's form is based on.
    pub blob: ObjectId,
    pub commit: ObjectId,
    pub content: Arc<Parsed>,
    /// The collection's fields, for keys this document lacks.
    pub schema: Arc<Schema>,
    /// What the site's configuration says about the collection's fields.
    pub model: content::model::CollectionModel,
}

/// The person a commit is authored by.
#[derive(Debug, Clone)]
pub struct Author {
    /// The account (a `Cairn-User` trailer), when a person made the change.
    pub user_id: Option<i64>,
    /// The API token used (a `Cairn-Token` trailer), if any.
    pub token_id: Option<i64>,
    pub identity: Identity,
}

/// What a restore or a revert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Nothing differed from what is already there: no commit.
    Unchanged,
    Saved {
        commit: ObjectId,
        /// What was done (`restored`, `reverted`).
        changed: Vec<String>,
        merged: bool,
        /// The working-tree file had local edits and was left as it was.
        local_edits: bool,
    },
}

/// Why a site operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("there is no collection `{0}`")]
    UnknownCollection(String),
    #[error("there is no document `{0}`")]
    NotFound(String),
    #[error("{0}")]
    NotADocument(#[from] NotADocument),
    #[error("{0}")]
    Edit(#[from] EditError),
    #[error("the version this edit is based on is not in the repository")]
    UnknownBase,
    /// The same fields were changed by someone else since the version the
    /// edit is based on, differently.
    #[error("someone else changed the same fields")]
    Conflict(Conflict),
    #[error("{0}")]
    Config(#[from] content::site_config::ConfigError),
    #[error("the site has no _config.yml")]
    NoConfig,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the site kept changing while saving; nothing was saved")]
    Busy,
    #[error("another program is writing to the repository ({0}); nothing was saved")]
    Locked(String),
    #[error("the history index: {0}")]
    Index(String),
    #[error("{0} is not supported yet")]
    Unsupported(String),
    /// The write was based on another version than the tip's (its blob).
    #[error("the document changed since the version this write is based on")]
    Stale(ObjectId),
    #[error("`{0}` already exists")]
    Exists(String),
    #[error("some field values cannot be written")]
    InvalidFields(InvalidFields),
    /// The site's configuration does not let Cairn do this here
    /// (`create: false`, `delete: false`).
    #[error("the site's configuration does not allow to {0} documents in `{1}`")]
    NotAllowed(&'static str, String),
    #[error("background task failed: {0}")]
    Task(String),
    #[error("the pending uploads: {0}")]
    Uploads(String),
    #[error("the remote: {0}")]
    Remote(String),
    /// Retrying cannot help: the remote refused the credentials, or its
    /// host key is unknown.
    #[error("the remote: {0}")]
    RemoteDenied(String),
}

impl SiteError {
    /// A pending upload's file could not be read or written.
    pub(crate) fn io(e: std::io::Error) -> SiteError {
        SiteError::Uploads(e.to_string())
    }
}

/// The site service. Clone is cheap.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site's repository: the one source of truth for content.
    repo: Arc<Repo>,
    /// The database holding the history index (a cache of the repository).
    db: SqlitePool,
    /// One history indexer at a time, so no commit is indexed twice.
    indexing: Arc<tokio::sync::Mutex<()>>,
    /// Parsed documents and schemas, keyed by content hashes.
    cache: Arc<Cache>,
    /// The committer on every commit Cairn makes (the author is the user).
    committer: Identity,
    /// Pushes commits to the site's remote (when it has one).
    publisher: Arc<publish::Publisher>,
    /// Work started after a commit (the checkout and the history index
    /// catching up), waited for by [`Site::settle`] when the server stops.
    after_commit: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    /// Files uploaded and not committed yet.
    uploads: Arc<uploads::Uploads>,
    /// The full-text index (a cache of the documents at the tip).
    search: Arc<crate::search::SearchIndex>,
    /// One search indexer at a time.
    search_indexing: Arc<tokio::sync::Mutex<()>>,
    /// Told of every commit (the packer counts loose objects then).
    committed: Arc<tokio::sync::Notify>,
}

/// What blocking work gets: the repository and the cache.
struct Ctx<'a> {
    repo: &'a Repo,
    cache: &'a Cache,
}

impl Site {
    /// The site in `repo`, its history index in `db`, its pending uploads
    /// in `uploads`, its search index `search`.
    pub fn new(
        repo: Repo,
        db: SqlitePool,
        committer: Identity,
        uploads: uploads::Uploads,
        search: crate::search::SearchIndex,
    ) -> Self {
        Self {
            repo: Arc::new(repo),
            db,
            indexing: Arc::new(tokio::sync::Mutex::new(())),
            cache: Arc::new(Cache::default()),
            committer,
            publisher: Arc::default(),
            after_commit: Arc::default(),
            uploads: Arc::new(uploads),
            search: Arc::new(search),
            search_indexing: Arc::default(),
            committed: Arc::default(),
        }
    }

    /// Runs blocking git work off the async runtime.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(Ctx<'_>) -> Result<T, SiteError> + Send + 'static,
    ) -> Result<T, SiteError> {
        let (repo, cache) = (self.repo.clone(), self.cache.clone());
        tokio::task::spawn_blocking(move || {
            work(Ctx {
                repo: &repo,
                cache: &cache,
            })
        })
        .await
        .map_err(|e| SiteError::Task(e.to_string()))?
    }

    /// Whether the repository can be read (for health checks).
    pub async fn check(&self) -> Result<(), SiteError> {
        self.blocking(|cx| {
            cx.repo.tip()?;
            Ok(())
        })
        .await
    }

    /// The commit at the branch tip.
    pub async fn tip(&self) -> Result<ObjectId, SiteError> {
        self.blocking(|cx| Ok(cx.repo.tip()?)).await
    }

    /// The branch Cairn commits to.
    pub fn branch(&self) -> &str {
        self.repo.branch()
    }

    /// Brings the checkout's files up to date with every commit made, when
    /// a crash or another program's index lock (a `git status` refreshing
    /// it) left updates pending; the lock is waited for as a save waits for
    /// one. Past that the updates stay pending for the next write.
    pub async fn sync_checkout(&self) -> Result<(), SiteError> {
        self.blocking(|cx| with_retries(|| Ok(cx.repo.sync_worktree()?)))
            .await
    }

    /// The site's configuration at the branch tip.
    pub async fn config(&self) -> Result<Arc<SiteConfig>, SiteError> {
        self.blocking(|cx| load_config(&cx)).await
    }

    /// Every collection with its number of documents.
    pub async fn collections(&self) -> Result<Vec<CollectionSummary>, SiteError> {
        self.blocking(|cx| {
            let config = load_config(&cx)?;
            config
                .collections
                .iter()
                .map(|c| {
                    let documents = listing(&cx, &c.dir)?
                        .entries
                        .iter()
                        .filter(|e| c.slug_of(&e.name).is_some())
                        .count();
                    Ok(CollectionSummary {
                        name: c.name.clone(),
                        dir: c.dir.clone(),
                        documents,
                    })
                })
                .collect()
        })
        .await
    }

    /// The documents of a collection, sorted by title.
    pub async fn documents(
        &self,
        collection: &CollectionName,
    ) -> Result<Vec<DocumentSummary>, SiteError> {
        Ok(self.table(collection, Vec::new(), None).await?.rows)
    }

    /// The documents of a collection, grouped by folder and sorted by title,
    /// with the values of `columns` (front matter keys) as one line of text: only the rows in
    /// `rows` when given (a page of a long list; past the end, the last
    /// page), else all. The sorted list is kept per version of the folder,
    /// so a page costs its own rows.
    pub async fn table(
        &self,
        collection: &CollectionName,
        columns: Vec<String>,
        rows: Option<std::ops::Range<usize>>,
    ) -> Result<Table, SiteError> {
        let name = collection.as_str().to_string();
        self.blocking(move |cx| {
            let coll = collection_of(&cx, &name)?;
            let sorted = sorted_summaries(&cx, &coll)?;
            let total = sorted.len();
            let wanted = match rows {
                None => 0..total,
                Some(r) if r.start >= total && total > 0 => {
                    let len = r.end.saturating_sub(r.start).max(1);
                    let start = (total - 1) / len * len;
                    start..total.min(start + len)
                }
                Some(r) => r.start.min(total)..r.end.min(total),
            };
            let mut out = Vec::with_capacity(wanted.len());
            for (summary, blob) in &sorted[wanted.clone()] {
                let mut summary = summary.clone();
                if !columns.is_empty() {
                    let parsed = cx.cache.document(blob, || {
                        let mut bytes = cx.repo.read_blobs(std::slice::from_ref(blob))?;
                        Ok::<_, SiteError>(bytes.pop().flatten().unwrap_or_default())
                    })?;
                    summary.values = columns
                        .iter()
                        .map(|key| match parsed.as_ref() {
                            Ok(doc) => match doc.field(key) {
                                Some(
                                    content::FieldView::Text(s) | content::FieldView::MultiLine(s),
                                ) => s,
                                Some(content::FieldView::List(items)) => items.join(", "),
                                _ => String::new(),
                            },
                            Err(_) => String::new(),
                        })
                        .collect();
                }
                out.push(summary);
            }
            Ok(Table {
                total,
                first: wanted.start,
                rows: out,
            })
        })
        .await
    }

    /// The entries a relation field picks from, at the tip: the documents
    /// of a collection, or the items of a data file (`_data/...`). An
    /// unknown source has none.
    pub async fn choices(
        &self,
        rel: &crate::content::model::Relation,
    ) -> Result<Arc<crate::content::relation::Choices>, SiteError> {
        let rel = rel.clone();
        self.blocking(move |cx| choices_at(&cx, &rel)).await
    }

    /// The schema of a collection, inferred from its documents.
    pub async fn schema(&self, collection: &CollectionName) -> Result<Arc<Schema>, SiteError> {
        let name = collection.as_str().to_string();
        self.blocking(move |cx| {
            let coll = collection_of(&cx, &name)?;
            collection_schema(&cx, &coll)
        })
        .await
    }

    /// One document at the branch tip, with its collection's schema.
    pub async fn document(
        &self,
        collection: &CollectionName,
        slug: &Slug,
    ) -> Result<LoadedDocument, SiteError> {
        let (name, slug) = (collection.as_str().to_string(), slug.as_str().to_string());
        self.blocking(move |cx| {
            let coll = collection_of(&cx, &name)?;
            let path = document_path(&cx, &coll, &slug)?;
            let file = cx
                .repo
                .read_file(&path)?
                .ok_or_else(|| SiteError::NotFound(format!("{name}/{slug}")))?;
            let bytes = file.bytes;
            let content = cx
                .cache
                .document(&file.blob, || Ok::<_, SiteError>(bytes))?;
            let model = load_config(&cx)?
                .model
                .collection(&name)
                .cloned()
                .unwrap_or_default();
            Ok(LoadedDocument {
                model,
                collection: name,
                slug,
                path,
                schema: collection_schema(&cx, &coll)?,
                content,
                blob: file.blob,
                commit: file.commit,
            })
        })
        .await
    }
}

/// How many times a save is merged again when the branch moves under it.
const MAX_ATTEMPTS: usize = 3;
/// How long a save waits for a git lock another program holds.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// Runs one write `attempt` (read the tip, compute, commit with the tip as
/// the expected parent) under the writer lock, again as needed: another
/// program can move the branch (a `git commit` in the checkout), then the
/// attempt starts over on the new tip; or hold a git lock for a moment, then
/// it waits, doubling, up to LOCK_WAIT.
fn with_retries<T>(mut attempt: impl FnMut() -> Result<T, SiteError>) -> Result<T, SiteError> {
    let mut moved = 0;
    let mut waited = Duration::ZERO;
    let mut delay = Duration::from_millis(10);
    loop {
        match attempt() {
            Err(SiteError::Store(StoreError::BranchMoved)) if moved + 1 < MAX_ATTEMPTS => {
                moved += 1;
            }
            Err(SiteError::Store(StoreError::BranchMoved)) => return Err(SiteError::Busy),
            Err(SiteError::Store(StoreError::Locked(what))) => {
                if waited >= LOCK_WAIT {
                    return Err(SiteError::Locked(what));
                }
                std::thread::sleep(delay);
                waited += delay;
                delay = (delay * 2).min(Duration::from_millis(500));
            }
            other => return other,
        }
    }
}

/// Commits `changes` on top of `parent` as `author`, with the `Cairn-User`
/// trailer added to `message`. `None` when nothing changed; otherwise the
/// commit and whether a working-tree file had local edits and was kept.
fn commit_as(
    writer: &mut Writer<'_>,
    parent: &ObjectId,
    changes: Vec<Change>,
    mut message: String,
    author: &Author,
    committer: &Identity,
    now: i64,
) -> Result<Option<(ObjectId, bool)>, SiteError> {
    message.push_str("\n\n");
    if let Some(user) = author.user_id {
        message.push_str(&format!("Cairn-User: {user}\n"));
    }
    if let Some(token) = author.token_id {
        message.push_str(&format!("Cairn-Token: {token}\n"));
    }
    let request = CommitRequest {
        parent: parent.clone(),
        changes,
        author: author.identity.clone(),
        committer: committer.clone(),
        message,
        time: now,
    };
    Ok(match writer.commit(&request)? {
        CommitOutcome::Unchanged => None,
        CommitOutcome::Committed {
            commit,
            local_edits,
        } => Some((commit, !local_edits.is_empty())),
    })
}

fn short(id: &ObjectId) -> &str {
    &id.as_str()[..7.min(id.as_str().len())]
}

/// The site's configuration, without built-in collections (`posts`,
/// `drafts`) whose folder is empty; cached for the branch tip it was read at.
fn load_config(cx: &Ctx<'_>) -> Result<Arc<SiteConfig>, SiteError> {
    load_config_at(cx, &cx.repo.tip()?)
}

/// The configuration as of commit `at` (cached for that commit); all it
/// reads is read in that one commit.
fn load_config_at(cx: &Ctx<'_>, at: &ObjectId) -> Result<Arc<SiteConfig>, SiteError> {
    if let Some(config) = cx.cache.config_at(at) {
        return Ok(config);
    }
    let file = cx
        .repo
        .read_file_at(Some(at), CONFIG_PATH)?
        .ok_or(SiteError::NoConfig)?;
    let mut config = SiteConfig::parse(&file.bytes)?;
    let mut keep = Vec::with_capacity(config.collections.len());
    for c in config.collections {
        // git keeps no empty folders: a folder that exists holds files.
        if c.kind == CollectionKind::Declared || tree_at(cx, at, &c.dir)?.is_some() {
            keep.push(c);
        }
    }
    config.collections = keep;
    let read = |path: &str| -> Result<Option<Vec<u8>>, SiteError> {
        Ok(cx.repo.read_file_at(Some(at), path)?.map(|f| f.bytes))
    };
    let cairn = read(content::model::CAIRN_FILE)?;
    let decap_file = content::Model::decap_file(cairn.as_deref());
    let decap = read(&decap_file)?;
    if cairn.is_some() || decap.is_some() {
        let dirs: Vec<(String, String)> = config
            .collections
            .iter()
            .map(|c| (c.dir.clone(), c.name.clone()))
            .collect();
        config.model = content::Model::read_from(
            cairn.as_deref(),
            decap.as_deref().map(|b| (decap_file.as_str(), b)),
            &dirs,
        );
        for n in &config.model.notices {
            tracing::warn!(file = %n.file, line = n.line, "{}", n.message);
        }
    }
    Ok(cx.cache.keep_config(at.clone(), config))
}

/// The tree id of folder `dir` in commit `at`, remembered for that commit.
fn tree_at(cx: &Ctx<'_>, at: &ObjectId, dir: &str) -> Result<Option<ObjectId>, SiteError> {
    Ok(cx
        .cache
        .dir_tree(at, dir, || cx.repo.dir_tree_id_at(Some(at), dir))?)
}

/// The files of folder `dir` at the branch tip, cached by the folder's
/// tree id (empty when there is no such folder).
fn listing(cx: &Ctx<'_>, dir: &str) -> Result<Arc<git::DirListing>, SiteError> {
    listing_at(cx, &cx.repo.tip()?, dir)
}

/// The files of folder `dir` in commit `at` (cached by the folder's tree
/// id, which is remembered for that commit).
fn listing_at(cx: &Ctx<'_>, at: &ObjectId, dir: &str) -> Result<Arc<git::DirListing>, SiteError> {
    match tree_at(cx, at, dir)? {
        None => Ok(Arc::new(git::DirListing::default())),
        Some(tree) => Ok(cx.cache.listing(&tree, || cx.repo.list_tree(&tree))?),
    }
}

/// The collection `name` as the site declares it.
fn collection_of(cx: &Ctx<'_>, name: &str) -> Result<Collection, SiteError> {
    collection_at(cx, &cx.repo.tip()?, name)
}

/// The collection `name` as the site declares it in commit `at`.
fn collection_at(cx: &Ctx<'_>, at: &ObjectId, name: &str) -> Result<Collection, SiteError> {
    load_config_at(cx, at)?
        .collection(name)
        .cloned()
        .ok_or_else(|| SiteError::UnknownCollection(name.to_string()))
}

/// The path of the document `slug` in a collection: the first, in the
/// folder's order, of the names it may have (`slug.html`, `slug.md`...),
/// looked up directly. Listing the folder to find it made every save and
/// read cost more as the collection grew.
fn document_path(cx: &Ctx<'_>, coll: &Collection, slug: &str) -> Result<String, SiteError> {
    let mut names: Vec<String> = crate::content::DOCUMENT_EXTENSIONS
        .iter()
        .map(|ext| format!("{slug}.{ext}"))
        .filter(|name| coll.slug_of(name) == Some(slug))
        .collect();
    names.sort();
    let found = match tree_at(cx, &cx.repo.tip()?, &coll.dir)? {
        Some(tree) => cx.repo.first_listed(&tree, &names)?,
        None => None,
    };
    found
        .map(|name| format!("{}/{name}", coll.dir))
        .ok_or_else(|| SiteError::NotFound(format!("{}/{slug}", coll.name)))
}

/// Every document file in `dir` with its parse (cached by blob id). Misses
/// are read through one repository handle and parsed on every core.
fn parsed_documents(
    cx: &Ctx<'_>,
    coll: &Collection,
) -> Result<Vec<(git::DirEntry, Arc<Parsed>)>, SiteError> {
    let entries: Vec<git::DirEntry> = listing(cx, &coll.dir)?
        .entries
        .iter()
        .filter(|e| coll.slug_of(&e.name).is_some())
        .cloned()
        .collect();
    let mut parsed: Vec<Option<Arc<Parsed>>> =
        entries.iter().map(|e| cx.cache.cached(&e.blob)).collect();
    let missing: Vec<usize> = (0..entries.len())
        .filter(|i| parsed[*i].is_none())
        .collect();
    if !missing.is_empty() {
        let ids: Vec<ObjectId> = missing.iter().map(|i| entries[*i].blob.clone()).collect();
        let blobs = cx.repo.read_blobs(&ids)?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = missing.len().div_ceil(threads).max(1);
        let fresh: Result<Vec<Vec<Arc<Parsed>>>, _> = std::thread::scope(|scope| {
            let workers: Vec<_> = ids
                .chunks(chunk)
                .zip(blobs.chunks(chunk))
                .map(|(ids, blobs)| {
                    scope.spawn(move || {
                        ids.iter()
                            .zip(blobs)
                            .map(|(id, bytes)| {
                                cx.cache
                                    .insert(id.clone(), bytes.as_deref().unwrap_or_default())
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join()).collect()
        });
        let fresh = fresh.map_err(|_| SiteError::Task("a parsing thread panicked".into()))?;
        for (i, p) in missing.into_iter().zip(fresh.into_iter().flatten()) {
            parsed[i] = Some(p);
        }
    }
    Ok(entries
        .into_iter()
        .zip(parsed)
        .filter_map(|(e, p)| Some((e, p?)))
        .collect())
}

/// The schema of a collection, cached by its folder's tree id.
/// A collection's documents sorted by title (without column values), with
/// each one's blob, kept per version of its folder.
fn sorted_summaries(
    cx: &Ctx<'_>,
    coll: &Collection,
) -> Result<Arc<Vec<(DocumentSummary, ObjectId)>>, SiteError> {
    let tree = tree_at(cx, &cx.repo.tip()?, &coll.dir)?;
    let build = || {
        let mut out = Vec::new();
        for (entry, parsed) in parsed_documents(cx, coll)? {
            let Some(slug) = coll.slug_of(&entry.name) else {
                continue;
            };
            let (title, problem) = match parsed.as_ref() {
                Ok(doc) => (doc.title(), doc.front_matter_error().map(|e| e.to_string())),
                Err(NotADocument::NoFrontMatter) => continue,
                Err(e) => (None, Some(e.to_string())),
            };
            let summary = DocumentSummary {
                slug: slug.to_string(),
                title: title.unwrap_or_else(|| slug.to_string()),
                path: format!("{}/{}", coll.dir, entry.name),
                problem,
                values: Vec::new(),
            };
            out.push((summary, entry.blob.clone()));
        }
        // Grouped by folder (the top level first), then by title.
        out.sort_by_cached_key(|(d, _)| {
            let folder = d
                .slug
                .rsplit_once('/')
                .map_or("", |(f, _)| f)
                .to_lowercase();
            (folder, d.title.to_lowercase())
        });
        Ok::<_, SiteError>(out)
    };
    match tree {
        Some(tree) => cx.cache.table(&tree, build),
        None => Ok(Arc::new(Vec::new())),
    }
}

/// [`Site::choices`], inside a blocking task.
fn choices_at(
    cx: &Ctx<'_>,
    rel: &crate::content::model::Relation,
) -> Result<Arc<crate::content::relation::Choices>, SiteError> {
    use crate::content::relation::Choices;
    let key = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        rel.collection,
        rel.value_field,
        rel.search_fields.join(","),
        rel.display_fields.join(",")
    );
    let tip = cx.repo.tip()?;
    if rel.collection.starts_with("_data/") {
        let Some(file) = cx.repo.read_file_at(Some(&tip), &rel.collection)? else {
            return Ok(Arc::new(Choices::default()));
        };
        return cx.cache.choices(&file.blob, &key, || {
            let text = String::from_utf8_lossy(&file.bytes);
            Ok::<_, SiteError>(Choices::of_data(rel, &text))
        });
    }
    let Ok(coll) = collection_of(cx, &rel.collection) else {
        return Ok(Arc::new(Choices::default()));
    };
    let Some(tree) = tree_at(cx, &tip, &coll.dir)? else {
        return Ok(Arc::new(Choices::default()));
    };
    cx.cache.choices(&tree, &key, || {
        let docs = parsed_documents(cx, &coll)?;
        let pairs: Vec<(String, &content::Document)> = docs
            .iter()
            .filter_map(|(entry, parsed)| {
                let slug = coll.slug_of(&entry.name)?;
                Some((slug.to_string(), parsed.as_ref().as_ref().ok()?))
            })
            .collect();
        Ok(Choices::of_documents(
            rel,
            pairs.iter().map(|(s, d)| (s.as_str(), *d)),
        ))
    })
}

fn collection_schema(cx: &Ctx<'_>, coll: &Collection) -> Result<Arc<Schema>, SiteError> {
    let Some(tree) = tree_at(cx, &cx.repo.tip()?, &coll.dir)? else {
        return Ok(Arc::new(Schema::default()));
    };
    cx.cache.schema(&tree, || {
        let docs = parsed_documents(cx, coll)?;
        Ok(Schema::infer(
            docs.iter().filter_map(|(_, p)| p.as_ref().as_ref().ok()),
        ))
    })
}

/// Opens the site at `path`, or creates the demo site there when `create_demo`.
pub fn open_or_create(
    path: &std::path::Path,
    create_demo: bool,
    now: i64,
) -> Result<Repo, SiteError> {
    if create_demo && !path.exists() {
        let identity = default_committer();
        git::Repo::create(path, demo::FILES, &identity, "Create the demo site", now)?;
        tracing::info!(path = %path.display(), "created the demo site");
    }
    let repo = Repo::open(path)?;
    if repo.read_file(CONFIG_PATH)?.is_none() {
        return Err(SiteError::NoConfig);
    }
    Ok(repo)
}

/// `Cairn <cairn@localhost>`: the committer unless configured otherwise.
pub fn default_committer() -> Identity {
    Identity {
        name: "Cairn".into(),
        email: "cairn@localhost".into(),
    }
}
