//! Jekyll content: the site's configuration, its collections, documents and
//! their front matter. Knows nothing of HTTP or git: it works on bytes.

pub mod diff;
pub mod document;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod nested;
pub mod relation;
pub mod schema;
pub mod site_config;
pub mod yaml;

pub use document::{
    Document, EditError, Field, FieldValue, FieldView, FrontMatterError, NotADocument,
};
pub use model::Model;
pub use schema::{Schema, SchemaField, Widget};
pub use site_config::{Collection, CollectionKind, SiteConfig};

/// File extensions Jekyll reads documents from.
pub const DOCUMENT_EXTENSIONS: [&str; 3] = ["md", "markdown", "html"];

/// A document's name within its collection: its file name without extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

/// A slug from a URL or a form was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid name")]
pub struct InvalidName(pub String);

impl Slug {
    /// Accepts names that are one path segment and safe in a URL: no `/`,
    /// `\`, `..`, NUL or control characters, and no leading dot.
    pub fn parse(s: &str) -> Result<Slug, InvalidName> {
        if is_safe_segment(s) {
            Ok(Slug(s.to_string()))
        } else {
            Err(InvalidName(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A collection's name as it appears in URLs (`projects`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CollectionName(String);

impl CollectionName {
    pub fn parse(s: &str) -> Result<CollectionName, InvalidName> {
        if is_safe_segment(s) {
            Ok(CollectionName(s.to_string()))
        } else {
            Err(InvalidName(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_safe_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && !s.starts_with('.')
        && !s.contains(['/', '\\'])
        && !s.chars().any(char::is_control)
}

/// A key or name as people read it: `start_date` -> `Start date`.
pub fn label_of(key: &str) -> String {
    let spaced = key.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Splits `name.ext` into the slug and whether the extension is a document's.
pub fn slug_of(file_name: &str) -> Option<&str> {
    let (stem, ext) = file_name.rsplit_once('.')?;
    DOCUMENT_EXTENSIONS
        .contains(&ext)
        .then_some(stem)
        .filter(|s| !s.is_empty() && !s.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_refuse_path_tricks() {
        for bad in ["", "..", ".hidden", "a/b", "a\\b", "a\0b", "../etc"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Slug::parse("ai-and-cities").is_ok());
        assert_eq!(slug_of("ai-and-cities.md"), Some("ai-and-cities"));
        assert_eq!(slug_of("notes.txt"), None);
    }
}
