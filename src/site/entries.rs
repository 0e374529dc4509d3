//! Entries as the JSON API sees them: a collection's documents with the
//! folder's tree id (the list's version), a document at the tip or at any
//! commit, and the API's writes (create, replace, patch, delete), each one
//! commit through the same store as the admin's saves.

use super::cache::Parsed;
use super::{
    Author, Ctx, Site, SiteError, collection_at, collection_of, collection_schema, commit_as,
    document_path, listing_at, parsed_documents, tree_at, with_retries,
};
use crate::content::yaml::PlainMeaning;
use crate::content::{Collection, CollectionName, Document, FieldValue, Schema, Slug};
use crate::git::{Change, ObjectId, Writer};
use std::sync::Arc;

/// A patch written against `before` while the file became `now`: a field
/// (or the body) someone else changed since is dropped from the patch when
/// the patch gives it the same value, and is a conflict when it gives it
/// another; nothing is written on a conflict.
fn merge_onto(
    before: &Document,
    now: &Document,
    fields: &mut JsonFields,
    body: &mut Option<String>,
) -> Result<(), SiteError> {
    use serde_json::Value;
    let value = |d: &Document, k: &str| d.json_field(k).unwrap_or(Value::Null);
    let mut conflicts = Vec::new();
    fields.retain(|(key, yours)| {
        let (was, theirs) = (value(before, key), value(now, key));
        if was == theirs {
            return true;
        }
        if theirs != *yours {
            conflicts.push((key.clone(), yours.clone(), theirs));
        }
        false
    });
    if let Some(yours) = body.as_ref() {
        let (was, theirs) = (before.body_normalized(), now.body_normalized());
        if was != theirs {
            if theirs != *yours {
                conflicts.push((
                    "body".into(),
                    Value::String(yours.clone()),
                    Value::String(theirs),
                ));
            }
            *body = None;
        }
    }
    if conflicts.is_empty() {
        Ok(())
    } else {
        Err(SiteError::FieldsChanged(conflicts))
    }
}

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

/// A value sent for a field, before it is typed against the document.
pub type JsonFields = Vec<(String, serde_json::Value)>;

/// An API write.
#[derive(Debug, Clone)]
pub enum EntryWrite {
    /// A new document; refused if the slug is taken.
    Create {
        collection: CollectionName,
        slug: Slug,
        fields: JsonFields,
        body: String,
    },
    /// Every field and the body replaced: keys not given are removed.
    Replace {
        collection: CollectionName,
        slug: Slug,
        expected: Option<ObjectId>,
        fields: JsonFields,
        body: Option<String>,
    },
    /// The given fields set (null: removed), the body if given; other
    /// fields, and changes others made to them, are kept.
    Patch {
        collection: CollectionName,
        slug: Slug,
        expected: Option<ObjectId>,
        /// The version the caller read (its `sha`), when it says: fields
        /// someone else changed since are a conflict if the patch changes
        /// them too, differently (as the admin merges).
        base: Option<ObjectId>,
        fields: JsonFields,
        body: Option<String>,
    },
    Delete {
        collection: CollectionName,
        slug: Slug,
        expected: Option<ObjectId>,
    },
}

/// What a write did.
#[derive(Debug, Clone)]
pub struct Written {
    pub slug: String,
    pub path: String,
    /// The document's blob after the write (`None` after a delete).
    pub blob: Option<ObjectId>,
    /// The branch tip after the write.
    pub commit: ObjectId,
    /// Whether a commit was made (an identical write makes none).
    pub committed: bool,
    /// The fields that changed (`body` for the body).
    pub changed: Vec<String>,
}

/// A field value that cannot be written, by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidFields(pub Vec<(String, String)>);

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

    /// Makes an API write as one commit authored by `author`.
    pub async fn write_entry(
        &self,
        write: EntryWrite,
        author: Author,
        now: i64,
    ) -> Result<Written, SiteError> {
        let committer = self.committer.clone();
        let written = self
            .blocking(move |cx| {
                let mut writer = cx.repo.write_lock()?;
                with_retries(|| write_once(&cx, &mut writer, &write, &author, &committer, now))
            })
            .await?;
        if written.committed {
            self.index_after_commit();
        }
        Ok(written)
    }
}

/// The value to write for `key`, typed like the field it replaces (or like
/// the collection's schema says).
fn typed(
    doc: &Document,
    schema: &Schema,
    key: &str,
    value: &serde_json::Value,
) -> Result<FieldValue, String> {
    let meaning = doc.scalar_meaning(key).or_else(|| {
        schema
            .fields
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.widget.meaning())
    });
    FieldValue::from_json(value, meaning)
}

/// Whether `key` already holds `value`, of the same type (a quoted "12"
/// is not the number 12).
fn same_value(doc: &Document, key: &str, value: &FieldValue) -> bool {
    let Some(now) = doc.field(key).and_then(|v| v.value()) else {
        return false;
    };
    if !now.same_as(value) {
        return false;
    }
    match value {
        FieldValue::Typed(_, meaning) => doc.scalar_meaning(key) == Some(*meaning),
        FieldValue::Text(_) => doc
            .scalar_meaning(key)
            .is_none_or(|m| m == PlainMeaning::String),
        FieldValue::Null | FieldValue::List(_) => true,
    }
}

/// `doc` with `fields` set (in order) through the content engine; a value
/// that cannot be written is reported against its field.
fn set_fields(
    mut doc: Document,
    schema: &Schema,
    fields: &JsonFields,
    changed: &mut Vec<String>,
) -> Result<Document, SiteError> {
    let mut invalid = Vec::new();
    for (key, json) in fields {
        let value = match typed(&doc, schema, key, json) {
            Ok(v) => v,
            Err(message) => {
                invalid.push((key.clone(), message));
                continue;
            }
        };
        if same_value(&doc, key, &value) {
            continue;
        }
        let text = match doc.with_field_placed(key, &value, &schema.keys_before(key)) {
            Ok(t) => t,
            Err(e) => {
                invalid.push((key.clone(), e.to_string()));
                continue;
            }
        };
        if text == doc.as_str() {
            continue;
        }
        doc = Document::parse(text.as_bytes())?;
        changed.push(key.clone());
    }
    if !invalid.is_empty() {
        return Err(SiteError::InvalidFields(InvalidFields(invalid)));
    }
    Ok(doc)
}

fn set_body(
    doc: Document,
    body: Option<&String>,
    changed: &mut Vec<String>,
) -> Result<Document, SiteError> {
    match body {
        Some(body) if *body != doc.body_normalized() => {
            changed.push("body".into());
            Ok(Document::parse(doc.with_body(body).as_bytes())?)
        }
        _ => Ok(doc),
    }
}

fn remove_field(
    doc: Document,
    key: &str,
    changed: &mut Vec<String>,
) -> Result<Document, SiteError> {
    if doc.field(key).is_none() {
        return Ok(doc);
    }
    let text = doc.without_field(key).map_err(|e| {
        SiteError::InvalidFields(InvalidFields(vec![(key.to_string(), e.to_string())]))
    })?;
    changed.push(key.to_string());
    Ok(Document::parse(text.as_bytes())?)
}

/// The file name a new document gets: `{slug}.md`, if the collection reads
/// that name back as the same slug (posts need their date prefix).
fn new_file_name(coll: &Collection, slug: &str) -> Result<String, SiteError> {
    let name = format!("{slug}.md");
    if coll.slug_of(&name) == Some(slug) {
        Ok(name)
    } else {
        Err(SiteError::InvalidFields(InvalidFields(vec![(
            "slug".into(),
            format!(
                "`{slug}` is not a file name this collection reads (posts start with a date: 2026-11-25-title)"
            ),
        )])))
    }
}

/// The document's path and its file at the tip, checked against the
/// version the caller expects (`If-Match`).
fn current(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    coll: &Collection,
    slug: &str,
    expected: Option<&ObjectId>,
) -> Result<(String, crate::git::FileAtTip), SiteError> {
    let path = document_path(cx, coll, slug)?;
    let tip = writer
        .read_file(&path)?
        .ok_or_else(|| SiteError::NotFound(format!("{}/{slug}", coll.name)))?;
    if expected.is_some_and(|e| *e != tip.blob) {
        return Err(SiteError::Stale(tip.blob));
    }
    Ok((path, tip))
}

fn write_once(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    write: &EntryWrite,
    author: &Author,
    committer: &crate::git::Identity,
    now: i64,
) -> Result<Written, SiteError> {
    let (collection, slug) = match write {
        EntryWrite::Create {
            collection, slug, ..
        }
        | EntryWrite::Replace {
            collection, slug, ..
        }
        | EntryWrite::Patch {
            collection, slug, ..
        }
        | EntryWrite::Delete {
            collection, slug, ..
        } => (collection.as_str(), slug.as_str()),
    };
    let coll = collection_of(cx, collection)?;
    let schema = collection_schema(cx, &coll)?;
    let tip_commit = cx.repo.tip()?;
    let mut changed = Vec::new();
    let (path, content, message) = match write {
        EntryWrite::Create { fields, body, .. } => {
            if document_path(cx, &coll, slug).is_ok() {
                return Err(SiteError::Exists(format!("{collection}/{slug}")));
            }
            let path = format!("{}/{}", coll.dir, new_file_name(&coll, slug)?);
            if writer.read_file(&path)?.is_some() {
                return Err(SiteError::Exists(format!("{collection}/{slug}")));
            }
            let empty = Document::parse(format!("---\n---\n{body}").as_bytes())?;
            let doc = set_fields(empty, &schema, fields, &mut changed)?;
            let text = doc.as_str().to_string();
            (path, Some(text), format!("Create {collection}/{slug}"))
        }
        EntryWrite::Replace {
            expected,
            fields,
            body,
            ..
        }
        | EntryWrite::Patch {
            expected,
            fields,
            body,
            ..
        } => {
            let (path, tip) = current(cx, writer, &coll, slug, expected.as_ref())?;
            let mut doc = Document::parse(&tip.bytes)?;
            if let Some(e) = doc.front_matter_error() {
                return Err(crate::content::EditError::ReadOnly(e.clone()).into());
            }
            let mut fields = fields.clone();
            let mut body = body.clone();
            let mut merged_since = None;
            if let EntryWrite::Patch {
                base: Some(base), ..
            } = write
                && *base != tip.blob
            {
                let bytes = cx.repo.read_blob(base)?.ok_or(SiteError::UnknownBase)?;
                let before = Document::parse(&bytes)?;
                merge_onto(&before, &doc, &mut fields, &mut body)?;
                merged_since = Some(base.clone());
            }
            let (fields, body) = (&fields, &body);
            if matches!(write, EntryWrite::Replace { .. }) {
                let keys: Vec<String> = doc.keys().map(String::from).collect();
                for key in keys.iter().filter(|k| !fields.iter().any(|(f, _)| f == *k)) {
                    doc = remove_field(doc, key, &mut changed)?;
                }
                doc = set_fields(doc, &schema, fields, &mut changed)?;
            } else {
                let (removed, set): (JsonFields, JsonFields) =
                    fields.iter().cloned().partition(|(_, v)| v.is_null());
                for (key, _) in &removed {
                    doc = remove_field(doc, key, &mut changed)?;
                }
                doc = set_fields(doc, &schema, &set, &mut changed)?;
            }
            doc = set_body(doc, body.as_ref(), &mut changed)?;
            if changed.is_empty() || doc.as_str().as_bytes() == tip.bytes.as_slice() {
                return Ok(Written {
                    slug: slug.to_string(),
                    path,
                    blob: Some(tip.blob),
                    commit: tip.commit,
                    committed: false,
                    changed: Vec::new(),
                });
            }
            let mut message = format!("Update {collection}/{slug}: {}", changed.join(", "));
            if let Some(base) = merged_since {
                message.push_str(&format!(
                    "\n\nMerged field by field with changes made since {}.",
                    &base.as_str()[..7]
                ));
            }
            (path, Some(doc.as_str().to_string()), message)
        }
        EntryWrite::Delete { expected, .. } => {
            let (path, _) = current(cx, writer, &coll, slug, expected.as_ref())?;
            (path, None, format!("Delete {collection}/{slug}"))
        }
    };
    let blob = content
        .as_deref()
        .map(|c| crate::git::blob_id(c.as_bytes()))
        .transpose()?;
    let changes = vec![Change {
        path: path.clone(),
        content: content.map(String::into_bytes),
    }];
    let parent = tip_commit;
    match commit_as(writer, &parent, changes, message, author, committer, now)? {
        None => Ok(Written {
            slug: slug.to_string(),
            path,
            blob,
            commit: parent,
            committed: false,
            changed: Vec::new(),
        }),
        Some((commit, _)) => {
            tracing::info!(%commit, %path, user = ?author.user_id, token = ?author.token_id, "written through the API");
            Ok(Written {
                slug: slug.to_string(),
                path,
                blob,
                commit,
                committed: true,
                changed,
            })
        }
    }
}
