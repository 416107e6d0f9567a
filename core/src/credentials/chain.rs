//! The official default chain.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::ecs::EcsRamRoleProvider;
use super::env::EnvironmentProvider;
use super::ini::IniProfileProvider;
use super::profile::ProfileProvider;
use super::sts::OidcProvider;
use super::uri::CredentialsUriProvider;
use super::{
    CredentialsError, ProvideCredentials, ProvideCredentialsFuture, ProviderConfig,
    ENV_CREDENTIALS_URI, ENV_ECS_METADATA_DISABLED, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE,
    ENV_ROLE_ARN,
};

const NONE: usize = usize::MAX;

struct Entry {
    label: String,
    provider: Arc<dyn ProvideCredentials>,
    /// Built-in providers already name themselves `default/...`; others are renamed.
    named: bool,
}

/// Tries providers in order and returns the first success, then remembers the provider
/// that worked and goes straight to it afterwards (its own cache decides when to fetch),
/// as the official library does: if it later fails, that error is returned and the chain
/// is not walked again.
///
/// [`DefaultChain::new`] builds the official order from the environment, read once, now:
/// environment variables, OIDC (when `ALIBABA_CLOUD_ROLE_ARN`,
/// `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are set), the CLI
/// profile, the INI file, the ECS instance role (unless
/// `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`), and the credentials URI (when
/// `ALIBABA_CLOUD_CREDENTIALS_URI` is set). Provider names get a `default/` prefix
/// (`default/env`, `default/cli_profile/static_ak`, `default/ecs_ram_role`, ...). When all
/// fail, [`CredentialsError::ChainExhausted`] lists each provider's error.
pub struct DefaultChain {
    providers: Vec<Entry>,
    reuse_last: bool,
    last: AtomicUsize,
}

impl fmt::Debug for DefaultChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.last.load(Ordering::Relaxed);
        f.debug_struct("DefaultChain")
            .field(
                "providers",
                &self.providers.iter().map(|e| &e.label).collect::<Vec<_>>(),
            )
            .field(
                "last_used",
                &self.providers.get(last).map(|e| e.label.as_str()),
            )
            .finish()
    }
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

/// Configures the [`DefaultChain`] the official way, with overrides for tests.
#[derive(Debug)]
pub struct DefaultChainBuilder {
    config: ProviderConfig,
    reuse_last_provider: bool,
}

impl DefaultChainBuilder {
    /// Environment, clock and endpoint overrides for every provider in the chain.
    #[must_use]
    pub fn configure(mut self, config: &ProviderConfig) -> Self {
        self.config = config.clone();
        self
    }

    /// Whether the chain goes straight to the provider that worked last (default `true`).
    #[must_use]
    pub fn reuse_last_provider(mut self, reuse: bool) -> Self {
        self.reuse_last_provider = reuse;
        self
    }

    /// Builds the chain; the environment decides which providers are in it.
    pub fn build(self) -> DefaultChain {
        let config = &self.config;
        let env = &config.env;
        let mut providers = Vec::with_capacity(6);
        let mut push = |label: &str, p: Result<Arc<dyn ProvideCredentials>, CredentialsError>| {
            providers.push(Entry {
                label: label.to_owned(),
                provider: p.unwrap_or_else(|e| Arc::new(Failing(e))),
                named: true,
            });
        };
        push(
            "env",
            Ok(Arc::new(
                EnvironmentProvider::with_lookup(env.clone()).named("default/env"),
            )),
        );
        if [ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN]
            .iter()
            .all(|k| env.get(k).is_some())
        {
            push(
                "oidc_role_arn",
                OidcProvider::builder()
                    .configure(config)
                    .name_prefix("default/")
                    .build()
                    .map(|p| Arc::new(p) as _),
            );
        }
        push(
            "cli_profile",
            Ok(Arc::new(
                ProfileProvider::with_config(config.clone()).in_chain(),
            )),
        );
        push(
            "profile",
            Ok(Arc::new(
                IniProfileProvider::with_config(config.clone()).in_chain(),
            )),
        );
        if !env.is_true(ENV_ECS_METADATA_DISABLED) {
            push(
                "ecs_ram_role",
                EcsRamRoleProvider::builder()
                    .configure(config)
                    .name_prefix("default/")
                    .build()
                    .map(|p| Arc::new(p) as _),
            );
        }
        if env.get(ENV_CREDENTIALS_URI).is_some() {
            push(
                "credential_uri",
                CredentialsUriProvider::builder()
                    .configure(config)
                    .name_prefix("default/")
                    .build()
                    .map(|p| Arc::new(p) as _),
            );
        }
        DefaultChain {
            providers,
            reuse_last: self.reuse_last_provider,
            last: AtomicUsize::new(NONE),
        }
    }
}

impl DefaultChain {
    /// The official chain, configured by the process environment.
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// A builder, to override the environment, clock or endpoints.
    pub fn builder() -> DefaultChainBuilder {
        DefaultChainBuilder {
            config: ProviderConfig::default(),
            reuse_last_provider: true,
        }
    }

    /// The official chain, reading variables (including `HOME`) through `lookup` (for
    /// tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::builder()
            .configure(&ProviderConfig::default().with_env(lookup))
            .build()
    }

    /// A chain of the given `(label, provider)` pairs, tried in order; provider names get a
    /// `default/` prefix.
    pub fn with_providers(providers: Vec<(String, Arc<dyn ProvideCredentials>)>) -> Self {
        Self {
            providers: providers
                .into_iter()
                .map(|(label, provider)| Entry {
                    label,
                    provider,
                    named: false,
                })
                .collect(),
            reuse_last: true,
            last: AtomicUsize::new(NONE),
        }
    }

    /// The labels of the providers in the chain, in order (`env`, `cli_profile`, ...).
    pub fn provider_labels(&self) -> Vec<&str> {
        self.providers.iter().map(|e| e.label.as_str()).collect()
    }

    fn call<'a>(&'a self, entry: &'a Entry) -> ProvideCredentialsFuture<'a> {
        if entry.named {
            return entry.provider.provide_credentials();
        }
        let provider = entry.provider.clone();
        ProvideCredentialsFuture::new(async move {
            let c = provider.provide_credentials().await?;
            let name = format!("default/{}", c.provider_name());
            Ok(c.with_provider_name(name))
        })
    }

    async fn walk(&self) -> Result<super::Credentials, CredentialsError> {
        let mut errors = Vec::with_capacity(self.providers.len());
        for (i, entry) in self.providers.iter().enumerate() {
            match self.call(entry).await {
                Ok(c) => {
                    if self.reuse_last {
                        self.last.store(i, Ordering::Relaxed);
                    }
                    tracing::debug!(
                        provider = c.provider_name(),
                        "credentials chain: using {}",
                        entry.label
                    );
                    return Ok(c);
                }
                Err(e) => errors.push((entry.label.clone(), e)),
            }
        }
        Err(CredentialsError::ChainExhausted(errors))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        if let Some(entry) = self.providers.get(self.last.load(Ordering::Relaxed)) {
            return self.call(entry);
        }
        ProvideCredentialsFuture::new(self.walk())
    }
}

/// A provider that could not be built: it fails with that error, so the chain reports it.
#[derive(Debug)]
struct Failing(CredentialsError);

impl ProvideCredentials for Failing {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(Err(self.0.clone()))
    }
}
