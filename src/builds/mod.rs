//! Static builds Cairn runs itself: after each successful push (or, with no
//! remote, each commit), a command in a clean checkout of that commit and/or
//! a POST to a build-hook URL. One build at a time; commits that arrive
//! during a build lead to one more build of the newest, not one per commit.
//! Every run is recorded (commit, trigger, times, status, exit code, the
//! last part of its log) and its log can be followed live. A failing or
//! hanging build never touches saving: it runs in its own task and folder,
//! under a time limit, and is killed with its whole process group.

use crate::clock::Clock;
/// A run's record, as the pages show it.
pub use crate::db::builds::BuildRow;
use crate::db::builds::{self as rows};
use crate::site::publish::Published;
use crate::site::{ObjectId, Site};
use sqlx::SqlitePool;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::broadcast;

/// What a build does, from the configuration.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    /// Run with `sh -c` in a clean checkout of the commit.
    pub command: Option<String>,
    /// Receives a POST (JSON: commit, trigger) after the command succeeds.
    pub hook_url: Option<String>,
    /// A build still running after this is killed and recorded as timed out.
    pub timeout: Duration,
}

/// Lines of a running build's log kept in memory (the page and the live
/// stream start from them).
const LIVE_LINES: usize = 5_000;
/// Lines of a finished build's log kept in the database.
const KEPT_LINES: usize = 200;
/// A log line longer than this is cut.
const MAX_LINE: usize = 4_096;
/// How long a build hook may take to answer.
const HOOK_TIMEOUT: Duration = Duration::from_secs(30);

/// Something that happened in a running build, for live followers.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// Log line number `n` (from 0).
    Line(usize, String),
    /// The build ended with this status.
    End(String),
}

/// The build now running.
struct Live {
    id: i64,
    /// The command's process group, while it runs.
    group: Option<u32>,
    /// The newest lines; `first` is the number of the first one kept.
    lines: VecDeque<String>,
    first: usize,
    events: broadcast::Sender<LiveEvent>,
}

/// Adds a line to the running build's log, for followers too.
fn push_line(live: &Mutex<Option<Live>>, text: String) {
    if let Ok(mut live) = live.lock()
        && let Some(run) = live.as_mut()
    {
        let n = run.first + run.lines.len();
        let _ = run.events.send(LiveEvent::Line(n, text.clone()));
        run.lines.push_back(text);
        if run.lines.len() > LIVE_LINES {
            run.lines.pop_front();
            run.first += 1;
        }
    }
}

/// The build runner and its records. Clone is cheap.
#[derive(Clone)]
pub struct Builds {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Option<BuildSettings>,
    /// Where the temporary checkouts go (one per run, removed after); each
    /// run's folder also marks its processes (`CAIRN_BUILD_DIR`), so what a
    /// crash left running is found again without a recorded process id.
    work_dir: PathBuf,
    db: SqlitePool,
    site: Site,
    clock: Arc<dyn Clock>,
    /// Shared with the tasks that read a build's output, which hold nothing
    /// else (so none of them keeps the site open after a stop).
    live: Arc<Mutex<Option<Live>>>,
}

impl std::fmt::Debug for Builds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builds")
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// What following a build gives: the lines so far (from the one asked
/// for), then events; or the build is not running.
pub enum Follow {
    Running(Vec<(usize, String)>, broadcast::Receiver<LiveEvent>),
    NotRunning,
}

impl Builds {
    /// `settings: None` when the site has no build configured. `work_dir`
    /// is made absolute: it names the runs' processes.
    pub fn new(
        settings: Option<BuildSettings>,
        work_dir: &Path,
        db: SqlitePool,
        site: Site,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Builds {
            inner: Arc::new(Inner {
                settings,
                work_dir: std::path::absolute(work_dir).unwrap_or_else(|_| work_dir.to_path_buf()),
                db,
                site,
                clock,
                live: Arc::new(Mutex::new(None)),
            }),
        }
    }

    /// Whether builds are configured.
    pub fn enabled(&self) -> bool {
        self.inner.settings.is_some()
    }

    /// Builds what becomes ready, one at a time, until `stopping`: then a
    /// build running is stopped (its whole process group) and recorded as
    /// interrupted.
    pub async fn run(self, stopping: crate::shutdown::Stopping) {
        tokio::select! {
            () = self.clone().run_until_stopped() => {}
            () = stopping.stopped() => self.interrupt_running().await,
        }
    }

    /// What a stop finds running is killed and recorded as interrupted.
    async fn interrupt_running(&self) {
        let running = self
            .inner
            .live
            .lock()
            .ok()
            .and_then(|mut live| live.take())
            .map(|run| (run.id, run.group));
        let Some((id, group)) = running else {
            return;
        };
        if let Some(group) = group {
            kill_group(group);
        }
        if let Err(e) = rows::interrupt(&self.inner.db, id, self.inner.clock.now()).await {
            tracing::error!(error = %e, build = id, "could not record an interrupted build");
        }
        tracing::warn!(build = id, "stopped a build: Cairn is shutting down");
    }

    async fn run_until_stopped(self) {
        let mut ready = self.inner.site.ready_to_build();
        // Runs a crashed Cairn left: what they started is stopped, they
        // are recorded as interrupted (also when builds are now off), and
        // the newest is built again.
        let again = self.recover().await;
        let Some(settings) = self.inner.settings.clone() else {
            return;
        };
        // Checkouts a previous run left behind.
        let _ = tokio::fs::remove_dir_all(&self.inner.work_dir).await;
        if let Some(commit) = again {
            let again = Published {
                commit,
                trigger: "restart",
            };
            self.build(&settings, again).await;
        }
        loop {
            if ready.changed().await.is_err() {
                return;
            }
            // The newest commit ready: those in between are not built.
            let next = ready.borrow_and_update().clone();
            if let Some(published) = next {
                self.build(&settings, published).await;
            }
        }
    }

    /// Stops and records the runs a previous process left `running`;
    /// returns the commit of the newest, to build again.
    async fn recover(&self) -> Option<ObjectId> {
        let db = &self.inner.db;
        let left = match rows::unfinished(db).await {
            Ok(left) => left,
            Err(e) => {
                tracing::error!(error = %e, "could not read the build records");
                return None;
            }
        };
        let now = self.inner.clock.now();
        for run in &left {
            // Found by what the run's processes carry, not by the recorded
            // process id: a crash can come after the command started and
            // before its id was written down.
            let dir = self.run_dir(run.id);
            let stopped = tokio::task::spawn_blocking({
                let commit = run.commit_id.clone();
                let id = run.id;
                move || stop_leftover(id, &commit, &dir)
            })
            .await
            .unwrap_or(0);
            if stopped > 0 {
                tracing::warn!(
                    build = run.id,
                    groups = stopped,
                    "stopped a build a previous run left running"
                );
            }
            if let Err(e) = rows::interrupt(db, run.id, now).await {
                tracing::error!(error = %e, build = run.id, "could not record an interrupted build");
            }
        }
        if !left.is_empty() {
            tracing::warn!(
                runs = left.len(),
                "builds a previous run left unfinished are marked interrupted"
            );
        }
        left.first().and_then(|run| ObjectId::parse(&run.commit_id))
    }

    /// The checkout folder of run `id`.
    fn run_dir(&self, id: i64) -> PathBuf {
        self.inner.work_dir.join(format!("build-{id}"))
    }

    /// One run, recorded from start to end.
    async fn build(&self, settings: &BuildSettings, what: Published) {
        let db = &self.inner.db;
        let started = self.inner.clock.now();
        let id = match rows::start(db, what.commit.as_str(), what.trigger, started).await {
            Ok(id) => id,
            Err(e) => {
                tracing::error!(error = %e, "could not record a build; not run");
                return;
            }
        };
        let (events, _) = broadcast::channel(1024);
        if let Ok(mut live) = self.inner.live.lock() {
            *live = Some(Live {
                id,
                group: None,
                lines: VecDeque::new(),
                first: 0,
                events,
            });
        }
        tracing::info!(build = id, commit = %what.commit, trigger = what.trigger, "build started");
        let dir = self.run_dir(id);
        let (status, code) = self.run_steps(settings, &what, id, &dir).await;
        if let Err(e) = tokio::fs::remove_dir_all(&dir).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, dir = %dir.display(), "could not remove a build checkout");
        }
        let tail = self.tail();
        let ended = self.inner.clock.now();
        if let Err(e) = rows::finish(db, id, status, code, &tail, ended).await {
            tracing::error!(error = %e, build = id, "could not record the end of a build");
        }
        tracing::info!(build = id, status, exit_code = ?code, "build ended");
        if let Ok(mut live) = self.inner.live.lock()
            && let Some(run) = live.take()
        {
            let _ = run.events.send(LiveEvent::End(status.to_string()));
        }
    }

    /// Checkout, command, hook: the status and the command's exit code.
    async fn run_steps(
        &self,
        settings: &BuildSettings,
        what: &Published,
        id: i64,
        dir: &Path,
    ) -> (&'static str, Option<i64>) {
        let short = &what.commit.as_str()[..7];
        match self.inner.site.export(&what.commit, dir).await {
            Ok(files) => self.line(format!("Checked out {short} ({files} files).")),
            Err(e) => {
                self.line(format!("Could not check out {short}: {e}"));
                return ("failed", None);
            }
        }
        let mut code = None;
        if let Some(command) = &settings.command {
            // Not the command itself: it may hold a secret, and every
            // signed-in user can read build logs.
            self.line("Running the build command.".into());
            let (status, exit) = self
                .run_command(command, dir, &what.commit, id, settings.timeout)
                .await;
            code = exit;
            if status != "succeeded" {
                return (status, code);
            }
        }
        if let Some(url) = &settings.hook_url
            && !self.post_hook(url, what).await
        {
            return ("failed", code);
        }
        ("succeeded", code)
    }

    /// Runs `command` in `dir`, its output in the log; killed with its
    /// process group past `limit`.
    async fn run_command(
        &self,
        command: &str,
        dir: &Path,
        commit: &ObjectId,
        id: i64,
        limit: Duration,
    ) -> (&'static str, Option<i64>) {
        let mut cmd = tokio::process::Command::new("sh");
        // The site's code runs here (Jekyll plugins).
        without_cairn_settings(&mut cmd);
        let spawned = cmd
            .arg("-c")
            .arg(command)
            .current_dir(dir)
            .env("CAIRN_BUILD_COMMIT", commit.as_str())
            .env("CAIRN_BUILD_ID", id.to_string())
            .env("CAIRN_BUILD_DIR", dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                self.line(format!("Could not start the build command: {e}"));
                return ("failed", None);
            }
        };
        let group = child.id();
        if let Ok(mut live) = self.inner.live.lock()
            && let Some(run) = live.as_mut()
        {
            run.group = group;
        }
        let readers = [
            child.stdout.take().map(|out| self.spawn_reader(out)),
            child.stderr.take().map(|err| self.spawn_reader(err)),
        ];
        let waited = tokio::time::timeout(limit, child.wait()).await;
        // Whatever the command left running (its own children) goes too.
        if let Some(group) = group {
            kill_group(group);
        }
        for reader in readers.into_iter().flatten() {
            let _ = tokio::time::timeout(Duration::from_secs(2), reader).await;
        }
        match waited {
            Ok(Ok(status)) => {
                let code = status.code().map(i64::from);
                if status.success() {
                    self.line("The build command succeeded.".into());
                    ("succeeded", code)
                } else {
                    self.line(match code {
                        Some(c) => format!("The build command failed (exit code {c})."),
                        None => "The build command was stopped by a signal.".into(),
                    });
                    ("failed", code)
                }
            }
            Ok(Err(e)) => {
                self.line(format!("Could not wait for the build command: {e}"));
                ("failed", None)
            }
            Err(_) => {
                let _ = child.wait().await;
                self.line(format!(
                    "The build command ran longer than {} s and was stopped.",
                    limit.as_secs()
                ));
                ("timed_out", None)
            }
        }
    }

    /// Copies `stream`'s lines into the log as they come.
    fn spawn_reader(
        &self,
        stream: impl AsyncRead + Unpin + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let live = Arc::clone(&self.inner.live);
        tokio::spawn(async move {
            let mut reader = BufReader::new(stream);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        let mut text = String::from_utf8_lossy(&buf).into_owned();
                        let end = text.trim_end_matches(['\n', '\r']).len();
                        text.truncate(end);
                        if text.len() > MAX_LINE {
                            let mut cut = MAX_LINE;
                            while !text.is_char_boundary(cut) {
                                cut -= 1;
                            }
                            text.truncate(cut);
                            text.push_str(" [cut]");
                        }
                        push_line(&live, text);
                    }
                }
            }
        })
    }

    /// POSTs to the build hook; whether it answered 2xx. Only the hook's
    /// host is logged: its path often holds a secret.
    async fn post_hook(&self, url: &str, what: &Published) -> bool {
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_else(|| "(not a URL)".into());
        let client = reqwest::Client::builder().timeout(HOOK_TIMEOUT).build();
        let sent = match client {
            Ok(client) => {
                client
                    .post(url)
                    .json(&serde_json::json!({
                        "commit": what.commit.as_str(),
                        "trigger": what.trigger,
                    }))
                    .send()
                    .await
            }
            Err(e) => {
                self.line(format!("Could not call the build hook at {host}: {e}"));
                return false;
            }
        };
        match sent {
            Ok(answer) if answer.status().is_success() => {
                self.line(format!(
                    "The build hook at {host} answered {}.",
                    answer.status()
                ));
                true
            }
            Ok(answer) => {
                self.line(format!(
                    "The build hook at {host} refused the build ({}).",
                    answer.status()
                ));
                false
            }
            Err(e) => {
                let why = if e.is_timeout() {
                    "no answer in time".to_string()
                } else if e.is_connect() {
                    "could not connect".to_string()
                } else {
                    "the request failed".to_string()
                };
                self.line(format!("Could not call the build hook at {host}: {why}."));
                false
            }
        }
    }

    /// Adds a line to the running build's log.
    fn line(&self, text: String) {
        push_line(&self.inner.live, text);
    }

    /// The last lines of the running build's log, as kept in its record.
    fn tail(&self) -> String {
        let Ok(live) = self.inner.live.lock() else {
            return String::new();
        };
        let Some(run) = live.as_ref() else {
            return String::new();
        };
        let skip = run.lines.len().saturating_sub(KEPT_LINES);
        let mut out = String::new();
        if run.first + skip > 0 {
            out.push_str(&format!("[{} earlier lines not kept]\n", run.first + skip));
        }
        for line in run.lines.iter().skip(skip) {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Build `id`'s log from line `from` on, then its events, while it runs.
    pub fn follow(&self, id: i64, from: usize) -> Follow {
        let Ok(live) = self.inner.live.lock() else {
            return Follow::NotRunning;
        };
        match live.as_ref() {
            Some(run) if run.id == id => {
                let lines = run
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (run.first + i, l.clone()))
                    .filter(|(n, _)| *n >= from)
                    .collect();
                Follow::Running(lines, run.events.subscribe())
            }
            _ => Follow::NotRunning,
        }
    }

    /// The newest runs first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<BuildRow>, crate::db::DbError> {
        rows::recent(&self.inner.db, limit).await
    }

    pub async fn get(&self, id: i64) -> Result<Option<BuildRow>, crate::db::DbError> {
        rows::get(&self.inner.db, id).await
    }

    /// Deletes the records of all but the newest [`KEPT_RUNS`] runs; how many.
    pub async fn forget_old(&self) -> Result<u64, crate::db::DbError> {
        rows::keep_newest(&self.inner.db, KEPT_RUNS).await
    }
}

/// Kills the process groups of build `id` of `commit` that a crashed Cairn
/// started in `dir`: every process carrying that run's `CAIRN_BUILD_ID`,
/// `CAIRN_BUILD_COMMIT` and `CAIRN_BUILD_DIR` (the folder is this data
/// folder's own, so another Cairn's builds, or a reused process id, are
/// never touched). How many groups were stopped.
fn stop_leftover(id: i64, commit: &str, dir: &Path) -> usize {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let wanted = [
        format!("CAIRN_BUILD_ID={id}").into_bytes(),
        format!("CAIRN_BUILD_COMMIT={commit}").into_bytes(),
        {
            let mut v = b"CAIRN_BUILD_DIR=".to_vec();
            v.extend_from_slice(dir.as_os_str().as_encoded_bytes());
            v
        },
    ];
    let mut groups: Vec<i32> = procs
        .filter_map(|e| e.ok())
        .filter(|entry| {
            std::fs::read(entry.path().join("environ")).is_ok_and(|env| {
                let vars: Vec<&[u8]> = env.split(|b| *b == 0).collect();
                wanted.iter().all(|w| vars.contains(&w.as_slice()))
            })
        })
        .filter_map(|entry| {
            // `pid (comm) state ppid pgrp ...`; comm may hold spaces.
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            let (_, rest) = stat.rsplit_once(')')?;
            rest.split_whitespace().nth(2)?.parse::<i32>().ok()
        })
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups
        .into_iter()
        .filter(|g| u32::try_from(*g).is_ok_and(kill_group))
        .count()
}

/// How many build records are kept (older ones are deleted every hour).
pub const KEPT_RUNS: i64 = 1_000;

/// Leaves Cairn's own settings, secrets among them (tokens, the webhook
/// secret), out of a command that runs the site's code.
pub(crate) fn without_cairn_settings(cmd: &mut tokio::process::Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CAIRN_") {
            cmd.env_remove(key);
        }
    }
}

/// Kills process group `group` (SIGKILL); whether it was there to kill.
pub(crate) fn kill_group(group: u32) -> bool {
    i32::try_from(group)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .is_some_and(|pid| {
            rustix::process::kill_process_group(pid, rustix::process::Signal::KILL).is_ok()
        })
}
