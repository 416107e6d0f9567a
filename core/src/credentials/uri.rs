//! Credentials from a URI (a sidecar or an agent serving STS credentials as JSON).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::cache::{CachedProvider, RefreshPolicy};
use super::http;
use super::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture, ProviderConfig,
    ProviderName, ENV_CREDENTIALS_URI,
};

/// Credentials from `GET <uri>` (provider name `credential_uri`), cached and refreshed 15
/// minutes before expiry. The reply must be HTTP 200 with
/// `{"Code":"Success","AccessKeyId":..,"AccessKeySecret":..,"SecurityToken":..,"Expiration":"YYYY-MM-DDThh:mm:ssZ"}`.
#[derive(Clone, Debug)]
pub struct CredentialsUriProvider {
    cache: CachedProvider,
}

/// Configures a [`CredentialsUriProvider`].
#[derive(Debug)]
pub struct CredentialsUriProviderBuilder {
    config: ProviderConfig,
    uri: Option<String>,
    connect_timeout: Duration,
    read_timeout: Duration,
    prefix: String,
}

impl Default for CredentialsUriProviderBuilder {
    fn default() -> Self {
        Self {
            config: ProviderConfig::default(),
            uri: None,
            connect_timeout: http::STS_CONNECT_TIMEOUT,
            read_timeout: http::STS_READ_TIMEOUT,
            prefix: String::new(),
        }
    }
}

impl CredentialsUriProvider {
    /// A builder.
    pub fn builder() -> CredentialsUriProviderBuilder {
        CredentialsUriProviderBuilder::default()
    }
}

impl CredentialsUriProviderBuilder {
    /// Environment and clock.
    #[must_use]
    pub fn configure(mut self, config: &ProviderConfig) -> Self {
        self.config = config.clone();
        self
    }

    /// The URI (default `ALIBABA_CLOUD_CREDENTIALS_URI`); without a scheme, `http`.
    #[must_use]
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    /// Connect timeout (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Read timeout (default 10 s).
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    pub(crate) fn name_prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.to_owned();
        self
    }

    /// Checks the URI; nothing is sent until credentials are asked for.
    pub fn build(self) -> Result<CredentialsUriProvider, CredentialsError> {
        let provider: ProviderName = format!("{}credential_uri", self.prefix).into();
        let config_err = |reason: String| CredentialsError::Config {
            provider: provider.clone(),
            reason,
        };
        let text = self
            .uri
            .filter(|u| !u.is_empty())
            .or_else(|| self.config.env.get(ENV_CREDENTIALS_URI))
            .ok_or_else(|| {
                config_err(format!("no URI given and {ENV_CREDENTIALS_URI} is unset"))
            })?;
        let text = if text.contains("://") {
            text
        } else {
            format!("http://{text}")
        };
        // The URL crate's messages do not quote the input, which may hold a token.
        let url = reqwest::Url::parse(&text)
            .map_err(|e| config_err(format!("the credentials URI is not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(config_err(
                "the credentials URI must be an http or https URL with a host".into(),
            ));
        }
        let http = http::client(&provider, self.connect_timeout, self.read_timeout, true)?;
        let fetcher = UriFetch {
            label: without_query(&url),
            provider,
            url,
            http,
        };
        Ok(CredentialsUriProvider {
            cache: CachedProvider::with_clock(
                Arc::new(fetcher),
                RefreshPolicy::sts(),
                self.config.clock.clone(),
            ),
        })
    }
}

/// Scheme, host, port and path: what errors and `Debug` may show (a query may hold a token).
fn without_query(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
}

impl ProvideCredentials for CredentialsUriProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.cache.provide_credentials()
    }
}

struct UriFetch {
    provider: ProviderName,
    url: reqwest::Url,
    label: String,
    http: reqwest::Client,
}

impl fmt::Debug for UriFetch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UriFetch")
            .field("uri", &self.label)
            .finish_non_exhaustive()
    }
}

impl UriFetch {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let p = &self.provider;
        let reply = http::send(p, &self.label, self.http.get(self.url.clone())).await?;
        if reply.status != 200 {
            return Err(http::service_error(p, &self.label, &reply, false));
        }
        let obj = http::json_object(p, &reply.body)?;
        let code = obj.get("Code").and_then(|c| c.as_str()).unwrap_or_default();
        if code != "Success" {
            // The official library puts the whole body, secret included, in its message.
            return Err(CredentialsError::Service {
                provider: p.clone(),
                endpoint: self.label.clone(),
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

impl ProvideCredentials for UriFetch {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }
}
