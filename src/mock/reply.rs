//! What the mock answers: the documented example, or an override.

use std::borrow::Cow;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::OperationMeta;

/// An answer the mock gives instead of (or on top of) an operation's documented example.
///
/// Install one with [`MockServer::respond`](super::MockServer::respond) (every later
/// call) or [`MockServer::respond_times`](super::MockServer::respond_times) (the next
/// `n` calls). Overrides apply only to requests that pass the mock's checks (route,
/// signature, parameters).
///
/// ```
/// use std::time::Duration;
/// use yunxiao::mock::MockReply;
///
/// // The documented error, with the status and message the spec gives.
/// let denied = MockReply::error("Operate.NoPermission");
/// // A slow success.
/// let slow = MockReply::example().with_delay(Duration::from_millis(200));
/// // A 200 whose body says `success: false`.
/// let failed = MockReply::unsuccessful("Openapi.RequestError", "something went wrong");
/// # let _ = (denied, slow, failed);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MockReply {
    pub(crate) kind: ReplyKind,
    pub(crate) status: Option<u16>,
    pub(crate) delay: Option<Duration>,
    pub(crate) headers: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ReplyKind {
    /// The operation's `example_response`.
    Example,
    /// A JSON body, sent as given.
    Json(Value),
    /// Raw bytes with a content type.
    Raw { content_type: String, body: Vec<u8> },
    /// A documented error code of the operation.
    Documented(String),
    /// Any error code, in the Yunxiao form.
    Error {
        status: u16,
        code: String,
        message: String,
    },
    /// The example with `success: false` and an error code and message.
    Unsuccessful { code: String, message: String },
}

impl MockReply {
    fn of(kind: ReplyKind) -> Self {
        Self {
            kind,
            status: None,
            delay: None,
            headers: Vec::new(),
        }
    }

    /// The operation's documented `example_response` with HTTP 200 and a fresh request
    /// id (what the mock answers without an override). Combine it with
    /// [`with_delay`](Self::with_delay) or [`with_header`](Self::with_header).
    pub fn example() -> Self {
        Self::of(ReplyKind::Example)
    }

    /// `body` as JSON with HTTP `status`, sent exactly as given.
    pub fn json(status: u16, body: Value) -> Self {
        Self::of(ReplyKind::Json(body)).with_status(status)
    }

    /// Any bytes with HTTP `status` and a `content-type`, sent exactly as given.
    pub fn raw(status: u16, content_type: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Self::of(ReplyKind::Raw {
            content_type: content_type.into(),
            body: body.into(),
        })
        .with_status(status)
    }

    /// One of the operation's documented error codes (`OperationMeta::errors`), answered
    /// with the documented HTTP status and message in the Yunxiao form:
    /// `{"requestId", "errorCode", "errorMessage", "success": false}`.
    ///
    /// Installing it for an operation that does not document `code` fails with
    /// [`MockError::UndocumentedError`]; use [`MockReply::custom_error`] for any code.
    pub fn error(code: impl Into<String>) -> Self {
        Self::of(ReplyKind::Documented(code.into()))
    }

    /// Any error code with any HTTP status, in the Yunxiao form (see
    /// [`MockReply::error`]); e.g. `custom_error(503, "ServiceUnavailable", "try later")`.
    pub fn custom_error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::of(ReplyKind::Error {
            status,
            code: code.into(),
            message: message.into(),
        })
    }

    /// HTTP 200 with the example body changed to `success: false` and the given
    /// `errorCode` and `errorMessage` (the client reports it as an API error).
    pub fn unsuccessful(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::of(ReplyKind::Unsuccessful {
            code: code.into(),
            message: message.into(),
        })
    }

    /// Waits this long before answering (to test client timeouts).
    #[must_use]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Replaces the HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds a response header, e.g. `x-acs-retry-after: 100` to signal throttling.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Checks the reply can be given by `meta`.
    pub(crate) fn check(&self, meta: &OperationMeta) -> Result<(), MockError> {
        if let ReplyKind::Documented(code) = &self.kind {
            if meta.error_doc(code).is_none() {
                return Err(MockError::UndocumentedError {
                    action: meta.action.to_string(),
                    code: code.clone(),
                });
            }
        }
        if let Some(s) = self.status {
            if !(100..=999).contains(&s) {
                return Err(MockError::InvalidStatus(s));
            }
        }
        for (name, value) in &self.headers {
            let ok = hyper::header::HeaderName::from_bytes(name.as_bytes()).is_ok()
                && hyper::header::HeaderValue::from_str(value).is_ok();
            if !ok {
                return Err(MockError::InvalidHeader(name.clone()));
            }
        }
        Ok(())
    }
}

/// Why an override cannot be installed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// No operation has this action name.
    #[error("no operation is named `{0}`")]
    UnknownAction(String),
    /// [`MockReply::error`] with a code the operation does not document.
    #[error("{action} documents no error code `{code}` (use MockReply::custom_error)")]
    UndocumentedError {
        /// The operation.
        action: String,
        /// The code asked for.
        code: String,
    },
    /// A status outside 100..=999.
    #[error("{0} is not a valid HTTP status")]
    InvalidStatus(u16),
    /// A header name or value that cannot be sent.
    #[error("header `{0}` has an invalid name or value")]
    InvalidHeader(String),
}

/// A rendered answer.
pub(crate) struct Rendered {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

pub(crate) const JSON: &str = "application/json;charset=utf-8";

/// The example response of one operation.
#[derive(Debug, Clone)]
pub(crate) enum Example {
    /// A JSON document (an object gets a fresh request id).
    Json(Cow<'static, Value>),
    /// Text sent as written (a plain-text response).
    Text(&'static str),
    /// No documented example: `{}`.
    Empty,
}

impl Example {
    pub(crate) fn of(meta: &OperationMeta) -> Self {
        match super::example::example_response(meta.action) {
            None => Example::Empty,
            Some(Value::String(text)) if meta.response_is_text => Example::Text(text),
            Some(value) => Example::Json(Cow::Borrowed(value)),
        }
    }
}

/// Replaces `requestId` (or `RequestId`) in an object that has one.
fn fresh_request_id(value: &mut Value, request_id: &str) {
    if let Value::Object(map) = value {
        for key in ["requestId", "RequestId"] {
            if let Some(slot) = map.get_mut(key) {
                *slot = Value::String(request_id.to_string());
            }
        }
    }
}

fn to_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec())
}

/// The Yunxiao error form, with `Code`/`Message` too when `both` is set.
pub(crate) fn error_body(request_id: &str, code: &str, message: &str, both: bool) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("requestId".into(), request_id.into());
    map.insert("errorCode".into(), code.into());
    map.insert("errorMessage".into(), message.into());
    map.insert("success".into(), false.into());
    if both {
        map.insert("Code".into(), code.into());
        map.insert("Message".into(), message.into());
    }
    to_bytes(&Value::Object(map))
}

/// The gateway error form: `{"requestId", "Code", "Message"}`.
pub(crate) fn gateway_error_body(request_id: &str, code: &str, message: &str) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("requestId".into(), request_id.into());
    map.insert("Code".into(), code.into());
    map.insert("Message".into(), message.into());
    to_bytes(&Value::Object(map))
}

impl MockReply {
    /// The status, content type and body of this reply for an operation.
    pub(crate) fn render(
        &self,
        meta: &OperationMeta,
        example: &Example,
        request_id: &str,
    ) -> Rendered {
        let json = |status: u16, body: Vec<u8>| Rendered {
            status,
            content_type: JSON.to_string(),
            body,
        };
        let mut out = match &self.kind {
            ReplyKind::Example => match example {
                Example::Json(v) => {
                    let mut v = v.clone().into_owned();
                    fresh_request_id(&mut v, request_id);
                    json(200, to_bytes(&v))
                }
                Example::Text(t) => json(200, t.as_bytes().to_vec()),
                Example::Empty => json(200, b"{}".to_vec()),
            },
            ReplyKind::Json(v) => json(200, to_bytes(v)),
            ReplyKind::Raw { content_type, body } => Rendered {
                status: 200,
                content_type: content_type.clone(),
                body: body.clone(),
            },
            ReplyKind::Documented(code) => match meta.error_doc(code) {
                Some(doc) => json(
                    doc.status,
                    error_body(request_id, doc.code, doc.message, false),
                ),
                // Checked when installed; an unknown code still answers sensibly.
                None => json(400, error_body(request_id, code, "", false)),
            },
            ReplyKind::Error {
                status,
                code,
                message,
            } => json(*status, error_body(request_id, code, message, false)),
            ReplyKind::Unsuccessful { code, message } => {
                let mut map = match example {
                    Example::Json(v) => match v.as_ref() {
                        Value::Object(map) => map.clone(),
                        _ => Map::new(),
                    },
                    _ => Map::new(),
                };
                map.insert("requestId".into(), request_id.into());
                map.insert("success".into(), false.into());
                map.insert("errorCode".into(), code.as_str().into());
                map.insert("errorMessage".into(), message.as_str().into());
                json(200, to_bytes(&Value::Object(map)))
            }
        };
        if let Some(status) = self.status {
            out.status = status;
        }
        out
    }
}

#[cfg(all(test, feature = "projex"))]
mod tests {
    use super::*;

    fn meta() -> &'static OperationMeta {
        <crate::projex::GetProjectInfoRequest as crate::Operation>::META
    }

    fn example() -> Example {
        Example::of(meta())
    }

    #[test]
    fn documented_error_uses_the_spec() {
        let r = MockReply::error("Operate.NoPermission").render(meta(), &example(), "RID");
        assert_eq!(r.status, 403);
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"requestId": "RID", "errorCode": "Operate.NoPermission",
                "errorMessage": "NoPermission", "success": false})
        );
        assert!(MockReply::error("Nope").check(meta()).is_err());
    }

    #[test]
    fn example_gets_a_fresh_request_id() {
        let r = MockReply::example().render(meta(), &example(), "RID");
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["requestId"], "RID");
        assert_eq!(v["project"]["customCode"], "OJAY");
    }
}
