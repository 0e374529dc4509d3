//! Stopping the background work together with the server. The server holds
//! the [`Stop`]; each task it starts (publishing, builds, session cleanup)
//! and each endless answer (a build's live log) takes a [`Stopping`] and
//! ends at its next wait once the stop is given, or once the `Stop` is
//! dropped: nothing runs "until the process ends".

use tokio::sync::watch;

/// Gives the stop. Dropping it stops too.
#[derive(Debug)]
pub struct Stop(watch::Sender<bool>);

/// Learns of the stop. Clone is cheap.
#[derive(Debug, Clone)]
pub struct Stopping(watch::Receiver<bool>);

impl Stop {
    pub fn new() -> Stop {
        Stop(watch::Sender::new(false))
    }

    /// A handle for a task.
    pub fn handle(&self) -> Stopping {
        Stopping(self.0.subscribe())
    }

    /// Tells every handle to stop.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl Default for Stop {
    fn default() -> Self {
        Stop::new()
    }
}

impl Stopping {
    /// Completes once the stop is given (or its `Stop` is gone).
    pub async fn stopped(mut self) {
        let _ = self.0.wait_for(|stopped| *stopped).await;
    }

    /// Whether the stop was given.
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow() || self.0.has_changed().is_err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn handles_stop_when_told_or_when_the_stop_is_dropped() {
        let stop = Stop::new();
        let handle = stop.handle();
        assert!(!handle.is_stopped());
        stop.stop();
        assert!(handle.is_stopped());
        handle.clone().stopped().await;

        let stop = Stop::new();
        let handle = stop.handle();
        drop(stop);
        assert!(handle.is_stopped());
        handle.stopped().await;
    }
}
