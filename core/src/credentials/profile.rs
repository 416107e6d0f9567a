//! The Alibaba Cloud CLI's profile file, `~/.aliyun/config.json`.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value};

use super::ecs::EcsRamRoleProvider;
use super::external::ExternalProvider;
use super::file::{read_regular_file, Sensitivity};
use super::sts::{OidcProvider, RamRoleArnProvider};
use super::uri::CredentialsUriProvider;
use super::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture, ProviderConfig,
    ENV_CLI_PROFILE_DISABLED, ENV_PROFILE,
};

const SUPPORTED_MODES: &str =
    "supported: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn, CredentialsURI, External";

/// Where the CLI config file is.
#[derive(Clone, Debug)]
enum ConfigLocation {
    /// `<HOME or USERPROFILE>/.aliyun/config.json`.
    Home,
    File(PathBuf),
}

/// Reads the Alibaba Cloud CLI config (`~/.aliyun/config.json`).
///
/// The profile is the one given, else `ALIBABA_CLOUD_PROFILE`, else the file's `current`.
/// The file is read on the first call that finds it usable; the provider it describes is
/// then kept (with its own cache), as in the official library. Modes:
///
/// | mode | provider name |
/// |---|---|
/// | `AK`, `StsToken` | `cli_profile/static_ak`, `cli_profile/static_sts` |
/// | `RamRoleArn` (`ram_role_arn`, `ram_session_name`, `expired_seconds`, `policy`, `external_id`, `sts_region`, `enable_vpc`) | `cli_profile/ram_role_arn/static_ak` |
/// | `ChainableRamRoleArn` (`source_profile` + the RamRoleArn fields) | `cli_profile/ram_role_arn/<source>` |
/// | `EcsRamRole` (`ram_role_name`) | `cli_profile/ecs_ram_role` |
/// | `OIDC` (`ram_role_arn`, `oidc_provider_arn`, `oidc_token_file`, `role_session_name`, ...) | `cli_profile/oidc_role_arn` |
/// | `CredentialsURI` (`credentials_uri`) | `cli_profile/credential_uri` |
/// | `External` (`process_command`) | `cli_profile/external` |
///
/// `CloudSSO` and `OAuth` need an interactive browser sign-in and give
/// [`CredentialsError::UnsupportedMode`]. With `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true` the
/// provider fails without reading anything.
#[derive(Clone)]
pub struct ProfileProvider {
    location: ConfigLocation,
    profile: Option<String>,
    config: ProviderConfig,
    prefix: &'static str,
    inner: OnceLock<Arc<dyn ProvideCredentials>>,
}

impl fmt::Debug for ProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileProvider")
            .field("location", &self.location)
            .field("profile", &self.profile)
            .field("env", &self.config.env)
            .field("loaded", &self.inner.get())
            .finish()
    }
}

impl Default for ProfileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProfileProvider {
    /// Uses `HOME` (else `USERPROFILE`) and `ALIBABA_CLOUD_PROFILE` from the process.
    pub fn new() -> Self {
        Self::with_config(ProviderConfig::default())
    }

    /// Uses the environment, clock and endpoints of `config`.
    pub fn with_config(config: ProviderConfig) -> Self {
        Self {
            location: ConfigLocation::Home,
            profile: None,
            config,
            prefix: "cli_profile/",
            inner: OnceLock::new(),
        }
    }

    /// Reads `HOME`, `USERPROFILE` and `ALIBABA_CLOUD_PROFILE` through `lookup` (for tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self::with_config(ProviderConfig::default().with_env(lookup))
    }

    /// Reads `path` with profile `profile`, or the file's `current` when `None`
    /// (the environment is not consulted).
    pub fn from_file(path: impl Into<PathBuf>, profile: Option<String>) -> Self {
        let mut p = Self::with_config(ProviderConfig::default().with_env(|_| None));
        p.location = ConfigLocation::File(path.into());
        p.profile = profile;
        p
    }

    /// Selects `profile` explicitly, overriding `ALIBABA_CLOUD_PROFILE` and `current`.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    pub(crate) fn in_chain(mut self) -> Self {
        self.prefix = "default/cli_profile/";
        self
    }

    fn config_path(&self) -> Result<PathBuf, CredentialsError> {
        match &self.location {
            ConfigLocation::File(p) => Ok(p.clone()),
            ConfigLocation::Home => Ok(self
                .config
                .env
                .home()
                .ok_or(CredentialsError::NoHomeDir)?
                .join(".aliyun")
                .join("config.json")),
        }
    }

    fn load(&self) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        if self.config.env.is_true(ENV_CLI_PROFILE_DISABLED) {
            return Err(CredentialsError::Config {
                provider: "cli_profile".into(),
                reason: format!("disabled by {ENV_CLI_PROFILE_DISABLED}=true"),
            });
        }
        let path = self.config_path()?;
        let text = read_regular_file(&path, Sensitivity::Secrets)?;
        let selected = self
            .profile
            .clone()
            .or_else(|| self.config.env.get(ENV_PROFILE));
        let file = CliFile::parse(&text, &path)?;
        let name = match selected {
            Some(p) => p,
            None => file
                .root
                .get("current")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| CredentialsError::NoProfileSelected { path: path.clone() })?
                .to_owned(),
        };
        file.build(&name, self.prefix, &self.config, &mut HashSet::new())
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        if let Some(inner) = self.inner.get() {
            return inner.provide_credentials();
        }
        match self.load() {
            Ok(inner) => self.inner.get_or_init(|| inner).provide_credentials(),
            Err(e) => ProvideCredentialsFuture::ready(Err(e)),
        }
    }
}

/// A parsed CLI config.
struct CliFile<'a> {
    root: Map<String, Value>,
    path: &'a Path,
}

/// One profile of the file, with typed field access.
struct Profile<'a> {
    name: &'a str,
    obj: &'a Map<String, Value>,
    path: &'a Path,
}

impl Profile<'_> {
    fn missing(&self, field: &'static str) -> CredentialsError {
        CredentialsError::MissingProfileField {
            profile: self.name.to_owned(),
            path: self.path.to_owned(),
            field,
        }
    }

    /// A non-empty string field, `None` when absent; a value of another type is an error
    /// (and is never echoed).
    fn opt(&self, field: &'static str) -> Result<Option<String>, CredentialsError> {
        match self.obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.missing(field)),
        }
    }

    fn req(&self, field: &'static str) -> Result<String, CredentialsError> {
        self.opt(field)?.ok_or_else(|| self.missing(field))
    }

    fn opt_seconds(&self, field: &'static str) -> Result<Option<Duration>, CredentialsError> {
        match self.obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(|s| Some(Duration::from_secs(s)))
                .ok_or_else(|| self.missing(field)),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<u64>()
                .map(|s| Some(Duration::from_secs(s)))
                .map_err(|_| self.missing(field)),
            Some(_) => Err(self.missing(field)),
        }
    }

    fn opt_bool(&self, field: &'static str) -> Result<Option<bool>, CredentialsError> {
        match self.obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") || s.is_empty() => {
                Ok(Some(false))
            }
            Some(_) => Err(self.missing(field)),
        }
    }
}

impl<'a> CliFile<'a> {
    fn parse(text: &[u8], path: &'a Path) -> Result<Self, CredentialsError> {
        let parse_err = |message: String| CredentialsError::ParseConfig {
            path: path.to_owned(),
            message,
        };
        // serde_json's messages can quote values, so report only the kind and position.
        let root: Value = serde_json::from_slice(text).map_err(|e| {
            parse_err(format!(
                "invalid JSON ({:?} error at line {}, column {})",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        match root {
            Value::Object(root) => {
                if !matches!(
                    root.get("profiles"),
                    None | Some(Value::Null | Value::Array(_))
                ) {
                    return Err(parse_err("`profiles` is not an array".into()));
                }
                Ok(Self { root, path })
            }
            _ => Err(parse_err("the top level is not a JSON object".into())),
        }
    }

    fn profile<'s>(&'s self, name: &'s str) -> Result<Profile<'s>, CredentialsError> {
        self.root
            .get("profiles")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            .map(|obj| Profile {
                name,
                obj,
                path: self.path,
            })
            .ok_or_else(|| CredentialsError::ProfileNotFound {
                profile: name.to_owned(),
                path: self.path.to_owned(),
            })
    }

    /// The provider profile `name` describes; `prefix` goes before its provider name.
    fn build(
        &self,
        name: &str,
        prefix: &str,
        config: &ProviderConfig,
        seen: &mut HashSet<String>,
    ) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        if !seen.insert(name.to_owned()) {
            return Err(CredentialsError::ParseConfig {
                path: self.path.to_owned(),
                message: format!("profile `{name}` is its own source_profile (a cycle)"),
            });
        }
        let p = self.profile(name)?;
        // The CLI always writes `mode`; like the official library, don't guess when it is absent.
        let mode = p.req("mode")?;
        let named = |c: Credentials, kind: &str| -> Arc<dyn ProvideCredentials> {
            Arc::new(c.with_provider_name(format!("{prefix}{kind}")))
        };
        let role = |b: super::sts::RamRoleArnProviderBuilder| -> Result<_, CredentialsError> {
            let mut b = b
                .configure(config)
                .name_prefix(prefix)
                .role_arn(p.req("ram_role_arn")?)
                .duration(
                    p.opt_seconds("expired_seconds")?
                        .unwrap_or(Duration::from_secs(3600)),
                );
            if let Some(v) = p.opt("ram_session_name")? {
                b = b.session_name(v);
            }
            if let Some(v) = p.opt("policy")? {
                b = b.policy(v);
            }
            if let Some(v) = p.opt("external_id")? {
                b = b.external_id(v);
            }
            if let Some(v) = p.opt("sts_region")? {
                b = b.sts_region(v);
            }
            if let Some(v) = p.opt_bool("enable_vpc")? {
                b = b.enable_vpc(v);
            }
            Ok(Arc::new(b.build()?) as Arc<dyn ProvideCredentials>)
        };
        Ok(match mode.as_str() {
            "AK" => named(Credentials::new(p.req("access_key_id")?, p.req("access_key_secret")?), "static_ak"),
            "StsToken" => named(
                Credentials::with_security_token(
                    p.req("access_key_id")?,
                    p.req("access_key_secret")?,
                    p.req("sts_token")?,
                ),
                "static_sts",
            ),
            // Any `sts_token` in the profile is ignored, as in the official library.
            "RamRoleArn" => role(
                RamRoleArnProvider::builder()
                    .access_key(p.req("access_key_id")?, p.req("access_key_secret")?),
            )?,
            "ChainableRamRoleArn" => {
                let source_name = p.req("source_profile")?;
                let source = self.build(&source_name, "", config, seen)?;
                role(RamRoleArnProvider::builder().source_arc(source))?
            }
            "EcsRamRole" => {
                let mut b = EcsRamRoleProvider::builder().configure(config).name_prefix(prefix);
                if let Some(r) = p.opt("ram_role_name")? {
                    b = b.role_name(r);
                }
                Arc::new(b.build()?)
            }
            "OIDC" => {
                let mut b = OidcProvider::builder()
                    .configure(config)
                    .name_prefix(prefix)
                    .role_arn(p.req("ram_role_arn")?)
                    .oidc_provider_arn(p.req("oidc_provider_arn")?)
                    .token_file(p.req("oidc_token_file")?)
                    .duration(p.opt_seconds("expired_seconds")?.unwrap_or(Duration::from_secs(3600)));
                // `role_session_name` here, not `ram_session_name` (as the official library reads it).
                if let Some(v) = p.opt("role_session_name")? {
                    b = b.session_name(v);
                }
                if let Some(v) = p.opt("policy")? {
                    b = b.policy(v);
                }
                if let Some(v) = p.opt("sts_region")? {
                    b = b.sts_region(v);
                }
                if let Some(v) = p.opt_bool("enable_vpc")? {
                    b = b.enable_vpc(v);
                }
                Arc::new(b.build()?)
            }
            "CredentialsURI" => Arc::new(
                CredentialsUriProvider::builder()
                    .configure(config)
                    .name_prefix(prefix)
                    .uri(p.req("credentials_uri")?)
                    .build()?,
            ),
            "External" => Arc::new(ExternalProvider::build(
                &p.req("process_command")?,
                prefix,
                config.clock.clone(),
            )?),
            "CloudSSO" | "OAuth" => {
                return Err(CredentialsError::UnsupportedMode {
                    profile: name.to_owned(),
                    mode,
                    reason: "it needs an interactive browser sign-in, which this SDK does not do; \
                             use a RamRoleArn, EcsRamRole, OIDC or External profile, or an AccessKey",
                })
            }
            _ => {
                return Err(CredentialsError::UnsupportedMode {
                    profile: name.to_owned(),
                    mode,
                    reason: SUPPORTED_MODES,
                })
            }
        })
    }
}
