//! The YAML spec format as serde types: what `spec/*.yaml` files contain, before any checks.
//!
//! Keys are strict (`deny_unknown_fields`) so a misspelt key is an error, not a silent default.
//! Enumerated values (`method`, `type`, `in`, ...) are plain strings here and checked in
//! `validate`, which can name the field path in its message.

use serde::Deserialize;

/// One endpoint spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// `action`: the operation name exactly as the API spells it (`x-acs-action`).
    pub action: String,
    /// `summary`: one-line title as documented; first line of the rustdoc.
    pub summary: String,
    /// `summary_en`: optional English line added to the rustdoc.
    #[serde(default)]
    pub summary_en: Option<String>,
    /// `description`: longer text from the documentation page.
    #[serde(default)]
    pub description: Option<String>,
    /// `method`: HTTP method (`GET`, `POST`, `PUT`, `DELETE` or `PATCH`).
    pub method: String,
    /// `path`: path template starting with `/`; `{name}` marks a path parameter.
    pub path: String,
    /// `body`: request body encoding, `none` (default), `json` or `form`.
    #[serde(default)]
    pub body: Option<String>,
    /// `parameters`: the request parameters.
    #[serde(default)]
    pub parameters: Vec<NodeSpec>,
    /// `response`: schema of the 2xx response body.
    pub response: NodeSpec,
    /// `pagination`: how to page through results, if the operation lists.
    #[serde(default)]
    pub pagination: Option<PaginationSpec>,
    /// `errors`: documented error codes.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// `example_response`: documented example response body, served by the mock server.
    #[serde(default)]
    pub example_response: Option<String>,
    /// `notes`: judgements made while transcribing, kept in the generated docs.
    #[serde(default)]
    pub notes: Vec<String>,
    /// `idempotent`: whether repeating the call has no further effect, so the client may
    /// retry it after the server got it. Default: `true` for GET, PUT and DELETE, `false`
    /// for POST and PATCH.
    #[serde(default)]
    pub idempotent: Option<bool>,
}

/// A parameter or a schema node. Parameter-only keys (`in`, `secret`, `style`) are rejected
/// on response nodes by `validate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// `name`: wire name of a parameter or object field (absent on the response root and array items).
    #[serde(default)]
    pub name: Option<String>,
    /// `in`: where a parameter is sent (`path`, `query`, `header` or `body`).
    #[serde(rename = "in", default)]
    pub location: Option<String>,
    /// `type`: the spec type word (`string`, `integer`, `long`, `object`, `array`, `map`, `any`, ...).
    #[serde(rename = "type")]
    pub ty: String,
    /// `required`: whether a parameter or request-object field must be set (default `false`).
    #[serde(default)]
    pub required: Option<bool>,
    /// `description`: documentation text.
    #[serde(default)]
    pub description: Option<String>,
    /// `example`: example value, as documented.
    #[serde(default)]
    pub example: Option<serde_yaml::Value>,
    /// `secret`: `true` for credentials whose value is redacted from `Debug` output.
    #[serde(default)]
    pub secret: Option<bool>,
    /// `rust_name`: override of the snake_case Rust field name.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// `type_name`: for `object` nodes, override of the generated struct's name suffix.
    #[serde(default)]
    pub type_name: Option<String>,
    /// `style`: for `array`/`object` query or header parameters, `json` (sent as one JSON string).
    #[serde(default)]
    pub style: Option<String>,
    /// `items`: for `array`, the element node.
    #[serde(default)]
    pub items: Option<Box<NodeSpec>>,
    /// `fields`: for `object`, the named field nodes.
    #[serde(default)]
    pub fields: Option<Vec<NodeSpec>>,
    /// `values`: for `map`, the value node.
    #[serde(default)]
    pub values: Option<Box<NodeSpec>>,
    /// `enum`: for `string`, the documented values; generates a Rust enum.
    #[serde(rename = "enum", default)]
    pub enum_values: Option<Vec<EnumValueSpec>>,
}

/// One documented value of a string enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueSpec {
    /// The value exactly as sent on the wire.
    pub value: String,
    /// What the value means, as documented.
    #[serde(default)]
    pub description: Option<String>,
}

/// One documented error code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// HTTP status the code comes with.
    pub status: u16,
    /// The error code string; becomes a variant of `<Action>ErrorCode`.
    pub code: String,
    /// The English error message.
    #[serde(default)]
    pub message: Option<String>,
    /// The documented meaning (Chinese as written).
    #[serde(default)]
    pub description: Option<String>,
}

/// How to page through a list operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationSpec {
    /// `cursor` (next token) or `page` (page number).
    pub style: String,
    /// Cursor style: query (or body) parameter that carries the cursor.
    #[serde(default)]
    pub cursor_param: Option<String>,
    /// Cursor style: response field (dotted path) with the next cursor.
    #[serde(default)]
    pub cursor_field: Option<String>,
    /// Page style: query (or body) parameter with the 1-based page number.
    #[serde(default)]
    pub page_param: Option<String>,
    /// Query (or body) parameter with the page size.
    #[serde(default)]
    pub size_param: Option<String>,
    /// Response field (dotted path) holding the page's items.
    pub items_field: String,
    /// Response field (dotted path) with the total number of items, if any.
    #[serde(default)]
    pub total_field: Option<String>,
    /// Optional string query parameters the paginator always sets: wire name to value.
    #[serde(default)]
    pub fixed: std::collections::BTreeMap<String, String>,
}
