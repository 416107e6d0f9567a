//! Credentials and where to find them.
//!
//! [`Credentials`] is an AccessKey pair, optionally with an STS security token and an
//! expiry, plus the provider name sent as `x-acs-credentials-provider`. A provider
//! ([`ProvideCredentials`]) is asynchronous, so it may call the network; the providers that
//! do (STS, instance metadata, a credentials URI, an external command) cache what they get
//! in a [`CachedProvider`] and refresh it ahead of expiry, once for all concurrent callers.
//!
//! [`DefaultChain`] is the official credentials library's default chain, in its order:
//!
//! 1. [`EnvironmentProvider`]: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`;
//! 2. [`OidcProvider`] (ACK RRSA), when `ALIBABA_CLOUD_ROLE_ARN`,
//!    `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set;
//! 3. [`ProfileProvider`]: the Alibaba Cloud CLI's `~/.aliyun/config.json`, every
//!    non-interactive mode (off with `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`);
//! 4. [`IniProfileProvider`], the INI file `~/.alibabacloud/credentials.ini`;
//! 5. [`EcsRamRoleProvider`]: the ECS instance RAM role over instance metadata (off with
//!    `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`);
//! 6. [`CredentialsUriProvider`], when `ALIBABA_CLOUD_CREDENTIALS_URI` is set.
//!
//! [`RamRoleArnProvider`] (STS `AssumeRole`) is used by the profile modes and can be built
//! directly around any source provider.
//!
//! Provider names follow the official library (`static_ak`, `env`, `ram_role_arn/static_ak`,
//! `cli_profile/ecs_ram_role`, `default/<inner>`, ...).
//!
//! Secrets and tokens never appear in `Debug` output, error messages or log lines.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

mod cache;
mod chain;
mod ecs;
mod env;
mod external;
mod file;
mod http;
mod ini;
mod profile;
mod sts;
mod uri;

pub use cache::{CachedProvider, Clock, ManualClock, RefreshPolicy, SystemClock};
pub use chain::{DefaultChain, DefaultChainBuilder};
pub use ecs::{EcsRamRoleProvider, EcsRamRoleProviderBuilder, DEFAULT_IMDS_ENDPOINT};
pub use env::{EnvironmentProvider, StaticProvider};
pub use external::ExternalProvider;
pub use ini::IniProfileProvider;
pub use profile::ProfileProvider;
pub use sts::{
    sts_host, OidcProvider, OidcProviderBuilder, RamRoleArnProvider, RamRoleArnProviderBuilder,
};
pub use uri::{CredentialsUriProvider, CredentialsUriProviderBuilder};

/// Environment variable holding the AccessKey id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// Environment variable holding an optional STS security token.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Environment variable naming the CLI (and INI) profile to use.
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// Environment variable: the default RAM role ARN (AssumeRole and OIDC).
pub const ENV_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// Environment variable: the default role session name.
pub const ENV_ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// Environment variable: the OIDC provider ARN (ACK RRSA).
pub const ENV_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// Environment variable: the OIDC token file (ACK RRSA).
pub const ENV_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// Environment variable: `true` takes the CLI profile out of the default chain.
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// Environment variable: the path of the INI credentials file.
pub const ENV_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
/// Environment variable: the ECS RAM role name (skips role discovery).
pub const ENV_ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// Environment variable: `true` takes the ECS instance role out of the default chain.
pub const ENV_ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// Environment variable: `true` forbids instance-metadata requests without a session token.
pub const ENV_IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// Environment variable: the credentials URI (adds it to the default chain).
pub const ENV_CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";
/// Environment variable: the STS region (`sts.<region>.aliyuncs.com`).
pub const ENV_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// Environment variable: `true` (with a region) selects `sts-vpc.<region>.aliyuncs.com`.
pub const ENV_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";

use crate::secret::REDACTED;

/// An AccessKey pair, an optional STS token and expiry, and the name of the provider that
/// found them. Cheap to clone (one reference count).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials(Arc<CredentialsInner>);

#[derive(Clone, PartialEq, Eq)]
struct CredentialsInner {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
    expiry: Option<SystemTime>,
    provider_name: Cow<'static, str>,
    /// The V3 HMAC keyed with the secret, made on first use: each signature clones it
    /// instead of hashing the key again (two SHA-256 blocks per call).
    v3_mac: KeyedMac,
}

/// A lazily keyed HMAC-SHA256; derived entirely from the secret, so it takes no part in
/// comparisons.
#[derive(Clone, Default)]
struct KeyedMac(std::sync::OnceLock<crate::signing::v3::HmacSha256>);

impl PartialEq for KeyedMac {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for KeyedMac {}

impl Credentials {
    /// A plain AccessKey pair (provider name `static_ak`).
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Self(Arc::new(CredentialsInner {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
            expiry: None,
            provider_name: Cow::Borrowed("static_ak"),
            v3_mac: KeyedMac::default(),
        }))
    }

    /// STS credentials: an AccessKey pair with a security token (provider name `static_sts`).
    pub fn with_security_token(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        Self(Arc::new(CredentialsInner {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: Some(security_token.into()),
            expiry: None,
            provider_name: Cow::Borrowed("static_sts"),
            v3_mac: KeyedMac::default(),
        }))
    }

    /// Replaces the provider name sent as `x-acs-credentials-provider`
    /// (an empty name omits the header).
    #[must_use]
    pub fn with_provider_name(self, provider_name: impl Into<String>) -> Self {
        self.named(Cow::Owned(provider_name.into()))
    }

    /// Like [`Credentials::with_provider_name`], without allocating for a static name.
    pub(crate) fn named(mut self, provider_name: Cow<'static, str>) -> Self {
        Arc::make_mut(&mut self.0).provider_name = provider_name;
        self
    }

    /// Sets when these credentials stop working (`None`: never).
    #[must_use]
    pub fn with_expiry(mut self, expiry: Option<SystemTime>) -> Self {
        Arc::make_mut(&mut self.0).expiry = expiry;
        self
    }

    /// The AccessKey id.
    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }

    /// The AccessKey secret.
    pub fn access_key_secret(&self) -> &str {
        &self.0.access_key_secret
    }

    /// The V3 signing HMAC, keyed with the secret (once per credentials value).
    pub(crate) fn v3_mac(&self) -> &crate::signing::v3::HmacSha256 {
        self.0
            .v3_mac
            .0
            .get_or_init(|| crate::signing::v3::keyed(&self.0.access_key_secret))
    }

    /// The STS security token, if any.
    pub fn security_token(&self) -> Option<&str> {
        self.0.security_token.as_deref()
    }

    /// When these credentials stop working, if they do.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.0.expiry
    }

    /// The provider name sent as `x-acs-credentials-provider`.
    pub fn provider_name(&self) -> &str {
        &self.0.provider_name
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        d.field("access_key_id", &self.0.access_key_id)
            .field("access_key_secret", &REDACTED)
            .field(
                "security_token",
                &self.0.security_token.as_ref().map(|_| REDACTED),
            );
        if let Some(expiry) = self.0.expiry {
            d.field("expiry", &crate::signing::format_acs_date(expiry));
        }
        d.field("provider_name", &self.0.provider_name).finish()
    }
}

/// Which provider failed, for [`CredentialsError`] messages.
pub type ProviderName = Cow<'static, str>;

/// Why credentials could not be found. Messages never include secrets or tokens, nor the
/// raw body of a reply (only its `Code` and, from STS, its `Message`).
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A required environment variable is unset or empty.
    #[error("environment variable {0} is not set or is empty")]
    MissingEnvVar(&'static str),
    /// Neither `HOME` nor `USERPROFILE` is set, so the CLI config cannot be located.
    #[error("cannot locate the home directory: neither HOME nor USERPROFILE is set")]
    NoHomeDir,
    /// A credentials file (CLI config, INI file, OIDC token file) could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadConfig {
        /// The file tried.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The path names a FIFO, device, directory or other non-regular file, which is refused
    /// (reading a FIFO would block forever).
    #[error("{} is not a regular file; refusing to read credentials from it", path.display())]
    NotARegularFile {
        /// The file tried.
        path: PathBuf,
    },
    /// A credentials file is not in the expected format.
    #[error("malformed credentials file {}: {message}", path.display())]
    ParseConfig {
        /// The file read.
        path: PathBuf,
        /// What was wrong (position and kind only, never file content).
        message: String,
    },
    /// No profile was named and the file has no `current`.
    #[error("no profile selected: {ENV_PROFILE} is unset and {} has no `current`", path.display())]
    NoProfileSelected {
        /// The file read.
        path: PathBuf,
    },
    /// The selected profile is not in the file.
    #[error("profile `{profile}` not found in {}", path.display())]
    ProfileNotFound {
        /// The profile looked for.
        profile: String,
        /// The file read.
        path: PathBuf,
    },
    /// The profile's `mode` (CLI) or `type` (INI) is not one this SDK can use.
    #[error("profile `{profile}` uses mode `{mode}`, which is not supported: {reason}")]
    UnsupportedMode {
        /// The profile.
        profile: String,
        /// Its mode.
        mode: String,
        /// Why, and what to use instead.
        reason: &'static str,
    },
    /// The profile lacks a field its mode needs (or it is empty or of the wrong type).
    #[error("profile `{profile}` in {} has no usable `{field}`", path.display())]
    MissingProfileField {
        /// The profile.
        profile: String,
        /// The file read.
        path: PathBuf,
        /// The missing field.
        field: &'static str,
    },
    /// A provider is misconfigured (missing role ARN, duration below 900 s, bad endpoint,
    /// disabled by an environment variable, ...). Nothing was sent.
    #[error("{provider}: {reason}")]
    Config {
        /// The provider.
        provider: ProviderName,
        /// What is wrong.
        reason: String,
    },
    /// The request could not be sent or its reply not read (connection refused, reset, ...).
    #[error("{provider}: request to {endpoint} failed: {reason}")]
    Transport {
        /// The provider.
        provider: ProviderName,
        /// Scheme, host and path (never the query, which may carry a signature or token).
        endpoint: String,
        /// The transport error.
        reason: String,
    },
    /// No complete reply within the provider's timeout.
    #[error("{provider}: request to {endpoint} timed out")]
    Timeout {
        /// The provider.
        provider: ProviderName,
        /// Scheme, host and path.
        endpoint: String,
    },
    /// The service answered with an error status, or with a `Code` other than `Success`.
    #[error("{provider}: {endpoint} answered HTTP {status}{}{}",
        code.as_deref().map(|c| format!(" {c}")).unwrap_or_default(),
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Service {
        /// The provider.
        provider: ProviderName,
        /// Scheme, host and path.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// The reply's `Code`, if it has one.
        code: Option<String>,
        /// The reply's `Message` (STS only: other services' bodies may hold credentials).
        message: Option<String>,
    },
    /// A reply that does not parse as the expected credentials.
    #[error("{provider}: unexpected reply: {reason}")]
    InvalidResponse {
        /// The provider.
        provider: ProviderName,
        /// What was wrong (field names and parse positions only).
        reason: String,
    },
    /// The provider returned credentials that had already expired.
    #[error("{provider}: the credentials received expired at {expired_at}")]
    Expired {
        /// The provider.
        provider: ProviderName,
        /// Their expiration, `YYYY-MM-DDThh:mm:ssZ`.
        expired_at: String,
    },
    /// The external credentials command failed (could not start, non-zero exit, timeout).
    #[error("{provider}: {reason}")]
    Process {
        /// The provider.
        provider: ProviderName,
        /// What happened (exit status; never the command's output).
        reason: String,
    },
    /// Every provider in a chain failed; each entry is (provider, its error).
    #[error("no credentials found: {}", describe_chain(.0))]
    ChainExhausted(Vec<(String, CredentialsError)>),
}

fn describe_chain(errors: &[(String, CredentialsError)]) -> String {
    if errors.is_empty() {
        return "the chain has no providers".to_owned();
    }
    errors
        .iter()
        .map(|(name, e)| format!("[{name}] {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}

type BoxFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// The future [`ProvideCredentials::provide_credentials`] returns: either a value already at
/// hand (no allocation, as for static or warm-cached credentials) or a boxed future.
#[must_use = "futures do nothing unless awaited"]
pub struct ProvideCredentialsFuture<'a>(FutureState<'a>);

enum FutureState<'a> {
    Ready(Option<Result<Credentials, CredentialsError>>),
    Boxed(BoxFuture<'a>),
}

impl<'a> ProvideCredentialsFuture<'a> {
    /// A future wrapping `future`.
    pub fn new(
        future: impl Future<Output = Result<Credentials, CredentialsError>> + Send + 'a,
    ) -> Self {
        Self(FutureState::Boxed(Box::pin(future)))
    }

    /// A future that is already complete.
    pub fn ready(result: Result<Credentials, CredentialsError>) -> Self {
        Self(FutureState::Ready(Some(result)))
    }
}

impl Future for ProvideCredentialsFuture<'_> {
    type Output = Result<Credentials, CredentialsError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            FutureState::Ready(value) => match value.take() {
                Some(v) => Poll::Ready(v),
                // Like `std::future::Ready`: a completed future has nothing more to give.
                None => panic!("ProvideCredentialsFuture polled after completion"),
            },
            FutureState::Boxed(f) => f.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for ProvideCredentialsFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProvideCredentialsFuture")
    }
}

/// Something that can produce [`Credentials`].
///
/// Called for every attempt of every request, so implementations that do I/O should cache
/// (wrap the slow part in a [`CachedProvider`]); the built-in network providers do.
/// Dyn-compatible: `Arc<dyn ProvideCredentials>` is a provider too.
///
/// ```
/// use yunxiao::credentials::{
///     Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture,
/// };
///
/// #[derive(Debug)]
/// struct FromVault;
///
/// impl ProvideCredentials for FromVault {
///     fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
///         ProvideCredentialsFuture::new(async {
///             // ... fetch from somewhere ...
///             Ok::<_, CredentialsError>(Credentials::new("id", "secret"))
///         })
///     }
/// }
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Looks up credentials.
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(Ok(self.clone()))
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        (**self).provide_credentials()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        (**self).provide_credentials()
    }
}

/// A string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Default)]
pub(crate) struct Secret(pub(crate) String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

type LookupFn = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Where environment-style variables come from: the process, or a test double.
#[derive(Clone)]
pub(crate) struct Lookup {
    f: Arc<LookupFn>,
    custom: bool,
}

impl Lookup {
    pub(crate) fn process() -> Self {
        Self {
            f: Arc::new(|k| std::env::var(k).ok()),
            custom: false,
        }
    }

    pub(crate) fn custom(f: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            f: Arc::new(f),
            custom: true,
        }
    }

    /// The value of `key`, treating an empty value as unset (as the official library does).
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        (self.f)(key).filter(|v| !v.is_empty())
    }

    /// Whether `key` is `true` (any case).
    pub(crate) fn is_true(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The home directory: `HOME`, else `USERPROFILE`.
    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.get("HOME")
            .or_else(|| self.get("USERPROFILE"))
            .map(PathBuf::from)
    }
}

impl fmt::Debug for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print looked-up values: they include secrets.
        f.write_str(if self.custom {
            "custom lookup"
        } else {
            "process environment"
        })
    }
}

type NonceFn = dyn Fn() -> String + Send + Sync;

/// Settings shared by the providers that [`DefaultChain`], [`ProfileProvider`] and
/// [`IniProfileProvider`] build: where environment variables come from, the clock, and
/// endpoint overrides (for proxies and for tests against loopback fakes).
#[derive(Clone)]
pub struct ProviderConfig {
    pub(crate) env: Lookup,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) nonce: Option<Arc<NonceFn>>,
    pub(crate) sts_endpoint: Option<String>,
    pub(crate) imds_endpoint: Option<String>,
    pub(crate) redirect: Option<String>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        Self {
            env: Lookup::process(),
            clock: Arc::new(SystemClock),
            nonce: None,
            sts_endpoint: None,
            imds_endpoint: None,
            redirect: None,
        }
    }
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("env", &self.env)
            .field("clock", &self.clock)
            .field("sts_endpoint", &self.sts_endpoint)
            .field("imds_endpoint", &self.imds_endpoint)
            .finish_non_exhaustive()
    }
}

impl ProviderConfig {
    /// The process environment and the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads environment variables (including `HOME`) through `lookup` instead of the
    /// process environment.
    #[must_use]
    pub fn with_env(
        mut self,
        lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.env = Lookup::custom(lookup);
        self
    }

    /// Reads environment variables from `vars` instead of the process environment.
    #[must_use]
    pub fn with_env_map(self, vars: HashMap<String, String>) -> Self {
        self.with_env(move |k| vars.get(k).cloned())
    }

    /// The clock caches and request timestamps use (tests use a [`ManualClock`]).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sends every STS request to `endpoint` (`host[:port]` for HTTPS, or
    /// `http://host:port`), whatever the region and VPC settings say.
    #[must_use]
    pub fn with_sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.sts_endpoint = Some(endpoint.into());
        self
    }

    /// The instance metadata service (default [`DEFAULT_IMDS_ENDPOINT`]).
    #[must_use]
    pub fn with_imds_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.imds_endpoint = Some(endpoint.into());
        self
    }

    /// Draws STS `SignatureNonce` values from `nonce` instead of random UUIDs (only for
    /// reproducing exact requests in tests: a repeated nonce is rejected by STS).
    #[must_use]
    pub fn with_signature_nonce(
        mut self,
        nonce: impl Fn() -> String + Send + Sync + 'static,
    ) -> Self {
        self.nonce = Some(Arc::new(nonce));
        self
    }

    /// Tests only: sends every STS and instance-metadata request to `addr` (`host:port`)
    /// over plain HTTP, keeping the endpoint's own name in the `Host` header, the way the
    /// official library's captures redirected the connection.
    #[doc(hidden)]
    #[must_use]
    pub fn with_transport_redirect(mut self, addr: impl Into<String>) -> Self {
        self.redirect = Some(addr.into());
        self
    }

    pub(crate) fn now(&self) -> SystemTime {
        self.clock.now()
    }
}
