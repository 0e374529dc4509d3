//! The parts of a Jekyll `_config.yml` Cairn needs: which collections exist
//! and where their files live.

use super::yaml::{self, Node};

/// Where a collection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionKind {
    /// Declared under `collections` in `_config.yml`.
    Declared,
    /// Jekyll's built-in `posts`: files named `YYYY-MM-DD-title.ext`.
    Posts,
    /// Unpublished posts in `_drafts`, any file name.
    Drafts,
}

/// A collection declared by the site, or one of Jekyll's built-in ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    pub kind: CollectionKind,
    /// The name used in URLs and commit messages (`projects`).
    pub name: String,
    /// The folder holding its documents, relative to the site root (`_projects`).
    pub dir: String,
    /// Whether Jekyll writes a page for each document.
    pub output: bool,
    pub permalink: Option<String>,
}

/// What Cairn reads from `_config.yml`.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    pub title: Option<String>,
    /// `url` and `baseurl`: where the built site is published.
    pub url: Option<String>,
    pub baseurl: Option<String>,
    pub collections: Vec<Collection>,
    /// The content model from `_cairn.yml` and `admin/config.yml` (empty
    /// until those are read: [`SiteConfig::parse`] reads `_config.yml` only).
    pub model: super::Model,
}

/// `_config.yml` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("_config.yml: {0}")]
pub struct ConfigError(pub String);

impl SiteConfig {
    /// Reads `_config.yml`. Jekyll's `posts` and `drafts` are always
    /// included (after the declared ones, unless declared): callers drop
    /// them when their folder is empty.
    pub fn parse(bytes: &[u8]) -> Result<SiteConfig, ConfigError> {
        let text = std::str::from_utf8(bytes).map_err(|_| ConfigError("not UTF-8 text".into()))?;
        let top = yaml::parse_top_level(text).map_err(|e| ConfigError(e.to_string()))?;
        let scalar = |key: &str| {
            top.entries
                .iter()
                .find(|e| e.key == key)
                .and_then(|e| match &e.value {
                    Node::Scalar { value, .. } if !value.is_empty() => Some(value.clone()),
                    _ => None,
                })
        };
        let collections_dir = scalar("collections_dir")
            .map(|d| d.trim_matches('/').to_string())
            .unwrap_or_default();
        let folder = |name: &str| {
            if collections_dir.is_empty() {
                format!("_{name}")
            } else {
                format!("{collections_dir}/_{name}")
            }
        };
        let mut collections = Vec::new();
        if let Some(entry) = top.entries.iter().find(|e| e.key == "collections") {
            match &entry.value {
                Node::Mapping { entries, .. } => {
                    for (name, meta) in entries {
                        let (output, permalink) = match meta {
                            Node::Mapping { entries, .. } => (
                                lookup(entries, "output").is_some_and(|v| v == "true"),
                                lookup(entries, "permalink"),
                            ),
                            _ => (false, None),
                        };
                        collections.push(Collection {
                            kind: CollectionKind::Declared,
                            name: name.clone(),
                            dir: folder(name),
                            output,
                            permalink,
                        });
                    }
                }
                Node::Sequence { items, .. } => {
                    for item in items {
                        if let Node::Scalar { value, .. } = item {
                            collections.push(Collection {
                                kind: CollectionKind::Declared,
                                name: value.clone(),
                                dir: folder(value),
                                output: false,
                                permalink: None,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        for (name, kind, output) in [
            ("posts", CollectionKind::Posts, true),
            ("drafts", CollectionKind::Drafts, false),
        ] {
            match collections.iter_mut().find(|c| c.name == name) {
                // Declaring `posts` sets its options; it stays Jekyll's posts.
                Some(c) => c.kind = kind,
                None => collections.push(Collection {
                    kind,
                    name: name.into(),
                    dir: folder(name),
                    output,
                    permalink: None,
                }),
            }
        }
        Ok(SiteConfig {
            title: scalar("title"),
            url: scalar("url"),
            baseurl: scalar("baseurl"),
            collections,
            model: super::Model::default(),
        })
    }

    /// The published site's address (`url` with `baseurl`), when `url` is
    /// an http(s) address: what "View the site" opens.
    pub fn site_url(&self) -> Option<String> {
        let url = self.url.as_deref()?.trim().trim_end_matches('/');
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://"))
            || url.contains(['"', '<', '>', ' '])
        {
            return None;
        }
        let base = self
            .baseurl
            .as_deref()
            .unwrap_or_default()
            .trim()
            .trim_matches('/');
        Some(if base.is_empty() {
            format!("{url}/")
        } else {
            format!("{url}/{base}/")
        })
    }

    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }

    /// The collection whose folder holds `path` (a path from the site's
    /// root), and the path inside that folder.
    pub fn collection_at<'a>(&self, path: &'a str) -> Option<(&Collection, &'a str)> {
        self.collections.iter().find_map(|c| {
            path.strip_prefix(c.dir.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
                .map(|inside| (c, inside))
        })
    }
}

impl Collection {
    /// The slug of a file directly in this collection's folder, or `None`
    /// when Jekyll would not read it as one of its documents.
    pub fn slug_of<'a>(&self, file_name: &'a str) -> Option<&'a str> {
        let slug = super::slug_of(file_name)?;
        let base = slug.rsplit('/').next().unwrap_or(slug);
        match self.kind {
            // `_posts/**/YYYY-MM-DD-title.ext`: the file's own name is dated.
            CollectionKind::Posts => is_post_name(base).then_some(slug),
            CollectionKind::Declared | CollectionKind::Drafts => Some(slug),
        }
    }
}

/// `YYYY-MM-DD-title` (Jekyll accepts 2-4 digit years, 1-2 digit months and days).
fn is_post_name(stem: &str) -> bool {
    let mut parts = stem.splitn(4, '-');
    let digits = |p: Option<&str>, lens: std::ops::RangeInclusive<usize>| {
        p.is_some_and(|p| lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    digits(parts.next(), 2..=4)
        && digits(parts.next(), 1..=2)
        && digits(parts.next(), 1..=2)
        && parts.next().is_some_and(|title| !title.is_empty())
}

fn lookup(entries: &[(String, Node)], key: &str) -> Option<String> {
    entries
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| match v {
            Node::Scalar { value, .. } => Some(value.clone()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_site_address_joins_url_and_baseurl() {
        let read = |text: &str| {
            SiteConfig::parse(text.as_bytes())
                .expect("config")
                .site_url()
        };
        assert_eq!(read("title: x\n"), None);
        assert_eq!(
            read("url: https://lab.example.org\n").as_deref(),
            Some("https://lab.example.org/")
        );
        assert_eq!(
            read("url: \"https://example.org/\"\nbaseurl: /chair\n").as_deref(),
            Some("https://example.org/chair/")
        );
        assert_eq!(
            read("url: javascript:alert(1)\n"),
            None,
            "only web addresses"
        );
        assert_eq!(read("url: ''\n"), None);
    }

    use super::*;

    #[test]
    fn reads_collections_in_map_and_list_form() {
        let cfg = SiteConfig::parse(
            b"title: Lab\ncollections:\n  projects:\n    output: true\n    permalink: /projects/:name/\n  people:\n",
        );
        let cfg = cfg.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.title.as_deref(), Some("Lab"));
        let names: Vec<_> = cfg.collections.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["projects", "people", "posts", "drafts"]);
        assert_eq!(cfg.collections[0].dir, "_projects");
        assert!(cfg.collections[0].output);
        assert_eq!(
            cfg.collections[0].permalink.as_deref(),
            Some("/projects/:name/")
        );
        assert!(!cfg.collections[1].output);

        let cfg = SiteConfig::parse(b"collections_dir: my/\ncollections: [staff, posts]\n")
            .unwrap_or_else(|e| panic!("{e}"));
        let dirs: Vec<_> = cfg.collections.iter().map(|c| c.dir.as_str()).collect();
        assert_eq!(dirs, ["my/_staff", "my/_posts", "my/_drafts"]);
        assert_eq!(cfg.collections[1].kind, CollectionKind::Posts);
    }

    #[test]
    fn posts_need_a_dated_file_name() {
        let cfg = SiteConfig::parse(b"title: x\n").unwrap_or_else(|e| panic!("{e}"));
        let posts = cfg.collection("posts").unwrap_or_else(|| panic!("posts"));
        assert_eq!(
            posts.slug_of("2024-03-01-first-post.md"),
            Some("2024-03-01-first-post")
        );
        assert_eq!(posts.slug_of("24-3-1-short.markdown"), Some("24-3-1-short"));
        assert_eq!(
            posts.slug_of("notes.md"),
            None,
            "Jekyll does not read it as a post"
        );
        assert_eq!(posts.slug_of("2024-03-01.md"), None);
        let drafts = cfg.collection("drafts").unwrap_or_else(|| panic!("drafts"));
        assert_eq!(drafts.slug_of("idea.md"), Some("idea"));
    }
}
