//! Publishing: every commit is pushed to the site's remote soon after it is
//! made (a burst of saves becomes one push), never forced. A remote that is
//! down is retried with backoff while saves go on; a refused push leads to a
//! fetch and a fast-forward or a field-by-field merge (`merge.rs`), then a
//! new push; a conflict pauses publishing, keeps every commit on both sides
//! and is shown to admins, who may settle it. Refused credentials stop the
//! retries until the next commit. Each new commit the remote takes is handed
//! to the builds (`ready_to_build`).

use super::merge::{Choices, MergeBy, RemoteConflict, TakenIn};
use super::{ObjectId, Site, SiteError};
use crate::git::remote::PushOutcome;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Where commits are pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishTarget {
    /// A remote's name (`origin`) or a URL.
    pub remote: String,
    /// The remote branch.
    pub branch: String,
    /// How often changes made elsewhere are fetched.
    pub fetch_every: Duration,
    /// The credentials the remote asks for.
    pub auth: crate::git::remote::RemoteAuth,
}

/// How publishing is going, for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishStatus {
    pub target: Option<PublishTarget>,
    /// The last commit the remote accepted, and when (seconds).
    pub published: Option<(ObjectId, i64)>,
    /// Commits on the branch the remote does not have yet.
    pub waiting: usize,
    /// Publishing stopped until something changes: why.
    pub paused: Option<String>,
    /// The last push failed (it is retried): why.
    pub failing: Option<String>,
    /// What conflicts with what, when publishing is paused by a conflict.
    pub conflicts: Vec<RemoteConflict>,
    /// The remote refused Cairn's credentials every time: nothing is tried
    /// again until the next change (or a webhook).
    pub stopped: bool,
}

/// Where publishing stands, the most pressing first (as the dashboard says it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishState {
    /// No remote: commits stay in the site's repository.
    Off,
    /// Stopped by a conflict or a refusal until someone acts.
    Paused,
    /// The last push failed; it is retried (or, `stopped`, waits for a change).
    Failing,
    /// Commits wait to be pushed.
    Waiting,
    /// Everything is on the remote.
    Published,
    /// Nothing pushed yet since the start.
    Unpublished,
}

impl PublishState {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishState::Off => "off",
            PublishState::Paused => "paused",
            PublishState::Failing => "failing",
            PublishState::Waiting => "waiting",
            PublishState::Published => "published",
            PublishState::Unpublished => "unpublished",
        }
    }
}

impl PublishStatus {
    /// The state the dashboard's one line tells.
    pub fn state(&self) -> PublishState {
        if self.target.is_none() {
            PublishState::Off
        } else if self.paused.is_some() {
            PublishState::Paused
        } else if self.failing.is_some() {
            PublishState::Failing
        } else if self.waiting > 0 {
            PublishState::Waiting
        } else if self.published.is_some() {
            PublishState::Published
        } else {
            PublishState::Unpublished
        }
    }
}

/// `text` with the user name and password taken out of every URL in it
/// (`https://user:token@host/site.git` is `https://host/site.git`): what may
/// be shown of a remote and of its errors.
pub fn without_credentials(text: &str) -> String {
    static USERINFO: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@").ok()
    });
    match &*USERINFO {
        Some(re) => re.replace_all(text, "$1").into_owned(),
        None => String::new(),
    }
}

/// What a push webhook made Cairn do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteChange {
    /// The branch Cairn publishes to moved: fetching now.
    Fetching,
    /// Another branch (or a tag) was pushed: nothing to fetch.
    OtherBranch,
    /// The site publishes to no remote.
    NoRemote,
}

/// A commit the site's builds should build, and what made it ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub commit: ObjectId,
    /// `push` (the remote took it), `fetch` (taken in from the remote),
    /// `commit` (no remote: Cairn made it) or `restart` (a crash cut its
    /// build short).
    pub trigger: &'static str,
}

/// The publisher shared by the site and its background task.
#[derive(Debug, Default)]
pub struct Publisher {
    poke: Notify,
    /// The newest commit ready to build (builds follow it, coalescing).
    published: watch::Sender<Option<Published>>,
    /// A push webhook arrived: fetch now.
    fetch_now: Notify,
    status: Mutex<PublishStatus>,
}

/// Pushes wait this long after a commit, so a burst becomes one push.
const SETTLE: Duration = Duration::from_millis(300);
/// The longest wait between retries of a failing push.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A push that fails this many times in a row for a permanent reason
/// (credentials) is not retried until the next commit.
pub const PERMANENT_TRIES: u32 = 3;

impl Publisher {
    /// Something was committed: push soon.
    pub fn poke(&self) {
        self.poke.notify_one();
    }

    /// The remote says it changed: fetch now.
    pub fn fetch_soon(&self) {
        self.fetch_now.notify_one();
    }

    /// `commit` is ready to build (a build follows, or one more after the
    /// running one).
    pub fn ready(&self, commit: ObjectId, trigger: &'static str) {
        self.published.send_if_modified(|now| {
            let fresh = now.as_ref().is_none_or(|p| p.commit != commit);
            if fresh {
                *now = Some(Published { commit, trigger });
            }
            fresh
        });
    }

    /// Whether anything builds the commits made ready (builds are on).
    pub fn builds_follow(&self) -> bool {
        self.published.receiver_count() > 0
    }

    /// Where commits are pushed, once publishing has started (`None`: no
    /// remote), without copying the rest of the status.
    pub fn target(&self) -> Option<PublishTarget> {
        self.status.lock().ok().and_then(|s| s.target.clone())
    }

    pub fn status(&self) -> PublishStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn update(&self, change: impl FnOnce(&mut PublishStatus)) {
        if let Ok(mut s) = self.status.lock() {
            change(&mut s);
        }
    }
}

impl Site {
    /// A push webhook arrived for `pushed` (`refs/heads/...`, or `None` when
    /// the webhook names no branch): fetch the remote now when it is the
    /// branch Cairn publishes to.
    pub fn remote_changed(&self, pushed: Option<&str>) -> RemoteChange {
        let Some(target) = self.publisher.target() else {
            return RemoteChange::NoRemote;
        };
        if let Some(pushed) = pushed
            && pushed.strip_prefix("refs/heads/") != Some(target.branch.as_str())
        {
            return RemoteChange::OtherBranch;
        }
        self.publisher.fetch_soon();
        RemoteChange::Fetching
    }

    /// The commits to build: the newest one the remote took (or, without a
    /// remote, the newest commit). Values in between may be skipped.
    pub fn ready_to_build(&self) -> watch::Receiver<Option<Published>> {
        self.publisher.published.subscribe()
    }

    /// Writes the files of `commit` into `dir`, a clean checkout for a build.
    pub async fn export(
        &self,
        commit: &ObjectId,
        dir: &std::path::Path,
    ) -> Result<usize, SiteError> {
        let (commit, dir) = (commit.clone(), dir.to_path_buf());
        self.blocking(move |cx| Ok(cx.repo.export(&commit, &dir)?))
            .await
    }

    /// Brings a folder [`Site::export`] wrote for `from` to `to`, `also`
    /// put back as `to` has them: the paths written or removed.
    pub async fn update_export(
        &self,
        from: &ObjectId,
        to: &ObjectId,
        dir: &std::path::Path,
        also: Vec<String>,
    ) -> Result<Vec<String>, SiteError> {
        let (from, to, dir) = (from.clone(), to.clone(), dir.to_path_buf());
        self.blocking(move |cx| Ok(cx.repo.update_export(&from, &to, &dir, &also)?))
            .await
    }

    /// How publishing is going (`target: None` when there is no remote).
    pub fn publish_status(&self) -> PublishStatus {
        self.publisher.status()
    }

    /// Pushes to `target` after every commit, until the process ends. Also
    /// pushes at start, what earlier runs could not.
    pub async fn publish(self, target: PublishTarget, clock: Arc<dyn crate::clock::Clock>) {
        let publisher = self.publisher.clone();
        publisher.update(|s| s.target = Some(target.clone()));
        let mut backoff = Duration::from_secs(1);
        let mut permanent_failures = 0;
        loop {
            let outcome = self.push_once(&target).await;
            let mut retry = false;
            match outcome {
                Ok(Ok(PushOutcome::Pushed(commit, new))) => {
                    backoff = Duration::from_secs(1);
                    permanent_failures = 0;
                    if new {
                        publisher.ready(commit.clone(), "push");
                    }
                    publisher.update(|s| {
                        s.published = Some((commit, clock.now()));
                        s.paused = None;
                        s.conflicts.clear();
                        s.failing = None;
                    });
                }
                Ok(Ok(PushOutcome::Rejected(reason))) => {
                    // The remote has commits Cairn lacks: take them in, then
                    // push again.
                    match self.take_in(&target, &clock).await {
                        Ok(TakenIn::UpToDate) => {
                            tracing::warn!(%reason, "the remote refused the push");
                            publisher.update(|s| {
                                s.paused =
                                    Some(format!("the remote refused the changes ({reason})"));
                            });
                        }
                        Ok(taken) => {
                            if self.after_taking_in(taken) {
                                publisher.poke();
                            }
                        }
                        Err(e) => {
                            retry = true;
                            publisher.update(|s| {
                                s.failing = Some(e.to_string());
                            });
                        }
                    }
                }
                Ok(Err(failure)) => {
                    tracing::warn!(error = %failure.message, "push failed");
                    if failure.permanent {
                        permanent_failures += 1;
                    }
                    retry = permanent_failures < PERMANENT_TRIES;
                    publisher.update(|s| {
                        s.failing = Some(failure.message.clone());
                    });
                }
                Err(e) => {
                    tracing::error!(error = %e, "push failed");
                    retry = true;
                    publisher.update(|s| {
                        s.failing = Some(e.to_string());
                    });
                }
            }
            // What the remote still lacks, after whatever just happened.
            let last = publisher.status().published.map(|(c, _)| c);
            let waiting = self.waiting(&target, last).await.unwrap_or(0);
            publisher.update(|s| s.waiting = waiting);
            if retry {
                // Retried with backoff; a new commit tries again at once.
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = publisher.poke.notified() => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            } else {
                // The next commit, or time to look for changes made elsewhere.
                // After a permanent failure (credentials) nothing is tried
                // on a timer: only a commit or a webhook tries again.
                let mut stopped = permanent_failures >= PERMANENT_TRIES;
                publisher.update(|s| s.stopped = stopped);
                loop {
                    tokio::select! {
                        () = publisher.poke.notified() => break,
                        () = publisher.fetch_now.notified() => {}
                        () = tokio::time::sleep(target.fetch_every), if !stopped => {}
                    }
                    match self.take_in(&target, &clock).await {
                        Ok(taken) => {
                            if self.after_taking_in(taken) {
                                // A merge commit to push.
                                break;
                            }
                        }
                        Err(SiteError::RemoteDenied(why)) => {
                            tracing::warn!(error = %why, "could not fetch; not retried on a timer");
                            stopped = true;
                            publisher.update(|s| {
                                s.stopped = true;
                                s.failing = Some(why);
                            });
                        }
                        Err(e) => tracing::warn!(error = %e, "could not fetch"),
                    }
                }
                permanent_failures = 0;
                publisher.update(|s| s.stopped = false);
            }
            tokio::time::sleep(SETTLE).await;
        }
    }

    /// Fetches the remote branch and brings its commits in: a fast-forward
    /// when the branch has nothing the remote lacks, else a merge, field by
    /// field. The checkout and the history index follow.
    pub async fn take_in(
        &self,
        target: &PublishTarget,
        clock: &Arc<dyn crate::clock::Clock>,
    ) -> Result<TakenIn, SiteError> {
        self.take_in_choosing(target, clock.now(), None).await
    }

    /// The same, with a person's choices for what conflicts.
    async fn take_in_choosing(
        &self,
        target: &PublishTarget,
        now: i64,
        choices: Option<Choices>,
    ) -> Result<TakenIn, SiteError> {
        let t = target.clone();
        let fetched = self
            .blocking(move |cx| Ok(cx.repo.fetch(&t.remote, &t.branch, &t.auth)?))
            .await?
            .map_err(|f| {
                if f.permanent {
                    SiteError::RemoteDenied(f.message)
                } else {
                    SiteError::Remote(f.message)
                }
            })?;
        let Some(theirs) = fetched else {
            return Ok(TakenIn::UpToDate);
        };
        let committer = self.committer.clone();
        let from = format!("{} ({})", target.remote, target.branch);
        let fetched_tip = theirs.clone();
        let (taken, local_edits) = self
            .blocking(move |cx| {
                let how = MergeBy {
                    committer: &committer,
                    now,
                    from: &from,
                    choices: choices.as_ref(),
                };
                super::merge::take_in(&cx, &theirs, &how)
            })
            .await?;
        if !local_edits.is_empty() {
            tracing::warn!(files = ?local_edits, "checkout files with local edits were left as they were");
        }
        if matches!(taken, TakenIn::FastForwarded | TakenIn::Merged(_)) {
            tracing::info!("took in the remote's changes");
            self.after_outside_change();
        }
        if taken == TakenIn::FastForwarded {
            // The remote's tip is the site now, and nothing will be pushed:
            // build it (a merge is built once pushed).
            self.publisher.ready(fetched_tip, "fetch");
        }
        Ok(taken)
    }

    /// An admin settles the conflicts that paused publishing: the remote is
    /// fetched again and merged with these choices (the merge commit is
    /// authored by them), then pushed. What still conflicts (the remote
    /// may have moved) is returned, and publishing stays paused.
    pub async fn settle_conflicts(
        &self,
        choices: Choices,
        now: i64,
    ) -> Result<Vec<RemoteConflict>, SiteError> {
        let Some(target) = self.publisher.target() else {
            return Err(SiteError::Unsupported(
                "settling conflicts without a remote".into(),
            ));
        };
        let taken = self.take_in_choosing(&target, now, Some(choices)).await?;
        let left = match &taken {
            TakenIn::Conflicted(c) => c.clone(),
            _ => Vec::new(),
        };
        if self.after_taking_in(taken) {
            self.publisher.poke();
        }
        Ok(left)
    }

    /// Records what taking in did for the dashboard; whether there is now
    /// something to push (a merge commit).
    fn after_taking_in(&self, taken: TakenIn) -> bool {
        let (paused, conflicts, push) = match taken {
            TakenIn::UpToDate => return false,
            TakenIn::FastForwarded => (None, Vec::new(), false),
            TakenIn::Merged(_) => (None, Vec::new(), true),
            TakenIn::Conflicted(conflicts) => {
                tracing::warn!(conflicts = conflicts.len(), "publishing paused: conflict with the remote");
                let paused = format!(
                    "conflict: the remote and Cairn changed {} differently; every change on both sides is kept",
                    describe(&conflicts)
                );
                (Some(paused), conflicts, false)
            }
            TakenIn::Unrelated => (
                Some("the remote's branch shares no history with the site's; nothing was pushed or taken in".to_string()),
                Vec::new(),
                false,
            ),
        };
        self.publisher.update(|s| {
            s.paused = paused;
            s.conflicts = conflicts;
        });
        push
    }

    async fn push_once(
        &self,
        target: &PublishTarget,
    ) -> Result<Result<PushOutcome, crate::git::remote::PushFailure>, SiteError> {
        let target = target.clone();
        self.blocking(move |cx| Ok(cx.repo.push(&target.remote, &target.branch, &target.auth)?))
            .await
    }

    /// Commits the remote does not have, as far as Cairn knows: after the
    /// remote-tracking branch, or after the last commit pushed to a URL.
    async fn waiting(
        &self,
        target: &PublishTarget,
        last: Option<ObjectId>,
    ) -> Result<usize, SiteError> {
        let target = target.clone();
        self.blocking(move |cx| {
            let pushed = cx.repo.tracking(&target.remote, &target.branch)?.or(last);
            Ok(cx.repo.commits_after(pushed.as_ref())?)
        })
        .await
    }
}

/// "the field `name` of _projects/a.md and 1 more".
fn describe(conflicts: &[RemoteConflict]) -> String {
    match conflicts {
        [] => "nothing".to_string(),
        [one] => format!("{} of {}", one.part, one.path),
        [one, rest @ ..] => format!("{} of {} and {} more", one.part, one.path, rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_out_of_urls() {
        assert_eq!(
            without_credentials("https://x-access-token:ghp_secret@github.com/team/site.git"),
            "https://github.com/team/site.git"
        );
        assert_eq!(
            without_credentials("failed to push to ssh://deploy@host:22/srv/site.git: refused"),
            "failed to push to ssh://host:22/srv/site.git: refused"
        );
        // Nothing to take out of a name, a path or an scp-like address.
        for kept in ["origin", "/srv/site.git", "git@github.com:team/site.git"] {
            assert_eq!(without_credentials(kept), kept);
        }
    }

    #[test]
    fn the_state_is_the_most_pressing() {
        let target = PublishTarget {
            remote: "origin".into(),
            branch: "main".into(),
            fetch_every: Duration::from_secs(60),
            auth: Default::default(),
        };
        let mut status = PublishStatus::default();
        assert_eq!(status.state(), PublishState::Off);
        status.target = Some(target);
        assert_eq!(status.state(), PublishState::Unpublished);
        status.waiting = 2;
        assert_eq!(status.state(), PublishState::Waiting);
        status.failing = Some("down".into());
        assert_eq!(status.state(), PublishState::Failing);
        status.paused = Some("conflict".into());
        assert_eq!(status.state(), PublishState::Paused);
    }
}
