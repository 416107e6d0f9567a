//! The HTTP server: accept loop, request handling and the test-facing handle.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use super::check::{AnswerCheck, CheckAnswer};
use super::paging;
use super::reply::{
    error_body, gateway_error_body, Example, MockError, MockReply, ReplyKind, JSON,
};
use super::routes::Router;
use super::validate::{self, RequestParts};
use crate::signing::{self, VerifyError};
use crate::{
    Client, ClientBuilder, Credentials, OperationMeta, PageWire, RetryConfig, API_VERSION,
};

/// Access key id the mock accepts by default (and its [`MockServer::client`] uses).
pub const MOCK_ACCESS_KEY_ID: &str = "mock-access-key-id";
/// Access key secret paired with [`MOCK_ACCESS_KEY_ID`].
pub const MOCK_ACCESS_KEY_SECRET: &str = "mock-access-key-secret";
/// Default cap on request bodies (10 MiB); larger bodies get HTTP 413.
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;
/// Default number of received requests kept for [`MockServer::requests`].
pub const DEFAULT_RECORD_LIMIT: usize = 10_000;
/// Default cap on the bytes kept for [`MockServer::requests`] (64 MiB): bodies, paths,
/// query and headers together.
pub const DEFAULT_RECORD_BYTES: usize = 64 * 1024 * 1024;
/// Default time a client has to send a request's headers, and then its body (10 s).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default number of connections served at once; further ones wait to be accepted.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// How far a V3 `x-acs-date` may be from the mock's clock, and how long a nonce is
/// remembered: 15 minutes, as the gateway.
pub const REQUEST_TIME_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Nonces remembered at most; past it the oldest are forgotten early.
const MAX_NONCES: usize = 100_000;

/// One request the mock received, as it arrived (also requests it rejected).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// The routed operation's action; without a route, the `x-acs-action` header (or
    /// empty).
    pub action: String,
    /// HTTP method.
    pub method: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// Decoded query pairs, in wire order.
    pub query: Vec<(String, String)>,
    /// Headers in wire order, names lower-case (values not valid UTF-8 are replaced).
    pub headers: Vec<(String, String)>,
    /// The body bytes (empty when the body was not read: refused before reading, too
    /// large or too slow; or when it alone exceeds the recording's byte cap).
    pub body: Vec<u8>,
    /// The HTTP status the mock answered.
    pub status: u16,
    /// The body the mock answered (empty when it alone exceeds the recording's byte cap).
    pub answer: Vec<u8>,
}

impl ReceivedRequest {
    /// Bytes this record holds, roughly.
    fn weight(&self) -> usize {
        let pairs =
            |p: &[(String, String)]| p.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
        self.action.len()
            + self.method.len()
            + self.path.len()
            + pairs(&self.query)
            + pairs(&self.headers)
            + self.body.len()
            + self.answer.len()
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body read as a form (`name=value&...`, percent-encoded, `+` for a space), as
    /// the mock reads form parameters.
    pub fn body_form(&self) -> Vec<(String, String)> {
        validate::parse_urlencoded(&self.body)
    }
}

/// Overrides of one server.
#[derive(Default)]
struct Overrides {
    /// Used for every call.
    always: HashMap<&'static str, MockReply>,
    /// Used first, for a number of calls each, in the order installed.
    limited: HashMap<&'static str, VecDeque<(usize, MockReply)>>,
}

impl Overrides {
    fn next(&mut self, action: &str) -> Option<MockReply> {
        if let Some(queue) = self.limited.get_mut(action) {
            if let Some((left, reply)) = queue.front_mut() {
                let reply = reply.clone();
                *left -= 1;
                if *left == 0 {
                    queue.pop_front();
                }
                return Some(reply);
            }
        }
        self.always.get(action).cloned()
    }
}

/// The recorded requests and the bytes they hold.
#[derive(Default)]
struct Recording {
    requests: VecDeque<ReceivedRequest>,
    bytes: usize,
}

/// Nonces seen in the last [`REQUEST_TIME_WINDOW`], oldest first.
#[derive(Default)]
struct Nonces {
    seen: HashSet<String>,
    order: VecDeque<(Instant, String)>,
}

impl Nonces {
    /// Records `nonce`; false if it was seen within the window.
    fn fresh(&mut self, nonce: &str) -> bool {
        let now = Instant::now();
        while let Some((at, old)) = self.order.front() {
            if now.duration_since(*at) < REQUEST_TIME_WINDOW && self.order.len() < MAX_NONCES {
                break;
            }
            self.seen.remove(old);
            self.order.pop_front();
        }
        if !self.seen.insert(nonce.to_string()) {
            return false;
        }
        self.order.push_back((now, nonce.to_string()));
        true
    }
}

struct State {
    router: Router,
    examples: HashMap<&'static str, Example>,
    /// Where each list operation pages, to page its example like the service.
    paging: HashMap<&'static str, PageWire>,
    /// Examples that fail the answer check, with why.
    bad_examples: HashMap<&'static str, String>,
    checks: HashMap<&'static str, CheckAnswer>,
    credentials: Vec<Credentials>,
    limits: MockServerBuilder,
    overrides: Mutex<Overrides>,
    recording: Mutex<Recording>,
    nonces: Mutex<Nonces>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these maps inconsistent; keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Configures a [`MockServer`]: which credentials it accepts, its checks and its limits.
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    credentials: Vec<Credentials>,
    verify_signatures: bool,
    body_limit: usize,
    record_limit: usize,
    record_bytes: usize,
    read_timeout: Duration,
    max_connections: usize,
    check_timestamps: bool,
    check_nonces: bool,
    answer_check: AnswerCheck,
    bind: SocketAddr,
}

impl Default for MockServerBuilder {
    fn default() -> Self {
        Self {
            credentials: Vec::new(),
            verify_signatures: true,
            body_limit: DEFAULT_BODY_LIMIT,
            record_limit: DEFAULT_RECORD_LIMIT,
            record_bytes: DEFAULT_RECORD_BYTES,
            read_timeout: DEFAULT_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            check_timestamps: true,
            check_nonces: true,
            answer_check: AnswerCheck::default(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

impl MockServerBuilder {
    /// Accepts requests signed with this AccessKey pair. The first credentials added are
    /// the ones [`MockServer::client`] uses. Without any, the mock accepts
    /// [`MOCK_ACCESS_KEY_ID`] / [`MOCK_ACCESS_KEY_SECRET`].
    pub fn access_key(self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials(Credentials::new(id, secret))
    }

    /// Accepts requests signed with these credentials. With a security token (STS), the
    /// request must also carry that token in `x-acs-security-token`.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// Whether to check signatures (default `true`). Without the check any
    /// `Authorization` header, or none, is accepted.
    pub fn verify_signatures(mut self, verify: bool) -> Self {
        self.verify_signatures = verify;
        self
    }

    /// The largest request body accepted, in bytes (default [`DEFAULT_BODY_LIMIT`]);
    /// larger ones get HTTP 413.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How many received requests [`MockServer::requests`] keeps, the most recent ones
    /// (default [`DEFAULT_RECORD_LIMIT`]; 0 keeps none).
    pub fn record_limit(mut self, requests: usize) -> Self {
        self.record_limit = requests;
        self
    }

    /// How many bytes the recorded requests may hold together (default
    /// [`DEFAULT_RECORD_BYTES`]); the oldest are forgotten first.
    pub fn record_bytes(mut self, bytes: usize) -> Self {
        self.record_bytes = bytes;
        self
    }

    /// Time a client has to send a request's headers, and then its body (default
    /// [`DEFAULT_READ_TIMEOUT`]). A slow body gets HTTP 408; slow headers end the
    /// connection.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Connections served at once (default [`DEFAULT_MAX_CONNECTIONS`]); further ones
    /// wait to be accepted.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Whether to refuse a V3 request whose `x-acs-date` is more than
    /// [`REQUEST_TIME_WINDOW`] from the mock's clock, as the gateway does (default
    /// `true`; turn it off to replay recorded requests).
    pub fn check_timestamps(mut self, check: bool) -> Self {
        self.check_timestamps = check;
        self
    }

    /// Whether to refuse a signed request whose `x-acs-signature-nonce` was seen in the
    /// last [`REQUEST_TIME_WINDOW`], as the gateway does (default `true`).
    pub fn check_nonces(mut self, check: bool) -> Self {
        self.check_nonces = check;
        self
    }

    /// How the mock checks its own 2xx JSON answers against the operation's response
    /// type (default [`AnswerCheck::Tolerant`]). [`MockReply::raw`] answers are never
    /// checked.
    pub fn check_answers(mut self, check: AnswerCheck) -> Self {
        self.answer_check = check;
        self
    }

    /// The loopback port to listen on (default 0: any free port, see
    /// [`MockServer::addr`]). The same as `.bind(127.0.0.1:port)`.
    pub fn port(self, port: u16) -> Self {
        self.bind(SocketAddr::from(([127, 0, 0, 1], port)))
    }

    /// The address to listen on (default `127.0.0.1:0`). The mock accepts any signed
    /// request for its credentials, so an address other machines can reach serves them
    /// too: keep it on loopback unless that is the point.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Binds its address (default `127.0.0.1` and a free port) and starts serving on the
    /// current Tokio runtime.
    ///
    /// # Panics
    ///
    /// If the address cannot be bound (see [`MockServerBuilder::try_start`]) or when
    /// called outside a Tokio runtime.
    pub async fn start(self) -> MockServer {
        let bind = self.bind;
        match self.try_start().await {
            Ok(server) => server,
            Err(e) => panic!("the mock server cannot bind {bind}: {e}"),
        }
    }

    /// Like [`MockServerBuilder::start`], returning a bind error (a port in use, ...)
    /// instead of panicking.
    pub async fn try_start(self) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(self.bind).await?;
        let addr = listener.local_addr()?;
        let mut credentials = self.credentials.clone();
        if credentials.is_empty() {
            credentials.push(Credentials::new(MOCK_ACCESS_KEY_ID, MOCK_ACCESS_KEY_SECRET));
        }
        let operations: &[&'static OperationMeta] = crate::OPERATIONS;
        let examples: HashMap<&'static str, Example> = operations
            .iter()
            .map(|m| (m.action, Example::of(m)))
            .collect();
        let checks: HashMap<&'static str, CheckAnswer> = crate::MOCK_OPERATIONS
            .iter()
            .map(|op| (op.meta.action, op.check_answer))
            .collect();
        // Examples are the same on every call: check each once.
        let bad_examples = operations
            .iter()
            .filter_map(|meta| {
                let example = examples.get(meta.action)?;
                let rendered = MockReply::example().render(meta, example, "check");
                answer_problem(meta, &checks, self.answer_check, &rendered.body)
                    .map(|problem| (meta.action, problem))
            })
            .collect();
        let paging = crate::MOCK_OPERATIONS
            .iter()
            .filter_map(|op| Some((op.meta.action, op.paging?)))
            .collect();
        let state = Arc::new(State {
            router: Router::new(operations),
            examples,
            paging,
            bad_examples,
            checks,
            credentials,
            limits: self,
            overrides: Mutex::new(Overrides::default()),
            recording: Mutex::new(Recording::default()),
            nonces: Mutex::new(Nonces::default()),
        });
        let (shutdown, shutdown_rx) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, state.clone(), shutdown_rx));
        Ok(MockServer {
            addr,
            state,
            shutdown: Some(shutdown),
            task,
        })
    }
}

/// A local server that answers every operation of the API from its spec.
///
/// It routes by method and path template, verifies signatures (V3, legacy and STS),
/// checks `x-acs-action` and the required parameters and their types, then answers the
/// operation's documented example (with a fresh request id) or an override. It stops
/// when dropped, closing every connection.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use yunxiao::mock::{MockReply, MockServer};
/// use yunxiao::projex::{GetProjectInfoErrorCode, GetProjectInfoRequest};
///
/// let server = MockServer::start().await;
/// let client = server.client();
/// let info = client
///     .get_project_info().organization_id("org").project_id("project").send()
///     .await?;
/// assert_eq!(info.project.and_then(|p| p.custom_code).as_deref(), Some("OJAY"));
///
/// server.respond("GetProjectInfo", MockReply::error("Operate.NoPermission"))?;
/// let err = client
///     .get_project_info().organization_id("org").project_id("project").send()
///     .await
///     .unwrap_err();
/// assert_eq!(err.code(), Some(GetProjectInfoErrorCode::OperateNoPermission));
/// assert_eq!(server.requests().len(), 2);
/// # Ok(())
/// # }
/// ```
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("credentials", &self.state.credentials)
            .field("verify_signatures", &self.state.limits.verify_signatures)
            .finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // Dropping the accept task drops its JoinSet, which aborts every connection.
        self.task.abort();
    }
}

impl MockServer {
    /// Starts a mock with the default test credentials ([`MOCK_ACCESS_KEY_ID`],
    /// [`MOCK_ACCESS_KEY_SECRET`]) on `127.0.0.1` and a free port.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound, or outside a Tokio runtime.
    pub async fn start() -> MockServer {
        MockServerBuilder::default().start().await
    }

    /// A builder to choose credentials and limits.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The credentials [`MockServer::client`] signs with (the first ones accepted).
    pub fn credentials(&self) -> &Credentials {
        &self.state.credentials[0]
    }

    /// A client builder pointed at the mock, with its credentials, retries disabled and
    /// a 10 s timeout; change what you need and `build()` it.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .endpoint(self.endpoint())
            .credentials(self.credentials().clone())
            .retry(RetryConfig::disabled())
            .timeout(Duration::from_secs(10))
    }

    /// A client for the mock (see [`MockServer::client_builder`]).
    ///
    /// # Panics
    ///
    /// Only if the HTTP client cannot be built at all (no TLS backend can initialise).
    pub fn client(&self) -> Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(e) => panic!("cannot build a client for the mock: {e}"),
        }
    }

    fn action(&self, action: &str) -> Result<&'static OperationMeta, MockError> {
        self.state
            .router
            .by_action(action)
            .ok_or_else(|| MockError::UnknownAction(action.to_string()))
    }

    /// Answers every later call of `action` with `reply` (replacing an earlier
    /// [`respond`](Self::respond) for it). Calls covered by
    /// [`respond_times`](Self::respond_times) come first.
    pub fn respond(&self, action: &str, reply: MockReply) -> Result<(), MockError> {
        let meta = self.action(action)?;
        reply.check(meta)?;
        lock(&self.state.overrides)
            .always
            .insert(meta.action, reply);
        Ok(())
    }

    /// Answers the next `times` calls of `action` with `reply`, then goes back to what it
    /// answered before. Several such overrides are used one after another, in the order
    /// installed (e.g. two 503s, then success, to test retries).
    pub fn respond_times(
        &self,
        action: &str,
        times: usize,
        reply: MockReply,
    ) -> Result<(), MockError> {
        let meta = self.action(action)?;
        reply.check(meta)?;
        if times > 0 {
            lock(&self.state.overrides)
                .limited
                .entry(meta.action)
                .or_default()
                .push_back((times, reply));
        }
        Ok(())
    }

    /// Removes every override of `action`: it answers its example again.
    pub fn reset(&self, action: &str) -> Result<(), MockError> {
        let meta = self.action(action)?;
        let mut overrides = lock(&self.state.overrides);
        overrides.always.remove(meta.action);
        overrides.limited.remove(meta.action);
        Ok(())
    }

    /// Removes every override of every operation.
    pub fn reset_all(&self) {
        *lock(&self.state.overrides) = Overrides::default();
    }

    /// The requests received so far, oldest first (at most the record limits).
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.state.recording)
            .requests
            .iter()
            .cloned()
            .collect()
    }

    /// The requests received so far, forgetting them.
    pub fn take_requests(&self) -> Vec<ReceivedRequest> {
        std::mem::take(&mut *lock(&self.state.recording))
            .requests
            .into()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        *lock(&self.state.recording) = Recording::default();
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept(), if connections.len() < state.limits.max_connections => {
                match accepted {
                    Ok((stream, _)) => {
                        connections.spawn(serve_connection(stream, state.clone()));
                    }
                    // E.g. out of file descriptors: back off instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }
    }
    // `connections` is dropped here, aborting every connection task.
}

async fn serve_connection(stream: TcpStream, state: Arc<State>) {
    let _ = stream.set_nodelay(true);
    let read_timeout = state.limits.read_timeout;
    let service = service_fn(move |req| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handle(&state, req).await) }
    });
    // Errors (malformed HTTP, resets, slow headers) end this connection only.
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(read_timeout)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4()
        .hyphenated()
        .to_string()
        .to_ascii_uppercase()
}

/// What to answer and how long to wait first.
struct Answer {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
    delay: Option<Duration>,
}

impl Answer {
    fn gateway(status: u16, request_id: &str, code: &str, message: &str) -> Self {
        Self::json(status, gateway_error_body(request_id, code, message))
    }

    fn json(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type: JSON.to_string(),
            body,
            headers: Vec::new(),
            delay: None,
        }
    }
}

fn signature_error(e: &VerifyError) -> (&'static str, String) {
    let code = match e {
        VerifyError::MissingAuthorization
        | VerifyError::MalformedAuthorization(_)
        | VerifyError::MissingHeader(_)
        | VerifyError::UnsignedHeader(_)
        | VerifyError::UnsupportedSignatureMethod(_) => "IncompleteSignature",
        VerifyError::UnknownAccessKey(_) => "InvalidAccessKeyId.NotFound",
        _ => "SignatureDoesNotMatch",
    };
    (code, format!("The request signature is not valid: {e}."))
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let request_id = new_request_id();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = validate::parse_urlencoded(parts.uri.query().unwrap_or_default().as_bytes());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let header_action = parts
        .headers
        .get("x-acs-action")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let declared_len = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());

    let mut action = header_action.clone().unwrap_or_default();
    let request = Head {
        request_id: &request_id,
        method: &method,
        path: &path,
        query: &query,
        headers: &headers,
        header_action: header_action.as_deref(),
    };
    // What can be refused from the headers alone is refused before reading the body.
    let (answer, body) = match precheck(state, &request, declared_len, &mut action) {
        Err(answer) => (answer, Vec::new()),
        Ok(()) => match read_body(state, &request_id, body, declared_len).await {
            Err(answer) => (answer, Vec::new()),
            Ok(body) => (decide(state, &request, &body), body),
        },
    };

    record(
        state,
        ReceivedRequest {
            action,
            method,
            path,
            query,
            headers,
            body,
            status: answer.status,
            answer: answer.body.clone(),
        },
    );

    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    build_response(answer, &request_id)
}

/// One request's head, as the checks see it.
struct Head<'a> {
    request_id: &'a str,
    method: &'a str,
    path: &'a str,
    query: &'a [(String, String)],
    headers: &'a [(String, String)],
    header_action: Option<&'a str>,
}

impl Head<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Keeps `request`, forgetting the oldest ones past the count or byte cap.
fn record(state: &State, mut request: ReceivedRequest) {
    let limits = &state.limits;
    if limits.record_limit == 0 {
        return;
    }
    if request.weight() > limits.record_bytes {
        request.body = Vec::new();
        request.answer = Vec::new();
    }
    let weight = request.weight();
    let mut recording = lock(&state.recording);
    while !recording.requests.is_empty()
        && (recording.requests.len() >= limits.record_limit
            || recording.bytes + weight > limits.record_bytes)
    {
        if let Some(old) = recording.requests.pop_front() {
            recording.bytes -= old.weight();
        }
    }
    if weight <= limits.record_bytes {
        recording.bytes += weight;
        recording.requests.push_back(request);
    }
}

/// The checks that need no body: route, a signature from a known key, the V3 date, and
/// the declared length.
fn precheck(
    state: &State,
    req: &Head<'_>,
    declared_len: Option<u64>,
    action: &mut String,
) -> Result<(), Answer> {
    if declared_len.is_some_and(|n| n > state.limits.body_limit as u64) {
        return Err(too_large(state, req.request_id));
    }
    let found = state.router.find(req.method, req.path);
    let Some(matched) = found
        .iter()
        .find(|m| Some(m.route.meta.action) == req.header_action)
        .or_else(|| found.first())
    else {
        return Err(Answer::gateway(
            404,
            req.request_id,
            "InvalidAction.NotFound",
            &format!("No operation matches {} {}.", req.method, req.path),
        ));
    };
    *action = matched.route.meta.action.to_string();
    if state.limits.verify_signatures {
        if let Err(e) = claimed_access_key(req.headers, &state.credentials) {
            let (code, message) = signature_error(&e);
            return Err(Answer::gateway(403, req.request_id, code, &message));
        }
    }
    if state.limits.check_timestamps {
        if let Some(date) = req.header("x-acs-date") {
            let fresh = parse_acs_date(date).is_some_and(|t| {
                let now = SystemTime::now();
                let skew = now.duration_since(t).unwrap_or_else(|e| e.duration());
                skew <= REQUEST_TIME_WINDOW
            });
            if !fresh {
                return Err(Answer::gateway(
                    400,
                    req.request_id,
                    "InvalidTimeStamp.Expired",
                    "Specified time stamp or date value is expired.",
                ));
            }
        }
    }
    Ok(())
}

fn too_large(state: &State, request_id: &str) -> Answer {
    Answer::gateway(
        413,
        request_id,
        "RequestEntityTooLarge",
        &format!(
            "The request body exceeds {} bytes.",
            state.limits.body_limit
        ),
    )
}

/// The access key id the `Authorization` header names, if the mock knows it. The full
/// verification, which needs the body, comes later.
fn claimed_access_key(
    headers: &[(String, String)],
    credentials: &[Credentials],
) -> Result<(), VerifyError> {
    let auth = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.as_str())
        .ok_or(VerifyError::MissingAuthorization)?;
    let key = if let Some(rest) = auth.strip_prefix("ACS3-HMAC-SHA256 ") {
        rest.split(',')
            .find_map(|part| part.trim().strip_prefix("Credential="))
    } else if let Some(rest) = auth.strip_prefix("acs ") {
        rest.rsplit_once(':').map(|(id, _)| id)
    } else {
        None
    };
    let key = key.ok_or_else(|| {
        VerifyError::MalformedAuthorization("no access key id in Authorization".into())
    })?;
    if credentials.iter().any(|c| c.access_key_id() == key) {
        Ok(())
    } else {
        Err(VerifyError::UnknownAccessKey(key.to_string()))
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` as a time.
fn parse_acs_date(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u16>().ok();
    let month = time::Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::from(num(0..4)?), month, num(8..10)? as u8).ok()?;
    let t =
        time::Time::from_hms(num(11..13)? as u8, num(14..16)? as u8, num(17..19)? as u8).ok()?;
    let secs = date.with_time(t).assume_utc().unix_timestamp();
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Reads the body into one buffer, within the size cap and the read timeout: memory
/// follows the bytes kept, however finely the client cuts them.
async fn read_body(
    state: &State,
    request_id: &str,
    mut body: Incoming,
    declared_len: Option<u64>,
) -> Result<Vec<u8>, Answer> {
    let limit = state.limits.body_limit;
    let read = async {
        let mut out = Vec::with_capacity(declared_len.map_or(0, |n| n as usize).min(64 * 1024));
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                Answer::gateway(
                    400,
                    request_id,
                    "InvalidRequest",
                    &format!("The request body cannot be read: {e}."),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                if data.len() > limit - out.len() {
                    return Err(too_large(state, request_id));
                }
                out.extend_from_slice(&data);
            }
        }
        Ok(out)
    };
    match tokio::time::timeout(state.limits.read_timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(Answer::gateway(
            408,
            request_id,
            "RequestTimeout",
            "The request body did not arrive in time.",
        )),
    }
}

fn build_response(answer: Answer, request_id: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&answer.content_type) {
        headers.insert(CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-acs-request-id", v);
    }
    for (name, value) in &answer.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(n, v);
        }
    }
    response
}

/// Routes, verifies and checks one request, and picks its answer.
fn decide(state: &State, req: &Head<'_>, body: &[u8]) -> Answer {
    let (request_id, method, path, headers, header_action) = (
        req.request_id,
        req.method,
        req.path,
        req.headers,
        req.header_action,
    );
    // 1. Route by method and path; the action header settles overlapping templates.
    let found = state.router.find(method, path);
    let Some(matched) = found
        .iter()
        .find(|m| Some(m.route.meta.action) == header_action)
        .or_else(|| found.first())
    else {
        return Answer::gateway(
            404,
            request_id,
            "InvalidAction.NotFound",
            &format!("No operation matches {method} {path}."),
        );
    };
    let meta = matched.route.meta;

    // 2. Signature, then the nonce of a signed request.
    if state.limits.verify_signatures {
        let lookup = |ak: &str| {
            state
                .credentials
                .iter()
                .find(|c| c.access_key_id() == ak)
                .map(|c| c.access_key_secret().to_string())
        };
        match signing::verify(method, path, req.query, headers, body, lookup) {
            Err(e) => {
                let (code, message) = signature_error(&e);
                return Answer::gateway(403, request_id, code, &message);
            }
            Ok(verified) => {
                let expected = state
                    .credentials
                    .iter()
                    .find(|c| c.access_key_id() == verified.access_key_id)
                    .and_then(|c| c.security_token());
                if let Some(token) = expected {
                    if verified.security_token.as_deref() != Some(token) {
                        return Answer::gateway(
                            403,
                            request_id,
                            "InvalidSecurityToken.Mismatch",
                            "The security token does not match the access key.",
                        );
                    }
                }
            }
        }
    }
    if state.limits.check_nonces {
        if let Some(nonce) = req.header("x-acs-signature-nonce") {
            if !lock(&state.nonces).fresh(nonce) {
                return Answer::gateway(
                    400,
                    request_id,
                    "SignatureNonceUsed",
                    "Specified signature nonce was used already.",
                );
            }
        }
    }

    // 3. Action and version headers.
    if header_action != Some(meta.action) {
        return Answer::gateway(
            400,
            request_id,
            "InvalidAction.Mismatch",
            &format!(
                "x-acs-action is {}, but {method} {path} is {}.",
                header_action.map_or("missing".to_string(), |a| format!("'{a}'")),
                meta.action
            ),
        );
    }
    if req.header("x-acs-version") != Some(API_VERSION) {
        return Answer::gateway(
            400,
            request_id,
            "InvalidVersion",
            &format!("x-acs-version must be {API_VERSION}."),
        );
    }

    // 4. Parameters.
    let parts = RequestParts {
        path_params: &matched.params,
        query: req.query,
        headers,
        body,
    };
    if let Err(invalid) = validate::check(meta, &parts) {
        return Answer::json(
            400,
            error_body(request_id, invalid.code, &invalid.message, true),
        );
    }

    // 5. The override or the example, checked against the response type.
    let reply = lock(&state.overrides)
        .next(meta.action)
        .unwrap_or_else(MockReply::example);
    let fallback = Example::Empty;
    let mut example = state.examples.get(meta.action).unwrap_or(&fallback).clone();
    // The documented example is paged like the service pages: page size, cursor, total.
    if let (ReplyKind::Example, Some(wire), Example::Json(items)) =
        (&reply.kind, state.paging.get(meta.action), &example)
    {
        example = Example::Json(Cow::Owned(paging::page(items, wire, req.query, body)));
    }
    let rendered = reply.render(meta, &example, request_id);
    let problem = match &reply.kind {
        ReplyKind::Raw { .. } => None,
        ReplyKind::Example => state.bad_examples.get(meta.action).cloned(),
        _ if (200..300).contains(&rendered.status) => answer_problem(
            meta,
            &state.checks,
            state.limits.answer_check,
            &rendered.body,
        ),
        _ => None,
    };
    if let Some(problem) = problem {
        return Answer::gateway(
            500,
            request_id,
            "Mock.AnswerMismatch",
            &format!(
                "The mock's answer for {} does not match its response type {problem}",
                meta.action
            ),
        );
    }
    Answer {
        status: rendered.status,
        content_type: rendered.content_type,
        body: rendered.body,
        headers: reply.headers,
        delay: reply.delay,
    }
}

/// Why `body` is not a valid answer of `meta` under `check`, if it is not.
fn answer_problem(
    meta: &OperationMeta,
    checks: &HashMap<&'static str, CheckAnswer>,
    check: AnswerCheck,
    body: &[u8],
) -> Option<String> {
    if check == AnswerCheck::Off || meta.response_is_text {
        return None;
    }
    let check_fn = checks.get(meta.action)?;
    check_fn(body, check).err()
}
