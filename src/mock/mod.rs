//! A local mock of the Yunxiao API, served from the same specs as the client.
//!
//! [`MockServer`] answers every operation in [`OPERATIONS`](crate::OPERATIONS) on
//! `127.0.0.1`: it routes by method and path template, verifies the request signature,
//! checks the `x-acs-action` header and the parameters against the spec, and answers
//! the documented example response. Per-operation overrides ([`MockReply`]) give errors,
//! other bodies, `success: false` or delays, for every call or for the next few.
//!
//! Answers the mock gives on its own:
//!
//! | status | code | when |
//! |---|---|---|
//! | 404 | `InvalidAction.NotFound` | no operation has this method and path |
//! | 403 | `SignatureDoesNotMatch`, `IncompleteSignature`, `InvalidAccessKeyId.NotFound`, `InvalidSecurityToken.Mismatch` | the signature does not verify |
//! | 400 | `InvalidAction.Mismatch`, `InvalidVersion` | wrong `x-acs-action` or `x-acs-version` |
//! | 400 | [`PARAM_NOT_PRESENT`], [`TYPE_MISMATCH`], [`MALFORMED_BODY`] | a parameter is missing or does not parse as its type |
//! | 413 | `RequestEntityTooLarge` | the body exceeds the limit (10 MiB by default) |
//! | 400 | `InvalidTimeStamp.Expired` | a V3 `x-acs-date` more than 15 minutes off (switch: [`MockServerBuilder::check_timestamps`]) |
//! | 400 | `SignatureNonceUsed` | an `x-acs-signature-nonce` seen in the last 15 minutes (switch: [`MockServerBuilder::check_nonces`]) |
//! | 408 | `RequestTimeout` | the body did not arrive within the read timeout (10 s by default) |
//! | 500 | `Mock.AnswerMismatch` | the mock's own 2xx answer does not decode into the response type ([`AnswerCheck`]) |
//!
//! Requests are checked before their bodies are read: an unknown route, a missing or
//! unknown signature, an expired date or a declared length over the limit is answered
//! without buffering the body. Slow headers and bodies time out, and the recorded
//! requests are bounded in number and in bytes.
//!
//! Gateway errors carry `{"requestId", "Code", "Message"}`; parameter errors carry both
//! that and the Yunxiao form `{"errorCode", "errorMessage", "success": false}`.
//!
//! Enabled by the `mock` feature.

mod check;
mod example;
mod paging;
mod reply;
mod routes;
mod server;
mod validate;

pub use check::{answer_check, check_answer, AnswerCheck, CheckAnswer};
pub use example::{
    call_example, example_call, example_response, example_responses, stream_example, Example,
    ExampleCall, MockOperation, StreamExample,
};
pub use reply::{MockError, MockReply};
pub use server::{
    MockServer, MockServerBuilder, ReceivedRequest, DEFAULT_BODY_LIMIT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_READ_TIMEOUT, DEFAULT_RECORD_BYTES, DEFAULT_RECORD_LIMIT, MOCK_ACCESS_KEY_ID,
    MOCK_ACCESS_KEY_SECRET, REQUEST_TIME_WINDOW,
};
pub use validate::{MALFORMED_BODY, PARAM_NOT_PRESENT, TYPE_MISMATCH};
