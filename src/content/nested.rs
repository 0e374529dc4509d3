//! Nested values (a list of maps such as `partners: [{name, url}]`, a map,
//! lists inside them) read as a [`Tree`] and edited in place: a changed
//! leaf has only its own bytes replaced, an added key or item is written in
//! the style of its neighbours, and removing or reordering items moves the
//! items' own lines (their comments and quoting with them). Nothing is
//! re-serialized.

use super::document::{FieldValue, colon_after, line_end, line_start};
use super::yaml::{self, Node, PlainMeaning, Quote, Style};
use std::ops::Range;

/// A nested value as an editor sees and sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tree {
    /// A scalar: [`FieldValue::Null`], `Text` or `Typed` (never a list).
    Scalar(FieldValue),
    List(Vec<Item>),
    Map(Vec<(String, Tree)>),
}

/// One item of a list, with the position it had in the file it was read
/// from (`None`: new, or not known, as from the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub from: Option<usize>,
    pub value: Tree,
}

impl Item {
    pub fn new(value: Tree) -> Item {
        Item { from: None, value }
    }
}

impl Tree {
    /// The value of `node`; `None` when part of it cannot be edited (an
    /// alias).
    pub fn of(node: &Node) -> Option<Tree> {
        Some(match node {
            Node::Scalar { value, style, .. } => Tree::Scalar(scalar_value(value, *style)),
            Node::Sequence { items, .. } => Tree::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        Tree::of(n).map(|value| Item {
                            from: Some(i),
                            value,
                        })
                    })
                    .collect::<Option<_>>()?,
            ),
            Node::Mapping { entries, .. } => Tree::Map(
                entries
                    .iter()
                    .map(|(k, v)| Tree::of(v).map(|t| (k.clone(), t)))
                    .collect::<Option<_>>()?,
            ),
            Node::Alias { .. } => return None,
        })
    }

    /// A value from JSON (the API): numbers and booleans typed, items of
    /// unknown origin.
    pub fn from_json(value: &serde_json::Value) -> Tree {
        use serde_json::Value;
        match value {
            Value::Null => Tree::Scalar(FieldValue::Null),
            Value::Bool(b) => Tree::Scalar(FieldValue::Typed(b.to_string(), PlainMeaning::Bool)),
            Value::Number(n) => {
                Tree::Scalar(FieldValue::Typed(n.to_string(), PlainMeaning::Number))
            }
            Value::String(s) => Tree::Scalar(FieldValue::Text(s.clone())),
            Value::Array(items) => Tree::List(
                items
                    .iter()
                    .map(|v| Item::new(Tree::from_json(v)))
                    .collect(),
            ),
            Value::Object(map) => Tree::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Tree::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The value as the API shows it, typed as Jekyll reads it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Tree::Scalar(FieldValue::Typed(t, PlainMeaning::Number)) => t
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                })
                .unwrap_or_else(|| Value::String(t.clone())),
            Tree::Scalar(FieldValue::Typed(t, PlainMeaning::Bool)) => Value::Bool(matches!(
                t.to_ascii_lowercase().as_str(),
                "true" | "yes" | "on"
            )),
            Tree::Scalar(v) => v.to_json(),
            Tree::List(items) => Value::Array(items.iter().map(|i| i.value.to_json()).collect()),
            Tree::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Equality as the editor sees it: scalars by their text, items in
    /// order whatever their origin.
    pub fn same_as(&self, other: &Tree) -> bool {
        match (self, other) {
            (Tree::Scalar(a), Tree::Scalar(b)) => a.same_as(b),
            (Tree::List(a), Tree::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.value.same_as(&y.value))
            }
            (Tree::Map(a), Tree::Map(b)) => {
                a.len() == b.len()
                    && a.iter().all(|(k, v)| {
                        b.iter()
                            .find(|(k2, _)| k2 == k)
                            .is_some_and(|(_, w)| v.same_as(w))
                    })
            }
            _ => false,
        }
    }

    /// Nothing in it: no items, or only empty values (a form's controls for
    /// a value the document does not have, left empty).
    pub fn is_blank(&self) -> bool {
        match self {
            Tree::Scalar(v) => v.as_text().is_none_or(|t| t.trim().is_empty()),
            Tree::List(items) => items.is_empty(),
            Tree::Map(entries) => entries.iter().all(|(_, v)| v.is_blank()),
        }
    }

    /// The same value without the blank members of its maps (a new value
    /// from a form's empty controls writes only what was filled in; as in
    /// a JSON Merge Patch, a null member is no member).
    pub fn pruned(&self) -> Tree {
        match self {
            Tree::Map(entries) => Tree::Map(
                entries
                    .iter()
                    .filter(|(_, v)| !v.is_blank())
                    .map(|(k, v)| (k.clone(), v.pruned()))
                    .collect(),
            ),
            Tree::List(items) => Tree::List(
                items
                    .iter()
                    .map(|i| Item {
                        from: i.from,
                        value: i.value.pruned(),
                    })
                    .collect(),
            ),
            Tree::Scalar(v) => Tree::Scalar(v.clone()),
        }
    }

    /// The scalar texts of a list, for a one-line-per-item box; `None` when
    /// an item is not a one-line scalar.
    pub fn lines(&self) -> Option<Vec<String>> {
        match self {
            Tree::List(items) => items
                .iter()
                .map(|i| match &i.value {
                    Tree::Scalar(v) => v
                        .as_text()
                        .filter(|t| !t.contains('\n') && !t.is_empty() && t.trim() == *t)
                        .map(str::to_string),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }
}

/// What a scalar holds as an editor sees it.
fn scalar_value(value: &str, style: Style) -> FieldValue {
    if style != Style::Plain {
        return FieldValue::Text(value.to_string());
    }
    match yaml::typed_meaning(value) {
        PlainMeaning::Null => FieldValue::Null,
        PlainMeaning::String => FieldValue::Text(value.to_string()),
        m => FieldValue::Typed(value.to_string(), m),
    }
}

/// Why a nested edit cannot be written as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsafe;

/// How new text is written: the file's line ending, quote and list indent.
pub(crate) struct Writer<'a> {
    pub src: &'a str,
    pub eol: &'a str,
    pub quote: Quote,
    /// Spaces before a new block list's dash, relative to its key.
    pub list_indent: usize,
}

/// A replacement of `range` of the source by new text.
pub(crate) type Splice = (Range<usize>, String);

impl Writer<'_> {
    /// The splices that turn `node` (the value after the colon at `colon`,
    /// owned by a key or dash at column `col`) into `new`.
    pub fn edit(
        &self,
        node: &Node,
        colon: usize,
        col: usize,
        new: &Tree,
        out: &mut Vec<Splice>,
    ) -> Result<(), Unsafe> {
        match (node, new) {
            (Node::Scalar { .. }, Tree::Scalar(v)) => {
                if let Some(s) = self.scalar(node, colon, v) {
                    out.push(s);
                }
                Ok(())
            }
            (
                Node::Mapping {
                    entries,
                    keys,
                    flow,
                    span,
                },
                Tree::Map(wanted),
            ) => self.map(entries, keys, *flow, span.clone(), wanted, out),
            (Node::Sequence { items, flow, span }, Tree::List(wanted)) => {
                self.list(items, *flow, span.clone(), colon, col, wanted, out)
            }
            (Node::Alias { .. }, _) => Err(Unsafe),
            // The value changes shape: everything after the colon is new.
            (old, new) => {
                if let Some(now) = Tree::of(old)
                    && now.same_as(new)
                {
                    return Ok(());
                }
                let region = self.after_colon(old, colon)?;
                out.push((region, self.fresh(new, col, false)));
                Ok(())
            }
        }
    }

    /// The text after `key:` (or `-`) for a value new to the file.
    pub fn fresh(&self, new: &Tree, col: usize, flow: bool) -> String {
        match new {
            Tree::Scalar(FieldValue::Null) => String::new(),
            Tree::Scalar(v) => format!(" {}", self.inline(v, None, flow)),
            Tree::List(items) if items.is_empty() => " []".into(),
            Tree::Map(entries) if entries.is_empty() => " {}".into(),
            _ if flow => format!(" {}", self.flow(new)),
            Tree::List(_) => format!("{}{}", self.eol, self.block(new, col + self.list_indent)),
            Tree::Map(_) => format!("{}{}", self.eol, self.block(new, col + 2)),
        }
    }

    /// Block lines for `tree` at indentation `indent`, each ending with the
    /// file's line break except the last.
    fn block(&self, tree: &Tree, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let mut lines = Vec::new();
        match tree {
            Tree::Scalar(v) => lines.push(format!("{pad}{}", self.inline(v, None, false))),
            Tree::Map(entries) => {
                for (k, v) in entries {
                    lines.push(format!(
                        "{pad}{}:{}",
                        key_text(k),
                        self.fresh(v, indent, false)
                    ));
                }
            }
            Tree::List(items) => {
                for item in items {
                    lines.push(self.block_item(&item.value, indent, None));
                }
            }
        }
        lines.join(self.eol)
    }

    /// One new block item, `- ` at `indent`. `like` is an existing item
    /// whose keys' types a new item's plain text follows.
    fn block_item(&self, value: &Tree, indent: usize, like: Option<&Node>) -> String {
        let pad = " ".repeat(indent);
        match value {
            Tree::Map(entries) if !entries.is_empty() => {
                let inner = " ".repeat(indent + 2);
                let lines: Vec<String> = entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, v))| {
                        let lead = if i == 0 {
                            format!("{pad}- ")
                        } else {
                            inner.clone()
                        };
                        let hint = like.and_then(|n| meaning_of_key(n, k));
                        let rest = match v {
                            Tree::Scalar(FieldValue::Null) => String::new(),
                            Tree::Scalar(s) => format!(" {}", self.inline(s, hint, false)),
                            other => self.fresh(other, indent + 2, false),
                        };
                        format!("{lead}{}:{rest}", key_text(k))
                    })
                    .collect();
                lines.join(self.eol)
            }
            Tree::Scalar(FieldValue::Null) => format!("{pad}-"),
            Tree::Scalar(v) => format!("{pad}- {}", self.inline(v, None, false)),
            Tree::List(items) if !items.is_empty() => {
                format!("{pad}-{}{}", self.eol, self.block(value, indent + 2))
            }
            other => format!("{pad}-{}", self.fresh(other, indent, false)),
        }
    }

    /// A flow value (`{name: a, url: b}`, `[a, b]`).
    fn flow(&self, tree: &Tree) -> String {
        match tree {
            Tree::Scalar(FieldValue::Null) => "null".into(),
            Tree::Scalar(v) => self.inline(v, None, true),
            Tree::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| self.flow(&i.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Tree::Map(entries) => format!(
                "{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key_text(k), self.flow(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A one-line scalar: typed when asked (or when `hint` says the
    /// neighbours hold that type and the text is one), else text that reads
    /// back as typed.
    fn inline(&self, v: &FieldValue, hint: Option<PlainMeaning>, flow: bool) -> String {
        let text = v.as_text().unwrap_or("");
        let meaning = match v {
            FieldValue::Typed(_, m) => Some(*m),
            _ => hint.filter(|m| yaml::typed_meaning(text) == *m),
        };
        let typed = meaning
            .filter(|m| *m != PlainMeaning::String)
            .and_then(|m| yaml::render_typed(text, m, self.quote));
        if let Some(t) = typed {
            return t;
        }
        if flow && text.contains([',', '[', ']', '{', '}']) {
            return yaml::double_quoted(text);
        }
        yaml::render_inline_string(text, self.quote, true)
            .unwrap_or_else(|| yaml::double_quoted(text))
    }

    /// The region from just after the colon to the end of the value, which
    /// a value of a new shape replaces.
    fn after_colon(&self, node: &Node, colon: usize) -> Result<Range<usize>, Unsafe> {
        let span = node.span();
        if span.is_empty() || span.end <= colon {
            // `key:` with no value: up to the end of its line, unless a
            // comment follows (then the value goes right after the colon).
            let end = line_end(self.src, colon);
            if self.src[colon..end].trim().is_empty() {
                return Ok(colon..end);
            }
            return Ok(colon..colon);
        }
        if self.src[colon..span.start].contains('#') {
            return Err(Unsafe);
        }
        Ok(colon..span.end)
    }

    /// The splice setting an existing scalar to `v`, if it changes.
    fn scalar(&self, node: &Node, colon: usize, v: &FieldValue) -> Option<Splice> {
        let Node::Scalar { value, style, span } = node else {
            return None;
        };
        let old = scalar_value(value, *style);
        if old.same_as(v) && !matches!(v, FieldValue::Typed(..)) || old == *v {
            return None;
        }
        if let (FieldValue::Typed(t, m), FieldValue::Typed(o, om)) = (v, &old)
            && t == o
            && m == om
        {
            return None;
        }
        let empty = span.is_empty() || span.end <= colon;
        if matches!(v, FieldValue::Null) {
            return Some(if empty {
                (span.clone(), String::new())
            } else {
                (colon..span.end, String::new())
            });
        }
        let text = v.as_text().unwrap_or("");
        let keep_meaning = match (&old, v) {
            (_, FieldValue::Typed(_, m)) => Some(*m),
            (FieldValue::Typed(_, m), _) => Some(*m),
            _ => None,
        };
        let flow = self.in_flow(span.start);
        let rendered = match style {
            Style::SingleQuoted | Style::DoubleQuoted => {
                let q = if *style == Style::SingleQuoted {
                    Quote::Single
                } else {
                    Quote::Double
                };
                match keep_meaning.filter(|_| matches!(v, FieldValue::Typed(..))) {
                    Some(m) => yaml::render_typed(text, m, q),
                    None => yaml::render_inline_string(text, q, false),
                }
                .unwrap_or_else(|| yaml::double_quoted(text))
            }
            _ => self.inline(
                &match keep_meaning {
                    Some(m) if yaml::typed_meaning(text) == m => FieldValue::Typed(text.into(), m),
                    _ => FieldValue::Text(text.into()),
                },
                None,
                flow,
            ),
        };
        let block = matches!(style, Style::Literal | Style::Folded);
        Some(if empty || block {
            let end = if empty {
                line_end(self.src, colon)
            } else {
                span.end
            };
            let end = if empty && !self.src[colon..end].trim().is_empty() {
                colon
            } else {
                end
            };
            (colon..end, format!(" {rendered}"))
        } else {
            (span.clone(), rendered)
        })
    }

    /// Whether `at` sits inside a flow collection (`[`/`{` not closed
    /// before it on the way back to the line's start). Good enough for the
    /// one-line flow values front matter uses.
    fn in_flow(&self, at: usize) -> bool {
        let line = &self.src[line_start(self.src, at)..at];
        let opens = line.matches(['[', '{']).count();
        let closes = line.matches([']', '}']).count();
        opens > closes
    }

    fn map(
        &self,
        entries: &[(String, Node)],
        keys: &[Range<usize>],
        flow: bool,
        span: Range<usize>,
        wanted: &[(String, Tree)],
        out: &mut Vec<Splice>,
    ) -> Result<(), Unsafe> {
        let src = self.src;
        for (k, v) in wanted {
            if let Some(j) = entries.iter().position(|(old, _)| old == k) {
                let colon = colon_after(src, keys[j].end);
                let col = keys[j].start - line_start(src, keys[j].start);
                self.edit(&entries[j].1, colon, col, v, out)?;
            }
        }
        let added: Vec<&(String, Tree)> = wanted
            .iter()
            .filter(|(k, _)| !entries.iter().any(|(old, _)| old == k))
            .collect();
        let removed: Vec<usize> = (0..entries.len())
            .filter(|j| !wanted.iter().any(|(k, _)| *k == entries[*j].0))
            .collect();
        if removed.len() == entries.len() && !entries.is_empty() {
            if !added.is_empty() || flow {
                // Nothing of the old map stays: write the new one in its place.
                let tree = Tree::Map(added.into_iter().cloned().collect());
                let text = if flow {
                    self.flow(&tree)
                } else {
                    let col = keys[0].start - line_start(src, keys[0].start);
                    self.block(&tree, col).trim_start().to_string()
                };
                out.retain(|(r, _)| r.end <= span.start || r.start >= span.end);
                out.push((
                    span,
                    if tree_is_empty(&tree) {
                        "{}".into()
                    } else {
                        text
                    },
                ));
                return Ok(());
            }
            out.push((span, "{}".into()));
            return Ok(());
        }
        // Removed entries before the last kept one go with the text up to
        // the next key; a removed tail goes from the end of the last kept
        // entry's line.
        let n = entries.len();
        let tail = (0..n)
            .rev()
            .take_while(|j| removed.contains(j))
            .last()
            .unwrap_or(n);
        let end_of = |j: usize| entries[j].1.span().end.max(keys[j].end);
        let mut ranges: Vec<Range<usize>> = removed
            .iter()
            .filter(|&&j| j < tail)
            .map(|&j| keys[j].start..keys[j + 1].start)
            .collect();
        if tail < n {
            let (from, to) = (end_of(tail - 1), end_of(n - 1));
            ranges.push(if flow {
                from..to
            } else {
                line_end(src, from)..line_end(src, to)
            });
        }
        for range in ranges {
            if !flow && src[range.clone()].contains('#') {
                // A comment would go with it: refuse rather than guess.
                return Err(Unsafe);
            }
            out.retain(|(r, _)| r.end <= range.start || r.start >= range.end);
            out.push((range, String::new()));
        }
        if added.is_empty() {
            return Ok(());
        }
        if flow {
            let inside_end = span.end - 1;
            let lead = if entries.is_empty() { "" } else { ", " };
            let text: Vec<String> = added
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k), self.flow(v)))
                .collect();
            out.push((inside_end..inside_end, format!("{lead}{}", text.join(", "))));
            return Ok(());
        }
        let Some(last) = entries.len().checked_sub(1) else {
            return Err(Unsafe);
        };
        let col = keys[0].start - line_start(src, keys[0].start);
        let end = line_end(src, entries[last].1.span().end.max(keys[last].end));
        let tree = Tree::Map(added.into_iter().cloned().collect());
        out.push((end..end, format!("{}{}", self.eol, self.block(&tree, col))));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn list(
        &self,
        items: &[Node],
        flow: bool,
        span: Range<usize>,
        colon: usize,
        col: usize,
        wanted: &[Item],
        out: &mut Vec<Splice>,
    ) -> Result<(), Unsafe> {
        let origins = origins(items, wanted);
        let in_place =
            origins.len() == items.len() && origins.iter().enumerate().all(|(i, o)| *o == Some(i));
        let src = self.src;
        if in_place {
            for (i, item) in items.iter().enumerate() {
                let (dash, dcol) = if flow {
                    (item.span().start, col)
                } else {
                    let d = dash_before(src, item.span().start).ok_or(Unsafe)?;
                    (d + 1, d - line_start(src, d))
                };
                self.edit(item, dash, dcol, &wanted[i].value, out)?;
            }
            return Ok(());
        }
        if wanted.is_empty() {
            let region = if flow {
                span.clone()
            } else {
                colon..line_end(src, span.end)
            };
            out.push((region, if flow { "[]".into() } else { " []".into() }));
            return Ok(());
        }
        if items.is_empty() {
            // `key: []` (or no items at all) gains items: written as a block
            // list under the key, or inside the brackets.
            let tree = Tree::List(wanted.to_vec());
            if flow {
                out.push((span, self.flow(&tree)));
            } else {
                out.push((
                    colon..line_end(src, span.end.max(colon)),
                    self.fresh(&tree, col, false),
                ));
            }
            return Ok(());
        }
        // Each kept item's text, edited, in the new order; new items written
        // like the first old one.
        let texts = |i: usize, range: Range<usize>| -> Result<String, Unsafe> {
            let (dash, dcol) = if flow {
                (items[i].span().start, col)
            } else {
                let d = dash_before(src, items[i].span().start).ok_or(Unsafe)?;
                (d + 1, d - line_start(src, d))
            };
            let mut inner = Vec::new();
            let j = origins.iter().position(|o| *o == Some(i)).ok_or(Unsafe)?;
            self.edit(&items[i], dash, dcol, &wanted[j].value, &mut inner)?;
            Ok(apply_within(src, range, inner))
        };
        if flow {
            let mut parts = Vec::new();
            for (j, origin) in origins.iter().enumerate() {
                parts.push(match origin {
                    Some(i) => texts(*i, items[*i].span())?,
                    None => self.flow(&wanted[j].value),
                });
            }
            out.push((span.start + 1..span.end - 1, parts.join(", ")));
            return Ok(());
        }
        let dashes: Vec<usize> = items
            .iter()
            .map(|n| dash_before(src, n.span().start))
            .collect::<Option<_>>()
            .ok_or(Unsafe)?;
        // Every dash must start its own line, so each item's lines are its own.
        for &d in &dashes {
            if !src[line_start(src, d)..d].chars().all(|c| c == ' ') {
                return Err(Unsafe);
            }
        }
        // An item's lines start with the comment lines right above it: a
        // comment goes with the item it introduces.
        let starts: Vec<usize> = dashes
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                let floor = if i == 0 {
                    line_end(src, colon)
                } else {
                    line_end(src, items[i - 1].span().end)
                };
                let mut start = line_start(src, d);
                while start > 0 {
                    let above = line_start(src, start - 1);
                    if above <= floor || !src[above..start].trim_start().starts_with('#') {
                        break;
                    }
                    start = above;
                }
                start
            })
            .collect();
        let last_end = line_end(src, span.end);
        let region_end = src[last_end..]
            .strip_prefix("\r\n")
            .map(|_| last_end + 2)
            .or_else(|| src[last_end..].strip_prefix('\n').map(|_| last_end + 1))
            .unwrap_or(last_end);
        let chunk = |i: usize| starts[i]..starts.get(i + 1).copied().unwrap_or(region_end);
        let dash_col = dashes[0] - line_start(src, dashes[0]);
        let mut text = String::new();
        for (j, origin) in origins.iter().enumerate() {
            let mut piece = match origin {
                Some(i) => texts(*i, chunk(*i))?,
                None => self.block_item(&wanted[j].value, dash_col, Some(&items[0])),
            };
            if !piece.ends_with('\n') {
                piece.push_str(self.eol);
            }
            text.push_str(&piece);
        }
        if region_end == last_end {
            // The old list had no line break after it: neither does the new.
            while text.ends_with(['\n', '\r']) {
                text.pop();
            }
        }
        out.push((starts[0]..region_end, text));
        Ok(())
    }
}

fn tree_is_empty(t: &Tree) -> bool {
    matches!(t, Tree::Map(e) if e.is_empty())
}

/// Which old item each wanted item is: its `from` when valid, else an
/// unused old item equal to it, else the next unused old item in order
/// (an edited item).
fn origins(items: &[Node], wanted: &[Item]) -> Vec<Option<usize>> {
    let mut used = vec![false; items.len()];
    let mut out: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| match w.from {
            Some(i) if i < items.len() && !used[i] => {
                used[i] = true;
                Some(i)
            }
            _ => None,
        })
        .collect();
    let olds: Vec<Option<Tree>> = items.iter().map(Tree::of).collect();
    for (j, w) in wanted.iter().enumerate() {
        if out[j].is_none() && w.from.is_none() {
            let found = (0..items.len())
                .find(|&i| !used[i] && olds[i].as_ref().is_some_and(|t| t.same_as(&w.value)));
            if let Some(i) = found {
                used[i] = true;
                out[j] = Some(i);
            }
        }
    }
    for (j, w) in wanted.iter().enumerate() {
        if out[j].is_none() && w.from.is_none() {
            // Only an item of the same shape is edited in place.
            let found = (0..items.len()).find(|&i| {
                !used[i]
                    && same_shape(&items[i], &w.value)
                    && (i >= j || !wanted.iter().any(|x| x.from.is_some()))
            });
            if let Some(i) = found {
                used[i] = true;
                out[j] = Some(i);
            }
        }
    }
    out
}

fn same_shape(node: &Node, tree: &Tree) -> bool {
    matches!(
        (node, tree),
        (Node::Scalar { .. }, Tree::Scalar(_))
            | (Node::Mapping { .. }, Tree::Map(_))
            | (Node::Sequence { .. }, Tree::List(_))
    )
}

/// The type a map item's `key` holds, to write a new item's value alike.
fn meaning_of_key(node: &Node, key: &str) -> Option<PlainMeaning> {
    let Node::Mapping { entries, .. } = node else {
        return None;
    };
    match &entries.iter().find(|(k, _)| k == key)?.1 {
        Node::Scalar {
            value,
            style: Style::Plain,
            ..
        } => Some(yaml::typed_meaning(value)).filter(|m| *m != PlainMeaning::Null),
        _ => None,
    }
}

/// `range` of `src` with `splices` (inside it) applied.
fn apply_within(src: &str, range: Range<usize>, mut splices: Vec<Splice>) -> String {
    splices.sort_by_key(|(r, _)| (r.start, r.end));
    let mut out = String::new();
    let mut at = range.start;
    for (r, text) in splices {
        if r.start < at || r.end > range.end {
            continue;
        }
        out.push_str(&src[at..r.start]);
        out.push_str(&text);
        at = r.end;
    }
    out.push_str(&src[at..range.end]);
    out
}

/// `src` with non-overlapping `splices` applied.
pub(crate) fn apply(src: &str, splices: Vec<Splice>) -> String {
    apply_within(src, 0..src.len(), splices)
}

/// A key as written: plain when it reads back as itself.
fn key_text(key: &str) -> String {
    yaml::render_inline_string(key, Quote::Double, true)
        .filter(|k| !k.contains(':'))
        .unwrap_or_else(|| yaml::double_quoted(key))
}

/// The `-` introducing a block item whose content starts at `at`.
fn dash_before(src: &str, at: usize) -> Option<usize> {
    let before = src[..at].trim_end_matches([' ', '\t', '\n', '\r']);
    before.ends_with('-').then(|| before.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Document;
    use serde_json::json;

    const DOC: &str = "---\nname: AI\npartners:\n  # the founders\n  - name: Mila   # Montréal\n    url: 'https://mila.quebec'\n  - name: IVADO\n    url: https://ivado.ca\nlinks:\n  site: https://a.org\n  repo: https://b.org\nflow: [{name: a, rank: 1}, {name: b, rank: 2}]\nafter: kept\n---\nBody\n";

    fn set(src: &str, key: &str, value: serde_json::Value) -> String {
        let doc = Document::parse(src.as_bytes()).expect("document");
        let v = FieldValue::from_json(&value, None).expect("value");
        let out = doc.with_field(key, &v).expect("edit");
        let back = Document::parse(out.as_bytes()).expect("parses again");
        assert_eq!(
            back.json_field(key),
            Some(value),
            "reads back as sent:\n{out}"
        );
        for other in doc.keys().filter(|k| *k != key) {
            assert_eq!(
                back.json_field(other),
                doc.json_field(other),
                "{other} kept"
            );
        }
        out
    }

    fn tree(src: &str, key: &str) -> Tree {
        Document::parse(src.as_bytes())
            .expect("document")
            .tree(key)
            .expect("a nested value")
    }

    fn with_tree(src: &str, key: &str, tree: Tree) -> String {
        let doc = Document::parse(src.as_bytes()).expect("document");
        doc.with_field(key, &FieldValue::Tree(Box::new(tree)))
            .expect("edit")
    }

    #[test]
    fn a_changed_leaf_changes_only_its_bytes() {
        let out = set(
            DOC,
            "partners",
            json!([{"name": "Mila", "url": "https://mila.ca"}, {"name": "IVADO", "url": "https://ivado.ca"}]),
        );
        assert_eq!(
            out,
            DOC.replace("'https://mila.quebec'", "'https://mila.ca'")
        );
        let out = set(
            DOC,
            "links",
            json!({"site": "https://c.org", "repo": "https://b.org"}),
        );
        assert_eq!(out, DOC.replace("https://a.org", "https://c.org"));
        let out = set(
            DOC,
            "flow",
            json!([{"name": "a", "rank": 1}, {"name": "b", "rank": 3}]),
        );
        assert_eq!(out, DOC.replace("rank: 2}", "rank: 3}"));
        // The same value again changes nothing.
        let same = tree(DOC, "partners");
        assert_eq!(with_tree(DOC, "partners", same), DOC);
    }

    #[test]
    fn an_added_item_is_written_like_its_neighbours() {
        let out = set(
            DOC,
            "partners",
            json!([{"name": "Mila", "url": "https://mila.quebec"}, {"name": "IVADO", "url": "https://ivado.ca"}, {"name": "Inria: Paris", "url": "https://inria.fr"}]),
        );
        assert_eq!(
            out,
            DOC.replace(
                "    url: https://ivado.ca\n",
                "    url: https://ivado.ca\n  - name: \"Inria: Paris\"\n    url: https://inria.fr\n"
            )
        );
        let out = set(
            DOC,
            "flow",
            json!([{"name": "a", "rank": 1}, {"name": "b", "rank": 2}, {"name": "c, d", "rank": 3}]),
        );
        assert_eq!(
            out,
            DOC.replace("rank: 2}]", "rank: 2}, {name: \"c, d\", rank: 3}]")
        );
    }

    #[test]
    fn removing_and_reordering_move_whole_items_with_their_comments() {
        let mut t = tree(DOC, "partners");
        let Tree::List(items) = &mut t else {
            panic!("a list")
        };
        items.swap(0, 1);
        let out = with_tree(DOC, "partners", t.clone());
        assert_eq!(
            out,
            DOC.replace(
                "  # the founders\n  - name: Mila   # Montréal\n    url: 'https://mila.quebec'\n  - name: IVADO\n    url: https://ivado.ca\n",
                "  - name: IVADO\n    url: https://ivado.ca\n  # the founders\n  - name: Mila   # Montréal\n    url: 'https://mila.quebec'\n"
            )
        );
        let Tree::List(items) = &mut t else {
            panic!("a list")
        };
        items.remove(1);
        let out = with_tree(DOC, "partners", t);
        assert_eq!(
            out,
            DOC.replace(
                "  # the founders\n  - name: Mila   # Montréal\n    url: 'https://mila.quebec'\n",
                ""
            )
        );
        let out = set(
            DOC,
            "flow",
            json!([{"name": "b", "rank": 2}, {"name": "a", "rank": 1}]),
        );
        assert_eq!(
            out,
            DOC.replace(
                "[{name: a, rank: 1}, {name: b, rank: 2}]",
                "[{name: b, rank: 2}, {name: a, rank: 1}]"
            )
        );
        let out = set(DOC, "partners", json!([]));
        assert!(out.contains("partners: []\nlinks:"), "{out}");
    }

    #[test]
    fn keys_are_added_and_removed_inside_an_item() {
        let out = set(
            DOC,
            "partners",
            json!([{"name": "Mila", "url": "https://mila.quebec", "since": 2019}, {"name": "IVADO", "url": "https://ivado.ca"}]),
        );
        assert_eq!(
            out,
            DOC.replace(
                "'https://mila.quebec'\n",
                "'https://mila.quebec'\n    since: 2019\n"
            )
        );
        let out = set(
            DOC,
            "partners",
            json!([{"name": "Mila", "url": "https://mila.quebec"}, {"url": "https://ivado.ca"}]),
        );
        assert_eq!(out, DOC.replace("  - name: IVADO\n    url:", "  - url:"));
        let out = set(DOC, "links", json!({"site": "https://a.org"}));
        assert_eq!(out, DOC.replace("\n  repo: https://b.org", ""));
        let out = set(
            DOC,
            "links",
            json!({"site": "https://a.org", "repo": "https://b.org", "docs": "https://d.org"}),
        );
        assert_eq!(
            out,
            DOC.replace(
                "repo: https://b.org\n",
                "repo: https://b.org\n  docs: https://d.org\n"
            )
        );
    }

    #[test]
    fn a_new_nested_value_is_written_in_block_style() {
        let src = "---\nname: AI\npartners:\nafter: x\n---\n";
        let out = set(
            src,
            "partners",
            json!([{"name": "Mila", "url": "https://mila.quebec"}]),
        );
        assert_eq!(
            out,
            "---\nname: AI\npartners:\n  - name: Mila\n    url: https://mila.quebec\nafter: x\n---\n"
        );
        let out = set(
            src,
            "links",
            json!({"site": "https://a.org", "tags": ["x", "z"]}),
        );
        assert!(
            out.ends_with(
                "after: x\nlinks:\n  site: https://a.org\n  tags:\n    - x\n    - z\n---\n"
            ),
            "{out}"
        );
        let src = "---\nrows: []\n---\n";
        let out = set(src, "rows", json!([{"title": "One"}]));
        assert_eq!(out, "---\nrows: [{title: One}]\n---\n");
    }

    #[test]
    fn new_items_follow_the_types_of_the_old_ones() {
        let src = "---\nevents:\n  - date: 2024-01-02\n    title: Launch\n---\n";
        let t = Tree::List(vec![
            Item {
                from: Some(0),
                value: tree(src, "events").clone_item(0),
            },
            Item::new(Tree::Map(vec![
                (
                    "date".into(),
                    Tree::Scalar(FieldValue::Text("2025-03-04".into())),
                ),
                (
                    "title".into(),
                    Tree::Scalar(FieldValue::Text("2025".into())),
                ),
            ])),
        ]);
        let out = with_tree(src, "events", t);
        assert_eq!(
            out,
            "---\nevents:\n  - date: 2024-01-02\n    title: Launch\n  - date: 2025-03-04\n    title: \"2025\"\n---\n"
        );
    }

    #[test]
    fn crlf_files_stay_crlf() {
        let src = DOC.replace('\n', "\r\n");
        let out = set(
            &src,
            "partners",
            json!([{"name": "IVADO", "url": "https://ivado.ca"}, {"name": "Mila", "url": "https://mila.quebec"}, {"name": "X"}]),
        );
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
    }

    impl Tree {
        fn clone_item(&self, i: usize) -> Tree {
            match self {
                Tree::List(items) => items[i].value.clone(),
                _ => panic!("a list"),
            }
        }
    }
}
