//! Bounded retries with exponential backoff and full jitter.

use std::time::Duration;

/// When and how often to retry. Retries cover connection errors, timeouts, HTTP 5xx and
/// throttling; other errors are returned at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Total attempts, including the first (1 disables retries).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles for each further one.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff (also caps a server's `x-acs-retry-after`).
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryConfig {
    /// No retries: every error is returned at once.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before retry number `retry` (1-based): a random duration up to
    /// `initial * 2^(retry-1)`, capped, and at least what the server asked for.
    pub fn backoff(&self, retry: u32, server_hint: Option<Duration>) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let ceiling = exp.min(self.max_backoff);
        let jittered = ceiling.mul_f64(fastrand::f64());
        match server_hint {
            Some(hint) => jittered.max(hint.min(self.max_backoff)),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        let c = RetryConfig {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
        };
        for _ in 0..200 {
            assert!(c.backoff(1, None) <= Duration::from_millis(100));
            assert!(c.backoff(2, None) <= Duration::from_millis(200));
            assert!(c.backoff(10, None) <= Duration::from_millis(350));
            assert!(c.backoff(1, Some(Duration::from_millis(300))) >= Duration::from_millis(300));
            assert!(c.backoff(1, Some(Duration::from_secs(60))) <= Duration::from_millis(350));
        }
        // Jitter: not always the same value.
        let samples: std::collections::HashSet<_> = (0..50).map(|_| c.backoff(3, None)).collect();
        assert!(samples.len() > 1);
    }
}
