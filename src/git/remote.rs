//! Pushing the branch to the site's remote, never forced, and fetching
//! from it, over any transport libgit2 has here (local, git://, ssh, https)
//! with the credentials Cairn was given. A push the remote refuses (it has
//! commits Cairn does not) is reported, not retried by force: git2 reports a
//! refused reference through `push_update_reference`, not as an error, so
//! that callback is checked.
//!
//! A remote that is a local path is pushed to with the `git` command (when
//! it has hooks, or git is installed): as `git push` to a local path does,
//! its `pre-receive`, `update` and `post-receive` hooks run, which libgit2's
//! direct write never does.

use super::{ObjectId, Repo, StoreError};
use git2::{
    Cred, CredentialType, ErrorClass, ErrorCode, FetchOptions, PushOptions, RemoteCallbacks,
};
use std::path::PathBuf;

/// How Cairn proves who it is to the remote: an SSH key (else the SSH
/// agent), or a token for HTTPS (sent as the password). Never logged.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RemoteAuth {
    pub ssh_key: Option<PathBuf>,
    pub ssh_passphrase: Option<String>,
    /// The HTTPS user name (default: the URL's, else `x-access-token`,
    /// which GitHub, GitLab and Gitea accept with a token).
    pub username: Option<String>,
    pub token: Option<String>,
}

impl std::fmt::Debug for RemoteAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteAuth")
            .field("ssh_key", &self.ssh_key)
            .field(
                "ssh_passphrase",
                &self.ssh_passphrase.as_ref().map(|_| "***"),
            )
            .field("username", &self.username)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Callbacks answering the remote's credential requests from `auth`, each
/// kind of credential at most once per operation: a refused one fails the
/// operation ("authentication failed: ...") instead of being offered again
/// forever, as libgit2 would ask.
fn callbacks(auth: &RemoteAuth) -> RemoteCallbacks<'_> {
    let mut callbacks = RemoteCallbacks::new();
    let mut offered: Vec<CredentialType> = Vec::new();
    callbacks.credentials(move |_url, user_from_url, allowed| {
        let refused = |what: &str| {
            Err(git2::Error::new(
                ErrorCode::Auth,
                ErrorClass::Net,
                format!("authentication failed: the remote refused {what}"),
            ))
        };
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user_from_url.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            let user = user_from_url.unwrap_or("git");
            if offered.contains(&CredentialType::SSH_KEY) {
                return match &auth.ssh_key {
                    Some(key) => refused(&format!("the SSH key {}", key.display())),
                    None => refused("the SSH agent's keys (set CAIRN_SSH_KEY)"),
                };
            }
            offered.push(CredentialType::SSH_KEY);
            return match &auth.ssh_key {
                Some(key) => Cred::ssh_key(user, None, key, auth.ssh_passphrase.as_deref()),
                None => Cred::ssh_key_from_agent(user),
            };
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            let Some(token) = &auth.token else {
                return refused("to continue without a token (set CAIRN_REMOTE_TOKEN)");
            };
            if offered.contains(&CredentialType::USER_PASS_PLAINTEXT) {
                return refused("the token");
            }
            offered.push(CredentialType::USER_PASS_PLAINTEXT);
            let user = auth
                .username
                .as_deref()
                .or(user_from_url)
                .unwrap_or("x-access-token");
            return Cred::userpass_plaintext(user, token);
        }
        refused("every kind of credential Cairn has")
    });
    callbacks
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// The remote branch now points at this commit; `true` when it did not
    /// before (as far as the remote-tracking branch tells; always for a URL).
    Pushed(ObjectId, bool),
    /// The remote has commits the branch does not: nothing was pushed.
    Rejected(String),
}

/// Why a push failed (the remote is unreachable, or refused the credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushFailure {
    pub message: String,
    /// Retrying will not help without a change (credentials, URL).
    pub permanent: bool,
}

impl Repo {
    /// Fetches `branch` of `remote` into its remote-tracking branch (for a
    /// URL, `refs/cairn/remote/{branch}`); returns the fetched commit.
    pub fn fetch(
        &self,
        remote: &str,
        branch: &str,
        auth: &RemoteAuth,
    ) -> Result<Result<Option<ObjectId>, PushFailure>, StoreError> {
        let repo = self.handle()?;
        let (mut handle, named) = remote_of(&repo, remote)?;
        let local = if named {
            format!("refs/remotes/{remote}/{branch}")
        } else {
            format!("refs/cairn/remote/{branch}")
        };
        let refspec = format!("+refs/heads/{branch}:{local}");
        let mut options = FetchOptions::new();
        options.remote_callbacks(callbacks(auth));
        if let Err(e) = handle.fetch(&[refspec.as_str()], Some(&mut options), None) {
            return Ok(Err(failure(&e)));
        }
        Ok(Ok(repo.refname_to_id(&local).ok().map(ObjectId::from_oid)))
    }

    /// The URL of remote `name`, if the repository has it.
    pub fn remote_url(&self, name: &str) -> Result<Option<String>, StoreError> {
        let repo = self.handle()?;
        let url = match repo.find_remote(name) {
            Ok(remote) => remote.url().ok().map(String::from),
            Err(_) => None,
        };
        Ok(url)
    }

    /// The commit the remote-tracking branch `refs/remotes/{remote}/{branch}`
    /// points at (what was last pushed or fetched), if any.
    pub fn tracking(&self, remote: &str, branch: &str) -> Result<Option<ObjectId>, StoreError> {
        let repo = self.handle()?;
        Ok(repo
            .refname_to_id(&format!("refs/remotes/{remote}/{branch}"))
            .ok()
            .map(ObjectId::from_oid))
    }

    /// How many commits of the branch are not in `since` (all when `None`).
    pub fn commits_after(&self, since: Option<&ObjectId>) -> Result<usize, StoreError> {
        let repo = self.handle()?;
        let tip = repo.refname_to_id(&self.branch_ref)?;
        let mut walk = repo.revwalk()?;
        walk.push(tip)?;
        if let Some(since) = since {
            // A commit that is not there (a rewritten remote) hides nothing.
            let _ = walk.hide(since.oid()?);
        }
        Ok(walk.count())
    }

    /// Pushes the branch's tip to `branch` of `remote` (a remote's name or a
    /// URL), never forced. On success the remote-tracking branch
    /// (`refs/remotes/{remote}/{branch}`, for a named remote) follows.
    pub fn push(
        &self,
        remote: &str,
        branch: &str,
        auth: &RemoteAuth,
    ) -> Result<Result<PushOutcome, PushFailure>, StoreError> {
        let repo = self.handle()?;
        let tip = repo.refname_to_id(&self.branch_ref)?;
        let (mut handle, named) = remote_of(&repo, remote)?;
        let refspec = format!("{tip}:refs/heads/{branch}");
        let before = named
            .then(|| {
                repo.refname_to_id(&format!("refs/remotes/{remote}/{branch}"))
                    .ok()
            })
            .flatten();
        let url = handle.url().unwrap_or_default().to_string();
        let pushed = match local_path(&url) {
            // libgit2 writes a local remote's objects and refs itself and
            // never runs its hooks; `git push` runs them as git does.
            Some(dir) if has_hooks(&dir) || super::cli::git_available() => {
                push_with_git(repo.path(), &url, tip, branch)
            }
            _ => push_with_libgit2(&mut handle, &refspec, auth),
        };
        match pushed {
            Ok(()) => {}
            Err(GitPush::Rejected(reason)) => return Ok(Ok(PushOutcome::Rejected(reason))),
            Err(GitPush::Failed(failure)) => return Ok(Err(failure)),
        }
        if named {
            repo.reference(
                &format!("refs/remotes/{remote}/{branch}"),
                tip,
                true,
                "cairn: push",
            )?;
        }
        Ok(Ok(PushOutcome::Pushed(
            ObjectId::from_oid(tip),
            before != Some(tip),
        )))
    }
}

/// libgit2's push of `refspec` to `remote`, never forced: a refused
/// reference comes through `push_update_reference`, not as an error.
fn push_with_libgit2(
    remote: &mut git2::Remote<'_>,
    refspec: &str,
    auth: &RemoteAuth,
) -> Result<(), GitPush> {
    let mut refused: Option<String> = None;
    let result = {
        let mut callbacks = callbacks(auth);
        callbacks.push_update_reference(|name, status| {
            if let Some(status) = status {
                refused = Some(format!("{name}: {status}"));
            }
            Ok(())
        });
        let mut options = PushOptions::new();
        options.remote_callbacks(callbacks);
        remote.push(&[refspec], Some(&mut options))
    };
    match result {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::NotFastForward => {
            return Err(GitPush::Rejected(e.message().to_string()));
        }
        Err(e) => return Err(GitPush::Failed(failure(&e))),
    }
    match refused {
        Some(reason) => Err(GitPush::Rejected(reason)),
        None => Ok(()),
    }
}

/// The folder of a remote given as a local path (`/srv/site.git`,
/// `../site.git`, `file:///srv/site.git`); `None` for a URL of another
/// transport or an scp-like `host:path`.
fn local_path(url: &str) -> Option<PathBuf> {
    if let Some(path) = url.strip_prefix("file://") {
        return Some(PathBuf::from(path));
    }
    if url.contains("://") {
        return None;
    }
    // git reads `host:path` as ssh when the colon comes before any slash.
    match (url.find(':'), url.find('/')) {
        (Some(colon), Some(slash)) if colon < slash => None,
        (Some(_), None) => None,
        _ => Some(PathBuf::from(url)),
    }
}

/// The hooks git runs on the receiving side of a push.
const RECEIVE_HOOKS: [&str; 6] = [
    "pre-receive",
    "update",
    "proc-receive",
    "reference-transaction",
    "post-receive",
    "post-update",
];

/// Whether the repository at `dir` (bare, or a checkout) has a hook a push
/// would run, or sets `core.hooksPath` (hooks elsewhere).
fn has_hooks(dir: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let git_dir = if dir.join(".git").is_dir() {
        dir.join(".git")
    } else {
        dir.to_path_buf()
    };
    let moved = std::fs::read_to_string(git_dir.join("config"))
        .is_ok_and(|c| c.to_ascii_lowercase().contains("hookspath"));
    moved
        || RECEIVE_HOOKS.iter().any(|hook| {
            std::fs::metadata(git_dir.join("hooks").join(hook))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Why a push did not move the remote branch.
enum GitPush {
    /// The remote refused the update (not a fast-forward, a hook declined).
    Rejected(String),
    /// It could not be done (no `git`, no such repository).
    Failed(PushFailure),
}

/// `git push` of commit `tip` to `refs/heads/{branch}` of the local
/// repository `url`, from the repository in `git_dir`, never forced: the
/// remote's `pre-receive`, `update` and `post-receive` hooks run (and may
/// refuse it). Cairn's own settings stay out of the hooks' environment.
fn push_with_git(
    git_dir: &std::path::Path,
    url: &str,
    tip: git2::Oid,
    branch: &str,
) -> Result<(), GitPush> {
    let mut cmd = super::cli::git_command(git_dir);
    cmd.args(["push", "--porcelain", url])
        .arg(format!("{tip}:refs/heads/{branch}"));
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => {
            return Err(GitPush::Failed(PushFailure {
                message: format!(
                    "the remote {url} has hooks, which only the git command runs, and git cannot be run here ({e}): install git, or serve the remote over ssh or git daemon"
                ),
                permanent: true,
            }));
        }
    };
    if out.status.success() {
        return Ok(());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Porcelain: `!\t<src>:<dst>\t[rejected] (fetch first)` per refused ref.
    if let Some(line) = stdout.lines().find(|l| l.starts_with('!')) {
        let summary = line.split('\t').nth(2).unwrap_or(line).trim();
        let hook_said: Vec<&str> = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("remote: "))
            .collect();
        let reason = if hook_said.is_empty() {
            format!("refs/heads/{branch}: {summary}")
        } else {
            format!("refs/heads/{branch}: {summary}: {}", hook_said.join(" "))
        };
        return Err(GitPush::Rejected(reason));
    }
    let said: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    Err(GitPush::Failed(PushFailure {
        message: format!("git push to {url} failed: {}", said.join(" ")),
        permanent: false,
    }))
}

/// The remote named `remote`, or one for the URL `remote`; and whether it
/// is named (then it has remote-tracking branches).
fn remote_of<'r>(
    repo: &'r git2::Repository,
    remote: &str,
) -> Result<(git2::Remote<'r>, bool), StoreError> {
    match repo.find_remote(remote) {
        Ok(named) => Ok((named, true)),
        Err(_) => Ok((repo.remote_anonymous(remote)?, false)),
    }
}

/// A transport error as a failure, permanent when retrying cannot help:
/// wrong credentials, an unknown SSH host key, a transport this build
/// lacks.
fn failure(e: &git2::Error) -> PushFailure {
    let permanent = e.code() == ErrorCode::Auth
        || e.code() == ErrorCode::Certificate
        || e.message().contains("authentication failed")
        || matches!(e.class(), ErrorClass::Ssh | ErrorClass::Http)
            && e.message().contains("authentication")
        || e.message().contains("unsupported URL protocol");
    PushFailure {
        message: e.message().to_string(),
        permanent,
    }
}
