//! The client: configuration, sending, retries and response decoding.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::credentials::{Credentials, DefaultChain, ProvideCredentials};
use crate::decode::{self, DecodeMode};
use crate::error::{snippet, ApiError, DecodeError};
use crate::operation::{HttpRequest, Operation, OperationMeta};
use crate::retry::{ClassifyRetry, DefaultRetryClassifier, RetryBudget, RetryConfig, RetryPolicy};
use crate::signed::SignedRequest;
use crate::signing::{self, encode, RequestContext, SignatureVersion};
use crate::wire::MAX_VALUE_BYTES;
use crate::Error;

/// The API version every request names.
pub const API_VERSION: &str = "2021-06-25";
/// The public endpoint, the same for every region.
pub const DEFAULT_ENDPOINT: &str = "devops.aliyuncs.com";
/// The endpoint inside an Alibaba Cloud VPC.
pub const VPC_ENDPOINT: &str = "devops-vpc.aliyuncs.com";
/// Default cap on a response body (32 MiB), see [`ClientBuilder::max_response_size`].
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 32 * 1024 * 1024;
/// Default operation deadline (60 s), see [`ClientBuilder::deadline`].
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

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
///     .get_project_info().organization_id("my-org-id").project_id("my-project-id").send()
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
    retry: RetryPolicy,
    timeout: Duration,
    deadline: Duration,
    max_response_size: usize,
    decode_mode: DecodeMode,
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
            .field("deadline", &self.inner.deadline)
            .field("max_response_size", &self.inner.max_response_size)
            .field("decode_mode", &self.inner.decode_mode)
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
    retry_classifier: Arc<dyn ClassifyRetry>,
    retry_budget: RetryBudget,
    connect_timeout: Duration,
    timeout: Duration,
    deadline: Duration,
    max_response_size: usize,
    strict_decoding: bool,
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
            .field("retry_classifier", &self.retry_classifier)
            .field("retry_budget", &self.retry_budget)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_response_size", &self.max_response_size)
            .field("strict_decoding", &self.strict_decoding)
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
            retry_classifier: Arc::new(DefaultRetryClassifier),
            retry_budget: RetryBudget::default(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            deadline: DEFAULT_DEADLINE,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            strict_decoding: false,
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

    /// Attempts and backoff; [`RetryConfig::disabled`] turns retries off. See
    /// [`crate::retry`] for what is retried.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the classifier that decides which failures are retried (default
    /// [`DefaultRetryClassifier`]: only what is safe for the operation's idempotency).
    pub fn retry_classifier(mut self, classifier: impl ClassifyRetry + 'static) -> Self {
        self.retry_classifier = Arc::new(classifier);
        self
    }

    /// The retry budget (default: a new [`RetryBudget::default`] per client, 100
    /// tokens). Pass a clone of one budget to several clients to share it, or
    /// [`RetryBudget::unlimited`] to limit retries by attempts alone.
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = budget;
        self
    }

    /// Time allowed to open a connection (default 5 s). Not applied to a client passed in
    /// with [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from sending to the last byte of the response
    /// (default 30 s). Expiry gives [`Error::Timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time allowed for a whole call: every attempt and every wait between them
    /// (default [`DEFAULT_DEADLINE`], 60 s: one attempt that uses its whole 30 s timeout
    /// and one retry of it). Expiry gives [`Error::DeadlineExceeded`]; a retry that
    /// could not start before it is not made. `Duration::MAX` turns it off.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_SIZE`],
    /// 32 MiB, far above any page or document this API returns). A larger body gives
    /// [`Error::ResponseTooLarge`] as soon as the cap is passed (or at once, when the
    /// `content-length` says so), so memory never grows with what a server sends.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Strict decoding (default off). Responses are decoded tolerantly: a scalar of the
    /// wrong kind that converts without loss (`"true"` for `true`, `"12"` for `12`, a
    /// number for a string) is accepted. In strict mode each such conversion is an
    /// [`Error::Decode`] naming every converted field, for tests that want to catch the
    /// API drifting from its documentation.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Text appended to the `user-agent` header (e.g. your application's name/version).
    pub fn user_agent(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Use this `reqwest::Client` (its own proxy, TLS and pool settings).
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())` and `.referer(false)`:
    /// a followed redirect sends the request, with its security token, query and body, to
    /// wherever the server pointed. The client notices a followed redirect only
    /// afterwards (the answer comes from another URL) and returns [`Error::Redirect`].
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
            // The API never redirects a signed call; following one would leak the
            // request to another host. No Referer: the URL may carry an access token.
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
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
        if let Some(problem) = header_value_problem(&user_agent) {
            return Err(Error::Config(format!("the user agent {problem}")));
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
                retry: RetryPolicy {
                    config: self.retry,
                    classifier: self.retry_classifier,
                    budget: self.retry_budget,
                },
                timeout: self.timeout,
                deadline: self.deadline,
                max_response_size: self.max_response_size,
                decode_mode: if self.strict_decoding {
                    DecodeMode::Strict
                } else {
                    DecodeMode::Tolerant
                },
                user_agent,
            }),
        })
    }
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
        let inner = &self.inner;
        let started = Instant::now();
        let mut attempt = 1;
        // Tokens the retry in flight took from the budget; a success gives them back.
        let mut retry_cost = None;
        loop {
            let span = tracing::debug_span!(
                "yunxiao.request",
                operation = meta.action,
                attempt,
                status = tracing::field::Empty,
                request_id = tracing::field::Empty,
            );
            let remaining = inner.deadline.saturating_sub(started.elapsed());
            let result = self
                .attempt::<O>(meta, &http, attempt, remaining)
                .instrument(span.clone())
                .await;
            let err = match result {
                Ok(response) => {
                    inner.retry.budget.on_success(retry_cost);
                    return Ok(response);
                }
                Err(err @ Error::DeadlineExceeded { .. }) => return Err(err),
                Err(err) => err,
            };
            let remaining = inner.deadline.saturating_sub(started.elapsed());
            let Some((wait, cost)) = inner.retry.next_retry(meta, &err, attempt, remaining) else {
                return Err(err);
            };
            span.in_scope(|| tracing::debug!(error = %err, ?wait, "retrying"));
            tokio::time::sleep(wait).await;
            retry_cost = Some(cost);
            attempt += 1;
        }
    }

    /// One signed attempt, given `remaining` of the operation deadline.
    async fn attempt<O: Operation>(
        &self,
        meta: &'static OperationMeta,
        req: &HttpRequest,
        attempt: u32,
        remaining: Duration,
    ) -> Result<O::Response, Error> {
        let inner = &self.inner;
        // The attempt ends at its own timeout or at the deadline, whichever comes first.
        let cut_by_deadline = remaining < inner.timeout;
        let timed_out = || {
            if cut_by_deadline {
                Error::DeadlineExceeded {
                    operation: meta.action,
                    deadline: inner.deadline,
                    attempts: attempt,
                }
            } else {
                Error::Timeout {
                    operation: meta.action,
                    timeout: inner.timeout,
                }
            }
        };
        if remaining.is_zero() {
            return Err(Error::DeadlineExceeded {
                operation: meta.action,
                deadline: inner.deadline,
                attempts: attempt - 1,
            });
        }
        let limit = remaining.min(inner.timeout);
        match tokio::time::timeout(limit, self.exchange::<O>(meta, req, limit, &timed_out)).await {
            Ok(result) => result,
            Err(_) => Err(timed_out()),
        }
    }

    /// Signs a request without sending it: the method, URL, headers and body the client
    /// would send for `request` now, with fresh credentials from the provider, a fresh
    /// nonce and the current time. Sending signs with this same code, so what `sign`
    /// returns is what a call would have sent (apart from the transport headers, see
    /// [`SignedRequest`]).
    ///
    /// Its `Display` is an HTTP/1.1-style dump with every secret redacted, for a
    /// `--dry-run` or a bug report:
    ///
    /// ```no_run
    /// # async fn demo(client: yunxiao::Client) -> Result<(), yunxiao::Error> {
    /// let request = client
    ///     .get_project_info().organization_id("org").project_id("project")
    ///     .into_request();
    /// let signed = client.sign(&request).await?;
    /// print!("{signed}"); // GET https://devops.aliyuncs.com/organization/org/project/project HTTP/1.1 ...
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for a parameter that cannot be sent (a required one
    /// not set, ...), [`Error::Credentials`] when no credentials can be had, and
    /// [`Error::Config`] for credentials that cannot be sent.
    pub async fn sign<O: Operation>(&self, request: &O) -> Result<SignedRequest, Error> {
        let http = request.to_http_request()?;
        self.sign_http(O::META, &http).await
    }

    /// Signs one attempt of `req`: what [`Client::sign`] returns and what
    /// [`Client::exchange`] sends.
    async fn sign_http(
        &self,
        meta: &'static OperationMeta,
        req: &HttpRequest,
    ) -> Result<SignedRequest, Error> {
        let inner = &self.inner;
        let credentials = inner.credentials.provide_credentials().await?;
        check_credentials(&credentials)?;
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
        let base = inner.endpoint.to_string();
        let mut url = format!("{base}{}", req.path);
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&encode::wire_query(&req.query));
        }
        let url = reqwest::Url::parse(&url)
            .map_err(|e| Error::config(format!("cannot form a URL for {}: {e}", meta.action)))?;
        Ok(SignedRequest {
            method: req.method,
            url,
            base,
            path: req.path.clone(),
            query: req.query.clone(),
            headers,
            body: req.body.as_ref().map(|b| b.bytes.clone()),
            secret_names: req.secret_names.clone(),
        })
    }

    /// Signs, sends and reads one attempt.
    async fn exchange<O: Operation>(
        &self,
        meta: &'static OperationMeta,
        req: &HttpRequest,
        limit: Duration,
        timed_out: &(dyn Fn() -> Error + Sync),
    ) -> Result<O::Response, Error> {
        let inner = &self.inner;
        let SignedRequest {
            method,
            url,
            headers,
            body,
            ..
        } = self.sign_http(meta, req).await?;
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| Error::config(format!("bad HTTP method {method}")))?;
        let mut builder = inner.http.request(method, url.clone()).timeout(limit);
        for (name, value) in &headers {
            // Every value was checked before; this only guards against a header that
            // still cannot be sent. The value is not shown: it may be a secret.
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                Error::config(format!("header `{name}` has a value that cannot be sent"))
            })?;
            // `host` is sent explicitly: the URL drops a default port (`:443`, `:80`) that
            // the endpoint names and the signature covers.
            builder = builder.header(name.as_str(), value);
        }
        if let Some(body) = body {
            builder = builder.body(body);
        } else if matches!(req.method, "POST" | "PUT" | "PATCH" | "DELETE") {
            // As the official SDK sends; some gateways answer 411 without it.
            builder = builder.header(reqwest::header::CONTENT_LENGTH, "0");
        }

        let started = Instant::now();
        let transport = |e: reqwest::Error| -> Error {
            // A connect timeout stays a transport error: nothing reached the server.
            if e.is_timeout() && !e.is_connect() {
                timed_out()
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
        if response.url() != &url {
            // A caller's own HTTP client followed a redirect.
            return Err(Error::Redirect {
                operation: meta.action,
                status,
                location: Some(without_query(response.url().as_str())),
            });
        }
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                operation: meta.action,
                status,
                location: header("location").map(|l| without_query(&l)),
            });
        }
        let header_request_id = header("x-acs-request-id");
        let retry_after = header("x-acs-retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
        let bytes =
            read_capped(response, inner.max_response_size, meta, status, &transport).await?;
        let span = tracing::Span::current();
        span.record("status", status);
        tracing::debug!(elapsed = ?started.elapsed(), bytes = bytes.len(), "response");
        decode_response::<O::Response>(
            meta,
            status,
            &bytes,
            header_request_id,
            retry_after,
            &span,
            inner.decode_mode,
        )
    }
}

/// Why a header value cannot be sent, if it cannot: a control character (a line break
/// would end the header) or more than [`MAX_VALUE_BYTES`].
pub(crate) fn header_value_problem(value: &str) -> Option<&'static str> {
    if value.len() > MAX_VALUE_BYTES {
        Some("is longer than 64 KiB")
    } else if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        Some("contains a line break or another control character")
    } else {
        None
    }
}

/// Credentials that cannot be sent are a configuration error, found before sending.
/// Messages name the part, never its value.
fn check_credentials(c: &Credentials) -> Result<(), Error> {
    let parts = [
        ("access key id", Some(c.access_key_id())),
        ("access key secret", Some(c.access_key_secret())),
        ("security token", c.security_token()),
    ];
    for (what, value) in parts {
        if let Some(problem) = value.and_then(header_value_problem) {
            return Err(Error::Config(format!("the credentials' {what} {problem}")));
        }
    }
    Ok(())
}

/// A URL without its query or fragment, which may carry tokens; at most 200 bytes.
fn without_query(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    snippet(&url.as_bytes()[..end])
}

/// Reads a body of at most `cap` bytes into one buffer: memory follows the bytes kept,
/// not how many pieces a server cut them into, and stops growing at the cap.
async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
    meta: &'static OperationMeta,
    status: u16,
    transport: &(dyn Fn(reqwest::Error) -> Error + Sync),
) -> Result<Vec<u8>, Error> {
    let too_large = || Error::ResponseTooLarge {
        operation: meta.action,
        status,
        limit: cap,
    };
    let declared = response.content_length();
    if declared.is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if chunk.len() > cap - body.len() {
            return Err(too_large());
        }
        if body.capacity() - body.len() < chunk.len() {
            // Doubling, but never past the cap.
            let want = (body.capacity() * 2).max(body.len() + chunk.len()).min(cap);
            body.reserve_exact(want - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Turns a response into the typed value or an [`Error`].
fn decode_response<T: DeserializeOwned>(
    meta: &'static OperationMeta,
    status: u16,
    body: &[u8],
    header_request_id: Option<String>,
    retry_after: Option<Duration>,
    span: &tracing::Span,
    mode: DecodeMode,
) -> Result<T, Error> {
    let success_status = (200..300).contains(&status);
    let envelope = if meta.response_is_text && success_status {
        decode::Envelope::default()
    } else {
        decode::Envelope::parse(body)
    };
    let request_id = envelope.request_id.clone().or(header_request_id);
    if let Some(id) = &request_id {
        span.record("request_id", id.as_str());
    }
    // `x-acs-retry-after` marks an error answer as throttling; it does not turn a
    // successful answer into an error (that would retry a call that already took effect).
    if !success_status || envelope.says_failure() {
        let code = envelope
            .code
            .into_iter()
            .chain(envelope.error_code)
            .find(|c| !c.trim_matches(['"', ' ']).is_empty())
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
    decode::typed(body, mode).map_err(|f| decode_error(f.field, f.message))
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
