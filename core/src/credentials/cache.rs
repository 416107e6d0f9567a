//! The refresh-ahead cache in front of providers that do I/O, and the clock it reads.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::{Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture};

/// Where "now" comes from. Tests use a [`ManualClock`] to move time without sleeping.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that only moves when told to (for tests). Clones share the same time.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(now)))
    }

    /// Sets the time.
    pub fn set(&self, now: SystemTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// When a [`CachedProvider`] refreshes.
///
/// The official library's margins: STS and credentials-URI credentials are refreshed
/// 15 minutes before they expire ([`RefreshPolicy::sts`]); ECS instance credentials too, and
/// also one hour after each fetch ([`RefreshPolicy::ecs`]); an external command's 180 s
/// before ([`RefreshPolicy::external`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefreshPolicy {
    refresh_before_expiry: Duration,
    prefetch_after_fetch: Option<Duration>,
    background_prefetch: bool,
    keep_without_expiry: Option<Duration>,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self::sts()
    }
}

impl RefreshPolicy {
    /// Refresh `margin` before expiry; credentials without an expiry are kept for good.
    pub const fn new(margin: Duration) -> Self {
        Self {
            refresh_before_expiry: margin,
            prefetch_after_fetch: None,
            background_prefetch: true,
            keep_without_expiry: None,
        }
    }

    /// 15 minutes before expiry (STS `AssumeRole`, OIDC, credentials URI).
    pub const fn sts() -> Self {
        Self::new(Duration::from_secs(15 * 60))
    }

    /// 15 minutes before expiry, and in the background one hour after each fetch (ECS).
    pub const fn ecs() -> Self {
        Self::sts().prefetch_after(Duration::from_secs(3600))
    }

    /// 180 s before expiry; credentials without an expiry are fetched again on every call
    /// (the external-command provider).
    pub const fn external() -> Self {
        Self::new(Duration::from_secs(180)).keep_without_expiry(Some(Duration::ZERO))
    }

    /// Also refreshes `after` each successful fetch, while the credentials are still valid:
    /// callers keep getting the cached value meanwhile.
    #[must_use]
    pub const fn prefetch_after(mut self, after: Duration) -> Self {
        self.prefetch_after_fetch = Some(after);
        self
    }

    /// Whether a prefetch runs in a spawned task (default, when a Tokio runtime is
    /// present) or in the call that finds it due (the others still get the cached value).
    #[must_use]
    pub const fn background_prefetch(mut self, background: bool) -> Self {
        self.background_prefetch = background;
        self
    }

    /// How long credentials without an expiry are kept (`None`: for good).
    #[must_use]
    pub const fn keep_without_expiry(mut self, keep: Option<Duration>) -> Self {
        self.keep_without_expiry = keep;
        self
    }

    /// The margin before expiry.
    pub fn refresh_before_expiry(&self) -> Duration {
        self.refresh_before_expiry
    }

    /// Delay before retrying after `failures` consecutive failed refreshes, while cached
    /// credentials are still valid: a random 1 s to max(10 s, 0.1 s * 2^(failures-1)),
    /// capped at 5 minutes (the official ECS rule, applied to every provider).
    fn backoff(failures: u32) -> Duration {
        let exp = 100u64.saturating_mul(1u64 << failures.saturating_sub(1).min(32));
        let max_ms = exp.clamp(10_000, 300_000);
        Duration::from_millis(fastrand::u64(1_000..=max_ms))
    }
}

/// A cached value and when to refresh it.
struct Entry {
    credentials: Credentials,
    /// Refresh on the caller's path from here on (`None`: never).
    stale_at: Option<SystemTime>,
    /// Refresh while still serving the value from here on.
    prefetch_at: Option<SystemTime>,
}

impl Entry {
    fn is_valid(&self, now: SystemTime) -> bool {
        self.credentials.expiry().is_none_or(|e| now < e)
    }
}

#[derive(Default)]
struct State {
    entry: Option<Entry>,
    /// Counts finished refreshes, so callers that waited for one share its outcome.
    generation: u64,
    failures: u32,
    last_error: Option<CredentialsError>,
}

enum Look {
    Fresh(Credentials),
    Prefetch(Credentials),
    Refresh,
}

struct Shared {
    provider: Arc<dyn ProvideCredentials>,
    policy: RefreshPolicy,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    refresh: Arc<tokio::sync::Mutex<()>>,
}

/// A cache in front of any provider: refreshes ahead of expiry, once for all concurrent
/// callers, and keeps serving still-valid credentials when a refresh fails.
///
/// - Warm path: a clock read, a read lock and a reference-count increment.
/// - When the cached value is missing or inside the refresh margin, one caller fetches and
///   the others wait for its outcome (single flight: N callers, one request).
/// - When a refresh fails and the cached credentials have not expired, they are returned
///   and the next attempt is delayed by a jittered backoff; with nothing valid cached, the
///   error is returned (to every caller that waited for that refresh).
/// - A reply that has already expired counts as a failure.
///
/// ```
/// # async fn demo() -> Result<(), yunxiao::credentials::CredentialsError> {
/// use yunxiao::credentials::{CachedProvider, Credentials, ProvideCredentials, RefreshPolicy};
/// let cached = CachedProvider::new(Credentials::new("id", "secret"), RefreshPolicy::sts());
/// assert_eq!(cached.provide_credentials().await?.access_key_id(), "id");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct CachedProvider {
    shared: Arc<Shared>,
}

impl fmt::Debug for CachedProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedProvider")
            .field("provider", &self.shared.provider)
            .field("policy", &self.shared.policy)
            .finish_non_exhaustive()
    }
}

impl CachedProvider {
    /// Caches `provider` with `policy`, on the system clock.
    pub fn new(provider: impl ProvideCredentials + 'static, policy: RefreshPolicy) -> Self {
        Self::with_clock(Arc::new(provider), policy, Arc::new(SystemClock))
    }

    /// Caches `provider` with `policy`, reading time from `clock`.
    pub fn with_clock(
        provider: Arc<dyn ProvideCredentials>,
        policy: RefreshPolicy,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                provider,
                policy,
                clock,
                state: RwLock::new(State::default()),
                refresh: Arc::new(tokio::sync::Mutex::new(())),
            }),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> RefreshPolicy {
        self.shared.policy
    }
}

impl Shared {
    fn look(&self, now: SystemTime) -> (Look, u64) {
        let st = self.state.read().unwrap_or_else(PoisonError::into_inner);
        let look = match &st.entry {
            Some(e) if e.stale_at.is_none_or(|s| now < s) => {
                if e.prefetch_at.is_some_and(|p| now >= p) {
                    Look::Prefetch(e.credentials.clone())
                } else {
                    Look::Fresh(e.credentials.clone())
                }
            }
            _ => Look::Refresh,
        };
        (look, st.generation)
    }

    /// Refreshes on the caller's path: waits for any refresh in flight and uses its outcome.
    async fn refresh_wait(self: Arc<Self>, seen: u64) -> Result<Credentials, CredentialsError> {
        let _guard = self.refresh.lock().await;
        let now = self.clock.now();
        {
            let st = self.state.read().unwrap_or_else(PoisonError::into_inner);
            if st.generation != seen {
                // Someone refreshed while we waited: share their outcome, don't repeat it.
                match (&st.entry, &st.last_error) {
                    (Some(e), _) if e.is_valid(now) => return Ok(e.credentials.clone()),
                    (_, Some(err)) => return Err(err.clone()),
                    _ => {}
                }
            }
        }
        if let (Look::Fresh(c) | Look::Prefetch(c), _) = self.look(now) {
            return Ok(c);
        }
        self.fetch().await
    }

    /// Fetches and stores the outcome. The caller holds the refresh lock.
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let result = self.provider.provide_credentials().await;
        let now = self.clock.now();
        let result = result.and_then(|c| match c.expiry() {
            Some(exp) if exp <= now => Err(CredentialsError::Expired {
                provider: c.provider_name().to_owned().into(),
                expired_at: crate::signing::format_acs_date(exp),
            }),
            _ => Ok(c),
        });
        let policy = &self.policy;
        let mut st = self.state.write().unwrap_or_else(PoisonError::into_inner);
        st.generation += 1;
        match result {
            Ok(c) => {
                let stale_at = match c.expiry() {
                    Some(exp) => {
                        let s = exp
                            .checked_sub(policy.refresh_before_expiry)
                            .unwrap_or(now)
                            .max(now);
                        if s == now {
                            tracing::debug!(
                                provider = c.provider_name(),
                                "credentials expire within the refresh margin; the next call refreshes again"
                            );
                        }
                        Some(s)
                    }
                    None => policy.keep_without_expiry.map(|keep| now + keep),
                };
                tracing::debug!(
                    provider = c.provider_name(),
                    expiry = c.expiry().map(crate::signing::format_acs_date),
                    "credentials refreshed"
                );
                st.failures = 0;
                st.last_error = None;
                st.entry = Some(Entry {
                    credentials: c.clone(),
                    stale_at,
                    prefetch_at: policy.prefetch_after_fetch.map(|d| now + d),
                });
                Ok(c)
            }
            Err(err) => {
                st.failures = st.failures.saturating_add(1);
                let failures = st.failures;
                st.last_error = Some(err.clone());
                match &mut st.entry {
                    Some(e) if e.is_valid(now) => {
                        let retry_at = now + RefreshPolicy::backoff(failures);
                        let retry_at = e.credentials.expiry().map_or(retry_at, |x| x.min(retry_at));
                        if e.stale_at.is_none_or(|s| s <= now) {
                            e.stale_at = Some(retry_at);
                        }
                        if e.prefetch_at.is_some() {
                            e.prefetch_at = Some(retry_at);
                        }
                        tracing::warn!(
                            error = %err,
                            failures,
                            "credentials refresh failed; still using the cached credentials, which have not expired"
                        );
                        Ok(e.credentials.clone())
                    }
                    _ => {
                        st.entry = None;
                        tracing::debug!(error = %err, "credentials refresh failed");
                        Err(err)
                    }
                }
            }
        }
    }
}

impl ProvideCredentials for CachedProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        let shared = &self.shared;
        let (look, seen) = shared.look(shared.clock.now());
        match look {
            Look::Fresh(c) => ProvideCredentialsFuture::ready(Ok(c)),
            Look::Prefetch(c) => {
                let Ok(guard) = shared.refresh.clone().try_lock_owned() else {
                    // A refresh is already running; the cached value is still good.
                    return ProvideCredentialsFuture::ready(Ok(c));
                };
                if shared.policy.background_prefetch {
                    if let Ok(rt) = tokio::runtime::Handle::try_current() {
                        let shared = shared.clone();
                        rt.spawn(async move {
                            let _guard = guard;
                            // Failures are logged and leave the valid value in place.
                            let _ = shared.fetch().await;
                        });
                        return ProvideCredentialsFuture::ready(Ok(c));
                    }
                }
                ProvideCredentialsFuture::new(async move {
                    let _guard = guard;
                    // `fetch` returns the still-valid cached value when the refresh fails.
                    shared.fetch().await
                })
            }
            Look::Refresh => ProvideCredentialsFuture::new(shared.clone().refresh_wait(seen)),
        }
    }
}
