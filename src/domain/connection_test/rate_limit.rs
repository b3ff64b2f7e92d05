//! How often a workspace may test connections: [`PER_MINUTE`] tests in any minute, so
//! the server can't be used to sweep a network.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Tests a workspace may run in any minute.
pub const PER_MINUTE: usize = 10;
const WINDOW: Duration = Duration::from_secs(60);

/// The start times of each workspace's tests in the last minute.
#[derive(Debug, Default)]
pub struct RateLimiter {
    started: Mutex<HashMap<Uuid, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Counts a test of `workspace` now, or answers how long until one is allowed.
    pub fn admit(&self, workspace: Uuid) -> Result<(), Duration> {
        self.admit_at(workspace, Instant::now())
    }

    fn admit_at(&self, workspace: Uuid, now: Instant) -> Result<(), Duration> {
        let mut started = self.started.lock().unwrap_or_else(|e| e.into_inner());
        // Workspaces idle for a minute are forgotten.
        started.retain(|_, times| {
            times.retain(|t| now.duration_since(*t) < WINDOW);
            !times.is_empty()
        });
        let times = started.entry(workspace).or_default();
        if times.len() >= PER_MINUTE {
            return Err(WINDOW - now.duration_since(times[0]));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workspace_gets_its_tests_back_a_minute_later() {
        let limiter = RateLimiter::default();
        let (busy, other) = (Uuid::new_v4(), Uuid::new_v4());
        let start = Instant::now();
        for _ in 0..PER_MINUTE {
            limiter.admit_at(busy, start).unwrap();
        }
        assert_eq!(limiter.admit_at(busy, start), Err(WINDOW));
        assert_eq!(limiter.admit_at(other, start), Ok(()));
        assert_eq!(limiter.admit_at(busy, start + WINDOW), Ok(()));
    }
}
