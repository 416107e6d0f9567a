//! The INI credentials file, `~/.alibabacloud/credentials.ini`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::ecs::EcsRamRoleProvider;
use super::file::{read_regular_file, Sensitivity};
use super::sts::{OidcProvider, RamRoleArnProvider};
use super::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture, ProviderConfig,
    ENV_CREDENTIALS_FILE, ENV_PROFILE,
};

/// Reads the INI credentials file: the path given, else `ALIBABA_CLOUD_CREDENTIALS_FILE`,
/// else `~/.alibabacloud/credentials.ini`; the section given, else `ALIBABA_CLOUD_PROFILE`,
/// else `default`. Like the CLI profile, the file is read until it gives a usable provider,
/// which is then kept.
///
/// | `type` | keys | provider name |
/// |---|---|---|
/// | `access_key` | `access_key_id`, `access_key_secret` | `profile/static_ak` |
/// | `ram_role_arn` | the AccessKey, `role_arn`, `role_session_name`, `policy` | `profile/ram_role_arn/static_ak` |
/// | `oidc_role_arn` | `role_arn`, `oidc_provider_arn`, `oidc_token_file_path`, `role_session_name`, `policy` | `profile/oidc_role_arn` |
/// | `ecs_ram_role` | `role_name` | `profile/ecs_ram_role` |
///
/// Values stop at the first `#` and are trimmed, as the official library reads them.
/// `rsa_key_pair` (a deprecated, Japan-site-only API) gives
/// [`CredentialsError::UnsupportedMode`].
#[derive(Clone)]
pub struct IniProfileProvider {
    file: Option<PathBuf>,
    section: Option<String>,
    config: ProviderConfig,
    prefix: &'static str,
    inner: OnceLock<Arc<dyn ProvideCredentials>>,
}

impl fmt::Debug for IniProfileProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IniProfileProvider")
            .field("file", &self.file)
            .field("section", &self.section)
            .field("env", &self.config.env)
            .field("loaded", &self.inner.get())
            .finish()
    }
}

impl Default for IniProfileProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl IniProfileProvider {
    /// The process environment decides the file and section.
    pub fn new() -> Self {
        Self::with_config(ProviderConfig::default())
    }

    /// Uses the environment, clock and endpoints of `config`.
    pub fn with_config(config: ProviderConfig) -> Self {
        Self {
            file: None,
            section: None,
            config,
            prefix: "profile/",
            inner: OnceLock::new(),
        }
    }

    /// Reads this file.
    #[must_use]
    pub fn with_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Reads this section.
    #[must_use]
    pub fn with_section(mut self, section: impl Into<String>) -> Self {
        self.section = Some(section.into());
        self
    }

    pub(crate) fn in_chain(mut self) -> Self {
        self.prefix = "default/profile/";
        self
    }

    fn path(&self) -> Result<PathBuf, CredentialsError> {
        if let Some(p) = &self.file {
            return Ok(p.clone());
        }
        if let Some(p) = self.config.env.get(ENV_CREDENTIALS_FILE) {
            return Ok(PathBuf::from(p));
        }
        Ok(self
            .config
            .env
            .home()
            .ok_or(CredentialsError::NoHomeDir)?
            .join(".alibabacloud")
            .join("credentials.ini"))
    }

    fn load(&self) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let path = self.path()?;
        let bytes = read_regular_file(&path, Sensitivity::Secrets)?;
        let text = std::str::from_utf8(&bytes).map_err(|e| CredentialsError::ParseConfig {
            path: path.clone(),
            message: format!("not UTF-8 (at byte {})", e.valid_up_to()),
        })?;
        let sections =
            parse_ini(text).map_err(|(line, message)| CredentialsError::ParseConfig {
                path: path.clone(),
                message: format!("line {line}: {message}"),
            })?;
        let name = self
            .section
            .clone()
            .or_else(|| self.config.env.get(ENV_PROFILE))
            .unwrap_or_else(|| "default".to_owned());
        let section = sections
            .get(&name)
            .ok_or_else(|| CredentialsError::ProfileNotFound {
                profile: name.clone(),
                path: path.clone(),
            })?;
        self.build(&name, section, &path)
    }

    fn build(
        &self,
        name: &str,
        section: &HashMap<String, String>,
        path: &Path,
    ) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let opt = |key: &str| section.get(key).filter(|v| !v.is_empty()).cloned();
        let req = |key: &'static str| {
            opt(key).ok_or_else(|| CredentialsError::MissingProfileField {
                profile: name.to_owned(),
                path: path.to_owned(),
                field: key,
            })
        };
        let prefix = self.prefix;
        let kind = req("type")?;
        Ok(match kind.as_str() {
            "access_key" => Arc::new(
                Credentials::new(req("access_key_id")?, req("access_key_secret")?)
                    .with_provider_name(format!("{prefix}static_ak")),
            ),
            // No duration, external id or region keys: 3600 s and the environment's endpoint.
            "ram_role_arn" => {
                let mut b = RamRoleArnProvider::builder()
                    .configure(&self.config)
                    .name_prefix(prefix)
                    .access_key(req("access_key_id")?, req("access_key_secret")?)
                    .role_arn(req("role_arn")?);
                if let Some(v) = opt("role_session_name") {
                    b = b.session_name(v);
                }
                if let Some(v) = opt("policy") {
                    b = b.policy(v);
                }
                Arc::new(b.build()?)
            }
            "oidc_role_arn" => {
                let mut b = OidcProvider::builder()
                    .configure(&self.config)
                    .name_prefix(prefix)
                    .role_arn(req("role_arn")?)
                    .oidc_provider_arn(req("oidc_provider_arn")?)
                    .token_file(req("oidc_token_file_path")?);
                if let Some(v) = opt("role_session_name") {
                    b = b.session_name(v);
                }
                if let Some(v) = opt("policy") {
                    b = b.policy(v);
                }
                Arc::new(b.build()?)
            }
            "ecs_ram_role" => {
                let mut b = EcsRamRoleProvider::builder()
                    .configure(&self.config)
                    .name_prefix(prefix);
                if let Some(r) = opt("role_name") {
                    b = b.role_name(r);
                }
                Arc::new(b.build()?)
            }
            "rsa_key_pair" => {
                return Err(CredentialsError::UnsupportedMode {
                    profile: name.to_owned(),
                    mode: kind,
                    reason: "RSA key pairs are a deprecated API of the Japan site only; \
                             use an AccessKey or a RAM role",
                })
            }
            _ => {
                return Err(CredentialsError::UnsupportedMode {
                    profile: name.to_owned(),
                    mode: kind,
                    reason:
                        "supported types: access_key, ram_role_arn, oidc_role_arn, ecs_ram_role",
                })
            }
        })
    }
}

impl ProvideCredentials for IniProfileProvider {
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

type Sections = HashMap<String, HashMap<String, String>>;

/// A small INI reader, enough for this file: `[section]` headers, `key = value` or
/// `key: value` lines (keys lower-cased), whole-line `#` and `;` comments, and values cut at
/// the first `#` and trimmed (as Python's configparser does with the official settings).
/// Errors give the 1-based line and never its content.
pub(crate) fn parse_ini(text: &str) -> Result<Sections, (usize, &'static str)> {
    let mut sections: Sections = HashMap::new();
    let mut current: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or((i + 1, "a section header without a closing `]`"))?
                .trim();
            sections.entry(name.to_owned()).or_default();
            current = Some(name.to_owned());
            continue;
        }
        let section = current
            .as_ref()
            .ok_or((i + 1, "a key before any [section]"))?;
        let cut = line
            .find(['=', ':'])
            .ok_or((i + 1, "expected `key = value`"))?;
        let key = line[..cut].trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err((i + 1, "an empty key"));
        }
        let value = &line[cut + 1..];
        let value = value.split('#').next().unwrap_or_default().trim();
        sections
            .entry(section.clone())
            .or_default()
            .insert(key, value.to_owned());
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::parse_ini;

    #[test]
    fn reads_sections_comments_and_inline_comments() {
        let s = parse_ini(
            "# top\n[default]\nenable = true\ntype = access_key\nACCESS_KEY_ID = id # c\n\n; x\n[b]\nk: v=w\n",
        )
        .expect("parse");
        assert_eq!(s["default"]["access_key_id"], "id");
        assert_eq!(s["default"]["type"], "access_key");
        assert_eq!(s["b"]["k"], "v=w");
        assert_eq!(parse_ini("k = v").unwrap_err().0, 1);
        assert_eq!(parse_ini("[a]\njunk line").unwrap_err().0, 2);
        assert_eq!(parse_ini("[a\n").unwrap_err().0, 1);
    }
}
