//! Access keys and where to find them.
//!
//! [`Credentials`] is an AccessKey pair, optionally with an STS security token, plus the
//! provider name sent as `x-acs-credentials-provider`. Providers ([`ProvideCredentials`])
//! look credentials up; [`DefaultChain`] tries the environment, then the Alibaba Cloud
//! CLI profile file.
//!
//! Provider names follow the official credentials libraries (`credentials-go`,
//! `alibabacloud_credentials` for Python): `static_ak`, `static_sts`, `env`,
//! `cli_profile/static_ak`, `cli_profile/static_sts`, and `default/<inner>` through the
//! default chain.
//!
//! Secrets and tokens never appear in `Debug` output or error messages.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Environment variable holding the AccessKey id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// Environment variable holding an optional STS security token.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Environment variable naming the CLI profile to use.
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";

const REDACTED: &str = "<redacted>";

/// An AccessKey pair, an optional STS token, and the name of the provider that found them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
    provider_name: String,
}

impl Credentials {
    /// A plain AccessKey pair (provider name `static_ak`).
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: None,
            provider_name: "static_ak".to_owned(),
        }
    }

    /// STS credentials: an AccessKey pair with a security token (provider name `static_sts`).
    pub fn with_security_token(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_token: Some(security_token.into()),
            provider_name: "static_sts".to_owned(),
        }
    }

    /// Replaces the provider name sent as `x-acs-credentials-provider`
    /// (an empty name omits the header).
    #[must_use]
    pub fn with_provider_name(mut self, provider_name: impl Into<String>) -> Self {
        self.provider_name = provider_name.into();
        self
    }

    /// The AccessKey id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret.
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }

    /// The STS security token, if any.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }

    /// The provider name sent as `x-acs-credentials-provider`.
    pub fn provider_name(&self) -> &str {
        &self.provider_name
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &REDACTED)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| REDACTED),
            )
            .field("provider_name", &self.provider_name)
            .finish()
    }
}

/// Why credentials could not be found. Messages never include secrets or tokens.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A required environment variable is unset or empty.
    #[error("environment variable {0} is not set or is empty")]
    MissingEnvVar(&'static str),
    /// Neither `HOME` nor `USERPROFILE` is set, so the CLI config cannot be located.
    #[error("cannot locate the home directory: neither HOME nor USERPROFILE is set")]
    NoHomeDir,
    /// The CLI config file could not be read.
    #[error("cannot read Alibaba Cloud CLI config {}: {source}", path.display())]
    ReadConfig {
        /// The file tried.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CLI config file is not the expected JSON.
    #[error("malformed Alibaba Cloud CLI config {}: {message}", path.display())]
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
    /// The profile's `mode` is not one this SDK can use.
    #[error(
        "profile `{profile}` uses mode `{mode}`, which is not supported (supported: AK, StsToken)"
    )]
    UnsupportedMode {
        /// The profile.
        profile: String,
        /// Its mode.
        mode: String,
    },
    /// The profile lacks a field its mode needs (or it is empty or not a string).
    #[error("profile `{profile}` in {} has no usable `{field}`", path.display())]
    MissingProfileField {
        /// The profile.
        profile: String,
        /// The file read.
        path: PathBuf,
        /// The missing field.
        field: &'static str,
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
        .map(|(name, e)| format!("{name}: {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Something that can produce [`Credentials`].
///
/// Synchronous: implementations read the environment or a small local file. Called for
/// every request, so credentials rotated on disk or in the environment are picked up.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Looks up credentials now.
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide_credentials()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        (**self).provide_credentials()
    }
}

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
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.credentials.clone())
    }
}

type LookupFn = dyn Fn(&str) -> Option<String> + Send + Sync;

/// Where environment-style variables come from: the process, or a test double.
#[derive(Clone)]
struct Lookup {
    f: Arc<LookupFn>,
    custom: bool,
}

impl Lookup {
    fn process() -> Self {
        Self {
            f: Arc::new(|k| std::env::var(k).ok()),
            custom: false,
        }
    }

    fn custom(f: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            f: Arc::new(f),
            custom: true,
        }
    }

    /// The value of `key`, treating an empty value as unset (as the official library does).
    fn get(&self, key: &str) -> Option<String> {
        (self.f)(key).filter(|v| !v.is_empty())
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

/// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and the optional
/// `ALIBABA_CLOUD_SECURITY_TOKEN` (provider name `env`). Empty values count as unset.
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    source: Lookup,
}

impl Default for EnvironmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl EnvironmentProvider {
    /// Reads the process environment at each call.
    pub fn new() -> Self {
        Self {
            source: Lookup::process(),
        }
    }

    /// Reads variables through `lookup` instead of the process environment (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            source: Lookup::custom(lookup),
        }
    }

    /// Reads variables from `vars` instead of the process environment (for tests).
    pub fn from_map(vars: HashMap<String, String>) -> Self {
        Self::from_lookup(move |k| vars.get(k).cloned())
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
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
        Ok(creds.with_provider_name("env"))
    }
}

/// Where the CLI config file is.
#[derive(Clone, Debug)]
enum ConfigLocation {
    /// `<HOME or USERPROFILE>/.aliyun/config.json`, resolved at each call.
    Home,
    File(PathBuf),
}

/// Reads the Alibaba Cloud CLI config (`~/.aliyun/config.json`).
///
/// The profile is the one given, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`.
/// Modes `AK` and `StsToken` are supported (provider names `cli_profile/static_ak` and
/// `cli_profile/static_sts`); other modes (RAM role, ECS role, OIDC...) give
/// [`CredentialsError::UnsupportedMode`].
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    location: ConfigLocation,
    profile: Option<String>,
    env: Lookup,
}

impl Default for ProfileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileProvider {
    /// Uses `HOME` (else `USERPROFILE`) and `ALIBABA_CLOUD_PROFILE` from the process.
    pub fn new() -> Self {
        Self {
            location: ConfigLocation::Home,
            profile: None,
            env: Lookup::process(),
        }
    }

    /// Reads `HOME`, `USERPROFILE` and `ALIBABA_CLOUD_PROFILE` through `lookup` (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            location: ConfigLocation::Home,
            profile: None,
            env: Lookup::custom(lookup),
        }
    }

    /// Reads `path` with profile `profile`, or the file's `current` when `None`
    /// (the environment is not consulted).
    pub fn from_file(path: impl Into<PathBuf>, profile: Option<String>) -> Self {
        Self {
            location: ConfigLocation::File(path.into()),
            profile,
            env: Lookup::custom(|_| None),
        }
    }

    /// Selects `profile` explicitly, overriding `ALIBABA_CLOUD_PROFILE` and `current`.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    fn config_path(&self) -> Result<PathBuf, CredentialsError> {
        match &self.location {
            ConfigLocation::File(p) => Ok(p.clone()),
            ConfigLocation::Home => {
                let home = self
                    .env
                    .get("HOME")
                    .or_else(|| self.env.get("USERPROFILE"))
                    .ok_or(CredentialsError::NoHomeDir)?;
                Ok(Path::new(&home).join(".aliyun").join("config.json"))
            }
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let path = self.config_path()?;
        let text = std::fs::read(&path).map_err(|source| CredentialsError::ReadConfig {
            path: path.clone(),
            source,
        })?;
        let selected = self.profile.clone().or_else(|| self.env.get(ENV_PROFILE));
        parse_cli_config(&text, &path, selected.as_deref())
    }
}

/// Picks the profile out of CLI config bytes.
fn parse_cli_config(
    text: &[u8],
    path: &Path,
    selected: Option<&str>,
) -> Result<Credentials, CredentialsError> {
    let parse_err = |message: String| CredentialsError::ParseConfig {
        path: path.to_owned(),
        message,
    };
    // serde_json's messages can quote values, so report only the kind and position.
    let root: serde_json::Value = serde_json::from_slice(text).map_err(|e| {
        parse_err(format!(
            "invalid JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let root = root
        .as_object()
        .ok_or_else(|| parse_err("the top level is not a JSON object".into()))?;

    let name = match selected {
        Some(p) => p.to_owned(),
        None => root
            .get("current")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| CredentialsError::NoProfileSelected {
                path: path.to_owned(),
            })?
            .to_owned(),
    };
    let profiles = match root.get("profiles") {
        None | Some(serde_json::Value::Null) => &[][..],
        Some(serde_json::Value::Array(a)) => a.as_slice(),
        Some(_) => return Err(parse_err("`profiles` is not an array".into())),
    };
    let profile = profiles
        .iter()
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name.as_str()))
        .ok_or_else(|| CredentialsError::ProfileNotFound {
            profile: name.clone(),
            path: path.to_owned(),
        })?;

    let field = |field: &'static str| {
        profile
            .get(field)
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| CredentialsError::MissingProfileField {
                profile: name.clone(),
                path: path.to_owned(),
                field,
            })
    };
    // The CLI always writes `mode`; like the official library, don't guess when it is absent.
    let mode = field("mode")?;
    match mode.as_str() {
        "AK" => Ok(
            Credentials::new(field("access_key_id")?, field("access_key_secret")?)
                .with_provider_name("cli_profile/static_ak"),
        ),
        "StsToken" => Ok(Credentials::with_security_token(
            field("access_key_id")?,
            field("access_key_secret")?,
            field("sts_token")?,
        )
        .with_provider_name("cli_profile/static_sts")),
        other => Err(CredentialsError::UnsupportedMode {
            profile: name.clone(),
            mode: other.to_owned(),
        }),
    }
}

/// Tries providers in order and returns the first success.
///
/// The default order is [`EnvironmentProvider`], then [`ProfileProvider`]. The provider
/// name gets a `default/` prefix, as in the official library (e.g. `default/env`).
/// When all fail, [`CredentialsError::ChainExhausted`] lists each provider's error.
#[derive(Clone, Debug)]
pub struct DefaultChain {
    providers: Vec<(String, Arc<dyn ProvideCredentials>)>,
}

impl Default for DefaultChain {
    fn default() -> Self {
        Self::new()
    }
}

impl DefaultChain {
    /// Environment, then the CLI profile file, both from the process environment.
    pub fn new() -> Self {
        Self::with_providers(vec![
            (
                "environment".to_owned(),
                Arc::new(EnvironmentProvider::new()),
            ),
            ("profile".to_owned(), Arc::new(ProfileProvider::new())),
        ])
    }

    /// Environment, then the CLI profile file, both reading variables (including `HOME`)
    /// through `lookup` (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        let lookup: Arc<LookupFn> = Arc::new(lookup);
        let (a, b) = (lookup.clone(), lookup);
        Self::with_providers(vec![
            (
                "environment".to_owned(),
                Arc::new(EnvironmentProvider::from_lookup(move |k| a(k))),
            ),
            (
                "profile".to_owned(),
                Arc::new(ProfileProvider::from_lookup(move |k| b(k))),
            ),
        ])
    }

    /// A chain of the given `(label, provider)` pairs, tried in order.
    pub fn with_providers(providers: Vec<(String, Arc<dyn ProvideCredentials>)>) -> Self {
        Self { providers }
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut errors = Vec::with_capacity(self.providers.len());
        for (label, provider) in &self.providers {
            match provider.provide_credentials() {
                Ok(c) => {
                    let name = format!("default/{}", c.provider_name());
                    return Ok(c.with_provider_name(name));
                }
                Err(e) => errors.push((label.clone(), e)),
            }
        }
        Err(CredentialsError::ChainExhausted(errors))
    }
}
