//! Waiters: poll an operation until its answer says a long-running job is over.
//!
//! Much of this API is asynchronous: `StartPipelineRun` returns at once and the run goes on;
//! `GetPipelineRun` tells how it is doing. A waiter polls such an operation, with backoff,
//! until one of its *acceptors* (a condition on the response, or an error code, with the
//! state it means: success, failure or retry) matches, in the spirit of smithy's
//! `@waitable`. The waiters are defined in the specs (`waiters:` in
//! `spec/<area>/<action>.yaml`) and generated as `wait_until_<name>()` on the polling
//! operation's call (and `client.wait_until_<name>(request)` for a request already built),
//! which returns a [`Waiter`]:
//!
//! ```no_run
//! # async fn demo(client: yunxiao::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use yunxiao::WaiterError;
//!
//! match client
//!     .get_pipeline_run()
//!     .organization_id("org-id")
//!     .pipeline_id(1234)
//!     .pipeline_run_id(7)
//!     .wait_until_pipeline_run_finished()
//!     .max_wait(Duration::from_secs(20 * 60))
//!     .await
//! {
//!     Ok(done) => println!("finished: {:?}", done.pipeline_run.and_then(|r| r.status)),
//!     Err(WaiterError::FailureState { reason, .. }) => eprintln!("the run failed: {reason}"),
//!     Err(WaiterError::TimedOut { waited, .. }) => eprintln!("still running after {waited:?}"),
//!     Err(other) => return Err(other.into()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! **How it waits** (smithy's waiter retries): the first poll is sent at once. Before poll
//! `n + 1` it waits a random time between `min_delay` and `min(max_delay, min_delay * 2^(n-1))`
//! (exponential backoff with jitter). It never waits past `max_wait`: when a full delay does
//! not fit, it polls one last time `min_delay` before the deadline, and a poll still
//! running at the deadline is abandoned. Each waiter's spec gives its delays and its
//! default `max_wait`; [`Waiter::min_delay`], [`Waiter::max_delay`] and
//! [`Waiter::max_wait`] change them for one wait.
//!
//! **How it decides**: each answer is checked against the acceptors in order, and the
//! first that matches decides. An answer no acceptor matches means "not yet" (poll again).
//! An error no acceptor matches ends the wait with [`WaiterError::Operation`]: by then the
//! client has already retried what its retry policy retries (throttling, 5xx, lost
//! connections), so what is left is not a passing state of the job.
//!
//! Each poll runs in a `tracing` span `yunxiao.wait` (waiter, operation, attempt, and the
//! state the answer meant), around the client's own `yunxiao.request` spans.

use std::borrow::Cow;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument;

use crate::error::AnyCode;
use crate::operation::Operation;
use crate::{Client, Error};

/// The words of waiter acceptors, as the generated waiters carry them.
pub use yunxiao_vocab::{AcceptorState, Comparator};

/// A poll's answer: the response, or the error the call ended with.
pub type Outcome<R, C> = Result<R, Error<C>>;

/// Reads the values at an acceptor's path from a response, as text (generated per
/// acceptor: the path resolved to Rust fields at build time, no JSON re-parse).
pub type PathValues<R> = for<'r> fn(&'r R) -> Vec<Cow<'r, str>>;

/// Below this, a delay counts as this: a waiter never polls in a tight loop.
pub const MIN_DELAY_FLOOR: Duration = Duration::from_millis(1);

/// A waiter's definition, as data: its name, delays, default maximum wait and acceptors.
/// Generated for each waiter of the specs (e.g. [`flow::PIPELINE_RUN_FINISHED`]); build your
/// own with [`WaiterSpec::new`] and run it with [`Waiter::new`].
///
/// [`flow::PIPELINE_RUN_FINISHED`]: crate::flow::PIPELINE_RUN_FINISHED
#[non_exhaustive]
pub struct WaiterSpec<O: Operation + 'static> {
    /// The waiter's name (`PipelineRunFinished`).
    pub name: &'static str,
    /// The delay before the second poll, and the least between two polls.
    pub min_delay: Duration,
    /// The longest delay between two polls.
    pub max_delay: Duration,
    /// How long the waiter waits in all, unless [`Waiter::max_wait`] says otherwise.
    pub max_wait: Duration,
    /// The acceptors, checked in order.
    pub acceptors: &'static [Acceptor<O>],
}

impl<O: Operation + 'static> WaiterSpec<O> {
    /// A waiter definition.
    pub const fn new(
        name: &'static str,
        min_delay: Duration,
        max_delay: Duration,
        max_wait: Duration,
        acceptors: &'static [Acceptor<O>],
    ) -> Self {
        Self {
            name,
            min_delay,
            max_delay,
            max_wait,
            acceptors,
        }
    }

    /// The first acceptor that matches `outcome`: its index and state.
    pub fn decide(
        &self,
        outcome: &Outcome<O::Response, O::ErrorCode>,
    ) -> Option<(usize, AcceptorState)> {
        self.acceptors
            .iter()
            .position(|a| a.matches(outcome))
            .map(|i| (i, self.acceptors[i].state))
    }
}

impl<O: Operation + 'static> fmt::Debug for WaiterSpec<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaiterSpec")
            .field("name", &self.name)
            .field("operation", &O::META.action)
            .field("min_delay", &self.min_delay)
            .field("max_delay", &self.max_delay)
            .field("max_wait", &self.max_wait)
            .field("acceptors", &self.acceptors)
            .finish()
    }
}

/// One acceptor: what it matches and the state a match means.
#[non_exhaustive]
pub struct Acceptor<O: Operation> {
    /// What a match means.
    pub state: AcceptorState,
    /// What it matches.
    pub matcher: Matcher<O>,
}

/// What an acceptor matches.
#[non_exhaustive]
pub enum Matcher<O: Operation> {
    /// Values in a response.
    Output {
        /// The path, as the spec writes it (`pipelineRun.status`, `stages[].status`).
        path: &'static str,
        /// How the values compare with `expected`.
        comparator: Comparator,
        /// The values compared with, as text.
        expected: &'static [&'static str],
        /// Reads the values at `path`.
        values: PathValues<O::Response>,
    },
    /// An API error ([`Error::Api`]) with this code.
    Error {
        /// The error code.
        code: &'static str,
    },
}

impl<O: Operation> Acceptor<O> {
    /// An acceptor on the values at `path` of a response.
    pub const fn output(
        state: AcceptorState,
        path: &'static str,
        comparator: Comparator,
        expected: &'static [&'static str],
        values: PathValues<O::Response>,
    ) -> Self {
        Self {
            state,
            matcher: Matcher::Output {
                path,
                comparator,
                expected,
                values,
            },
        }
    }

    /// An acceptor on an API error with `code`. Its state should be `failure` or `retry`:
    /// a successful wait returns a response, and an error has none, so a `success` error
    /// acceptor that matches ends the wait as [`WaiterError::FailureState`].
    pub const fn error(state: AcceptorState, code: &'static str) -> Self {
        Self {
            state,
            matcher: Matcher::Error { code },
        }
    }

    /// Whether the acceptor matches a poll's outcome.
    pub fn matches(&self, outcome: &Outcome<O::Response, O::ErrorCode>) -> bool {
        match (&self.matcher, outcome) {
            (
                Matcher::Output {
                    comparator,
                    expected,
                    values,
                    ..
                },
                Ok(response),
            ) => comparator.matches(&values(response), expected),
            (Matcher::Error { code }, Err(e)) => e.as_api().is_some_and(|api| api.code == *code),
            _ => false,
        }
    }

    /// The acceptor in words, with what the outcome shows at its path (for messages):
    /// `pipelineRun.status equals FAIL (got FAIL)`.
    fn explain(&self, outcome: &Outcome<O::Response, O::ErrorCode>) -> String {
        match (&self.matcher, outcome) {
            (
                Matcher::Output {
                    path,
                    comparator,
                    expected,
                    values,
                },
                Ok(response),
            ) => {
                format!(
                    "{path} {comparator} {} (got {})",
                    expected.join(" or "),
                    shown(&values(response))
                )
            }
            (matcher, _) => format!("{matcher:?}"),
        }
    }
}

impl<O: Operation> fmt::Debug for Acceptor<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {:?}", self.state, self.matcher)
    }
}

impl<O: Operation> fmt::Debug for Matcher<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Output {
                path,
                comparator,
                expected,
                ..
            } => write!(f, "{path} {comparator} {}", expected.join(" or ")),
            Matcher::Error { code } => write!(f, "error code {code}"),
        }
    }
}

/// Values for a message: at most 8, each at most 64 characters (a response is the server's
/// text, and an error message stays short whatever it sends).
fn shown(values: &[Cow<'_, str>]) -> String {
    const MAX_VALUES: usize = 8;
    const MAX_CHARS: usize = 64;
    if values.is_empty() {
        return "nothing".into();
    }
    let mut parts: Vec<String> = values
        .iter()
        .take(MAX_VALUES)
        .map(|v| {
            let mut s: String = v.chars().take(MAX_CHARS).collect();
            if v.chars().count() > MAX_CHARS {
                s.push('…');
            }
            s
        })
        .collect();
    if values.len() > MAX_VALUES {
        parts.push(format!("{} more", values.len() - MAX_VALUES));
    }
    parts.join(", ")
}

/// How a wait is paced: its delays and its limit ([`Waiter::pacing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pacing {
    /// The delay before the second poll, and the least between two (at least
    /// [`MIN_DELAY_FLOOR`]).
    pub min_delay: Duration,
    /// The longest delay between two polls (at least `min_delay`).
    pub max_delay: Duration,
    /// How long the wait may take in all, polls included.
    pub max_wait: Duration,
}

impl Pacing {
    /// The pacing with its bounds made consistent: `min_delay` at least
    /// [`MIN_DELAY_FLOOR`], `max_delay` at least `min_delay`.
    pub fn normalized(self) -> Self {
        let min_delay = self.min_delay.max(MIN_DELAY_FLOOR);
        Self {
            min_delay,
            max_delay: self.max_delay.max(min_delay),
            max_wait: self.max_wait,
        }
    }

    /// The delay before poll `attempt + 1`, after poll `attempt` (1-based), with `remaining`
    /// time before the deadline; `None` when no further poll fits. Smithy's formula: a
    /// random time in `[min_delay, min(max_delay, min_delay * 2^(attempt-1))]`; when that
    /// would leave `min_delay` or less before the deadline, the delay ends `min_delay`
    /// before it instead (one last poll, with time to answer).
    pub fn delay(&self, attempt: u32, remaining: Duration) -> Option<Duration> {
        self.delay_with(attempt, remaining, fastrand::f64())
    }

    /// [`Pacing::delay`] with the jitter `unit` (in `[0, 1)`) given.
    fn delay_with(&self, attempt: u32, remaining: Duration, unit: f64) -> Option<Duration> {
        let p = self.normalized();
        if remaining <= p.min_delay {
            return None;
        }
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let ceiling = p.min_delay.saturating_mul(factor).min(p.max_delay);
        let delay = p.min_delay + (ceiling - p.min_delay).mul_f64(unit.clamp(0.0, 1.0));
        if remaining.saturating_sub(delay) <= p.min_delay {
            return Some(remaining - p.min_delay);
        }
        Some(delay)
    }
}

/// Polls an operation until one of its waiter's acceptors ends the wait. Build one with a
/// generated `client.<operation>()...wait_until_<name>()` (or [`Waiter::new`]), adjust it, then
/// `.await` it (or call [`Waiter::wait`]).
///
/// It ends with the final response (an acceptor with state `success` matched), or a
/// [`WaiterError`]: an acceptor with state `failure` matched, `max_wait` passed, or a
/// poll failed with an error no acceptor matches.
#[must_use = "a waiter does nothing until it is awaited"]
pub struct Waiter<'a, O: Operation + 'static> {
    client: &'a Client,
    request: O,
    spec: &'static WaiterSpec<O>,
    pacing: Pacing,
}

impl<O: Operation + 'static> fmt::Debug for Waiter<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("waiter", &self.spec.name)
            .field("operation", &O::META.action)
            .field("pacing", &self.pacing)
            .finish()
    }
}

impl<'a, O: Operation + 'static> Waiter<'a, O> {
    /// A waiter polling `request` with `client`, by `spec`'s acceptors and pacing.
    pub fn new(client: &'a Client, request: O, spec: &'static WaiterSpec<O>) -> Self {
        Self {
            client,
            request,
            spec,
            pacing: Pacing {
                min_delay: spec.min_delay,
                max_delay: spec.max_delay,
                max_wait: spec.max_wait,
            },
        }
    }

    /// How long to wait in all, polls included (default: the waiter's own, from its spec).
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.pacing.max_wait = max_wait;
        self
    }

    /// The delay before the second poll, and the least between two polls (default: the
    /// waiter's own; at least 1 ms).
    pub fn min_delay(mut self, min_delay: Duration) -> Self {
        self.pacing.min_delay = min_delay;
        self
    }

    /// The longest delay between two polls (default: the waiter's own; raised to
    /// `min_delay` if below it).
    pub fn max_delay(mut self, max_delay: Duration) -> Self {
        self.pacing.max_delay = max_delay;
        self
    }

    /// The pacing this waiter will use.
    pub fn pacing(&self) -> Pacing {
        self.pacing.normalized()
    }

    /// The waiter's definition.
    pub fn spec(&self) -> &'static WaiterSpec<O> {
        self.spec
    }

    /// The request it polls with.
    pub fn request(&self) -> &O {
        &self.request
    }

    /// Polls until the wait is over (the same as `.await` on the waiter).
    pub async fn wait(self) -> Result<O::Response, WaiterError<O::Response, O::ErrorCode>> {
        let Waiter {
            client,
            request,
            spec,
            pacing,
        } = self;
        poll_until(spec, pacing, || client.send_ref(&request)).await
    }
}

impl<'a, O: Operation + 'static> IntoFuture for Waiter<'a, O> {
    type Output = Result<O::Response, WaiterError<O::Response, O::ErrorCode>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

/// The wait itself, over any way to poll (the client, or a script in tests).
async fn poll_until<O, F, Fut>(
    spec: &'static WaiterSpec<O>,
    pacing: Pacing,
    mut poll: F,
) -> Result<O::Response, WaiterError<O::Response, O::ErrorCode>>
where
    O: Operation + 'static,
    F: FnMut() -> Fut,
    Fut: Future<Output = Outcome<O::Response, O::ErrorCode>>,
{
    let pacing = pacing.normalized();
    let started = Instant::now();
    let deadline = started + pacing.max_wait;
    let mut last: Option<Box<Outcome<O::Response, O::ErrorCode>>> = None;
    let mut attempts: u32 = 0;
    loop {
        attempts += 1;
        let span = tracing::debug_span!(
            "yunxiao.wait",
            waiter = spec.name,
            operation = O::META.action,
            attempt = attempts,
            state = tracing::field::Empty,
        );
        let remaining = deadline.saturating_duration_since(Instant::now());
        let outcome = match tokio::time::timeout(remaining, poll())
            .instrument(span.clone())
            .await
        {
            Ok(outcome) => outcome,
            Err(_) => {
                span.in_scope(|| tracing::debug!("max wait reached during a poll"));
                return Err(WaiterError::TimedOut {
                    waiter: spec.name,
                    waited: started.elapsed(),
                    max_wait: pacing.max_wait,
                    attempts,
                    last,
                });
            }
        };
        let decided = spec.decide(&outcome);
        span.record("state", decided.map_or("none", |(_, state)| state.as_str()));
        match (decided, outcome) {
            (Some((_, AcceptorState::Success)), Ok(response)) => return Ok(response),
            (Some((index, AcceptorState::Failure | AcceptorState::Success)), outcome) => {
                // A success acceptor matches responses only (the checks refuse error
                // acceptors with state success); one that matched an error ends as a failure.
                let reason = spec.acceptors[index].explain(&outcome);
                return Err(WaiterError::FailureState {
                    waiter: spec.name,
                    acceptor: index,
                    reason,
                    attempts,
                    waited: started.elapsed(),
                    last: Box::new(outcome),
                });
            }
            (None, Err(error)) => {
                return Err(WaiterError::Operation {
                    waiter: spec.name,
                    attempts,
                    error,
                })
            }
            (Some((_, AcceptorState::Retry)), outcome) | (None, outcome @ Ok(_)) => {
                last = Some(Box::new(outcome));
            }
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        let Some(delay) = pacing.delay(attempts, remaining) else {
            return Err(WaiterError::TimedOut {
                waiter: spec.name,
                waited: started.elapsed(),
                max_wait: pacing.max_wait,
                attempts,
                last,
            });
        };
        span.in_scope(|| tracing::debug!(?delay, "not done; polling again"));
        tokio::time::sleep(delay).await;
    }
}

/// Why a wait ended without success.
///
/// `R` is the polled operation's response and `C` its error codes. The last answer is kept
/// (boxed: responses are large) so that a failed or timed-out wait can still be inspected;
/// `Display` shows only the waiter, the acceptor and the values at its path, never a whole
/// response.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaiterError<R, C = AnyCode> {
    /// An acceptor with state `failure` matched: the job ended and did not succeed.
    FailureState {
        /// The waiter.
        waiter: &'static str,
        /// Index of the acceptor that matched, in the waiter's spec (0-based).
        acceptor: usize,
        /// The acceptor and what the answer showed: `pipelineRun.status equals FAIL (got FAIL)`.
        reason: String,
        /// Polls made.
        attempts: u32,
        /// Time since the first poll.
        waited: Duration,
        /// The answer that matched: a response, or (for an error acceptor) the error.
        last: Box<Outcome<R, C>>,
    },
    /// `max_wait` passed before an acceptor ended the wait.
    TimedOut {
        /// The waiter.
        waiter: &'static str,
        /// Time since the first poll.
        waited: Duration,
        /// The limit that passed.
        max_wait: Duration,
        /// Polls started (the last one may have been cut off by the limit).
        attempts: u32,
        /// The last answer that arrived (a response no acceptor ended the wait on, or an
        /// error a `retry` acceptor matched); `None` if none arrived.
        last: Option<Box<Outcome<R, C>>>,
    },
    /// A poll failed with an error no acceptor matches (after the client's own retries).
    Operation {
        /// The waiter.
        waiter: &'static str,
        /// Polls made.
        attempts: u32,
        /// The error.
        error: Error<C>,
    },
}

impl<R, C> WaiterError<R, C> {
    /// The waiter's name.
    pub fn waiter(&self) -> &'static str {
        match self {
            Self::FailureState { waiter, .. }
            | Self::TimedOut { waiter, .. }
            | Self::Operation { waiter, .. } => waiter,
        }
    }

    /// Polls made (for a timeout: started).
    pub fn attempts(&self) -> u32 {
        match self {
            Self::FailureState { attempts, .. }
            | Self::TimedOut { attempts, .. }
            | Self::Operation { attempts, .. } => *attempts,
        }
    }

    /// The last response that arrived, if the last answer was one.
    pub fn last_response(&self) -> Option<&R> {
        match self {
            Self::FailureState { last, .. } => last.as_ref().as_ref().ok(),
            Self::TimedOut { last, .. } => last.as_deref().and_then(|o| o.as_ref().ok()),
            Self::Operation { .. } => None,
        }
    }

    /// The last response that arrived, if the last answer was one.
    pub fn into_last_response(self) -> Option<R> {
        match self {
            Self::FailureState { last, .. } => (*last).ok(),
            Self::TimedOut { last, .. } => last.and_then(|o| (*o).ok()),
            Self::Operation { .. } => None,
        }
    }

    /// Whether `max_wait` passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::TimedOut { .. })
    }
}

impl<R, C> fmt::Display for WaiterError<R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let polls = |n: &u32| if *n == 1 { "poll" } else { "polls" };
        match self {
            Self::FailureState {
                waiter,
                acceptor,
                reason,
                attempts,
                waited,
                ..
            } => write!(
                f,
                "waiter {waiter} ended in failure: acceptor {acceptor} matched, {reason}, after {attempts} {} in {waited:.1?}",
                polls(attempts)
            ),
            Self::TimedOut {
                waiter,
                waited,
                max_wait,
                attempts,
                ..
            } => write!(
                f,
                "waiter {waiter} timed out: not done after {waited:.1?} and {attempts} {} (max wait {max_wait:?})",
                polls(attempts)
            ),
            Self::Operation {
                waiter,
                attempts,
                error,
            } => write!(
                f,
                "waiter {waiter} stopped at poll {attempts}: {error}"
            ),
        }
    }
}

impl<R: fmt::Debug, C: fmt::Debug + 'static> std::error::Error for WaiterError<R, C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Operation { error, .. } => Some(error),
            Self::FailureState { last, .. } => match last.as_ref() {
                Err(error) => Some(error),
                Ok(_) => None,
            },
            Self::TimedOut { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pacing(min: u64, max: u64, wait: u64) -> Pacing {
        Pacing {
            min_delay: Duration::from_secs(min),
            max_delay: Duration::from_secs(max),
            max_wait: Duration::from_secs(wait),
        }
    }

    #[test]
    fn delays_grow_from_min_to_max_with_jitter() {
        let p = pacing(5, 60, 3600);
        let far = Duration::from_secs(3000);
        // Lowest jitter: always the minimum; highest: the doubling ceiling, capped.
        for attempt in 1..40 {
            assert_eq!(
                p.delay_with(attempt, far, 0.0),
                Some(Duration::from_secs(5))
            );
        }
        let top: Vec<u64> = (1..8)
            .map(|a| p.delay_with(a, far, 1.0).unwrap().as_secs())
            .collect();
        assert_eq!(top, [5, 10, 20, 40, 60, 60, 60]);
        assert_eq!(
            p.delay_with(3, far, 0.5),
            Some(Duration::from_millis(12_500))
        );
        // Huge attempt numbers neither overflow nor exceed the maximum.
        assert_eq!(
            p.delay_with(u32::MAX, far, 1.0),
            Some(Duration::from_secs(60))
        );
        // Random draws stay in bounds.
        for attempt in 1..20 {
            for _ in 0..50 {
                let d = p.delay(attempt, far).unwrap();
                let ceiling = Duration::from_secs(5 * (1u64 << (attempt - 1).min(10)))
                    .min(Duration::from_secs(60));
                assert!(d >= Duration::from_secs(5) && d <= ceiling, "{d:?}");
            }
        }
    }

    #[test]
    fn the_last_delay_leaves_min_delay_before_the_deadline() {
        let p = pacing(5, 60, 3600);
        // 20 s left, a delay of 40 s drawn: poll at 15 s, 5 s before the deadline.
        assert_eq!(
            p.delay_with(4, Duration::from_secs(20), 1.0),
            Some(Duration::from_secs(15))
        );
        // 8 s left: the last poll after 3 s (shorter than min_delay: it is the last).
        assert_eq!(
            p.delay_with(1, Duration::from_secs(8), 0.0),
            Some(Duration::from_secs(3))
        );
        // min_delay or less left: no further poll.
        assert_eq!(p.delay_with(1, Duration::from_secs(5), 0.0), None);
        assert_eq!(p.delay_with(1, Duration::ZERO, 0.0), None);
    }

    use crate::flow::{GetPipelineRunRequest, GetPipelineRunResponse, PIPELINE_RUN_FINISHED};

    type Answer = Outcome<GetPipelineRunResponse, crate::flow::GetPipelineRunErrorCode>;

    fn answer(status: &str) -> Answer {
        Ok(serde_json::from_value(serde_json::json!({"pipelineRun": {"status": status}})).unwrap())
    }

    fn spec_pacing() -> Pacing {
        Pacing {
            min_delay: PIPELINE_RUN_FINISHED.min_delay,
            max_delay: PIPELINE_RUN_FINISHED.max_delay,
            max_wait: PIPELINE_RUN_FINISHED.max_wait,
        }
    }

    /// The generated waiter's own pacing (5 s to 60 s, 30 min), on tokio's paused clock: a
    /// run that never ends is polled at once, then with delays that grow from 5 s and stay
    /// within 60 s, and the wait ends with `TimedOut` inside the 30 minutes.
    #[tokio::test(start_paused = true)]
    async fn a_never_ending_run_on_the_default_pacing() {
        let start = Instant::now();
        let mut polled: Vec<Duration> = Vec::new();
        let result = poll_until(&PIPELINE_RUN_FINISHED, spec_pacing(), || {
            polled.push(start.elapsed());
            std::future::ready(answer("RUNNING"))
        })
        .await;
        let err = result.unwrap_err();
        let (min, max, max_wait) = (
            Duration::from_secs(5),
            Duration::from_secs(60),
            Duration::from_secs(1800),
        );
        let WaiterError::TimedOut {
            waited, attempts, ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!(*attempts as usize, polled.len());
        assert!(
            *waited >= max_wait - min && *waited <= max_wait,
            "{waited:?}"
        );
        assert_eq!(polled[0], Duration::ZERO);
        // Every poll starts at least min_delay before the deadline.
        assert!(polled.iter().all(|t| *t <= max_wait - min), "{polled:?}");
        let gaps: Vec<Duration> = polled.windows(2).map(|w| w[1] - w[0]).collect();
        let (_, full) = gaps.split_last().unwrap();
        for (n, gap) in full.iter().enumerate() {
            let ceiling = min.saturating_mul(1 << n.min(20)).min(max);
            assert!(
                *gap >= min && *gap <= ceiling,
                "gap {n}: {gap:?} ({gaps:?})"
            );
        }
        // Between 1800/60 and 1800/5 polls; about 60 on average.
        assert!((30..=361).contains(&polled.len()), "{}", polled.len());
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_that_never_answers_ends_at_max_wait() {
        let start = Instant::now();
        let err = poll_until(&PIPELINE_RUN_FINISHED, spec_pacing(), || {
            std::future::pending::<Answer>()
        })
        .await
        .unwrap_err();
        assert_eq!(start.elapsed(), Duration::from_secs(1800));
        assert!(
            matches!(
                err,
                WaiterError::TimedOut {
                    attempts: 1,
                    last: None,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn running_running_success_on_the_default_pacing() {
        let start = Instant::now();
        let mut script = vec![answer("SUCCESS"), answer("RUNNING"), answer("RUNNING")];
        let done = poll_until(&PIPELINE_RUN_FINISHED, spec_pacing(), || {
            std::future::ready(script.pop().unwrap())
        })
        .await
        .unwrap();
        assert_eq!(
            done.pipeline_run
                .unwrap()
                .status
                .as_ref()
                .map(|s| s.as_str()),
            Some("SUCCESS")
        );
        // 5 s, then 5..10 s.
        let t = start.elapsed();
        assert!(
            t >= Duration::from_secs(10) && t <= Duration::from_secs(15),
            "{t:?}"
        );
    }

    #[test]
    fn acceptors_are_checked_in_order_and_failures_explained() {
        let spec = &PIPELINE_RUN_FINISHED;
        assert_eq!(
            spec.decide(&answer("SUCCESS")),
            Some((0, AcceptorState::Success))
        );
        assert_eq!(
            spec.decide(&answer("FAIL")),
            Some((1, AcceptorState::Failure))
        );
        assert_eq!(spec.decide(&answer("CANCELED")), None);
        assert_eq!(
            spec.acceptors[1].explain(&answer("FAIL")),
            "pipelineRun.status equals FAIL (got FAIL)"
        );
        let long = "x".repeat(100);
        assert_eq!(
            spec.acceptors[1].explain(&answer(&long)),
            format!("pipelineRun.status equals FAIL (got {}…)", "x".repeat(64))
        );
        let _: &WaiterSpec<GetPipelineRunRequest> = spec;
    }

    #[test]
    fn pacing_is_normalized() {
        let p = Pacing {
            min_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_wait: Duration::from_secs(1),
        }
        .normalized();
        assert_eq!(p.min_delay, MIN_DELAY_FLOOR);
        assert_eq!(p.max_delay, MIN_DELAY_FLOOR);
        let p = pacing(10, 2, 60).normalized();
        assert_eq!(p.max_delay, Duration::from_secs(10));
    }
}
