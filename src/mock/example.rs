//! Example requests built from the specs, for round-trip tests and the tour.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::{Client, Error, Operation, OperationMeta};

/// An operation's example request (generated for every operation).
pub trait Example: Operation + Sized {
    /// A request filled from the spec's parameter examples (every optional parameter set).
    fn example() -> Self;
}

/// One operation as the mock serves it (the generated `MOCK_OPERATIONS` lists them all).
#[derive(Debug, Clone, Copy)]
pub struct MockOperation {
    /// The operation's metadata.
    pub meta: &'static OperationMeta,
    /// Sends its example request and returns the decoded response as JSON.
    pub call_example: ExampleCall,
    /// Checks a body against its response type (the mock checks its own answers).
    pub check_answer: super::CheckAnswer,
}

impl MockOperation {
    /// The entry for operation `O`.
    pub const fn of<O>() -> Self
    where
        O: Example + 'static,
        O::Response: Serialize,
    {
        Self {
            meta: O::META,
            call_example: call_example::<O>,
            check_answer: super::check_answer::<O>,
        }
    }
}

/// A boxed call of one operation's example request.
pub type ExampleCall =
    for<'a> fn(
        &'a Client,
    ) -> Pin<Box<dyn Future<Output = Result<serde_json::Value, Error>> + Send + 'a>>;

/// Sends `O::example()` and returns the typed response re-serialized as JSON.
pub fn call_example<O>(
    client: &Client,
) -> Pin<Box<dyn Future<Output = Result<serde_json::Value, Error>> + Send + '_>>
where
    O: Example + 'static,
    O::Response: Serialize,
{
    Box::pin(async move {
        let response = client.send(O::example()).await.map_err(Error::untyped)?;
        serde_json::to_value(&response)
            .map_err(|e| Error::Config(format!("cannot re-serialize the response: {e}")))
    })
}

/// The example call for an action, if there is such an operation.
pub fn example_call(action: &str) -> Option<ExampleCall> {
    crate::MOCK_OPERATIONS
        .iter()
        .find(|op| op.meta.action == action)
        .map(|op| op.call_example)
}

/// Every documented example response, by action, parsed once: the JSON value, or for a
/// plain-text response the text (as a JSON string).
pub fn example_responses() -> &'static serde_json::Map<String, serde_json::Value> {
    static PARSED: std::sync::OnceLock<serde_json::Map<String, serde_json::Value>> =
        std::sync::OnceLock::new();
    // The generator writes this file from checked specs; an empty map is the fallback.
    PARSED.get_or_init(|| serde_json::from_str(crate::EXAMPLE_RESPONSES).unwrap_or_default())
}

/// The documented example response of `action`.
pub fn example_response(action: &str) -> Option<&'static serde_json::Value> {
    example_responses().get(action)
}
