//! Jekyll content: the site's configuration, its collections, documents and
//! their front matter. Knows nothing of HTTP or git: it works on bytes.

pub mod diff;
pub mod document;
pub mod markdown;
pub mod media;
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

/// A document's path below its collection may have this many folders.
const MAX_SLUG_SEGMENTS: usize = 16;
/// A name's segment may have this many characters (characters, not bytes:
/// the API's OpenAPI document can say so exactly).
const MAX_SEGMENT_CHARS: usize = 200;
/// What a new file's name may take on every file system a checkout may be
/// on (255 bytes a name, with room for the extension), in bytes.
const MAX_NEW_SEGMENT_BYTES: usize = 200;
const MAX_NEW_SLUG_BYTES: usize = 400;

/// Why a name cannot be a new document's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRefusal {
    /// An empty segment, a leading dot, `\` or a control character.
    Unsafe,
    /// More segments, or longer ones, than a name may have; for a new
    /// file, more bytes than a file system takes.
    TooLong,
}

impl Slug {
    /// A document's path inside its collection, without the extension
    /// (`ai-and-cities`, `configuration/options`): segments joined by `/`,
    /// each safe (no `\`, NUL or control characters, no leading dot, so no
    /// `..`), none empty.
    pub fn parse(s: &str) -> Result<Slug, InvalidName> {
        match check(s) {
            Ok(()) => Ok(Slug(s.to_string())),
            Err(_) => Err(InvalidName(s.to_string())),
        }
    }

    /// A name for a new file: [`Slug::parse`]'s rule, and short enough in
    /// bytes for every file system a checkout may be on (a name is read
    /// whatever its bytes, but a segment of 200 characters is up to 800).
    pub fn parse_new(s: &str) -> Result<Slug, NameRefusal> {
        check(s)?;
        let fits = s.len() <= MAX_NEW_SLUG_BYTES
            && s.split('/').all(|seg| seg.len() <= MAX_NEW_SEGMENT_BYTES);
        if fits {
            Ok(Slug(s.to_string()))
        } else {
            Err(NameRefusal::TooLong)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder the document is in, inside its collection (`""` at the
    /// top).
    pub fn folder(&self) -> &str {
        self.0.rsplit_once('/').map_or("", |(folder, _)| folder)
    }

    /// The file's own name, without its folder.
    pub fn base(&self) -> &str {
        self.0
            .rsplit_once('/')
            .map_or(self.0.as_str(), |(_, base)| base)
    }
}

/// A collection's name as it appears in URLs (`projects`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CollectionName(String);

impl CollectionName {
    pub fn parse(s: &str) -> Result<CollectionName, InvalidName> {
        if is_safe_segment(s) && s.chars().count() <= MAX_SEGMENT_CHARS {
            Ok(CollectionName(s.to_string()))
        } else {
            Err(InvalidName(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A slug's rule: lengths first (a long name is told so, whatever else is
/// wrong with it), then each segment safe.
fn check(s: &str) -> Result<(), NameRefusal> {
    let segments: Vec<&str> = s.split('/').collect();
    if segments.len() > MAX_SLUG_SEGMENTS
        || segments
            .iter()
            .any(|seg| seg.chars().count() > MAX_SEGMENT_CHARS)
    {
        Err(NameRefusal::TooLong)
    } else if segments.iter().all(|seg| is_safe_segment(seg)) {
        Ok(())
    } else {
        Err(NameRefusal::Unsafe)
    }
}

/// Not empty, no leading dot, no `/`, `\` or control character (its length
/// is the caller's rule).
fn is_safe_segment(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && !s.contains(['/', '\\'])
        && !s.chars().any(char::is_control)
}

/// Lower case without accents (`École` is `ecole`): how people type to
/// search, and what addresses and file names are made from.
pub fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// `s` with the characters `keep` accepts, every run of others one `-`,
/// none at either end (`a & b!` is `a-b`).
pub fn dashed(s: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
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
/// A path below the collection (`configuration/options.md`) works alike:
/// its slug is the path without the extension.
pub fn slug_of(file_name: &str) -> Option<&str> {
    let (stem, ext) = file_name.rsplit_once('.')?;
    let base = stem.rsplit('/').next().unwrap_or(stem);
    DOCUMENT_EXTENSIONS
        .contains(&ext)
        .then_some(stem)
        .filter(|_| !base.is_empty() && !base.starts_with(['.', '_', '#']))
        .filter(|s| Slug::parse(s).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_refuse_path_tricks() {
        for bad in [
            "", "..", ".hidden", "a\\b", "a\0b", "../etc", "a/../b", "a//b", "/a", "a/", "a/.b",
            "a/\u{7}b",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
        let deep = vec!["a"; 17].join("/");
        assert!(Slug::parse(&deep).is_err(), "too deep");
        // Limits count characters; a new file's name must also fit in bytes.
        let long = "é".repeat(200);
        assert!(Slug::parse(&long).is_ok(), "200 characters");
        assert_eq!(
            Slug::parse_new(&long),
            Err(NameRefusal::TooLong),
            "400 bytes in one segment"
        );
        assert!(Slug::parse(&"e".repeat(201)).is_err(), "201 characters");
        assert_eq!(Slug::parse_new(&"e".repeat(201)), Err(NameRefusal::TooLong));
        assert!(Slug::parse_new(&"e".repeat(200)).is_ok(), "ascii");
        let wide = vec!["e".repeat(150); 3].join("/");
        assert!(Slug::parse(&wide).is_ok(), "3 segments");
        assert_eq!(
            Slug::parse_new(&wide),
            Err(NameRefusal::TooLong),
            "452 bytes in all"
        );
        assert_eq!(Slug::parse_new("a//b"), Err(NameRefusal::Unsafe));
        assert!(Slug::parse("ai-and-cities").is_ok());
        let nested = Slug::parse("configuration/options").expect("nested");
        assert_eq!(
            (nested.folder(), nested.base()),
            ("configuration", "options")
        );
        assert_eq!(slug_of("ai-and-cities.md"), Some("ai-and-cities"));
        assert_eq!(
            slug_of("configuration/options.md"),
            Some("configuration/options")
        );
        assert_eq!(slug_of("a/_partial.md"), None);
        assert_eq!(slug_of("a/.hidden.md"), None);
        assert_eq!(slug_of("notes.txt"), None);
    }
}
