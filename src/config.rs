//! The command line. Every option can also come from the environment.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Cairn: a self-hosted, headless CMS for Jekyll sites whose storage is git.
#[derive(Debug, Parser)]
#[command(name = "cairn", version, about)]
pub struct Cli {
    /// Folder for Cairn's own data: the database and, with no --site, the demo site.
    #[arg(
        long,
        env = "CAIRN_DATA",
        default_value = "./cairn-data",
        global = true
    )]
    pub data: PathBuf,
    /// argon2id memory per password hash, in KiB (at least 19456).
    #[arg(long, env = "CAIRN_ARGON2_MEMORY_KIB", default_value_t = 64 * 1024, global = true)]
    pub argon2_memory_kib: u32,
    /// argon2id passes per password hash (at least 2).
    #[arg(
        long,
        env = "CAIRN_ARGON2_ITERATIONS",
        default_value_t = 3,
        global = true
    )]
    pub argon2_iterations: u32,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server.
    Serve(Box<ServeArgs>),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// List what Jekyll will read differently from how it looks (exit
    /// status 1 when there is anything, 0 on a clean site).
    Check {
        /// The site (default: the demo site under the data folder).
        #[arg(long, env = "CAIRN_SITE")]
        site: Option<PathBuf>,
        /// `text` (one finding per paragraph) or `json`.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Rebuild the history and search indexes from the repository.
    Reindex {
        /// The site (default: the demo site under the data folder).
        #[arg(long, env = "CAIRN_SITE")]
        site: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A Jekyll site checkout (a git repository with _config.yml). Without it,
    /// a demo site is created under the data folder on first run.
    #[arg(long, env = "CAIRN_SITE")]
    pub site: Option<PathBuf>,
    /// Address and port to listen on.
    #[arg(long, env = "CAIRN_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "CAIRN_MAX_BODY", default_value_t = 1024 * 1024)]
    pub max_body: usize,
    /// Largest file accepted in an upload, in bytes (separate from
    /// `--max-body`).
    #[arg(long, env = "CAIRN_MAX_UPLOAD_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// An image larger than this on its longest side, in pixels, is
    /// offered a resized copy (the editor chooses).
    #[arg(long, env = "CAIRN_MAX_IMAGE_PIXELS", default_value_t = 2560)]
    pub max_image_pixels: u32,
    /// The interface's language when neither the account nor the browser
    /// names one it has: `en` or `fr`.
    #[arg(long, env = "CAIRN_DEFAULT_LANGUAGE", default_value = "en", value_parser = parse_language)]
    pub default_language: crate::i18n::Lang,
    /// The time zone times are shown in when the account has not chosen
    /// one: an IANA name such as `America/Toronto`.
    #[arg(long, env = "CAIRN_TIMEZONE", default_value = "UTC", value_parser = parse_zone)]
    pub timezone: crate::i18n::Zone,
    /// Name on the committer line of every commit (the author is the user).
    #[arg(long, env = "CAIRN_COMMITTER_NAME", default_value = "Cairn")]
    pub committer_name: String,
    /// Email on the committer line of every commit.
    #[arg(long, env = "CAIRN_COMMITTER_EMAIL", default_value = "cairn@localhost")]
    pub committer_email: String,
    /// Served over HTTPS (directly or behind a proxy): the session cookie is
    /// `Secure` and named `__Host-cairn_session`.
    #[arg(long, env = "CAIRN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Minutes without a request after which a session ends.
    #[arg(long, env = "CAIRN_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: u32,
    /// Hours after signing in after which a session ends, however active.
    #[arg(long, env = "CAIRN_SESSION_MAX_HOURS", default_value_t = 8)]
    pub session_max_hours: u32,
    /// Failed logins a client address may make per window before it gets 429.
    #[arg(long, env = "CAIRN_LOGIN_FAILURES_PER_ADDRESS", default_value_t = 30)]
    pub login_failures_per_address: u32,
    /// The window of --login-failures-per-address, in minutes.
    #[arg(long, env = "CAIRN_LOGIN_WINDOW_MINUTES", default_value_t = 15)]
    pub login_window_minutes: u32,
    /// Reverse proxies in front of Cairn, comma-separated addresses or CIDR
    /// ranges (`127.0.0.1,10.0.0.0/8`): from them, the client's address is
    /// read from `X-Forwarded-For` (else `Forwarded`), right-most hop that
    /// is not one of them. From anyone else those headers are ignored.
    #[arg(long, env = "CAIRN_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::http::client::parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Security log events older than this many days are deleted (checked
    /// at start and every hour).
    #[arg(long, env = "CAIRN_KEEP_SECURITY_LOG_DAYS", default_value_t = 365)]
    pub keep_security_log_days: u32,
    /// Loose objects (each save writes a few) are packed in the background
    /// once this many have been added since the last packing...
    #[arg(long, env = "CAIRN_PACK_LOOSE_OBJECTS", default_value_t = 2_000)]
    pub pack_loose_objects: u64,
    /// ...or once they take this many MiB (a save in a 10,000-document
    /// folder writes about 0.45 MiB).
    #[arg(long, env = "CAIRN_PACK_LOOSE_MIB", default_value_t = 8)]
    pub pack_loose_mib: u64,
    /// Where commits are pushed: a remote's name or a URL (default: the
    /// site's `origin`, when it has one).
    #[arg(long, env = "CAIRN_REMOTE")]
    pub remote: Option<String>,
    /// The remote branch commits are pushed to (default: the site's branch).
    #[arg(long, env = "CAIRN_REMOTE_BRANCH")]
    pub remote_branch: Option<String>,
    /// The private key Cairn uses for an ssh:// remote (default: the SSH
    /// agent's keys). The host's key must be in `~/.ssh/known_hosts`.
    #[arg(long, env = "CAIRN_SSH_KEY")]
    pub ssh_key: Option<PathBuf>,
    /// The passphrase of --ssh-key, if it has one.
    #[arg(long, env = "CAIRN_SSH_KEY_PASSPHRASE", hide_env_values = true)]
    pub ssh_key_passphrase: Option<String>,
    /// The user name sent with --remote-token over HTTPS (default: the
    /// URL's, else `x-access-token`).
    #[arg(long, env = "CAIRN_REMOTE_USERNAME")]
    pub remote_username: Option<String>,
    /// A token for an https:// remote (GitHub, GitLab, Gitea), sent as the
    /// password. Prefer CAIRN_REMOTE_TOKEN or --remote-token-file to a flag.
    #[arg(long, env = "CAIRN_REMOTE_TOKEN", hide_env_values = true)]
    pub remote_token: Option<String>,
    /// A file holding the token for an https:// remote (its first line).
    #[arg(long, env = "CAIRN_REMOTE_TOKEN_FILE")]
    pub remote_token_file: Option<PathBuf>,
    /// How long a push or fetch waits for a silent remote, in seconds.
    #[arg(long, env = "CAIRN_REMOTE_TIMEOUT_SECS", default_value_t = 60)]
    pub remote_timeout_secs: u32,
    /// How often changes made elsewhere are fetched from the remote, in seconds.
    #[arg(long, env = "CAIRN_FETCH_INTERVAL_SECS", default_value_t = 60)]
    pub fetch_interval_secs: u64,
    /// The secret the remote's push webhook is signed with (GitHub, Gitea)
    /// or sends as a token (GitLab); without it `/hooks/push` answers 401.
    #[arg(long, env = "CAIRN_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// A command that builds the site, run with `sh -c` in a clean checkout
    /// of each pushed commit (e.g. `jekyll build --destination /srv/www`).
    #[arg(long, env = "CAIRN_BUILD_COMMAND")]
    pub build_command: Option<String>,
    /// The site's Jekyll, for previews of pages not saved yet (e.g.
    /// `bundle exec jekyll`); run with `sh -c` in Cairn's preview copy.
    #[arg(long, env = "CAIRN_JEKYLL_COMMAND", default_value = "jekyll")]
    pub jekyll_command: String,
    /// A URL that receives a POST after each push (Netlify, Cloudflare
    /// Pages or CI build hooks), after the build command when there is one.
    #[arg(long, env = "CAIRN_BUILD_HOOK_URL", hide_env_values = true)]
    pub build_hook_url: Option<String>,
    /// A build running longer than this, in seconds, is stopped (timed out).
    #[arg(long, env = "CAIRN_BUILD_TIMEOUT_SECS", default_value_t = 600)]
    pub build_timeout_secs: u64,
    /// Never push (commits stay in the site's repository).
    #[arg(long, env = "CAIRN_NO_PUSH")]
    pub no_push: bool,
    /// Anyone may read content through the API, without a token.
    #[arg(long, env = "CAIRN_API_PUBLIC_READ")]
    pub api_public_read: bool,
    /// Origins (https://app.example.org) allowed to call the API from a
    /// browser, comma-separated; none by default.
    #[arg(long, env = "CAIRN_API_CORS_ORIGINS", value_delimiter = ',')]
    pub api_cors_origins: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        name: String,
        #[arg(long, env = "CAIRN_USER_ROLE", value_parser = ["admin", "editor", "reviewer"])]
        role: String,
        #[arg(long, env = "CAIRN_USER_EMAIL")]
        email: Option<String>,
        #[arg(long, env = "CAIRN_USER_DISPLAY_NAME")]
        display_name: Option<String>,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Set a user's password, read from standard input.
    Passwd {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable a user: they can no longer log in.
    Disable { name: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; it is printed alone on the last line, once.
    Create {
        /// What the token is for (its commits carry this name when it has no --user).
        name: String,
        #[arg(long, value_parser = ["editor", "reviewer"])]
        role: String,
        /// The user whose name and email the token's commits carry (its role
        /// can be no more than theirs).
        #[arg(long)]
        user: Option<String>,
        /// Days until the token stops working (default: never).
        #[arg(long)]
        expires_days: Option<u32>,
    },
    /// List API tokens (never their secrets).
    List,
    /// Revoke an API token by its id (see `token list`).
    Revoke { id: i64 },
}

/// `en` or `fr` (a region such as `fr-CA` is accepted and dropped).
fn parse_language(s: &str) -> Result<crate::i18n::Lang, String> {
    crate::i18n::Lang::parse(s)
        .ok_or_else(|| format!("`{s}` is not a language Cairn speaks: use en or fr"))
}

/// An IANA time zone name the time zone database has.
fn parse_zone(s: &str) -> Result<crate::i18n::Zone, String> {
    crate::i18n::Zone::parse(s).ok_or_else(|| {
        format!(
            "`{s}` is not a time zone Cairn knows: use an IANA name such as America/Toronto or UTC"
        )
    })
}
