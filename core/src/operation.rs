//! What every generated operation provides: its metadata and how to build its HTTP request.

use serde::de::DeserializeOwned;

pub use yunxiao_vocab::{BodyEncoding, HttpMethod, ParamLocation, TypeWord};

use crate::{Envelope, Error};

/// Static facts about one operation, taken from its spec.
#[derive(Debug)]
pub struct OperationMeta {
    /// Wire action name (`x-acs-action`).
    pub action: &'static str,
    /// HTTP method.
    pub method: HttpMethod,
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
}

impl OperationMeta {
    /// The documented entry for an error code, if the spec lists it.
    pub fn error_doc(&self, code: &str) -> Option<&'static ErrorDoc> {
        self.errors.iter().find(|e| e.code == code)
    }
}

/// One parameter's metadata.
#[derive(Debug)]
pub struct ParamMeta {
    /// Wire name.
    pub name: &'static str,
    /// Where it goes.
    pub location: ParamLocation,
    /// Its spec type (a shape counts as `object`, or `string` for an enum shape).
    pub ty: TypeWord,
    /// Whether it must be sent.
    pub required: bool,
    /// Whether its value is a secret (redacted from `Debug`).
    pub secret: bool,
}

impl ParamMeta {
    const fn new(name: &'static str, location: ParamLocation, ty: TypeWord) -> Self {
        Self {
            name,
            location,
            ty,
            required: false,
            secret: false,
        }
    }

    /// A path parameter (always required).
    pub const fn path(name: &'static str, ty: TypeWord) -> Self {
        Self::new(name, ParamLocation::Path, ty).required()
    }

    /// An optional query parameter.
    pub const fn query(name: &'static str, ty: TypeWord) -> Self {
        Self::new(name, ParamLocation::Query, ty)
    }

    /// An optional header parameter.
    pub const fn header(name: &'static str, ty: TypeWord) -> Self {
        Self::new(name, ParamLocation::Header, ty)
    }

    /// An optional body field.
    pub const fn body(name: &'static str, ty: TypeWord) -> Self {
        Self::new(name, ParamLocation::Body, ty)
    }

    /// The same parameter, required.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The same parameter, secret.
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }
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

/// An operation's typed error-code enum (generated per operation). The error of a call,
/// [`Error<C>`](crate::Error), carries it as `C`, so a code is read with the operation's own
/// enum and no other.
pub trait ApiErrorCode: Sized {
    /// The variant for a wire code; undocumented codes become `Unknown(code)`.
    fn from_code(code: &str) -> Self;
    /// The wire code.
    fn as_str(&self) -> &str;
}

/// The error codes of an operation that documents none: every code is `Unknown(code)`.
/// Such an operation's `<Action>ErrorCode` is an alias of this type; when its spec gains
/// documented codes, the alias becomes an enum with the same `Unknown` variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UndocumentedCode {
    /// The code, as sent.
    Unknown(String),
}

impl ApiErrorCode for UndocumentedCode {
    fn from_code(code: &str) -> Self {
        Self::Unknown(code.to_string())
    }
    fn as_str(&self) -> &str {
        match self {
            Self::Unknown(code) => code,
        }
    }
}

/// A request value of one operation. Generated for every spec; use it through the
/// `Client` methods or `Client::send`.
pub trait Operation: Send + Sync {
    /// The decoded response.
    type Response: DeserializeOwned + Envelope + Send;
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
                            crate::secret::REDACTED.to_string()
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
