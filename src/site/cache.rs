//! Parsed documents cached by git blob id; collection schemas and folder
//! listings by the folder's tree id. Every key is a content hash, so an
//! entry can never be stale: changed content has a new id.

use crate::content::relation::Choices;
use crate::content::{Document, NotADocument, Schema, SiteConfig};
use crate::git::{DirListing, ObjectId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A commit, and the tree id of each folder asked about in it.
type DirTrees = (Option<ObjectId>, HashMap<String, Option<ObjectId>>);

/// A file read as a document, or why it is not one.
pub type Parsed = Result<Document, NotADocument>;

/// Values keyed by a content hash, at most `capacity` of them: past it the
/// map starts over (entries are cheap to rebuild and never stale).
#[derive(Debug)]
struct Bounded<V> {
    map: Mutex<HashMap<ObjectId, Arc<V>>>,
    capacity: usize,
}

impl<V> Bounded<V> {
    fn new(capacity: usize) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    fn get(&self, key: &ObjectId) -> Option<Arc<V>> {
        self.map.lock().ok().and_then(|m| m.get(key).cloned())
    }

    fn insert(&self, key: ObjectId, value: V) -> Arc<V> {
        let value = Arc::new(value);
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= self.capacity {
                map.clear();
            }
            map.insert(key, value.clone());
        }
        value
    }

    fn get_or_try<E>(
        &self,
        key: &ObjectId,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        match self.get(key) {
            Some(hit) => Ok(hit),
            None => Ok(self.insert(key.clone(), make()?)),
        }
    }
}

#[derive(Debug)]
pub struct Cache {
    documents: Bounded<Parsed>,
    schemas: Bounded<Schema>,
    listings: Bounded<DirListing>,
    /// A collection's documents sorted by title, by the folder's tree id.
    tables: Bounded<Vec<(super::DocumentSummary, ObjectId)>>,
    /// A collection folder's documents for the API, by the folder's tree id.
    entries: Bounded<Vec<super::entries::Entry>>,
    /// The site's configuration and the commit it was read at.
    config: Mutex<Option<(ObjectId, Arc<SiteConfig>)>>,
    /// Folders' tree ids at one commit (the tip last asked about).
    dir_trees: Mutex<DirTrees>,
    /// A relation's entries, by its source's object id and the relation.
    choices: Mutex<HashMap<(ObjectId, String), Arc<Choices>>>,
    /// A media file's type and dimensions, by its blob id: read once.
    media_meta: Bounded<super::media::Meta>,
    /// Which documents name which media file, at one commit.
    media_usage: Mutex<Option<(ObjectId, Arc<super::media::Usage>)>>,
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            documents: Bounded::new(50_000),
            schemas: Bounded::new(256),
            listings: Bounded::new(256),
            entries: Bounded::new(16),
            tables: Bounded::new(16),
            config: Mutex::new(None),
            dir_trees: Mutex::new((None, HashMap::new())),
            choices: Mutex::new(HashMap::new()),
            media_usage: Mutex::new(None),
            media_meta: Bounded::new(20_000),
        }
    }
}

impl Cache {
    /// The configuration read at commit `tip`, if it is the one kept.
    pub fn config_at(&self, tip: &ObjectId) -> Option<Arc<SiteConfig>> {
        let guard = self.config.lock().ok()?;
        guard
            .as_ref()
            .filter(|(at, _)| at == tip)
            .map(|(_, c)| c.clone())
    }

    /// The tree id of folder `dir` in commit `at`, found with `find` once.
    pub fn dir_tree<E>(
        &self,
        at: &ObjectId,
        dir: &str,
        find: impl FnOnce() -> Result<Option<ObjectId>, E>,
    ) -> Result<Option<ObjectId>, E> {
        if let Ok(guard) = self.dir_trees.lock()
            && guard.0.as_ref() == Some(at)
            && let Some(tree) = guard.1.get(dir)
        {
            return Ok(tree.clone());
        }
        let tree = find()?;
        if let Ok(mut guard) = self.dir_trees.lock() {
            if guard.0.as_ref() != Some(at) {
                *guard = (Some(at.clone()), HashMap::new());
            }
            guard.1.insert(dir.to_string(), tree.clone());
        }
        Ok(tree)
    }

    /// Keeps the configuration read at commit `at`.
    pub fn keep_config(&self, at: ObjectId, config: SiteConfig) -> Arc<SiteConfig> {
        let config = Arc::new(config);
        if let Ok(mut guard) = self.config.lock() {
            *guard = Some((at, config.clone()));
        }
        config
    }

    /// The parsed document with blob id `id`, parsing `bytes()` on a miss.
    pub fn document<E>(
        &self,
        id: &ObjectId,
        bytes: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Parsed>, E> {
        self.documents
            .get_or_try(id, || Ok(Document::parse(&bytes()?)))
    }

    /// The cached parse of blob `id`, if there is one.
    pub fn cached(&self, id: &ObjectId) -> Option<Arc<Parsed>> {
        self.documents.get(id)
    }

    /// Parses `bytes` (the blob `id`) and keeps the result.
    pub fn insert(&self, id: ObjectId, bytes: &[u8]) -> Arc<Parsed> {
        self.documents.insert(id, Document::parse(bytes))
    }

    /// The listing of the folder whose tree id is `tree`.
    pub fn listing<E>(
        &self,
        tree: &ObjectId,
        list: impl FnOnce() -> Result<DirListing, E>,
    ) -> Result<Arc<DirListing>, E> {
        self.listings.get_or_try(tree, list)
    }

    /// The entries of the collection whose folder has tree id `tree`.
    pub fn entries<E>(
        &self,
        tree: &ObjectId,
        build: impl FnOnce() -> Result<Vec<super::entries::Entry>, E>,
    ) -> Result<Arc<Vec<super::entries::Entry>>, E> {
        self.entries.get_or_try(tree, build)
    }

    /// The schema of the collection whose folder has tree id `tree`.
    pub fn schema<E>(
        &self,
        tree: &ObjectId,
        infer: impl FnOnce() -> Result<Schema, E>,
    ) -> Result<Arc<Schema>, E> {
        self.schemas.get_or_try(tree, infer)
    }

    /// A relation's entries, built once per version of its source (`id`:
    /// the folder's tree or the data file's blob) and relation (`key`).
    pub fn choices<E>(
        &self,
        id: &ObjectId,
        key: &str,
        build: impl FnOnce() -> Result<Choices, E>,
    ) -> Result<Arc<Choices>, E> {
        let k = (id.clone(), key.to_string());
        if let Ok(guard) = self.choices.lock()
            && let Some(c) = guard.get(&k)
        {
            return Ok(c.clone());
        }
        let built = Arc::new(build()?);
        if let Ok(mut guard) = self.choices.lock() {
            // A few relations per site: a full map is stale versions.
            if guard.len() >= 64 {
                guard.clear();
            }
            guard.insert(k, built.clone());
        }
        Ok(built)
    }

    /// The sorted table of the collection whose folder has tree id `tree`.
    pub fn table<E>(
        &self,
        tree: &ObjectId,
        build: impl FnOnce() -> Result<Vec<(super::DocumentSummary, ObjectId)>, E>,
    ) -> Result<Arc<Vec<(super::DocumentSummary, ObjectId)>>, E> {
        self.tables.get_or_try(tree, build)
    }

    /// Which documents name which media file at commit `at`, found once.
    pub fn media_usage<E>(
        &self,
        at: &ObjectId,
        build: impl FnOnce() -> Result<super::media::Usage, E>,
    ) -> Result<Arc<super::media::Usage>, E> {
        if let Ok(guard) = self.media_usage.lock()
            && let Some((id, usage)) = guard.as_ref()
            && id == at
        {
            return Ok(usage.clone());
        }
        let built = Arc::new(build()?);
        if let Ok(mut guard) = self.media_usage.lock() {
            *guard = Some((at.clone(), built.clone()));
        }
        Ok(built)
    }

    /// The type and dimensions of the media blob `id`, read with `read` once.
    pub fn media_meta<E>(
        &self,
        id: &ObjectId,
        read: impl FnOnce() -> Result<super::media::Meta, E>,
    ) -> Result<Arc<super::media::Meta>, E> {
        self.media_meta.get_or_try(id, read)
    }
}
