//! Entries as the JSON API reads them: a collection's documents with the
//! folder's tree id (the list's version), and a document at the tip or at
//! any commit. Writes go through the one edit pipeline (`edit`).

use super::cache::Parsed;
use super::{
    Site, SiteError, collection_at, collection_schema, listing_at, parsed_documents, tree_at,
};
use crate::content::{Collection, CollectionName, Schema, Slug};
use crate::git::ObjectId;
use std::sync::Arc;

/// The cache key of a collection's entries: its folder and its tree.
fn entries_key(coll: &Collection, tree: &ObjectId) -> ObjectId {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(format!("{}\0{tree}", coll.dir).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    ObjectId::parse(&hex).unwrap_or_else(|| tree.clone())
}

/// One document of a collection.
#[derive(Debug, Clone)]
pub struct Entry {
    pub slug: String,
    pub path: String,
    pub blob: ObjectId,
    pub content: Arc<Parsed>,
}

/// A collection's documents at the branch tip.
#[derive(Debug, Clone)]
pub struct EntryList {
    /// The collection folder's tree id: changes exactly when an entry does.
    pub tree: Option<ObjectId>,
    pub commit: ObjectId,
    /// Shared with the cache: built once per version of the folder.
    pub entries: Arc<Vec<Entry>>,
    pub schema: Arc<Schema>,
}

/// One document, at the tip or at a given commit.
#[derive(Debug, Clone)]
pub struct EntryAt {
    pub entry: Entry,
    /// The commit it was read at.
    pub commit: ObjectId,
}

impl Site {
    /// The documents of a collection at the tip, with the folder's version.
    pub async fn entries(&self, collection: &CollectionName) -> Result<EntryList, SiteError> {
        let name = collection.as_str().to_string();
        self.blocking(move |cx| {
            let commit = cx.repo.tip()?;
            let coll = collection_at(&cx, &commit, &name)?;
            let tree = tree_at(&cx, &commit, &coll.dir)?;
            let build = || -> Result<Vec<Entry>, SiteError> {
                Ok(parsed_documents(&cx, &coll)?
                    .into_iter()
                    .filter_map(|(e, content)| {
                        let slug = coll.slug_of(&e.name)?.to_string();
                        Some(Entry {
                            slug,
                            path: format!("{}/{}", coll.dir, e.name),
                            blob: e.blob,
                            content,
                        })
                    })
                    .collect())
            };
            // Keyed by folder and tree: two collections can hold the same tree.
            let entries = match &tree {
                Some(tree) => cx.cache.entries(&entries_key(&coll, tree), build)?,
                None => Arc::new(Vec::new()),
            };
            Ok(EntryList {
                tree,
                commit,
                entries,
                schema: collection_schema(&cx, &coll)?,
            })
        })
        .await
    }

    /// One document at the tip, or in commit `at`.
    pub async fn entry(
        &self,
        collection: &CollectionName,
        slug: &Slug,
        at: Option<ObjectId>,
    ) -> Result<EntryAt, SiteError> {
        let (name, slug) = (collection.as_str().to_string(), slug.as_str().to_string());
        self.blocking(move |cx| {
            // The collection as the site declares it now, read at `at`.
            let tip = cx.repo.tip()?;
            let coll = collection_at(&cx, &tip, &name)?;
            let not_found = || SiteError::NotFound(format!("{name}/{slug}"));
            let commit = at.unwrap_or(tip);
            // The folder's listing gives the blob: a document parsed before
            // is not even read again.
            let listing = listing_at(&cx, &commit, &coll.dir)?;
            let file = listing
                .entries
                .iter()
                .find(|e| coll.slug_of(&e.name) == Some(slug.as_str()))
                .ok_or_else(not_found)?;
            let content = cx.cache.document(&file.blob, || {
                cx.repo.read_blob(&file.blob)?.ok_or_else(not_found)
            })?;
            Ok(EntryAt {
                entry: Entry {
                    path: format!("{}/{}", coll.dir, file.name),
                    slug,
                    blob: file.blob.clone(),
                    content,
                },
                commit,
            })
        })
        .await
    }
}
