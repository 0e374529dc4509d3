//! The entries a relation field picks from: the documents of another
//! collection, or the items of a data file under `_data/`, each with the
//! value stored, what a person sees, and the text searched as they type.

use super::model::Relation;
use super::yaml::{self, Node};
use super::{Document, fold};

/// One entry that can be picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What is written in the field (a slug, a name, a code).
    pub value: String,
    /// What a person sees.
    pub label: String,
    /// The searched fields, folded (lower case, no accents).
    search: String,
}

/// Every entry of a relation's source, in label order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    entries: Vec<Choice>,
}

/// The slug placeholder of Decap's `value_field`.
const SLUG: &str = "{{slug}}";

impl Choices {
    /// From a collection's documents (`slug`, parsed document).
    pub fn of_documents<'a>(
        rel: &Relation,
        docs: impl IntoIterator<Item = (&'a str, &'a Document)>,
    ) -> Choices {
        let mut entries = Vec::new();
        for (slug, doc) in docs {
            let text = |key: &str| -> Option<String> {
                if key == SLUG {
                    return Some(slug.to_string());
                }
                match doc.json_field(key)? {
                    serde_json::Value::String(s) => Some(s),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    serde_json::Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                }
            };
            if let Some(choice) = Choice::from(rel, &text, doc.title().as_deref()) {
                entries.push(choice);
            }
        }
        Choices::sorted(entries)
    }

    /// From a data file's text: a list of maps, or a map of maps (each
    /// key is the entry's slug).
    pub fn of_data(rel: &Relation, text: &str) -> Choices {
        let Ok(Some(root)) = yaml::parse_value(text) else {
            return Choices::default();
        };
        let items: Vec<(Option<String>, &Node)> = match &root {
            Node::Sequence { items, .. } => items.iter().map(|n| (None, n)).collect(),
            Node::Mapping { entries, .. } => {
                entries.iter().map(|(k, n)| (Some(k.clone()), n)).collect()
            }
            _ => Vec::new(),
        };
        let mut entries = Vec::new();
        for (key, node) in items {
            let Node::Mapping {
                entries: fields, ..
            } = node
            else {
                continue;
            };
            let text = |name: &str| -> Option<String> {
                if name == SLUG {
                    return key.clone();
                }
                fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .and_then(|(_, v)| match v {
                        Node::Scalar { value, .. } => Some(value.clone()),
                        _ => None,
                    })
            };
            let title = text("title").or_else(|| text("name"));
            if let Some(choice) = Choice::from(rel, &text, title.as_deref()) {
                entries.push(choice);
            }
        }
        Choices::sorted(entries)
    }

    fn sorted(mut entries: Vec<Choice>) -> Choices {
        entries.sort_by_cached_key(|c| fold(&c.label));
        Choices { entries }
    }

    pub fn all(&self) -> &[Choice] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry storing `value`, if there still is one.
    pub fn find(&self, value: &str) -> Option<&Choice> {
        self.entries.iter().find(|c| c.value == value)
    }

    /// Up to `limit` entries whose searched fields hold every word of
    /// `query` (accents and case folded); those starting with the query
    /// first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Choice> {
        let folded = fold(query.trim());
        let words: Vec<&str> = folded.split_whitespace().take(16).collect();
        if words.is_empty() {
            return self.entries.iter().take(limit).collect();
        }
        let mut starts = Vec::new();
        let mut rest = Vec::new();
        for c in &self.entries {
            if !words.iter().all(|w| c.search.contains(w)) {
                continue;
            }
            if c.search.starts_with(words[0]) || c.search.contains(&format!(" {}", words[0])) {
                starts.push(c);
                if starts.len() >= limit {
                    break;
                }
            } else if rest.len() < limit {
                rest.push(c);
            }
        }
        starts.extend(rest);
        starts.truncate(limit);
        starts
    }
}

impl Choice {
    fn from(
        rel: &Relation,
        text: &dyn Fn(&str) -> Option<String>,
        title: Option<&str>,
    ) -> Option<Choice> {
        let value_field = if rel.value_field.is_empty() {
            SLUG
        } else {
            rel.value_field.as_str()
        };
        let value = text(value_field).filter(|v| !v.is_empty())?;
        let shown: Vec<String> = rel
            .display_fields
            .iter()
            .filter_map(|f| text(f))
            .filter(|s| !s.is_empty())
            .collect();
        let label = if shown.is_empty() {
            title.map(str::to_string).unwrap_or_else(|| value.clone())
        } else {
            shown.join(" ")
        };
        let mut searched: Vec<String> = rel.search_fields.iter().filter_map(|f| text(f)).collect();
        searched.push(label.clone());
        searched.push(value.clone());
        Some(Choice {
            value,
            label,
            search: fold(&searched.join(" ")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(value: &str, search: &[&str], display: &[&str]) -> Relation {
        Relation {
            collection: "people".into(),
            value_field: value.into(),
            search_fields: search.iter().map(|s| s.to_string()).collect(),
            display_fields: display.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn documents_give_slugs_labels_and_folded_search() {
        let a = Document::parse("---\nname: Hélène Dupré\nrole: Chercheuse\n---\n".as_bytes())
            .expect("doc");
        let b = Document::parse(b"---\nname: Ada Lovelace\nrole: Engineer\n---\n").expect("doc");
        let c = Choices::of_documents(
            &rel("{{slug}}", &["name", "role"], &["name"]),
            [("helene-dupre", &a), ("ada-lovelace", &b)],
        );
        assert_eq!(c.all()[0].label, "Ada Lovelace", "sorted by label");
        assert_eq!(c.search("helene", 10)[0].value, "helene-dupre");
        assert_eq!(c.search("CHERCH", 10)[0].value, "helene-dupre");
        assert_eq!(c.search("dupré hél", 10).len(), 1);
        assert!(c.search("nobody", 10).is_empty());
        assert_eq!(
            c.find("ada-lovelace").map(|x| x.label.as_str()),
            Some("Ada Lovelace")
        );
        assert!(c.find("gone").is_none());
        // Query syntax is only text.
        assert!(c.search("\"*AND(", 10).is_empty());
    }

    #[test]
    fn data_files_are_lists_or_maps_of_entries() {
        let r = rel("code", &["name"], &["name"]);
        let c = Choices::of_data(
            &r,
            "- code: ANR\n  name: Agence nationale\n- code: ERC\n  name: European Research Council\n- name: no code\n",
        );
        assert_eq!(c.len(), 2, "an entry without the stored value is left out");
        assert_eq!(c.search("europ", 5)[0].value, "ERC");
        let by_key = Choices::of_data(
            &rel("{{slug}}", &[], &["name"]),
            "anr:\n  name: Agence\nerc:\n  name: Council\n",
        );
        assert_eq!(
            by_key.find("erc").map(|x| x.label.as_str()),
            Some("Council")
        );
        assert!(Choices::of_data(&r, "not: [valid").is_empty());
    }
}
