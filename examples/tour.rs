//! Placeholder until the mock server lands.
fn main() {}
