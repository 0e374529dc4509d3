//! Previews of a page as the site's own Jekyll builds it, with an edit not
//! saved yet. Cairn keeps a preview copy of the site (a folder of files of
//! the branch tip, never the site's working tree, never a commit) in the
//! data folder, and one Jekyll process that stays up (`driver.rb`, loaded
//! into the site's `--jekyll-command`): it reads the site once, then reads
//! again only the documents that changed, and renders only the page asked
//! for. One preview is built at a time, so the copy holds the tip plus one
//! person's edit while their page is built; each built page is kept under
//! its own random id, for the person who asked. The site's static files
//! and stylesheets are written beside it, served under an address with a
//! random key (the site's `baseurl` in the preview).

use crate::site::{Author, Edit, ObjectId, Site, SiteError};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout};

/// The Jekyll command Cairn loads into (`jekyll cairn-preview`).
const DRIVER: &str = include_str!("driver.rb");
/// Built pages kept (older ones are removed).
const KEPT_PAGES: usize = 64;
/// How long a build may take (a first read of a large site included).
const BUILD_LIMIT: Duration = Duration::from_secs(300);
/// What is kept of Jekyll's standard error, for when it stops.
const ERROR_LINES: usize = 40;

/// Why a preview could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The Jekyll command is not on this server.
    #[error("the Jekyll command `{0}` is not installed")]
    Unavailable(String),
    /// Jekyll does not write a page for this document (`published: false`,
    /// a date in the future, a collection without `output`).
    #[error("Jekyll does not build a page for this document")]
    NotBuilt,
    /// Jekyll failed: what it printed.
    #[error("Jekyll failed: {0}")]
    Failed(String),
    /// The edit itself was refused (the same errors as a save).
    #[error(transparent)]
    Site(#[from] SiteError),
}

/// A page built for a preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// Its random id.
    pub id: String,
    /// Where it is served, below [`Previews::prefix`].
    pub address: String,
}

/// The preview builder. Clone is cheap.
#[derive(Clone)]
pub struct Previews {
    inner: Arc<Inner>,
}

struct Inner {
    /// The site's Jekyll command (`jekyll`, `bundle exec jekyll`).
    command: String,
    /// Whether its program was found at start.
    available: bool,
    /// The data folder's `preview/`: the copy, the built site, the pages.
    dir: PathBuf,
    /// In every preview address (and the site's `baseurl` there), so the
    /// built site's files, served to the sandboxed frame without a cookie,
    /// are not open to whoever guesses an address.
    key: String,
    site: Site,
    /// One build at a time.
    builder: tokio::sync::Mutex<Builder>,
    /// Built pages, oldest first: id, owner, file.
    pages: Mutex<VecDeque<Page>>,
}

struct Page {
    id: String,
    owner: i64,
    file: PathBuf,
}

/// The copy and the Jekyll process, held by the build running.
#[derive(Default)]
struct Builder {
    /// The commit the copy holds (`None`: written again from scratch).
    synced: Option<ObjectId>,
    /// Files the last preview wrote over the copy (put back next time).
    overlay: Vec<String>,
    driver: Option<Driver>,
}

struct Driver {
    child: Child,
    stdin: ChildStdin,
    replies: Lines<BufReader<ChildStdout>>,
    /// The last lines of its standard error.
    errors: Arc<Mutex<VecDeque<String>>>,
}

impl Drop for Driver {
    /// Jekyll goes with its whole process group (what its plugins started).
    fn drop(&mut self) {
        if let Some(group) = self.child.id() {
            crate::builds::kill_group(group);
        }
    }
}

#[derive(serde::Deserialize)]
struct Reply {
    ok: bool,
    #[serde(default)]
    url: String,
    #[serde(default)]
    error: String,
    #[serde(default)]
    unbuilt: bool,
}

impl std::fmt::Debug for Previews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Previews")
            .field("command", &self.inner.command)
            .field("available", &self.inner.available)
            .finish_non_exhaustive()
    }
}

impl Previews {
    /// Previews with `command` (run with `sh -c`), kept in `dir`.
    pub fn new(command: &str, dir: &Path, site: Site) -> Result<Previews, std::io::Error> {
        let key =
            crate::auth::random_token(16).map_err(|e| std::io::Error::other(e.to_string()))?;
        let dir = std::path::absolute(dir)?;
        Ok(Previews {
            inner: Arc::new(Inner {
                command: command.trim().to_string(),
                available: program_found(command),
                dir,
                key,
                site,
                builder: tokio::sync::Mutex::new(Builder::default()),
                pages: Mutex::new(VecDeque::new()),
            }),
        })
    }

    /// Whether the Jekyll command is installed.
    pub fn available(&self) -> bool {
        self.inner.available
    }

    /// The Jekyll command, as configured.
    pub fn command(&self) -> &str {
        &self.inner.command
    }

    /// The start of every preview address: `/site-preview/{key}`.
    pub fn prefix(&self) -> String {
        format!("/site-preview/{}", self.inner.key)
    }

    /// Whether `key` is this server's preview key (in constant time).
    pub fn is_key(&self, key: &str) -> bool {
        use subtle::ConstantTimeEq;
        key.len() == self.inner.key.len()
            && bool::from(key.as_bytes().ct_eq(self.inner.key.as_bytes()))
    }

    /// Builds the page of `edit`'s document with the edit applied (nothing
    /// saved), for `owner`.
    pub async fn preview(
        &self,
        edit: Edit,
        author: Author,
        owner: i64,
    ) -> Result<Built, PreviewError> {
        if !self.inner.available {
            return Err(PreviewError::Unavailable(self.inner.command.clone()));
        }
        let draft = self.inner.site.plan(edit, author).await?;
        let id = crate::auth::random_token(16).map_err(|e| PreviewError::Failed(e.to_string()))?;
        let pages = self.inner.dir.join("pages");
        let out = pages.join(format!("{id}.html"));
        let mut builder = self.inner.builder.lock().await;
        // The copy: the tip, then this edit's files over it.
        let tree = self.inner.dir.join("tree");
        let (full, mut changed) = match builder.synced.clone() {
            Some(synced) if tree.is_dir() => {
                let also = std::mem::take(&mut builder.overlay);
                let (tip, tree2) = (draft.tip.clone(), tree.clone());
                let updated = self
                    .inner
                    .site
                    .update_export(&synced, &tip, &tree2, also)
                    .await;
                match updated {
                    Ok(changed) => (false, changed),
                    Err(e) => {
                        // The copy is in doubt: written again next time.
                        builder.synced = None;
                        return Err(e.into());
                    }
                }
            }
            _ => {
                builder.overlay.clear();
                let tree2 = tree.clone();
                let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(tree2)).await;
                builder.synced = None;
                self.inner.site.export(&draft.tip, &tree).await?;
                (true, Vec::new())
            }
        };
        builder.synced = Some(draft.tip.clone());
        let files = draft.files.clone();
        let tree2 = tree.clone();
        let written = tokio::task::spawn_blocking(move || write_overlay(&tree2, &files, &pages))
            .await
            .map_err(|e| PreviewError::Failed(e.to_string()))?;
        if let Err(e) = written {
            // The copy is in doubt: written again next time.
            builder.synced = None;
            return Err(PreviewError::Failed(e.to_string()));
        }
        builder.overlay = draft.files.iter().map(|(p, _)| p.clone()).collect();
        changed.extend(builder.overlay.iter().cloned());
        let request = serde_json::json!({
            "full": full,
            "changed": changed,
            "page": draft.path,
            "out": out,
        });
        let reply = self.ask(&mut builder, &tree, request).await;
        drop(builder);
        let reply = reply?;
        if !reply.ok {
            if reply.unbuilt {
                return Err(PreviewError::NotBuilt);
            }
            return Err(PreviewError::Failed(self.printed(&reply.error, &tree)));
        }
        self.keep(Page {
            id: id.clone(),
            owner,
            file: out,
        });
        let url = if reply.url.starts_with('/') {
            reply.url
        } else {
            format!("/{}", reply.url)
        };
        Ok(Built {
            address: format!("{}{url}?page={id}", self.prefix()),
            id,
        })
    }

    /// Sends one request to Jekyll (started if it is not running) and reads
    /// its answer; a Jekyll that stopped is started again next time.
    async fn ask(
        &self,
        builder: &mut Builder,
        tree: &Path,
        request: serde_json::Value,
    ) -> Result<Reply, PreviewError> {
        // A Jekyll just started reads the whole site whatever is asked.
        let driver = match &mut builder.driver {
            Some(driver) => driver,
            slot @ None => slot.insert(self.start(tree).await?),
        };
        let mut line = request.to_string();
        line.push('\n');
        let answer = async {
            driver.stdin.write_all(line.as_bytes()).await.ok()?;
            driver.stdin.flush().await.ok()?;
            driver.replies.next_line().await.ok().flatten()
        };
        let answer = tokio::time::timeout(BUILD_LIMIT, answer).await;
        let reply = match answer {
            Ok(Some(text)) => serde_json::from_str::<Reply>(&text).ok(),
            _ => None,
        };
        match reply {
            Some(reply) => Ok(reply),
            None => {
                // It stopped, hung or answered nonsense: what it printed is
                // the reason shown.
                let mut driver = builder.driver.take();
                if let Some(d) = driver.as_mut() {
                    let _ = d.child.start_kill();
                    let _ = tokio::time::timeout(Duration::from_secs(5), d.child.wait()).await;
                    // The reader of its standard error, a moment to finish.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                let errors = driver
                    .map(|d| {
                        let lines = d.errors.lock().map(|l| l.clone()).unwrap_or_default();
                        Vec::from(lines).join("\n")
                    })
                    .unwrap_or_default();
                Err(PreviewError::Failed(self.printed(&errors, tree)))
            }
        }
    }

    /// Starts the site's Jekyll with Cairn's preview command loaded.
    async fn start(&self, tree: &Path) -> Result<Driver, PreviewError> {
        let failed = |e: std::io::Error| PreviewError::Failed(e.to_string());
        let dir = &self.inner.dir;
        let driver = dir.join("cairn-preview.rb");
        let config = dir.join("preview-config.yml");
        let (driver2, config2) = (driver.clone(), config.clone());
        let settings = format!(
            "# Written by Cairn for its previews.\nbaseurl: \"{}\"\nurl: \"\"\n",
            self.prefix()
        );
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::write(driver2, DRIVER)?;
            std::fs::write(config2, settings)
        })
        .await
        .map_err(|e| PreviewError::Failed(e.to_string()))?
        .map_err(failed)?;
        let mut cmd = tokio::process::Command::new("sh");
        // The site's code runs here (Jekyll plugins).
        crate::builds::without_cairn_settings(&mut cmd);
        let rubyopt = match std::env::var("RUBYOPT") {
            Ok(existing) if !existing.trim().is_empty() => {
                format!("{existing} -r{}", driver.display())
            }
            _ => format!("-r{}", driver.display()),
        };
        let mut child = cmd
            .arg("-c")
            .arg(format!("{} cairn-preview \"$@\"", self.inner.command))
            .arg("sh")
            .arg(tree)
            .arg(dir.join("site"))
            .arg(&config)
            .current_dir(tree)
            .env("RUBYOPT", rubyopt)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(failed)?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(PreviewError::Failed("no pipes to Jekyll".into()));
        };
        let errors = Arc::new(Mutex::new(VecDeque::new()));
        let kept = errors.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!(target: "cairn::preview::jekyll", "{line}");
                if let Ok(mut kept) = kept.lock() {
                    kept.push_back(line);
                    if kept.len() > ERROR_LINES {
                        kept.pop_front();
                    }
                }
            }
        });
        tracing::info!(command = %self.inner.command, "started Jekyll for previews");
        Ok(Driver {
            child,
            stdin,
            replies: BufReader::new(stdout).lines(),
            errors,
        })
    }

    /// Jekyll's words without colours, its paths relative to the site.
    fn printed(&self, text: &str, tree: &Path) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                // An ANSI colour: ESC [ digits ; ... m
                if chars.peek() == Some(&'[') {
                    for d in chars.by_ref() {
                        if d.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
                continue;
            }
            out.push(c);
        }
        let prefix = format!("{}/", tree.display());
        out.replace(&prefix, "").trim().to_string()
    }

    fn keep(&self, page: Page) {
        let gone: Vec<PathBuf> = match self.inner.pages.lock() {
            Ok(mut pages) => {
                pages.push_back(page);
                let mut gone = Vec::new();
                while pages.len() > KEPT_PAGES {
                    if let Some(old) = pages.pop_front() {
                        gone.push(old.file);
                    }
                }
                gone
            }
            Err(_) => Vec::new(),
        };
        for file in gone {
            let _ = std::fs::remove_file(file);
        }
    }

    /// The file of built page `id`, if `owner` asked for it.
    pub fn page(&self, id: &str, owner: i64) -> Option<PathBuf> {
        let pages = self.inner.pages.lock().ok()?;
        pages
            .iter()
            .find(|p| p.id == id && p.owner == owner)
            .map(|p| p.file.clone())
    }

    /// A file of the built site (`path` below the prefix), if there is one.
    pub fn site_file(&self, path: &str) -> Option<PathBuf> {
        let mut path = path.trim_start_matches('/').to_string();
        if path.is_empty() || path.ends_with('/') {
            path.push_str("index.html");
        }
        if path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\'))
        {
            return None;
        }
        let file = self.inner.dir.join("site").join(path);
        file.is_file().then_some(file)
    }
}

/// Writes an edit's files over the copy (a `None` removes the file).
fn write_overlay(
    tree: &Path,
    files: &[(String, Option<bytes::Bytes>)],
    pages: &Path,
) -> std::io::Result<()> {
    std::fs::create_dir_all(pages)?;
    for (path, content) in files {
        if path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            continue;
        }
        let target = tree.join(path);
        match content {
            Some(bytes) => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&target, bytes)?;
            }
            None => match std::fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            },
        }
    }
    Ok(())
}

/// Whether the command's program is on this machine (its first word, as a
/// path or in `PATH`; `bundle exec jekyll` is found by `bundle`).
fn program_found(command: &str) -> bool {
    let Some(program) = command.split_whitespace().find(|w| !w.contains('=')) else {
        return false;
    };
    let executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return executable(Path::new(program));
    }
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| executable(&dir.join(program)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_found_on_the_path() {
        assert!(program_found("sh -c true"));
        assert!(program_found("/bin/sh"));
        assert!(program_found("FOO=1 sh"));
        assert!(!program_found("cairn-no-such-program build"));
        assert!(!program_found("/nonexistent/jekyll"));
        assert!(!program_found("   "));
    }
}
