//! The intermediate model: checked, lowered and named, ready to emit. Emitters read only this.
//!
//! Types are keyed by their position ([`TypeKey`]): a shared shape by its declared name, an
//! inline type by its owner (an operation's request or response, or a shape) and field path. [`crate::registry`] gives every key its
//! Rust name; nothing here depends on the order in which a pass visited the spec.

use std::collections::BTreeMap;

pub use yunxiao_vocab::{
    AcceptorState, BodyEncoding, Comparator, HttpMethod, PageStyle, ParamLocation, TimeFormat,
    TypeWord,
};

/// Every operation and every named type.
#[derive(Debug, Clone, Default)]
pub struct Api {
    /// The operations, sorted by area then action.
    pub operations: Vec<Operation>,
    /// Every generated struct and enum, by position.
    pub types: BTreeMap<TypeKey, TypeDef>,
}

impl Api {
    /// The areas in use, sorted.
    pub fn areas(&self) -> Vec<&str> {
        let mut areas: Vec<&str> = self
            .operations
            .iter()
            .map(|o| o.area.as_str())
            .chain(self.shapes().map(|t| t.area.as_str()))
            .collect();
        areas.sort();
        areas.dedup();
        areas
    }

    /// The polling operation and waiter a `then_wait` names (the checks make sure both
    /// exist).
    pub fn then_wait_target(&self, t: &ThenWait) -> Option<(&Operation, &Waiter)> {
        let target = self.operations.iter().find(|o| o.action == t.operation)?;
        let waiter = target.waiters.iter().find(|w| w.name == t.waiter)?;
        Some((target, waiter))
    }

    /// The shared shapes, sorted by name.
    pub fn shapes(&self) -> impl Iterator<Item = &TypeDef> {
        self.types
            .values()
            .filter(|t| matches!(t.key, TypeKey::Shape(_)))
    }

    /// The type at `key`. Lowering creates a definition for every key it refers to.
    pub fn type_def(&self, key: &TypeKey) -> Option<&TypeDef> {
        self.types.get(key)
    }

    /// The operations whose request or response contains `key`, at any depth.
    pub fn users(&self, key: &TypeKey) -> Vec<&Operation> {
        self.operations
            .iter()
            .filter(|op| {
                let mut seen = Vec::new();
                let roots = op.params.iter().map(|p| &p.ty).chain([&op.response]);
                roots
                    .into_iter()
                    .any(|ty| self.contains(ty, key, &mut seen))
            })
            .collect()
    }

    fn contains<'a>(&'a self, ty: &'a TypeRef, key: &TypeKey, seen: &mut Vec<&'a TypeKey>) -> bool {
        match ty {
            TypeRef::Vec(inner) | TypeRef::Map(inner) => self.contains(inner, key, seen),
            TypeRef::Named(k) if k == key => true,
            TypeRef::Named(k) if !seen.contains(&k) => {
                seen.push(k);
                match self.types.get(k).map(|d| &d.kind) {
                    Some(TypeKind::Struct(fields)) => {
                        fields.iter().any(|f| self.contains(&f.ty, key, seen))
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// Where a type is defined: the key the registry names it by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeKey {
    /// A shared shape, by its declared name.
    Shape(String),
    /// A type written inline in one operation.
    Inline(Position),
}

/// The position of an inline type: its owner and the wire names of the fields leading to
/// it. Array items and map values add no segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The operation side or shape the type is written in.
    pub owner: Owner,
    /// Parameter name then field names (request), or field names from the root (response
    /// and shapes; empty for the root itself).
    pub path: Vec<String>,
}

/// What an inline type is written in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Owner {
    /// A request parameter of the operation with this action.
    Request(String),
    /// The response body of the operation with this action.
    Response(String),
    /// The shared shape with this name.
    Shape(String),
}

impl Owner {
    /// The action or shape name: the prefix of the owner's type names.
    pub fn prefix(&self) -> &str {
        match self {
            Owner::Request(a) | Owner::Response(a) | Owner::Shape(a) => a,
        }
    }
}

/// One API operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Wire action name (`x-acs-action`), verbatim.
    pub action: String,
    /// Module the operation lives in (first folder below spec/).
    pub area: String,
    /// Spec file, for generated comments.
    pub source: String,
    /// `get_project_info`.
    pub fn_name: String,
    /// `GetProjectInfo`: prefix of the operation's own types.
    pub type_prefix: String,
    /// Summary, description and notes for the method's and request's rustdoc.
    pub docs: OperationDocs,
    /// HTTP method.
    pub method: HttpMethod,
    /// Whether the call may be repeated after the server got it (the spec's `idempotent`,
    /// defaulting by method).
    pub idempotent: bool,
    /// The spec's path template verbatim (`/oapi/v1/.../{id}`).
    pub path_template: String,
    /// The path template split into literal text and path parameters.
    pub path: Vec<PathPart>,
    /// How the `in: body` parameters are encoded.
    pub body: BodyEncoding,
    /// Request parameters, in spec order.
    pub params: Vec<Param>,
    /// Type of the response body.
    pub response: TypeRef,
    /// Whether the response body is plain text rather than JSON.
    pub response_is_text: bool,
    /// The operation's inline types, in spec order with parents before their parts
    /// (request side first).
    pub types: Vec<TypeKey>,
    /// Documented error codes, variants of `<Action>ErrorCode`.
    pub errors: Vec<ErrorCode>,
    /// How to page through results, for list operations.
    pub pagination: Option<Pagination>,
    /// Documented example response body, answered by the mock server.
    pub example_response: Option<String>,
    /// Waiters that poll this operation (`client.wait_until_<name>`).
    pub waiters: Vec<Waiter>,
    /// The waiter that follows the job this operation starts (the spec's `then_wait`).
    pub then_wait: Option<ThenWait>,
}

impl Operation {
    /// Name of the request struct: `{Prefix}Request`.
    pub fn request_type(&self) -> String {
        format!("{}Request", self.type_prefix)
    }
    /// Name of the response type: `{Prefix}Response`.
    pub fn response_type(&self) -> String {
        format!("{}Response", self.type_prefix)
    }
    /// Name of the call type `Client::{fn_name}` returns: `{Prefix}Call`.
    pub fn call_type(&self) -> String {
        format!("{}Call", self.type_prefix)
    }
    /// Name of the error-code enum: `{Prefix}ErrorCode`.
    pub fn error_type(&self) -> String {
        format!("{}ErrorCode", self.type_prefix)
    }
    /// The key of the response root, if it is an inline object (or the items of an inline
    /// array).
    pub fn response_root(&self) -> TypeKey {
        TypeKey::Inline(Position {
            owner: Owner::Response(self.action.clone()),
            path: Vec::new(),
        })
    }
}

/// Documentation text of an operation, trimmed.
#[derive(Debug, Clone, Default)]
pub struct OperationDocs {
    /// The spec's `summary`: first line of the rustdoc.
    pub summary: String,
    /// The spec's `summary_en`, if not empty.
    pub summary_en: Option<String>,
    /// The spec's `description`, if not empty.
    pub description: Option<String>,
    /// The spec's non-empty `notes`.
    pub notes: Vec<String>,
}

/// A piece of the path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Text sent as written.
    Literal(String),
    /// Index into `Operation::params`.
    Param(usize),
}

/// A request parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name as sent on the wire.
    pub wire_name: String,
    /// snake_case Rust field name (the spec's `rust_name`, else derived from the wire name).
    pub rust_name: String,
    /// Where the parameter is sent.
    pub location: ParamLocation,
    /// Rust type of the value.
    pub ty: TypeRef,
    /// The spec's type word (for a shape: `object` or `string`), for the runtime metadata.
    pub word: TypeWord,
    /// Required parameters are arguments of `new(..)`; optional ones get setters.
    pub required: bool,
    /// Description and example for the field's rustdoc.
    pub docs: FieldDocs,
    /// Whether the value is redacted from `Debug` output.
    pub secret: bool,
    /// Arrays and objects in the query or a header travel as one JSON string.
    pub json_style: bool,
}

/// Documentation of a parameter or field.
#[derive(Debug, Clone, Default)]
pub struct FieldDocs {
    /// The spec's `description`, if not empty.
    pub description: Option<String>,
    /// The spec's `example`, rendered as text.
    pub example: Option<String>,
}

/// A Rust type for a spec type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `i32` (spec `integer`).
    I32,
    /// `i64` (spec `long`).
    I64,
    /// `f32` (spec `float`).
    F32,
    /// `f64` (spec `double` or `number`).
    F64,
    /// `bool`.
    Bool,
    /// `serde_json::Value` (spec `any`).
    Any,
    /// A time with a typed view (a scalar with `format`).
    Time(TimeFormat),
    /// `Vec<T>` (spec `array`).
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>` (spec `map`, or an `object` without fields).
    Map(Box<TypeRef>),
    /// A generated struct or enum.
    Named(TypeKey),
}

/// A generated struct or string enum, with its Rust name.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Its position.
    pub key: TypeKey,
    /// Rust type name, given by [`crate::registry`].
    pub name: String,
    /// The module (area) it is emitted in.
    pub area: String,
    /// The spec file that defines it.
    pub source: String,
    /// Its field path in that file (`response.result.commit`), for messages.
    pub field: String,
    /// Line and column of that field, when found.
    pub location: Option<(usize, usize)>,
    /// The node's description, if any.
    pub docs: Option<String>,
    /// A struct or an enum.
    pub kind: TypeKind,
    /// Whether a request uses it.
    pub in_request: bool,
    /// Whether a response uses it.
    pub in_response: bool,
    /// For shapes: the spec's notes.
    pub notes: Vec<String>,
    /// The spec's `type_name`, if it gives one.
    pub type_name: Option<String>,
    /// For shapes: the inline types written inside it, in spec order, parents first.
    pub parts: Vec<TypeKey>,
}

impl TypeDef {
    /// Types a response uses keep every field optional (the service omits fields freely);
    /// only a type that requests alone use keeps its required fields required.
    pub fn all_optional(&self) -> bool {
        self.in_response || !self.in_request
    }
}

/// What a [`TypeDef`] is.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A struct for an `object` node with fields.
    Struct(Vec<Field>),
    /// An enum for a node with `enum` values.
    Enum {
        /// What the values are on the wire.
        repr: EnumRepr,
        /// The documented values, in spec order.
        variants: Vec<EnumVariant>,
    },
}

/// The wire type of an enum's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumRepr {
    /// Strings (spec `string`).
    String,
    /// 32-bit integers (spec `integer`).
    I32,
    /// 64-bit integers (spec `long`).
    I64,
}

/// A field of a generated struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON key as sent on the wire.
    pub wire_name: String,
    /// snake_case Rust field name.
    pub rust_name: String,
    /// Rust type of the value (wrapped in `Option` unless required in a request-only type).
    pub ty: TypeRef,
    /// Whether the spec marks the field required (meaningful for requests).
    pub required: bool,
    /// Description and example for the field's rustdoc.
    pub docs: FieldDocs,
}

/// One documented value of an enum.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// The value as sent on the wire (for numbers, their digits).
    pub value: String,
    /// PascalCase Rust variant name.
    pub ident: String,
    /// The value's description, if any.
    pub docs: Option<String>,
}

/// A documented error code.
#[derive(Debug, Clone)]
pub struct ErrorCode {
    /// HTTP status the code is documented with.
    pub status: u16,
    /// The error code string, verbatim.
    pub code: String,
    /// PascalCase variant name in `<Action>ErrorCode`.
    pub variant: String,
    /// The English message (empty if undocumented).
    pub message: String,
    /// The documented meaning (empty if undocumented).
    pub description: String,
}

/// How a list operation is paged, resolved to parameter indexes and response paths.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// Cursor or page-number paging, with the parameter that advances it.
    pub style: PaginationStyle,
    /// Index of the page-size parameter, if any.
    pub size_param: Option<usize>,
    /// Response fields (Rust names) leading to the items array.
    pub items_path: Vec<String>,
    /// Element type of the items array.
    pub item_type: TypeRef,
    /// Response fields leading to the total count (an integer), if any.
    pub total_path: Option<Vec<String>>,
    /// Whether the total is already an `i64` (else `i32`).
    pub total_is_i64: bool,
    /// Query parameters the paginator always sets: (param index, value).
    pub fixed: Vec<(usize, String)>,
    /// The same response paths as wire names (for the mock, which pages JSON).
    pub wire: PaginationWire,
}

/// Response paths of a paginated operation, as wire names.
#[derive(Debug, Clone, Default)]
pub struct PaginationWire {
    /// Field names leading to the items array.
    pub items: Vec<String>,
    /// Field names leading to the next cursor (cursor style).
    pub cursor: Option<Vec<String>>,
    /// Field names leading to the total count, if any.
    pub total: Option<Vec<String>>,
}

/// Cursor or page-number paging, with the parameter that advances it.
#[derive(Debug, Clone)]
pub enum PaginationStyle {
    /// `cursor_param` index, and the response path of the next cursor.
    Cursor {
        /// Index of the cursor parameter in `Operation::params`.
        param: usize,
        /// Response fields (Rust names) leading to the next cursor.
        field_path: Vec<String>,
    },
    /// `page_param` index.
    Page {
        /// Index of the page-number parameter in `Operation::params`.
        param: usize,
    },
}

impl PaginationStyle {
    /// The spec word for this style.
    pub fn word(&self) -> PageStyle {
        match self {
            PaginationStyle::Cursor { .. } => PageStyle::Cursor,
            PaginationStyle::Page { .. } => PageStyle::Page,
        }
    }
}

/// A waiter: polls its operation until an acceptor ends the wait ([`crate::waiter`]).
#[derive(Debug, Clone)]
pub struct Waiter {
    /// PascalCase name, as the spec gives it.
    pub name: String,
    /// The `Client` method: `wait_until_<snake_case>`.
    pub method: String,
    /// The static holding its data: the name in SCREAMING_SNAKE_CASE.
    pub static_name: String,
    /// The spec's description, if not empty.
    pub description: Option<String>,
    /// The spec's non-empty notes.
    pub notes: Vec<String>,
    /// Seconds before the second poll, and the least between two.
    pub min_delay: u64,
    /// Seconds: the longest delay between two polls.
    pub max_delay: u64,
    /// Seconds the waiter waits in all, by default.
    pub max_wait: u64,
    /// The acceptors, in spec order.
    pub acceptors: Vec<Acceptor>,
}

/// One acceptor of a waiter.
#[derive(Debug, Clone)]
pub struct Acceptor {
    /// What a match means.
    pub state: AcceptorState,
    /// What it matches.
    pub matcher: AcceptorMatch,
    /// The spec's description, if not empty.
    pub description: Option<String>,
}

/// What an acceptor matches.
#[derive(Debug, Clone)]
pub enum AcceptorMatch {
    /// Values in the response.
    Output {
        /// The spec's path, as written (wire names).
        path: String,
        /// The Rust fields along it.
        steps: Vec<PathStep>,
        /// How the value at its end reads as text.
        leaf: LeafKind,
        /// How the values are compared.
        comparator: Comparator,
        /// The values compared with, as text.
        expected: Vec<String>,
    },
    /// An API error with this code.
    Error {
        /// The error code, verbatim.
        code: String,
    },
}

/// One field along a waiter path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    /// The Rust field name (every response field is an `Option`).
    pub rust_name: String,
    /// How many array levels (`[]`) are flattened after it.
    pub each: usize,
}

/// How the value at the end of a waiter path reads as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafKind {
    /// A `String`: borrowed as is.
    Str,
    /// A generated string enum: its `as_str()`.
    Enum,
    /// An integer or boolean: its `to_string()`.
    Display,
}

/// `then_wait`: after this operation, wait with a waiter of another operation of the area,
/// whose request is built from this call.
#[derive(Debug, Clone)]
pub struct ThenWait {
    /// The polling operation's action.
    pub operation: String,
    /// The waiter's name (one of that operation's [`Waiter`]s).
    pub waiter: String,
    /// Where each parameter of the polling operation comes from, in its parameter order.
    pub inputs: Vec<ThenWaitInput>,
}

/// One parameter of the polling operation, filled from this call.
#[derive(Debug, Clone)]
pub struct ThenWaitInput {
    /// Index into the polling operation's `params`.
    pub param: usize,
    /// Where the value comes from.
    pub source: InputSource,
}

/// Where a [`ThenWaitInput`] comes from.
#[derive(Debug, Clone)]
pub enum InputSource {
    /// This operation's parameter (index into its `params`).
    Request(usize),
    /// A field of this operation's response.
    Response {
        /// The spec's path (dotted wire names).
        path: String,
        /// The Rust fields along it (each an `Option`).
        fields: Vec<String>,
    },
}
