//! The parts of a Jekyll `_config.yml` Cairn needs: which collections exist
//! and where their files live.

use super::yaml::{self, Node};

/// A collection declared by the site (or Jekyll's built-in `posts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// The name used in URLs and commit messages (`projects`).
    pub name: String,
    /// The folder holding its documents, relative to the site root (`_projects`).
    pub dir: String,
    /// Whether Jekyll writes a page for each document.
    pub output: bool,
    pub permalink: Option<String>,
}

/// What Cairn reads from `_config.yml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteConfig {
    pub title: Option<String>,
    pub collections: Vec<Collection>,
}

/// `_config.yml` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("_config.yml: {0}")]
pub struct ConfigError(pub String);

impl SiteConfig {
    /// Reads `_config.yml`. `posts` is always a collection in Jekyll; it is
    /// listed when the site declares it or `has_posts` says `_posts` exists.
    pub fn parse(bytes: &[u8], has_posts: bool) -> Result<SiteConfig, ConfigError> {
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
        if has_posts && !collections.iter().any(|c| c.name == "posts") {
            collections.push(Collection {
                name: "posts".into(),
                dir: folder("posts"),
                output: true,
                permalink: None,
            });
        }
        Ok(SiteConfig {
            title: scalar("title"),
            collections,
        })
    }

    /// The folder `_posts` lives in (it moves with `collections_dir`).
    pub fn posts_dir(bytes: &[u8]) -> String {
        let dir = std::str::from_utf8(bytes)
            .ok()
            .and_then(|t| yaml::parse_top_level(t).ok())
            .and_then(|top| {
                top.entries
                    .into_iter()
                    .find(|e| e.key == "collections_dir")
                    .and_then(|e| match e.value {
                        Node::Scalar { value, .. } => Some(value.trim_matches('/').to_string()),
                        _ => None,
                    })
            })
            .unwrap_or_default();
        if dir.is_empty() {
            "_posts".into()
        } else {
            format!("{dir}/_posts")
        }
    }

    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name == name)
    }
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
    use super::*;

    #[test]
    fn reads_collections_in_map_and_list_form() {
        let cfg = SiteConfig::parse(
            b"title: Lab\ncollections:\n  projects:\n    output: true\n    permalink: /projects/:name/\n  people:\n",
            false,
        );
        let cfg = cfg.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.title.as_deref(), Some("Lab"));
        assert_eq!(cfg.collections.len(), 2);
        assert_eq!(cfg.collections[0].dir, "_projects");
        assert!(cfg.collections[0].output);
        assert_eq!(
            cfg.collections[0].permalink.as_deref(),
            Some("/projects/:name/")
        );
        assert!(!cfg.collections[1].output);

        let cfg = SiteConfig::parse(b"collections_dir: my/\ncollections: [staff]\n", true)
            .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<_> = cfg.collections.iter().map(|c| c.dir.as_str()).collect();
        assert_eq!(names, ["my/_staff", "my/_posts"]);
    }
}
