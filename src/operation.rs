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
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

/// A serialized request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestBody {
    /// `content-type` header value.
    pub content_type: &'static str,
    /// The exact bytes sent (and hashed for the signature).
    pub bytes: Vec<u8>,
}
