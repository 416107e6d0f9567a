//! The client: configuration, sending, retries and response decoding.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use tracing::Instrument;

use crate::credentials::{Credentials, DefaultChain, ProvideCredentials};
use crate::error::{snippet, ApiError, DecodeError};
use crate::operation::{HttpRequest, Operation, OperationMeta};
use crate::retry::RetryConfig;
use crate::signing::{self, encode, RequestContext, SignatureVersion};
use crate::Error;

/// The API version every request names.
pub const API_VERSION: &str = "2021-06-25";
/// The public endpoint, the same for every region.
pub const DEFAULT_ENDPOINT: &str = "devops.aliyuncs.com";
/// The endpoint inside an Alibaba Cloud VPC.
pub const VPC_ENDPOINT: &str = "devops-vpc.aliyuncs.com";

/// Where requests go: scheme and `host[:port]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    scheme: String,
    host: String,
}

impl Endpoint {
    /// Parses `host`, `host:port`, `https://host[:port]` or `http://host[:port]`. A bare
    /// host means HTTPS.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim().trim_end_matches('/');
        let (scheme, host) = match text.split_once("://") {
            Some((s, h)) => (s.to_ascii_lowercase(), h),
            None => ("https".to_string(), text),
        };
        if scheme != "https" && scheme != "http" {
            return Err(Error::Config(format!(
                "endpoint scheme must be http or https, not '{scheme}'"
            )));
        }
        let valid = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
        if !valid {
            return Err(Error::Config(format!(
                "'{text}' is not a valid endpoint (expected host[:port], without a path)"
            )));
        }
        Ok(Self {
            scheme,
            host: host.to_ascii_lowercase(),
        })
    }

    /// `host[:port]`, as sent in the `host` header.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)
    }
}

/// A Yunxiao API client. Cheap to clone; clones share the connection pool.
///
/// ```no_run
/// # async fn demo() -> Result<(), yunxiao::Error> {
/// use yunxiao::projex::GetProjectInfoRequest;
/// let client = yunxiao::Client::builder().build()?; // credentials from the default chain
/// let info = client
///     .get_project_info(GetProjectInfoRequest::new("my-org-id", "my-project-id"))
///     .await?;
/// println!("{:?}", info.project.and_then(|p| p.name));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Endpoint,
    region: Option<String>,
    credentials: Arc<dyn ProvideCredentials>,
    signature_version: SignatureVersion,
    retry: RetryConfig,
    timeout: Duration,
    user_agent: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The credentials provider's own Debug redacts secrets.
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("region", &self.inner.region)
            .field("credentials", &self.inner.credentials)
            .field("signature_version", &self.inner.signature_version)
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .field("user_agent", &self.inner.user_agent)
            .finish()
    }
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    endpoint: Option<String>,
    vpc: bool,
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    signature_version: SignatureVersion,
    retry: RetryConfig,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent_suffix: Option<String>,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("vpc", &self.vpc)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("signature_version", &self.signature_version)
            .field("retry", &self.retry)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            endpoint: None,
            vpc: false,
            region: None,
            credentials: None,
            signature_version: SignatureVersion::V3,
            retry: RetryConfig::default(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            user_agent_suffix: None,
            http: None,
        }
    }
}

impl ClientBuilder {
    /// Endpoint: `host`, `https://host[:port]` or `http://127.0.0.1:PORT` (tests, mocks).
    /// Default `devops.aliyuncs.com` over HTTPS.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Use the VPC endpoint `devops-vpc.aliyuncs.com` (ignored if an endpoint is set).
    pub fn vpc(mut self, vpc: bool) -> Self {
        self.vpc = vpc;
        self
    }

    /// Region id, e.g. `cn-hangzhou`. The service uses one endpoint for every region, so
    /// this is informational (it appears in `Debug` and tracing).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Credentials or a provider of them. Default: [`DefaultChain`], the official chain
    /// (environment, OIDC, CLI profile, INI file, ECS instance role, credentials URI),
    /// asked on every attempt; providers that fetch credentials cache them.
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// A static AccessKey pair.
    pub fn access_key(self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials(Credentials::new(id, secret))
    }

    /// Signature version: V3 `ACS3-HMAC-SHA256` (default) or legacy ROA HMAC-SHA1.
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    /// Retry policy; [`RetryConfig::disabled`] turns retries off.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Time allowed to open a connection (default 5 s). Not applied to a client passed in
    /// with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from sending to the last byte of the response
    /// (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Text appended to the `user-agent` header (e.g. your application's name/version).
    pub fn user_agent(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Use this `reqwest::Client` (its own proxy, TLS and pool settings).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the client. Fails on a bad endpoint or if the HTTP client cannot be built.
    pub fn build(self) -> Result<Client, Error> {
        let endpoint = match &self.endpoint {
            Some(e) => Endpoint::parse(e)?,
            None if self.vpc => Endpoint::parse(VPC_ENDPOINT)?,
            None => Endpoint::parse(DEFAULT_ENDPOINT)?,
        };
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry.max_attempts must be at least 1".into(),
            ));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?,
        };
        let mut user_agent = format!(
            "AlibabaCloud ({}; {}) yunxiao-rust/{} TeaDSL/2",
            std::env::consts::OS,
            std::env::consts::ARCH,
            env!("CARGO_PKG_VERSION")
        );
        if let Some(suffix) = self.user_agent_suffix {
            user_agent.push(' ');
            user_agent.push_str(&suffix);
        }
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                region: self.region,
                credentials: self
                    .credentials
                    .unwrap_or_else(|| Arc::new(DefaultChain::new())),
                signature_version: self.signature_version,
                retry: self.retry,
                timeout: self.timeout,
                user_agent,
            }),
        })
    }
}

/// The fields every Yunxiao response may carry, read before the typed decode so errors in
/// any Alibaba form are recognised.
#[derive(Deserialize, Default)]
struct Envelope {
    success: Option<bool>,
    #[serde(rename = "errorCode")]
    error_code: Option<serde_json::Value>,
    #[serde(rename = "errorMessage", alias = "errorMsg")]
    error_message: Option<String>,
    #[serde(rename = "Code", alias = "code")]
    code: Option<serde_json::Value>,
    #[serde(rename = "Message", alias = "message")]
    message: Option<String>,
    #[serde(rename = "RequestId", alias = "requestId")]
    request_id: Option<String>,
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// Sends any operation's request. The generated methods call this.
    pub async fn send<O: Operation>(&self, request: O) -> Result<O::Response, Error<O::ErrorCode>> {
        self.send_ref(&request).await
    }

    pub(crate) async fn send_ref<O: Operation>(
        &self,
        request: &O,
    ) -> Result<O::Response, Error<O::ErrorCode>> {
        self.send_untyped(request).await.map_err(Error::typed)
    }

    async fn send_untyped<O: Operation>(&self, request: &O) -> Result<O::Response, Error> {
        let meta = O::META;
        let http = request.to_http_request()?;
        let retry = &self.inner.retry;
        let mut attempt = 1;
        loop {
            let span = tracing::debug_span!(
                "yunxiao.request",
                operation = meta.action,
                attempt,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            let result = self
                .attempt::<O>(meta, &http)
                .instrument(span.clone())
                .await;
            match result {
                Ok(response) => return Ok(response),
                Err(err) if attempt < retry.max_attempts && err.is_retryable() => {
                    let hint = err.as_api().and_then(|e| e.retry_after);
                    let wait = retry.backoff(attempt, hint);
                    span.in_scope(|| tracing::debug!(error = %err, ?wait, "retrying"));
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(err) => return Err(err),
            }
        }
    }

    /// One signed attempt.
    async fn attempt<O: Operation>(
        &self,
        meta: &'static OperationMeta,
        req: &HttpRequest,
    ) -> Result<O::Response, Error> {
        let inner = &self.inner;
        let credentials = inner.credentials.provide_credentials().await?;
        let nonce = signing::new_nonce();
        let body: &[u8] = req
            .body
            .as_ref()
            .map(|b| b.bytes.as_slice())
            .unwrap_or_default();
        let headers = signing::sign_request(&RequestContext {
            version: inner.signature_version,
            method: req.method,
            host: inner.endpoint.host(),
            path: &req.path,
            query: &req.query,
            action: meta.action,
            api_version: API_VERSION,
            user_agent: &inner.user_agent,
            content_type: req.body.as_ref().map(|b| b.content_type),
            body,
            timestamp: SystemTime::now(),
            nonce: &nonce,
            credentials: &credentials,
            extra_headers: &req.headers,
        });

        let mut url = format!("{}{}", inner.endpoint, req.path);
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&encode::wire_query(&req.query));
        }
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| Error::config(format!("bad HTTP method {}", req.method)))?;
        let mut builder = inner.http.request(method, &url).timeout(inner.timeout);
        for (name, value) in &headers {
            // `host` is sent explicitly: the URL drops a default port (`:443`, `:80`) that
            // the endpoint names and the signature covers.
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !body.is_empty() || req.body.is_some() {
            builder = builder.body(body.to_vec());
        }

        let started = Instant::now();
        let transport = |e: reqwest::Error| -> Error {
            if e.is_timeout() {
                Error::Timeout {
                    operation: meta.action,
                    timeout: inner.timeout,
                }
            } else {
                Error::Transport {
                    operation: meta.action,
                    source: e.without_url(),
                }
            }
        };
        let response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let header_request_id = header("x-acs-request-id");
        let retry_after = header("x-acs-retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
        let bytes = response.bytes().await.map_err(transport)?;
        let span = tracing::Span::current();
        span.record("status", status);
        tracing::debug!(elapsed = ?started.elapsed(), bytes = bytes.len(), "response");
        decode::<O::Response>(meta, status, &bytes, header_request_id, retry_after, &span)
    }
}

/// Turns a response into the typed value or an [`Error`].
fn decode<T: DeserializeOwned>(
    meta: &'static OperationMeta,
    status: u16,
    body: &[u8],
    header_request_id: Option<String>,
    retry_after: Option<Duration>,
    span: &tracing::Span,
) -> Result<T, Error> {
    let envelope: Envelope = if meta.response_is_text && (200..300).contains(&status) {
        Envelope::default()
    } else {
        serde_json::from_slice(body).unwrap_or_default()
    };
    let request_id = envelope.request_id.clone().or(header_request_id);
    if let Some(id) = &request_id {
        span.record("request_id", id.as_str());
    }
    // `x-acs-retry-after` marks an error answer as throttling; it does not turn a
    // successful answer into an error (that would retry a call that already took effect).
    let failed = !(200..300).contains(&status) || envelope.success == Some(false);
    if failed {
        let as_text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let code = envelope
            .code
            .as_ref()
            .map(as_text)
            .or_else(|| envelope.error_code.as_ref().map(as_text))
            .filter(|c| !c.trim_matches(['"', ' ']).is_empty())
            .unwrap_or_else(|| format!("HTTP{status}"));
        let message = envelope
            .message
            .or(envelope.error_message)
            .unwrap_or_default();
        return Err(Error::Api(Box::new(ApiError {
            operation: meta.action,
            status,
            documented: meta.error_doc(&code),
            code,
            message,
            request_id,
            retry_after,
            body_snippet: snippet(body),
        })));
    }
    let decode_error = |field: String, message: String| {
        Error::Decode(Box::new(DecodeError {
            operation: meta.action,
            status,
            field,
            message,
            body_snippet: snippet(body),
            request_id: request_id.clone(),
        }))
    };
    if meta.response_is_text {
        let text =
            std::str::from_utf8(body).map_err(|e| decode_error(".".into(), e.to_string()))?;
        // A JSON string body is unwrapped; anything else is taken as the text itself.
        let text = serde_json::from_str::<String>(text).unwrap_or_else(|_| text.to_string());
        return T::deserialize(serde::de::value::StringDeserializer::<
            serde::de::value::Error,
        >::new(text))
        .map_err(|e| decode_error(".".into(), e.to_string()));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        decode_error(path, e.into_inner().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("devops.aliyuncs.com").unwrap();
        assert_eq!(e.to_string(), "https://devops.aliyuncs.com");
        let e = Endpoint::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!((e.scheme(), e.host()), ("http", "127.0.0.1:8080"));
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("https://host/path").is_err());
        assert!(Endpoint::parse("").is_err());
    }
}
