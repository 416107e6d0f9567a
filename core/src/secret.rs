//! A parameter value that must not leak into logs.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::wire::QueryValue;

/// What stands in for a secret wherever one would be shown: `Debug` output, a signed
/// request's dump.
pub const REDACTED: &str = "<redacted>";

/// A value (an access token, an import token, ...) that `Debug` never shows. Request fields
/// the spec marks `secret` hold one, so no request's `Debug` output can print them; the
/// value goes on the wire unchanged.
///
/// ```
/// let token = yunxiao::Secret::new("pt-123".to_string());
/// assert_eq!(format!("{token:?}"), "\"<redacted>\"");
/// assert_eq!(token.expose(), "pt-123");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The value itself, unwrapped.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(REDACTED, f)
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: QueryValue> QueryValue for Secret<T> {
    fn to_query_value(&self) -> String {
        self.0.to_query_value()
    }
    fn query_text(&self) -> std::borrow::Cow<'_, str> {
        self.0.query_text()
    }
}

impl<T: Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}
