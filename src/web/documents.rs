//! `/collections/{collection}/{slug}`: the edit form. GET shows it, POST
//! saves it as one commit authored by the signed-in user.
//!
//! Form fields: `f.<key>` holds a field's value, `k.<key>` says how the form
//! showed it (`list`: one item per line; otherwise text), `body` the body,
//! `base` the blob id the form was made from.

use super::layout::{Layout, render};
use crate::content::{
    CollectionName, Document, FieldValue, FieldView, Schema, Slug, Widget, label_of,
};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::site::{Conflict, DocumentEdit, LoadedDocument, ObjectId, SaveOutcome, SiteError};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

/// One form control.
#[derive(Debug, Clone)]
struct FormField {
    key: String,
    label: String,
    /// A [`Widget`] name: `text`, `multiline`, `list`, `date`, `number`,
    /// `boolean` or `readonly`.
    widget: &'static str,
    value: String,
    rows: usize,
    /// The choices of a `boolean` select.
    options: Vec<String>,
}

/// A conflict as the page shows it.
#[derive(Debug, Clone)]
struct ConflictView {
    label: String,
    yours: String,
    theirs: String,
}

#[derive(Template)]
#[template(path = "document.html")]
struct DocumentPage {
    ctx: Layout,
    collection: String,
    slug: String,
    title: String,
    path: String,
    base: String,
    can_edit: bool,
    /// Why the document cannot be edited through the form.
    problem: Option<String>,
    /// The file's text, shown when it cannot be edited.
    source: String,
    fields: Vec<FormField>,
    body: String,
    conflicts: Vec<ConflictView>,
}

fn parse_names(collection: &str, slug: &str) -> Result<(CollectionName, Slug), AppError> {
    let not_found = || AppError::NotFound(format!("There is no page `{collection}/{slug}`."));
    Ok((
        CollectionName::parse(collection).map_err(|_| not_found())?,
        Slug::parse(slug).map_err(|_| not_found())?,
    ))
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (name, slug) = parse_names(&collection, &slug)?;
    let loaded = state.site.document(&name, &slug).await?;
    let page = page_for(&current, Layout::signed_in(&current).await?, &loaded, None);
    Ok(render(&page)?.into_response())
}

/// The page for a loaded document. After a conflict, the fields the editor
/// changed show the editor's values; every other field shows the file's.
fn page_for(
    current: &CurrentUser,
    ctx: Layout,
    loaded: &LoadedDocument,
    conflict: Option<(&Conflict, &Submitted)>,
) -> DocumentPage {
    let mut page = DocumentPage {
        ctx,
        collection: loaded.collection.clone(),
        slug: loaded.slug.clone(),
        title: loaded.slug.clone(),
        path: loaded.path.clone(),
        base: loaded.blob.to_string(),
        can_edit: current.user.role.can_edit(),
        problem: None,
        source: String::new(),
        fields: Vec::new(),
        body: String::new(),
        conflicts: conflict
            .map(|(c, _)| c.fields.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|c| ConflictView {
                label: label_of(&c.field),
                yours: display(&c.yours),
                theirs: display(&c.theirs),
            })
            .collect(),
    };
    match loaded.content.as_ref() {
        Err(e) => page.problem = Some(format!("This file cannot be edited here: {e}.")),
        Ok(doc) => fill_from(&mut page, doc, &loaded.schema, conflict),
    }
    page
}

fn fill_from(
    page: &mut DocumentPage,
    doc: &Document,
    schema: &Schema,
    conflict: Option<(&Conflict, &Submitted)>,
) {
    let edited = |key: &str| conflict.is_some_and(|(c, _)| c.edited.iter().any(|e| e == key));
    let submitted = conflict.map(|(_, s)| s);
    if let Some(title) = doc.title() {
        page.title = title;
    }
    if let Some(err) = doc.front_matter_error() {
        page.problem = Some(match err.line {
            Some(line) => format!(
                "The front matter of this file cannot be read (line {line}: {}). It is shown as it is and cannot be edited here; fix it in the repository.",
                err.message
            ),
            None => format!(
                "The front matter of this file cannot be read ({}). It is shown as it is and cannot be edited here.",
                err.message
            ),
        });
        page.source = doc.as_str().to_string();
        return;
    }
    page.body = match submitted.and_then(|s| s.body.clone()) {
        Some(body) if edited("body") => body,
        _ => doc.body_normalized(),
    };
    // The collection's fields in schema order, then any the schema lacks.
    let mut keys: Vec<(String, Widget)> = schema
        .fields
        .iter()
        .map(|f| (f.key.clone(), f.widget))
        .collect();
    for key in doc.keys() {
        if !keys.iter().any(|(k, _)| k == key) {
            keys.push((key.to_string(), Widget::Text));
        }
    }
    page.fields = keys
        .into_iter()
        .map(|(key, schema_widget)| {
            let view = doc.field(&key).unwrap_or(FieldView::Empty);
            let (widget, value) = match &view {
                FieldView::ReadOnly(src) => (Widget::ReadOnly, src.clone()),
                FieldView::List(items) => (Widget::List, items.join("\n")),
                FieldView::MultiLine(s) => (Widget::MultiLine, s.clone()),
                FieldView::Text(s) => (text_widget(schema_widget, doc, &key), s.clone()),
                FieldView::Empty => (schema_widget, String::new()),
            };
            let mine = submitted
                .filter(|_| edited(&key))
                .and_then(|s| s.values.get(&key));
            let value = match (widget, mine) {
                (Widget::ReadOnly, _) | (_, None) => value,
                (_, Some(v)) => display(v),
            };
            let rows = value.lines().count().clamp(2, 12) + 1;
            let options = if widget == Widget::Boolean {
                let mut o = vec![String::new(), "true".into(), "false".into()];
                if !o.contains(&value) {
                    o.push(value.clone());
                }
                o
            } else {
                Vec::new()
            };
            FormField {
                label: label_of(&key),
                key,
                widget: widget.as_str(),
                value,
                rows,
                options,
            }
        })
        .collect();
}

/// The widget for a one-line value: the schema's typed widget only when this
/// document's value has that type too.
fn text_widget(schema_widget: Widget, doc: &Document, key: &str) -> Widget {
    match (schema_widget.meaning(), doc.scalar_meaning(key)) {
        (Some(wanted), Some(actual)) if wanted == actual => schema_widget,
        _ => Widget::Text,
    }
}

fn display(value: &FieldValue) -> String {
    match value {
        FieldValue::Null => String::new(),
        FieldValue::Text(s) | FieldValue::Typed(s, _) => s.clone(),
        FieldValue::List(items) => items.join("\n"),
    }
}

/// What the form sent, parsed.
struct Submitted {
    base: ObjectId,
    values: HashMap<String, FieldValue>,
    /// Field keys in the order the form listed them.
    order: Vec<String>,
    body: Option<String>,
}

impl Submitted {
    fn parse(pairs: Vec<(String, String)>) -> Result<Submitted, AppError> {
        let mut base = None;
        let mut body = None;
        let mut kinds = HashMap::new();
        let mut raw = Vec::new();
        for (name, value) in pairs {
            // Browsers send CRLF line breaks from text areas.
            let value = value.replace("\r\n", "\n");
            if name == "base" {
                base = ObjectId::parse(&value);
            } else if name == "body" {
                body = Some(value);
            } else if let Some(key) = name.strip_prefix("k.") {
                kinds.insert(key.to_string(), value);
            } else if let Some(key) = name.strip_prefix("f.") {
                raw.push((key.to_string(), value));
            }
        }
        let base = base.ok_or_else(|| {
            AppError::BadRequest(
                "The form is missing the version it was made from. Reload the page and try again."
                    .into(),
            )
        })?;
        let mut values = HashMap::new();
        let mut order = Vec::new();
        for (key, text) in raw {
            let widget = kinds.get(&key).and_then(|k| Widget::parse(k));
            let value = match widget {
                Some(Widget::List) => FieldValue::lines(&text),
                Some(w) => match w.meaning() {
                    Some(meaning) => FieldValue::typed(text, meaning),
                    None => FieldValue::text(text),
                },
                None => FieldValue::text(text),
            };
            order.push(key.clone());
            values.insert(key, value);
        }
        Ok(Submitted {
            base,
            values,
            order,
            body,
        })
    }
}

pub(super) async fn save(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (name, slug_name) = parse_names(&collection, &slug)?;
    let submitted = Submitted::parse(pairs)?;
    let edit = DocumentEdit {
        collection: name.clone(),
        slug: slug_name.clone(),
        base: submitted.base.clone(),
        fields: submitted
            .order
            .iter()
            .filter_map(|k| submitted.values.get(k).map(|v| (k.clone(), v.clone())))
            .collect(),
        body: submitted.body.clone(),
    };
    let author = super::author_of(&current);
    let here = format!("/collections/{collection}/{slug}");
    match state.site.save(edit, author, state.clock.now()).await {
        Ok(SaveOutcome::Unchanged) => {
            session::set_flash(&current.session, "No changes to save.").await?;
            Ok(Redirect::to(&here).into_response())
        }
        Ok(SaveOutcome::Saved {
            changed,
            merged,
            local_edits,
            ..
        }) => {
            let labels: Vec<String> = changed.iter().map(|c| label_of(c)).collect();
            let mut message = format!("Saved: {}.", labels.join(", "));
            if merged {
                message.push_str(" Someone else changed this page while you were editing; their changes to other fields were kept.");
            }
            if local_edits {
                message.push_str(" The site's working copy has local edits to this file, so it was left as it was; your change is committed.");
            }
            session::set_flash(&current.session, message).await?;
            Ok(Redirect::to(&here).into_response())
        }
        Err(SiteError::Conflict(conflict)) => {
            let loaded = state.site.document(&name, &slug_name).await?;
            let mut ctx = Layout::signed_in(&current).await?;
            // Who made the other change: the latest commit that changed one
            // of the conflicting fields.
            let by = match state.site.document_history(&name, &slug_name, None).await {
                Ok(page) => page
                    .entries
                    .into_iter()
                    .find(|e| {
                        e.files
                            .iter()
                            .any(|f| conflict.fields.iter().any(|c| f.fields.contains(&c.field)))
                    })
                    .map(|e| {
                        format!(
                            " by {} at {}",
                            e.author_name,
                            super::history::format_time(e.time)
                        )
                    }),
                Err(e) => {
                    tracing::warn!(error = %e, "could not read who changed the document");
                    None
                }
            };
            ctx.flash = Some(format!(
                "This page was changed{} while you were editing, in the same fields as you. Nothing was saved. Their values are shown beside yours: keep yours and save again, or change them.",
                by.unwrap_or_default()
            ));
            let page = page_for(&current, ctx, &loaded, Some((&conflict, &submitted)));
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
