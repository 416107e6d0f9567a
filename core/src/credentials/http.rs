//! HTTP plumbing shared by the network providers: clients with the official timeouts,
//! error mapping that never leaks a query string or a body, and reply parsing.

use std::time::{Duration, SystemTime};

use super::{CredentialsError, ProviderName};

/// Replies are small JSON documents; anything bigger is cut off and fails to parse.
const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// Connect / read timeouts of the STS, OIDC and URI providers (official defaults).
pub(crate) const STS_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub(crate) const STS_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connect / read timeouts of the instance metadata provider (official defaults).
pub(crate) const IMDS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
pub(crate) const IMDS_READ_TIMEOUT: Duration = Duration::from_secs(1);

pub(crate) fn user_agent() -> String {
    format!(
        "AlibabaCloud ({}; {}) yunxiao-rust/{} Credentials",
        std::env::consts::OS,
        std::env::consts::ARCH,
        env!("CARGO_PKG_VERSION")
    )
}

/// A client with these timeouts. `proxy: false` ignores `HTTP(S)_PROXY` (instance metadata
/// is link-local: a proxy would answer with its own host's role, or not at all). With
/// proxies on, reqwest also honours `NO_PROXY`.
pub(crate) fn client(
    provider: &ProviderName,
    connect: Duration,
    read: Duration,
    proxy: bool,
) -> Result<reqwest::Client, CredentialsError> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(connect)
        .read_timeout(read)
        // A hard cap too: the read timeout restarts on every byte.
        .timeout(connect + read)
        .user_agent(user_agent())
        .redirect(reqwest::redirect::Policy::none());
    if !proxy {
        b = b.no_proxy();
    }
    b.build().map_err(|e| CredentialsError::Config {
        provider: provider.clone(),
        reason: format!("cannot build the HTTP client: {}", error_chain(&e)),
    })
}

/// `scheme://host[:port]` of a configured endpoint: `host[:port]` means `default_scheme`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Base {
    pub(crate) scheme: &'static str,
    pub(crate) authority: String,
    /// Tests only: connect here over plain HTTP, keeping `authority` in the Host header.
    redirect: Option<String>,
}

impl Base {
    pub(crate) fn parse(
        provider: &ProviderName,
        text: &str,
        default_scheme: &'static str,
        redirect: Option<&str>,
    ) -> Result<Self, CredentialsError> {
        let text = text.trim().trim_end_matches('/');
        let (scheme, authority) = match text.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("https") => ("https", rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("http") => ("http", rest),
            Some((s, _)) => {
                return Err(CredentialsError::Config {
                    provider: provider.clone(),
                    reason: format!("endpoint scheme must be http or https, not `{s}`"),
                })
            }
            None => (default_scheme, text),
        };
        let ok = !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c));
        if !ok {
            return Err(CredentialsError::Config {
                provider: provider.clone(),
                reason: format!("`{text}` is not a valid endpoint (expected host[:port])"),
            });
        }
        Ok(Self {
            scheme,
            authority: authority.to_ascii_lowercase(),
            redirect: redirect.map(str::to_owned),
        })
    }

    /// `scheme://authority` + `path`: where the request is meant to go (and what errors
    /// name).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.authority, path)
    }

    /// A request to `path_and_query`.
    pub(crate) fn request(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        path_and_query: &str,
    ) -> reqwest::RequestBuilder {
        match &self.redirect {
            None => client.request(method, self.url(path_and_query)),
            Some(addr) => client
                .request(method, format!("http://{addr}{path_and_query}"))
                .header(reqwest::header::HOST, self.authority.as_str()),
        }
    }
}

/// An error and its sources, joined with `: ` (reqwest's URL is dropped: it may hold a
/// signature or a token).
pub(crate) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cur = s.source();
    }
    out
}

/// A reply: status and (at most [`MAX_REPLY_BYTES`] of) the body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Sends `request`; `endpoint` (scheme, host and path, no query) names it in errors.
pub(crate) async fn send(
    provider: &ProviderName,
    endpoint: &str,
    request: reqwest::RequestBuilder,
) -> Result<Reply, CredentialsError> {
    let fail = |e: reqwest::Error| {
        if e.is_timeout() {
            CredentialsError::Timeout {
                provider: provider.clone(),
                endpoint: endpoint.to_owned(),
            }
        } else {
            CredentialsError::Transport {
                provider: provider.clone(),
                endpoint: endpoint.to_owned(),
                reason: error_chain(&e.without_url()),
            }
        }
    };
    let mut response = request.send().await.map_err(fail)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(fail)? {
        let room = MAX_REPLY_BYTES.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room < chunk.len() {
            break;
        }
    }
    Ok(Reply { status, body })
}

/// Parses a JSON object, reporting only the kind and position of a problem.
pub(crate) fn json_object(
    provider: &ProviderName,
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, CredentialsError> {
    let invalid = |reason: String| CredentialsError::InvalidResponse {
        provider: provider.clone(),
        reason,
    };
    // serde_json's messages can quote the input, so only its category and position.
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("the body is not a JSON object".into())),
        Err(e) => Err(invalid(format!(
            "the body is not valid JSON ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        ))),
    }
}

/// The non-empty string `field` of `obj`.
pub(crate) fn string_field(
    provider: &ProviderName,
    obj: &serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<String, CredentialsError> {
    match obj.get(field) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
            Err(CredentialsError::InvalidResponse {
                provider: provider.clone(),
                reason: format!("`{field}` is missing or empty"),
            })
        }
        Some(_) => Err(CredentialsError::InvalidResponse {
            provider: provider.clone(),
            reason: format!("`{field}` is not a string"),
        }),
    }
}

/// `Expiration` as the services write it: UTC `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) fn expiration_field(
    provider: &ProviderName,
    obj: &serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Result<SystemTime, CredentialsError> {
    let text = string_field(provider, obj, field)?;
    parse_expiration(&text).ok_or_else(|| CredentialsError::InvalidResponse {
        provider: provider.clone(),
        reason: format!("`{field}` is not a UTC time of the form YYYY-MM-DDThh:mm:ssZ"),
    })
}

pub(crate) fn parse_expiration(text: &str) -> Option<SystemTime> {
    const FMT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let t = time::PrimitiveDateTime::parse(text, FMT).ok()?.assume_utc();
    let secs = u64::try_from(t.unix_timestamp()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// The `Code` (and, if `with_message`, `Message`) of an error reply, when it is JSON.
pub(crate) fn service_error(
    provider: &ProviderName,
    endpoint: &str,
    reply: &Reply,
    with_message: bool,
) -> CredentialsError {
    let obj = serde_json::from_slice::<serde_json::Value>(&reply.body).ok();
    let text = |key: &str| {
        obj.as_ref()
            .and_then(|o| o.get(key))
            .and_then(|v| v.as_str())
            .map(|s| s.chars().take(300).collect::<String>())
            .filter(|s| !s.is_empty())
    };
    CredentialsError::Service {
        provider: provider.clone(),
        endpoint: endpoint.to_owned(),
        status: reply.status,
        code: text("Code"),
        message: if with_message { text("Message") } else { None },
    }
}
