//! `cairn serve`: open (or create) the site and the database, then serve.

use crate::auth::throttle::{AddressLimit, Throttle};
use crate::auth::{HashCost, Hasher, random_token};
use crate::clock::{Clock, SystemClock};
use crate::config::ServeArgs;
use crate::git::{Identity, StoreError};
use crate::http::AppState;
use crate::http::session::SessionPolicy;
use crate::shutdown::Stop;
use crate::site::{self, Site, SiteError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tower_sessions::ExpiredDeletion;
use tower_sessions_sqlx_store::SqliteStore;

/// How long a lock file found at start-up may stay unchanged before it is
/// taken for one left by a writer that died.
const STALE_LOCK_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// Why the server could not start. Each is one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("--site {0}: not a git repository")]
    NotARepository(PathBuf),
    #[error("--site {0}: no _config.yml on the current branch; is this a Jekyll site?")]
    NotJekyll(PathBuf),
    #[error("--site {0}: {1}")]
    Site(PathBuf, String),
    #[error("data folder {0}: {1}")]
    Data(PathBuf, String),
    #[error("cannot listen on {0}: {1}")]
    Listen(std::net::SocketAddr, std::io::Error),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Other(String),
}

/// Everything opened and ready to serve.
pub struct Prepared {
    pub state: AppState,
    /// Where commits are pushed, if anywhere.
    pub publish: Option<crate::site::publish::PublishTarget>,
    /// The one-time `/setup` token, while no user exists.
    pub setup_token: Option<String>,
    git_dir: PathBuf,
    /// Security log events older than this are deleted.
    keep_security_log_days: u32,
    /// When loose objects are packed.
    packing: crate::site::packing::PackPolicy,
    /// Stops the background work and endless answers when serving ends.
    stop: Stop,
}

/// Opens everything and serves until Ctrl-C or SIGTERM.
pub async fn serve(data: &Path, args: ServeArgs, cost: HashCost) -> Result<(), StartError> {
    let prepared = prepare(data, &args, cost, Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| StartError::Listen(args.listen, e))?;
    let addr = listener
        .local_addr()
        .map_err(|e| StartError::Listen(args.listen, e))?;
    // Printed on standard output for the operator (and for scripts waiting for start-up).
    println!("Cairn is listening on http://{addr}");
    if let Some(token) = &prepared.setup_token {
        println!(
            "No user exists yet. Create the first administrator at http://{addr}/setup?token={token}"
        );
    }
    run(listener, prepared, shutdown_signal()).await
}

/// The session and login settings of `args`, checked.
fn policies(args: &ServeArgs) -> Result<(SessionPolicy, AddressLimit), StartError> {
    if args.session_idle_minutes == 0 || args.session_max_hours == 0 {
        return Err(StartError::Config(
            "--session-idle-minutes and --session-max-hours must be at least 1".into(),
        ));
    }
    if args.login_failures_per_address == 0 || args.login_window_minutes == 0 {
        return Err(StartError::Config(
            "--login-failures-per-address and --login-window-minutes must be at least 1".into(),
        ));
    }
    Ok((
        SessionPolicy {
            idle_secs: i64::from(args.session_idle_minutes) * 60,
            absolute_secs: i64::from(args.session_max_hours) * 3600,
            secure: args.secure_cookies,
        },
        AddressLimit {
            failures: args.login_failures_per_address,
            window_secs: i64::from(args.login_window_minutes) * 60,
        },
    ))
}

/// Opens (or creates) the site and the database and builds the state, on
/// `clock` (tests pass one they control).
pub async fn prepare(
    data: &Path,
    args: &ServeArgs,
    cost: HashCost,
    clock: Arc<dyn Clock>,
) -> Result<Prepared, StartError> {
    // Before any repository handle exists (the demo site's creation included).
    crate::git::options::init(args.remote_timeout_secs).map_err(StartError::Other)?;
    let (sessions, address_limit) = policies(args)?;
    let hasher = Hasher::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
        cost,
    )
    .map_err(|e| StartError::Config(e.to_string()))?;
    hasher
        .warm_up()
        .await
        .map_err(|e| StartError::Other(e.to_string()))?;
    std::fs::create_dir_all(data)
        .map_err(|e| StartError::Data(data.to_path_buf(), e.to_string()))?;
    let (site_path, demo) = match &args.site {
        Some(p) => (p.clone(), false),
        None => (data.join("site"), true),
    };
    if !demo && !site_path.is_dir() {
        return Err(StartError::NotARepository(site_path));
    }
    let now = clock.now();
    let open_path = site_path.clone();
    let repo = tokio::task::spawn_blocking(move || site::open_or_create(&open_path, demo, now))
        .await
        .map_err(|e| StartError::Other(e.to_string()))?
        .map_err(|e| match e {
            SiteError::Store(StoreError::NotARepository(_)) => {
                StartError::NotARepository(site_path.clone())
            }
            SiteError::NoConfig => StartError::NotJekyll(site_path.clone()),
            other => StartError::Site(site_path.clone(), other.to_string()),
        })?;
    tracing::info!(site = %repo.root().display(), branch = repo.branch(), "site opened");
    let git_dir = repo
        .git_dir()
        .map_err(|e| StartError::Site(site_path.clone(), e.to_string()))?;
    let auth = remote_auth(args)?;
    let publish = if args.no_push {
        None
    } else {
        let remote = match &args.remote {
            Some(r) => Some(r.clone()),
            None => repo
                .remote_url("origin")
                .map_err(|e| StartError::Site(site_path.clone(), e.to_string()))?
                .map(|_| "origin".to_string()),
        };
        remote.map(|remote| crate::site::publish::PublishTarget {
            remote,
            branch: args
                .remote_branch
                .clone()
                .unwrap_or_else(|| repo.branch().to_string()),
            fetch_every: std::time::Duration::from_secs(args.fetch_interval_secs.max(1)),
            auth: auth.clone(),
        })
    };
    if let Some(t) = &publish {
        tracing::info!(remote = %t.remote, branch = %t.branch, "commits will be pushed");
    }
    let committer = Identity {
        name: args.committer_name.clone(),
        email: args.committer_email.clone(),
    };
    let db_path = data.join("cairn.db");
    let db = crate::db::open(&db_path)
        .await
        .map_err(|e| StartError::Data(db_path.clone(), e.to_string()))?;
    SqliteStore::new(db.clone())
        .migrate()
        .await
        .map_err(|e| StartError::Data(db_path.clone(), e.to_string()))?;
    let users = crate::db::users::count(&db)
        .await
        .map_err(|e| StartError::Data(db_path.clone(), e.to_string()))?;
    let setup_token = if users == 0 {
        Some(random_token(24).map_err(|e| StartError::Other(e.to_string()))?)
    } else {
        None
    };
    let uploads = crate::site::uploads::Uploads::open(&data.join("uploads"))
        .map_err(|e| StartError::Data(data.join("uploads"), e.to_string()))?;
    // Opening reads what the index holds (each document's path and blob):
    // file reads, off the runtime's threads.
    let search_dir = data.join("search");
    let search = {
        let dir = search_dir.clone();
        tokio::task::spawn_blocking(move || crate::search::SearchIndex::open(&dir))
            .await
            .map_err(|e| StartError::Other(e.to_string()))?
            .map_err(|e| StartError::Data(search_dir, e.to_string()))?
    };
    let site = Site::new(repo, db.clone(), committer, uploads, search);
    site.index_search_in_background();
    let build_settings =
        (args.build_command.is_some() || args.build_hook_url.is_some()).then(|| {
            crate::builds::BuildSettings {
                command: args.build_command.clone().filter(|c| !c.trim().is_empty()),
                hook_url: args.build_hook_url.clone().filter(|u| !u.trim().is_empty()),
                timeout: std::time::Duration::from_secs(args.build_timeout_secs.max(1)),
            }
        });
    let builds = crate::builds::Builds::new(
        build_settings,
        &data.join("builds"),
        db.clone(),
        site.clone(),
        clock.clone(),
    );
    let previews =
        crate::preview::Previews::new(&args.jekyll_command, &data.join("preview"), site.clone())
            .map_err(|e| StartError::Data(data.join("preview"), e.to_string()))?;
    let stop = Stop::new();
    let state = AppState::new(crate::http::state::Shared {
        stopping: stop.handle(),
        site,
        db,
        hasher,
        setup_token: Arc::new(Mutex::new(setup_token.clone())),
        clock,
        max_body: args.max_body,
        max_upload: args.max_upload_bytes,
        max_image_pixels: args.max_image_pixels.max(16),
        default_language: args.default_language,
        default_zone: args.timezone.clone(),
        sessions,
        throttle: Arc::new(Throttle::new(address_limit)),
        trusted_proxies: crate::http::client::TrustedProxies::new(args.trusted_proxies.clone()),
        api: crate::http::ApiSettings {
            public_read: args.api_public_read,
            cors_origins: args.api_cors_origins.clone(),
        },
        tokens: Arc::default(),
        webhook_secret: args.webhook_secret.clone().filter(|s| !s.is_empty()),
        builds,
        previews,
    });
    Ok(Prepared {
        state,
        publish,
        setup_token,
        git_dir,
        keep_security_log_days: args.keep_security_log_days,
        packing: crate::site::packing::PackPolicy {
            loose_objects: args.pack_loose_objects.max(1),
            loose_bytes: args.pack_loose_mib.max(1) << 20,
            ..Default::default()
        },
        stop,
    })
}

/// How often old security log events and build records are deleted.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How long the background work may take to stop once serving has ended.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves on `listener` until `shutdown` completes, with the background work
/// (publishing, builds, expired sessions, stale locks, the checkout, the
/// history index). Then answers in flight finish (a save being made is
/// committed and answered), every background task stops (a running build
/// is stopped and recorded as interrupted), the checkout is brought in step,
/// and the repository's writer lock is released with the last handle.
pub async fn run(
    listener: tokio::net::TcpListener,
    prepared: Prepared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let Prepared {
        state,
        git_dir,
        publish,
        stop,
        keep_security_log_days,
        packing,
        ..
    } = prepared;
    let mut tasks = tokio::task::JoinSet::new();
    if let Some(target) = publish {
        let (site, clock, stopping) = (state.site.clone(), state.clock.clone(), stop.handle());
        tasks.spawn(async move {
            tokio::select! {
                () = site.publish(target, clock) => {}
                () = stopping.stopped() => {}
            }
        });
    }
    tasks.spawn(state.builds.clone().run(stop.handle()));
    let (sessions, stopping) = (SqliteStore::new(state.db.clone()), stop.handle());
    tasks.spawn(async move {
        tokio::select! {
            result = sessions.continuously_delete_expired(tokio::time::Duration::from_secs(300)) => {
                if let Err(e) = result {
                    tracing::error!(error = %e, "could not delete expired sessions");
                }
            }
            () = stopping.stopped() => {}
        }
    });
    // Loose objects packed once they pile up.
    let (site, stopping) = (state.site.clone(), stop.handle());
    tasks.spawn(async move {
        tokio::select! {
            () = site.keep_packed(packing) => {}
            () = stopping.stopped() => {}
        }
    });
    // Records kept for a while only: the security log by age, builds by count.
    let (db, builds, clock, stopping) = (
        state.db.clone(),
        state.builds.clone(),
        state.clock.clone(),
        stop.handle(),
    );
    tasks.spawn(async move {
        let mut every = tokio::time::interval(PRUNE_EVERY);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = stopping.clone().stopped() => break,
            }
            match crate::auth::audit::forget_older_than(&db, clock.now(), keep_security_log_days)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    events = n,
                    days = keep_security_log_days,
                    "old security log events deleted"
                ),
                Err(e) => tracing::error!(error = %e, "could not prune the security log"),
            }
            match builds.forget_old().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(runs = n, "old build records deleted"),
                Err(e) => tracing::error!(error = %e, "could not prune the build records"),
            }
        }
    });
    // Lock files a dead writer left behind are cleared once it is clear no
    // live program is using them (saves meanwhile wait or answer 503); then
    // the checkout catches up with the commits a crash left it behind on.
    let site = state.site.clone();
    tasks.spawn(async move {
        let cleared = tokio::task::spawn_blocking(move || {
            crate::git::durability::clear_stale_locks(&git_dir, STALE_LOCK_GRACE)
        })
        .await;
        if cleared.is_ok()
            && let Err(e) = site.sync_checkout().await
        {
            tracing::error!(error = %e, "could not update the checkout");
        }
    });
    // Commits made outside Cairn since the last run join the history index.
    let site = state.site.clone();
    tasks.spawn(async move {
        match site.index_history().await {
            Ok(n) => tracing::info!(commits = n, "history index up to date"),
            Err(e) => tracing::error!(error = %e, "could not update the history index"),
        }
    });
    let site = state.site.clone();
    // The stop is given as soon as the signal comes, so endless answers end
    // and the graceful shutdown does not wait for them.
    let served = axum::serve(
        listener,
        crate::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        stop.stop();
    })
    .await;
    // However serving ended, the stop has been given (or dropped with the
    // future that held it): the background work ends.
    let stopped = tokio::time::timeout(STOP_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if stopped.is_err() {
        tracing::warn!("background work did not stop in time; ending it");
        tasks.shutdown().await;
    }
    served.map_err(|e| StartError::Other(e.to_string()))?;
    // What the last commits started (the index, the checkout) ends first.
    if tokio::time::timeout(STOP_GRACE, site.settle())
        .await
        .is_err()
    {
        tracing::warn!("work after the last commits did not end in time");
    }
    // Leave the checkout in step with the branch.
    if let Err(e) = site.sync_checkout().await {
        tracing::error!(error = %e, "could not update the checkout");
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The remote's credentials from the configuration: a token given directly
/// or read from a file (its first line), an SSH key that must exist.
fn remote_auth(args: &ServeArgs) -> Result<crate::git::remote::RemoteAuth, StartError> {
    let token = match (&args.remote_token, &args.remote_token_file) {
        (Some(_), Some(_)) => {
            return Err(StartError::Config(
                "give the remote's token once: --remote-token or --remote-token-file, not both"
                    .into(),
            ));
        }
        (Some(token), None) => Some(token.trim().to_string()),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(file).map_err(|e| {
                StartError::Config(format!(
                    "cannot read the remote's token from {}: {e}",
                    file.display()
                ))
            })?;
            Some(text.lines().next().unwrap_or_default().trim().to_string())
        }
        (None, None) => None,
    }
    .filter(|t| !t.is_empty());
    if let Some(key) = &args.ssh_key
        && !key.is_file()
    {
        return Err(StartError::Config(format!(
            "the SSH key {} is not a readable file",
            key.display()
        )));
    }
    Ok(crate::git::remote::RemoteAuth {
        ssh_key: args.ssh_key.clone(),
        ssh_passphrase: args.ssh_key_passphrase.clone(),
        username: args.remote_username.clone(),
        token,
    })
}
