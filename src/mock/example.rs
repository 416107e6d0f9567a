//! Example requests built from the specs, for round-trip tests and the tour.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::{Client, Error, Operation, OperationMeta, PageWire, Paginate};

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
    /// For a list operation: where it pages (the mock pages its example like the service).
    pub paging: Option<PageWire>,
    /// For a list operation: streams its example request with a given page size and
    /// returns every item as JSON.
    pub stream_example: Option<StreamExample>,
}

/// A boxed run of one list operation's example request through its paginator: the page
/// size to ask for, and every item it streams, as JSON.
pub type StreamExample = for<'a> fn(
    &'a Client,
    i64,
) -> Pin<
    Box<dyn Future<Output = Result<Vec<serde_json::Value>, Error>> + Send + 'a>,
>;

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
            paging: None,
            stream_example: None,
        }
    }

    /// The entry for list operation `O`.
    pub const fn paged<O>() -> Self
    where
        O: Example + Paginate,
        O::Response: Serialize,
        O::Item: Serialize,
    {
        let mut entry = Self::of::<O>();
        entry.paging = Some(O::WIRE);
        entry.stream_example = Some(stream_example::<O>);
        entry
    }
}

/// Streams `O::example()` with page size `size` and returns every item as JSON.
pub fn stream_example<O>(
    client: &Client,
    size: i64,
) -> Pin<Box<dyn Future<Output = Result<Vec<serde_json::Value>, Error>> + Send + '_>>
where
    O: Example + Paginate,
    O::Item: Serialize,
{
    Box::pin(async move {
        let mut request = O::example();
        // Start at the beginning: the example's own cursor or page number is an example.
        request.reset_position();
        request.set_page_size(size);
        let mut items = crate::Paginator::new(client, request)
            .max_pages(10_000)
            .items();
        let mut out = Vec::new();
        while let Some(item) = items.try_next().await.map_err(Error::untyped)? {
            out.push(
                serde_json::to_value(&item)
                    .map_err(|e| Error::config(format!("cannot re-serialize an item: {e}")))?,
            );
        }
        Ok(out)
    })
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
