//! The content model a site declares: Cairn's own `_cairn.yml`, and Decap
//! (Netlify) CMS's `admin/config.yml`, read into one shape. Per field:
//! label and hint (each per language), widget, required, pattern, default,
//! options, bounds. `_cairn.yml` wins over Decap, field by field; fields
//! neither names are inferred from the documents ([`super::Schema`]).
//!
//! A broken or surprising file never stops anything: what cannot be used is
//! a [`Notice`] (file, line, what), and the rest of the model still applies.

use super::yaml::{self, Node};

/// Cairn's own configuration file, at the site's root.
pub const CAIRN_FILE: &str = "_cairn.yml";
/// Decap CMS's configuration, where Jekyll sites keep it.
pub const DECAP_FILE: &str = "admin/config.yml";

/// A text given once or per language (`{fr: "Nom", en: "Name"}`): the
/// catalogue's kind of text, so a rule's message can be said as one.
pub use crate::i18n::LocalText;

/// How a configured field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line (`string`).
    String,
    /// A picture from the media library, with its alt text (`image`).
    Image,
    /// Any file from the media library (`file`).
    File,
    /// Several lines (`text`, `markdown`).
    Text,
    /// A day (`date`, `datetime` with `time_format: false`).
    Date,
    Boolean,
    Number,
    /// One of `options` (or several, with `multiple`).
    Select,
    /// A list: of one-line items, or (with `fields`) of objects.
    List,
    /// Not shown; its value is kept (new documents get its default).
    Hidden,
    /// A map of named `fields`.
    Object,
    /// The Markdown body or a Markdown field: a toolbar and a preview.
    Markdown,
    /// Entries of another collection or of a data file (`relation`).
    Relation,
}

/// Where a relation's entries come from and what is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relation {
    /// A collection's name (`people`), or a data file (`_data/partners.yml`).
    pub collection: String,
    /// What is stored: a field's name, or `{{slug}}` for the entry's slug.
    pub value_field: String,
    /// The fields searched as you type.
    pub search_fields: Vec<String>,
    /// The fields shown for an entry.
    pub display_fields: Vec<String>,
}

/// One choice of a select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: LocalText,
}

/// What a configuration says about one field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldModel {
    pub name: String,
    pub label: LocalText,
    /// What one item of a list is called (`Partner` for `Partners`).
    pub label_singular: LocalText,
    pub hint: LocalText,
    pub kind: Option<Kind>,
    pub required: Option<bool>,
    /// A regular expression the value must match, and what to say if not.
    pub pattern: Option<(String, LocalText)>,
    pub default: Option<String>,
    pub options: Vec<Choice>,
    pub multiple: bool,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `int` for whole numbers (Decap's `value_type`).
    pub integer: bool,
    /// A number's step (Decap's `step`), for its box's arrows.
    pub step: Option<f64>,
    /// An object's fields, or the fields of each item of a list of objects.
    pub fields: Vec<FieldModel>,
    /// A relation's source.
    pub relation: Option<Relation>,
    /// An image's alt text field (`alt_field: alt`).
    pub alt_field: Option<String>,
    /// `alt_required: false`: an image may be saved without alt text.
    pub alt_required: Option<bool>,
    /// Where new files of this field go (`media_folder`), from the site's root.
    pub media_folder: Option<String>,
}

impl FieldModel {
    pub fn field(&self, name: &str) -> Option<&FieldModel> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// What a configuration says about one collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectionModel {
    pub name: String,
    pub label: LocalText,
    pub label_singular: LocalText,
    pub description: LocalText,
    pub fields: Vec<FieldModel>,
    /// `create: false` / `delete: false`: documents are not added or
    /// removed through Cairn. `None`: not said (allowed).
    pub create: Option<bool>,
    pub delete: Option<bool>,
    /// `sortable_fields`: the columns of the collection's page.
    pub sortable: Vec<String>,
    /// `slug`: how a new document's file is named (`{{year}}-{{slug}}`).
    pub slug: Option<String>,
    /// `summary`: how a document is named on the collection's page
    /// (`{{title}} ({{fields.year}})`).
    pub summary: Option<String>,
    /// `media_folder` / `public_folder` of this collection (issue 16).
    pub media_folder: Option<String>,
    pub public_folder: Option<String>,
}

/// Fills a Decap template (`{{slug}}`, `{{year}}`, `{{fields.name}}`,
/// `{{name}}`): each `{{...}}` is replaced by what `value` gives for its
/// name (`fields.` dropped), nothing when it gives nothing.
pub fn fill_template(template: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = after[..close].trim();
        let name = name.strip_prefix("fields.").unwrap_or(name);
        if let Some(v) = value(name) {
            out.push_str(&v);
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// The names a template uses (`fields.` dropped).
pub fn template_names(template: &str) -> Vec<String> {
    let out = std::cell::RefCell::new(Vec::new());
    fill_template(template, &|name| {
        out.borrow_mut().push(name.to_string());
        None
    });
    out.into_inner()
}

impl CollectionModel {
    pub fn allows_create(&self) -> bool {
        self.create != Some(false)
    }

    pub fn allows_delete(&self) -> bool {
        self.delete != Some(false)
    }
}

impl CollectionModel {
    pub fn field(&self, name: &str) -> Option<&FieldModel> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Something in a configuration file that Cairn did not use, and where.
#[derive(Debug, Clone)]
pub struct Notice {
    pub file: String,
    /// 1-based; 0 when the file as a whole.
    pub line: usize,
    /// What is wrong and what Cairn does instead, said in the reader's language.
    pub message: crate::i18n::Message,
}

impl PartialEq for Notice {
    fn eq(&self, other: &Notice) -> bool {
        // Messages compare by what they hold (their arguments have no `==`).
        self.file == other.file
            && self.line == other.line
            && format!("{:?}", self.message) == format!("{:?}", other.message)
    }
}

/// A notice's message from the catalogues.
fn say(key: &'static str, args: &[(&'static str, &str)]) -> crate::i18n::Message {
    use crate::i18n::ToArg;
    crate::i18n::Message::Key(key, args.iter().map(|(k, v)| (*k, v.to_arg())).collect())
}

/// The site's content model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub collections: Vec<CollectionModel>,
    pub notices: Vec<Notice>,
    /// The site's `media_folder` / `public_folder` (Cairn's file wins), for
    /// the media library.
    pub media_folder: Option<String>,
    pub public_folder: Option<String>,
    /// `media_types` in `_cairn.yml`: the extensions of the kinds of file
    /// the site takes (`[jpg, png, pdf]`); `None`: every kind Cairn accepts.
    pub media_types: Option<Vec<String>>,
}

/// Settings at the top of a configuration file, besides its collections.
#[derive(Debug, Default)]
struct Globals {
    media_folder: Option<String>,
    public_folder: Option<String>,
    media_types: Option<Vec<String>>,
}

impl Model {
    /// Where the site's Decap configuration is: `decap_config` in
    /// `_cairn.yml` (a path in the site, without `..`), else
    /// `admin/config.yml`.
    pub fn decap_file(cairn: Option<&[u8]>) -> String {
        let path = cairn
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|src| yaml::parse_top_level(src).ok())
            .and_then(|top| {
                let entry = top.entries.into_iter().find(|e| e.key == "decap_config")?;
                scalar(&entry.value).map(str::to_string)
            })
            .filter(|p| {
                !p.is_empty()
                    && !p.starts_with('/')
                    && p.split('/')
                        .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
            });
        path.unwrap_or_else(|| DECAP_FILE.to_string())
    }

    pub fn collection(&self, name: &str) -> Option<&CollectionModel> {
        self.collections.iter().find(|c| c.name == name)
    }

    /// The model from the two files' bytes (either may be absent).
    /// `collection_dirs` maps a Decap `folder` to a Jekyll collection:
    /// `(folder as the site has it, collection name)`.
    pub fn read(
        cairn: Option<&[u8]>,
        decap: Option<&[u8]>,
        collection_dirs: &[(String, String)],
    ) -> Model {
        Model::read_from(cairn, decap.map(|b| (DECAP_FILE, b)), collection_dirs)
    }

    /// [`Model::read`], with the Decap file's path (see [`Model::decap_file`]).
    pub fn read_from(
        cairn: Option<&[u8]>,
        decap: Option<(&str, &[u8])>,
        collection_dirs: &[(String, String)],
    ) -> Model {
        let mut notices = Vec::new();
        let (mut from_decap, mut from_cairn) = (Globals::default(), Globals::default());
        let decap = decap
            .map(|(file, b)| {
                read_file(
                    file,
                    b,
                    Flavor::Decap,
                    collection_dirs,
                    &mut notices,
                    &mut from_decap,
                )
            })
            .unwrap_or_default();
        let cairn = cairn
            .map(|b| {
                read_file(
                    CAIRN_FILE,
                    b,
                    Flavor::Cairn,
                    collection_dirs,
                    &mut notices,
                    &mut from_cairn,
                )
            })
            .unwrap_or_default();
        let mut collections = decap;
        for c in cairn {
            match collections.iter_mut().find(|d| d.name == c.name) {
                Some(d) => merge_collection(d, c),
                None => collections.push(c),
            }
        }
        Model {
            collections,
            notices,
            media_folder: from_cairn.media_folder.or(from_decap.media_folder),
            public_folder: from_cairn.public_folder.or(from_decap.public_folder),
            media_types: from_cairn.media_types,
        }
    }
}

fn merge_collection(into: &mut CollectionModel, over: CollectionModel) {
    into.label = std::mem::take(&mut into.label).or(over.label);
    into.label_singular = std::mem::take(&mut into.label_singular).or(over.label_singular);
    into.description = std::mem::take(&mut into.description).or(over.description);
    into.create = over.create.or(into.create);
    if !over.sortable.is_empty() {
        into.sortable = over.sortable;
    }
    into.delete = over.delete.or(into.delete);
    into.slug = over.slug.or(into.slug.take());
    into.summary = over.summary.or(into.summary.take());
    into.media_folder = over.media_folder.or(into.media_folder.take());
    into.public_folder = over.public_folder.or(into.public_folder.take());
    merge_fields(&mut into.fields, over.fields);
}

/// Merges `over` into `into` field by field: what `over` says wins.
fn merge_fields(into: &mut Vec<FieldModel>, over: Vec<FieldModel>) {
    for f in over {
        match into.iter_mut().find(|g| g.name == f.name) {
            None => into.push(f),
            Some(g) => {
                g.label = std::mem::take(&mut g.label).or(f.label);
                g.hint = std::mem::take(&mut g.hint).or(f.hint);
                g.label_singular = std::mem::take(&mut g.label_singular).or(f.label_singular);
                g.kind = f.kind.or(g.kind);
                g.required = f.required.or(g.required);
                g.pattern = match (g.pattern.take(), f.pattern) {
                    // The same rule said again: its messages merge.
                    (Some((a, m)), Some((b, n))) if a == b => Some((a, m.or(n))),
                    (old, new) => new.or(old),
                };
                g.default = f.default.or(g.default.take());
                if !f.options.is_empty() {
                    g.options = f.options;
                    g.multiple = f.multiple;
                }
                g.multiple = f.multiple || g.multiple;
                g.min = f.min.or(g.min);
                g.max = f.max.or(g.max);
                g.integer = f.integer || g.integer;
                g.step = f.step.or(g.step);
                g.relation = f.relation.or(g.relation.take());
                merge_fields(&mut g.fields, f.fields);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Cairn,
    Decap,
}

/// Where a byte offset is, as a 1-based line.
fn line_at(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn span_of(node: &Node) -> std::ops::Range<usize> {
    match node {
        Node::Scalar { span, .. }
        | Node::Sequence { span, .. }
        | Node::Mapping { span, .. }
        | Node::Alias { span, .. } => span.clone(),
    }
}

fn scalar(node: &Node) -> Option<&str> {
    match node {
        Node::Scalar { value, .. } => Some(value.as_str()),
        _ => None,
    }
}

fn local_text(node: &Node) -> Option<LocalText> {
    match node {
        Node::Scalar { value, .. } => Some(LocalText {
            any: Some(value.clone()),
            by_language: Vec::new(),
        }),
        Node::Mapping { entries, .. } => Some(LocalText {
            any: None,
            by_language: entries
                .iter()
                .filter_map(|(k, v)| scalar(v).map(|t| (k.clone(), t.to_string())))
                .collect(),
        }),
        _ => None,
    }
}

/// Reads one file's `collections`.
fn read_file(
    file: &str,
    bytes: &[u8],
    flavor: Flavor,
    dirs: &[(String, String)],
    notices: &mut Vec<Notice>,
    globals: &mut Globals,
) -> Vec<CollectionModel> {
    let notice = |notices: &mut Vec<Notice>, line: usize, message: crate::i18n::Message| {
        notices.push(Notice {
            file: file.to_string(),
            line,
            message,
        })
    };
    let Ok(src) = std::str::from_utf8(bytes) else {
        notice(notices, 0, say("config-not-utf8", &[]));
        return Vec::new();
    };
    let top = match yaml::parse_top_level(src) {
        Ok(top) => top,
        Err(e) => {
            notice(
                notices,
                e.line,
                say("config-yaml", &[("detail", &e.message)]),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let known = match flavor {
        Flavor::Cairn => [
            "collections",
            "media_folder",
            "public_folder",
            "decap_config",
            "media_types",
        ]
        .as_slice(),
        // Decap's settings Cairn has no use for (yet) are not worth a notice.
        Flavor::Decap => [
            "collections",
            "backend",
            "media_folder",
            "public_folder",
            "site_url",
            "display_url",
            "logo_url",
            "publish_mode",
            "local_backend",
            "locale",
            "slug",
            "show_preview_links",
            "search",
            "editor",
        ]
        .as_slice(),
    };
    for entry in &top.entries {
        if !known.contains(&entry.key.as_str()) {
            notice(
                notices,
                line_at(src, entry.key_span.start),
                say("config-unknown-setting", &[("key", &entry.key)]),
            );
        }
    }
    let global = |key: &str| {
        top.entries
            .iter()
            .find(|e| e.key == key)
            .and_then(|e| scalar(&e.value))
            .map(str::to_string)
    };
    globals.media_folder = global("media_folder");
    globals.public_folder = global("public_folder");
    if let Some(e) = top.entries.iter().find(|e| e.key == "media_types") {
        let items: Vec<&Node> = match &e.value {
            Node::Sequence { items, .. } => items.iter().collect(),
            other => vec![other],
        };
        let mut types = Vec::new();
        for item in items {
            let t = scalar(item).unwrap_or_default().trim().to_ascii_lowercase();
            let t = if t == "jpeg" { "jpg".to_string() } else { t };
            if super::media::ACCEPTED.iter().any(|a| a.extension == t) {
                types.push(t);
            } else {
                notice(
                    notices,
                    line_at(src, e.key_span.start),
                    say("config-media-type", &[("type", &t)]),
                );
            }
        }
        globals.media_types = Some(types);
    }
    let Some(collections) = top.entries.iter().find(|e| e.key == "collections") else {
        return out;
    };
    // Cairn's file: `collections: {projects: {label: ..., fields: [...]}}`;
    // Decap's: `collections: [{name: ..., folder: ..., fields: [...]}]`.
    let items: Vec<(Option<String>, &Node)> = match &collections.value {
        Node::Mapping { entries, .. } => {
            entries.iter().map(|(k, v)| (Some(k.clone()), v)).collect()
        }
        Node::Sequence { items, .. } => items.iter().map(|v| (None, v)).collect(),
        other => {
            notice(
                notices,
                line_at(src, span_of(other).start),
                say("config-collections-shape", &[]),
            );
            return out;
        }
    };
    for (key, node) in items {
        let line = line_at(src, span_of(node).start);
        let Node::Mapping { entries, .. } = node else {
            notice(notices, line, say("config-collection-shape", &[]));
            continue;
        };
        let get = |k: &str| entries.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        let name = key.or_else(|| get("name").and_then(scalar).map(str::to_string));
        let Some(mut name) = name else {
            notice(notices, line, say("config-collection-no-name", &[]));
            continue;
        };
        if flavor == Flavor::Decap {
            // A folder collection whose folder is a Jekyll collection's.
            match get("folder").and_then(scalar) {
                Some(folder) => {
                    let folder = folder.trim_matches('/');
                    match dirs.iter().find(|(dir, _)| dir == folder) {
                        Some((_, jekyll)) => name = jekyll.clone(),
                        None => {
                            notice(
                                notices,
                                line,
                                say(
                                    "config-collection-folder",
                                    &[("name", &name), ("folder", folder)],
                                ),
                            );
                            continue;
                        }
                    }
                }
                None => {
                    notice(
                        notices,
                        line,
                        say("config-collection-no-folder", &[("name", &name)]),
                    );
                    continue;
                }
            }
        }
        let mut c = CollectionModel {
            name,
            ..CollectionModel::default()
        };
        for (k, v) in entries {
            match k.as_str() {
                "label" => c.label = local_text(v).unwrap_or_default(),
                "label_singular" => c.label_singular = local_text(v).unwrap_or_default(),
                "description" => c.description = local_text(v).unwrap_or_default(),
                "fields" => c.fields = read_fields(src, v, flavor, file, notices),
                "create" => c.create = scalar(v).map(|s| s == "true"),
                "sortable_fields" => {
                    if let Node::Sequence { items, .. } = v {
                        c.sortable = items
                            .iter()
                            .filter_map(|i| match i {
                                Node::Mapping { entries, .. } => entries
                                    .iter()
                                    .find(|(k, _)| k == "field")
                                    .and_then(|(_, v)| scalar(v)),
                                other => scalar(other),
                            })
                            .map(str::to_string)
                            .collect();
                    }
                }
                "delete" => c.delete = scalar(v).map(|s| s == "true"),
                "slug" => c.slug = scalar(v).map(str::to_string),
                "summary" => c.summary = scalar(v).map(str::to_string),
                "media_folder" => c.media_folder = scalar(v).map(str::to_string),
                "public_folder" => c.public_folder = scalar(v).map(str::to_string),
                "name" | "folder" | "extension" | "format" | "identifier_field" | "filter"
                | "editor" | "preview_path" => {}
                other => notice(
                    notices,
                    line_at(src, span_of(v).start),
                    say(
                        "config-collection-unknown",
                        &[("name", &c.name), ("key", other)],
                    ),
                ),
            }
        }
        out.push(c);
    }
    out
}

fn read_fields(
    src: &str,
    node: &Node,
    flavor: Flavor,
    file: &str,
    notices: &mut Vec<Notice>,
) -> Vec<FieldModel> {
    // Notices of nested fields, added after this level's own.
    let mut deferred = Vec::new();
    let mut notice = |line: usize, message: crate::i18n::Message| {
        notices.push(Notice {
            file: file.to_string(),
            line,
            message,
        })
    };
    let Node::Sequence { items, .. } = node else {
        notice(
            line_at(src, span_of(node).start),
            say("config-fields-shape", &[]),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let line = line_at(src, span_of(item).start);
        let Node::Mapping { entries, .. } = item else {
            notice(line, say("config-field-shape", &[]));
            continue;
        };
        let get = |k: &str| entries.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        let Some(name) = get("name").and_then(scalar) else {
            notice(line, say("config-field-no-name", &[]));
            continue;
        };
        let mut f = FieldModel {
            name: name.to_string(),
            // Decap requires every field unless told otherwise.
            required: (flavor == Flavor::Decap).then_some(true),
            ..FieldModel::default()
        };
        let mut time_format = true;
        for (k, v) in entries {
            let at = line_at(src, span_of(v).start);
            match k.as_str() {
                "name" => {}
                "label" => f.label = local_text(v).unwrap_or_default(),
                "label_singular" => f.label_singular = local_text(v).unwrap_or_default(),
                "hint" => f.hint = local_text(v).unwrap_or_default(),
                "required" => f.required = scalar(v).map(|s| s == "true"),
                "default" => f.default = scalar(v).map(str::to_string),
                "multiple" => f.multiple = scalar(v) == Some("true"),
                "min" => f.min = scalar(v).and_then(|s| s.parse().ok()),
                "max" => f.max = scalar(v).and_then(|s| s.parse().ok()),
                "value_type" => f.integer = scalar(v) == Some("int"),
                "step" => {
                    f.step = scalar(v)
                        .and_then(|s| s.parse().ok())
                        .filter(|s: &f64| *s > 0.0)
                }
                "time_format" => time_format = scalar(v) != Some("false"),
                "pattern" => match v {
                    Node::Sequence { items, .. } if !items.is_empty() => {
                        let regex = scalar(&items[0]).unwrap_or_default().to_string();
                        if regex::Regex::new(&regex).is_err() {
                            notice(
                                at,
                                say("config-pattern-bad", &[("name", name), ("regex", &regex)]),
                            );
                        } else {
                            let message = items.get(1).and_then(local_text).unwrap_or_default();
                            f.pattern = Some((regex, message));
                        }
                    }
                    _ => notice(at, say("config-pattern-shape", &[("name", name)])),
                },
                "options" => match v {
                    Node::Sequence { items, .. } => {
                        for o in items {
                            match o {
                                Node::Scalar { value, .. } => f.options.push(Choice {
                                    value: value.clone(),
                                    label: LocalText::default(),
                                }),
                                Node::Mapping { entries, .. } => {
                                    let value = entries
                                        .iter()
                                        .find(|(n, _)| n == "value")
                                        .and_then(|(_, v)| scalar(v));
                                    let label = entries
                                        .iter()
                                        .find(|(n, _)| n == "label")
                                        .and_then(|(_, v)| local_text(v));
                                    match value {
                                        Some(value) => f.options.push(Choice {
                                            value: value.to_string(),
                                            label: label.unwrap_or_default(),
                                        }),
                                        None => notice(
                                            at,
                                            say("config-option-no-value", &[("name", name)]),
                                        ),
                                    }
                                }
                                _ => notice(at, say("config-option-shape", &[("name", name)])),
                            }
                        }
                    }
                    _ => notice(at, say("config-options-shape", &[("name", name)])),
                },
                "widget" => {
                    let widget = scalar(v).unwrap_or_default();
                    f.kind = match widget {
                        "string" => Some(Kind::String),
                        "image" => Some(Kind::Image),
                        "file" => Some(Kind::File),
                        "text" => Some(Kind::Text),
                        "markdown" => Some(Kind::Markdown),
                        "object" => Some(Kind::Object),
                        "relation" => Some(Kind::Relation),
                        "date" | "datetime" => Some(Kind::Date),
                        "boolean" => Some(Kind::Boolean),
                        "number" => Some(Kind::Number),
                        "select" => Some(Kind::Select),
                        "list" => Some(Kind::List),
                        "hidden" => Some(Kind::Hidden),
                        "code" | "color" | "map" | "uuid" => {
                            notice(
                                at,
                                say("config-widget-later", &[("name", name), ("widget", widget)]),
                            );
                            None
                        }
                        _ => {
                            notice(
                                at,
                                say(
                                    "config-widget-unknown",
                                    &[("name", name), ("widget", widget)],
                                ),
                            );
                            None
                        }
                    };
                }
                "fields" => f.fields = read_fields(src, v, flavor, file, &mut deferred),
                "field" => {
                    // A list of single values: its one field, unnamed.
                    let one = Node::Sequence {
                        items: vec![v.clone()],
                        flow: false,
                        span: span_of(v),
                    };
                    let mut inner = read_fields(src, &one, flavor, file, &mut deferred);
                    if let Some(item) = inner.pop() {
                        f.kind = f.kind.or(Some(Kind::List));
                        f.relation = item.relation.clone();
                        f.options = item.options.clone();
                    }
                }
                "collection" | "value_field" | "search_fields" | "display_fields" => {
                    let rel = f.relation.get_or_insert_with(Relation::default);
                    let list = |v: &Node| match v {
                        Node::Sequence { items, .. } => items
                            .iter()
                            .filter_map(scalar)
                            .map(str::to_string)
                            .collect(),
                        other => scalar(other)
                            .map(|s| vec![s.to_string()])
                            .unwrap_or_default(),
                    };
                    match k.as_str() {
                        "collection" => rel.collection = scalar(v).unwrap_or_default().to_string(),
                        "value_field" => {
                            rel.value_field = scalar(v).unwrap_or_default().to_string()
                        }
                        "search_fields" => rel.search_fields = list(v),
                        _ => rel.display_fields = list(v),
                    }
                }
                "types" | "summary" | "collapsed" | "allow_add" | "i18n" | "comment"
                | "public_folder" | "choose_url" | "date_format" | "format" | "picker_utc"
                | "buttons" | "editor_components" | "modes" | "sanitize_preview" => {}
                "alt_field" => f.alt_field = scalar(v).map(str::to_string),
                "alt_required" => f.alt_required = scalar(v).map(|s| s != "false"),
                "media_folder" => {
                    f.media_folder =
                        scalar(v)
                            .map(|s| s.trim_matches('/').to_string())
                            .filter(|s| {
                                !s.is_empty()
                                    && s.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
                            })
                }
                other => notice(
                    at,
                    say("config-field-unknown", &[("name", name), ("key", other)]),
                ),
            }
        }
        if f.kind == Some(Kind::Date) && time_format && flavor == Flavor::Decap {
            // A datetime with its time: edited as a day would lose the time.
            let widget = get("widget").and_then(scalar).unwrap_or_default();
            if widget == "datetime" {
                notice(line, say("config-datetime", &[("name", name)]));
                f.kind = Some(Kind::String);
            }
        }
        out.push(f);
    }
    notices.extend(deferred);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIRS: &[(&str, &str)] = &[("_projects", "projects")];

    fn dirs() -> Vec<(String, String)> {
        DIRS.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn decap_and_cairn_files_merge_field_by_field() {
        let decap = br#"backend:
  name: git-gateway
collections:
  - name: projects
    label: Projects
    label_singular: Project
    folder: _projects
    fields:
      - {label: Name, name: name, widget: string}
      - {label: Category, name: category, widget: select, options: [research, innovation]}
      - {label: Layout, name: layout, widget: hidden, default: projects}
      - {label: Start, name: start_date, widget: datetime, time_format: false, required: false}
      - label: Code
        name: code
        widget: string
        pattern: ['^[A-Z]{3}$', "Three capital letters"]
  - name: pages
    folder: pages
    fields: []
"#;
        let cairn = r#"collections:
  projects:
    label: {fr: Projets, en: Projects}
    fields:
      - name: name
        label: {fr: Nom du projet, en: Project name}
        hint: {fr: "Tel qu'il paraît sur le site", en: As shown on the site}
      - name: budget
        widget: number
        min: 0
        value_type: int
        colour: blue
"#;
        let model = Model::read(Some(cairn.as_bytes()), Some(decap), &dirs());
        let p = model.collection("projects").expect("projects");
        assert_eq!(p.label.get("fr"), Some("Projets"));
        assert_eq!(p.label_singular.get("fr"), Some("Project"), "from Decap");
        let name = p.field("name").expect("name");
        assert_eq!(name.label.get("fr"), Some("Nom du projet"));
        assert_eq!(name.label.get("en"), Some("Project name"));
        assert_eq!(name.hint.get("en"), Some("As shown on the site"));
        assert_eq!(name.kind, Some(Kind::String), "Decap's widget kept");
        assert_eq!(name.required, Some(true), "Decap's default");
        let category = p.field("category").expect("category");
        assert_eq!(category.kind, Some(Kind::Select));
        let values: Vec<&str> = category.options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(values, ["research", "innovation"]);
        assert_eq!(p.field("layout").and_then(|f| f.kind), Some(Kind::Hidden));
        assert_eq!(
            p.field("layout").and_then(|f| f.default.clone()).as_deref(),
            Some("projects")
        );
        let start = p.field("start_date").expect("start");
        assert_eq!(
            (start.kind, start.required),
            (Some(Kind::Date), Some(false))
        );
        let code = p.field("code").expect("code");
        let (regex, message) = code.pattern.clone().expect("pattern");
        assert_eq!(regex, "^[A-Z]{3}$");
        assert_eq!(message.get("fr"), Some("Three capital letters"));
        let budget = p.field("budget").expect("budget");
        assert_eq!(
            (budget.kind, budget.min, budget.integer),
            (Some(Kind::Number), Some(0.0), true)
        );
        assert_eq!(
            budget.required, None,
            "Cairn's own file requires nothing unless told"
        );
        // What was not used is said, with its line.
        let said: Vec<(&str, usize, String)> = model
            .notices
            .iter()
            .map(|n| {
                (
                    n.file.as_str(),
                    n.line,
                    n.message.in_lang(crate::i18n::Lang::En),
                )
            })
            .collect();
        assert!(
            said.iter()
                .any(|(f, l, m)| *f == CAIRN_FILE && *l == 12 && m.contains("colour")),
            "{said:?}"
        );
        assert!(
            said.iter()
                .any(|(f, _, m)| *f == DECAP_FILE && m.contains("folder “pages”")),
            "{said:?}"
        );
        assert!(model.collection("pages").is_none());
    }

    #[test]
    fn the_decap_file_can_be_elsewhere_and_media_folders_are_read() {
        assert_eq!(Model::decap_file(None), DECAP_FILE);
        assert_eq!(
            Model::decap_file(Some(b"decap_config: cms/config.yml\n")),
            "cms/config.yml"
        );
        for bad in ["../etc/passwd", "/abs.yml", "a//b.yml", "./x.yml"] {
            let text = format!("decap_config: {bad}\n");
            assert_eq!(
                Model::decap_file(Some(text.as_bytes())),
                DECAP_FILE,
                "{bad}"
            );
        }
        let model = Model::read_from(
            Some(b"public_folder: /media\n"),
            Some(("cms/config.yml", b"media_folder: assets/images\npublic_folder: /assets/images\ncollections: [{name: x, folder: nowhere}]\n")),
            &dirs(),
        );
        assert_eq!(model.media_folder.as_deref(), Some("assets/images"));
        assert_eq!(
            model.public_folder.as_deref(),
            Some("/media"),
            "Cairn's file wins"
        );
        assert!(
            model.notices.iter().all(|n| n.file == "cms/config.yml"),
            "notices name the file read: {:?}",
            model.notices
        );
    }

    #[test]
    fn the_demo_sites_file_reads_whole_in_both_languages() {
        let model = Model::read(
            Some(include_bytes!("../site/demo/_cairn.yml")),
            None,
            &dirs(),
        );
        assert!(model.notices.is_empty(), "{:?}", model.notices);
        let p = model.collection("projects").expect("projects");
        for f in &p.fields {
            for lang in ["en", "fr"] {
                if f.kind != Some(Kind::Hidden) {
                    assert!(
                        f.label.by_language.iter().any(|(l, _)| l == lang),
                        "{} in {lang}",
                        f.name
                    );
                }
                // A hint cut at a comma (flow style) ends without its stop.
                if let Some(hint) = f.hint.by_language.iter().find(|(l, _)| l == lang) {
                    let words = hint.1.split_whitespace().count();
                    assert!(
                        words >= 3,
                        "{}'s {lang} hint looks cut: {:?}",
                        f.name,
                        hint.1
                    );
                }
            }
        }
        assert_eq!(
            p.field("alt").and_then(|f| f.hint.get("fr")),
            Some("Ce que montre l'image, pour qui ne peut pas la voir.")
        );
        assert_eq!(p.field("layout").and_then(|f| f.kind), Some(Kind::Hidden));
    }

    #[test]
    fn broken_files_are_notices_never_errors() {
        let model = Model::read(
            Some(b"collections:\n  projects: [unclosed\n"),
            Some(b"collections:\n  - name: p\n    folder: _projects\n    fields:\n      - {name: a, widget: carousel}\n      - {name: b, widget: string, pattern: ['(', x]}\n"),
            &dirs(),
        );
        assert_eq!(model.notices.len(), 3, "{:?}", model.notices);
        assert!(
            model
                .notices
                .iter()
                .any(|n| n.file == CAIRN_FILE && n.line >= 2)
        );
        assert!(model.notices.iter().any(|n| {
            n.message
                .in_lang(crate::i18n::Lang::En)
                .contains("no “carousel” widget")
        }));
        assert!(model.notices.iter().any(|n| {
            n.message
                .in_lang(crate::i18n::Lang::En)
                .contains("not a regular expression")
        }));
        let p = model
            .collection("projects")
            .expect("Decap's part still applies");
        assert_eq!(p.field("a").and_then(|f| f.kind), None, "inferred instead");
        assert!(p.field("b").and_then(|f| f.pattern.clone()).is_none());
    }
}
