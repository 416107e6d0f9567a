//! Credentials printed by an external command (the CLI profile's `External` mode).

use std::fmt;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use super::cache::{CachedProvider, Clock, RefreshPolicy};
use super::http;
use super::{
    Credentials, CredentialsError, ProvideCredentials, ProvideCredentialsFuture, ProviderName,
};

/// The official library's limit for one run of the command.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs a command and reads credentials from its standard output (provider name
/// `external`), cached until 180 s before their expiration; without an expiration the
/// command runs again at every call, as in the official library.
///
/// The command line is split like a POSIX shell would split it (quotes and backslashes),
/// and run without a shell, with the parent's environment and a 60 s limit. Its output must
/// be `{"mode": "AK"|"StsToken", "access_key_id": .., "access_key_secret": ..,
/// "sts_token": .., "expiration": "YYYY-MM-DDThh:mm:ssZ"}`.
#[derive(Clone, Debug)]
pub struct ExternalProvider {
    cache: CachedProvider,
}

impl ExternalProvider {
    /// A provider running `command`.
    pub fn new(command: &str) -> Result<Self, CredentialsError> {
        Self::build(command, "", Arc::new(super::SystemClock))
    }

    pub(crate) fn build(
        command: &str,
        prefix: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, CredentialsError> {
        let provider: ProviderName = format!("{prefix}external").into();
        let argv = split_command(command).ok_or_else(|| CredentialsError::Config {
            provider: provider.clone(),
            reason: "the command line has an unterminated quote or is empty".into(),
        })?;
        let fetcher = Command { provider, argv };
        Ok(Self {
            cache: CachedProvider::with_clock(Arc::new(fetcher), RefreshPolicy::external(), clock),
        })
    }
}

impl ProvideCredentials for ExternalProvider {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        self.cache.provide_credentials()
    }
}

struct Command {
    provider: ProviderName,
    argv: Vec<String>,
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Arguments may carry secrets; the program name is enough to recognise it.
        f.debug_struct("Command")
            .field("program", &self.argv.first())
            .field("args", &self.argv.len().saturating_sub(1))
            .finish()
    }
}

impl Command {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let p = &self.provider;
        let fail = |reason: String| CredentialsError::Process {
            provider: p.clone(),
            reason,
        };
        let (program, args) = self
            .argv
            .split_first()
            .ok_or_else(|| fail("the command is empty".into()))?;
        let child = tokio::process::Command::new(program)
            .args(args)
            .stdin(Stdio::inherit())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| fail(format!("cannot run `{program}`: {e}")))?;
        let output = tokio::time::timeout(COMMAND_TIMEOUT, child.wait_with_output())
            .await
            .map_err(|_| {
                fail(format!(
                    "`{program}` did not finish within {COMMAND_TIMEOUT:?}"
                ))
            })?
            .map_err(|e| fail(format!("cannot read the output of `{program}`: {e}")))?;
        if !output.status.success() {
            // Its stderr is not repeated: a login helper may print tokens there.
            return Err(fail(format!(
                "`{program}` failed: {} ({} bytes on stderr)",
                output.status,
                output.stderr.len()
            )));
        }
        let obj = http::json_object(p, &output.stdout)?;
        let id = http::string_field(p, &obj, "access_key_id")?;
        let secret = http::string_field(p, &obj, "access_key_secret")?;
        let mode = obj.get("mode").and_then(|m| m.as_str()).unwrap_or("AK");
        let creds = match mode {
            "StsToken" => Credentials::with_security_token(
                id,
                secret,
                http::string_field(p, &obj, "sts_token")?,
            ),
            "AK" => Credentials::new(id, secret),
            _ => {
                return Err(CredentialsError::InvalidResponse {
                    provider: p.clone(),
                    reason: "`mode` must be `AK` or `StsToken`".into(),
                })
            }
        };
        let expiry = match obj.get("expiration") {
            None | Some(serde_json::Value::Null) => None,
            Some(_) => Some(http::expiration_field(p, &obj, "expiration")?),
        };
        Ok(creds.with_expiry(expiry).named(p.clone()))
    }
}

impl ProvideCredentials for Command {
    fn provide_credentials(&self) -> ProvideCredentialsFuture<'_> {
        ProvideCredentialsFuture::new(self.fetch())
    }
}

/// Splits a command line like a POSIX shell (Python's `shlex.split`): whitespace separates
/// words; single quotes keep everything; double quotes keep all but `\"`, `\\`, `\$` and
/// `` \` ``; a backslash outside quotes escapes the next character. `None` for an
/// unterminated quote or an empty line.
pub(crate) fn split_command(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => word.push(c),
                            '\n' => {}
                            c => {
                                word.push('\\');
                                word.push(c);
                            }
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => word.push(c),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    (!words.is_empty()).then_some(words)
}

#[cfg(test)]
mod tests {
    use super::split_command;

    #[test]
    fn splits_like_shlex() {
        let w = split_command(r#"python3 /x/ext cred.py --profile 'a b' "c \"d\"" e\ f"#)
            .expect("split");
        assert_eq!(
            w,
            [
                "python3",
                "/x/ext",
                "cred.py",
                "--profile",
                "a b",
                "c \"d\"",
                "e f"
            ]
        );
        assert_eq!(split_command("  "), None);
        assert_eq!(split_command("a 'b"), None);
        assert_eq!(split_command("''"), Some(vec![String::new()]));
    }
}
