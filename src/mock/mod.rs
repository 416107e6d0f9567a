//! A local mock of the Yunxiao API, served from the same specs as the client.

mod example;

pub use example::{call_example, example_call, Example, ExampleCall};
