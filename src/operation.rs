//! What every generated operation provides: its metadata and how to build its HTTP request.

use serde::de::DeserializeOwned;

use crate::Error;

/// Static facts about one operation, taken from its spec.
#[derive(Debug)]
pub struct OperationMeta {
    /// Wire action name (`x-acs-action`).
    pub action: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Whether repeating the call has no further effect, so that it may be retried after
    /// the server got it (from the spec; by default GET, PUT and DELETE are, POST and
    /// PATCH are not). Read by the retry policy ([`crate::retry`]).
    pub idempotent: bool,
    /// Path template, e.g. `/organization/{organizationId}/project/{projectId}`.
    pub path: &'static str,
    /// The module the operation lives in (`flow`, `codeup`, ...).
    pub area: &'static str,
    /// How the request body is encoded.
    pub body: BodyEncoding,
    /// Whether the response body is plain text instead of JSON.
    pub response_is_text: bool,
    /// Every parameter.
    pub params: &'static [ParamMeta],
    /// Documented error codes.
    pub errors: &'static [ErrorDoc],
    /// The documented example response body.
    pub example_response: Option<&'static str>,
}

impl OperationMeta {
    /// The documented entry for an error code, if the spec lists it.
    pub fn error_doc(&self, code: &str) -> Option<&'static ErrorDoc> {
        self.errors.iter().find(|e| e.code == code)
    }
}

/// Request body encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyEncoding {
    /// No body.
    None,
    /// A JSON object of the body parameters.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A header.
    Header,
    /// A field of the body.
    Body,
}

/// One parameter's metadata.
#[derive(Debug)]
pub struct ParamMeta {
    /// Wire name.
    pub name: &'static str,
    /// Where it goes.
    pub location: ParamLocation,
    /// Spec type word (`string`, `long`, `array`, ...).
    pub ty: &'static str,
    /// Whether it must be sent.
    pub required: bool,
    /// Whether its value is a secret (redacted from `Debug`).
    pub secret: bool,
}

/// A documented error code.
#[derive(Debug, PartialEq, Eq)]
pub struct ErrorDoc {
    /// HTTP status the documentation gives.
    pub status: u16,
    /// Error code.
    pub code: &'static str,
    /// English message.
    pub message: &'static str,
    /// Documented meaning.
    pub description: &'static str,
}

/// An operation's typed error-code enum (generated per operation).
pub trait ApiErrorCode: Sized {
    /// The variant for a wire code; undocumented codes become `Unknown(code)`.
    fn from_code(code: &str) -> Self;
    /// The wire code.
    fn as_str(&self) -> &str;
}

/// A request value of one operation. Generated for every spec; use it through the
/// `Client` methods or [`Client::send`](crate::Client::send).
pub trait Operation: Send + Sync {
    /// The decoded response.
    type Response: DeserializeOwned + Send;
    /// The operation's documented error codes.
    type ErrorCode: ApiErrorCode;
    /// Static facts from the spec.
    const META: &'static OperationMeta;
    /// Builds the unsigned HTTP request, checking parameter values first.
    fn to_http_request(&self) -> Result<HttpRequest, Error>;
}

/// An unsigned HTTP request, exactly as it will be sent apart from the signing headers.
/// `Debug` redacts the values of secret parameters.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// HTTP method.
    pub method: &'static str,
    /// Percent-encoded path.
    pub path: String,
    /// Decoded query pairs; unset parameters are absent.
    pub query: Vec<(String, String)>,
    /// Header parameters.
    pub headers: Vec<(String, String)>,
    /// Body and its content type.
    pub body: Option<RequestBody>,
    /// Wire names of secret parameters, whose values `Debug` hides.
    pub secret_names: Vec<&'static str>,
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |pairs: &[(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| {
                    let hidden = self.secret_names.iter().any(|s| s.eq_ignore_ascii_case(k));
                    (
                        k.clone(),
                        if hidden {
                            "<redacted>".to_string()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect()
        };
        let body_has_secret = self.body.is_some() && !self.secret_names.is_empty();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redact(&self.query))
            .field("headers", &redact(&self.headers))
            .field(
                "body",
                &self.body.as_ref().map(|b| {
                    if body_has_secret {
                        format!("<{} bytes, may hold secrets>", b.bytes.len())
                    } else {
                        String::from_utf8_lossy(&b.bytes).into_owned()
                    }
                }),
            )
            .finish()
    }
}

/// A serialized request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestBody {
    /// `content-type` header value.
    pub content_type: &'static str,
    /// The exact bytes sent (and hashed for the signature).
    pub bytes: Vec<u8>,
}
