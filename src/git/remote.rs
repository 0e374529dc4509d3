//! Pushing the branch to the site's remote, never forced, and fetching
//! from it, over any transport libgit2 has here (local, git://, ssh, https)
//! with the credentials Cairn was given. A push the remote refuses (it has
//! commits Cairn does not) is reported, not retried by force: git2 reports a
//! refused reference through `push_update_reference`, not as an error, so
//! that callback is checked.

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
            handle.push(&[refspec.as_str()], Some(&mut options))
        };
        match result {
            Ok(()) => {}
            Err(e) if e.code() == ErrorCode::NotFastForward => {
                return Ok(Ok(PushOutcome::Rejected(e.message().to_string())));
            }
            Err(e) => return Ok(Err(failure(&e))),
        }
        if let Some(reason) = refused {
            return Ok(Ok(PushOutcome::Rejected(reason)));
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
