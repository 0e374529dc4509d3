//! A Jekyll document: a file whose first line is `---`, then YAML front
//! matter, then a closing `---` or `...` line, then the body.
//!
//! Detection follows Jekyll 4.3 (`Utils.has_yaml_header?` and
//! `Document::YAML_FRONT_MATTER_REGEXP`). Edits are splices into the original
//! text: a changed field replaces only the bytes of its value, so every other
//! byte of the file (comments, key order, quoting, indentation, line endings)
//! stays as it was.

use super::nested::{self, Tree};
use super::yaml::{self, Entry, Node, PlainMeaning, Quote, Style, TopLevel};
use std::ops::Range;

/// Front matter larger than this is not parsed or edited.
pub const MAX_FRONT_MATTER: usize = 256 * 1024;

/// Why a file is not a document Cairn can show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotADocument {
    #[error("the file has no front matter")]
    NoFrontMatter,
    #[error(
        "the file starts with a byte order mark, so Jekyll copies it as-is instead of reading its front matter"
    )]
    ByteOrderMark,
    #[error("the file is not UTF-8 text")]
    NotUtf8,
    #[error("the front matter has no closing `---` line")]
    Unterminated,
}

/// Why a document's front matter cannot be edited through the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FrontMatterError {
    pub message: String,
    /// 1-based line in the file, when known.
    pub line: Option<usize>,
}

/// Why an edit could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the front matter cannot be edited: {0}")]
    ReadOnly(FrontMatterError),
    #[error("the field `{0}` cannot be edited through the form")]
    FieldReadOnly(String),
    #[error("`{0}` is not a valid field name")]
    InvalidKey(String),
}

/// A value as an editor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// No value (`lead:`); also what an emptied text box means.
    Null,
    Text(String),
    /// Text from a typed widget (date, number, boolean): written unquoted
    /// when it is a canonical spelling of that type, as text otherwise.
    Typed(String, PlainMeaning),
    List(Vec<String>),
    /// A nested value (a map, a list of maps), edited in place.
    Tree(Box<Tree>),
}

impl FieldValue {
    /// A typed widget's value; empty means no value.
    pub fn typed(s: impl Into<String>, meaning: PlainMeaning) -> Self {
        let s = s.into();
        if s.is_empty() {
            FieldValue::Null
        } else {
            FieldValue::Typed(s, meaning)
        }
    }

    /// A value from JSON (the API). `meaning` is what the field holds now
    /// (or what its schema says): a string in a date, number or boolean
    /// field is written unquoted when it is a canonical value of that type,
    /// so reading a value and sending it back changes nothing. Objects, and
    /// lists of anything but scalars, are refused with a message.
    pub fn from_json(
        value: &serde_json::Value,
        meaning: Option<PlainMeaning>,
    ) -> Result<FieldValue, String> {
        use serde_json::Value;
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match value {
            Value::Null => Ok(FieldValue::Null),
            Value::String(s) => Ok(match meaning {
                Some(m @ (PlainMeaning::Date | PlainMeaning::Number | PlainMeaning::Bool)) => {
                    FieldValue::typed(s.clone(), m)
                }
                _ => FieldValue::Text(s.clone()),
            }),
            Value::Number(n) => Ok(FieldValue::Typed(n.to_string(), PlainMeaning::Number)),
            Value::Bool(b) => Ok(FieldValue::Typed(b.to_string(), PlainMeaning::Bool)),
            Value::Array(items) => Ok(items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<String>>>()
                .map(FieldValue::List)
                .unwrap_or_else(|| FieldValue::Tree(Box::new(Tree::from_json(value))))),
            Value::Object(_) => Ok(FieldValue::Tree(Box::new(Tree::from_json(value)))),
        }
    }

    /// The value as JSON, as the API shows it (a list of strings, a string,
    /// or null).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FieldValue::Null => serde_json::Value::Null,
            FieldValue::Text(s) | FieldValue::Typed(s, _) => serde_json::Value::String(s.clone()),
            FieldValue::List(items) => serde_json::Value::from(items.clone()),
            FieldValue::Tree(tree) => tree.to_json(),
        }
    }

    /// The text of a scalar value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(s) | FieldValue::Typed(s, _) => Some(s),
            _ => None,
        }
    }

    /// Text typed by an editor; empty means no value.
    pub fn text(s: impl Into<String>) -> Self {
        let s = s.into();
        if s.is_empty() {
            FieldValue::Null
        } else {
            FieldValue::Text(s)
        }
    }

    /// Items one per line, as a list box sends them; blank lines are dropped.
    pub fn lines(s: &str) -> Self {
        FieldValue::List(
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        )
    }

    /// Equality as the editor sees it: an empty list and no value are the
    /// same, and so are a typed and a plain scalar with the same text.
    pub fn same_as(&self, other: &FieldValue) -> bool {
        let empty = |v: &FieldValue| match v {
            FieldValue::Null => true,
            FieldValue::List(items) => items.is_empty(),
            FieldValue::Tree(t) => matches!(&**t, Tree::List(items) if items.is_empty()),
            FieldValue::Text(_) | FieldValue::Typed(..) => false,
        };
        if let (FieldValue::Tree(a), FieldValue::Tree(b)) = (self, other) {
            return a.same_as(b);
        }
        match (self.as_text(), other.as_text()) {
            (Some(a), Some(b)) => a == b,
            _ => self == other || (empty(self) && empty(other)),
        }
    }
}

/// How a field is presented for editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldView {
    /// One line of text.
    Text(String),
    /// Text with line breaks.
    MultiLine(String),
    /// A list of text items.
    List(Vec<String>),
    /// No value.
    Empty,
    /// Shown as its YAML source, edited only in the repository (nested
    /// mappings, lists of mappings, anchors and aliases).
    ReadOnly(String),
}

impl FieldView {
    /// The editable value, or `None` for read-only fields.
    pub fn value(&self) -> Option<FieldValue> {
        match self {
            FieldView::Text(s) | FieldView::MultiLine(s) => Some(FieldValue::text(s.clone())),
            FieldView::List(items) => Some(FieldValue::List(items.clone())),
            FieldView::Empty => Some(FieldValue::Null),
            FieldView::ReadOnly(_) => None,
        }
    }
}

/// One top-level front matter key as presented to an editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: String,
    pub view: FieldView,
}

/// A parsed document. Owns its source text; fields are views into it.
#[derive(Debug, Clone)]
pub struct Document {
    raw: String,
    /// Byte range of the YAML between the two `---` lines.
    yaml: Range<usize>,
    /// Offset where the body starts (after the closing line's line break).
    body_start: usize,
    /// The line ending the file uses (from its first line).
    eol: &'static str,
    front_matter: Result<TopLevel, FrontMatterError>,
}

impl Document {
    /// Reads a file as Jekyll would decide whether it is a document.
    pub fn parse(bytes: &[u8]) -> Result<Document, NotADocument> {
        if bytes.starts_with(b"\xEF\xBB\xBF---") {
            return Err(NotADocument::ByteOrderMark);
        }
        if !has_yaml_header(bytes) {
            return Err(NotADocument::NoFrontMatter);
        }
        let raw = std::str::from_utf8(bytes).map_err(|_| NotADocument::NotUtf8)?;
        let first_break = raw.find('\n').ok_or(NotADocument::NoFrontMatter)?;
        let eol = if raw[..first_break].ends_with('\r') {
            "\r\n"
        } else {
            "\n"
        };
        let yaml_start = first_break + 1;
        let (close_start, body_start) =
            find_closing_line(raw, yaml_start).ok_or(NotADocument::Unterminated)?;
        let yaml = yaml_start..close_start;
        let front_matter = if yaml.len() > MAX_FRONT_MATTER {
            Err(FrontMatterError {
                message: format!(
                    "the front matter is larger than {} KiB",
                    MAX_FRONT_MATTER / 1024
                ),
                line: None,
            })
        } else {
            yaml::parse_top_level(&raw[yaml.clone()]).map_err(|e| FrontMatterError {
                message: e.message,
                // The opening `---` is line 1 of the file.
                line: Some(e.line + 1),
            })
        };
        Ok(Document {
            raw: raw.to_string(),
            yaml,
            body_start,
            eol,
            front_matter,
        })
    }

    /// The whole file.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Everything after the closing front matter line.
    pub fn body(&self) -> &str {
        &self.raw[self.body_start..]
    }

    /// Whether the front matter can be edited, and why not.
    pub fn front_matter_error(&self) -> Option<&FrontMatterError> {
        self.front_matter.as_ref().err()
    }

    fn entries(&self) -> &[Entry] {
        match &self.front_matter {
            Ok(t) => &t.entries,
            Err(_) => &[],
        }
    }

    fn yaml_src(&self) -> &str {
        &self.raw[self.yaml.clone()]
    }

    /// Where the front matter's first line starts (after the opening `---`).
    pub fn front_matter_start(&self) -> usize {
        self.yaml.start
    }

    /// Whether the front matter is a block mapping (one key per line), the
    /// shape whose fields can be spliced line by line.
    pub fn is_block_mapping(&self) -> bool {
        matches!(&self.front_matter, Ok(top) if !top.flow)
    }

    /// The top-level keys in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries().iter().map(|e| e.key.as_str())
    }

    /// The fields in file order, as an editor sees them.
    pub fn fields(&self) -> Vec<Field> {
        let src = self.yaml_src();
        self.entries()
            .iter()
            .map(|e| Field {
                key: e.key.clone(),
                view: view_of(e, src),
            })
            .collect()
    }

    /// The front matter as the JSON values Jekyll's reader would give:
    /// strings, numbers, booleans, null, dates as `YYYY-MM-DD` strings,
    /// lists and mappings; keys in file order.
    pub fn json_fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let src = self.yaml_src();
        self.entries()
            .iter()
            .map(|e| (e.key.clone(), json_of(&e.value, src)))
            .collect()
    }

    /// One field as [`Document::json_fields`] gives it.
    pub fn json_field(&self, key: &str) -> Option<serde_json::Value> {
        let src = self.yaml_src();
        self.entries()
            .iter()
            .find(|e| e.key == key)
            .map(|e| json_of(&e.value, src))
    }

    /// One field as an editor sees it.
    pub fn field(&self, key: &str) -> Option<FieldView> {
        let src = self.yaml_src();
        self.entries()
            .iter()
            .find(|e| e.key == key)
            .map(|e| view_of(e, src))
    }

    /// What a plain scalar field is read as (`Date`, `Number`, ...); `String`
    /// for quoted and block scalars; `None` for other values or no such key.
    pub fn scalar_meaning(&self, key: &str) -> Option<PlainMeaning> {
        match &self.entries().iter().find(|e| e.key == key)?.value {
            Node::Scalar {
                value,
                style: Style::Plain,
                ..
            } => Some(yaml::typed_meaning(value)),
            Node::Scalar { .. } => Some(PlainMeaning::String),
            _ => None,
        }
    }

    /// A display title: `title`, else `name`, else nothing.
    pub fn title(&self) -> Option<String> {
        ["title", "name"].iter().find_map(|k| match self.field(k) {
            Some(FieldView::Text(s)) => Some(s),
            _ => None,
        })
    }

    /// The file with `key` set to `value`. Only the bytes of that value change;
    /// a key the document lacks is added at the end of the front matter.
    pub fn with_field(&self, key: &str, value: &FieldValue) -> Result<String, EditError> {
        let top = self
            .front_matter
            .as_ref()
            .map_err(|e| EditError::ReadOnly(e.clone()))?;
        if top.flow {
            return Err(EditError::ReadOnly(FrontMatterError {
                message: "front matter written as a `{...}` mapping is not editable".into(),
                line: None,
            }));
        }
        let src = self.yaml_src();
        if let Some(entry) = top.entries.iter().find(|e| e.key == key) {
            match value {
                FieldValue::Tree(tree) => return self.with_tree(entry, tree),
                // A list of texts for a field that holds more than texts
                // (`[]` for a list of maps): edited as the nested value it is.
                FieldValue::List(items)
                    if !entry.locked && matches!(view_of(entry, src), FieldView::ReadOnly(_)) =>
                {
                    let tree = Tree::List(
                        items
                            .iter()
                            .map(|t| nested::Item::new(Tree::Scalar(FieldValue::Text(t.clone()))))
                            .collect(),
                    );
                    return self.with_tree(entry, &tree);
                }
                _ => {}
            }
        }
        let (region, text) = match top.entries.iter().find(|e| e.key == key) {
            Some(entry) => {
                if matches!(view_of(entry, src), FieldView::ReadOnly(_)) {
                    return Err(EditError::FieldReadOnly(key.to_string()));
                }
                splice_for(entry, value, src, &self.style())
            }
            None => {
                if !is_plain_key(key) {
                    return Err(EditError::InvalidKey(key.to_string()));
                }
                let at = src.len();
                let mut line = format!("{key}:");
                line.push_str(&render_new(value, 2, &self.style()));
                // The YAML may lack a final line break only when it is empty.
                let lead = if src.is_empty() || src.ends_with('\n') {
                    ""
                } else {
                    self.eol
                };
                (at..at, format!("{lead}{line}{}", self.eol))
            }
        };
        let start = self.yaml.start + region.start;
        let end = self.yaml.start + region.end;
        let mut out = String::with_capacity(self.raw.len() + text.len());
        out.push_str(&self.raw[..start]);
        out.push_str(&text);
        out.push_str(&self.raw[end..]);
        Ok(out)
    }

    /// A nested field's value, to edit it as a whole; `None` when the key
    /// is absent, holds a plain scalar or list of one-line texts (edited as
    /// text), or holds an anchor or alias (never edited).
    pub fn tree(&self, key: &str) -> Option<Tree> {
        let top = self.front_matter.as_ref().ok()?;
        if top.flow {
            return None;
        }
        let entry = top.entries.iter().find(|e| e.key == key)?;
        if entry.locked || !matches!(entry.value, Node::Mapping { .. } | Node::Sequence { .. }) {
            return None;
        }
        Tree::of(&entry.value)
    }

    /// The file with an existing entry set to a nested value, changing only
    /// the bytes of what differs inside it.
    fn with_tree(&self, entry: &Entry, tree: &Tree) -> Result<String, EditError> {
        if entry.locked {
            return Err(EditError::FieldReadOnly(entry.key.clone()));
        }
        let src = self.yaml_src();
        let style = self.style();
        let writer = nested::Writer {
            src,
            eol: style.eol,
            quote: style.quote,
            list_indent: style.list_indent.len().max(2),
        };
        let col = entry.key_span.start - line_start(src, entry.key_span.start);
        let mut splices = Vec::new();
        writer
            .edit(
                &entry.value,
                after_colon(entry, src),
                col,
                tree,
                &mut splices,
            )
            .map_err(|_| EditError::FieldReadOnly(entry.key.clone()))?;
        let yaml = nested::apply(src, splices);
        let mut out = String::with_capacity(self.raw.len() + yaml.len());
        out.push_str(&self.raw[..self.yaml.start]);
        out.push_str(&yaml);
        out.push_str(&self.raw[self.yaml.end..]);
        Ok(out)
    }

    /// Like [`Document::with_field`], but a key the document lacks goes
    /// right after the nearest of `after` (nearest first) that it has, so new
    /// keys land at their schema position. Falls back to the end.
    pub fn with_field_placed(
        &self,
        key: &str,
        value: &FieldValue,
        after: &[&str],
    ) -> Result<String, EditError> {
        if self.entries().iter().any(|e| e.key == key) {
            return self.with_field(key, value);
        }
        // A keeping block scalar owns the blank lines after it: never insert there.
        let anchor = after.iter().find_map(|k| {
            let entry = self.entries().iter().find(|e| e.key == *k)?;
            let block = matches!(
                entry.value,
                Node::Scalar {
                    style: Style::Literal | Style::Folded,
                    ..
                }
            );
            (!block).then(|| self.field_lines(k)).flatten()
        });
        let Some(lines) = anchor else {
            return self.with_field(key, value);
        };
        let appended = self.with_field(key, value)?;
        // The same new lines `with_field` appended, moved to after the anchor.
        let close = self.yaml.end;
        let added_len = appended.len() - self.raw.len();
        let added = &appended[close..close + added_len];
        let mut out = String::with_capacity(appended.len());
        out.push_str(&self.raw[..lines.end]);
        if !self.raw[..lines.end].ends_with('\n') {
            out.push_str(self.eol);
        }
        out.push_str(added.trim_start_matches(['\r', '\n']));
        out.push_str(&self.raw[lines.end..]);
        Ok(out)
    }

    /// The byte range of a field's lines in the file: from the start of its
    /// key's line through the line break after its value.
    pub fn field_lines(&self, key: &str) -> Option<Range<usize>> {
        let entry = self.entries().iter().find(|e| e.key == key)?;
        let src = self.yaml_src();
        let start = line_start(src, entry.key_span.start);
        let value_end = entry.value.span().end.max(entry.key_span.end);
        let end = src[value_end..]
            .find('\n')
            .map_or(src.len(), |i| value_end + i + 1);
        Some(self.yaml.start + start..self.yaml.start + end)
    }

    /// The file without `key`: only that field's lines are removed. A field
    /// holding an anchor is kept (removing it would break its aliases).
    pub fn without_field(&self, key: &str) -> Result<String, EditError> {
        let top = self
            .front_matter
            .as_ref()
            .map_err(|e| EditError::ReadOnly(e.clone()))?;
        let entry = top.entries.iter().find(|e| e.key == key);
        match entry {
            None => return Ok(self.raw.clone()),
            Some(e) if e.locked || top.flow => {
                return Err(EditError::FieldReadOnly(key.to_string()));
            }
            Some(_) => {}
        }
        let Some(lines) = self.field_lines(key) else {
            return Ok(self.raw.clone());
        };
        let mut out = String::with_capacity(self.raw.len());
        out.push_str(&self.raw[..lines.start]);
        out.push_str(&self.raw[lines.end..]);
        Ok(out)
    }

    /// The file with its body replaced. `body` uses `\n` line breaks; they are
    /// written in the file's own line ending.
    pub fn with_body(&self, body: &str) -> String {
        let mut out = String::with_capacity(self.body_start + body.len());
        out.push_str(&self.raw[..self.body_start]);
        if self.eol == "\n" {
            out.push_str(body);
        } else {
            out.push_str(&body.replace('\n', self.eol));
        }
        out
    }

    /// The body with `\n` line breaks, as an editor sees and sends it.
    pub fn body_normalized(&self) -> String {
        self.body().replace("\r\n", "\n")
    }

    /// How this file writes things, so new text looks like the old: its line
    /// ending, the indentation of its first block list's items (`    - `),
    /// and the quote its quoted values mostly use.
    fn style(&self) -> FileStyle {
        let src = self.yaml_src();
        let list_indent = self
            .entries()
            .iter()
            .find_map(|entry| match &entry.value {
                Node::Sequence {
                    flow: false, span, ..
                } => Some(leading_blanks(&src[line_start(src, span.start)..]).to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "  ".to_string());
        let (mut single, mut double) = (0, 0);
        let mut count = |node: &Node| match node {
            Node::Scalar {
                style: Style::SingleQuoted,
                ..
            } => single += 1,
            Node::Scalar {
                style: Style::DoubleQuoted,
                ..
            } => double += 1,
            _ => {}
        };
        for entry in self.entries() {
            match &entry.value {
                Node::Sequence { items, .. } => items.iter().for_each(&mut count),
                other => count(other),
            }
        }
        FileStyle {
            eol: self.eol,
            list_indent,
            quote: if single > double {
                Quote::Single
            } else {
                Quote::Double
            },
        }
    }
}

/// A file's own conventions, followed by everything Cairn writes into it.
struct FileStyle {
    eol: &'static str,
    list_indent: String,
    quote: Quote,
}

/// `Utils.has_yaml_header?`: the first line is `---` then only whitespace.
fn has_yaml_header(bytes: &[u8]) -> bool {
    let Some(rest) = bytes.strip_prefix(b"---") else {
        return false;
    };
    match rest.iter().position(|b| *b == b'\n') {
        Some(n) => rest[..n].iter().all(|b| b.is_ascii_whitespace()),
        None => false,
    }
}

/// The first line after `from` that is `---` or `...` then only whitespace.
/// Returns (start of that line, start of the line after it).
fn find_closing_line(raw: &str, from: usize) -> Option<(usize, usize)> {
    let mut start = from;
    while start <= raw.len() {
        let end = raw[start..].find('\n').map_or(raw.len(), |i| start + i);
        let line = &raw[start..end];
        if (line.starts_with("---") || line.starts_with("..."))
            && line[3..].bytes().all(|b| b.is_ascii_whitespace())
        {
            let next = if end < raw.len() { end + 1 } else { end };
            return Some((start, next));
        }
        if end >= raw.len() {
            return None;
        }
        start = end + 1;
    }
    None
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && yaml::plain_meaning(key) == PlainMeaning::String
}

/// A YAML value as JSON, typed the way Psych (Jekyll) reads plain scalars.
fn json_of(node: &Node, src: &str) -> serde_json::Value {
    use serde_json::Value;
    match node {
        Node::Scalar {
            value,
            style: Style::Plain,
            ..
        } => match yaml::typed_meaning(value) {
            PlainMeaning::Null => Value::Null,
            PlainMeaning::Bool => Value::Bool(matches!(
                value.to_ascii_lowercase().as_str(),
                "true" | "yes" | "on"
            )),
            PlainMeaning::Number => value
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| {
                    value
                        .parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                })
                .unwrap_or_else(|| Value::String(value.clone())),
            _ => Value::String(value.clone()),
        },
        Node::Scalar { value, .. } => Value::String(value.clone()),
        Node::Sequence { items, .. } => {
            Value::Array(items.iter().map(|i| json_of(i, src)).collect())
        }
        Node::Mapping { entries, .. } => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), json_of(v, src)))
                .collect(),
        ),
        // An alias stands for its anchored value, shown as its source text.
        Node::Alias {
            target: Some(target),
            ..
        } => Value::String(
            yaml::without_anchor(&src[target.clone()])
                .trim()
                .to_string(),
        ),
        Node::Alias { target: None, .. } => Value::Null,
    }
}

fn view_of(entry: &Entry, src: &str) -> FieldView {
    let read_only = || match &entry.value {
        // An alias shows the value it stands for.
        Node::Alias {
            target: Some(target),
            ..
        } => FieldView::ReadOnly(yaml::without_anchor(&src[target.clone()]).to_string()),
        other => FieldView::ReadOnly(yaml::without_anchor(&src[other.span()]).to_string()),
    };
    if entry.locked {
        return read_only();
    }
    match &entry.value {
        Node::Scalar { value, style, .. } => {
            if *style == Style::Plain && yaml::plain_meaning(value) == PlainMeaning::Null {
                FieldView::Empty
            } else if value.contains('\n') {
                FieldView::MultiLine(value.clone())
            } else {
                FieldView::Text(value.clone())
            }
        }
        Node::Sequence { items, .. } => {
            let mut texts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    // Items that a one-per-line box cannot round-trip stay read-only.
                    Node::Scalar { value, style, .. } if round_trips_as_line(value, *style) => {
                        texts.push(value.clone());
                    }
                    _ => return read_only(),
                }
            }
            FieldView::List(texts)
        }
        Node::Mapping { .. } | Node::Alias { .. } => read_only(),
    }
}

/// Whether a list item survives a one-item-per-line text box unchanged: one
/// line, no surrounding spaces, not empty or null.
fn round_trips_as_line(value: &str, style: Style) -> bool {
    let null = style == Style::Plain && yaml::plain_meaning(value) == PlainMeaning::Null;
    !value.is_empty() && !null && !value.contains('\n') && value.trim() == value
}

/// Offset just after the `:` that follows an entry's key.
fn after_colon(entry: &Entry, src: &str) -> usize {
    colon_after(src, entry.key_span.end)
}

/// Offset just after the `:` that follows a key ending at `from`.
pub(super) fn colon_after(src: &str, from: usize) -> usize {
    src[from..].find(':').map_or(from, |i| from + i + 1)
}

/// The end of the line holding `at`, before its line break.
pub(super) fn line_end(src: &str, at: usize) -> usize {
    let end = src[at..].find('\n').map_or(src.len(), |i| at + i);
    if end > at && src[..end].ends_with('\r') {
        end - 1
    } else {
        end
    }
}

/// The spaces and tabs a line starts with. (A block sequence's span may start
/// at its dash or, for a sequence at the key's own indentation, at the first
/// item's value: the line's indentation is what the items share.)
fn leading_blanks(line: &str) -> &str {
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The start of the line holding `at`.
pub(super) fn line_start(src: &str, at: usize) -> usize {
    src[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The region of `src` to replace, and its replacement, to set `entry` to `value`.
fn splice_for(
    entry: &Entry,
    value: &FieldValue,
    src: &str,
    style: &FileStyle,
) -> (Range<usize>, String) {
    let FileStyle {
        eol,
        list_indent,
        quote,
    } = style;
    let (eol, list_indent, quote) = (*eol, list_indent.as_str(), *quote);
    let colon = after_colon(entry, src);
    let span = entry.value.span();
    let (old_style, old_meaning) = match &entry.value {
        Node::Scalar { value, style, .. } => (
            Some(*style),
            if *style == Style::Plain {
                yaml::typed_meaning(value)
            } else {
                PlainMeaning::String
            },
        ),
        _ => (None, PlainMeaning::String),
    };
    let is_null = old_style == Some(Style::Plain) && old_meaning == PlainMeaning::Null;
    // `key:` with nothing after it, as opposed to `key: ~` or `key: null`,
    // whose text is replaced like any other scalar's.
    let is_empty = is_null && span.is_empty();
    let block_seq = matches!(entry.value, Node::Sequence { flow: false, .. });
    let flow_seq = matches!(entry.value, Node::Sequence { flow: true, .. });
    // The region holding everything from after the colon to the value's end,
    // used when the value changes shape.
    let whole = if is_empty {
        let end = line_end(src, colon);
        if src[colon..end].trim().is_empty() {
            colon..end
        } else {
            // A comment follows `key:`; new content goes after the colon.
            colon..colon
        }
    } else {
        colon..span.end
    };
    let pref = match old_style {
        Some(Style::SingleQuoted) => Quote::Single,
        Some(Style::DoubleQuoted) => Quote::Double,
        _ => quote,
    };
    let allow_plain = !matches!(old_style, Some(Style::SingleQuoted | Style::DoubleQuoted));
    match value {
        FieldValue::Null => {
            if is_null {
                // Already no value, in whichever spelling the file uses.
                (span.clone(), src[span].to_string())
            } else if block_seq {
                // Drop the item lines, from the line break before the first item.
                let first_line = line_start(src, span.start);
                let from = first_line.saturating_sub(eol_len_before(src, first_line));
                (from..span.end, String::new())
            } else {
                (colon..span.end, String::new())
            }
        }
        FieldValue::Text(text) | FieldValue::Typed(text, _) => {
            let wanted = match value {
                FieldValue::Typed(_, meaning) => *meaning,
                _ if !is_null => old_meaning,
                _ => PlainMeaning::String,
            };
            let rendered = if text.contains('\n') {
                None
            } else if wanted != PlainMeaning::String {
                yaml::render_typed(text, wanted, pref)
            } else {
                yaml::render_inline_string(text, pref, allow_plain)
            };
            match rendered {
                Some(r) if is_empty || block_seq => (whole, format!(" {r}")),
                Some(r) => (span, r),
                None => {
                    let indent = block_indent(entry, src).unwrap_or(2);
                    let block = yaml::render_multiline(text, indent, eol);
                    // A block's content starts on the next line, so whatever
                    // follows the value on its line would end up inside the
                    // block: a comment moves to the header, spaces go.
                    let from = if is_empty || block_seq {
                        colon
                    } else {
                        span.start
                    };
                    let value_end = if is_empty { colon } else { span.end };
                    let to = line_end(src, value_end).max(value_end);
                    let rest = src[value_end..to].trim();
                    let block = match (rest.starts_with('#'), block.split_once(eol)) {
                        (true, Some((header, lines))) => format!("{header} {rest}{eol}{lines}"),
                        (true, None) => format!("{block} {rest}"),
                        _ => block,
                    };
                    if block_seq {
                        // The list's own lines stay where they were; only `key:` and the value change.
                        (colon..span.end, format!(" {block}"))
                    } else if from == colon {
                        (colon..to, format!(" {block}"))
                    } else {
                        (from..to, block)
                    }
                }
            }
        }
        FieldValue::Tree(tree) => {
            let writer = nested::Writer {
                src,
                eol,
                quote,
                list_indent: list_indent.len().max(2),
            };
            (whole, writer.fresh(&tree.pruned(), 0, false))
        }
        FieldValue::List(items) => {
            if flow_seq {
                return (span, yaml::render_flow_list(items, quote));
            }
            if items.is_empty() {
                return splice_for(entry, &FieldValue::Null, src, style);
            }
            if block_seq {
                let first_line = line_start(src, span.start);
                let indent = leading_blanks(&src[first_line..]);
                let old_items = match &entry.value {
                    Node::Sequence { items, .. } => items.as_slice(),
                    _ => &[],
                };
                let lines = yaml::render_block_list(items, old_items, src, indent, eol, quote);
                (first_line..span.end, lines)
            } else {
                let lines = yaml::render_block_list(items, &[], src, list_indent, eol, quote);
                if is_empty && whole.is_empty() {
                    // `key: # comment`: the list goes on the following lines.
                    let end = line_end(src, colon);
                    (end..end, format!("{eol}{lines}"))
                } else {
                    (whole, format!("{eol}{lines}"))
                }
            }
        }
    }
}

/// Length of the line break ending just before `at` (0, 1 or 2).
fn eol_len_before(src: &str, at: usize) -> usize {
    if src[..at].ends_with("\r\n") {
        2
    } else {
        usize::from(src[..at].ends_with('\n'))
    }
}

/// The content indentation of an existing block scalar, to reuse it.
fn block_indent(entry: &Entry, src: &str) -> Option<usize> {
    if let Node::Scalar {
        style: Style::Literal | Style::Folded,
        span,
        ..
    } = &entry.value
    {
        let text = &src[span.clone()];
        let first = text.lines().skip(1).find(|l| !l.trim().is_empty())?;
        return Some(first.len() - first.trim_start().len());
    }
    None
}

/// The text after `key:` for a key that is new to the document.
fn render_new(value: &FieldValue, block_indent: usize, style: &FileStyle) -> String {
    let (eol, list_indent, quote) = (style.eol, style.list_indent.as_str(), style.quote);
    match value {
        FieldValue::Null => String::new(),
        FieldValue::Text(t) => match yaml::render_inline_string(t, quote, true) {
            Some(r) => format!(" {r}"),
            None => format!(" {}", yaml::render_multiline(t, block_indent, eol)),
        },
        FieldValue::Typed(t, meaning) => match yaml::render_typed(t, *meaning, quote) {
            Some(r) => format!(" {r}"),
            None => format!(" {}", yaml::render_multiline(t, block_indent, eol)),
        },
        FieldValue::Tree(tree) => nested::Writer {
            src: "",
            eol,
            quote,
            list_indent: list_indent.len().max(2),
        }
        .fresh(&tree.pruned(), 0, false),
        FieldValue::List(items) if items.is_empty() => String::new(),
        FieldValue::List(items) => {
            format!(
                "{eol}{}",
                yaml::render_block_list(items, &[], "", list_indent, eol, quote)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_fields_have_the_types_jekyll_reads() {
        let doc = Document::parse(
            b"---\nname: AI\nstart_date: 2024-05-01\ncount: 12\nratio: 0.5\nfeatured: yes\nlead:\nquoted: \"12\"\naxes:\n    - a\n    - b\nmeta:\n  x: 1\n---\nbody\n",
        )
        .expect("document");
        let json = serde_json::Value::Object(doc.json_fields());
        assert_eq!(
            json,
            serde_json::json!({
                "name": "AI", "start_date": "2024-05-01", "count": 12, "ratio": 0.5,
                "featured": true, "lead": null, "quoted": "12", "axes": ["a", "b"],
                "meta": {"x": 1}
            })
        );
        let keys: Vec<String> = doc.json_fields().keys().cloned().collect();
        assert_eq!(keys[0], "name", "file order kept");
        assert_eq!(keys[8], "meta");
    }

    const SEED: &str = "---\nname: AI & Cities\nmission: Safer artificial intelligence\nlayout: projects\naxes:\n    - digitization\n    - social inclusion\nstart_date: 2021-09-01\nend_date: Ongoing\nlead:\ncommunities:\n---\n\nBody text.\n";

    fn doc(src: &str) -> Document {
        match Document::parse(src.as_bytes()) {
            Ok(d) => d,
            Err(e) => panic!("not a document: {e}"),
        }
    }

    fn edit(src: &str, key: &str, value: FieldValue) -> String {
        match doc(src).with_field(key, &value) {
            Ok(s) => s,
            Err(e) => panic!("edit failed: {e}"),
        }
    }

    #[test]
    fn reads_fields_in_file_order() {
        let d = doc(SEED);
        let keys: Vec<_> = d.keys().collect();
        assert_eq!(
            keys,
            [
                "name",
                "mission",
                "layout",
                "axes",
                "start_date",
                "end_date",
                "lead",
                "communities"
            ]
        );
        assert_eq!(d.field("lead"), Some(FieldView::Empty));
        assert_eq!(
            d.field("axes"),
            Some(FieldView::List(vec![
                "digitization".into(),
                "social inclusion".into()
            ]))
        );
        assert_eq!(d.title().as_deref(), Some("AI & Cities"));
        assert_eq!(d.body(), "\nBody text.\n");
    }

    #[test]
    fn editing_one_scalar_changes_only_its_value() {
        let out = edit(SEED, "mission", FieldValue::text("Cities for all"));
        assert_eq!(
            out,
            SEED.replace("Safer artificial intelligence", "Cities for all")
        );
    }

    #[test]
    fn setting_an_empty_value_keeps_the_other_lines() {
        let out = edit(SEED, "lead", FieldValue::text("Jane Doe"));
        assert_eq!(out, SEED.replace("lead:\n", "lead: Jane Doe\n"));
        let back = edit(&out, "lead", FieldValue::Null);
        assert_eq!(back, SEED);
    }

    #[test]
    fn lists_keep_their_indentation() {
        let out = edit(
            SEED,
            "axes",
            FieldValue::List(vec!["digitization".into(), "biodiversity".into()]),
        );
        assert_eq!(out, SEED.replace("social inclusion", "biodiversity"));
        let out = edit(
            SEED,
            "communities",
            FieldValue::List(vec!["Montréal".into()]),
        );
        assert_eq!(
            out,
            SEED.replace("communities:\n", "communities:\n    - Montréal\n")
        );
        let out = edit(SEED, "axes", FieldValue::List(vec![]));
        assert_eq!(
            out,
            SEED.replace(
                "axes:\n    - digitization\n    - social inclusion\n",
                "axes:\n"
            )
        );
    }

    #[test]
    fn lists_at_the_keys_own_indentation_stay_there() {
        let src = "---\ntags:\n- a\n- b\nnext: x\n---\n";
        let out = edit(src, "tags", FieldValue::List(vec!["a".into(), "On".into()]));
        assert_eq!(out, "---\ntags:\n- a\n- \"On\"\nnext: x\n---\n");
    }

    #[test]
    fn tilde_and_null_are_replaced_not_appended_to() {
        let src = "---\nlayout: ~\nother: null # none yet\n---\n";
        assert_eq!(
            edit(src, "layout", FieldValue::text("post")),
            "---\nlayout: post\nother: null # none yet\n---\n"
        );
        assert_eq!(
            edit(src, "other", FieldValue::text("x")),
            "---\nlayout: ~\nother: x # none yet\n---\n"
        );
        assert_eq!(edit(src, "layout", FieldValue::Null), src);
    }

    #[test]
    fn removing_a_key_takes_only_its_lines() {
        let out = doc(SEED).without_field("axes");
        assert_eq!(
            out.ok(),
            Some(SEED.replace("axes:\n    - digitization\n    - social inclusion\n", ""))
        );
        let anchored = doc("---\na: &x 1\nb: *x\n---\n");
        assert!(
            anchored.without_field("a").is_err(),
            "its alias would break"
        );
    }

    #[test]
    fn dates_stay_dates_and_strings_that_look_typed_are_quoted() {
        let out = edit(SEED, "start_date", FieldValue::text("2022-01-31"));
        assert!(out.contains("start_date: 2022-01-31\n"));
        let out = edit(SEED, "end_date", FieldValue::text("2025-12-31"));
        assert!(out.contains("end_date: \"2025-12-31\"\n"), "{out}");
        let out = edit(SEED, "layout", FieldValue::text("no"));
        assert!(out.contains("layout: \"no\"\n"));
    }

    #[test]
    fn quoting_style_and_comments_are_kept() {
        let src = "---\ntitle: 'Old'  # shown on cards\ntags: [a, b]\n---\n";
        let out = edit(src, "title", FieldValue::text("It's new"));
        assert_eq!(
            out,
            "---\ntitle: 'It''s new'  # shown on cards\ntags: [a, b]\n---\n"
        );
        let out = edit(
            src,
            "tags",
            FieldValue::List(vec!["a".into(), "c, d".into()]),
        );
        assert_eq!(
            out,
            "---\ntitle: 'Old'  # shown on cards\ntags: [a, \"c, d\"]\n---\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let src = "---\r\ntitle: A\r\nitems:\r\n  - x\r\n---\r\nBody\r\n";
        let d = doc(src);
        assert_eq!(d.body_normalized(), "Body\n");
        assert_eq!(
            d.with_body("New\nlines\n"),
            "---\r\ntitle: A\r\nitems:\r\n  - x\r\n---\r\nNew\r\nlines\r\n"
        );
        let out = edit(src, "items", FieldValue::List(vec!["x".into(), "z".into()]));
        assert_eq!(
            out,
            "---\r\ntitle: A\r\nitems:\r\n  - x\r\n  - z\r\n---\r\nBody\r\n"
        );
        let out = edit(src, "note", FieldValue::text("two\nlines"));
        assert!(
            out.contains("note: |-\r\n  two\r\n  lines\r\n---\r\n"),
            "{out:?}"
        );
    }

    #[test]
    fn multi_line_text_becomes_a_literal_block_that_cannot_end_front_matter() {
        let out = edit(SEED, "mission", FieldValue::text("a\n---\nb"));
        assert!(
            out.contains("mission: |-\n  a\n  ---\n  b\nlayout"),
            "{out}"
        );
        let d = doc(&out);
        assert_eq!(
            d.field("mission"),
            Some(FieldView::MultiLine("a\n---\nb".into()))
        );
        assert_eq!(d.body(), "\nBody text.\n");
    }

    #[test]
    fn new_keys_go_at_the_end_of_the_front_matter() {
        let out = edit(SEED, "video_path", FieldValue::text("/v.mp4"));
        assert!(out.contains("communities:\nvideo_path: /v.mp4\n---\n"));
    }

    #[test]
    fn new_keys_go_after_the_nearest_earlier_schema_key() {
        let out = doc(SEED).with_field_placed(
            "category",
            &FieldValue::text("research"),
            &["mission", "name"],
        );
        assert_eq!(
            out.ok(),
            Some(SEED.replace(
                "mission: Safer artificial intelligence\n",
                "mission: Safer artificial intelligence\ncategory: research\n"
            ))
        );
        let out =
            doc(SEED).with_field_placed("tags", &FieldValue::List(vec!["a".into()]), &["axes"]);
        assert!(
            out.is_ok_and(|o| o.contains("    - social inclusion\ntags:\n    - a\nstart_date"))
        );
    }

    #[test]
    fn new_values_use_the_files_own_quotes() {
        let src = "---\ntitle: 'Single'\ntags: ['a', 'b']\nlead:\n---\n";
        assert_eq!(
            edit(src, "lead", FieldValue::text("no")),
            "---\ntitle: 'Single'\ntags: ['a', 'b']\nlead: 'no'\n---\n"
        );
        assert!(edit(src, "added", FieldValue::text("yes")).contains("added: 'yes'\n"));
        assert!(edit(SEED, "lead", FieldValue::text("no")).contains("lead: \"no\"\n"));
    }

    #[test]
    fn detection_follows_jekyll() {
        assert_eq!(
            Document::parse(b"no front matter").err(),
            Some(NotADocument::NoFrontMatter)
        );
        assert_eq!(
            Document::parse(b"\xEF\xBB\xBF---\na: 1\n---\n").err(),
            Some(NotADocument::ByteOrderMark)
        );
        assert!(Document::parse(b"---  \na: 1\n...\nbody").is_ok());
        assert!(Document::parse(b"---\n---\n").is_ok());
        assert_eq!(
            Document::parse(b"---\na: 1\n").err(),
            Some(NotADocument::Unterminated)
        );
    }

    #[test]
    fn broken_front_matter_is_reported_with_its_line_and_not_editable() {
        let d = doc("---\ntitle: ok\nbad: [unclosed\n---\nbody\n");
        let err = d.front_matter_error().cloned();
        assert!(err.is_some());
        assert!(d.with_field("title", &FieldValue::text("x")).is_err());
    }

    #[test]
    fn front_matter_over_256_kib_is_refused() {
        let big = format!(
            "---\ntitle: x\nnotes: \"{}\"\n---\nbody\n",
            "a".repeat(300 * 1024)
        );
        let d = doc(&big);
        let err = d
            .front_matter_error()
            .map(|e| e.message.clone())
            .unwrap_or_default();
        assert!(err.contains("larger than 256 KiB"), "{err}");
        assert!(d.with_field("title", &FieldValue::text("y")).is_err());
    }

    #[test]
    fn aliases_show_the_value_they_stand_for() {
        let d = doc("---\nowner: &o Ada\nreviewer: *o\nmission: ok\n---\n");
        assert_eq!(d.field("reviewer"), Some(FieldView::ReadOnly("Ada".into())));
        assert!(d.with_field("owner", &FieldValue::text("Bo")).is_err());
        assert!(d.with_field("mission", &FieldValue::text("fine")).is_ok());
    }

    #[test]
    fn nested_values_are_read_only() {
        let d = doc("---\nauthor:\n  name: A\nlinks:\n  - url: x\n---\n");
        assert!(matches!(d.field("author"), Some(FieldView::ReadOnly(_))));
        assert!(matches!(d.field("links"), Some(FieldView::ReadOnly(_))));
        assert!(d.with_field("author", &FieldValue::text("x")).is_err());
    }
}
