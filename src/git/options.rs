//! Process-wide libgit2 options, set once per process (not once per server
//! start: tests start many servers in one process, and libgit2's globals
//! must not change under handles already open). The only unsafe code in
//! Cairn: libgit2 has no safe switch for them.

#![allow(unsafe_code)]

use std::ffi::c_int;
use std::sync::OnceLock;

/// The remote read timeout set, in seconds, and how setting the options went.
static SET: OnceLock<(u32, Result<(), String>)> = OnceLock::new();

/// Sets every option, the first time it is called in this process, before
/// any repository handle exists; later calls change nothing and give the
/// first call's result. The remote timeout is process-wide too: a later
/// call asking another one is told (logged) that the first one stays.
pub fn init(remote_read_secs: u32) -> Result<(), String> {
    let (kept, result) = SET.get_or_init(|| {
        let result = configure().and_then(|()| remote_timeouts(remote_read_secs));
        (remote_read_secs, result)
    });
    if *kept != remote_read_secs {
        tracing::warn!(
            kept = *kept,
            asked = remote_read_secs,
            "libgit2's remote timeout is process-wide: the first one set stays"
        );
    }
    result.clone()
}

/// The largest tree object libgit2 keeps parsed in a handle's cache. Its
/// default (4 KiB) leaves out any folder of more than about a hundred files,
/// so a large collection's tree was inflated and parsed again on every read.
/// 8 MiB holds a folder of some 200,000 files.
const TREE_CACHE_LIMIT: usize = 8 << 20;

/// How long connecting to a remote may take, in milliseconds.
const CONNECT_TIMEOUT_MS: c_int = 10_000;

/// Turns on libgit2's fsync of objects, refs and the index
/// (`GIT_OPT_ENABLE_FSYNC_GITDIR`), so an answered save survives power loss,
/// lets handles cache large trees, and reads objects without hashing them
/// again.
fn configure() -> Result<(), String> {
    libgit2_sys::init();
    // SAFETY: libgit2 is initialised on the line above. For this option,
    // git_libgit2_opts reads exactly one further `int` argument (0 or 1) and
    // sets a global flag; nothing is borrowed or retained.
    let rc = unsafe {
        libgit2_sys::git_libgit2_opts(
            libgit2_sys::GIT_OPT_ENABLE_FSYNC_GITDIR as c_int,
            1 as c_int,
        )
    };
    if rc < 0 {
        return Err(format!("libgit2 refused to enable fsync (code {rc})"));
    }
    // Objects are not hashed again on every read: git itself does not, a
    // folder tree of 10,000 files is 400 KB to hash per read, and `git fsck`
    // is what checks a repository's objects.
    git2::opts::strict_hash_verification(false);
    // SAFETY: called at start-up, before any repository handle exists; the
    // option sets one entry of a global table of size limits.
    unsafe { git2::opts::set_cache_object_limit(git2::ObjectType::Tree, TREE_CACHE_LIMIT) }
        .map_err(|e| format!("libgit2 refused the tree cache limit: {e}"))
}

/// Bounds how long a push or fetch waits for a remote: `read_secs` of
/// silence (and at most 10 s, or `read_secs` if less, to connect). A remote
/// that does not answer must not hold publishing forever.
fn remote_timeouts(read_secs: u32) -> Result<(), String> {
    let read_ms = c_int::try_from(u64::from(read_secs.max(1)) * 1000).unwrap_or(c_int::MAX);
    for (option, value, what) in [
        (
            libgit2_sys::GIT_OPT_SET_SERVER_CONNECT_TIMEOUT,
            CONNECT_TIMEOUT_MS.min(read_ms),
            "connect",
        ),
        (libgit2_sys::GIT_OPT_SET_SERVER_TIMEOUT, read_ms, "read"),
    ] {
        // SAFETY: libgit2 is initialised (by `configure`, or here again,
        // which is idempotent); these options read exactly one further
        // `int` (milliseconds) and set a global; nothing is retained.
        libgit2_sys::init();
        let rc = unsafe { libgit2_sys::git_libgit2_opts(option as c_int, value) };
        if rc < 0 {
            return Err(format!("libgit2 refused the {what} timeout (code {rc})"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn libgit2_accepts_the_options_once_per_process() {
        assert_eq!(super::init(60), Ok(()));
        // Again, as a second server in the same process would: nothing is
        // set again, and the first timeout stays.
        assert_eq!(super::init(5), Ok(()));
        assert_eq!(super::SET.get().map(|(secs, _)| *secs), Some(60));
    }
}
