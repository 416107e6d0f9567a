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
//!
//! Gateway errors carry `{"requestId", "Code", "Message"}`; parameter errors carry both
//! that and the Yunxiao form `{"errorCode", "errorMessage", "success": false}`.
//!
//! Enabled by the `mock` feature.

mod example;
mod reply;
mod routes;
mod server;
mod validate;

pub use example::{
    call_example, example_call, example_response, example_responses, Example, ExampleCall,
    MockOperation,
};
pub use reply::{MockError, MockReply};
pub use server::{
    MockServer, MockServerBuilder, ReceivedRequest, DEFAULT_BODY_LIMIT, DEFAULT_RECORD_LIMIT,
    MOCK_ACCESS_KEY_ID, MOCK_ACCESS_KEY_SECRET,
};
pub use validate::{MALFORMED_BODY, PARAM_NOT_PRESENT, TYPE_MISMATCH};
