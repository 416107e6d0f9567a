//! The retry policy, all of it: how many attempts and how long to wait between them
//! ([`RetryConfig`]), which failures may be retried ([`ClassifyRetry`], with
//! [`DefaultRetryClassifier`]), and how many retries a client may spend at all
//! ([`RetryBudget`]).
//!
//! Retries must not repeat a call that took effect: a non-idempotent operation (most
//! POSTs: `CreateRepository`, `StartPipelineRun`, ...) is retried only when the server
//! surely did not process it. Each operation's spec says whether it is idempotent
//! ([`OperationMeta::idempotent`]).

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::{Error, OperationMeta};

/// When and how often to retry. Which errors are retried is up to the classifier
/// ([`ClassifyRetry`]) and the budget ([`RetryBudget`]).
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

/// Why a failed attempt may be retried; decides what the retry costs from the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryKind {
    /// A transient failure: a connection error, an HTTP 5xx.
    Transient,
    /// The attempt timed out (costs more: timeouts are slow and often mean overload).
    Timeout,
    /// The service throttled the call (429, `Throttling*`, `x-acs-retry-after`).
    Throttling,
}

/// A classifier's verdict on a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryDecision {
    /// Return the error.
    DoNotRetry,
    /// Retry (if attempts, budget and deadline allow).
    Retry(RetryKind),
}

/// What a classifier knows about a failed attempt.
#[derive(Debug)]
#[non_exhaustive]
pub struct FailedAttempt<'a> {
    /// The operation, with [`OperationMeta::idempotent`].
    pub operation: &'static OperationMeta,
    /// The attempt's error.
    pub error: &'a Error,
    /// Which attempt failed (1 for the first).
    pub attempt: u32,
}

/// Decides which failures are retried. Replace the default with
/// `ClientBuilder::retry_classifier`.
///
/// ```
/// use yunxiao::retry::{ClassifyRetry, DefaultRetryClassifier, FailedAttempt, RetryDecision};
///
/// /// Never retries throttling, otherwise the default.
/// #[derive(Debug)]
/// struct NoThrottleRetries;
///
/// impl ClassifyRetry for NoThrottleRetries {
///     fn classify(&self, failed: &FailedAttempt<'_>) -> RetryDecision {
///         if failed.error.as_api().is_some_and(|e| e.is_throttling()) {
///             return RetryDecision::DoNotRetry;
///         }
///         DefaultRetryClassifier.classify(failed)
///     }
/// }
/// ```
pub trait ClassifyRetry: Send + Sync + fmt::Debug {
    /// Whether, and as what kind, the failed attempt may be retried.
    fn classify(&self, failed: &FailedAttempt<'_>) -> RetryDecision;
}

/// The default classifier.
///
/// Any operation is retried when the request surely was not processed: the connection
/// could not be opened (refused, DNS, TLS handshake, connect timeout), or the service
/// throttled it. An idempotent operation is also retried on HTTP 5xx, a timeout, and a
/// connection lost while sending or reading. Nothing else is retried: client errors,
/// redirects, oversized or undecodable answers, bad parameters or configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DefaultRetryClassifier;

impl ClassifyRetry for DefaultRetryClassifier {
    fn classify(&self, failed: &FailedAttempt<'_>) -> RetryDecision {
        let idempotent = failed.operation.idempotent;
        match failed.error {
            Error::Api(e) if e.is_throttling() => RetryDecision::Retry(RetryKind::Throttling),
            Error::Api(e) if e.status >= 500 && idempotent => {
                RetryDecision::Retry(RetryKind::Transient)
            }
            Error::Transport { source, .. } if source.is_connect() => {
                RetryDecision::Retry(RetryKind::Transient)
            }
            Error::Transport { source, .. }
                if idempotent
                    && (source.is_request() || source.is_body() || source.is_decode()) =>
            {
                RetryDecision::Retry(RetryKind::Transient)
            }
            Error::Timeout { .. } if idempotent => RetryDecision::Retry(RetryKind::Timeout),
            _ => RetryDecision::DoNotRetry,
        }
    }
}

/// A client's budget of retries: a token bucket, as in the AWS SDKs' standard retry mode.
///
/// Each retry takes tokens (5; 10 after a timeout); when too few are left, failures are
/// returned without retrying, so a failing service gets mostly first attempts instead of
/// a multiple of them. A successful retry gives its tokens back and a success at the
/// first attempt adds one, up to the capacity. Clones share the same tokens, so one
/// budget can cover several clients.
///
/// The default capacity, 100, allows 20 retries in a row without a success: enough for
/// the odd failure, while 50 concurrent calls against a server that always fails send
/// 70 requests rather than 150.
#[derive(Clone)]
pub struct RetryBudget {
    inner: Option<Arc<Bucket>>,
}

struct Bucket {
    tokens: AtomicU32,
    capacity: u32,
    retry_cost: u32,
    timeout_retry_cost: u32,
}

impl fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            None => f.write_str("RetryBudget(unlimited)"),
            Some(b) => f
                .debug_struct("RetryBudget")
                .field("available", &b.tokens.load(Ordering::Relaxed))
                .field("capacity", &b.capacity)
                .field("retry_cost", &b.retry_cost)
                .field("timeout_retry_cost", &b.timeout_retry_cost)
                .finish(),
        }
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl RetryBudget {
    /// Tokens in a default budget.
    pub const DEFAULT_CAPACITY: u32 = 100;
    /// Tokens a retry takes.
    pub const RETRY_COST: u32 = 5;
    /// Tokens a retry after a timeout takes.
    pub const TIMEOUT_RETRY_COST: u32 = 10;

    /// A full bucket of `capacity` tokens with the default costs.
    pub fn new(capacity: u32) -> Self {
        Self::with_costs(capacity, Self::RETRY_COST, Self::TIMEOUT_RETRY_COST)
    }

    /// A full bucket of `capacity` tokens; a retry takes `retry_cost`, one after a
    /// timeout `timeout_retry_cost`.
    pub fn with_costs(capacity: u32, retry_cost: u32, timeout_retry_cost: u32) -> Self {
        Self {
            inner: Some(Arc::new(Bucket {
                tokens: AtomicU32::new(capacity),
                capacity,
                retry_cost,
                timeout_retry_cost,
            })),
        }
    }

    /// No budget: retries are limited only by [`RetryConfig::max_attempts`].
    pub fn unlimited() -> Self {
        Self { inner: None }
    }

    /// Tokens left (`u32::MAX` when unlimited).
    pub fn available(&self) -> u32 {
        self.inner
            .as_ref()
            .map_or(u32::MAX, |b| b.tokens.load(Ordering::Relaxed))
    }

    /// Takes the tokens for a retry of `kind`: `Some(cost)`, or `None` when too few are
    /// left.
    #[doc(hidden)]
    pub fn try_acquire(&self, kind: RetryKind) -> Option<u32> {
        let Some(b) = &self.inner else {
            return Some(0);
        };
        let cost = match kind {
            RetryKind::Timeout => b.timeout_retry_cost,
            RetryKind::Transient | RetryKind::Throttling => b.retry_cost,
        };
        b.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// A call succeeded: gives back what its last retry took (`retry_cost`), or one
    /// token after a first-attempt success.
    #[doc(hidden)]
    pub fn on_success(&self, retry_cost: Option<u32>) {
        let Some(b) = &self.inner else {
            return;
        };
        let refund = retry_cost.unwrap_or(1);
        let _ = b
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(refund).min(b.capacity))
            });
    }
}

/// The whole policy as a client holds it.
#[derive(Clone, Debug)]
#[doc(hidden)]
pub struct RetryPolicy {
    pub config: RetryConfig,
    pub classifier: Arc<dyn ClassifyRetry>,
    pub budget: RetryBudget,
}

impl RetryPolicy {
    /// The wait before the next attempt and the tokens it took, or `None` to return the
    /// error now. `remaining` is what is left of the operation deadline: a retry that
    /// could not start before it is not made.
    #[doc(hidden)]
    pub fn next_retry(
        &self,
        operation: &'static OperationMeta,
        error: &Error,
        attempt: u32,
        remaining: Duration,
    ) -> Option<(Duration, u32)> {
        if attempt >= self.config.max_attempts {
            return None;
        }
        let failed = FailedAttempt {
            operation,
            error,
            attempt,
        };
        let RetryDecision::Retry(kind) = self.classifier.classify(&failed) else {
            return None;
        };
        let hint = error.as_api().and_then(|e| e.retry_after);
        let wait = self.config.backoff(attempt, hint);
        if wait >= remaining {
            return None;
        }
        let Some(cost) = self.budget.try_acquire(kind) else {
            tracing::debug!(error = %error, "retry budget exhausted; not retrying");
            return None;
        };
        Some((wait, cost))
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

    #[test]
    fn budget_takes_refunds_and_caps() {
        let b = RetryBudget::new(12);
        assert_eq!(b.try_acquire(RetryKind::Transient), Some(5));
        assert_eq!(b.try_acquire(RetryKind::Timeout), None);
        assert_eq!(b.try_acquire(RetryKind::Throttling), Some(5));
        assert_eq!(b.available(), 2);
        assert_eq!(b.try_acquire(RetryKind::Transient), None);
        b.on_success(Some(5));
        assert_eq!(b.available(), 7);
        for _ in 0..20 {
            b.on_success(None);
        }
        assert_eq!(b.available(), 12);
        let shared = b.clone();
        assert_eq!(shared.try_acquire(RetryKind::Timeout), Some(10));
        assert_eq!(b.available(), 2);
        assert_eq!(
            RetryBudget::unlimited().try_acquire(RetryKind::Timeout),
            Some(0)
        );
    }
}
