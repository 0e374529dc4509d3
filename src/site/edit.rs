//! The one edit pipeline both faces use. The admin's form and the API's
//! JSON each become an [`Edit`] at their boundary; [`Site::apply`] reads the
//! branch tip, applies the edit there (merged field by field with what
//! changed since the version the person read), and makes one commit
//! authored by them, with one message builder. Conflicts, invalid values,
//! stale versions and names already taken come back as the same errors to
//! both faces; a conflict names who made the other change, and when.

use super::{
    Author, Ctx, Site, SiteError, collection_of, collection_schema, commit_as, document_path,
    short, with_retries,
};
use crate::content::model::{CollectionModel, Kind};
use crate::content::yaml::PlainMeaning;
use crate::content::{
    Collection, CollectionName, Document, EditError, FieldValue, FieldView, NameRefusal, Schema,
    Slug, Widget,
};
use crate::git::{Change, ObjectId, Writer};
use std::sync::Arc;

/// One change to one document, as a person asked for it.
#[derive(Debug, Clone)]
pub struct Edit {
    pub collection: CollectionName,
    pub slug: Slug,
    /// The version the person read (a blob id). What someone else changed
    /// at the tip since is kept; a field both changed, differently, is a
    /// conflict and nothing is written. `None`: applied onto the tip as it is.
    pub base: Option<ObjectId>,
    /// The version the tip must still have (`If-Match`): any other is
    /// refused as stale, nothing merged.
    pub expected: Option<ObjectId>,
    pub action: Action,
    /// Files uploaded for this edit (pending uploads), each the new value of
    /// a field: committed in the same commit as the document.
    pub attach: Vec<Attach>,
}

/// A pending upload that becomes the value of `field` (its address on the
/// site), committed with the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attach {
    pub field: String,
    /// The pending upload's id ([`super::uploads::Pending::id`]).
    pub upload: String,
}

/// What an edit does.
#[derive(Debug, Clone)]
pub enum Action {
    /// A new document at `slug`; refused if the slug is taken.
    Create {
        fields: Vec<(String, Value)>,
        body: String,
    },
    Update(Update),
    Delete,
}

/// Changes to an existing document.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// Fields to set, in order.
    pub set: Vec<(String, Value)>,
    /// Fields to remove (their lines go).
    pub remove: Vec<String>,
    /// Every field `set` does not name is removed too (a replace).
    pub only_these: bool,
    /// The new body, with `\n` line breaks.
    pub body: Option<String>,
    /// A new slug: the file is renamed in the same commit.
    pub rename: Option<Slug>,
}

/// A field value as a face sends it.
#[derive(Debug, Clone)]
pub enum Value {
    /// As a form widget typed it. Forms lose the difference between a
    /// quoted and a plain scalar, so a value with the same text as the
    /// file's is the file's.
    Form(FieldValue),
    /// From JSON: typed like the field it replaces (or as the collection's
    /// schema says); a quoted "12" is not the number 12.
    Json(serde_json::Value),
    /// From a JSON Merge Patch (RFC 7396): an object merges into the
    /// field's current object, member by member; anything else is set.
    Patch(serde_json::Value),
}

/// What applying an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The document's slug afterwards (the new one after a rename).
    pub slug: String,
    pub path: String,
    /// The document's blob afterwards (`None` after a delete).
    pub blob: Option<ObjectId>,
    /// The branch tip afterwards.
    pub commit: ObjectId,
    /// Whether a commit was made (an edit that changes nothing makes none).
    pub committed: bool,
    /// The fields that changed, in the order applied (`body` for the body).
    pub changed: Vec<String>,
    /// The tip had changed since the version read; the edit was merged.
    pub merged: bool,
    /// The checkout's file had local edits and was left as it was.
    pub local_edits: bool,
}

/// An edit that could not be merged: nothing was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The fields both sides changed, differently.
    pub fields: Vec<FieldConflict>,
    /// Every field the person changed (`body` for the body), conflicting or
    /// not: what to show from their input when offering it again.
    pub edited: Vec<String>,
}

/// One field both the person and someone else changed, differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldConflict {
    pub field: String,
    pub yours: FieldValue,
    pub theirs: FieldValue,
    /// The newest commit that changed this field, from the history index.
    pub changed_by: Option<ChangedBy>,
}

/// Who made a change, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedBy {
    pub name: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
    pub commit: String,
}

/// Field values that cannot be written, each with why (put into the
/// reader's language where it is shown).
#[derive(Debug, Clone)]
pub struct InvalidFields(pub Vec<(String, crate::i18n::Message)>);

/// The subject (and body) of every commit Cairn makes for a person: one
/// builder, so the admin and the API describe the same change the same way.
#[derive(Debug, Clone)]
pub enum Message<'a> {
    Create {
        collection: &'a str,
        slug: &'a str,
    },
    Update {
        collection: &'a str,
        slug: &'a str,
        /// A rename's new slug.
        renamed: Option<&'a str>,
        changed: &'a [String],
        /// The version the edit was made from, when it was merged.
        merged_since: Option<&'a ObjectId>,
    },
    Delete {
        collection: &'a str,
        slug: &'a str,
    },
    Restore {
        collection: &'a str,
        slug: &'a str,
        to: &'a ObjectId,
    },
    Revert {
        summary: &'a str,
        sha: &'a ObjectId,
    },
}

/// What a commit Cairn made did, read back from its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    Created,
    Updated,
    Renamed,
    Deleted,
    Restored,
    Reverted,
}

impl Message<'_> {
    /// What the commit whose summary [`Message::text`] wrote did (the
    /// inverse of its first words); `None` for a summary it did not write.
    pub fn made(summary: &str) -> Option<Made> {
        let first = summary.split_once(' ')?.0;
        Some(match first {
            "Create" => Made::Created,
            "Update" => Made::Updated,
            "Rename" => Made::Renamed,
            "Delete" => Made::Deleted,
            "Restore" => Made::Restored,
            "Revert" => Made::Reverted,
            _ => return None,
        })
    }

    pub fn text(&self) -> String {
        match self {
            Message::Create { collection, slug } => format!("Create {collection}/{slug}"),
            Message::Delete { collection, slug } => format!("Delete {collection}/{slug}"),
            Message::Update {
                collection,
                slug,
                renamed,
                changed,
                merged_since,
            } => {
                let fields: Vec<&str> = changed
                    .iter()
                    .map(String::as_str)
                    .filter(|f| *f != "slug")
                    .collect();
                let mut text = match renamed {
                    Some(to) => format!("Rename {collection}/{slug} to {collection}/{to}"),
                    None => format!("Update {collection}/{slug}"),
                };
                if !fields.is_empty() {
                    text.push_str(": ");
                    text.push_str(&fields.join(", "));
                }
                if let Some(base) = merged_since {
                    text.push_str(&format!(
                        "\n\nMerged field by field with changes made since {}.",
                        short(base)
                    ));
                }
                text
            }
            Message::Restore {
                collection,
                slug,
                to,
            } => format!("Restore {collection}/{slug} to {}", short(to)),
            Message::Revert { summary, sha } => {
                format!("Revert \"{summary}\"\n\nThis reverts commit {sha}.")
            }
        }
    }
}

impl Site {
    /// Applies an edit as one commit authored by `author`. An edit that
    /// changes nothing makes no commit. On a conflict, each field says who
    /// made the other change and when.
    pub async fn apply(&self, edit: Edit, author: Author, now: i64) -> Result<Applied, SiteError> {
        let committer = self.committer.clone();
        let (collection, slug) = (edit.collection.clone(), edit.slug.clone());
        let uploads = self.uploads.clone();
        let attached: Vec<String> = edit.attach.iter().map(|a| a.upload.clone()).collect();
        let applied = self
            .blocking(move |cx| {
                let mut writer = cx.repo.write_lock()?;
                with_retries(|| {
                    apply_once(&cx, &mut writer, &edit, &uploads, &author, &committer, now)
                })
            })
            .await;
        match applied {
            Ok(applied) => {
                if applied.committed {
                    self.index_after_commit();
                    // Committed: the pending files are in the repository now.
                    let uploads = self.uploads.clone();
                    let _ = tokio::task::spawn_blocking(move || {
                        for id in attached {
                            uploads.remove(&id);
                        }
                    })
                    .await;
                }
                Ok(applied)
            }
            Err(SiteError::Conflict(mut conflict)) => {
                self.attribute(&collection, &slug, &mut conflict).await;
                Err(SiteError::Conflict(conflict))
            }
            Err(e) => Err(e),
        }
    }

    /// Names, for each conflicting field, the newest commit of the
    /// document's history that changed it. Best effort: the conflict stands
    /// without it.
    pub(super) async fn attribute(
        &self,
        collection: &CollectionName,
        slug: &Slug,
        conflict: &mut Conflict,
    ) {
        let page = match self.document_history(collection, slug, None).await {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "could not read who changed the document");
                return;
            }
        };
        for field in &mut conflict.fields {
            field.changed_by = page
                .entries
                .iter()
                .find(|e| e.files.iter().any(|f| f.fields.contains(&field.field)))
                .map(|e| ChangedBy {
                    name: e.author_name.clone(),
                    time: e.time,
                    commit: e.sha.clone(),
                });
        }
    }
}

/// A collection named in an address. A name that could never be one (a
/// `/`, `..`, a control character) is no collection: the same answer as an
/// unknown one, through both faces.
pub fn collection_name(name: &str) -> Result<CollectionName, SiteError> {
    CollectionName::parse(name).map_err(|_| SiteError::UnknownCollection(name.to_string()))
}

/// A document named in an address (see [`collection_name`]).
pub fn document_name(collection: &str, slug: &str) -> Result<(CollectionName, Slug), SiteError> {
    let name = collection_name(collection)?;
    let slug =
        Slug::parse(slug).map_err(|_| SiteError::NotFound(format!("{collection}/{slug}")))?;
    Ok((name, slug))
}

/// The slug a person gives a new or renamed document, checked: a name that
/// is not safe path segments, or too long for a file's name, is an invalid
/// value of the `slug` field.
pub fn new_slug(slug: &str) -> Result<Slug, SiteError> {
    Slug::parse_new(slug).map_err(|refusal| {
        let key = match refusal {
            NameRefusal::Unsafe => "new-bad-slug",
            NameRefusal::TooLong => "new-long-slug",
        };
        SiteError::InvalidFields(InvalidFields(vec![(
            "slug".into(),
            crate::i18n::Message::key(key),
        )]))
    })
}

/// A slug made from a title: accents folded, lower case, letters and
/// digits, dashes between words, at most 80 characters.
pub fn slug_from_title(title: &str) -> String {
    // Accents folded: "École" is "ecole", as people type addresses.
    crate::content::dashed(&crate::content::fold(title), char::is_alphanumeric)
        .chars()
        .take(80)
        .collect()
}

/// The slug of a new document titled `title`, made at `now` (seconds):
/// by the collection's `slug` template when it has one (`{{slug}}`,
/// `{{year}}`, `{{month}}`, `{{day}}`, `{{hour}}`, `{{minute}}`,
/// `{{second}}`, `{{title}}`; each value made address-safe), else from the
/// title. A post starts with its date, as Jekyll names posts.
pub fn slug_for(
    model: Option<&CollectionModel>,
    kind: crate::content::CollectionKind,
    title: &str,
    now: i64,
) -> String {
    let at =
        time::OffsetDateTime::from_unix_timestamp(now).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let value = |name: &str| -> Option<String> {
        Some(match name {
            "slug" | "title" | "name" => slug_from_title(title),
            "year" => format!("{:04}", at.year()),
            "month" => format!("{:02}", u8::from(at.month())),
            "day" => format!("{:02}", at.day()),
            "hour" => format!("{:02}", at.hour()),
            "minute" => format!("{:02}", at.minute()),
            "second" => format!("{:02}", at.second()),
            _ => return None,
        })
    };
    let filled = match model.and_then(|m| m.slug.as_deref()) {
        Some(template) => crate::content::model::fill_template(template, &value),
        None => slug_from_title(title),
    };
    // Only letters, digits, `-` and `_` stay; no leading, trailing or double dash.
    let mut slug = crate::content::dashed(&filled, |c| c.is_alphanumeric() || c == '_');
    let dated = slug.len() >= 11
        && slug.is_char_boundary(11)
        && super::history::parse_day(&slug[..10]).is_some()
        && slug.as_bytes()[10] == b'-';
    if kind == crate::content::CollectionKind::Posts && !dated && !slug.is_empty() {
        slug = format!(
            "{:04}-{:02}-{:02}-{slug}",
            at.year(),
            u8::from(at.month()),
            at.day()
        );
    }
    slug
}

/// One attempt: read the tip, apply, commit with the tip as the expected
/// parent (the branch moving meanwhile starts it over).
fn apply_once(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    edit: &Edit,
    uploads: &super::uploads::Uploads,
    author: &Author,
    committer: &crate::git::Identity,
    now: i64,
) -> Result<Applied, SiteError> {
    let planned = match plan(cx, writer, edit, uploads, author)? {
        Step::Commit(planned) => planned,
        Step::Unchanged(applied) => return Ok(applied),
    };
    let Planned {
        parent,
        changes,
        path,
        slug: slug_after,
        blob,
        changed,
        merged_since,
        message,
    } = planned;
    match commit_as(writer, &parent, changes, message, author, committer, now)? {
        None => Ok(Applied {
            slug: slug_after,
            path,
            blob,
            commit: parent,
            committed: false,
            changed: Vec::new(),
            merged: false,
            local_edits: false,
        }),
        Some((commit, local_edits)) => {
            tracing::info!(%commit, %path, user = ?author.user_id, token = ?author.token_id, fields = ?changed, "saved");
            Ok(Applied {
                slug: slug_after,
                path,
                blob,
                commit,
                committed: true,
                changed,
                merged: merged_since.is_some(),
                local_edits,
            })
        }
    }
}

/// What an edit would write, as files: a preview builds the site with them.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The branch tip the edit was applied to.
    pub tip: ObjectId,
    /// The document's path afterwards.
    pub path: String,
    /// Each file the commit would write (`None`: removed).
    pub files: Vec<(String, Option<bytes::Bytes>)>,
}

impl Site {
    /// The files `edit` would commit, worked out by the same pipeline as
    /// [`Site::apply`], with nothing written.
    pub async fn plan(&self, edit: Edit, author: Author) -> Result<Draft, SiteError> {
        let uploads = self.uploads.clone();
        self.blocking(move |cx| {
            let mut writer = cx.repo.write_lock()?;
            Ok(match plan(&cx, &mut writer, &edit, &uploads, &author)? {
                Step::Commit(planned) => Draft {
                    tip: planned.parent,
                    path: planned.path,
                    files: planned
                        .changes
                        .into_iter()
                        .map(|c| (c.path, c.content))
                        .collect(),
                },
                Step::Unchanged(applied) => Draft {
                    tip: applied.commit,
                    path: applied.path,
                    files: Vec::new(),
                },
            })
        })
        .await
    }
}

/// An edit worked out on the tip: the commit to make, or nothing to change.
fn plan(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    edit: &Edit,
    uploads: &super::uploads::Uploads,
    author: &Author,
) -> Result<Step, SiteError> {
    let (name, slug) = (edit.collection.as_str(), edit.slug.as_str());
    let coll = collection_of(cx, name)?;
    let config = super::load_config(cx)?;
    // What the site's configuration says of this collection, read once.
    let model = config.model.collection(name);
    if let Some(model) = model {
        match &edit.action {
            Action::Create { .. } if !model.allows_create() => {
                return Err(SiteError::NotAllowed("create", name.to_string()));
            }
            Action::Delete if !model.allows_delete() => {
                return Err(SiteError::NotAllowed("delete", name.to_string()));
            }
            _ => {}
        }
    }
    // Each upload's place in the site, and its address as the field's value.
    let files = attachments(cx, writer, &coll, &config, edit, uploads, author)?;
    let values: Vec<(String, Value)> = files
        .iter()
        .map(|f| {
            (
                f.field.clone(),
                Value::Json(serde_json::Value::String(f.value.clone())),
            )
        })
        .collect();
    let mut planned = match &edit.action {
        Action::Create { fields, body } => {
            let mut fields = fields.clone();
            put_values(&mut fields, values);
            create(cx, writer, &coll, model, slug, &fields, body)?
        }
        Action::Update(update) => {
            let mut update = update.clone();
            put_values(&mut update.set, values);
            match update_document(cx, writer, &coll, model, edit, &update)? {
                Step::Commit(planned) => planned,
                unchanged @ Step::Unchanged(_) => return Ok(unchanged),
            }
        }
        Action::Delete => {
            let (path, tip) = current(cx, writer, &coll, slug)?;
            if edit.expected.as_ref().is_some_and(|e| *e != tip.blob)
                || edit.base.as_ref().is_some_and(|b| *b != tip.blob)
            {
                return Err(SiteError::Stale(tip.blob));
            }
            Planned {
                parent: tip.commit,
                changes: vec![Change {
                    path: path.clone(),
                    content: None,
                }],
                path,
                slug: slug.to_string(),
                blob: None,
                changed: Vec::new(),
                merged_since: None,
                message: Message::Delete {
                    collection: name,
                    slug,
                }
                .text(),
            }
        }
    };
    if !files.is_empty() {
        let added: Vec<String> = files.iter().map(|f| format!("Add {}", f.path)).collect();
        planned.message = format!("{}\n\n{}", planned.message, added.join("\n"));
    }
    for f in files {
        planned.changes.push(Change {
            path: f.path,
            content: Some(f.bytes),
        });
    }
    Ok(Step::Commit(planned))
}

/// Sets each of `values` in `set`: in the place of the field's value when
/// `set` has one (the order fields are said in), else after.
fn put_values(set: &mut Vec<(String, Value)>, values: Vec<(String, Value)>) {
    for (key, value) in values {
        match set.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => set.push((key, value)),
        }
    }
}

/// A pending upload placed in the site.
struct Placed {
    field: String,
    /// Its path in the site.
    path: String,
    /// What the field says: the address the site serves it at.
    value: String,
    bytes: bytes::Bytes,
}

/// Where each of `edit`'s uploads goes: the field's folder (configured, or
/// the one the collection's values are in), else the collection's or the
/// site's `media_folder`, else `assets/images` (`assets/files` for other
/// files); its clean name, with a suffix when the name is taken. Refused:
/// an upload that is gone (older than a day) or that someone else sent.
fn attachments(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    coll: &Collection,
    config: &crate::content::SiteConfig,
    edit: &Edit,
    uploads: &super::uploads::Uploads,
    author: &Author,
) -> Result<Vec<Placed>, SiteError> {
    use crate::content::media::{self, MediaKind};
    if edit.attach.is_empty() {
        return Ok(Vec::new());
    }
    let model = config.model.collection(coll.name.as_str());
    let schema = collection_schema(cx, coll)?;
    let keys: Vec<&str> = edit.attach.iter().map(|a| a.field.as_str()).collect();
    let fields = media::media_fields(model, &schema, &keys);
    let folders = media::media_folders(&config.model);
    let mut out: Vec<Placed> = Vec::new();
    for a in &edit.attach {
        let gone = || {
            SiteError::InvalidFields(InvalidFields(vec![(
                a.field.clone(),
                crate::i18n::Message::key("media-upload-gone"),
            )]))
        };
        let pending = uploads
            .find(&a.upload, author.user_id, author.token_id)
            .ok_or_else(gone)?;
        let field = fields.iter().find(|f| f.key == a.field);
        let image = pending
            .kind()
            .is_some_and(|k| k.raster || k.extension == "svg");
        // The folder as the collection writes it (`/assets/images/projects`).
        let written = field
            .and_then(|f| f.folder.clone())
            .or_else(|| model.and_then(|m| m.media_folder.clone()))
            .or_else(|| config.model.media_folder.clone());
        let slash = written.as_deref().is_none_or(|w| w.starts_with('/'));
        let folder = written
            .as_deref()
            .map(|w| super::media::site_path(&config.model, w))
            .filter(|f| media::is_media_path(&format!("{f}/x"), &folders))
            .unwrap_or_else(|| {
                let base = folders.first().map_or("assets", String::as_str);
                let sub = if image || field.is_some_and(|f| f.kind == MediaKind::Image) {
                    "images"
                } else {
                    "files"
                };
                if base == "assets" {
                    format!("assets/{sub}")
                } else {
                    base.to_string()
                }
            });
        let taken: Vec<&str> = out.iter().map(|p| p.path.as_str()).collect();
        let path = super::media::free_media_path(writer, &folder, &pending.name, &taken)?;
        let public = super::media::public_path(&config.model, &path);
        let value = if slash {
            public
        } else {
            public.trim_start_matches('/').to_string()
        };
        let bytes = uploads.bytes(&pending).map_err(|_| gone())?;
        out.push(Placed {
            field: a.field.clone(),
            path,
            value,
            bytes,
        });
    }
    Ok(out)
}

/// A commit worked out, not made yet.
struct Planned {
    parent: ObjectId,
    changes: Vec<Change>,
    path: String,
    slug: String,
    blob: Option<ObjectId>,
    changed: Vec<String>,
    merged_since: Option<ObjectId>,
    message: String,
}

/// What an update comes to: a commit to make, or nothing to change.
enum Step {
    Commit(Planned),
    Unchanged(Applied),
}

/// The answer to an edit that changes nothing: the document as it is.
fn unchanged(slug: &str, path: String, tip: crate::git::FileAtTip) -> Step {
    Step::Unchanged(Applied {
        slug: slug.to_string(),
        path,
        blob: Some(tip.blob),
        commit: tip.commit,
        committed: false,
        changed: Vec::new(),
        merged: false,
        local_edits: false,
    })
}

/// The document's path and its file at the tip.
fn current(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    coll: &Collection,
    slug: &str,
) -> Result<(String, crate::git::FileAtTip), SiteError> {
    let path = document_path(cx, coll, slug)?;
    let tip = writer
        .read_file(&path)?
        .ok_or_else(|| SiteError::NotFound(format!("{}/{slug}", coll.name)))?;
    Ok((path, tip))
}

/// The file name a new document gets: `{slug}.{ext}`, if the collection
/// reads that name back as the same slug (posts need their date prefix).
fn file_name(coll: &Collection, slug: &str, ext: &str) -> Result<String, SiteError> {
    let name = format!("{slug}.{ext}");
    if coll.slug_of(&name) == Some(slug) {
        Ok(name)
    } else {
        Err(SiteError::InvalidFields(InvalidFields(vec![(
            "slug".into(),
            format!(
                "`{slug}` is not a file name this collection reads (posts start with a date: 2026-11-25-title)"
            )
            .into(),
        )])))
    }
}

/// A slug that no document of the collection has, and whose file does not
/// exist: the path the new document gets.
fn free_path(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    coll: &Collection,
    slug: &str,
    ext: &str,
) -> Result<String, SiteError> {
    if document_path(cx, coll, slug).is_ok() {
        return Err(SiteError::Exists(format!("{}/{slug}", coll.name)));
    }
    let path = format!("{}/{}", coll.dir, file_name(coll, slug, ext)?);
    if writer.read_file(&path)?.is_some() {
        return Err(SiteError::Exists(format!("{}/{slug}", coll.name)));
    }
    Ok(path)
}

fn create(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    coll: &Collection,
    model: Option<&CollectionModel>,
    slug: &str,
    fields: &[(String, Value)],
    body: &str,
) -> Result<Planned, SiteError> {
    let path = free_path(cx, writer, coll, slug, "md")?;
    let schema = collection_schema(cx, coll)?;
    let empty = Document::parse(format!("---\n---\n{body}").as_bytes())?;
    // The configured defaults of fields the edit does not set.
    let defaults: Vec<(String, Value)> = model
        .map(|m| {
            m.fields
                .iter()
                .filter(|f| f.name != "body" && !fields.iter().any(|(k, _)| *k == f.name))
                .filter_map(|f| {
                    let value = f.default.as_ref()?;
                    let typed = match f.kind {
                        Some(Kind::Number) => FieldValue::typed(value, PlainMeaning::Number),
                        Some(Kind::Boolean) => FieldValue::typed(value, PlainMeaning::Bool),
                        Some(Kind::Date) => FieldValue::typed(value, PlainMeaning::Date),
                        _ => FieldValue::text(value),
                    };
                    Some((f.name.clone(), Value::Form(typed)))
                })
                .collect()
        })
        .unwrap_or_default();
    let plan: Vec<Proposed> = fields
        .iter()
        .chain(&defaults)
        .map(|(key, value)| Proposed::set(key, value))
        .collect();
    let (text, changed) = match merge(None, &empty, &plan, None, &|| Ok(schema.clone()))? {
        Some(m) => (m.text, m.changed),
        None => (empty.as_str().to_string(), Vec::new()),
    };
    check_rules(cx, model, None, &text, &changed)?;
    let bytes = text.into_bytes();
    Ok(Planned {
        parent: cx.repo.tip()?,
        blob: Some(crate::git::blob_id(&bytes)?),
        changes: vec![Change {
            path: path.clone(),
            content: Some(bytes.into()),
        }],
        path,
        slug: slug.to_string(),
        changed,
        merged_since: None,
        message: Message::Create {
            collection: &coll.name,
            slug,
        }
        .text(),
    })
}

/// The site's rules (its content model) for the fields this edit changes,
/// checked on the document as it would be written. Fields the edit leaves
/// alone are not checked: a document already breaking a rule is never
/// refused for someone else's field.
fn check_rules(
    cx: &Ctx<'_>,
    model: Option<&CollectionModel>,
    before: Option<&Document>,
    text: &str,
    changed: &[String],
) -> Result<(), SiteError> {
    let doc = Document::parse(text.as_bytes())?;
    let mut invalid = missing_alt(model, &doc, changed);
    for key in changed.iter().filter(|k| *k != "body") {
        if invalid.iter().any(|(k, _)| k == key) {
            continue;
        }
        let Some(field) = model.and_then(|m| m.field(key)) else {
            continue;
        };
        if let Some(message) = broken_rule(field, &doc) {
            invalid.push((key.clone(), message));
        } else if let Some(message) = missing_target(cx, field, before, &doc)? {
            invalid.push((key.clone(), message));
        }
    }
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(SiteError::InvalidFields(InvalidFields(invalid)))
    }
}

/// An image the edit sets or keeps without alt text, when its alt text is
/// required: refused on the alt field, unless the alt text is marked
/// decorative (an explicitly empty `alt: ""`). Only when the edit changes
/// the image or its alt text.
fn missing_alt(
    model: Option<&CollectionModel>,
    doc: &Document,
    changed: &[String],
) -> Vec<(String, crate::i18n::Message)> {
    use crate::content::media::{self, MediaKind};
    if changed.iter().all(|c| c == "body") {
        return Vec::new();
    }
    // The document's own fields, not the collection's: inferring the
    // collection's schema again after every commit would make each save
    // cost as much as the collection is large.
    let schema = crate::content::Schema::infer(std::iter::once(doc));
    let mut keys: Vec<&str> = doc.keys().collect();
    if let Some(m) = model {
        keys.extend(m.fields.iter().map(|f| f.name.as_str()));
    }
    let mut seen = std::collections::HashSet::new();
    keys.retain(|k| seen.insert(*k));
    let mut out = Vec::new();
    for f in media::media_fields(model, &schema, &keys) {
        let Some(alt) = f.alt.as_deref() else {
            continue;
        };
        if f.kind != MediaKind::Image
            || !f.alt_required
            || !changed.iter().any(|c| *c == f.key || c == alt)
        {
            continue;
        }
        let has_image =
            matches!(doc.field(&f.key), Some(FieldView::Text(s)) if !s.trim().is_empty());
        let described = match doc.field(alt) {
            Some(FieldView::Text(s)) if !s.trim().is_empty() => true,
            // `alt: ""`, said on purpose: a decorative image.
            Some(FieldView::Text(_)) => {
                doc.scalar_meaning(alt) == Some(crate::content::yaml::PlainMeaning::String)
            }
            _ => false,
        };
        if has_image && !described {
            out.push((
                alt.to_string(),
                crate::i18n::Message::key("rule-alt-missing"),
            ));
        }
    }
    out
}

/// The rules of the site's model that `doc` breaks as it is, by field (a
/// document edited with git): shown beside the fields, never refused until
/// someone changes that field.
pub fn broken_rules(
    model: &CollectionModel,
    doc: &Document,
) -> Vec<(String, crate::i18n::Message)> {
    model
        .fields
        .iter()
        .filter(|f| f.name != "body" && f.kind != Some(Kind::Hidden))
        .filter_map(|f| Some((f.name.clone(), broken_rule(f, doc)?)))
        .collect()
}

/// A relation value the edit brings in whose entry does not exist, said as
/// a message. Values the document already had are kept even when their
/// entry is gone (they are flagged on the form, never dropped).
fn missing_target(
    cx: &Ctx<'_>,
    field: &crate::content::model::FieldModel,
    before: Option<&Document>,
    doc: &Document,
) -> Result<Option<crate::i18n::Message>, SiteError> {
    use crate::i18n::{Message as Say, ToArg};
    let Some(rel) = field.relation.as_ref().filter(|r| !r.collection.is_empty()) else {
        return Ok(None);
    };
    let values = |d: &Document| -> Vec<String> {
        match d.field(&field.name) {
            Some(FieldView::Text(s)) => vec![s],
            Some(FieldView::List(items)) => items,
            _ => Vec::new(),
        }
    };
    let had = before.map(values).unwrap_or_default();
    let new: Vec<String> = values(doc)
        .into_iter()
        .filter(|v| !had.contains(v))
        .collect();
    if new.is_empty() {
        return Ok(None);
    }
    let choices = super::choices_at(cx, rel)?;
    Ok(new
        .into_iter()
        .find(|v| choices.find(v).is_none())
        .map(|v| Say::Key("rule-relation", vec![("value", v.to_arg())])))
}

/// The first rule of `field` that `doc`'s value breaks, said as a message.
/// A list of objects is held to its counts (`required`, `min`, `max`).
fn broken_rule(
    field: &crate::content::model::FieldModel,
    doc: &Document,
) -> Option<crate::i18n::Message> {
    use crate::content::nested::Tree;
    use crate::i18n::{Message as Say, ToArg};
    if let Some(FieldView::ReadOnly(_)) = doc.field(&field.name)
        && let Some(Tree::List(items)) = doc.tree(&field.name)
    {
        let count = items.len() as f64;
        if count == 0.0 {
            return (field.required == Some(true)).then(|| Say::key("rule-required"));
        }
        if let Some(min) = field.min.filter(|m| count < *m) {
            return Some(Say::Key("rule-min-items", vec![("min", min.to_arg())]));
        }
        if let Some(max) = field.max.filter(|m| count > *m) {
            return Some(Say::Key("rule-max-items", vec![("max", max.to_arg())]));
        }
        return None;
    }
    broken_rule_of_view(field, doc.field(&field.name))
}

/// The first rule of `field` that `value` breaks, said as a message.
fn broken_rule_of_view(
    field: &crate::content::model::FieldModel,
    value: Option<crate::content::FieldView>,
) -> Option<crate::i18n::Message> {
    use crate::content::FieldView;
    use crate::i18n::{Message as Say, ToArg};
    let items: Vec<String> = match value {
        None | Some(FieldView::Empty) => Vec::new(),
        Some(FieldView::Text(s) | FieldView::MultiLine(s)) => {
            if s.trim().is_empty() {
                Vec::new()
            } else {
                vec![s]
            }
        }
        Some(FieldView::List(items)) => items,
        // A nested value is not checked by these rules.
        Some(FieldView::ReadOnly(_)) => return None,
    };
    if items.is_empty() {
        return (field.required == Some(true)).then(|| Say::key("rule-required"));
    }
    let list =
        field.kind == Some(Kind::List) || (field.kind == Some(Kind::Select) && field.multiple);
    if list {
        let count = items.len() as f64;
        if let Some(min) = field.min.filter(|m| count < *m) {
            return Some(Say::Key("rule-min-items", vec![("min", min.to_arg())]));
        }
        if let Some(max) = field.max.filter(|m| count > *m) {
            return Some(Say::Key("rule-max-items", vec![("max", max.to_arg())]));
        }
    }
    for item in &items {
        if let Some((regex, message)) = &field.pattern
            && regex::Regex::new(regex).is_ok_and(|r| !r.is_match(item))
        {
            return Some(if message.is_empty() {
                Say::Key("rule-pattern", vec![("value", item.to_arg())])
            } else {
                Say::PerLanguage(message.clone())
            });
        }
        if field.kind == Some(Kind::Select)
            && !field.options.is_empty()
            && !field.options.iter().any(|o| o.value == *item)
        {
            return Some(Say::Key("rule-option", vec![("value", item.to_arg())]));
        }
        if matches!(field.kind, Some(Kind::String | Kind::Text | Kind::Markdown)) {
            let n = item.chars().count() as f64;
            if let Some(min) = field.min.filter(|m| n < *m) {
                return Some(Say::Key("rule-min-length", vec![("min", min.to_arg())]));
            }
            if let Some(max) = field.max.filter(|m| n > *m) {
                return Some(Say::Key("rule-max-length", vec![("max", max.to_arg())]));
            }
        }
        if field.kind == Some(Kind::Date) && super::history::parse_day(item.trim()).is_none() {
            return Some(Say::Key("rule-date", vec![("value", item.to_arg())]));
        }
        if field.kind == Some(Kind::Number) {
            let Ok(n) = item.trim().parse::<f64>() else {
                return Some(Say::Key("rule-number", vec![("value", item.to_arg())]));
            };
            if field.integer && n.fract() != 0.0 {
                return Some(Say::Key("rule-integer", vec![("value", item.to_arg())]));
            }
            if let Some(min) = field.min.filter(|m| n < *m) {
                return Some(Say::Key("rule-min", vec![("min", min.to_arg())]));
            }
            if let Some(max) = field.max.filter(|m| n > *m) {
                return Some(Say::Key("rule-max", vec![("max", max.to_arg())]));
            }
        }
    }
    None
}

/// The commit an update makes, or the document as it is when it changes
/// nothing.
fn update_document(
    cx: &Ctx<'_>,
    writer: &mut Writer<'_>,
    coll: &Collection,
    model: Option<&CollectionModel>,
    edit: &Edit,
    update: &Update,
) -> Result<Step, SiteError> {
    let slug = edit.slug.as_str();
    let (path, tip) = current(cx, writer, coll, slug)?;
    if edit.expected.as_ref().is_some_and(|e| *e != tip.blob) {
        return Err(SiteError::Stale(tip.blob));
    }
    let tip_doc = Document::parse(&tip.bytes)?;
    let base_doc = match &edit.base {
        Some(base) if *base != tip.blob => {
            let bytes = cx.repo.read_blob(base)?.ok_or(SiteError::UnknownBase)?;
            Some(Document::parse(&bytes)?)
        }
        Some(_) => Some(tip_doc.clone()),
        None => None,
    };
    let merged_since = edit.base.clone().filter(|b| *b != tip.blob);
    let mut plan: Vec<Proposed> = update
        .set
        .iter()
        .map(|(key, value)| Proposed::set(key, value))
        .chain(update.remove.iter().map(|key| Proposed::remove(key)))
        .collect();
    if update.only_these {
        for key in tip_doc.keys() {
            if !update.set.iter().any(|(k, _)| k == key) && !update.remove.iter().any(|k| k == key)
            {
                plan.push(Proposed::remove(key));
            }
        }
    }
    // Only a field the file lacks needs the schema (to place it).
    let schema = || collection_schema(cx, coll);
    let merged = merge(
        base_doc.as_ref(),
        &tip_doc,
        &plan,
        update.body.as_ref(),
        &schema,
    )?;
    let renamed = update
        .rename
        .as_ref()
        .map(Slug::as_str)
        .filter(|s| *s != slug);
    let (text, mut changed) = match merged {
        Some(m) => (m.text, m.changed),
        None if renamed.is_some() => (tip_doc.as_str().to_string(), Vec::new()),
        None => return Ok(unchanged(slug, path, tip)),
    };
    if renamed.is_none() && text.as_bytes() == tip.bytes.as_slice() {
        return Ok(unchanged(slug, path, tip));
    }
    check_rules(cx, model, Some(&tip_doc), &text, &changed)?;
    let bytes = text.into_bytes();
    let blob = Some(crate::git::blob_id(&bytes)?);
    let (new_path, changes) = match renamed {
        None => (
            path.clone(),
            vec![Change {
                path: path.clone(),
                content: Some(bytes.into()),
            }],
        ),
        Some(to) => {
            let ext = path.rsplit_once('.').map_or("md", |(_, e)| e);
            let new_path = free_path(cx, writer, coll, to, ext)?;
            changed.push("slug".into());
            (
                new_path.clone(),
                vec![
                    Change {
                        path: path.clone(),
                        content: None,
                    },
                    Change {
                        path: new_path,
                        content: Some(bytes.into()),
                    },
                ],
            )
        }
    };
    let message = Message::Update {
        collection: &coll.name,
        slug,
        renamed,
        changed: &changed,
        merged_since: merged_since.as_ref(),
    }
    .text();
    Ok(Step::Commit(Planned {
        parent: tip.commit,
        changes,
        path: new_path,
        slug: renamed.unwrap_or(slug).to_string(),
        blob,
        changed,
        merged_since,
        message,
    }))
}

/// One field's proposed value: `None` removes the field.
#[derive(Debug, Clone)]
pub(super) struct Proposed {
    key: String,
    value: Option<Value>,
}

impl Proposed {
    fn set(key: &str, value: &Value) -> Proposed {
        Proposed {
            key: key.to_string(),
            value: Some(value.clone()),
        }
    }

    pub(super) fn form(key: &str, value: FieldValue) -> Proposed {
        Proposed {
            key: key.to_string(),
            value: Some(Value::Form(value)),
        }
    }

    fn remove(key: &str) -> Proposed {
        Proposed {
            key: key.to_string(),
            value: None,
        }
    }

    fn is_form(&self) -> bool {
        matches!(self.value, Some(Value::Form(_)))
    }
}

/// A merge's result: the new text and the fields it changed.
pub(super) struct Merged {
    pub text: String,
    pub changed: Vec<String>,
}

/// A typed value, or `None` for a removal.
type Typed = Option<FieldValue>;

/// Applies `plan` and `body` to `tip`. With `base` (the version the person
/// read), a field whose proposed value is what `base` had is no change of
/// theirs (what changed at the tip since is kept), and a field changed
/// since `base` and proposed otherwise is a conflict. `None` when nothing
/// changes. A file whose front matter cannot be read is never rewritten,
/// not even its body.
pub(super) fn merge(
    base: Option<&Document>,
    tip: &Document,
    plan: &[Proposed],
    body: Option<&String>,
    schema: &dyn Fn() -> Result<Arc<Schema>, SiteError>,
) -> Result<Option<Merged>, SiteError> {
    for doc in base.into_iter().chain([tip]) {
        if let Some(e) = doc.front_matter_error() {
            return Err(EditError::ReadOnly(e.clone()).into());
        }
    }
    let mut doc = tip.clone();
    let mut changed = Vec::new();
    let mut edited = Vec::new();
    let mut conflicts = Vec::new();
    let mut invalid = Vec::new();
    for proposed in plan {
        let key = proposed.key.as_str();
        let strict = !proposed.is_form();
        // A read-only field (nested values) is never part of a form's edit.
        if proposed.is_form()
            && !matches!(proposed.value, Some(Value::Form(FieldValue::Tree(_))))
            && base
                .unwrap_or(tip)
                .field(key)
                .is_some_and(|v| matches!(v, FieldView::ReadOnly(_)))
        {
            continue;
        }
        let value: Typed = match &proposed.value {
            None => None,
            Some(Value::Form(v)) => Some(v.clone()),
            Some(Value::Patch(patch)) => {
                let merged = match doc.json_field(key) {
                    Some(now @ serde_json::Value::Object(_)) if patch.is_object() => {
                        merge_patch(now, patch)
                    }
                    _ => patch.clone(),
                };
                match typed(&doc, schema, key, &merged) {
                    Ok(v) => Some(v),
                    Err(message) => {
                        invalid.push((key.to_string(), message.into()));
                        continue;
                    }
                }
            }
            Some(Value::Json(json)) => match typed(&doc, schema, key, json) {
                Ok(v) => Some(v),
                Err(message) => {
                    invalid.push((key.to_string(), message.into()));
                    continue;
                }
            },
        };
        if let Some(base) = base {
            if holds(base, key, &value, strict) {
                continue;
            }
            edited.push(key.to_string());
            if holds(tip, key, &value, strict) {
                continue;
            }
            if base.json_field(key) != tip.json_field(key) {
                conflicts.push(FieldConflict {
                    field: key.to_string(),
                    yours: value.unwrap_or(FieldValue::Null),
                    theirs: shown(tip, key),
                    changed_by: None,
                });
                continue;
            }
        } else if holds(&doc, key, &value, strict) {
            continue;
        }
        let text = match &value {
            None => doc.without_field(key),
            Some(v) if doc.field(key).is_some() => doc.with_field(key, v),
            Some(v) => doc.with_field_placed(key, v, &schema()?.keys_before(key)),
        };
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                invalid.push((key.to_string(), e.to_string().into()));
                continue;
            }
        };
        if text == doc.as_str() {
            continue;
        }
        doc = Document::parse(text.as_bytes())?;
        changed.push(key.to_string());
    }
    if let Some(body) = body {
        let before = base.map(Document::body_normalized);
        if before.as_ref() != Some(body) {
            edited.push("body".into());
            let now = tip.body_normalized();
            if before.as_ref().is_some_and(|b| now != *b) && now != *body {
                conflicts.push(FieldConflict {
                    field: "body".into(),
                    yours: FieldValue::text(body.clone()),
                    theirs: FieldValue::text(now),
                    changed_by: None,
                });
            } else if doc.body_normalized() != *body {
                doc = Document::parse(doc.with_body(body).as_bytes())?;
                changed.push("body".into());
            }
        }
    }
    if !invalid.is_empty() {
        return Err(SiteError::InvalidFields(InvalidFields(invalid)));
    }
    if !conflicts.is_empty() {
        return Err(SiteError::Conflict(Conflict {
            fields: conflicts,
            edited,
        }));
    }
    if changed.is_empty() {
        return Ok(None);
    }
    Ok(Some(Merged {
        text: doc.as_str().to_string(),
        changed,
    }))
}

/// RFC 7396: `patch`'s members replace `target`'s, a null member removes
/// one, and objects merge recursively.
fn merge_patch(mut target: serde_json::Value, patch: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    let Value::Object(members) = patch else {
        return patch.clone();
    };
    if !target.is_object() {
        target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = &mut target {
        for (k, v) in members {
            if v.is_null() {
                map.shift_remove(k);
            } else if let Some(now) = map.get_mut(k) {
                *now = merge_patch(now.take(), v);
            } else {
                map.insert(k.clone(), merge_patch(Value::Null, v));
            }
        }
    }
    target
}

/// Whether `doc` already holds `value` for `key` (`None`: the key is
/// absent). Strictly, of the same type too; loosely (a form's value), as
/// the editor sees it: no value and an empty one are the same.
fn holds(doc: &Document, key: &str, value: &Typed, strict: bool) -> bool {
    match value {
        None => doc.field(key).is_none(),
        Some(FieldValue::Tree(t)) if !strict => match doc.tree(key) {
            Some(now) => now.same_as(t),
            // Empty controls for a value the file does not have add nothing.
            None => t.is_blank() && matches!(doc.field(key), None | Some(FieldView::Empty)),
        },
        Some(v) if strict => same_value(doc, key, v),
        Some(v) => match doc.field(key) {
            None => v.same_as(&FieldValue::Null),
            Some(view) => view.value().is_some_and(|now| now.same_as(v)),
        },
    }
}

/// A field's value as a conflict shows it (a nested value as its source).
fn shown(doc: &Document, key: &str) -> FieldValue {
    match doc.field(key) {
        None => FieldValue::Null,
        Some(FieldView::ReadOnly(source)) => FieldValue::Text(source),
        Some(view) => view.value().unwrap_or(FieldValue::Null),
    }
}

/// The value to write for `key`, typed like the field it replaces (or like
/// the collection's schema says).
fn typed(
    doc: &Document,
    schema: &dyn Fn() -> Result<Arc<Schema>, SiteError>,
    key: &str,
    value: &serde_json::Value,
) -> Result<FieldValue, String> {
    let meaning = match doc.scalar_meaning(key) {
        Some(m) => Some(m),
        None => schema()
            .ok()
            .and_then(|s| s.field(key).and_then(|f| f.widget.meaning())),
    };
    let value = FieldValue::from_json(value, meaning)?;
    // A map or a list of maps where the field holds (or the collection
    // uses) one value is refused, not written over it.
    if matches!(value, FieldValue::Tree(_)) {
        let scalar_now = doc
            .scalar_meaning(key)
            .is_some_and(|m| m != PlainMeaning::Null);
        let scalar_schema = doc.field(key).is_none()
            && schema().ok().is_some_and(|s| {
                s.field(key)
                    .is_some_and(|f| !matches!(f.widget, Widget::List | Widget::ReadOnly))
            });
        if scalar_now || scalar_schema {
            return Err("expected a string, number, boolean, null or list of strings".to_string());
        }
    }
    Ok(value)
}

/// Whether `key` already holds `value`, of the same type (a quoted "12"
/// is not the number 12).
fn same_value(doc: &Document, key: &str, value: &FieldValue) -> bool {
    if let FieldValue::Tree(tree) = value {
        return doc.json_field(key) == Some(tree.to_json());
    }
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
        FieldValue::Null | FieldValue::List(_) | FieldValue::Tree(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(src: &str) -> Document {
        Document::parse(src.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn no_schema() -> Result<Arc<Schema>, SiteError> {
        Ok(Arc::new(Schema::default()))
    }

    fn json(key: &str, v: serde_json::Value) -> Proposed {
        Proposed::set(key, &Value::Json(v))
    }

    #[test]
    fn what_a_commit_did_is_read_back_from_its_summary() {
        let id = ObjectId::parse("0123456789012345678901234567890123456789").expect("id");
        let changed = ["mission".to_string()];
        for (message, made) in [
            (
                Message::Create {
                    collection: "p",
                    slug: "a",
                },
                Made::Created,
            ),
            (
                Message::Delete {
                    collection: "p",
                    slug: "a",
                },
                Made::Deleted,
            ),
            (
                Message::Update {
                    collection: "p",
                    slug: "a",
                    renamed: None,
                    changed: &changed,
                    merged_since: None,
                },
                Made::Updated,
            ),
            (
                Message::Update {
                    collection: "p",
                    slug: "a",
                    renamed: Some("b"),
                    changed: &changed,
                    merged_since: None,
                },
                Made::Renamed,
            ),
            (
                Message::Restore {
                    collection: "p",
                    slug: "a",
                    to: &id,
                },
                Made::Restored,
            ),
            (
                Message::Revert {
                    summary: "Update p/a",
                    sha: &id,
                },
                Made::Reverted,
            ),
        ] {
            assert_eq!(
                Message::made(message.text().lines().next().unwrap_or_default()),
                Some(made)
            );
        }
        assert_eq!(Message::made("Fix a typo"), None);
    }

    #[test]
    fn slugs_from_titles() {
        assert_eq!(
            slug_from_title("AI & Cities: a Study!"),
            "ai-cities-a-study"
        );
        assert_eq!(slug_from_title("  Été 2026 "), "ete-2026");
        assert_eq!(
            slug_from_title("École des données & IA"),
            "ecole-des-donnees-ia"
        );
        assert_eq!(slug_from_title("Çà et là, naïve Zoë"), "ca-et-la-naive-zoe");
        assert_eq!(slug_from_title("../etc"), "etc");
    }

    #[test]
    fn slugs_follow_the_collection_template_and_posts_their_date() {
        use crate::content::CollectionKind::{Declared, Posts};
        let model = |t: &str| CollectionModel {
            slug: Some(t.to_string()),
            ..CollectionModel::default()
        };
        // 2026-03-04 05:06:07 UTC.
        let now = 1_772_600_767;
        let title = "École des données & IA";
        assert_eq!(slug_for(None, Declared, title, now), "ecole-des-donnees-ia");
        assert_eq!(
            slug_for(
                Some(&model("{{year}}-{{month}}-{{day}}-{{slug}}")),
                Declared,
                title,
                now
            ),
            "2026-03-04-ecole-des-donnees-ia"
        );
        assert_eq!(
            slug_for(
                Some(&model("{{fields.title}}_{{hour}}{{minute}}")),
                Declared,
                "A b",
                now
            ),
            "a-b_0506"
        );
        assert_eq!(
            slug_for(Some(&model("../{{unknown}}/{{slug}}")), Declared, "X", now),
            "x"
        );
        assert_eq!(slug_for(None, Posts, "Hello", now), "2026-03-04-hello");
        assert_eq!(
            slug_for(
                Some(&model("{{year}}-{{month}}-{{day}}-{{slug}}")),
                Posts,
                "Hello",
                now
            ),
            "2026-03-04-hello"
        );
    }

    #[test]
    fn a_field_set_to_what_the_reader_saw_keeps_what_changed_since() {
        let base = doc("---\nname: A\nlead: Jo\n---\nBody\n");
        let tip = doc("---\nname: B\nlead: Jo\n---\nBody\n");
        // The form sends every field; only `lead` was changed by this person.
        let plan = [
            Proposed::form("name", FieldValue::text("A")),
            Proposed::form("lead", FieldValue::text("Al")),
        ];
        let merged = merge(Some(&base), &tip, &plan, None, &no_schema)
            .expect("merged")
            .expect("a change");
        assert_eq!(merged.text, "---\nname: B\nlead: Al\n---\nBody\n");
        assert_eq!(merged.changed, ["lead"]);
        // The same through JSON.
        let merged = merge(
            Some(&base),
            &tip,
            &[json("name", "A".into()), json("lead", "Al".into())],
            None,
            &no_schema,
        )
        .expect("merged")
        .expect("a change");
        assert_eq!(merged.text, "---\nname: B\nlead: Al\n---\nBody\n");
    }

    #[test]
    fn the_same_field_changed_both_ways_is_one_conflict_with_both_values() {
        let base = doc("---\nname: A\n---\nBody\n");
        let tip = doc("---\nname: B\n---\nTheir body\n");
        for plan in [
            vec![Proposed::form("name", FieldValue::text("C"))],
            vec![json("name", "C".into())],
        ] {
            let body = "My body\n".to_string();
            let Err(SiteError::Conflict(c)) =
                merge(Some(&base), &tip, &plan, Some(&body), &no_schema)
            else {
                panic!("a conflict")
            };
            assert_eq!(c.edited, ["name", "body"]);
            assert_eq!(c.fields[0].field, "name");
            assert_eq!(c.fields[0].yours, FieldValue::text("C"));
            assert_eq!(c.fields[0].theirs, FieldValue::text("B"));
            assert_eq!(c.fields[1].field, "body");
        }
        // Both sides making the same change is no conflict and no change.
        let plan = [json("name", "B".into())];
        assert!(
            merge(Some(&base), &tip, &plan, None, &no_schema)
                .expect("no conflict")
                .is_none()
        );
    }

    #[test]
    fn removals_and_invalid_values_are_reported_by_field() {
        // A value holding an anchor is never rewritten.
        let tip = doc("---\nname: &n A\ncount: 3\n---\n");
        let plan = [Proposed::remove("count"), json("name", "B".into())];
        let Err(SiteError::InvalidFields(InvalidFields(bad))) =
            merge(None, &tip, &plan, None, &no_schema)
        else {
            panic!("invalid")
        };
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, "name");
        let merged = merge(None, &tip, &[Proposed::remove("count")], None, &no_schema)
            .expect("merged")
            .expect("a change");
        assert_eq!(merged.text, "---\nname: &n A\n---\n");
    }

    #[test]
    fn a_quoted_number_is_not_the_number_through_json() {
        let tip = doc("---\ncount: 3\n---\n");
        let merged =
            merge(None, &tip, &[json("count", "3".into())], None, &no_schema).expect("merged");
        // A string "3" in a number field is written as the number: unchanged.
        assert!(merged.is_none());
        let merged = merge(None, &tip, &[json("count", 4.into())], None, &no_schema)
            .expect("merged")
            .expect("a change");
        assert_eq!(merged.text, "---\ncount: 4\n---\n");
    }

    #[test]
    fn commit_messages_say_what_changed() {
        let changed = ["mission".to_string(), "slug".to_string()];
        let base = ObjectId::parse("0123456789012345678901234567890123456789").expect("id");
        assert_eq!(
            Message::Update {
                collection: "projects",
                slug: "a",
                renamed: Some("b"),
                changed: &changed,
                merged_since: Some(&base),
            }
            .text(),
            "Rename projects/a to projects/b: mission\n\nMerged field by field with changes made since 0123456."
        );
        assert_eq!(
            Message::Update {
                collection: "projects",
                slug: "a",
                renamed: None,
                changed: &changed[..1],
                merged_since: None,
            }
            .text(),
            "Update projects/a: mission"
        );
    }
}
