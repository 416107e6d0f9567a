//! Example requests built from the specs, for round-trip tests and the tour.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::{Client, Error, Operation};

/// A request filled from its spec's parameter examples (every optional parameter set).
pub trait Example: Operation + Sized {
    /// The example request.
    fn example() -> Self;
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
        let response = client.send(O::example()).await?;
        serde_json::to_value(&response)
            .map_err(|e| Error::Config(format!("cannot re-serialize the response: {e}")))
    })
}

/// The example call for an action, if there is such an operation.
pub fn example_call(action: &str) -> Option<ExampleCall> {
    crate::EXAMPLE_CALLS
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, call)| *call)
}
