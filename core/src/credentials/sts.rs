//! STS: `AssumeRole` (RAM role ARN, signed with source credentials) and
//! `AssumeRoleWithOIDC` (ACK RRSA, with a token file).

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use super::cache::{CachedProvider, RefreshPolicy};
use super::file::{read_regular_file, Sensitivity};
use super::http::{self, Base};
use super::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture, ProviderConfig,
    ProviderName, Secret, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_OIDC_PROVIDER_ARN,
    ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN, ENV_ROLE_SESSION_NAME, ENV_STS_REGION,
    ENV_VPC_ENDPOINT_ENABLED,
};
use crate::signing::{self, rpc};

const STS_VERSION: &str = "2015-04-01";
const DEFAULT_DURATION: u64 = 3600;
const MIN_DURATION: u64 = 900;

/// The STS host for a region: `sts.aliyuncs.com` without a region, else
/// `sts.<region>.aliyuncs.com`, or `sts-vpc.<region>.aliyuncs.com` with `vpc` (the VPC flag
/// needs a region, as in the official library).
///
/// ```
/// use yunxiao::credentials::sts_host;
/// assert_eq!(sts_host(None, true), "sts.aliyuncs.com");
/// assert_eq!(sts_host(Some("cn-hangzhou"), true), "sts-vpc.cn-hangzhou.aliyuncs.com");
/// ```
pub fn sts_host(region: Option<&str>, vpc: bool) -> String {
    match region.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) if vpc => format!("sts-vpc.{r}.aliyuncs.com"),
        Some(r) => format!("sts.{r}.aliyuncs.com"),
        None => "sts.aliyuncs.com".to_owned(),
    }
}

/// Settings common to both STS providers.
#[derive(Clone)]
struct StsCommon {
    config: ProviderConfig,
    role_arn: Option<String>,
    session_name: Option<String>,
    duration_seconds: Option<u64>,
    policy: Option<String>,
    region: Option<String>,
    vpc: Option<bool>,
    endpoint: Option<String>,
    connect_timeout: Duration,
    read_timeout: Duration,
    prefix: String,
}

impl Default for StsCommon {
    fn default() -> Self {
        Self {
            config: ProviderConfig::default(),
            role_arn: None,
            session_name: None,
            duration_seconds: None,
            policy: None,
            region: None,
            vpc: None,
            endpoint: None,
            connect_timeout: http::STS_CONNECT_TIMEOUT,
            read_timeout: http::STS_READ_TIMEOUT,
            prefix: String::new(),
        }
    }
}

impl fmt::Debug for StsCommon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsSettings")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("duration_seconds", &self.duration_seconds)
            .field("policy", &self.policy)
            .field("region", &self.region)
            .field("vpc", &self.vpc)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// What an STS request needs once the builder has resolved defaults.
#[derive(Debug)]
struct Resolved {
    role_arn: String,
    session_name: String,
    duration: String,
    policy: Option<String>,
    base: Base,
    http: reqwest::Client,
}

impl StsCommon {
    fn resolve(&self, provider: &ProviderName) -> Result<Resolved, CredentialsError> {
        let env = &self.config.env;
        let config_err = |reason: String| CredentialsError::Config {
            provider: provider.clone(),
            reason,
        };
        let role_arn = self
            .role_arn
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| env.get(ENV_ROLE_ARN))
            .ok_or_else(|| config_err(format!("no role ARN given and {ENV_ROLE_ARN} is unset")))?;
        let session_name = self
            .session_name
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| env.get(ENV_ROLE_SESSION_NAME))
            .unwrap_or_else(|| {
                let secs = self
                    .config
                    .now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs());
                format!("credentials-rust-{secs}")
            });
        let duration = self.duration_seconds.unwrap_or(DEFAULT_DURATION);
        if duration < MIN_DURATION {
            return Err(config_err(format!(
                "the session duration must be at least {MIN_DURATION} s, not {duration} s"
            )));
        }
        let endpoint = match (&self.endpoint, &self.config.sts_endpoint) {
            (Some(e), _) | (None, Some(e)) => e.clone(),
            (None, None) => {
                let region = self.region.clone().or_else(|| env.get(ENV_STS_REGION));
                let vpc = self
                    .vpc
                    .unwrap_or_else(|| env.is_true(ENV_VPC_ENDPOINT_ENABLED));
                sts_host(region.as_deref(), vpc)
            }
        };
        let base = Base::parse(
            provider,
            &endpoint,
            "https",
            self.config.redirect.as_deref(),
        )?;
        let http = http::client(provider, self.connect_timeout, self.read_timeout, true)?;
        Ok(Resolved {
            role_arn,
            session_name,
            duration: duration.to_string(),
            policy: self.policy.clone().filter(|p| !p.is_empty()),
            base,
            http,
        })
    }

    fn nonce(&self) -> String {
        match &self.config.nonce {
            Some(f) => f(),
            None => uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// Sends a prepared STS request and reads `Credentials` out of the reply.
async fn call_sts(
    provider: &ProviderName,
    resolved: &Resolved,
    query: String,
) -> Result<Credentials, CredentialsError> {
    let endpoint = resolved.base.url("/");
    let request =
        resolved
            .base
            .request(&resolved.http, reqwest::Method::GET, &format!("/?{query}"));
    let reply = http::send(provider, &endpoint, request).await?;
    if reply.status != 200 {
        return Err(http::service_error(provider, &endpoint, &reply, true));
    }
    let obj = http::json_object(provider, &reply.body)?;
    let creds = match obj.get("Credentials") {
        Some(serde_json::Value::Object(c)) => c,
        _ => {
            return Err(CredentialsError::InvalidResponse {
                provider: provider.clone(),
                reason: "the reply has no `Credentials` object".into(),
            })
        }
    };
    let id = http::string_field(provider, creds, "AccessKeyId")?;
    let secret = http::string_field(provider, creds, "AccessKeySecret")?;
    let token = http::string_field(provider, creds, "SecurityToken")?;
    let expiry = http::expiration_field(provider, creds, "Expiration")?;
    Ok(Credentials::with_security_token(id, secret, token).with_expiry(Some(expiry)))
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// AssumeRole

/// STS `AssumeRole` with source credentials (provider name `ram_role_arn/<source>`), cached
/// and refreshed 15 minutes before expiry.
///
/// ```no_run
/// # fn demo() -> Result<(), yunxiao::credentials::CredentialsError> {
/// use yunxiao::credentials::RamRoleArnProvider;
/// let provider = RamRoleArnProvider::builder()
///     .access_key("LTAI...", "source-secret")
///     .role_arn("acs:ram::1234567890123456:role/ci-deployer")
///     .session_name("ci")
///     .sts_region("cn-hangzhou")
///     .build()?;
/// let _client = yunxiao::Client::builder().credentials(provider).build();
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RamRoleArnProvider {
    cache: CachedProvider,
}

/// Configures a [`RamRoleArnProvider`]. Unset values come from the environment
/// (`ALIBABA_CLOUD_ROLE_ARN`, `_ROLE_SESSION_NAME`, `_STS_REGION`,
/// `_VPC_ENDPOINT_ENABLED`, and the source AccessKey from `ALIBABA_CLOUD_ACCESS_KEY_ID` /
/// `_SECRET`).
#[derive(Debug, Default)]
pub struct RamRoleArnProviderBuilder {
    common: StsCommon,
    source: Option<Arc<dyn ProvideCredentials>>,
    external_id: Option<Secret>,
}

impl RamRoleArnProvider {
    /// A builder.
    pub fn builder() -> RamRoleArnProviderBuilder {
        RamRoleArnProviderBuilder::default()
    }
}

impl RamRoleArnProviderBuilder {
    /// Environment, clock and endpoint overrides.
    #[must_use]
    pub fn configure(mut self, config: &ProviderConfig) -> Self {
        self.common.config = config.clone();
        self
    }

    /// Signs with this AccessKey pair.
    #[must_use]
    pub fn access_key(self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.source(Credentials::new(id, secret))
    }

    /// Signs with credentials from `source` (static, another role, ECS, ...), asked again at
    /// each refresh.
    #[must_use]
    pub fn source(mut self, source: impl ProvideCredentials + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Signs with credentials from a shared `source`.
    #[must_use]
    pub fn source_arc(mut self, source: Arc<dyn ProvideCredentials>) -> Self {
        self.source = Some(source);
        self
    }

    /// The role to assume, `acs:ram::<account>:role/<name>`.
    #[must_use]
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.common.role_arn = Some(arn.into());
        self
    }

    /// The role session name (default `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else
    /// `credentials-rust-<unix seconds>`).
    #[must_use]
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.common.session_name = Some(name.into());
        self
    }

    /// Session duration (default 3600 s; at least 900 s).
    #[must_use]
    pub fn duration(mut self, duration: Duration) -> Self {
        self.common.duration_seconds = Some(duration.as_secs());
        self
    }

    /// A policy further restricting the session.
    #[must_use]
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.common.policy = Some(policy.into());
        self
    }

    /// The external id the role's trust policy requires.
    #[must_use]
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(Secret(external_id.into()));
        self
    }

    /// The STS region (`sts.<region>.aliyuncs.com`).
    #[must_use]
    pub fn sts_region(mut self, region: impl Into<String>) -> Self {
        self.common.region = Some(region.into());
        self
    }

    /// Use the VPC endpoint `sts-vpc.<region>.aliyuncs.com` (needs a region).
    #[must_use]
    pub fn enable_vpc(mut self, vpc: bool) -> Self {
        self.common.vpc = Some(vpc);
        self
    }

    /// An explicit endpoint (`host[:port]` for HTTPS, or `http://host:port`), overriding
    /// region and VPC.
    #[must_use]
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.common.endpoint = Some(endpoint.into());
        self
    }

    /// Connect timeout (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.common.connect_timeout = timeout;
        self
    }

    /// Read timeout (default 10 s).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.common.read_timeout = timeout;
        self
    }

    pub(crate) fn name_prefix(mut self, prefix: &str) -> Self {
        self.common.prefix = prefix.to_owned();
        self
    }

    /// Checks the settings; nothing is sent until credentials are asked for.
    pub fn build(self) -> Result<RamRoleArnProvider, CredentialsError> {
        let provider: ProviderName = format!("{}ram_role_arn", self.common.prefix).into();
        let resolved = self.common.resolve(&provider)?;
        let env = &self.common.config.env;
        let source = match self.source {
            Some(s) => s,
            // Like the official library: the AccessKey from the environment, read now.
            None => match (env.get(ENV_ACCESS_KEY_ID), env.get(ENV_ACCESS_KEY_SECRET)) {
                (Some(id), Some(secret)) => Arc::new(Credentials::new(id, secret)),
                _ => {
                    return Err(CredentialsError::Config {
                        provider,
                        reason: format!(
                            "no source credentials: give an AccessKey or a source provider, \
                             or set {ENV_ACCESS_KEY_ID} and {ENV_ACCESS_KEY_SECRET}"
                        ),
                    })
                }
            },
        };
        let clock = self.common.config.clock.clone();
        let fetcher = AssumeRole {
            provider,
            common: self.common,
            resolved,
            source,
            external_id: self.external_id.filter(|e| !e.0.is_empty()),
        };
        Ok(RamRoleArnProvider {
            cache: CachedProvider::with_clock(Arc::new(fetcher), RefreshPolicy::sts(), clock),
        })
    }
}

impl ProvideCredentials for RamRoleArnProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.cache.provide_credentials()
    }
}

/// One `AssumeRole` call, uncached.
struct AssumeRole {
    provider: ProviderName,
    common: StsCommon,
    resolved: Resolved,
    source: Arc<dyn ProvideCredentials>,
    external_id: Option<Secret>,
}

impl fmt::Debug for AssumeRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRole")
            .field("role_arn", &self.resolved.role_arn)
            .field("session_name", &self.resolved.session_name)
            .field("duration_seconds", &self.resolved.duration)
            .field("policy", &self.resolved.policy)
            .field("external_id", &self.external_id)
            .field("endpoint", &self.resolved.base.url(""))
            .field("source", &self.source)
            .finish()
    }
}

impl AssumeRole {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let source = self.source.provide_credentials().await?;
        let r = &self.resolved;
        let timestamp = signing::format_acs_date(self.common.config.now());
        let nonce = self.common.nonce();
        // The official library's parameter order (the signature does not depend on it).
        let mut params = pairs(&[
            ("Action", "AssumeRole"),
            ("Format", "JSON"),
            ("Version", STS_VERSION),
            ("DurationSeconds", &r.duration),
            ("RoleArn", &r.role_arn),
            ("RoleSessionName", &r.session_name),
            ("SignatureMethod", rpc::SIGNATURE_METHOD),
            ("SignatureVersion", rpc::SIGNATURE_VERSION),
            ("Timestamp", &timestamp),
            ("SignatureNonce", &nonce),
        ]);
        if let Some(policy) = &r.policy {
            params.push(("Policy".into(), policy.clone()));
        }
        if let Some(id) = &self.external_id {
            params.push(("ExternalId".into(), id.0.clone()));
        }
        params.push(("AccessKeyId".into(), source.access_key_id().to_owned()));
        if let Some(token) = source.security_token() {
            params.push(("SecurityToken".into(), token.to_owned()));
        }
        let signature = rpc::sign("GET", &params, source.access_key_secret()).signature;
        params.push(("Signature".into(), signature));
        let creds = call_sts(&self.provider, r, rpc::wire_query(&params)).await?;
        let name = format!(
            "{}ram_role_arn/{}",
            self.common.prefix,
            source.provider_name()
        );
        Ok(creds.with_provider_name(name))
    }
}

impl ProvideCredentials for AssumeRole {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }
}

// ---------------------------------------------------------------------------------------
// AssumeRoleWithOIDC

/// STS `AssumeRoleWithOIDC` with a token file, as ACK RRSA sets up (provider name
/// `oidc_role_arn`); the file is read again at each refresh. Cached and refreshed 15 minutes
/// before expiry.
///
/// In an ACK pod with RRSA, the defaults come from the environment ACK injects
/// (`ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
/// `ALIBABA_CLOUD_OIDC_TOKEN_FILE`), so `OidcProvider::builder().build()` is enough.
#[derive(Clone, Debug)]
pub struct OidcProvider {
    cache: CachedProvider,
}

/// Configures an [`OidcProvider`]; unset values come from the environment.
#[derive(Debug, Default)]
pub struct OidcProviderBuilder {
    common: StsCommon,
    oidc_provider_arn: Option<String>,
    token_file: Option<PathBuf>,
}

impl OidcProvider {
    /// A builder.
    pub fn builder() -> OidcProviderBuilder {
        OidcProviderBuilder::default()
    }
}

impl OidcProviderBuilder {
    /// Environment, clock and endpoint overrides.
    #[must_use]
    pub fn configure(mut self, config: &ProviderConfig) -> Self {
        self.common.config = config.clone();
        self
    }

    /// The role to assume (default `ALIBABA_CLOUD_ROLE_ARN`).
    #[must_use]
    pub fn role_arn(mut self, arn: impl Into<String>) -> Self {
        self.common.role_arn = Some(arn.into());
        self
    }

    /// The OIDC provider ARN (default `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`).
    #[must_use]
    pub fn oidc_provider_arn(mut self, arn: impl Into<String>) -> Self {
        self.oidc_provider_arn = Some(arn.into());
        self
    }

    /// The OIDC token file (default `ALIBABA_CLOUD_OIDC_TOKEN_FILE`).
    #[must_use]
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.token_file = Some(path.into());
        self
    }

    /// The role session name (default `ALIBABA_CLOUD_ROLE_SESSION_NAME`, else
    /// `credentials-rust-<unix seconds>`).
    #[must_use]
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.common.session_name = Some(name.into());
        self
    }

    /// Session duration (default 3600 s; at least 900 s).
    #[must_use]
    pub fn duration(mut self, duration: Duration) -> Self {
        self.common.duration_seconds = Some(duration.as_secs());
        self
    }

    /// A policy further restricting the session.
    #[must_use]
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.common.policy = Some(policy.into());
        self
    }

    /// The STS region (default `ALIBABA_CLOUD_STS_REGION`).
    #[must_use]
    pub fn sts_region(mut self, region: impl Into<String>) -> Self {
        self.common.region = Some(region.into());
        self
    }

    /// Use the VPC endpoint (needs a region; default `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`).
    #[must_use]
    pub fn enable_vpc(mut self, vpc: bool) -> Self {
        self.common.vpc = Some(vpc);
        self
    }

    /// An explicit endpoint (`host[:port]` for HTTPS, or `http://host:port`).
    #[must_use]
    pub fn sts_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.common.endpoint = Some(endpoint.into());
        self
    }

    /// Connect timeout (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.common.connect_timeout = timeout;
        self
    }

    /// Read timeout (default 10 s).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.common.read_timeout = timeout;
        self
    }

    pub(crate) fn name_prefix(mut self, prefix: &str) -> Self {
        self.common.prefix = prefix.to_owned();
        self
    }

    /// Checks the settings; the token file is first read when credentials are asked for.
    pub fn build(self) -> Result<OidcProvider, CredentialsError> {
        let provider: ProviderName = format!("{}oidc_role_arn", self.common.prefix).into();
        let resolved = self.common.resolve(&provider)?;
        let env = &self.common.config.env;
        let config_err = |what: &str, var: &str| CredentialsError::Config {
            provider: provider.clone(),
            reason: format!("no {what} given and {var} is unset"),
        };
        let oidc_provider_arn = self
            .oidc_provider_arn
            .filter(|s| !s.is_empty())
            .or_else(|| env.get(ENV_OIDC_PROVIDER_ARN))
            .ok_or_else(|| config_err("OIDC provider ARN", ENV_OIDC_PROVIDER_ARN))?;
        let token_file = self
            .token_file
            .filter(|p| !p.as_os_str().is_empty())
            .or_else(|| env.get(ENV_OIDC_TOKEN_FILE).map(PathBuf::from))
            .ok_or_else(|| config_err("OIDC token file", ENV_OIDC_TOKEN_FILE))?;
        let clock = self.common.config.clock.clone();
        let fetcher = AssumeRoleWithOidc {
            name: Cow::Owned(provider.to_string()),
            provider,
            common: self.common,
            resolved,
            oidc_provider_arn,
            token_file,
        };
        Ok(OidcProvider {
            cache: CachedProvider::with_clock(Arc::new(fetcher), RefreshPolicy::sts(), clock),
        })
    }
}

impl ProvideCredentials for OidcProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.cache.provide_credentials()
    }
}

/// One `AssumeRoleWithOIDC` call, uncached.
struct AssumeRoleWithOidc {
    provider: ProviderName,
    name: Cow<'static, str>,
    common: StsCommon,
    resolved: Resolved,
    oidc_provider_arn: String,
    token_file: PathBuf,
}

impl fmt::Debug for AssumeRoleWithOidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleWithOidc")
            .field("role_arn", &self.resolved.role_arn)
            .field("oidc_provider_arn", &self.oidc_provider_arn)
            .field("token_file", &self.token_file)
            .field("session_name", &self.resolved.session_name)
            .field("duration_seconds", &self.resolved.duration)
            .field("policy", &self.resolved.policy)
            .field("endpoint", &self.resolved.base.url(""))
            .finish()
    }
}

impl AssumeRoleWithOidc {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let bytes = read_regular_file(&self.token_file, Sensitivity::ShortLivedToken)?;
        // The official library sends a trailing newline as `%0A`; a token never ends in
        // whitespace, so it is trimmed.
        let token = String::from_utf8_lossy(&bytes).trim().to_owned();
        if token.is_empty() {
            return Err(CredentialsError::ParseConfig {
                path: self.token_file.clone(),
                message: "the OIDC token file is empty".into(),
            });
        }
        let r = &self.resolved;
        let timestamp = signing::format_acs_date(self.common.config.now());
        // Not signed: the token is the proof.
        let mut params = pairs(&[
            ("Action", "AssumeRoleWithOIDC"),
            ("Format", "JSON"),
            ("Version", STS_VERSION),
            ("DurationSeconds", &r.duration),
            ("RoleArn", &r.role_arn),
            ("OIDCProviderArn", &self.oidc_provider_arn),
            ("OIDCToken", &token),
            ("RoleSessionName", &r.session_name),
            ("Timestamp", &timestamp),
        ]);
        if let Some(policy) = &r.policy {
            params.push(("Policy".into(), policy.clone()));
        }
        let creds = call_sts(&self.provider, r, rpc::wire_query(&params)).await?;
        Ok(creds.named(self.name.clone()))
    }
}

impl ProvideCredentials for AssumeRoleWithOidc {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }
}
