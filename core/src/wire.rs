//! Helpers the generated code uses to build requests. Not a stable API.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::operation::{BodyEncoding, HttpRequest, OperationMeta, ParamLocation, RequestBody};
use crate::signing::encode::{percent_encode, percent_encode_into};
use crate::Error;

/// The longest path, query or header parameter value sent, in bytes. Servers refuse
/// longer request lines and headers by dropping the connection; refusing them here says
/// which parameter is at fault, before anything is sent.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;

/// Form bodies, as the official SDK sends them.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// A scalar that can stand in a path segment, the query or a header.
pub trait QueryValue {
    /// The value's text on the wire, before percent-encoding.
    fn to_query_value(&self) -> String;

    /// The same text, borrowed when the value already is text (no copy per call).
    fn query_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_query_value())
    }
}

macro_rules! display_query_value {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn to_query_value(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
display_query_value!(i32, i64, f32, f64, bool);

impl QueryValue for String {
    fn to_query_value(&self) -> String {
        self.clone()
    }
    fn query_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl QueryValue for str {
    fn to_query_value(&self) -> String {
        self.to_owned()
    }
    fn query_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn to_query_value(&self) -> String {
        (**self).to_query_value()
    }
    fn query_text(&self) -> Cow<'_, str> {
        (**self).query_text()
    }
}

/// A request object with required fields of its own (generated for request objects).
pub trait Required {
    /// The path of the first required field that is not set, below the object.
    fn missing(&self) -> Option<String>;
}

impl<T: Required> Required for [T] {
    fn missing(&self) -> Option<String> {
        self.iter()
            .enumerate()
            .find_map(|(i, item)| item.missing().map(|m| format!("{}.{m}", i + 1)))
    }
}

impl<T: Required> Required for Vec<T> {
    fn missing(&self) -> Option<String> {
        self.as_slice().missing()
    }
}

impl<T: Required> Required for BTreeMap<String, T> {
    fn missing(&self) -> Option<String> {
        self.iter()
            .find_map(|(k, v)| v.missing().map(|m| format!("{k}.{m}")))
    }
}

/// Builds one operation's [`HttpRequest`].
pub struct RequestBuilder {
    meta: &'static OperationMeta,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    // BTreeMap: the official SDK sends body keys sorted, and so do we.
    body: BTreeMap<String, Value>,
}

impl RequestBuilder {
    /// Starts a request for `meta`.
    pub fn new(meta: &'static OperationMeta) -> Self {
        Self {
            meta,
            // Room for the template with its parameters filled in, so that the path is
            // allocated once.
            path: String::with_capacity(meta.path.len() * 2),
            query: Vec::new(),
            headers: Vec::new(),
            body: BTreeMap::new(),
        }
    }

    fn invalid(&self, name: &str, reason: impl Into<String>) -> Error {
        Error::InvalidParameter {
            operation: self.meta.action,
            name: name.to_string(),
            reason: reason.into(),
        }
    }

    /// An array or object parameter as one JSON string.
    fn json_text<V: Serialize + ?Sized>(&self, name: &str, value: &V) -> Result<String, Error> {
        serde_json::to_string(value).map_err(|e| self.invalid(name, e.to_string()))
    }

    /// Appends literal path text from the template (already encoded as needed).
    pub fn path_literal(&mut self, text: &str) {
        self.path.push_str(text);
    }

    /// Appends one path parameter as one encoded segment. Unset, empty, `.` and `..` are
    /// refused: HTTP stacks drop dot segments after signing, so the request would go
    /// elsewhere.
    pub fn path_param<V: QueryValue + ?Sized>(
        &mut self,
        name: &str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        let Some(value) = value else {
            return Err(self.missing(name));
        };
        let value = value.query_text();
        match &*value {
            "" => return Err(self.invalid(name, "a path parameter must not be empty")),
            "." | ".." => {
                return Err(
                    self.invalid(name, format!("'{value}' is not allowed as a path segment"))
                )
            }
            _ => {}
        }
        if value.len() > MAX_VALUE_BYTES {
            return Err(self.invalid(name, "longer than 64 KiB"));
        }
        percent_encode_into(&mut self.path, &value);
        Ok(())
    }

    /// Refuses a request object whose own required fields are not all set (named as
    /// `param.field`).
    pub fn require<V: Required + ?Sized>(
        &mut self,
        name: &str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        match value.and_then(Required::missing) {
            Some(field) => Err(self.missing(&format!("{name}.{field}"))),
            None => Ok(()),
        }
    }

    fn missing(&self, name: &str) -> Error {
        self.invalid(name, "is required but not set")
    }

    /// Adds a query parameter if set.
    pub fn query<V: QueryValue + ?Sized>(&mut self, name: &str, value: Option<&V>) {
        if let Some(v) = value {
            self.query.push((name.to_string(), v.to_query_value()));
        }
    }

    /// Adds an array or object query parameter as one JSON string, if set.
    pub fn query_json<V: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        if let Some(v) = value {
            let text = self.json_text(name, v)?;
            self.query.push((name.to_string(), text));
        }
        Ok(())
    }

    /// Adds a header parameter if set.
    pub fn header<V: QueryValue + ?Sized>(
        &mut self,
        name: &str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        if let Some(v) = value {
            let text = v.to_query_value();
            if text.contains(['\r', '\n']) {
                return Err(self.invalid(name, "a header value must not contain line breaks"));
            }
            if let Some(problem) = header_value_problem(&text) {
                return Err(self.invalid(name, format!("a header value that {problem}")));
            }
            self.headers.push((name.to_ascii_lowercase(), text));
        }
        Ok(())
    }

    /// Adds an array or object header parameter as one JSON string, if set.
    pub fn header_json<V: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        if let Some(v) = value {
            let text = self.json_text(name, v)?;
            self.header(name, Some(&text))?;
        }
        Ok(())
    }

    /// Adds a body field if set.
    pub fn body_field<V: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: Option<&V>,
    ) -> Result<(), Error> {
        if let Some(v) = value {
            let value = serde_json::to_value(v).map_err(|e| self.invalid(name, e.to_string()))?;
            if let Value::Number(n) = &value {
                if n.as_f64().is_some_and(|f| !f.is_finite()) {
                    return Err(self.invalid(name, "not a finite number"));
                }
            }
            self.body.insert(name.to_string(), value);
        }
        Ok(())
    }

    /// The finished request. JSON operations always send an object (`{}` when no field is
    /// set), as the official SDK does; operations without a body send none.
    pub fn finish(self) -> Result<HttpRequest, Error> {
        if let Some((name, _)) = self.query.iter().find(|(_, v)| v.len() > MAX_VALUE_BYTES) {
            return Err(self.invalid(name, "longer than 64 KiB"));
        }
        // Path parameters were checked as they were added; the rest are checked here, so
        // a call without a required parameter is refused before anything is sent.
        for p in self.meta.params.iter().filter(|p| p.required) {
            let set = match p.location {
                ParamLocation::Path => true,
                ParamLocation::Query => self.query.iter().any(|(k, _)| k == p.name),
                ParamLocation::Header => self
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case(p.name)),
                ParamLocation::Body => self.body.contains_key(p.name),
            };
            if !set {
                return Err(self.missing(p.name));
            }
        }
        let body = match self.meta.body {
            BodyEncoding::None => None,
            BodyEncoding::Json => {
                let bytes = serde_json::to_vec(&self.body)
                    .map_err(|e| self.invalid("body", e.to_string()))?;
                Some(RequestBody {
                    content_type: crate::signing::JSON_CONTENT_TYPE,
                    bytes,
                })
            }
            BodyEncoding::Form => {
                let mut pairs = Vec::new();
                for (k, v) in &self.body {
                    flatten(k, v, &mut pairs);
                }
                Some(RequestBody {
                    content_type: FORM_CONTENT_TYPE,
                    bytes: form_encode(&pairs).into_bytes(),
                })
            }
        };
        let secret_names = self
            .meta
            .params
            .iter()
            .filter(|p| p.secret)
            .map(|p| p.name)
            .collect();
        Ok(HttpRequest {
            method: self.meta.method.as_str(),
            path: self.path,
            query: self.query,
            headers: self.headers,
            body,
            secret_names,
        })
    }
}

/// Flattens a JSON value into form pairs the way the official SDK does: objects as
/// `key.sub`, arrays as `key.1`, `key.2`, ...; null is left out.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Bool(_) | Value::Number(_) => out.push((prefix.to_string(), value.to_string())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{}", i + 1), item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
    }
}

/// `application/x-www-form-urlencoded` text (space as `+`).
pub fn form_encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_component(k), form_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn form_component(s: &str) -> String {
    percent_encode(s).replace("%20", "+")
}

/// Why a header value cannot be sent, if it cannot: a control character (a line break
/// would end the header) or more than [`MAX_VALUE_BYTES`].
pub fn header_value_problem(value: &str) -> Option<&'static str> {
    if value.len() > MAX_VALUE_BYTES {
        Some("is longer than 64 KiB")
    } else if value.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        Some("contains a line break or another control character")
    } else {
        None
    }
}
