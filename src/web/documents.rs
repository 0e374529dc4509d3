//! A document's screens: `/collections/{collection}/{slug}` (the edit
//! form; GET shows it, POST saves it), `/collections/{collection}/new` (a
//! new document from its title) and `/collections/{collection}/{slug}/delete`
//! (a confirmation, then the deletion). Each write is one commit authored by
//! the signed-in user, through the same edit pipeline as the API.
//!
//! Form fields: `f.<key>` holds a field's value, `k.<key>` says how the form
//! showed it (`list`: one item per line; `checks`: one `f.<key>` per ticked
//! box, with `c.<key>` the values it had, in order; otherwise text), `body`
//! the body, `base` the blob id the form was made from. Nested values use
//! their own names (`web::nested_form`); `op` is a button that shows the
//! form again instead of saving: an item added, removed or moved, a
//! relation searched (`find:<key>`), or the text previewed (`preview`).

use super::nested_form::Shown;
use crate::content::model::{CollectionModel, Kind};
use crate::content::nested::Tree;
use crate::content::relation::Choices;
use crate::content::{Document, FieldValue, FieldView, Schema, Widget};
use crate::http::AppError;
use crate::http::AppState;
use crate::http::page::{Layout, render};
use crate::http::{CurrentUser, csrf::CsrfForm, session};
use crate::i18n::ToArg;
use crate::preview::PreviewError;
use crate::site::{
    Action, Applied, Conflict, Edit, LoadedDocument, ObjectId, SiteError, Update, Value,
};
use askama::Template;
use axum::extract::{Path, State};
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
    /// The choices of a `select` (`widget == "select"`): value and label.
    choices: Vec<(String, String)>,
    /// Values the collection's documents already use, offered as you type.
    suggestions: Vec<String>,
    /// What the site's configuration says to write here.
    hint: Option<String>,
    /// The configuration requires a value.
    required: bool,
    /// Why the value given could not be saved.
    error: Option<String>,
    /// A nested value's controls (`widget == "nested"`).
    parts: Vec<super::nested_form::Part>,
    /// Markdown text (`widget: markdown`): a toolbar and a preview.
    markdown: bool,
    /// A number box's step (`any` unless configured; `1` for whole numbers).
    step: String,
    /// Something to know about the value (a relation's entry is gone).
    warning: Option<String>,
    /// The boxes of a multiple choice (`widget == "checks"`): value, label,
    /// ticked.
    checks: Vec<(String, String, bool)>,
    /// An image or file field's controls (`widget == "media"`).
    media: Option<super::media_field::MediaView>,
}

impl FormField {
    /// The control's ARIA attributes: invalid after a refused value, and
    /// described by its hint and its message (fixed text and numbers only).
    fn aria(&self, index: &usize) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("f-{index}-hint"));
        }
        if self.warning.is_some() {
            ids.push(format!("f-{index}-warning"));
        }
        if self.error.is_some() {
            ids.push(format!("f-{index}-error"));
        }
        let mut out = String::new();
        if self.required {
            out.push_str(" aria-required=\"true\"");
        }
        if self.error.is_some() {
            out.push_str(" aria-invalid=\"true\"");
        }
        if !ids.is_empty() {
            out.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
        }
        out
    }
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
    /// How the collection is named to the reader.
    collection_label: String,
    slug: String,
    title: String,
    path: String,
    base: String,
    can_edit: bool,
    /// The user may delete it, and the site lets Cairn.
    can_delete: bool,
    /// Why the document cannot be edited through the form.
    problem: Option<String>,
    /// The file's text, shown when it cannot be edited.
    source: String,
    fields: Vec<FormField>,
    body: String,
    conflicts: Vec<ConflictView>,
    /// Per-field messages after a refused save, linked to their fields.
    errors: Vec<ErrorView>,
    /// Why the save was refused, and what to do.
    refused: Option<String>,
    /// Shown again after an item's button: what is shown is not saved yet.
    unsaved: bool,
    /// The body as the site would render it, after "Preview".
    preview: Option<String>,
    /// The page as the site's Jekyll builds it, after "Preview on the site".
    site_preview: SitePreview,
    /// The document's slug as it is (its address, folders included).
    address: String,
    /// How the body is named: the model's label for `body`, else "Text".
    body_label: String,
    /// The form carries files (an image or file field): sent as multipart.
    multipart: bool,
}

/// "Preview on the site": whether it can be made, and what it gave.
#[derive(Debug, Clone, Default)]
struct SitePreview {
    /// Why the button cannot work here (Jekyll missing), shown beside it.
    missing: Option<String>,
    /// Something was asked for (the section is shown).
    asked: bool,
    /// Where the built page is served, for the sandboxed frame.
    address: Option<String>,
    /// Why there is no page, in the person's words.
    message: Option<String>,
    /// What Jekyll printed when it failed.
    printed: Option<String>,
}

impl SitePreview {
    /// No page, and why.
    fn saying(message: String) -> SitePreview {
        SitePreview {
            message: Some(message),
            ..SitePreview::default()
        }
    }
}

/// Why "Preview on the site" cannot work on this server.
fn jekyll_missing(lang: crate::i18n::Lang, command: &str) -> String {
    lang.t_with("site-preview-missing", &[("command", command.to_arg())])
}

/// A refused value, as the summary above the form lists it.
#[derive(Debug, Clone)]
struct ErrorView {
    /// The id of the control it belongs to.
    target: String,
    label: String,
    message: String,
}

/// What the person sent, kept after a refused save: the fields it names
/// show the person's values, with a message where one was refused.
struct Kept<'a> {
    submitted: &'a Submitted,
    /// The fields to show from the submission (`body` for the body).
    shown: Vec<String>,
    /// Messages by field.
    errors: HashMap<String, String>,
    /// After an add, remove or move button: the item to focus.
    focus: Option<String>,
}

/// What the form needs besides the document: the relations' entries, the
/// site's configuration (media folders), an open media chooser, the
/// uploads waiting to be saved, and alt texts other pages give.
struct Extras {
    picks: Picks,
    site: std::sync::Arc<crate::content::SiteConfig>,
    chooser: Option<super::media_field::Chooser>,
    /// Pending uploads by field.
    pending: HashMap<String, crate::site::uploads::Pending>,
    /// Alt texts other documents give the file a field names, by field.
    remembered: HashMap<String, String>,
    /// `--max-image-pixels`.
    max_pixels: u32,
    /// Why "Preview on the site" cannot work (no Jekyll), if it cannot.
    preview_missing: Option<String>,
}

/// [`Extras`] for `loaded`, with nothing pending or open.
async fn extras(state: &AppState, loaded: &LoadedDocument) -> Result<Extras, AppError> {
    Ok(Extras {
        picks: picks(state, &loaded.model).await?,
        site: state.site.config().await?,
        chooser: None,
        pending: HashMap::new(),
        remembered: HashMap::new(),
        max_pixels: state.max_image_pixels,
        preview_missing: (!state.previews.available())
            .then(|| state.previews.command().to_string()),
    })
}

pub(super) async fn show(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (name, slug) = crate::site::document_name(&collection, &slug)?;
    let loaded = state.site.document(&name, &slug).await?;
    let extras = extras(&state, &loaded).await?;
    let page = page_for(
        &current,
        Layout::signed_in(&current).await?,
        &loaded,
        &extras,
        None,
        None,
    );
    Ok(render(&page)?.into_response())
}

/// The page for a loaded document. After a refused save, the fields the
/// editor changed show the editor's values; every other field shows the
/// file's.
fn page_for(
    current: &CurrentUser,
    ctx: Layout,
    loaded: &LoadedDocument,
    extras: &Extras,
    conflict: Option<&Conflict>,
    kept: Option<&Kept<'_>>,
) -> DocumentPage {
    let mut page = DocumentPage {
        ctx,
        collection: loaded.collection.clone(),
        collection_label: super::collection_label(
            Some(&loaded.model),
            &loaded.collection,
            current.lang,
        ),
        slug: super::url_slug(&loaded.slug),
        title: loaded.slug.clone(),
        path: loaded.path.clone(),
        base: loaded.blob.to_string(),
        can_edit: current.user.role.can_edit(),
        can_delete: current.user.role.can_edit() && loaded.model.allows_delete(),
        problem: None,
        source: String::new(),
        fields: Vec::new(),
        body: String::new(),
        conflicts: conflict
            .map(|c| c.fields.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|c| ConflictView {
                label: super::field_label(Some(&loaded.model), &c.field, current.lang),
                yours: display(&c.yours),
                theirs: display(&c.theirs),
            })
            .collect(),
        errors: Vec::new(),
        refused: None,
        unsaved: false,
        preview: None,
        site_preview: SitePreview {
            missing: extras
                .preview_missing
                .as_ref()
                .map(|command| jekyll_missing(current.lang, command)),
            ..SitePreview::default()
        },
        address: loaded.slug.clone(),
        body_label: super::field_label(Some(&loaded.model), "body", current.lang),
        multipart: false,
    };
    match loaded.content.as_ref() {
        Err(e) => {
            page.problem = Some(
                page.ctx
                    .lang
                    .t_with("doc-cannot-edit", &[("why", e.to_string().into())]),
            )
        }
        Ok(doc) => fill_from(&mut page, doc, &loaded.schema, &loaded.model, extras, kept),
    }
    page
}

/// Up to this many entries, a relation is a select or boxes; beyond, a
/// search box with suggestions.
const PICK_LIMIT: usize = 300;

/// The entries of each relation field of a collection, by field name.
type Picks = HashMap<String, std::sync::Arc<Choices>>;

/// [`Picks`] for `model`'s relation fields, read at the tip.
async fn picks(state: &AppState, model: &CollectionModel) -> Result<Picks, AppError> {
    let mut out = Picks::new();
    for f in &model.fields {
        if let Some(rel) = f.relation.as_ref().filter(|r| !r.collection.is_empty()) {
            out.insert(f.name.clone(), state.site.choices(rel).await?);
        }
    }
    Ok(out)
}

fn fill_from(
    page: &mut DocumentPage,
    doc: &Document,
    schema: &Schema,
    model: &CollectionModel,
    extras: &Extras,
    kept: Option<&Kept<'_>>,
) {
    let picks = &extras.picks;
    let code = page.ctx.lang.code();
    let edited = |key: &str| kept.is_some_and(|k| k.shown.iter().any(|e| e == key));
    let submitted = kept.map(|k| k.submitted);
    if let Some(title) = doc.title() {
        page.title = title;
    }
    if let Some(err) = doc.front_matter_error() {
        page.problem = Some(match err.line {
            Some(line) => page.ctx.lang.t_with(
                "doc-broken",
                &[("line", line.to_arg()), ("message", err.message.to_arg())],
            ),
            None => page
                .ctx
                .lang
                .t_with("doc-broken-no-line", &[("message", err.message.to_arg())]),
        });
        page.source = doc.as_str().to_string();
        return;
    }
    page.body = match submitted.and_then(|s| s.body.clone()) {
        Some(body) if edited("body") => body,
        _ => doc.body_normalized(),
    };
    // The configured fields in their order, then the collection's inferred
    // ones, then any this document has besides. Hidden fields are not shown
    // (the form does not send them, so they keep their value).
    let offered = |key: &str| {
        schema
            .field(key)
            .map(|f| f.suggestions.clone())
            .unwrap_or_default()
    };
    let mut keys: Vec<(String, Widget)> = Vec::new();
    for f in &model.fields {
        let inferred = schema.field(&f.name);
        if f.name != "body"
            && (inferred.is_some() || doc.field(&f.name).is_some() || f.kind.is_some())
        {
            keys.push((f.name.clone(), inferred.map_or(Widget::Text, |s| s.widget)));
        }
    }
    for f in &schema.fields {
        if !keys.iter().any(|(k, _)| *k == f.key) {
            keys.push((f.key.clone(), f.widget));
        }
    }
    for key in doc.keys() {
        if !keys.iter().any(|(k, _)| k == key) {
            keys.push((key.to_string(), Widget::Text));
        }
    }
    keys.retain(|(k, _)| model.field(k).and_then(|f| f.kind) != Some(Kind::Hidden));
    page.fields = keys
        .into_iter()
        .enumerate()
        .map(|(index, (key, schema_widget))| {
            let configured = model.field(&key);
            let schema_widget = configured
                .and_then(|f| f.kind)
                .and_then(widget_of_kind)
                .unwrap_or(schema_widget);
            let view = doc.field(&key).unwrap_or(FieldView::Empty);
            let (widget, value) = match &view {
                FieldView::ReadOnly(src) => (Widget::ReadOnly, src.clone()),
                FieldView::List(items) => (Widget::List, items.join("\n")),
                FieldView::MultiLine(s) => (Widget::MultiLine, s.clone()),
                FieldView::Text(s) if schema_widget == Widget::MultiLine => {
                    (Widget::MultiLine, s.clone())
                }
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
            // A single choice among configured options, on a one-line value.
            let mut choices: Vec<(String, String)> = match configured {
                Some(f)
                    if f.kind == Some(Kind::Select) && !f.multiple && widget == Widget::Text =>
                {
                    f.options
                        .iter()
                        .map(|o| {
                            let label = o.label.get(code).unwrap_or(&o.value).to_string();
                            (o.value.clone(), label)
                        })
                        .collect()
                }
                _ => Vec::new(),
            };
            // A relation or several options: boxes, a select or a search box.
            let lang = page.ctx.lang;
            let relation = configured.and_then(|f| picks.get(&f.name));
            let Picked {
                choices: picked_choices,
                checks,
                warning,
                search,
            } = picked(configured, relation.map(|r| &**r), widget, &value, lang);
            if let Some(c) = picked_choices {
                choices = c;
            }
            if !choices.is_empty() && !value.is_empty() && !choices.iter().any(|(v, _)| *v == value)
            {
                // A value the options do not list stays what it is, said so.
                let label = page
                    .ctx
                    .lang
                    .t_with("doc-not-an-option", &[("value", value.to_arg())]);
                choices.push((value.clone(), label));
            }
            // A map or a list of maps (or a field configured as one, still
            // empty): groups of controls, with buttons for the items.
            let tree = doc
                .tree(&key)
                .filter(|_| matches!(view, FieldView::ReadOnly(_)));
            let configured_nested = configured.is_some_and(|f| {
                f.kind == Some(Kind::Object) || (f.kind == Some(Kind::List) && !f.fields.is_empty())
            });
            let label = super::field_label(Some(model), &key, page.ctx.lang);
            let mut parts = Vec::new();
            if tree.is_some() || (configured_nested && view == FieldView::Empty) {
                let empty = match configured {
                    Some(f) if f.kind == Some(Kind::Object) => Tree::Map(
                        f.fields
                            .iter()
                            .map(|g| (g.name.clone(), Tree::Scalar(FieldValue::Null)))
                            .collect(),
                    ),
                    _ => Tree::List(Vec::new()),
                };
                let from_form = submitted
                    .filter(|s| edited(&key) && s.values.contains_key(&key))
                    .map(|s| &s.nested);
                let shown = match (from_form, &tree) {
                    (Some(n), _) => Shown::Sent(n),
                    (None, Some(t)) => Shown::File(t),
                    (None, None) => Shown::File(&empty),
                };
                parts = super::nested_form::parts(
                    &key,
                    &label,
                    shown,
                    configured,
                    page.ctx.lang,
                    index + 1,
                    kept.and_then(|k| k.focus.as_deref()),
                );
            }
            FormField {
                label,
                hint: configured
                    .and_then(|f| f.hint.get(code))
                    .map(str::to_string),
                required: configured.and_then(|f| f.required).unwrap_or(false),
                error: kept.and_then(|k| k.errors.get(&key).cloned()),
                suggestions: match relation {
                    Some(rel) if search => rel
                        .search(&value, 50)
                        .into_iter()
                        .map(|c| c.value.clone())
                        .collect(),
                    _ if choices.is_empty() && widget == Widget::Text => offered(&key),
                    _ => Vec::new(),
                },
                warning,
                widget: if !parts.is_empty() {
                    "nested"
                } else if !checks.is_empty() {
                    "checks"
                } else if search {
                    "relation"
                } else if choices.is_empty() {
                    widget.as_str()
                } else {
                    "select"
                },
                key,
                value,
                rows,
                options,
                choices,
                markdown: configured.and_then(|f| f.kind) == Some(Kind::Markdown),
                step: match configured {
                    Some(f) if f.step.is_some() => f.step.unwrap_or(1.0).to_string(),
                    Some(f) if f.integer => "1".into(),
                    _ => "any".into(),
                },
                parts,
                checks,
                media: None,
            }
        })
        .collect();
    media_widgets(page, doc, schema, model, extras, kept);
    // A rule the file already breaks (edited with git) is said beside its
    // field; the save is refused only if that field is changed and still
    // breaks it.
    for (key, message) in crate::site::broken_rules(model, doc) {
        if let Some(f) = page.fields.iter_mut().find(|f| f.key == key)
            && f.error.is_none()
            && f.warning.is_none()
            && !edited(&key)
        {
            f.warning = Some(message.in_lang(page.ctx.lang));
        }
    }
    page.errors = page
        .fields
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let own = f.error.clone().map(|message| ErrorView {
                target: format!("f-{}", i + 1),
                label: f.label.clone(),
                message,
            });
            let alt = f.media.as_ref().and_then(|m| m.alt.as_ref()).and_then(|a| {
                Some(ErrorView {
                    target: format!("f-{}-alt", i + 1),
                    label: a.label.clone(),
                    message: a.error.clone()?,
                })
            });
            own.into_iter().chain(alt)
        })
        .collect();
    // A refused value for a field the page does not show (a read-only one).
    if let Some(kept) = kept {
        for (key, message) in &kept.errors {
            let shown = page.fields.iter().any(|f| {
                f.key == *key
                    || f.media
                        .as_ref()
                        .and_then(|m| m.alt.as_ref())
                        .is_some_and(|a| a.key == *key)
            });
            if !shown {
                page.errors.push(ErrorView {
                    target: "body".into(),
                    label: super::field_label(Some(model), key, page.ctx.lang),
                    message: message.clone(),
                });
            }
        }
    }
}

/// Image and file fields become media widgets, each image with its alt
/// field, which leaves the list to be shown with it.
fn media_widgets(
    page: &mut DocumentPage,
    doc: &Document,
    schema: &Schema,
    model: &CollectionModel,
    extras: &Extras,
    kept: Option<&Kept<'_>>,
) {
    let keys: Vec<String> = page.fields.iter().map(|f| f.key.clone()).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let fields = crate::content::media::media_fields(Some(model), schema, &key_refs);
    let around = super::media_field::Around {
        chooser: extras.chooser.as_ref(),
        model: &extras.site.model,
        max_pixels: extras.max_pixels,
        lang: page.ctx.lang,
    };
    let mut alt_keys = Vec::new();
    for mf in &fields {
        let Some(i) = page.fields.iter().position(|f| f.key == mf.key) else {
            continue;
        };
        if page.fields[i].widget != "text" {
            continue;
        }
        let alt = mf
            .alt
            .as_ref()
            .and_then(|a| {
                page.fields
                    .iter()
                    .find(|f| f.key == *a && matches!(f.widget, "text" | "multiline"))
            })
            .map(|f| super::media_field::AltView {
                // Ticked as the person sent it, else as the file says
                // (`alt: ""`, empty on purpose).
                decorative: match kept {
                    Some(k) if k.shown.contains(&mf.key) => {
                        k.submitted.decorative.contains(&mf.key)
                    }
                    _ => {
                        f.value.is_empty()
                            && doc.scalar_meaning(&f.key)
                                == Some(crate::content::yaml::PlainMeaning::String)
                    }
                },
                key: f.key.clone(),
                label: f.label.clone(),
                value: f.value.clone(),
                error: f.error.clone(),
                remembered: false,
            });
        if let Some(a) = &alt {
            alt_keys.push(a.key.clone());
        }
        let value = page.fields[i].value.clone();
        let view = super::media_field::view(
            mf,
            &value,
            alt,
            extras.remembered.get(&mf.key),
            extras.pending.get(&mf.key),
            &around,
        );
        page.fields[i].widget = "media";
        page.fields[i].media = Some(view);
        page.multipart = true;
    }
    page.fields.retain(|f| !alt_keys.contains(&f.key));
}

/// How a relation field or a select of several options is offered.
#[derive(Debug, Default)]
struct Picked {
    /// A select's choices, in place of the configured options.
    choices: Option<Vec<(String, String)>>,
    /// Boxes: value, label, ticked.
    checks: Vec<(String, String, bool)>,
    /// Something to know (a relation's entry is gone).
    warning: Option<String>,
    /// Too many entries to list: a search box with suggestions.
    search: bool,
}

/// A relation's entries as a select (one) or boxes (several) while they
/// are few, else a search box; several configured options as boxes. Values
/// the entries or options do not have are kept, ticked and said.
fn picked(
    configured: Option<&crate::content::model::FieldModel>,
    relation: Option<&Choices>,
    widget: Widget,
    value: &str,
    lang: crate::i18n::Lang,
) -> Picked {
    let mut out = Picked::default();
    let several = configured
        .is_some_and(|f| f.multiple || (f.kind == Some(Kind::List) && f.relation.is_some()));
    let current: Vec<String> = if several || widget == Widget::List {
        value.lines().map(str::to_string).collect()
    } else if value.is_empty() {
        Vec::new()
    } else {
        vec![value.to_string()]
    };
    let gone_label = |v: &str| lang.t_with("relation-gone", &[("value", v.to_arg())]);
    if let Some(rel) = relation {
        let gone: Vec<&String> = current.iter().filter(|v| rel.find(v).is_none()).collect();
        if let Some(first) = gone.first() {
            out.warning = Some(lang.t_with("relation-missing", &[("value", first.to_arg())]));
        }
        let few = rel.len() <= PICK_LIMIT;
        if few && several && matches!(widget, Widget::List | Widget::Text) {
            // No entries at all: no boxes (the list of texts stays).
            let kept = if rel.is_empty() { &[][..] } else { &gone[..] };
            out.checks = rel
                .all()
                .iter()
                .map(|c| (c.value.clone(), c.label.clone(), current.contains(&c.value)))
                .chain(kept.iter().map(|v| (v.to_string(), gone_label(v), true)))
                .collect();
        } else if few && widget == Widget::Text {
            let mut choices: Vec<(String, String)> = rel
                .all()
                .iter()
                .map(|c| (c.value.clone(), c.label.clone()))
                .collect();
            if let Some(v) = gone.first() {
                choices.push((v.to_string(), gone_label(v)));
            }
            out.choices = Some(choices);
        } else if widget == Widget::Text {
            out.search = true;
        }
    } else if let Some(f) =
        configured.filter(|f| f.kind == Some(Kind::Select) && f.multiple && !f.options.is_empty())
        && matches!(widget, Widget::List | Widget::Text)
    {
        let code = lang.code();
        out.checks = f
            .options
            .iter()
            .map(|o| {
                let label = o.label.get(code).unwrap_or(&o.value).to_string();
                (o.value.clone(), label, current.contains(&o.value))
            })
            .chain(
                current
                    .iter()
                    .filter(|v| !f.options.iter().any(|o| o.value == **v))
                    .map(|v| {
                        let label = lang.t_with("doc-not-an-option", &[("value", v.to_arg())]);
                        (v.clone(), label, true)
                    }),
            )
            .collect();
    }
    out
}

/// The form's control for a configured kind (`None`: hidden, not shown).
fn widget_of_kind(kind: Kind) -> Option<Widget> {
    Some(match kind {
        Kind::String | Kind::Select | Kind::Image | Kind::File => Widget::Text,
        Kind::Text | Kind::Markdown => Widget::MultiLine,
        Kind::Object | Kind::Relation => Widget::Text,
        Kind::Date => Widget::Date,
        Kind::Boolean => Widget::Boolean,
        Kind::Number => Widget::Number,
        Kind::List => Widget::List,
        Kind::Hidden => return None,
    })
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
        FieldValue::Tree(tree) => serde_json::to_string_pretty(&tree.to_json()).unwrap_or_default(),
    }
}

/// What the form sent, parsed.
struct Submitted {
    base: ObjectId,
    values: HashMap<String, FieldValue>,
    /// Field keys in the order the form listed them.
    order: Vec<String>,
    body: Option<String>,
    /// The nested fields the form showed.
    nested: super::nested_form::Nested,
    /// A nested value's button (`add:partners`), pressed instead of Save.
    op: Option<String>,
    /// Media fields: "decorative image" ticked, "remove" ticked, the alt
    /// field of each, uploads kept from a refused save, chooser searches.
    decorative: Vec<String>,
    remove: Vec<String>,
    alt_of: HashMap<String, String>,
    pending: HashMap<String, String>,
    queries: HashMap<String, String>,
}

impl Submitted {
    /// Every field the form sent, the body and each image field too: what
    /// to show from it when the form is shown again.
    fn everything(&self) -> Vec<String> {
        let mut shown = self.order.clone();
        shown.push("body".into());
        shown.extend(self.alt_of.keys().cloned());
        shown
    }

    fn parse(pairs: Vec<(String, String)>, lang: crate::i18n::Lang) -> Result<Submitted, AppError> {
        let mut base = None;
        let mut body = None;
        let mut kinds = HashMap::new();
        let mut orders: HashMap<String, String> = HashMap::new();
        let mut raw = Vec::new();
        let mut nested = super::nested_form::Nested::default();
        let mut op = None;
        let (mut decorative, mut remove) = (Vec::new(), Vec::new());
        let (mut alt_of, mut pending, mut queries) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        for (name, value) in pairs {
            // Browsers send CRLF line breaks from text areas.
            let value = value.replace("\r\n", "\n");
            if name == "op" {
                op = Some(value).filter(|v| !v.is_empty());
            } else if nested.take(&name, &value) {
            } else if name == "base" {
                base = ObjectId::parse(&value);
            } else if name == "body" {
                body = Some(value);
            } else if let Some(key) = name.strip_prefix("d.") {
                decorative.push(key.to_string());
            } else if let Some(key) = name.strip_prefix("r.") {
                remove.push(key.to_string());
            } else if let Some(key) = name.strip_prefix("a.") {
                alt_of.insert(key.to_string(), value);
            } else if let Some(key) = name.strip_prefix("p.") {
                pending.insert(key.to_string(), value);
            } else if let Some(key) = name.strip_prefix("mq.") {
                queries.insert(key.to_string(), value);
            } else if let Some(key) = name.strip_prefix("c.") {
                orders.insert(key.to_string(), value);
            } else if let Some(key) = name.strip_prefix("k.") {
                kinds.insert(key.to_string(), value);
            } else if let Some(key) = name.strip_prefix("f.") {
                raw.push((key.to_string(), value));
            }
        }
        let base = base.ok_or_else(|| AppError::BadRequest(lang.t("doc-no-base").into()))?;
        let mut values = HashMap::new();
        let mut order = Vec::new();
        // Boxes send one pair per ticked box (none when none is ticked).
        // Values the field had keep their order (`c.<key>`); newly ticked
        // ones follow.
        for (key, kind) in &kinds {
            if kind == "checks" {
                let ticked: Vec<String> = raw
                    .iter()
                    .filter(|(k, v)| k == key && !v.is_empty())
                    .map(|(_, v)| v.clone())
                    .collect();
                let had: Vec<&str> = orders.get(key).map_or(Vec::new(), |o| o.lines().collect());
                let mut items: Vec<String> = had
                    .iter()
                    .filter(|h| ticked.iter().any(|t| t == *h))
                    .map(|h| h.to_string())
                    .collect();
                for t in ticked {
                    if !items.contains(&t) {
                        items.push(t);
                    }
                }
                raw.retain(|(k, _)| k != key);
                order.push(key.clone());
                values.insert(key.clone(), FieldValue::List(items));
            }
        }
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
        for (key, value) in nested.values() {
            if let std::collections::hash_map::Entry::Vacant(slot) = values.entry(key.clone()) {
                order.push(key);
                slot.insert(value);
            }
        }
        // "Remove" empties the field; "decorative" says its alt text is
        // empty on purpose (`alt: ""`).
        for key in &remove {
            if !values.contains_key(key) {
                order.push(key.clone());
            }
            values.insert(key.clone(), FieldValue::text(""));
        }
        Ok(Submitted {
            base,
            values,
            order,
            body,
            nested,
            op,
            decorative,
            remove,
            alt_of,
            pending,
            queries,
        })
    }
}

pub(super) async fn save(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Response, AppError> {
    let received =
        crate::http::upload::receive_form(&state, &current, request, |n| n.starts_with("u."))
            .await?;
    save_form(&state, &current, collection, slug, received).await
}

/// Saves the edit form as `current`: its values, and the files it carries
/// (each pending upload committed with the document, in one commit).
async fn save_form(
    state: &AppState,
    current: &CurrentUser,
    collection: String,
    slug: String,
    received: crate::http::upload::Received,
) -> Result<Response, AppError> {
    let (name, slug_name) = crate::site::document_name(&collection, &slug)?;
    let lang = current.lang;
    let mut submitted = Submitted::parse(received.texts, lang)?;
    // The files: those just sent, then those kept from a refused save.
    let mut pending: HashMap<String, crate::site::uploads::Pending> = HashMap::new();
    let mut upload_errors: HashMap<String, String> = HashMap::new();
    for (field, result) in received.files {
        let Some(key) = field.strip_prefix("u.") else {
            continue;
        };
        match result {
            Ok(p) => {
                pending.insert(key.to_string(), p);
            }
            Err(SiteError::InvalidFields(invalid)) => {
                let message = invalid
                    .0
                    .first()
                    .map(|(_, m)| m.in_lang(lang))
                    .unwrap_or_default();
                upload_errors.insert(key.to_string(), message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    for (key, id) in &submitted.pending {
        if pending.contains_key(key)
            || upload_errors.contains_key(key)
            || submitted.remove.contains(key)
        {
            continue;
        }
        if let Some(p) = state.site.pending_upload(id, Some(current.user.id)).await {
            pending.insert(key.clone(), p);
        }
    }
    // "Decorative image": its alt text is empty on purpose.
    let decorative: Vec<(String, Value)> = submitted
        .decorative
        .iter()
        .filter_map(|key| submitted.alt_of.get(key))
        .map(|alt| {
            (
                alt.clone(),
                Value::Json(serde_json::Value::String(String::new())),
            )
        })
        .collect();
    let attach: Vec<crate::site::Attach> = pending
        .iter()
        .map(|(key, p)| crate::site::Attach {
            field: key.clone(),
            upload: p.id.clone(),
        })
        .collect();
    let mut set: Vec<(String, Value)> = submitted
        .order
        .iter()
        .filter_map(|k| {
            let v = submitted.values.get(k)?;
            Some((k.clone(), Value::Form(v.clone())))
        })
        .collect();
    set.retain(|(k, _)| !decorative.iter().any(|(d, _)| d == k));
    set.extend(decorative);
    let edit = Edit {
        collection: name.clone(),
        slug: slug_name.clone(),
        base: Some(submitted.base.clone()),
        expected: None,
        attach,
        action: Action::Update(Update {
            set,
            body: submitted.body.clone(),
            ..Update::default()
        }),
    };
    let op = submitted.op.clone();
    if op.is_some() || !upload_errors.is_empty() {
        // A button that shows the form again (an item added, removed or
        // moved, the library's files to choose from, a preview), or a file
        // refused: the form again with everything typed and every file
        // chosen kept. Nothing is saved.
        let op = op.unwrap_or_default();
        let loaded = state.site.document(&name, &slug_name).await?;
        let key = op
            .split_once(':')
            .map(|(_, p)| p.split(['[', '.']).next().unwrap_or(p).to_string())
            .unwrap_or_default();
        let field = loaded.model.field(&key);
        let focus = if op.starts_with("media:") || op.is_empty() {
            None
        } else {
            submitted.nested.apply(&op, field)
        };
        let shown = submitted.everything();
        let mut extras = extras(state, &loaded).await?;
        extras.pending = pending;
        if let Some(key) = op.strip_prefix("media:") {
            let query = submitted.queries.get(key).cloned().unwrap_or_default();
            let images = {
                let keys: Vec<&str> = vec![key];
                crate::content::media::media_fields(Some(&loaded.model), &loaded.schema, &keys)
                    .first()
                    .is_none_or(|f| f.kind == crate::content::media::MediaKind::Image)
            };
            let (choices, total) = state
                .site
                .media_choices(images, query.clone(), super::media_field::CHOICES)
                .await?;
            extras.chooser = Some(super::media_field::Chooser {
                key: key.to_string(),
                query,
                choices,
                total,
            });
        }
        let status = if received.too_large {
            axum::http::StatusCode::PAYLOAD_TOO_LARGE
        } else if upload_errors.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        };
        let mut errors = upload_errors.clone();
        let mut site_preview = None;
        if op == "site-preview" && upload_errors.is_empty() {
            let author = super::author_of(current);
            let built = state
                .previews
                .preview(edit.clone(), author, current.user.id)
                .await;
            site_preview = Some(match built {
                Ok(built) => SitePreview {
                    address: Some(built.address),
                    ..SitePreview::default()
                },
                Err(PreviewError::Unavailable(command)) => {
                    SitePreview::saying(jekyll_missing(lang, &command))
                }
                Err(PreviewError::NotBuilt) => {
                    SitePreview::saying(lang.t("site-preview-not-built"))
                }
                Err(PreviewError::Failed(printed)) => SitePreview {
                    printed: Some(printed),
                    ..SitePreview::saying(lang.t("site-preview-failed"))
                },
                Err(PreviewError::Site(SiteError::InvalidFields(invalid))) => {
                    for (k, m) in &invalid.0 {
                        errors.insert(k.clone(), m.in_lang(lang));
                    }
                    SitePreview::saying(lang.t("site-preview-invalid"))
                }
                Err(PreviewError::Site(SiteError::Conflict(_))) => {
                    SitePreview::saying(lang.t("site-preview-conflict"))
                }
                Err(PreviewError::Site(e)) => return Err(e.into()),
            });
        }
        let refused = !errors.is_empty();
        let kept = Kept {
            submitted: &submitted,
            shown,
            errors,
            focus,
        };
        let ctx = Layout::signed_in(current).await?;
        let mut page = page_for(current, ctx, &loaded, &extras, None, Some(&kept));
        page.unsaved = true;
        if refused {
            page.refused = Some(lang.t("doc-invalid"));
        }
        if let Some(built) = site_preview {
            page.site_preview = SitePreview {
                asked: true,
                missing: page.site_preview.missing.take(),
                ..built
            };
        }
        if op == "preview" {
            page.preview = Some(render_preview(&page.body));
        }
        return Ok((status, render(&page)?).into_response());
    }
    let author = super::author_of(current);
    let here = super::document_url(&collection, &slug);
    match state.site.apply(edit, author, state.clock.now()).await {
        Ok(Applied {
            committed: false, ..
        }) => {
            session::set_flash(&current.session, lang.t("doc-unchanged")).await?;
            Ok(Redirect::to(&here).into_response())
        }
        Ok(Applied {
            changed,
            merged,
            local_edits,
            ..
        }) => {
            let config = state.site.config().await?;
            let model = config.model.collection(name.as_str());
            let labels: Vec<String> = changed
                .iter()
                .map(|c| super::field_label(model, c, lang))
                .collect();
            let mut message = lang.t_with("doc-saved", &[("fields", labels.join(", ").into())]);
            if merged {
                message.push(' ');
                message.push_str(&lang.t("doc-saved-merged"));
            }
            if local_edits {
                message.push(' ');
                message.push_str(&lang.t("doc-saved-local-edits"));
            }
            session::set_flash(&current.session, message).await?;
            Ok(Redirect::to(&here).into_response())
        }
        Err(e) => {
            let (status, _) = crate::http::error::classify(&e);
            let (conflict, kept, refused) = match &e {
                SiteError::Conflict(conflict) => {
                    // Who made the other change: the newest one named.
                    let by = conflict
                        .fields
                        .iter()
                        .filter_map(|f| f.changed_by.as_ref())
                        .max_by_key(|b| b.time);
                    let refused = match by {
                        Some(b) => lang.t_with(
                            "doc-conflict-by",
                            &[
                                ("name", b.name.to_arg()),
                                ("time", current.when(b.time).local.into()),
                            ],
                        ),
                        None => lang.t("doc-conflict"),
                    };
                    let kept = Kept {
                        submitted: &submitted,
                        shown: conflict.edited.clone(),
                        errors: HashMap::new(),
                        focus: None,
                    };
                    (Some(conflict), kept, refused)
                }
                SiteError::InvalidFields(invalid) => {
                    let shown = submitted.everything();
                    let kept = Kept {
                        submitted: &submitted,
                        shown,
                        errors: invalid
                            .0
                            .iter()
                            .map(|(k, m)| (k.clone(), m.in_lang(lang)))
                            .collect(),
                        focus: None,
                    };
                    (None, kept, lang.t("doc-invalid"))
                }
                _ => return Err(e.into()),
            };
            let loaded = state.site.document(&name, &slug_name).await?;
            let ctx = Layout::signed_in(current).await?;
            let mut extras = extras(state, &loaded).await?;
            // An image refused for want of alt text: what other pages say of
            // the same file is offered.
            for (key, alt) in &submitted.alt_of {
                if kept.errors.contains_key(alt) {
                    let value = match submitted.values.get(key) {
                        Some(FieldValue::Text(v)) if !v.is_empty() => Some(v.clone()),
                        _ => None,
                    };
                    if let Some(value) = value
                        && let Some(r) = state.site.remembered_alt(value).await?
                    {
                        extras.remembered.insert(key.clone(), r);
                    }
                }
            }
            extras.pending = pending;
            let mut page = page_for(current, ctx, &loaded, &extras, conflict, Some(&kept));
            page.refused = Some(refused);
            Ok((status, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "new_document.html")]
struct NewPage {
    ctx: Layout,
    collection: String,
    collection_label: String,
    title: String,
    slug: String,
    errors: Vec<ErrorView>,
    title_error: Option<String>,
    slug_error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct NewForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    slug: String,
}

/// `GET /collections/{collection}/new`: a new document's title (and, if
/// wanted, its address).
pub(super) async fn new_form(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(collection): Path<String>,
) -> Result<Response, AppError> {
    let name = crate::site::collection_name(&collection)?;
    // An unknown collection is a 404 here too.
    state.site.schema(&name).await?;
    let config = state.site.config().await?;
    if config
        .model
        .collection(&collection)
        .is_some_and(|m| !m.allows_create())
    {
        return Err(AppError::Forbidden(crate::i18n::Message::key(
            "error-no-create",
        )));
    }
    let page = NewPage {
        ctx: Layout::signed_in(&current).await?,
        collection_label: super::collection_label_of(&state, &collection, current.lang).await?,
        collection,
        title: String::new(),
        slug: String::new(),
        errors: Vec::new(),
        title_error: None,
        slug_error: None,
    };
    Ok(render(&page)?.into_response())
}

/// `POST /collections/{collection}/new`: creates the document (one commit)
/// and opens its form. The address is made from the title unless given.
pub(super) async fn create(
    State(state): State<AppState>,
    current: CurrentUser,
    Path(collection): Path<String>,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Result<Response, AppError> {
    create_form(&state, &current, collection, form).await
}

/// Creates the document the New form asks for, as `current`.
async fn create_form(
    state: &AppState,
    current: &CurrentUser,
    collection: String,
    form: NewForm,
) -> Result<Response, AppError> {
    let name = crate::site::collection_name(&collection)?;
    let schema = state.site.schema(&name).await?;
    let title = form.title.trim().to_string();
    let given = form.slug.trim().to_string();
    let config = state.site.config().await?;
    let kind = config
        .collection(&collection)
        .map_or(crate::content::CollectionKind::Declared, |c| c.kind);
    let slug_text = if given.is_empty() {
        crate::site::slug_for(
            config.model.collection(&collection),
            kind,
            &title,
            state.clock.now(),
        )
    } else {
        given.clone()
    };
    // The key this collection's documents keep their title in.
    let key = ["title", "name"]
        .into_iter()
        .find(|k| schema.field(k).is_some())
        .unwrap_or("title");
    let refused = |status, title_error: Option<String>, slug_error: Option<String>| {
        let form = &form;
        let collection = &collection;
        let current = &current;
        async move {
            let mut errors = Vec::new();
            if let Some(m) = &title_error {
                errors.push(ErrorView {
                    target: "title".into(),
                    label: current.lang.t("new-field-title"),
                    message: m.clone(),
                });
            }
            if let Some(m) = &slug_error {
                errors.push(ErrorView {
                    target: "slug".into(),
                    label: current.lang.t("new-field-slug"),
                    message: m.clone(),
                });
            }
            let page = NewPage {
                ctx: Layout::signed_in(current).await?,
                collection_label: super::collection_label_of(state, collection, current.lang)
                    .await?,
                collection: collection.clone(),
                title: form.title.clone(),
                slug: form.slug.clone(),
                errors,
                title_error,
                slug_error,
            };
            Ok::<_, AppError>((status, render(&page)?).into_response())
        }
    };
    let unprocessable = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    if title.is_empty() {
        return refused(unprocessable, Some(current.lang.t("new-no-title")), None).await;
    }
    if slug_text.is_empty() {
        return refused(unprocessable, None, Some(current.lang.t("new-no-slug"))).await;
    }
    let edit = |slug| Edit {
        collection: name.clone(),
        slug,
        base: None,
        expected: None,
        attach: Vec::new(),
        action: Action::Create {
            fields: vec![(
                key.to_string(),
                Value::Form(FieldValue::text(title.clone())),
            )],
            body: String::new(),
        },
    };
    let result = match crate::site::new_slug(&slug_text) {
        Ok(slug) => {
            state
                .site
                .apply(edit(slug), super::author_of(current), state.clock.now())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(applied) => {
            session::set_flash(
                &current.session,
                current
                    .lang
                    .t_with("new-created", &[("title", title.to_arg())]),
            )
            .await?;
            Ok(Redirect::to(&super::document_url(&collection, &applied.slug)).into_response())
        }
        Err(e @ SiteError::Exists(_)) => {
            let (status, _) = crate::http::error::classify(&e);
            refused(
                status,
                None,
                Some(
                    current
                        .lang
                        .t_with("new-taken", &[("slug", slug_text.to_arg())]),
                ),
            )
            .await
        }
        Err(SiteError::InvalidFields(invalid)) => {
            let (slug_error, others): (Vec<_>, Vec<_>) =
                invalid.0.into_iter().partition(|(f, _)| f == "slug");
            refused(
                unprocessable,
                others.first().map(|(_, m)| m.in_lang(current.lang)),
                slug_error.first().map(|(_, m)| m.in_lang(current.lang)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "delete_document.html")]
struct DeletePage {
    ctx: Layout,
    collection: String,
    collection_label: String,
    slug: String,
    title: String,
    base: String,
}

/// `GET /collections/{collection}/{slug}/delete`: what deleting means, and
/// the button that does it.
pub(super) async fn confirm_delete(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (name, slug_name) = crate::site::document_name(&collection, &slug)?;
    let loaded = state.site.document(&name, &slug_name).await?;
    if !loaded.model.allows_delete() {
        return Err(AppError::Forbidden(crate::i18n::Message::key(
            "error-no-delete",
        )));
    }
    let title = match loaded.content.as_ref() {
        Ok(doc) => doc.title().unwrap_or_else(|| slug.clone()),
        Err(_) => slug.clone(),
    };
    let page = DeletePage {
        ctx: Layout::signed_in(&current).await?,
        collection_label: super::collection_label(Some(&loaded.model), &collection, current.lang),
        collection,
        slug: super::url_slug(&slug),
        title,
        base: loaded.blob.to_string(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct DeleteForm {
    base: String,
}

/// `POST /collections/{collection}/{slug}/delete`: deletes the document
/// (one commit), unless it changed since the confirmation was shown.
pub(super) async fn delete(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<Response, AppError> {
    let (name, slug_name) = crate::site::document_name(&collection, &slug)?;
    let base = ObjectId::parse(&form.base)
        .ok_or_else(|| AppError::BadRequest(current.lang.t("doc-no-base").into()))?;
    let edit = Edit {
        collection: name,
        slug: slug_name,
        base: Some(base),
        expected: None,
        attach: Vec::new(),
        action: Action::Delete,
    };
    match state
        .site
        .apply(edit, super::author_of(&current), state.clock.now())
        .await
    {
        Ok(_) => {
            session::set_flash(&current.session, current.lang.t("delete-done")).await?;
            Ok(Redirect::to(&format!("/collections/{collection}")).into_response())
        }
        Err(SiteError::Stale(_)) => Err(AppError::PreconditionFailed(
            current.lang.t("delete-stale").into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Saves a form kept when its author's session ended (see
/// `routes::keep_edit`), now that they signed in again: as if just posted,
/// so it is merged with what changed since or shown again as a conflict.
pub(super) async fn replay(
    state: &AppState,
    current: &CurrentUser,
    path: &str,
    body: &[u8],
) -> Result<Response, AppError> {
    if !current.user.role.can_edit() {
        return Err(AppError::Forbidden(crate::i18n::Message::key("error-role")));
    }
    let parts: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let bad_form = || AppError::BadRequest(crate::i18n::Message::key("error-bad-form"));
    match parts.as_slice() {
        ["collections", collection, "new"] => {
            let form: NewForm = serde_urlencoded::from_bytes(body).map_err(|_| bad_form())?;
            create_form(state, current, collection.to_string(), form).await
        }
        ["collections", collection, slug] => {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(body).map_err(|_| bad_form())?;
            save_form(
                state,
                current,
                collection.to_string(),
                slug.to_string(),
                crate::http::upload::Received {
                    texts: pairs,
                    files: Vec::new(),
                    too_large: false,
                },
            )
            .await
        }
        _ => Ok(Redirect::to("/").into_response()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ChoicesQuery {
    #[serde(default)]
    q: String,
}

/// `GET /choices/{collection}/{field}?q=`: up to 20 entries of a relation
/// field's source matching `q`, as `[{value, label}]`.
pub(super) async fn choices(
    State(state): State<AppState>,
    Path((collection, field)): Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<ChoicesQuery>,
) -> Result<Response, AppError> {
    let config = state.site.config().await?;
    let rel = config
        .model
        .collection(&collection)
        .and_then(|m| m.field(&field))
        .and_then(|f| f.relation.clone())
        .ok_or_else(|| AppError::NotFound(crate::i18n::Message::key("error-no-route")))?;
    let choices = state.site.choices(&rel).await?;
    let q: String = query.q.chars().take(200).collect();
    let found: Vec<serde_json::Value> = choices
        .search(&q, 20)
        .into_iter()
        .map(|c| serde_json::json!({"value": c.value, "label": c.label}))
        .collect();
    Ok(axum::Json(found).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct PreviewForm {
    #[serde(default)]
    text: String,
}

/// `POST /preview`: Markdown as the site would render it (sanitized, Liquid
/// shown as written), as an HTML fragment for the form's preview.
pub(super) async fn preview(CsrfForm(form): CsrfForm<PreviewForm>) -> Response {
    let html = render_preview(&form.text.replace("\r\n", "\n"));
    (
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

/// The preview of a body, with ids that cannot clash with the form's.
fn render_preview(body: &str) -> String {
    crate::content::markdown::to_html(body, crate::content::markdown::Ids::Prefixed("preview-"))
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct RenameForm {
    base: String,
    #[serde(default)]
    slug: String,
}

/// `POST /collections/{collection}/{slug}/rename`: moves the document to a
/// new address (a `/` puts it in a folder): one commit, its history follows.
pub(super) async fn rename(
    State(state): State<AppState>,
    current: CurrentUser,
    Path((collection, slug)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RenameForm>,
) -> Result<Response, AppError> {
    let (name, slug_name) = crate::site::document_name(&collection, &slug)?;
    let base = ObjectId::parse(&form.base)
        .ok_or_else(|| AppError::BadRequest(current.lang.t("doc-no-base").into()))?;
    let wanted = form.slug.trim().trim_matches('/');
    let new = crate::site::new_slug(wanted)?;
    let edit = Edit {
        collection: name,
        slug: slug_name,
        base: Some(base),
        expected: None,
        attach: Vec::new(),
        action: Action::Update(Update {
            rename: Some(new),
            ..Update::default()
        }),
    };
    let applied = state
        .site
        .apply(edit, super::author_of(&current), state.clock.now())
        .await?;
    let message = current
        .lang
        .t_with("doc-renamed", &[("slug", applied.slug.as_str().to_arg())]);
    session::set_flash(&current.session, message).await?;
    Ok(Redirect::to(&super::document_url(&collection, &applied.slug)).into_response())
}
