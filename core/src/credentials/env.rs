//! Static credentials and the environment.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{
    Credentials, CredentialsError, Lookup, ProvideCredentials, ProvideCredentialsFuture,
    ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN,
};

/// Always returns the same credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// A provider returning `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self { credentials }
    }
}

impl From<Credentials> for StaticProvider {
    fn from(credentials: Credentials) -> Self {
        Self::new(credentials)
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(Ok(self.credentials.clone()))
    }
}

/// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
/// `ALIBABA_CLOUD_SECURITY_TOKEN` at each call (provider name `env`). Empty values count as
/// unset.
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    source: Lookup,
    name: Cow<'static, str>,
}

impl Default for EnvironmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvironmentProvider {
    /// Reads the process environment at each call.
    pub fn new() -> Self {
        Self::with_lookup(Lookup::process())
    }

    pub(crate) fn with_lookup(source: Lookup) -> Self {
        Self {
            source,
            name: Cow::Borrowed("env"),
        }
    }

    pub(crate) fn named(mut self, name: &'static str) -> Self {
        self.name = Cow::Borrowed(name);
        self
    }

    /// Reads variables through `lookup` instead of the process environment (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::with_lookup(Lookup::custom(lookup))
    }

    /// Reads variables from `vars` instead of the process environment (for tests).
    pub fn from_map(vars: HashMap<String, String>) -> Self {
        Self::from_lookup(move |k| vars.get(k).cloned())
    }

    fn read(&self) -> Result<Credentials, CredentialsError> {
        let id = self
            .source
            .get(ENV_ACCESS_KEY_ID)
            .ok_or(CredentialsError::MissingEnvVar(ENV_ACCESS_KEY_ID))?;
        let secret = self
            .source
            .get(ENV_ACCESS_KEY_SECRET)
            .ok_or(CredentialsError::MissingEnvVar(ENV_ACCESS_KEY_SECRET))?;
        let creds = match self.source.get(ENV_SECURITY_TOKEN) {
            Some(token) => Credentials::with_security_token(id, secret, token),
            None => Credentials::new(id, secret),
        };
        Ok(creds.named(self.name.clone()))
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::ready(self.read())
    }
}
