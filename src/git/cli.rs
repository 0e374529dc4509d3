//! The `git` command, for what only it does: running a remote's hooks on a
//! push to a local path ([`super::remote`]) and packing objects
//! ([`super::pack`]).

use std::path::Path;
use std::process::{Command, Stdio};

/// Whether the `git` command can be run here (asked once per process: each
/// push to a local remote asks).
pub fn git_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        Command::new("git")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// `git` on the repository at `git_dir`, without Cairn's settings (or any
/// `GIT_*` variable of the server's own environment).
pub(crate) fn git_command(git_dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir")
        .arg(git_dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        let text = key.to_string_lossy();
        if text.starts_with("CAIRN_") || text.starts_with("GIT_") {
            cmd.env_remove(&key);
        }
    }
    cmd
}
