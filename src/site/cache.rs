//! Parsed documents cached by git blob id, and collection schemas by the
//! collection folder's tree id. Both keys are content hashes, so an entry
//! can never be stale: a changed file has a new blob id.

use crate::content::{Document, NotADocument, Schema};
use crate::git::{DirListing, ObjectId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A file read as a document, or why it is not one.
pub type Parsed = Result<Document, NotADocument>;

/// At most this many parsed documents are kept; past it the cache starts over.
const MAX_DOCUMENTS: usize = 50_000;
const MAX_SCHEMAS: usize = 256;
const MAX_LISTINGS: usize = 256;

#[derive(Debug, Default)]
pub struct Cache {
    documents: Mutex<HashMap<ObjectId, Arc<Parsed>>>,
    schemas: Mutex<HashMap<ObjectId, Arc<Schema>>>,
    /// Folder listings by the folder's tree id.
    listings: Mutex<HashMap<ObjectId, Arc<DirListing>>>,
}

impl Cache {
    /// The parsed document with blob id `id`, parsing `bytes()` on a miss.
    pub fn document<E>(
        &self,
        id: &ObjectId,
        bytes: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Parsed>, E> {
        match self.cached(id) {
            Some(hit) => Ok(hit),
            None => Ok(self.insert(id.clone(), &bytes()?)),
        }
    }

    /// The cached parse of blob `id`, if there is one.
    pub fn cached(&self, id: &ObjectId) -> Option<Arc<Parsed>> {
        self.documents.lock().ok().and_then(|m| m.get(id).cloned())
    }

    /// Parses `bytes` (the blob `id`) and keeps the result.
    pub fn insert(&self, id: ObjectId, bytes: &[u8]) -> Arc<Parsed> {
        let parsed = Arc::new(Document::parse(bytes));
        if let Ok(mut map) = self.documents.lock() {
            if map.len() >= MAX_DOCUMENTS {
                map.clear();
            }
            map.insert(id, parsed.clone());
        }
        parsed
    }

    /// The listing of the folder whose tree id is `tree`.
    pub fn listing<E>(
        &self,
        tree: &ObjectId,
        list: impl FnOnce() -> Result<DirListing, E>,
    ) -> Result<Arc<DirListing>, E> {
        if let Some(hit) = self.listings.lock().ok().and_then(|m| m.get(tree).cloned()) {
            return Ok(hit);
        }
        let listing = Arc::new(list()?);
        if let Ok(mut map) = self.listings.lock() {
            if map.len() >= MAX_LISTINGS {
                map.clear();
            }
            map.insert(tree.clone(), listing.clone());
        }
        Ok(listing)
    }

    /// The schema of the collection whose folder has tree id `tree`.
    pub fn schema<E>(
        &self,
        tree: &ObjectId,
        infer: impl FnOnce() -> Result<Schema, E>,
    ) -> Result<Arc<Schema>, E> {
        if let Some(hit) = self.schemas.lock().ok().and_then(|m| m.get(tree).cloned()) {
            return Ok(hit);
        }
        let schema = Arc::new(infer()?);
        if let Ok(mut map) = self.schemas.lock() {
            if map.len() >= MAX_SCHEMAS {
                map.clear();
            }
            map.insert(tree.clone(), schema.clone());
        }
        Ok(schema)
    }
}
