//! Login throttling, in memory (times in milliseconds, answers in whole
//! seconds, rounded up): after [`FREE_FAILURES`] failures an account
//! (known or not: the answers must not tell them apart) waits a doubling
//! delay before the next try, and each client address may fail only so many
//! times per window. Both answer 429 with `Retry-After`, before any hashing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Failures an account may have before it is delayed.
pub const FREE_FAILURES: u32 = 5;
/// The longest delay an account is given, in milliseconds.
pub const MAX_DELAY_MS: i64 = 15 * 60 * 1000;
/// Entries kept per map at most; beyond it the stalest are dropped.
const MAX_ENTRIES: usize = 50_000;
/// Failures older than this are forgotten, in milliseconds.
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;

/// How many failures each client address may have per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressLimit {
    pub failures: u32,
    pub window_secs: i64,
}

impl Default for AddressLimit {
    fn default() -> Self {
        AddressLimit {
            failures: 30,
            window_secs: 15 * 60,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct AccountFailures {
    count: u32,
    last_at: i64,
}

#[derive(Debug, Clone, Copy)]
struct AddressWindow {
    start: i64,
    count: u32,
}

/// The login throttle. Share it behind an `Arc`.
#[derive(Debug)]
pub struct Throttle {
    limit: AddressLimit,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    accounts: HashMap<String, AccountFailures>,
    addresses: HashMap<IpAddr, AddressWindow>,
}

impl Throttle {
    pub fn new(limit: AddressLimit) -> Throttle {
        Throttle {
            limit,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn key(username: &str) -> String {
        username.trim().to_lowercase()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding it leaves counters, which are still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Some(seconds to wait)` when this attempt must be refused unchecked.
    pub fn check(&self, username: &str, address: IpAddr, now_ms: i64) -> Option<i64> {
        let inner = self.lock();
        let by_address = self.address_wait_ms(&inner, address, now_ms);
        let by_account = inner.accounts.get(&Self::key(username)).and_then(|f| {
            let until = f.last_at + delay_after(f.count);
            (f.count >= FREE_FAILURES && now_ms < until).then_some(until - now_ms)
        });
        let wait_ms = by_address.into_iter().chain(by_account).max()?;
        Some((wait_ms + 999) / 1000)
    }

    /// Records a failed attempt. Returns what it started: the account's
    /// first delay, or the address's limit (worth a line in the security
    /// log; later refusals are not, so a flood cannot fill the log).
    pub fn failed(&self, username: &str, address: IpAddr, now_ms: i64) -> Started {
        let window = self.limit.window_secs * 1000;
        let mut inner = self.lock();
        let account = inner
            .accounts
            .entry(Self::key(username))
            .or_insert(AccountFailures {
                count: 0,
                last_at: now_ms,
            });
        if now_ms - account.last_at > FORGET_AFTER_MS {
            account.count = 0;
        }
        account.count = account.count.saturating_add(1);
        account.last_at = now_ms;
        let account_delayed = account.count == FREE_FAILURES;
        let address_limited = inner.count_address(address, now_ms, window) == self.limit.failures;
        inner.prune(now_ms, window);
        Started {
            account_delayed,
            address_limited,
        }
    }

    /// `Some(seconds to wait)` when this address has failed too often
    /// (API tokens: no account to delay, only the address).
    pub fn check_address(&self, address: IpAddr, now_ms: i64) -> Option<i64> {
        let wait_ms = self.address_wait_ms(&self.lock(), address, now_ms)?;
        Some((wait_ms + 999) / 1000)
    }

    /// Milliseconds `address` must wait, when it is over its limit.
    fn address_wait_ms(&self, inner: &Inner, address: IpAddr, now_ms: i64) -> Option<i64> {
        let w = inner.addresses.get(&address)?;
        let ends = w.start + self.limit.window_secs * 1000;
        (w.count >= self.limit.failures && now_ms < ends).then_some(ends - now_ms)
    }

    /// Records a failure for the address only (a bad API token).
    pub fn failed_address(&self, address: IpAddr, now_ms: i64) {
        let window = self.limit.window_secs * 1000;
        let mut inner = self.lock();
        inner.count_address(address, now_ms, window);
        inner.prune(now_ms, window);
    }

    /// A successful login clears the account's failures (not the address's).
    pub fn succeeded(&self, username: &str) {
        self.lock().accounts.remove(&Self::key(username));
    }
}

/// What a failure started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Started {
    /// The account has just reached the failures that start delays.
    pub account_delayed: bool,
    /// The address has just reached its limit for the window.
    pub address_limited: bool,
}

/// Milliseconds an account with `count` failures waits: none up to
/// [`FREE_FAILURES`], then 1, 2, 4, ... seconds, up to [`MAX_DELAY_MS`].
pub fn delay_after(count: u32) -> i64 {
    if count < FREE_FAILURES {
        return 0;
    }
    let doublings = (count - FREE_FAILURES).min(20);
    (1000i64 << doublings).min(MAX_DELAY_MS)
}

impl Inner {
    /// Counts a failure of `address` in its current window; returns the count.
    fn count_address(&mut self, address: IpAddr, now_ms: i64, window: i64) -> u32 {
        let slot = self.addresses.entry(address).or_insert(AddressWindow {
            start: now_ms,
            count: 0,
        });
        if now_ms - slot.start >= window {
            *slot = AddressWindow {
                start: now_ms,
                count: 0,
            };
        }
        slot.count = slot.count.saturating_add(1);
        slot.count
    }

    /// Keeps memory bounded however many names or addresses are tried.
    fn prune(&mut self, now: i64, window: i64) {
        if self.accounts.len() > MAX_ENTRIES {
            self.accounts.retain(|_, f| {
                now - f.last_at < FORGET_AFTER_MS.min(delay_after(f.count) + window)
            });
            if self.accounts.len() > MAX_ENTRIES {
                self.accounts.clear();
            }
        }
        if self.addresses.len() > MAX_ENTRIES {
            self.addresses.retain(|_, w| now - w.start < window);
            if self.addresses.len() > MAX_ENTRIES {
                self.addresses.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn accounts_wait_doubling_delays_after_five_failures() {
        let t = Throttle::new(AddressLimit {
            failures: 1000,
            window_secs: 60,
        });
        for i in 0..5 {
            assert_eq!(t.check("Alice", A, 100_000), None, "attempt {i}");
            let started = t.failed("alice", A, 100_000);
            assert_eq!(started.account_delayed, i == 4);
        }
        assert_eq!(t.check("alice", B, 100_000), Some(1));
        // Rounded up: 1 ms left is still a second to wait.
        assert_eq!(t.check("alice", B, 100_999), Some(1));
        assert_eq!(t.check(" ALICE ", A, 101_000), None);
        t.failed("alice", A, 101_000);
        assert_eq!(t.check("alice", A, 101_000), Some(2));
        t.failed("alice", A, 103_000);
        assert_eq!(t.check("alice", A, 103_000), Some(4));
        assert_eq!(t.check("alice", A, 104_500), Some(3));
        assert_eq!(t.check("bob", A, 103_000), None);
        t.succeeded("alice");
        assert_eq!(t.check("alice", A, 103_000), None);
        assert_eq!(delay_after(100), MAX_DELAY_MS);
    }

    #[test]
    fn addresses_are_limited_per_window() {
        let t = Throttle::new(AddressLimit {
            failures: 3,
            window_secs: 60,
        });
        for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
            assert_eq!(t.check(name, A, 0), None);
            assert_eq!(t.failed(name, A, 0).address_limited, i == 2);
        }
        assert_eq!(t.check("d", A, 10_000), Some(50));
        assert_eq!(t.check("d", B, 10_000), None);
        assert_eq!(t.check("d", A, 60_000), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let t = Throttle::new(AddressLimit::default());
        for i in 0..(MAX_ENTRIES as u32 + 10) {
            t.failed(&format!("user{i}"), IpAddr::V4(Ipv4Addr::from(i)), 0);
        }
        let inner = t.lock();
        assert!(inner.accounts.len() <= MAX_ENTRIES + 1);
        assert!(inner.addresses.len() <= MAX_ENTRIES + 1);
    }
}
