//! The ECS instance RAM role, over the instance metadata service (IMDS).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::cache::{CachedProvider, RefreshPolicy};
use super::http::{self, Base, Reply};
use super::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture, ProviderConfig,
    ProviderName, ENV_ECS_METADATA, ENV_ECS_METADATA_DISABLED, ENV_IMDSV1_DISABLED,
};
use crate::signing::encode::percent_encode;

/// Where the instance metadata service answers on every ECS instance.
pub const DEFAULT_IMDS_ENDPOINT: &str = "http://100.100.100.200";

const TOKEN_PATH: &str = "/latest/api/token";
const ROLES_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// The session token lifetime the official library asks for (6 hours).
const TOKEN_TTL_SECONDS: &str = "21600";

/// Credentials of the RAM role attached to this ECS instance (provider name
/// `ecs_ram_role`), cached: refreshed 15 minutes before expiry, and in the background one
/// hour after each fetch.
///
/// Each refresh asks for an IMDSv2 session token (`PUT /latest/api/token`), discovers the
/// role name unless it is configured, and reads the role's credentials. If the token cannot
/// be had, or a request with it fails, the request goes again without it (IMDSv1), unless
/// that is disabled ([`EcsRamRoleProviderBuilder::disable_imds_v1`] or
/// `ALIBABA_CLOUD_IMDSV1_DISABLED=true`). Timeouts are 1 s to connect and 1 s to read.
///
/// ```no_run
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use yunxiao::credentials::EcsRamRoleProvider;
/// let provider = EcsRamRoleProvider::builder()
///     .role_name("my-ecs-role") // optional: discovered when unset
///     .disable_imds_v1(true)
///     .build()?;
/// let client = yunxiao::Client::builder().credentials(provider).build()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct EcsRamRoleProvider {
    cache: CachedProvider,
}

/// Configures an [`EcsRamRoleProvider`].
#[derive(Debug)]
pub struct EcsRamRoleProviderBuilder {
    config: ProviderConfig,
    role_name: Option<String>,
    disable_imds_v1: Option<bool>,
    endpoint: Option<String>,
    connect_timeout: Duration,
    read_timeout: Duration,
    background_prefetch: bool,
    prefix: String,
}

impl Default for EcsRamRoleProviderBuilder {
    fn default() -> Self {
        Self {
            config: ProviderConfig::default(),
            role_name: None,
            disable_imds_v1: None,
            endpoint: None,
            connect_timeout: http::IMDS_CONNECT_TIMEOUT,
            read_timeout: http::IMDS_READ_TIMEOUT,
            background_prefetch: true,
            prefix: String::new(),
        }
    }
}

impl EcsRamRoleProvider {
    /// A builder.
    pub fn builder() -> EcsRamRoleProviderBuilder {
        EcsRamRoleProviderBuilder::default()
    }
}

impl EcsRamRoleProviderBuilder {
    /// Environment, clock and endpoint overrides.
    #[must_use]
    pub fn configure(mut self, config: &ProviderConfig) -> Self {
        self.config = config.clone();
        self
    }

    /// The role name (default `ALIBABA_CLOUD_ECS_METADATA`, else discovered).
    #[must_use]
    pub fn role_name(mut self, name: impl Into<String>) -> Self {
        self.role_name = Some(name.into());
        self
    }

    /// Never send a metadata request without a session token (default
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED`).
    #[must_use]
    pub fn disable_imds_v1(mut self, disable: bool) -> Self {
        self.disable_imds_v1 = Some(disable);
        self
    }

    /// The metadata service (default [`DEFAULT_IMDS_ENDPOINT`]): `host[:port]` (HTTP) or
    /// `http://host:port`.
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Connect timeout (default 1 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Read timeout (default 1 s).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Whether the hourly refresh runs in the background (default) or in the call that
    /// finds it due.
    #[must_use]
    pub fn background_prefetch(mut self, background: bool) -> Self {
        self.background_prefetch = background;
        self
    }

    pub(crate) fn name_prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.to_owned();
        self
    }

    /// Checks the settings. Fails when `ALIBABA_CLOUD_ECS_METADATA_DISABLED` is `true`.
    pub fn build(self) -> Result<EcsRamRoleProvider, CredentialsError> {
        let provider: ProviderName = format!("{}ecs_ram_role", self.prefix).into();
        let env = &self.config.env;
        if env.is_true(ENV_ECS_METADATA_DISABLED) {
            return Err(CredentialsError::Config {
                provider,
                reason: format!(
                    "instance metadata credentials are disabled ({ENV_ECS_METADATA_DISABLED}=true)"
                ),
            });
        }
        let role_name = self
            .role_name
            .filter(|r| !r.is_empty())
            .or_else(|| env.get(ENV_ECS_METADATA));
        let imds_v1_disabled = self
            .disable_imds_v1
            .unwrap_or_else(|| env.is_true(ENV_IMDSV1_DISABLED));
        let endpoint = self
            .endpoint
            .or_else(|| self.config.imds_endpoint.clone())
            .unwrap_or_else(|| DEFAULT_IMDS_ENDPOINT.to_owned());
        let base = Base::parse(
            &provider,
            &endpoint,
            "http",
            self.config.redirect.as_deref(),
        )?;
        let http = http::client(&provider, self.connect_timeout, self.read_timeout, false)?;
        let fetcher = Imds {
            provider,
            role_name,
            imds_v1_disabled,
            base,
            http,
        };
        let policy = RefreshPolicy::ecs().background_prefetch(self.background_prefetch);
        Ok(EcsRamRoleProvider {
            cache: CachedProvider::with_clock(Arc::new(fetcher), policy, self.config.clock.clone()),
        })
    }
}

impl ProvideCredentials for EcsRamRoleProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.cache.provide_credentials()
    }
}

/// One metadata refresh, uncached.
struct Imds {
    provider: ProviderName,
    role_name: Option<String>,
    imds_v1_disabled: bool,
    base: Base,
    http: reqwest::Client,
}

impl fmt::Debug for Imds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Imds")
            .field("endpoint", &self.base.url(""))
            .field("role_name", &self.role_name)
            .field("imds_v1_disabled", &self.imds_v1_disabled)
            .finish()
    }
}

impl Imds {
    /// A session token, or `None` to go on without one (IMDSv1).
    async fn token(&self) -> Result<Option<String>, CredentialsError> {
        let url = self.base.url(TOKEN_PATH);
        let request = self
            .base
            .request(&self.http, reqwest::Method::PUT, TOKEN_PATH)
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)
            .header(reqwest::header::CONTENT_LENGTH, "0");
        let outcome = match http::send(&self.provider, &url, request).await {
            Ok(reply) if reply.status == 200 => {
                let token = String::from_utf8_lossy(&reply.body).trim().to_owned();
                if token.is_empty() {
                    Err(CredentialsError::InvalidResponse {
                        provider: self.provider.clone(),
                        reason: "the metadata session token is empty".into(),
                    })
                } else {
                    Ok(token)
                }
            }
            Ok(reply) => Err(http::service_error(&self.provider, &url, &reply, false)),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(token) => Ok(Some(token)),
            Err(e) if self.imds_v1_disabled => Err(e),
            Err(e) => {
                tracing::debug!(error = %e, "no metadata session token; continuing without one (IMDSv1)");
                Ok(None)
            }
        }
    }

    /// GETs `path` with `token`; if that fails in any way (transport, status, `parse`), once
    /// more without it unless IMDSv1 is disabled.
    async fn get<T>(
        &self,
        path: &str,
        token: Option<String>,
        parse: impl Fn(&Reply) -> Result<T, CredentialsError>,
    ) -> Result<T, CredentialsError> {
        let url = self.base.url(path);
        let attempt = |token: Option<&str>| {
            let mut request = self.base.request(&self.http, reqwest::Method::GET, path);
            if let Some(t) = token {
                request = request.header(TOKEN_HEADER, t);
            }
            let url = &url;
            let parse = &parse;
            async move {
                let reply = http::send(&self.provider, url, request).await?;
                if reply.status != 200 {
                    return Err(http::service_error(&self.provider, url, &reply, false));
                }
                parse(&reply)
            }
        };
        match attempt(token.as_deref()).await {
            Err(e) if token.is_some() && !self.imds_v1_disabled => {
                tracing::debug!(error = %e, "metadata request with a session token failed; trying without one (IMDSv1)");
                attempt(None).await
            }
            other => other,
        }
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let role = match &self.role_name {
            Some(r) => r.clone(),
            None => {
                let token = self.token().await?;
                self.get(ROLES_PATH, token, |reply| {
                    // The official library uses the body verbatim; a stray newline would end
                    // up in the next path, so it is trimmed.
                    let role = String::from_utf8_lossy(&reply.body).trim().to_owned();
                    if role.is_empty() {
                        Err(CredentialsError::InvalidResponse {
                            provider: self.provider.clone(),
                            reason: "no RAM role is attached to this instance".into(),
                        })
                    } else {
                        Ok(role)
                    }
                })
                .await?
            }
        };
        let token = self.token().await?;
        let path = format!("{ROLES_PATH}{}", percent_encode(&role));
        self.get(&path, token, |reply| self.parse_credentials(reply))
            .await
    }

    fn parse_credentials(&self, reply: &Reply) -> Result<Credentials, CredentialsError> {
        let p = &self.provider;
        let obj = http::json_object(p, &reply.body)?;
        let code = obj.get("Code").and_then(|c| c.as_str()).unwrap_or_default();
        if code != "Success" {
            return Err(CredentialsError::Service {
                provider: p.clone(),
                endpoint: self.base.url(ROLES_PATH),
                status: reply.status,
                code: Some(
                    if code.is_empty() {
                        "<missing Code>"
                    } else {
                        code
                    }
                    .to_owned(),
                ),
                message: None,
            });
        }
        let id = http::string_field(p, &obj, "AccessKeyId")?;
        let secret = http::string_field(p, &obj, "AccessKeySecret")?;
        let token = http::string_field(p, &obj, "SecurityToken")?;
        let expiry = http::expiration_field(p, &obj, "Expiration")?;
        Ok(Credentials::with_security_token(id, secret, token)
            .with_expiry(Some(expiry))
            .named(p.clone()))
    }
}

impl ProvideCredentials for Imds {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }
}
