//! The client: configuration, sending, retries and response decoding.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH};
use tracing::Instrument;

use crate::credentials::{Credentials, DefaultChain, ProvideCredentials};
use crate::decode::{self, DecodeMode, ResponseSlot};
use crate::error::{snippet, ApiError, DecodeError};
use crate::operation::{HttpRequest, Operation, OperationMeta};
use crate::retry::{ClassifyRetry, DefaultRetryClassifier, RetryBudget, RetryConfig, RetryPolicy};
use crate::signed::SignedRequest;
use crate::signing::{self, encode, HeaderKey, HeaderText, RequestContext, SignatureVersion};
use crate::wire::header_value_problem;
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
        let text = text.trim();
        let (scheme, host) = match text.split_once("://") {
            Some((s, h)) => (s.to_ascii_lowercase(), h),
            None => ("https".to_string(), text),
        };
        if scheme != "https" && scheme != "http" {
            return Err(Error::Config(format!(
                "endpoint scheme must be http or https, not '{scheme}'"
            )));
        }
        // One trailing slash is allowed (`https://host/`); the scheme's own slashes are not
        // part of the host, so `http://` is an empty host, not a host named `http:`.
        let host = host.strip_suffix('/').unwrap_or(host);
        if !is_authority(host) {
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

/// `name[:port]` or `[ipv6][:port]`: a non-empty host name of letters, digits, `-` and
/// `.`, and a port from 1 to 65535.
fn is_authority(text: &str) -> bool {
    let (host_ok, port) = if let Some(rest) = text.strip_prefix('[') {
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        let ipv6 = !inside.is_empty()
            && inside
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        (ipv6, port)
    } else {
        let (name, port) = match text.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (text, None),
        };
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        (name_ok, port)
    };
    let port_ok = port.is_none_or(|p| {
        p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok_and(|p| p != 0)
    });
    host_ok && port_ok
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
    /// `{endpoint}/`, parsed once; each request sets its path and query on a copy. An
    /// endpoint that does not form a URL fails each call, as parsing it per call would.
    base_url: Result<reqwest::Url, String>,
    /// The `host` and `user-agent` header values, made once and shared by every request.
    host_header: HeaderValue,
    user_agent_header: HeaderValue,
    /// The HTTP client is ours, built not to follow redirects.
    own_http: bool,
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
        let own_http = self.http.is_none();
        let http = match self.http {
            Some(http) => http,
            // The API never redirects a signed call; following one would leak the
            // request to another host. No Referer: the URL may carry an access token.
            // Retries are this client's own (`retry.rs`); reqwest's retry layer, even
            // when it never retries, copies every request (headers, URI) in case it does.
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
                .retry(reqwest::retry::never().max_retries_per_request(0))
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
        let user_agent_header = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::config("the user agent cannot be sent as a header"))?;
        let host_header = HeaderValue::from_str(endpoint.host())
            .map_err(|_| Error::config("the endpoint's host cannot be sent as a header"))?;
        let base_url = reqwest::Url::parse(&format!("{endpoint}/")).map_err(|e| e.to_string());
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
                base_url,
                host_header,
                user_agent_header,
                own_http,
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
        // The only generic part: the request's fields in, the response type out. The
        // loop in between is the same code for every operation.
        let http = request.to_http_request().map_err(Error::typed)?;
        let mut response: Option<O::Response> = None;
        self.execute(O::META, http, &mut response)
            .await
            .map_err(Error::typed)?;
        response.ok_or_else(|| {
            Error::typed(Error::config(format!(
                "{}: the answer was accepted but not kept (a bug; please report it)",
                O::META.action
            )))
        })
    }

    /// Sends `http` with retries, leaving the decoded answer in `response`.
    async fn execute(
        &self,
        meta: &'static OperationMeta,
        http: HttpRequest,
        response: &mut dyn ResponseSlot,
    ) -> Result<(), Error> {
        let inner = &self.inner;
        let started = Instant::now();
        let request = Prepared::new(http);
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
                .attempt(meta, &request, attempt, remaining, &mut *response)
                .instrument(span.clone())
                .await;
            let err = match result {
                Ok(()) => {
                    inner.retry.budget.on_success(retry_cost);
                    return Ok(());
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
    async fn attempt(
        &self,
        meta: &'static OperationMeta,
        req: &Prepared,
        attempt: u32,
        remaining: Duration,
        response: &mut dyn ResponseSlot,
    ) -> Result<(), Error> {
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
        // One timer per attempt: this one covers sending and reading the whole body
        // (the request itself carries none).
        let limit = remaining.min(inner.timeout);
        let answer = match tokio::time::timeout(limit, self.exchange(meta, req, &timed_out)).await {
            Ok(answer) => answer?,
            Err(_) => return Err(timed_out()),
        };
        read_answer(
            meta,
            answer,
            &tracing::Span::current(),
            inner.decode_mode,
            response,
        )
    }

    /// Signs a request without sending it: the method, URL, headers and body the client
    /// would send for `request` now, with fresh credentials from the provider, a fresh
    /// nonce and the current time. Sending builds its request with this same code, so what
    /// `sign` returns is what a call would have sent (apart from the transport headers, see
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
        let prepared = Prepared::new(request.to_http_request()?);
        let built = self.build_request(O::META, &prepared).await?;
        let http = prepared.http;
        Ok(SignedRequest {
            method: http.method,
            url: built.url().clone(),
            base: self.inner.endpoint.to_string(),
            path: http.path,
            query: http.query,
            headers: built
                .headers()
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_string(), value)
                })
                .collect(),
            body: http.body.is_some().then(|| prepared.body.to_vec()),
            secret_names: http.secret_names,
        })
    }

    /// Signs one attempt of `req` and builds the HTTP request: what [`Client::sign`]
    /// shows and what [`Client::exchange`] sends.
    async fn build_request(
        &self,
        meta: &'static OperationMeta,
        req: &Prepared,
    ) -> Result<reqwest::Request, Error> {
        let inner = &self.inner;
        let http = &req.http;
        let credentials = inner.credentials.provide_credentials().await?;
        check_credentials(&credentials)?;
        let nonce = signing::nonce_bytes();
        // Hex digits: always UTF-8.
        let nonce = std::str::from_utf8(&nonce).unwrap_or_default();
        let content_type = http.body.as_ref().map(|b| b.content_type);
        let signed = signing::sign_headers(&RequestContext {
            version: inner.signature_version,
            method: http.method,
            host: inner.endpoint.host(),
            path: &http.path,
            query: &http.query,
            action: meta.action,
            api_version: API_VERSION,
            user_agent: &inner.user_agent,
            content_type,
            body: &req.body,
            timestamp: SystemTime::now(),
            nonce,
            credentials: &credentials,
            extra_headers: &http.headers,
        });
        let mut headers = HeaderMap::with_capacity(signed.len() + 1);
        for (key, text) in signed {
            let (name, value) = inner.header(meta, key, text, content_type)?;
            headers.append(name, value);
        }
        if http.body.is_none() && matches!(http.method, "POST" | "PUT" | "PATCH" | "DELETE") {
            // As the official SDK sends; some gateways answer 411 without it.
            headers.append(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }

        let mut url = match &inner.base_url {
            Ok(base) => base.clone(),
            Err(e) => {
                return Err(Error::config(format!(
                    "cannot form a URL for {}: {e}",
                    meta.action
                )))
            }
        };
        // The same URL as parsing `{endpoint}{path}?{query}`: the path template starts
        // with `/` and holds no `?`, `#` or spaces (the generator checks), and values
        // are percent-encoded.
        url.set_path(&http.path);
        if !http.query.is_empty() {
            url.set_query(Some(&encode::wire_query(&http.query)));
        }
        let method = reqwest::Method::from_bytes(http.method.as_bytes())
            .map_err(|_| Error::config(format!("bad HTTP method {}", http.method)))?;
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = headers;
        if http.body.is_some() {
            *request.body_mut() = Some(reqwest::Body::from(req.body.clone()));
        }
        Ok(request)
    }

    /// Signs, sends and reads one attempt.
    async fn exchange(
        &self,
        meta: &'static OperationMeta,
        req: &Prepared,
        timed_out: &(dyn Fn() -> Error + Sync),
    ) -> Result<Answer, Error> {
        let inner = &self.inner;
        let request = self.build_request(meta, req).await?;
        // Only a caller's own HTTP client can follow a redirect (ours never does).
        let sent_to = (!inner.own_http).then(|| request.url().clone());

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
        let mut response = inner.http.execute(request).await.map_err(transport)?;
        let status = response.status().as_u16();
        if let Some(sent_to) = sent_to {
            if response.url() != &sent_to {
                // A caller's own HTTP client followed a redirect.
                return Err(Error::Redirect {
                    operation: meta.action,
                    status,
                    location: Some(without_query(response.url().as_str())),
                });
            }
        }
        let headers = std::mem::take(response.headers_mut());
        if (300..400).contains(&status) {
            return Err(Error::Redirect {
                operation: meta.action,
                status,
                location: header_text(&headers, "location").map(|l| without_query(&l)),
            });
        }
        let body = read_capped(response, inner.max_response_size, meta, status, &transport).await?;
        tracing::Span::current().record("status", status);
        tracing::debug!(elapsed = ?started.elapsed(), bytes = body.len(), "response");
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// A request ready to send, as many times as the retries need.
struct Prepared {
    http: HttpRequest,
    /// The body (empty without one), shared by the attempts without copying.
    body: Bytes,
}

impl Prepared {
    fn new(mut http: HttpRequest) -> Self {
        let body = http
            .body
            .as_mut()
            .map(|b| Bytes::from(std::mem::take(&mut b.bytes)))
            .unwrap_or_default();
        Self { http, body }
    }
}

/// A response, read.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

/// The text of header `name`, if it is there and readable.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

impl Inner {
    /// One signed header as sent: the same bytes [`signing::sign_request`] gives, with
    /// known names taken ready-made and constant or per-client values shared rather than
    /// copied.
    fn header(
        &self,
        meta: &'static OperationMeta,
        key: HeaderKey<'_>,
        text: HeaderText<'_>,
        content_type: Option<&'static str>,
    ) -> Result<(HeaderName, HeaderValue), Error> {
        let name = match key.header_name() {
            Ok(name) => name.clone(),
            Err(name) => HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("header name `{name}` cannot be sent")))?,
        };
        let value = match (key, text) {
            (HeaderKey::Host, _) => self.host_header.clone(),
            (HeaderKey::UserAgent, _) => self.user_agent_header.clone(),
            (HeaderKey::ApiVersion, _) => HeaderValue::from_static(API_VERSION),
            (HeaderKey::Action, _) if is_visible_ascii(meta.action) => {
                HeaderValue::from_static(meta.action)
            }
            (HeaderKey::ContentType, _) if content_type.is_some_and(is_visible_ascii) => {
                HeaderValue::from_static(content_type.unwrap_or_default())
            }
            (_, HeaderText::Static(s)) if is_visible_ascii(s) => HeaderValue::from_static(s),
            (_, HeaderText::Owned(s)) => HeaderValue::try_from(s).map_err(|_| {
                // Every value was checked before; this only guards against a header that
                // still cannot be sent. The value is not shown: it may be a secret.
                header_error(key, self.signature_version)
            })?,
            (_, text) => HeaderValue::from_str(text.as_str())
                .map_err(|_| header_error(key, self.signature_version))?,
        };
        Ok((name, value))
    }
}

fn header_error(key: HeaderKey<'_>, version: SignatureVersion) -> Error {
    Error::config(format!(
        "header `{}` has a value that cannot be sent",
        key.name(version)
    ))
}

/// Whether `HeaderValue::from_static` takes `s` (it panics on anything else).
fn is_visible_ascii(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
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
/// not how many pieces a server cut them into, and stops growing at the cap. A body that
/// arrives whole in its first piece is kept as it came, without a copy.
async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
    meta: &'static OperationMeta,
    status: u16,
    transport: &(dyn Fn(reqwest::Error) -> Error + Sync),
) -> Result<Bytes, Error> {
    let too_large = || Error::ResponseTooLarge {
        operation: meta.action,
        status,
        limit: cap,
    };
    let declared = response.content_length();
    if declared.is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let mut first = true;
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if chunk.len() > cap - body.len() {
            return Err(too_large());
        }
        if std::mem::take(&mut first) {
            if declared == Some(chunk.len() as u64) {
                return Ok(chunk);
            }
            body.reserve_exact(declared.map_or(0, |n| n as usize));
        }
        if body.capacity() - body.len() < chunk.len() {
            // Doubling, but never past the cap.
            let want = (body.capacity() * 2).max(body.len() + chunk.len()).min(cap);
            body.reserve_exact(want - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(body))
}

/// Turns a response into the typed value (left in `response`) or an [`Error`].
fn read_answer(
    meta: &'static OperationMeta,
    answer: Answer,
    span: &tracing::Span,
    mode: DecodeMode,
    response: &mut dyn ResponseSlot,
) -> Result<(), Error> {
    let Answer {
        status,
        headers,
        body,
    } = answer;
    let body = &body[..];
    let success_status = (200..300).contains(&status);
    // The happy path parses the body once: plain serde reads the typed value and the
    // envelope's `success` together. Everything else reads the envelope on its own.
    if success_status && !meta.response_is_text && response.plain(body) == Some(false) {
        if !span.is_disabled() {
            let request_id = decode::Envelope::parse(body)
                .request_id
                .or_else(|| header_text(&headers, "x-acs-request-id"));
            if let Some(id) = &request_id {
                span.record("request_id", id.as_str());
            }
        }
        return Ok(());
    }
    let envelope = if meta.response_is_text && success_status {
        decode::Envelope::default()
    } else {
        decode::Envelope::parse(body)
    };
    let request_id = envelope
        .request_id
        .clone()
        .or_else(|| header_text(&headers, "x-acs-request-id"));
    if let Some(id) = &request_id {
        span.record("request_id", id.as_str());
    }
    // `x-acs-retry-after` marks an error answer as throttling; it does not turn a
    // successful answer into an error (that would retry a call that already took effect).
    if !success_status || envelope.says_failure() {
        let retry_after = header_text(&headers, "x-acs-retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map(Duration::from_millis);
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
        return response
            .text(text)
            .map_err(|message| decode_error(".".into(), message));
    }
    // Plain serde refused the body: the tolerant decoder converts what converts without
    // loss and names the field of any other mismatch.
    response
        .tolerant(body, mode)
        .map_err(|f| decode_error(f.field, f.message))
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
        let e = Endpoint::parse("HTTP://[::1]:8080").unwrap();
        assert_eq!((e.scheme(), e.host()), ("http", "[::1]:8080"));
        assert_eq!(Endpoint::parse("[::1]").unwrap().host(), "[::1]");
        assert_eq!(
            Endpoint::parse("Host-1.Example:443").unwrap().host(),
            "host-1.example:443"
        );
        for bad in [
            "",
            "ftp://x",
            "https://host/path",
            "http://",
            "https:///",
            "http://:8080",
            "host:",
            "host:http",
            "host:0",
            "host:65536",
            "host:80:80",
            "[::1",
            "[]:80",
            "[::1]80",
            "user@host",
            "a b",
            "host//",
        ] {
            let err = Endpoint::parse(bad).expect_err(bad);
            assert!(matches!(err, Error::Config(_)), "{bad}: {err}");
        }
    }

    /// The URL a request goes to is the one parsing `{endpoint}{path}?{query}` gives.
    #[test]
    fn urls_match_parsing_the_whole_text() {
        let query = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let paths = [
            "/",
            "/organization/5ebb/project/e8b2",
            "/appstack/apps%3Asearch",
            "/a/%2E%2E/b%2Fc/%25/~x",
            "/api/v4/projects/1/repository/files/a%20b%3Fc%23d",
            "/x/%E6%8F%8F",
        ];
        let queries = [
            query(&[]),
            query(&[("b", "x y"), ("a", "")]),
            query(&[("filePath", "/a b?c#d&e=f"), ("k", "描"), ("k", "1")]),
        ];
        for endpoint in [
            "https://devops.aliyuncs.com",
            "http://127.0.0.1:8080",
            "http://[::1]:1",
        ] {
            let base = reqwest::Url::parse(&format!("{endpoint}/")).unwrap();
            for path in paths {
                for q in &queries {
                    let mut text = format!("{endpoint}{path}");
                    let mut url = base.clone();
                    url.set_path(path);
                    if !q.is_empty() {
                        text.push('?');
                        text.push_str(&encode::wire_query(q));
                        url.set_query(Some(&encode::wire_query(q)));
                    }
                    assert_eq!(url, reqwest::Url::parse(&text).unwrap(), "{text}");
                }
            }
        }
    }
}
