//! Search over every collection: the index (`crate::search`, a cache in the
//! data folder) kept in step with the branch tip. The index says which
//! commit it stands for and which blob it holds for each document; catching
//! up indexes only the documents whose blob changed and removes the ones
//! gone, whoever made the commits (Cairn, a fetch, someone on the server).

use super::{Ctx, Site, SiteError, collection_of, listing_at, load_config_at, parsed_documents};
use crate::content::{Document, markdown};
use crate::search::{Found, IndexedDoc, SearchQuery};
use std::collections::HashSet;

impl Site {
    /// Brings the search index up to the branch tip (one indexer at a
    /// time; nothing to do when it is there already).
    pub async fn index_search(&self) -> Result<(), SiteError> {
        self.search_catch_up(false).await
    }

    /// Catches the search index up in the background (at start: a missing
    /// or stale index is rebuilt while the server already answers).
    pub fn index_search_in_background(&self) {
        let site = self.clone();
        self.spawn_after_commit(async move {
            if let Err(e) = site.index_search().await {
                tracing::error!(error = %e, "could not update the search index");
            }
        });
    }

    /// Empties the search index and builds it again from the tip.
    pub async fn rebuild_search(&self) -> Result<usize, SiteError> {
        self.search_catch_up(true).await?;
        let search = self.search.clone();
        self.blocking(move |_| Ok(search.len()?)).await
    }

    async fn search_catch_up(&self, everything: bool) -> Result<(), SiteError> {
        let _one_at_a_time = self.search_indexing.lock().await;
        let search = self.search.clone();
        self.blocking(move |cx| {
            let tip = cx.repo.tip()?;
            if !everything && search.stands_for(tip.as_str()) {
                return Ok(());
            }
            let holding = search.holding();
            let (upserts, deletes) = changes(&cx, &tip, &holding, everything)?;
            if upserts.is_empty() && deletes.is_empty() && !everything {
                search.advance(tip.as_str());
                return Ok(());
            }
            let (added, removed) = (upserts.len(), deletes.len());
            search.update(tip.as_str(), upserts, deletes, everything)?;
            tracing::debug!(added, removed, "search index caught up");
            Ok(())
        })
        .await
    }

    /// The documents matching `query`, best first (the index caught up first,
    /// so a search right after a save finds what was saved). A collection
    /// the site does not have is [`SiteError::UnknownCollection`].
    pub async fn search(&self, query: SearchQuery) -> Result<Found, SiteError> {
        self.index_search().await?;
        let search = self.search.clone();
        self.blocking(move |cx| {
            if let Some(name) = &query.collection {
                collection_of(&cx, name)?;
            }
            Ok(search.search(&query)?)
        })
        .await
    }
}

impl From<crate::search::SearchError> for SiteError {
    fn from(e: crate::search::SearchError) -> Self {
        SiteError::Index(e.to_string())
    }
}

/// What the index lacks at `tip`: documents to (re)index and paths to remove.
fn changes(
    cx: &Ctx<'_>,
    tip: &crate::git::ObjectId,
    holding: &crate::search::Holding,
    everything: bool,
) -> Result<(Vec<IndexedDoc>, Vec<String>), SiteError> {
    let config = load_config_at(cx, tip)?;
    let mut seen = HashSet::new();
    let mut upserts = Vec::new();
    for coll in &config.collections {
        // The documents whose blob (or collection) the index does not hold.
        let mut stale = HashSet::new();
        for e in listing_at(cx, tip, &coll.dir)?.entries.iter() {
            if coll.slug_of(&e.name).is_none() {
                continue;
            }
            let path = format!("{}/{}", coll.dir, e.name);
            let held = holding.documents.get(&path);
            if everything || held.is_none_or(|(b, c)| b != e.blob.as_str() || *c != coll.name) {
                stale.insert(e.name.clone());
            }
            seen.insert(path);
        }
        if stale.is_empty() {
            continue;
        }
        // The collection's parses are cached by blob: only new ones are parsed.
        for (entry, parsed) in parsed_documents(cx, coll)? {
            if !stale.contains(&entry.name) {
                continue;
            }
            let (Ok(doc), Some(slug)) = (parsed.as_ref(), coll.slug_of(&entry.name)) else {
                continue;
            };
            upserts.push(indexed(
                format!("{}/{}", coll.dir, entry.name),
                &coll.name,
                slug,
                entry.blob.as_str(),
                doc,
            ));
        }
    }
    let deletes = holding
        .documents
        .keys()
        .filter(|p| !seen.contains(*p))
        .cloned()
        .collect();
    Ok((upserts, deletes))
}

/// A document as the index takes it: every string of each field, the body
/// without its Markdown marks.
fn indexed(path: String, collection: &str, slug: &str, blob: &str, doc: &Document) -> IndexedDoc {
    let fields = doc
        .json_fields()
        .into_iter()
        .filter_map(|(key, value)| {
            let mut text = String::new();
            strings(&value, &mut text);
            (!text.is_empty()).then_some((key, text))
        })
        .collect();
    IndexedDoc {
        title: doc.title().unwrap_or_else(|| slug.to_string()),
        path,
        collection: collection.to_string(),
        slug: slug.to_string(),
        blob: blob.to_string(),
        fields,
        body: markdown::plain_text(doc.body()),
    }
}

/// Every string in `value`, joined with " · ".
fn strings(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => {
            if !out.is_empty() {
                out.push_str(" · ");
            }
            out.push_str(s.trim());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        serde_json::Value::Number(n) => {
            if !out.is_empty() {
                out.push_str(" · ");
            }
            out.push_str(&n.to_string());
        }
        _ => {}
    }
}
