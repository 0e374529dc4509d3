//! Nested values in the edit form: a list of objects (`partners: [{name,
//! url}]`), an object, and lists inside them, shown as groups of controls
//! with add, remove and reorder buttons that work without JavaScript (each
//! is a round trip that keeps everything typed).
//!
//! Form names: `t:<key>` marks a nested field the form showed (`list` or
//! `map`); `n:<path>` is one value, `l:<path>` a list of texts one per line,
//! `o:<path>` the position an item had in the file. A path is the field's key
//! then `[n]` for the item shown n-th and `.name` for a key, each key
//! percent-encoded (`partners[0].url`). `op` is `add:<path>`,
//! `remove:<path>`, `up:<path>` or `down:<path>`.

use crate::content::FieldValue;
use crate::content::model::{FieldModel, Kind};
use crate::content::nested::{Item, Tree};
use crate::i18n::{Lang, ToArg};

/// A nested value as the form sent it, items in the order they came.
#[derive(Debug, Clone)]
enum Sent {
    Leaf(String),
    Lines(String),
    Map(Vec<(String, Sent)>),
    List(Vec<SentItem>),
}

#[derive(Debug, Clone)]
struct SentItem {
    token: String,
    from: Option<usize>,
    value: Sent,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Item(String),
}

fn encode(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `partners[0].url` as its top-level key and steps.
fn parse_path(path: &str) -> Option<(String, Vec<Step>)> {
    let end = path.find(['[', '.']).unwrap_or(path.len());
    let key = decode(&path[..end])?;
    let mut rest = &path[end..];
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let token = &r[..close];
            if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            steps.push(Step::Item(token.to_string()));
            rest = &r[close + 1..];
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['[', '.']).unwrap_or(r.len());
            steps.push(Step::Key(decode(&r[..end])?));
            rest = &r[end..];
        } else {
            return None;
        }
    }
    (!key.is_empty() && steps.len() <= 32).then_some((key, steps))
}

/// The node at `steps` in `root`, made on the way when missing (`leaf`
/// says what a new last step holds).
fn slot<'a>(root: &'a mut Sent, steps: &[Step], leaf: Sent) -> Option<&'a mut Sent> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(root);
    };
    let next_empty = match rest.first() {
        None => leaf.clone(),
        Some(Step::Key(_)) => Sent::Map(Vec::new()),
        Some(Step::Item(_)) => Sent::List(Vec::new()),
    };
    let child = match (root, first) {
        (Sent::Map(entries), Step::Key(k)) => {
            let at = match entries.iter().position(|(name, _)| name == k) {
                Some(at) => at,
                None => {
                    entries.push((k.clone(), next_empty));
                    entries.len() - 1
                }
            };
            &mut entries[at].1
        }
        (Sent::List(items), Step::Item(t)) => {
            let at = match items.iter().position(|i| i.token == *t) {
                Some(at) => at,
                None => {
                    if items.len() >= 1000 {
                        return None;
                    }
                    items.push(SentItem {
                        token: t.clone(),
                        from: None,
                        value: next_empty,
                    });
                    items.len() - 1
                }
            };
            &mut items[at].value
        }
        _ => return None,
    };
    slot(child, rest, leaf)
}

/// The nested fields a form sent: for each key the form marked with `t:`,
/// its value built from the `n:`, `l:` and `o:` pairs.
#[derive(Debug, Default)]
pub(super) struct Nested {
    fields: Vec<(String, Sent)>,
}

impl Nested {
    /// Takes the nested pairs; returns `false` for a pair it does not own.
    pub(super) fn take(&mut self, name: &str, value: &str) -> bool {
        if let Some(key) = name.strip_prefix("t:") {
            if let Some(key) = decode(key)
                && !self.fields.iter().any(|(k, _)| *k == key)
            {
                let empty = if value == "map" {
                    Sent::Map(Vec::new())
                } else {
                    Sent::List(Vec::new())
                };
                self.fields.push((key, empty));
            }
            return true;
        }
        let (kind, path) = match name.split_once(':') {
            Some((k @ ("n" | "l" | "o"), p)) => (k, p),
            _ => return false,
        };
        let Some((key, steps)) = parse_path(path) else {
            return true;
        };
        let Some(root) = self.fields.iter_mut().find(|(k, _)| *k == key) else {
            return true;
        };
        match kind {
            "o" => {
                // The item's origin: its own slot is the item's value; set `from`.
                let Some((Step::Item(token), parent)) = steps.split_last() else {
                    return true;
                };
                if let Some(Sent::List(items)) = slot(&mut root.1, parent, Sent::List(Vec::new())) {
                    let from = value.parse().ok();
                    match items.iter().position(|i| i.token == *token) {
                        Some(at) => items[at].from = from,
                        None if items.len() < 1000 => items.push(SentItem {
                            token: token.clone(),
                            from,
                            value: Sent::Map(Vec::new()),
                        }),
                        None => {}
                    }
                }
            }
            _ => {
                let leaf = if kind == "n" {
                    Sent::Leaf(String::new())
                } else {
                    Sent::Lines(String::new())
                };
                if let Some(s) = slot(&mut root.1, &steps, leaf) {
                    *s = if kind == "n" {
                        Sent::Leaf(value.to_string())
                    } else {
                        Sent::Lines(value.to_string())
                    };
                }
            }
        }
        true
    }

    /// Applies a button's `op` (`add:`, `remove:`, `up:`, `down:` and a
    /// path). Returns the path of the item to focus, or `None` when the op
    /// names nothing here.
    pub(super) fn apply(&mut self, op: &str, model: Option<&FieldModel>) -> Option<String> {
        let (verb, path) = op.split_once(':')?;
        let (key, steps) = parse_path(path)?;
        let root = &mut self.fields.iter_mut().find(|(k, _)| *k == key)?.1;
        let field_model = model_at(model, &steps);
        match verb {
            "add" => {
                let Some(Sent::List(items)) = slot(root, &steps, Sent::List(Vec::new())) else {
                    return None;
                };
                let template = match field_model {
                    Some(m) if !m.fields.is_empty() => Sent::Map(
                        m.fields
                            .iter()
                            .map(|f| (f.name.clone(), empty_like(f)))
                            .collect(),
                    ),
                    _ => items
                        .first()
                        .map(|i| emptied(&i.value))
                        .unwrap_or(Sent::Leaf(String::new())),
                };
                let n = items.len();
                let token = (0..)
                    .map(|i| format!("n{i}"))
                    .find(|t| !items.iter().any(|i| i.token == *t))?;
                items.push(SentItem {
                    token,
                    from: None,
                    value: template,
                });
                Some(format!("{path}[{n}]"))
            }
            "remove" | "up" | "down" => {
                let (Step::Item(token), parent) = steps.split_last()? else {
                    return None;
                };
                let Some(Sent::List(items)) = slot(root, parent, Sent::List(Vec::new())) else {
                    return None;
                };
                let at = items.iter().position(|i| i.token == *token)?;
                let list_path = &path[..path.rfind('[')?];
                match verb {
                    "remove" => {
                        items.remove(at);
                        Some(list_path.to_string())
                    }
                    "up" if at > 0 => {
                        items.swap(at, at - 1);
                        Some(format!("{list_path}[{}]", at - 1))
                    }
                    "down" if at + 1 < items.len() => {
                        items.swap(at, at + 1);
                        Some(format!("{list_path}[{}]", at + 1))
                    }
                    _ => Some(path.to_string()),
                }
            }
            _ => None,
        }
    }

    /// Each nested field as the value to save: an item added and left
    /// empty is dropped.
    pub(super) fn values(&self) -> Vec<(String, FieldValue)> {
        self.fields
            .iter()
            .map(|(k, s)| (k.clone(), FieldValue::Tree(Box::new(to_tree(s)))))
            .collect()
    }
}

/// The model of the value at `steps` below a field (items share the list's
/// item fields).
fn model_at<'a>(model: Option<&'a FieldModel>, steps: &[Step]) -> Option<&'a FieldModel> {
    let mut m = model?;
    for step in steps {
        if let Step::Key(k) = step {
            m = m.field(k)?;
        }
    }
    Some(m)
}

fn empty_like(f: &FieldModel) -> Sent {
    match f.kind {
        Some(Kind::List) if !f.fields.is_empty() => Sent::List(Vec::new()),
        Some(Kind::List) => Sent::Lines(String::new()),
        Some(Kind::Object) => Sent::Map(
            f.fields
                .iter()
                .map(|g| (g.name.clone(), empty_like(g)))
                .collect(),
        ),
        _ => Sent::Leaf(String::new()),
    }
}

/// The same shape with every value empty, for a new item.
fn emptied(s: &Sent) -> Sent {
    match s {
        Sent::Leaf(_) => Sent::Leaf(String::new()),
        Sent::Lines(_) => Sent::Lines(String::new()),
        Sent::Map(entries) => Sent::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), emptied(v)))
                .collect(),
        ),
        Sent::List(_) => Sent::List(Vec::new()),
    }
}

fn is_blank(s: &Sent) -> bool {
    match s {
        Sent::Leaf(t) | Sent::Lines(t) => t.trim().is_empty(),
        Sent::Map(entries) => entries.iter().all(|(_, v)| is_blank(v)),
        Sent::List(items) => items.iter().all(|i| is_blank(&i.value)),
    }
}

fn to_tree(s: &Sent) -> Tree {
    match s {
        Sent::Leaf(t) => Tree::Scalar(FieldValue::text(t.clone())),
        Sent::Lines(t) => Tree::List(
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Item::new(Tree::Scalar(FieldValue::Text(l.to_string()))))
                .collect(),
        ),
        Sent::Map(entries) => Tree::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_tree(v)))
                .collect(),
        ),
        Sent::List(items) => Tree::List(
            items
                .iter()
                .filter(|i| i.from.is_some() || !is_blank(&i.value))
                .map(|i| Item {
                    from: i.from,
                    value: to_tree(&i.value),
                })
                .collect(),
        ),
    }
}

/// What to show for a nested field: the file's value, or what was sent.
pub(super) enum Shown<'a> {
    File(&'a Tree),
    Sent(&'a Nested),
}

/// One piece of a nested field's controls, in page order.
#[derive(Debug, Clone, Default)]
pub(super) struct Part {
    /// `group` (a fieldset opens), `end` (it closes), `item` (an item's
    /// fieldset opens, with its buttons), `text`, `area`, `lines`, `date`,
    /// `number`, `bool`, `select`, `add`.
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub label: String,
    pub value: String,
    pub hint: Option<String>,
    pub choices: Vec<(String, String)>,
    /// The path buttons act on.
    pub path: String,
    pub origin: Option<usize>,
    pub first: bool,
    pub last: bool,
    /// Focus here after a button's round trip.
    pub focus: bool,
}

/// Renders the controls of nested field `key` (page index `index`, for
/// ids), as `Part`s. `focus` is the path to focus after a button.
pub(super) fn parts(
    key: &str,
    label: &str,
    shown: Shown<'_>,
    model: Option<&FieldModel>,
    lang: Lang,
    index: usize,
    focus: Option<&str>,
) -> Vec<Part> {
    let sent = match shown {
        Shown::File(tree) => from_tree(tree),
        Shown::Sent(n) => match n.fields.iter().find(|(k, _)| k == key) {
            Some((_, s)) => s.clone(),
            None => Sent::List(Vec::new()),
        },
    };
    let mut out = Vec::new();
    let mut r = Render {
        out: &mut out,
        lang,
        prefix: format!("f-{index}"),
        focus,
        counter: 0,
        pending_focus: false,
    };
    r.value(&encode(key), label, &sent, model, true);
    out
}

fn from_tree(t: &Tree) -> Sent {
    match t {
        Tree::Scalar(v) => Sent::Leaf(v.as_text().unwrap_or("").to_string()),
        Tree::List(items) => {
            if let Some(lines) = t.lines().filter(|l| !l.is_empty()) {
                return Sent::Lines(lines.join("\n"));
            }
            Sent::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| SentItem {
                        token: i.to_string(),
                        from: item.from,
                        value: from_tree(&item.value),
                    })
                    .collect(),
            )
        }
        Tree::Map(entries) => Sent::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), from_tree(v)))
                .collect(),
        ),
    }
}

struct Render<'a> {
    out: &'a mut Vec<Part>,
    lang: Lang,
    prefix: String,
    focus: Option<&'a str>,
    counter: usize,
    /// The focused item's first control takes the focus.
    pending_focus: bool,
}

impl Render<'_> {
    fn id(&mut self) -> String {
        self.counter += 1;
        format!("{}-{}", self.prefix, self.counter)
    }

    /// Opens a fieldset for a map or a list (`shape`); the field's own one
    /// (`top`) carries the `t:` mark and the field's id.
    fn group(&mut self, path: &str, label: &str, hint: Option<String>, top: bool, shape: &str) {
        let id = if top { self.prefix.clone() } else { self.id() };
        self.out.push(Part {
            kind: "group",
            id,
            label: label.to_string(),
            hint,
            name: if top {
                format!("t:{path}")
            } else {
                String::new()
            },
            value: shape.to_string(),
            ..Part::default()
        });
    }

    fn value(&mut self, path: &str, label: &str, s: &Sent, m: Option<&FieldModel>, top: bool) {
        let hint = m
            .and_then(|m| m.hint.get(self.lang.code()))
            .map(str::to_string);
        match s {
            Sent::Map(entries) => {
                self.group(path, label, hint, top, "map");
                self.entries(path, entries, m);
                self.out.push(Part {
                    kind: "end",
                    ..Part::default()
                });
            }
            Sent::List(items) => {
                self.group(path, label, hint, top, "list");
                let item_name = m
                    .and_then(|m| m.label_singular.get(self.lang.code()))
                    .unwrap_or(label)
                    .to_string();
                let n = items.len();
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    let id = self.id();
                    let item_label = self.lang.t_with(
                        "nested-item",
                        &[
                            ("label", item_name.to_arg()),
                            ("n", ((i + 1) as f64).to_arg()),
                        ],
                    );
                    let focus = self.focus == Some(item_path.as_str());
                    self.pending_focus |= focus;
                    self.out.push(Part {
                        kind: "item",
                        id,
                        name: format!("o:{item_path}"),
                        label: item_label.clone(),
                        path: item_path.clone(),
                        origin: item.from,
                        first: i == 0,
                        last: i + 1 == n,
                        focus,
                        ..Part::default()
                    });
                    match &item.value {
                        Sent::Map(entries) => self.entries(&item_path, entries, m),
                        other => self.value(&item_path, &item_label, other, None, false),
                    }
                    self.out.push(Part {
                        kind: "end",
                        ..Part::default()
                    });
                }
                let id = self.id();
                self.out.push(Part {
                    kind: "add",
                    id,
                    label: self
                        .lang
                        .t_with("nested-add", &[("label", item_name.to_arg())]),
                    path: path.to_string(),
                    focus: self.focus == Some(path),
                    ..Part::default()
                });
                self.out.push(Part {
                    kind: "end",
                    ..Part::default()
                });
            }
            Sent::Lines(text) => {
                let id = self.id();
                self.out.push(Part {
                    kind: "lines",
                    id,
                    name: format!("l:{path}"),
                    label: label.to_string(),
                    value: text.clone(),
                    hint,
                    ..Part::default()
                });
            }
            Sent::Leaf(text) => {
                let id = self.id();
                let kind = match m.and_then(|m| m.kind) {
                    _ if text.contains('\n') => "area",
                    Some(Kind::Text | Kind::Markdown) => "area",
                    Some(Kind::Date)
                        if text.is_empty() || crate::content::yaml::is_calendar_date(text) =>
                    {
                        "date"
                    }
                    Some(Kind::Number) => "number",
                    Some(Kind::Boolean) if matches!(text.as_str(), "" | "true" | "false") => "bool",
                    Some(Kind::Select) if !m.is_some_and(|m| m.options.is_empty()) => "select",
                    _ => "text",
                };
                let mut choices: Vec<(String, String)> = match kind {
                    "select" => m
                        .map(|m| {
                            m.options
                                .iter()
                                .map(|o| {
                                    (
                                        o.value.clone(),
                                        o.label
                                            .get(self.lang.code())
                                            .unwrap_or(&o.value)
                                            .to_string(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    "bool" => vec![
                        (String::new(), self.lang.t("doc-not-set")),
                        ("true".into(), self.lang.t("doc-yes")),
                        ("false".into(), self.lang.t("doc-no")),
                    ],
                    _ => Vec::new(),
                };
                if kind == "select" && !text.is_empty() && !choices.iter().any(|(v, _)| v == text) {
                    let l = self
                        .lang
                        .t_with("doc-not-an-option", &[("value", text.to_arg())]);
                    choices.push((text.clone(), l));
                }
                let focus = std::mem::take(&mut self.pending_focus);
                self.out.push(Part {
                    kind,
                    id,
                    focus,
                    name: format!("n:{path}"),
                    label: label.to_string(),
                    value: text.clone(),
                    hint,
                    choices,
                    ..Part::default()
                });
            }
        }
    }

    /// A map's entries: the configured fields first, then the others.
    fn entries(&mut self, path: &str, entries: &[(String, Sent)], m: Option<&FieldModel>) {
        let mut order: Vec<&(String, Sent)> = Vec::new();
        if let Some(m) = m {
            for f in &m.fields {
                if f.kind == Some(Kind::Hidden) {
                    continue;
                }
                if let Some(e) = entries.iter().find(|(k, _)| *k == f.name) {
                    order.push(e);
                }
            }
        }
        for e in entries {
            let hidden = m
                .and_then(|m| m.field(&e.0))
                .is_some_and(|f| f.kind == Some(Kind::Hidden));
            if !hidden && !order.iter().any(|o| o.0 == e.0) {
                order.push(e);
            }
        }
        for (k, v) in order {
            let sub = m.and_then(|m| m.field(k));
            let label = sub
                .and_then(|f| f.label.get(self.lang.code()))
                .map(str::to_string)
                .unwrap_or_else(|| crate::content::label_of(k));
            let child = format!("{path}.{}", encode(k));
            self.value(&child, &label, v, sub, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(pairs: &[(&str, &str)]) -> Nested {
        let mut n = Nested::default();
        for (k, v) in pairs {
            assert!(n.take(k, v), "{k} taken");
        }
        n
    }

    #[test]
    fn pairs_build_the_tree_in_the_order_sent() {
        let n = sent(&[
            ("t:partners", "list"),
            ("o:partners[1]", "1"),
            ("n:partners[1].name", "IVADO"),
            ("o:partners[0]", "0"),
            ("n:partners[0].name", "Mila"),
            ("l:partners[0].tags", "a\nb\n"),
            ("n:partners[n0].name", ""),
        ]);
        let values = n.values();
        let FieldValue::Tree(tree) = &values[0].1 else {
            panic!("a tree")
        };
        let Tree::List(items) = &**tree else {
            panic!("a list")
        };
        // The blank new item is dropped; the order is the order sent.
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].from, Some(1));
        assert_eq!(items[1].from, Some(0));
        assert_eq!(
            items[1].value.to_json(),
            serde_json::json!({"name": "Mila", "tags": ["a", "b"]})
        );
    }

    #[test]
    fn buttons_move_remove_and_add_items() {
        let mut n = sent(&[
            ("t:p", "list"),
            ("o:p[0]", "0"),
            ("n:p[0].name", "A"),
            ("o:p[1]", "1"),
            ("n:p[1].name", "B"),
        ]);
        assert_eq!(n.apply("down:p[0]", None).as_deref(), Some("p[1]"));
        assert_eq!(n.apply("add:p", None).as_deref(), Some("p[2]"));
        let json = match &n.values()[0].1 {
            FieldValue::Tree(t) => t.to_json(),
            _ => panic!("a tree"),
        };
        // The added item is still empty, so it is not saved.
        assert_eq!(json, serde_json::json!([{"name": "B"}, {"name": "A"}]));
        assert_eq!(n.apply("remove:p[1]", None).as_deref(), Some("p"));
        assert!(n.apply("remove:q[0]", None).is_none(), "an unknown field");
        assert!(n.apply("explode:p[0]", None).is_none());
    }

    #[test]
    fn hostile_names_are_ignored() {
        for bad in [
            "n:", "n:[0]", "n:p[", "n:p[0", "n:p[a b]", "n:p%zz", "n:p..x", "n:p#x",
        ] {
            let mut n = sent(&[("t:p", "list")]);
            n.take(bad, "x");
            let _ = n.values();
        }
        assert_eq!(encode("a.b[c]%"), "a%2Eb%5Bc%5D%25");
        assert_eq!(parse_path("a%2Eb[0].c%5B").map(|p| p.0), Some("a.b".into()));
    }
}
