//! Site health: every file of the branch tip that Jekyll reads differently
//! from how it looks. A byte order mark before the front matter (the file
//! is copied as it is), front matter that does not parse, repeats a key or
//! carries a YAML tag, dates that are not dates, documents in folders no
//! collection reads, posts whose names are not dated, two pages at one
//! address, links and images to files the site does not have, relation
//! values whose entry is gone, and values that break the content model's
//! rules. Each finding names the file and line, what Jekyll will do and
//! what to do; `cairn check` prints them and the admins' "Site health" page
//! shows them.

use super::{Ctx, Site, SiteError, choices_at, load_config};
use crate::content::model::Kind as FieldKind;
use crate::content::yaml::PlainMeaning;
use crate::content::{CollectionKind, DOCUMENT_EXTENSIONS, Document, NotADocument, SiteConfig};
use crate::i18n::{Lang, Message, ToArg};
use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    ByteOrderMark,
    BrokenFrontMatter,
    DuplicateKey,
    YamlTag,
    NotADate,
    OutsideCollections,
    NotAPost,
    PermalinkCollision,
    MissingFile,
    RelationGone,
    ModelRule,
}

impl Kind {
    /// Its name in `cairn check --format json`.
    pub fn code(self) -> &'static str {
        match self {
            Kind::ByteOrderMark => "byte-order-mark",
            Kind::BrokenFrontMatter => "broken-front-matter",
            Kind::DuplicateKey => "duplicate-key",
            Kind::YamlTag => "yaml-tag",
            Kind::NotADate => "not-a-date",
            Kind::OutsideCollections => "outside-collections",
            Kind::NotAPost => "not-a-post",
            Kind::PermalinkCollision => "permalink-collision",
            Kind::MissingFile => "missing-file",
            Kind::RelationGone => "relation-gone",
            Kind::ModelRule => "model-rule",
        }
    }

    /// The catalogue keys: what Jekyll does, and what to do about it.
    fn keys(self) -> (&'static str, &'static str) {
        match self {
            Kind::ByteOrderMark => ("check-bom-jekyll", "check-bom-fix"),
            Kind::BrokenFrontMatter => ("check-broken-jekyll", "check-broken-fix"),
            Kind::DuplicateKey => ("check-duplicate-jekyll", "check-duplicate-fix"),
            Kind::YamlTag => ("check-tag-jekyll", "check-tag-fix"),
            Kind::NotADate => ("check-date-jekyll", "check-date-fix"),
            Kind::OutsideCollections => ("check-outside-jekyll", "check-outside-fix"),
            Kind::NotAPost => ("check-post-jekyll", "check-post-fix"),
            Kind::PermalinkCollision => ("check-permalink-jekyll", "check-permalink-fix"),
            Kind::MissingFile => ("check-missing-jekyll", "check-missing-fix"),
            Kind::RelationGone => ("check-relation-jekyll", "check-relation-fix"),
            Kind::ModelRule => ("check-rule-jekyll", "check-rule-fix"),
        }
    }
}

/// One thing Jekyll reads differently from how it looks.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The file, from the site's root.
    pub path: String,
    /// 1-based.
    pub line: usize,
    pub kind: Kind,
    /// What is wrong, in words.
    pub what: Message,
}

impl Finding {
    /// What Jekyll will do with it.
    pub fn jekyll(&self, lang: Lang) -> String {
        lang.t(self.kind.keys().0)
    }

    /// What to do about it.
    pub fn fix(&self, lang: Lang) -> String {
        lang.t(self.kind.keys().1)
    }
}

/// What a check found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The commit checked.
    pub commit: super::ObjectId,
    /// Files read.
    pub files: usize,
    /// By file, then line.
    pub findings: Vec<Finding>,
}

impl Site {
    /// What Jekyll reads differently at the branch tip.
    pub async fn health(&self) -> Result<Report, SiteError> {
        self.blocking(|cx| check_at(&cx)).await
    }
}

/// Checks a repository's branch tip on its own (`cairn check`: no data
/// folder, no database).
pub fn check_repo(repo: &crate::git::Repo) -> Result<Report, SiteError> {
    let cache = super::cache::Cache::default();
    check_at(&Ctx {
        repo,
        cache: &cache,
    })
}

/// Front matter Cairn will not edit that Jekyll reads well all the same.
const CAIRN_ONLY: [&str; 3] = ["larger than", "recursion limit", "only plain text keys"];

/// Folders Jekyll reads for what they are, not as documents.
const TEMPLATE_FOLDERS: [&str; 6] = [
    "_layouts",
    "_includes",
    "_sass",
    "_data",
    "_plugins",
    "_site",
];

/// Files a link may point at that no Jekyll page makes: what a missing one
/// is sure to be (a page's address, or a file a plugin writes, is not).
const FILE_TYPES: [&str; 24] = [
    "jpg", "jpeg", "png", "gif", "webp", "avif", "svg", "ico", "bmp", "tif", "tiff", "pdf", "mp4",
    "webm", "mov", "mp3", "ogg", "wav", "zip", "doc", "docx", "xlsx", "pptx", "csv",
];

/// Other files no one writes front matter in.
const BINARY: [&str; 12] = [
    "woff", "woff2", "ttf", "otf", "eot", "gz", "tgz", "jar", "exe", "so", "psd", "heic",
];

fn check_at(cx: &Ctx<'_>) -> Result<Report, SiteError> {
    let tip = cx.repo.tip()?;
    let config = load_config(cx)?;
    let listing = cx.repo.every_file_at(&tip)?;
    let present: HashSet<&str> = listing.entries.iter().map(|e| e.name.as_str()).collect();
    let readable: Vec<&crate::git::DirEntry> = listing
        .entries
        .iter()
        // Jekyll reads front matter from a file of any type: all but the
        // binary ones are looked at.
        .filter(|e| {
            e.name.rsplit_once('.').is_none_or(|(_, ext)| {
                let ext = ext.to_ascii_lowercase();
                !FILE_TYPES.contains(&ext.as_str()) && !BINARY.contains(&ext.as_str())
            })
        })
        .filter(|e| !e.name.split('/').any(|s| s.starts_with('.')))
        .filter(|e| !TEMPLATE_FOLDERS.contains(&e.name.split('/').next().unwrap_or_default()))
        .collect();
    let ids: Vec<super::ObjectId> = readable.iter().map(|e| e.blob.clone()).collect();
    let blobs = cx.repo.read_blobs(&ids)?;
    let mut findings = Vec::new();
    let mut addresses: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for (entry, bytes) in readable.iter().zip(blobs) {
        let Some(bytes) = bytes else { continue };
        let path = entry.name.as_str();
        let mut found = |line: usize, kind: Kind, what: Message| {
            findings.push(Finding {
                path: path.to_string(),
                line,
                kind,
                what,
            })
        };
        let collection = config.collection_at(path);
        let doc = match Document::parse(&bytes) {
            Ok(doc) => doc,
            Err(NotADocument::ByteOrderMark) => {
                found(1, Kind::ByteOrderMark, Message::key("check-bom"));
                continue;
            }
            Err(NotADocument::Unterminated) => {
                found(
                    1,
                    Kind::BrokenFrontMatter,
                    Message::Key(
                        "check-broken",
                        vec![("why", NotADocument::Unterminated.to_string().to_arg())],
                    ),
                );
                continue;
            }
            // No front matter: a static file Jekyll copies, as it looks.
            Err(_) => continue,
        };
        if let Some(e) = doc.front_matter_error() {
            let line = e.line.unwrap_or(1);
            let what = |key| Message::Key(key, vec![("why", e.message.to_arg())]);
            if e.message.starts_with("duplicate key") {
                found(line, Kind::DuplicateKey, what("check-duplicate"));
            } else if e.message.contains("tags are not supported") {
                found(line, Kind::YamlTag, what("check-tag"));
            } else if !CAIRN_ONLY.iter().any(|m| e.message.contains(m)) {
                found(line, Kind::BrokenFrontMatter, what("check-broken"));
            }
            continue;
        }
        let top = path.split('/').next().unwrap_or_default();
        let Some((collection, relative)) = collection else {
            if path.contains('/') && top.starts_with('_') {
                found(
                    1,
                    Kind::OutsideCollections,
                    Message::Key("check-outside", vec![("folder", top.to_arg())]),
                );
                continue;
            }
            if path.split('/').any(|s| s.starts_with('_')) {
                continue;
            }
            if !path
                .rsplit_once('.')
                .is_some_and(|(_, ext)| DOCUMENT_EXTENSIONS.contains(&ext))
            {
                continue;
            }
            // A page of the site: its address, and its links.
            let address = page_address(&doc, path);
            addresses
                .entry(address)
                .or_default()
                .push((path.to_string(), permalink_line(&doc)));
            links(&doc, &present, &config, &mut found);
            continue;
        };
        if collection.slug_of(relative).is_none() {
            if collection.kind == CollectionKind::Posts {
                found(1, Kind::NotAPost, Message::key("check-post"));
            }
            continue;
        }
        if let Some(address) = document_address(&doc, collection, relative) {
            addresses
                .entry(address)
                .or_default()
                .push((path.to_string(), permalink_line(&doc)));
        }
        // `date` is read as a time by Jekyll; a model's date field as a day.
        let model = config.model.collection(&collection.name);
        let mut dates: Vec<&str> = vec!["date"];
        if let Some(model) = model {
            dates.extend(
                model
                    .fields
                    .iter()
                    .filter(|f| f.kind == Some(FieldKind::Date))
                    .map(|f| f.name.as_str()),
            );
        }
        for key in dates {
            let text = doc.field(key).and_then(|v| match v {
                crate::content::FieldView::Text(t) => Some(t),
                _ => None,
            });
            let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            let typed = matches!(
                doc.scalar_meaning(key),
                Some(PlainMeaning::Date | PlainMeaning::Timestamp)
            );
            if !typed && !DATE.as_ref().is_some_and(|re| re.is_match(text.trim())) {
                found(
                    line_of(&doc, key),
                    Kind::NotADate,
                    Message::Key(
                        "check-date",
                        vec![("field", key.to_arg()), ("value", text.to_arg())],
                    ),
                );
            }
        }
        if let Some(model) = model {
            for (field, rule) in super::broken_rules(model, &doc) {
                found(
                    line_of(&doc, &field),
                    Kind::ModelRule,
                    Message::Joined(vec![Message::Text(format!("{field}:")), rule]),
                );
            }
            for field in &model.fields {
                let Some(rel) = field.relation.as_ref().filter(|r| !r.collection.is_empty()) else {
                    continue;
                };
                let values = match doc.field(&field.name) {
                    Some(crate::content::FieldView::Text(s)) if !s.is_empty() => vec![s],
                    Some(crate::content::FieldView::List(items)) => items,
                    _ => continue,
                };
                let choices = choices_at(cx, rel)?;
                for value in values.iter().filter(|v| choices.find(v).is_none()) {
                    found(
                        line_of(&doc, &field.name),
                        Kind::RelationGone,
                        Message::Key(
                            "check-relation",
                            vec![
                                ("field", field.name.to_arg()),
                                ("value", value.to_arg()),
                                ("collection", rel.collection.to_arg()),
                            ],
                        ),
                    );
                }
            }
        }
        links(&doc, &present, &config, &mut found);
    }
    for (address, files) in &addresses {
        if files.len() < 2 {
            continue;
        }
        for (path, line) in files {
            let others: Vec<&str> = files
                .iter()
                .filter(|(p, _)| p != path)
                .map(|(p, _)| p.as_str())
                .collect();
            findings.push(Finding {
                path: path.clone(),
                line: *line,
                kind: Kind::PermalinkCollision,
                what: Message::Key(
                    "check-permalink",
                    vec![
                        ("address", address.to_arg()),
                        ("others", others.join(", ").to_arg()),
                    ],
                ),
            });
        }
    }
    findings
        .sort_by(|a, b| (a.path.as_str(), a.line, a.kind).cmp(&(b.path.as_str(), b.line, b.kind)));
    // The same link twice on one line is one finding.
    findings.dedup_by(|a, b| {
        a.path == b.path
            && a.line == b.line
            && a.kind == b.kind
            && a.what.in_lang(Lang::En) == b.what.in_lang(Lang::En)
    });
    Ok(Report {
        commit: tip,
        files: listing.entries.len(),
        findings,
    })
}

/// The 1-based line of a field's key in the file.
fn line_of(doc: &Document, key: &str) -> usize {
    doc.field_lines(key)
        .map_or(1, |r| doc.as_str()[..r.start].matches('\n').count() + 1)
}

fn permalink_line(doc: &Document) -> usize {
    if doc.field_lines("permalink").is_some() {
        line_of(doc, "permalink")
    } else {
        1
    }
}

/// A page's own `permalink`, normalized.
fn own_permalink(doc: &Document) -> Option<String> {
    match doc.field("permalink") {
        Some(crate::content::FieldView::Text(p)) if !p.trim().is_empty() => {
            Some(normalize(p.trim()))
        }
        _ => None,
    }
}

/// `/a//b/index.html` → `/a/b/`.
fn normalize(url: &str) -> String {
    let mut out = format!("/{}", url.trim_start_matches('/'));
    while out.contains("//") {
        out = out.replace("//", "/");
    }
    if let Some(dir) = out.strip_suffix("index.html") {
        out = dir.to_string();
    }
    out
}

/// Where Jekyll writes a page outside the collections.
fn page_address(doc: &Document, path: &str) -> String {
    own_permalink(doc).unwrap_or_else(|| {
        let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
        normalize(&format!("/{stem}.html"))
    })
}

/// Where Jekyll writes a collection's document, when it writes one and
/// Cairn can tell (posts without their own permalink are left out).
fn document_address(
    doc: &Document,
    collection: &crate::content::Collection,
    relative: &str,
) -> Option<String> {
    if let Some(own) = own_permalink(doc) {
        return Some(own);
    }
    if !collection.output || collection.kind != CollectionKind::Declared {
        return None;
    }
    let template = match collection.permalink.as_deref() {
        None => "/:collection/:path:output_ext",
        Some("pretty") => "/:collection/:path/",
        Some(t) if t.starts_with('/') || t.contains(':') => t,
        Some(_) => return None,
    };
    let path = relative.rsplit_once('.').map_or(relative, |(s, _)| s);
    let name = path.rsplit('/').next().unwrap_or(path);
    let text = |key: &str| match doc.field(key) {
        Some(crate::content::FieldView::Text(t)) if !t.trim().is_empty() => Some(t),
        _ => None,
    };
    // Jekyll's `:title` and `:slug` both come from `slug`, else the name.
    let slug = text("slug").map_or_else(|| slugify(name), |s| slugify(&s));
    let mut url = template.to_string();
    // Longest names first (`:path` before `:p...`, `:output_ext`).
    for (placeholder, value) in [
        (":output_ext", ".html".to_string()),
        (":collection", collection.name.clone()),
        (":path", path.to_string()),
        (":name", slugify(name)),
        (":title", slug.clone()),
        (":slug", slug),
    ] {
        url = url.replace(placeholder, &value);
    }
    if url.contains(':') {
        return None;
    }
    Some(normalize(&url))
}

/// Jekyll's default `slugify`: lower case, runs of anything but letters and
/// digits become one `-`.
fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// What Jekyll (Ruby's `Time.parse` after YAML) takes for a date: a day,
/// with a time and a zone or not.
static DATE: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(
        r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$",
    )
    .ok()
});

/// Site-absolute links in Markdown (`](/x.png)`) and HTML (`src="/x.png"`).
static LINK: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(r#"(?:\]\(\s*<?|(?:src|href)\s*=\s*["'])(/[^\s)"'<>]+)"#).ok()
});

/// Each link and image path of the document's fields and body that points
/// at a file the site does not have.
fn links(
    doc: &Document,
    present: &HashSet<&str>,
    config: &SiteConfig,
    found: &mut impl FnMut(usize, Kind, Message),
) {
    let missing = |value: &str| -> Option<String> {
        let value = value.trim();
        if !value.starts_with('/') || value.starts_with("//") || value.contains(char::is_whitespace)
        {
            return None;
        }
        let clean = value.split(['?', '#']).next().unwrap_or(value);
        let ext = clean
            .rsplit('/')
            .next()?
            .rsplit_once('.')?
            .1
            .to_ascii_lowercase();
        if !FILE_TYPES.contains(&ext.as_str()) {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(clean)
            .decode_utf8_lossy()
            .into_owned();
        let base = config
            .baseurl
            .as_deref()
            .unwrap_or("")
            .trim_end_matches('/');
        let inside = if !base.is_empty() && decoded.starts_with(&format!("{base}/")) {
            &decoded[base.len()..]
        } else {
            decoded.as_str()
        };
        let file = inside.trim_start_matches('/');
        (!present.contains(file)).then(|| value.to_string())
    };
    for (key, value) in doc.json_fields() {
        let mut strings = Vec::new();
        collect_strings(&value, &mut strings);
        for s in strings {
            if let Some(link) = missing(&s) {
                found(
                    line_of(doc, &key),
                    Kind::MissingFile,
                    Message::Key(
                        "check-missing",
                        vec![("link", link.to_arg()), ("field", key.to_arg())],
                    ),
                );
            }
        }
    }
    let Some(re) = LINK.as_ref() else { return };
    let body = doc.body();
    let body_line = doc.as_str()[..doc.as_str().len() - body.len()]
        .matches('\n')
        .count()
        + 1;
    for m in re.captures_iter(body).filter_map(|c| c.get(1)) {
        if let Some(link) = missing(m.as_str()) {
            let line = body_line + body[..m.start()].matches('\n').count();
            found(
                line,
                Kind::MissingFile,
                Message::Key(
                    "check-missing",
                    vec![("link", link.to_arg()), ("field", "body".to_arg())],
                ),
            );
        }
    }
}

fn collect_strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_slugs_follow_jekyll() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(normalize("projects//a/index.html"), "/projects/a/");
        let doc = Document::parse(b"---\ntitle: A\n---\n").expect("doc");
        let projects = crate::content::Collection {
            kind: CollectionKind::Declared,
            name: "projects".into(),
            dir: "_projects".into(),
            output: true,
            permalink: Some("/projects/:name/".into()),
        };
        assert_eq!(
            document_address(&doc, &projects, "My Thing.md").as_deref(),
            Some("/projects/my-thing/")
        );
        let own = Document::parse(b"---\npermalink: /about/\n---\n").expect("doc");
        assert_eq!(page_address(&own, "about.md"), "/about/");
        assert_eq!(page_address(&doc, "docs/intro.md"), "/docs/intro.html");
    }
}
