//! A collection's schema, inferred from its documents: the union of their
//! top-level keys in order of first appearance, each with the widget its
//! values call for. A key empty in one document still shows in every form.

use super::document::{Document, FieldView};
use super::yaml::PlainMeaning;

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    /// One line of text.
    Text,
    /// Text with line breaks.
    MultiLine,
    /// A list of text items.
    List,
    /// `YYYY-MM-DD`, written unquoted so Jekyll reads a Date.
    Date,
    /// `true` / `false`.
    Boolean,
    Number,
    /// A structure the form cannot edit (nested maps, lists of maps).
    ReadOnly,
}

impl Widget {
    /// The name used in forms and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Widget::Text => "text",
            Widget::MultiLine => "multiline",
            Widget::List => "list",
            Widget::Date => "date",
            Widget::Boolean => "boolean",
            Widget::Number => "number",
            Widget::ReadOnly => "readonly",
        }
    }

    pub fn parse(s: &str) -> Option<Widget> {
        Some(match s {
            "text" => Widget::Text,
            "multiline" => Widget::MultiLine,
            "list" => Widget::List,
            "date" => Widget::Date,
            "boolean" => Widget::Boolean,
            "number" => Widget::Number,
            "readonly" => Widget::ReadOnly,
            _ => return None,
        })
    }

    /// The type a typed widget's value is written as, if any.
    pub fn meaning(self) -> Option<PlainMeaning> {
        match self {
            Widget::Date => Some(PlainMeaning::Date),
            Widget::Boolean => Some(PlainMeaning::Bool),
            Widget::Number => Some(PlainMeaning::Number),
            _ => None,
        }
    }
}

/// One field of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaField {
    pub key: String,
    pub widget: Widget,
    /// For a one-line text field whose documents share a few values
    /// (`category: research`), those values, most used first: what the form
    /// offers as you type.
    pub suggestions: Vec<String>,
    /// Every value the documents give is the path of a media file: an image
    /// (`/assets/images/a.jpg`) or another file (`video.mp4`).
    pub media: Option<super::media::MediaKind>,
    /// The folder most of those values are in, as written
    /// (`/assets/images/projects`): where a new file for the field goes.
    pub media_folder: Option<String>,
}

/// A field offers its values when it has at most this many distinct ones.
const MAX_SUGGESTIONS: usize = 30;
/// Longer values are not offered (they are sentences, not categories).
const MAX_SUGGESTION_CHARS: usize = 60;

/// The fields of a collection, in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub fields: Vec<SchemaField>,
}

/// What the documents showed for one key.
#[derive(Default)]
struct Seen {
    list: bool,
    complex: bool,
    multiline: bool,
    /// The typed meaning shared by every scalar value so far; `None` once
    /// they disagree or any is plain text.
    meaning: Option<Option<PlainMeaning>>,
    /// One-line values and how many documents have each (until too many).
    values: Vec<(String, usize)>,
    too_many_values: bool,
    /// Values naming an image file, another media file, or neither.
    images: usize,
    other_media: usize,
    not_media: bool,
    /// The folders of the media values, and how many are in each.
    folders: Vec<(String, usize)>,
}

impl Schema {
    /// The field `key`, if the documents have it.
    pub fn field(&self, key: &str) -> Option<&SchemaField> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// Infers the schema of documents (those whose front matter parses).
    pub fn infer<'a>(documents: impl IntoIterator<Item = &'a Document>) -> Schema {
        let mut order: Vec<String> = Vec::new();
        let mut seen: std::collections::HashMap<String, Seen> = std::collections::HashMap::new();
        for doc in documents {
            if doc.front_matter_error().is_some() {
                continue;
            }
            for field in doc.fields() {
                let entry = seen.entry(field.key.clone()).or_insert_with(|| {
                    order.push(field.key.clone());
                    Seen::default()
                });
                match &field.view {
                    FieldView::List(_) => entry.list = true,
                    FieldView::ReadOnly(_) => entry.complex = true,
                    FieldView::MultiLine(_) => entry.multiline = true,
                    FieldView::Empty => {}
                    FieldView::Text(text) => {
                        match super::media::kind_by_name(text) {
                            Some(kind) => {
                                if kind == super::media::MediaKind::Image {
                                    entry.images += 1;
                                } else {
                                    entry.other_media += 1;
                                }
                                let folder = text.rsplit_once('/').map_or("", |(f, _)| f);
                                let room = entry.folders.len() < MAX_SUGGESTIONS;
                                match entry.folders.iter_mut().find(|(f, _)| f == folder) {
                                    Some((_, n)) => *n += 1,
                                    None if room => entry.folders.push((folder.to_string(), 1)),
                                    None => {}
                                }
                            }
                            None => entry.not_media = true,
                        }
                        if !entry.too_many_values {
                            let room = entry.values.len() < MAX_SUGGESTIONS
                                && text.chars().count() <= MAX_SUGGESTION_CHARS;
                            match entry.values.iter_mut().find(|(v, _)| v == text) {
                                Some((_, n)) => *n += 1,
                                None if room => entry.values.push((text.clone(), 1)),
                                None => entry.too_many_values = true,
                            }
                        }
                        let meaning = doc.scalar_meaning(&field.key);
                        let typed = meaning.filter(|m| {
                            matches!(
                                m,
                                PlainMeaning::Date | PlainMeaning::Bool | PlainMeaning::Number
                            )
                        });
                        entry.meaning = match entry.meaning {
                            None => Some(typed),
                            Some(prev) if prev == typed => Some(prev),
                            Some(_) => Some(None),
                        };
                    }
                }
            }
        }
        let fields = order
            .into_iter()
            .map(|key| {
                let s = &seen[&key];
                let widget = if s.list {
                    Widget::List
                } else if s.complex {
                    Widget::ReadOnly
                } else if s.multiline {
                    Widget::MultiLine
                } else {
                    match s.meaning {
                        Some(Some(PlainMeaning::Date)) => Widget::Date,
                        Some(Some(PlainMeaning::Bool)) => Widget::Boolean,
                        Some(Some(PlainMeaning::Number)) => Widget::Number,
                        _ => Widget::Text,
                    }
                };
                // Offered only when values repeat: a field where every
                // document says something else (a name) has nothing to offer.
                let repeats = s.values.iter().any(|(_, n)| *n > 1);
                let suggestions = if widget == Widget::Text && !s.too_many_values && repeats {
                    let mut values = s.values.clone();
                    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    values.into_iter().map(|(v, _)| v).collect()
                } else {
                    Vec::new()
                };
                let media = if s.not_media || widget != Widget::Text {
                    None
                } else if s.other_media > 0 {
                    Some(super::media::MediaKind::File)
                } else if s.images > 0 {
                    Some(super::media::MediaKind::Image)
                } else {
                    None
                };
                let media_folder = media
                    .and_then(|_| {
                        s.folders
                            .iter()
                            .max_by_key(|(f, n)| (*n, std::cmp::Reverse(f.clone())))
                    })
                    .map(|(f, _)| f.clone())
                    .filter(|f| !f.is_empty());
                SchemaField {
                    key,
                    widget,
                    suggestions,
                    media,
                    media_folder,
                }
            })
            .collect();
        Schema { fields }
    }

    /// The schema keys that come before `key`, nearest first: where a new key
    /// goes in a document (after the nearest one the document has).
    pub fn keys_before(&self, key: &str) -> Vec<&str> {
        let Some(i) = self.fields.iter().position(|f| f.key == key) else {
            return Vec::new();
        };
        self.fields[..i]
            .iter()
            .rev()
            .map(|f| f.key.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(src: &str) -> Document {
        Document::parse(src.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn shared_short_values_are_offered_most_used_first() {
        let docs = [
            doc("---\ntitle: A\ncategory: research\ntype: project\n---\n"),
            doc("---\ntitle: B\ncategory: policy\ntype: partnership\n---\n"),
            doc("---\ntitle: C\ncategory: research\n---\n"),
        ];
        let schema = Schema::infer(&docs);
        let of = |key: &str| {
            schema
                .field(key)
                .map(|f| f.suggestions.clone())
                .unwrap_or_default()
        };
        assert_eq!(of("category"), ["research", "policy"]);
        assert!(of("title").is_empty(), "no value repeats: nothing to offer");
        assert!(of("type").is_empty(), "no value repeats");
    }

    #[test]
    fn union_of_keys_in_order_of_first_appearance_with_widgets() {
        let docs = [
            doc("---\ntitle: A\nstart: 2021-09-01\ntags:\nlead:\n---\n"),
            doc(
                "---\ntitle: B\nstart: 2022-01-01\ntags: [x]\norder: 2\nnotes: |\n  a\n  b\ndraft: false\n---\n",
            ),
            doc("---\ntitle: C\nauthor:\n  name: X\norder: 3\nlead: Jo\n---\n"),
            doc("---\ntitle: D\nend: 2020-01-01\n---\n"),
            doc("---\ntitle: E\nend: Ongoing\n---\n"),
        ];
        let schema = Schema::infer(&docs);
        let got: Vec<(&str, Widget)> = schema
            .fields
            .iter()
            .map(|f| (f.key.as_str(), f.widget))
            .collect();
        assert_eq!(
            got,
            [
                ("title", Widget::Text),
                ("start", Widget::Date),
                ("tags", Widget::List),
                ("lead", Widget::Text),
                ("order", Widget::Number),
                ("notes", Widget::MultiLine),
                ("draft", Widget::Boolean),
                ("author", Widget::ReadOnly),
                ("end", Widget::Text),
            ]
        );
        assert_eq!(schema.keys_before("lead"), ["tags", "start", "title"]);
    }
}
