//! The YAML spec format as serde types: what `spec/**/*.yaml` files contain, before any
//! checks. The doc comments here are the format's reference: `spec/schema.json`,
//! `spec/shape.schema.json` and the key tables of `spec/README.md` are generated from them
//! (see [`crate::schema`]).
//!
//! Keys are strict (`deny_unknown_fields`), so a misspelt key is an error, not a silent
//! default. Closed word sets (`type`, `in`, `method`, `body`, `style`, pagination `style`,
//! a waiter acceptor's `state` and `comparator`) are the enums of `yunxiao-vocab`, so an
//! unknown word fails here with the allowed words listed.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
pub use yunxiao_vocab::{
    AcceptorState, BodyEncoding, Comparator, HttpMethod, PageStyle, ParamLocation, ParamStyle,
    TimeFormat, TypeWord,
};

/// One API operation: `spec/<area>/<action_in_snake_case>.yaml`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Yunxiao endpoint spec")]
pub struct SpecFile {
    /// The operation name exactly as the API spells it (`x-acs-action`), misspellings included. PascalCase ASCII; the file name is its snake_case.
    pub action: String,
    /// One line, as documented (Chinese as written). First line of the rustdoc.
    pub summary: String,
    /// An English line, added to the rustdoc.
    #[serde(default)]
    pub summary_en: Option<String>,
    /// Longer text from the documentation page.
    #[serde(default)]
    pub description: Option<String>,
    /// The HTTP method.
    pub method: HttpMethod,
    /// Whether repeating the call has no further effect, so the client may retry it after the server got it (a 5xx, a timeout, a connection lost mid-answer). Default by method: `GET`, `PUT`, `DELETE` are idempotent, `POST`, `PATCH` are not. Mark a POST that only reads (search, list, get, export) `idempotent: true`, with a line in `notes` saying why.
    #[serde(default)]
    pub idempotent: Option<bool>,
    /// Path template starting with `/`. `{name}` is a path parameter; everything else is sent literally, so already-encoded characters such as `%3A` stay as written.
    pub path: String,
    /// How the `in: body` parameters are encoded (default `none`).
    #[serde(default = "no_body")]
    pub body: BodyEncoding,
    /// The request parameters, in documented order.
    #[serde(default)]
    pub parameters: Vec<ParamSpec>,
    /// Schema of the 2xx response body; usually an `object` with `fields`, or a `shape`.
    pub response: NodeSpec,
    /// How to page through results, for list operations.
    #[serde(default)]
    pub pagination: Option<PaginationSpec>,
    /// Documented error codes.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// The documented example response body, as a literal block. Must be valid JSON (checked); the mock server answers it.
    #[serde(default)]
    pub example_response: Option<String>,
    /// Judgements made while transcribing (messy docs, guesses), kept in the generated docs.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Named waiters that poll this operation until an acceptor ends the wait; each becomes `client.wait_until_<name>(request)`. Only for idempotent operations (reads).
    #[serde(default)]
    pub waiters: Vec<WaiterSpec>,
}

fn no_body() -> BodyEncoding {
    BodyEncoding::None
}

/// A shared shape: `spec/<area>/shapes/<name_in_snake_case>.yaml`. One named struct (or string
/// enum) that operations of any area use with `shape: <Name>`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Yunxiao shared shape")]
pub struct ShapeFile {
    /// The shape's Rust type name, PascalCase; unique across all areas. The file name is its snake_case.
    pub shape: String,
    /// What the shape is, as documented; the type's rustdoc.
    #[serde(default)]
    pub description: Option<String>,
    /// `object` (with `fields`), or `string`, `integer` or `long` (with `enum`).
    #[serde(rename = "type")]
    pub ty: TypeWord,
    /// For `object`: the fields. A shape used in any response has every field optional in Rust; `required` then only documents the request side.
    #[serde(default)]
    pub fields: Option<Vec<NodeSpec>>,
    /// For `string`, `integer` or `long`: the documented values.
    #[serde(rename = "enum", default)]
    pub enum_values: Option<Vec<EnumValueSpec>>,
    /// Judgements: which operations' subtrees the shape stands for and how they differ.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A request parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    /// Wire name, exactly as sent.
    pub name: String,
    /// Where the parameter travels. Path parameters must be `required: true` and appear in `path`.
    #[serde(rename = "in")]
    #[schemars(required)]
    pub location: Option<ParamLocation>,
    /// What the parameter holds. Give either `type` or `shape`.
    #[serde(rename = "type", default)]
    pub ty: Option<TypeWord>,
    /// A shared shape (by name) instead of a `type`.
    #[serde(default)]
    pub shape: Option<String>,
    /// Whether the parameter must be set (default `false`).
    #[serde(default)]
    pub required: Option<bool>,
    /// Documentation text.
    #[serde(default)]
    pub description: Option<String>,
    /// Example value, as documented.
    #[serde(default)]
    #[schemars(with = "serde_json::Value")]
    pub example: Option<serde_yaml::Value>,
    /// What a scalar means (a time): `epoch-millis` on a `long`, `date-time` or `local-date-time` on a `string`. The wire value is unchanged; the Rust type gives a typed view.
    #[serde(default)]
    pub format: Option<TimeFormat>,
    /// `true` for credentials such as `accessToken`: the value is redacted from `Debug` output and from example docs.
    #[serde(default)]
    pub secret: Option<bool>,
    /// Override of the snake_case Rust field name, e.g. when `id` is both a path and a body parameter.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// For `array`, `map`, `object` and `any` parameters in the query or a header: how the value is written.
    #[serde(default)]
    pub style: Option<ParamStyle>,
    /// For `object`: the name of the generated struct after the action prefix (default: from the parameter name).
    #[serde(default)]
    pub type_name: Option<String>,
    /// For `array`: the element node.
    #[serde(default)]
    pub items: Option<Box<NodeSpec>>,
    /// For `object`: the fields.
    #[serde(default)]
    pub fields: Option<Vec<NodeSpec>>,
    /// For `map`: the value node (default `any`).
    #[serde(default)]
    pub values: Option<Box<NodeSpec>>,
    /// For `string`, `integer` or `long`: the documented values; generates a Rust enum that keeps unknown values.
    #[serde(rename = "enum", default)]
    pub enum_values: Option<Vec<EnumValueSpec>>,
}

/// A schema node: the response root, an object field, an array's items or a map's values.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// For object fields: the JSON key, exactly as sent. The response root, `items` and `values` have none.
    #[serde(default)]
    pub name: Option<String>,
    /// What the node holds. Give either `type` or `shape`.
    #[serde(rename = "type", default)]
    pub ty: Option<TypeWord>,
    /// A shared shape (by name) instead of a `type`; `description` here documents the field, the shape documents itself.
    #[serde(default)]
    pub shape: Option<String>,
    /// For fields of request objects: whether the field must be set. Response fields are always optional in Rust, because the service omits fields freely.
    #[serde(default)]
    pub required: Option<bool>,
    /// Documentation text.
    #[serde(default)]
    pub description: Option<String>,
    /// Example value, as documented.
    #[serde(default)]
    #[schemars(with = "serde_json::Value")]
    pub example: Option<serde_yaml::Value>,
    /// What a scalar means (a time): `epoch-millis` on a `long`, `date-time` or `local-date-time` on a `string`. The wire value is unchanged; the Rust type gives a typed view.
    #[serde(default)]
    pub format: Option<TimeFormat>,
    /// Override of the snake_case Rust field name.
    #[serde(default)]
    pub rust_name: Option<String>,
    /// For `object` (and `string` with `enum`): the name of the generated type after the action prefix (default: from the field name).
    #[serde(default)]
    pub type_name: Option<String>,
    /// For `array`: the element node.
    #[serde(default)]
    pub items: Option<Box<NodeSpec>>,
    /// For `object`: the fields. Without them the object is kept as a map of any JSON values.
    #[serde(default)]
    pub fields: Option<Vec<NodeSpec>>,
    /// For `map`: the value node (default `any`).
    #[serde(default)]
    pub values: Option<Box<NodeSpec>>,
    /// For `string`, `integer` or `long`: the documented values; generates a Rust enum that keeps unknown values.
    #[serde(rename = "enum", default)]
    pub enum_values: Option<Vec<EnumValueSpec>>,
}

/// One documented value of an enum (`string`, `integer` or `long`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValueSpec {
    /// The value exactly as sent on the wire: a string, or a number for `integer`/`long`.
    pub value: EnumValue,
    /// The Rust variant name, PascalCase; required for numbers (default for strings: from the value).
    #[serde(default)]
    pub name: Option<String>,
    /// What the value means, as documented.
    #[serde(default)]
    pub description: Option<String>,
}

/// An enum value as written: text, or a whole number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum EnumValue {
    /// A whole number (`integer` and `long` enums).
    Number(i64),
    /// Text (`string` enums).
    Text(String),
}

impl std::fmt::Display for EnumValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EnumValue::Number(n) => write!(f, "{n}"),
            EnumValue::Text(t) => f.write_str(t),
        }
    }
}

/// One documented error code.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    /// The HTTP status the code comes with.
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
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaginationSpec {
    /// `cursor` (a next token from each response) or `page` (a page number).
    pub style: PageStyle,
    /// Cursor style: the query or body parameter that carries the cursor.
    #[serde(default)]
    pub cursor_param: Option<String>,
    /// Cursor style: the response field (dotted wire names) with the next cursor.
    #[serde(default)]
    pub cursor_field: Option<String>,
    /// Page style: the query or body parameter with the 1-based page number.
    #[serde(default)]
    pub page_param: Option<String>,
    /// The query or body parameter with the page size.
    #[serde(default)]
    pub size_param: Option<String>,
    /// The response field (dotted wire names) holding the page's items.
    pub items_field: String,
    /// The response field (dotted wire names) with the total number of items, if any.
    #[serde(default)]
    pub total_field: Option<String>,
    /// Optional string query parameters the paginator always sets: wire name to value.
    #[serde(default)]
    pub fixed: BTreeMap<String, String>,
}

/// The schema keys of a parameter or node, read the same way for both.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    /// `type`.
    pub ty: Option<TypeWord>,
    /// `shape`.
    pub shape: Option<&'a str>,
    /// `required`.
    pub required: Option<bool>,
    /// `description`.
    pub description: Option<&'a str>,
    /// `example`.
    pub example: Option<&'a serde_yaml::Value>,
    /// `format`.
    pub format: Option<TimeFormat>,
    /// `rust_name`.
    pub rust_name: Option<&'a str>,
    /// `type_name`.
    pub type_name: Option<&'a str>,
    /// `items`.
    pub items: Option<&'a NodeSpec>,
    /// `fields`.
    pub fields: Option<&'a [NodeSpec]>,
    /// `values`.
    pub values: Option<&'a NodeSpec>,
    /// `enum`.
    pub enum_values: Option<&'a [EnumValueSpec]>,
}

impl ParamSpec {
    /// The parameter's schema keys.
    pub fn node(&self) -> Node<'_> {
        Node {
            ty: self.ty,
            shape: self.shape.as_deref(),
            required: self.required,
            description: self.description.as_deref(),
            example: self.example.as_ref(),
            format: self.format,
            rust_name: self.rust_name.as_deref(),
            type_name: self.type_name.as_deref(),
            items: self.items.as_deref(),
            fields: self.fields.as_deref(),
            values: self.values.as_deref(),
            enum_values: self.enum_values.as_deref(),
        }
    }
}

impl NodeSpec {
    /// The field's wire name, trimmed (empty for nodes without one).
    pub fn wire_name(&self) -> &str {
        self.name.as_deref().unwrap_or_default().trim()
    }

    /// The node's schema keys.
    pub fn node(&self) -> Node<'_> {
        Node {
            ty: self.ty,
            shape: self.shape.as_deref(),
            required: self.required,
            description: self.description.as_deref(),
            example: self.example.as_ref(),
            format: self.format,
            rust_name: self.rust_name.as_deref(),
            type_name: self.type_name.as_deref(),
            items: self.items.as_deref(),
            fields: self.fields.as_deref(),
            values: self.values.as_deref(),
            enum_values: self.enum_values.as_deref(),
        }
    }
}

impl ShapeFile {
    /// The shape's schema keys.
    pub fn node(&self) -> Node<'_> {
        Node {
            ty: Some(self.ty),
            shape: None,
            required: None,
            description: self.description.as_deref(),
            example: None,
            format: None,
            rust_name: None,
            type_name: None,
            items: None,
            fields: self.fields.as_deref(),
            values: None,
            enum_values: self.enum_values.as_deref(),
        }
    }
}

/// A waiter (`waiters[]`): polls its operation, with backoff, until an acceptor matches a
/// response or an error.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaiterSpec {
    /// PascalCase name, unique across all operations: `PipelineRunFinished` gives `client.wait_until_pipeline_run_finished(request)`.
    pub name: String,
    /// What the wait is for; the first lines of the method's rustdoc.
    #[serde(default)]
    pub description: Option<String>,
    /// Seconds before the second poll, and the least between any two (default 2, at least 1). Later delays double up to `max_delay`, with jitter.
    #[serde(default)]
    pub min_delay: Option<u64>,
    /// Seconds: the longest delay between two polls (default 120; not less than `min_delay`).
    #[serde(default)]
    pub max_delay: Option<u64>,
    /// Seconds the waiter waits in all unless the caller sets `.max_wait(..)` (default 600; more than `min_delay`).
    #[serde(default)]
    pub max_wait: Option<u64>,
    /// What each answer means, checked in order; the first that matches decides. An answer no acceptor matches means poll again; an error no acceptor matches ends the wait with that error. At least one acceptor has `state: success`.
    pub acceptors: Vec<AcceptorSpec>,
    /// Where the states and values come from (pages, examples, judgements); kept in the method's rustdoc.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// An acceptor (`waiters[].acceptors[]`): a response condition (`path`, `comparator`,
/// `expected`) or an error code (`error`), and the `state` it means.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptorSpec {
    /// What a match means: the wait succeeded, failed, or goes on. An `error` acceptor means `failure` or `retry` only: a successful wait returns a response.
    pub state: AcceptorState,
    /// A response field: dotted wire names from the response root, through shapes, ending at a string, enum, integer, long or boolean. `name[]` projects over the items of array `name` (`stages[].status`).
    #[serde(default)]
    pub path: Option<String>,
    /// With `path`: how its values are compared with `expected` (`equals` and `not_equals` for a path without `[]`, `any_equals` and `all_equals` for one with).
    #[serde(default)]
    pub comparator: Option<Comparator>,
    /// With `path`: the values compared with, as text (an enum's wire values, decimal integers, `true` or `false`).
    #[serde(default)]
    pub expected: Option<Vec<ExpectedValue>>,
    /// Instead of `path`: an error code from this operation's `errors`; the acceptor matches an API error with that code.
    #[serde(default)]
    pub error: Option<String>,
    /// What the acceptor means, as documented (e.g. the status value's meaning); in the rustdoc.
    #[serde(default)]
    pub description: Option<String>,
}

/// One `expected` value: a string, an integer or a boolean, compared as text.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ExpectedValue {
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A string (an enum's wire value, a status word).
    Text(String),
}

impl ExpectedValue {
    /// The value as the runtime compares it: the text, the decimal digits, `true`/`false`.
    pub fn as_text(&self) -> String {
        match self {
            ExpectedValue::Bool(b) => b.to_string(),
            ExpectedValue::Integer(i) => i.to_string(),
            ExpectedValue::Text(s) => s.clone(),
        }
    }
}
