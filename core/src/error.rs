//! The one error type every call returns.

use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::credentials::CredentialsError;
use crate::operation::{ApiErrorCode, ErrorDoc};

/// Everything that can go wrong with a call.
///
/// `C` is the error-code enum of the operation the error came from (for example
/// `Error<GetProjectInfoErrorCode>`), so [`Error::code`] reads the code with that enum and no
/// other. `Error` alone (`C` = [`AnyCode`]) is any operation's error: every `Error<C>`
/// converts into it, so `?` works in a function that calls several operations.
///
/// ```no_run
/// # async fn demo(client: yunxiao::Client) {
/// use yunxiao::projex::{GetProjectInfoErrorCode, GetProjectInfoRequest};
///
/// let err = client
///     .get_project_info().organization_id("org").project_id("project").send()
///     .await
///     .unwrap_err();
/// let code: Option<GetProjectInfoErrorCode> = err.code();
/// if code == Some(GetProjectInfoErrorCode::OperateNoPermission) { /* ... */ }
/// # }
/// ```
///
/// Reading it with another operation's codes does not compile:
///
/// ```compile_fail,E0308
/// # async fn demo(client: yunxiao::Client) {
/// use yunxiao::flow::PassPipelineValidateErrorCode;
/// use yunxiao::projex::GetProjectInfoRequest;
///
/// let err = client
///     .get_project_info().organization_id("org").project_id("project").send()
///     .await
///     .unwrap_err();
/// let code: Option<PassPipelineValidateErrorCode> = err.code();
/// # }
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error<C = AnyCode> {
    /// The service answered with an error (non-2xx, or 2xx with `success: false`).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// A parameter value cannot be sent; nothing was sent.
    #[error("{operation}: invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The operation.
        operation: &'static str,
        /// Wire name of the parameter.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The request could not be sent or its response not read (connection refused, reset,
    /// TLS failure, ...).
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// One attempt got no complete response within the per-attempt timeout
    /// (`ClientBuilder::timeout`).
    #[error("{operation}: timed out after {timeout:?} (the per-attempt timeout)")]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// The operation deadline (`ClientBuilder::deadline`)
    /// expired: attempts and the waits between them took longer than it allows.
    #[error("{operation}: gave up after {deadline:?} (the operation deadline) and {attempts} attempt(s)")]
    DeadlineExceeded {
        /// The operation.
        operation: &'static str,
        /// The deadline that expired.
        deadline: Duration,
        /// Attempts started before it expired.
        attempts: u32,
    },
    /// The server answered with a redirect. A signed call is never redirected by the API,
    /// so the client does not follow it (that would send the request, and its tokens, to
    /// another host).
    #[error("{operation}: the server answered with a redirect (HTTP {status}) to {}; redirects are not followed", location.as_deref().unwrap_or("no Location"))]
    Redirect {
        /// HTTP status (3xx), or the final status when a caller's own HTTP client
        /// followed the redirect.
        status: u16,
        /// The operation.
        operation: &'static str,
        /// Where it pointed: the `Location` header, or the URL a caller's own HTTP client
        /// ended at, without its query string (which may carry tokens).
        location: Option<String>,
    },
    /// The response body exceeds the size cap
    /// (`ClientBuilder::max_response_size`); it
    /// was not read further.
    #[error("{operation}: the HTTP {status} response body exceeds the {limit}-byte cap")]
    ResponseTooLarge {
        /// The operation.
        operation: &'static str,
        /// HTTP status of the response.
        status: u16,
        /// The cap, in bytes.
        limit: usize,
    },
    /// A 2xx response whose body does not match the operation's response schema.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The client is misconfigured (bad endpoint, ...).
    #[error("configuration error: {0}")]
    Config(String),
    /// No credentials could be found or loaded.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// Never built: it only carries the code type `C`.
    #[doc(hidden)]
    #[error("unreachable")]
    __Code(Infallible, PhantomData<fn() -> C>),
}

// By hand: a derive would require `C: Debug`, which no value of `C` is ever shown by.
impl<C> fmt::Debug for Error<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => f.debug_tuple("Api").field(e).finish(),
            Error::InvalidParameter {
                operation,
                name,
                reason,
            } => f
                .debug_struct("InvalidParameter")
                .field("operation", operation)
                .field("name", name)
                .field("reason", reason)
                .finish(),
            Error::Transport { operation, source } => f
                .debug_struct("Transport")
                .field("operation", operation)
                .field("source", source)
                .finish(),
            Error::Timeout { operation, timeout } => f
                .debug_struct("Timeout")
                .field("operation", operation)
                .field("timeout", timeout)
                .finish(),
            Error::DeadlineExceeded {
                operation,
                deadline,
                attempts,
            } => f
                .debug_struct("DeadlineExceeded")
                .field("operation", operation)
                .field("deadline", deadline)
                .field("attempts", attempts)
                .finish(),
            Error::Redirect {
                status,
                operation,
                location,
            } => f
                .debug_struct("Redirect")
                .field("status", status)
                .field("operation", operation)
                .field("location", location)
                .finish(),
            Error::ResponseTooLarge {
                operation,
                status,
                limit,
            } => f
                .debug_struct("ResponseTooLarge")
                .field("operation", operation)
                .field("status", status)
                .field("limit", limit)
                .finish(),
            Error::Decode(e) => f.debug_tuple("Decode").field(e).finish(),
            Error::Config(m) => f.debug_tuple("Config").field(m).finish(),
            Error::Credentials(e) => f.debug_tuple("Credentials").field(e).finish(),
            Error::__Code(never, _) => match *never {},
        }
    }
}

/// The code type of [`Error`] when the operation is not known: codes are read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnyCode {}

impl<C> Error<C> {
    /// The same error with another code type (the value is moved, not changed).
    fn recode<D>(self) -> Error<D> {
        match self {
            Error::Api(e) => Error::Api(e),
            Error::InvalidParameter {
                operation,
                name,
                reason,
            } => Error::InvalidParameter {
                operation,
                name,
                reason,
            },
            Error::Transport { operation, source } => Error::Transport { operation, source },
            Error::Timeout { operation, timeout } => Error::Timeout { operation, timeout },
            Error::DeadlineExceeded {
                operation,
                deadline,
                attempts,
            } => Error::DeadlineExceeded {
                operation,
                deadline,
                attempts,
            },
            Error::Redirect {
                status,
                operation,
                location,
            } => Error::Redirect {
                status,
                operation,
                location,
            },
            Error::ResponseTooLarge {
                operation,
                status,
                limit,
            } => Error::ResponseTooLarge {
                operation,
                status,
                limit,
            },
            Error::Decode(e) => Error::Decode(e),
            Error::Config(m) => Error::Config(m),
            Error::Credentials(e) => Error::Credentials(e),
            Error::__Code(never, _) => match never {},
        }
    }

    /// This error as any operation's error.
    pub fn untyped(self) -> Error {
        self.recode()
    }

    /// The API error, if the service answered with one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The request id the service gave, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.as_api().and_then(|e| e.request_id.as_deref())
    }

    /// Whether retrying the same request may succeed: connection errors, timeouts, HTTP
    /// 5xx and throttling. This says nothing about whether a retry is safe: the client's
    /// own retries also weigh the operation's idempotency
    /// ([`DefaultRetryClassifier`](crate::retry::DefaultRetryClassifier)).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.status >= 500 || e.is_throttling(),
            Error::Timeout { .. } => true,
            Error::Transport { source, .. } => {
                source.is_connect() || source.is_request() || source.is_body()
            }
            _ => false,
        }
    }
}

impl Error {
    /// A configuration error (an untyped `Error`, so `?` needs no annotation).
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config(message.into())
    }

    /// The same error, for the operation whose codes are `C`.
    pub fn typed<C: ApiErrorCode>(self) -> Error<C> {
        self.recode()
    }

    /// The error code as the service sent it; `None` if this is not an API error.
    pub fn code(&self) -> Option<&str> {
        self.as_api().map(|e| e.code.as_str())
    }
}

impl<C: ApiErrorCode> Error<C> {
    /// The error code as the operation's enum (`Unknown(code)` for a code its spec does not
    /// list); `None` if this is not an API error.
    pub fn code(&self) -> Option<C> {
        self.as_api().map(|e| C::from_code(&e.code))
    }
}

impl<C: ApiErrorCode> From<Error<C>> for Error {
    fn from(e: Error<C>) -> Self {
        e.untyped()
    }
}

/// An error answer from the service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The operation.
    pub operation: &'static str,
    /// HTTP status.
    pub status: u16,
    /// Error code (`Code`, `code` or `errorCode` in the body); `HTTP<status>` when the
    /// body has none.
    pub code: String,
    /// Error message, if the body has one.
    pub message: String,
    /// Request id, from the body or the `x-acs-request-id` header.
    pub request_id: Option<String>,
    /// Positive `x-acs-retry-after` header: the service is throttling.
    pub retry_after: Option<Duration>,
    /// The spec's entry for this code, if documented for the operation.
    pub documented: Option<&'static ErrorDoc>,
    /// The first bytes of the body, for codes the body did not explain.
    pub body_snippet: String,
}

impl ApiError {
    /// Throttling: a `Throttling*` code, HTTP 429, or a positive `x-acs-retry-after`.
    pub fn is_throttling(&self) -> bool {
        self.code.starts_with("Throttling") || self.status == 429 || self.retry_after.is_some()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: HTTP {} {}",
            self.operation, self.status, self.code
        )?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(doc) = self.documented {
            if !doc.description.is_empty() {
                write!(f, " ({})", doc.description)?;
            }
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if self.message.is_empty() && self.documented.is_none() && !self.body_snippet.is_empty() {
            write!(f, "; body: {}", self.body_snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A response body that does not decode into the operation's response type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The operation.
    pub operation: &'static str,
    /// HTTP status of the response.
    pub status: u16,
    /// Path of the field that failed (`project.gmtCreate`), `.` for the whole body.
    pub field: String,
    /// What serde said.
    pub message: String,
    /// The first bytes of the body.
    pub body_snippet: String,
    /// Request id from the headers, if any.
    pub request_id: Option<String>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot decode the HTTP {} response at `{}`: {}; body starts: {}",
            self.operation, self.status, self.field, self.message, self.body_snippet
        )
    }
}

impl std::error::Error for DecodeError {}

/// Longest body prefix kept in errors, in bytes.
const SNIPPET_BYTES: usize = 200;

/// At most 200 bytes of a body, cut at a character boundary. Only that prefix is looked
/// at: converting a whole hostile body would cost memory in proportion to its size.
pub fn snippet(body: &[u8]) -> String {
    let mut head = &body[..body.len().min(SNIPPET_BYTES)];
    if head.len() < body.len() {
        // Drop a character cut in half at the end; invalid bytes elsewhere are replaced.
        if let Err(e) = std::str::from_utf8(head) {
            if e.error_len().is_none() {
                head = &head[..e.valid_up_to()];
            }
        }
    }
    let mut s = String::from_utf8_lossy(head).into_owned();
    if head.len() < body.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::snippet;

    #[test]
    fn snippet_is_bounded_and_cut_at_a_character() {
        assert_eq!(snippet(b"short"), "short");
        let long = "é".repeat(300);
        let s = snippet(long.as_bytes());
        assert!(s.ends_with('…') && s.len() <= 203, "{s}");
        assert!(s.trim_end_matches('…').chars().all(|c| c == 'é'));
        let bad = vec![0xFFu8; 10_000];
        let s = snippet(&bad);
        assert_eq!(s.chars().filter(|c| *c == '\u{FFFD}').count(), 200);
    }
}
