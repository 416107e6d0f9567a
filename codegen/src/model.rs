//! The intermediate model: checked, named, ready to emit. Emitters read only this.

/// Every operation, sorted by area then action.
#[derive(Debug, Clone)]
pub struct Api {
    /// The operations, sorted by area then action.
    pub operations: Vec<Operation>,
}

impl Api {
    /// The areas in use, sorted.
    pub fn areas(&self) -> Vec<&str> {
        let mut areas: Vec<&str> = self.operations.iter().map(|o| o.area.as_str()).collect();
        areas.dedup();
        areas
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
    /// `GetProjectInfo`: prefix of every type of this operation.
    pub type_prefix: String,
    /// Summary, description and notes for the method's and request's rustdoc.
    pub docs: OperationDocs,
    /// HTTP method, upper case (`GET`, `POST`, `PUT`, `DELETE` or `PATCH`).
    pub method: String,
    /// Whether the call may be repeated after the server got it (the spec's
    /// `idempotent`, defaulting by method).
    pub idempotent: bool,
    /// The spec's path template verbatim (`/oapi/v1/.../{id}`).
    pub path_template: String,
    /// The path template split into literal text and path parameters.
    pub path: Vec<PathPart>,
    /// How the `in: body` parameters are encoded.
    pub body: BodyEncoding,
    /// Request parameters, in spec order.
    pub params: Vec<Param>,
    /// Structs and enums for nested request objects.
    pub request_types: Vec<TypeDef>,
    /// Type of the response body (the `{Prefix}Response` struct when the root is an object).
    pub response: TypeRef,
    /// Structs and enums of the response tree.
    pub response_types: Vec<TypeDef>,
    /// Whether the response body is plain text rather than JSON.
    pub response_is_text: bool,
    /// Documented error codes, variants of `<Action>ErrorCode`.
    pub errors: Vec<ErrorCode>,
    /// How to page through results, for list operations.
    pub pagination: Option<Pagination>,
    /// Documented example response body, answered by the mock server.
    pub example_response: Option<String>,
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
    /// Name of the error-code enum: `{Prefix}ErrorCode`.
    pub fn error_type(&self) -> String {
        format!("{}ErrorCode", self.type_prefix)
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

/// How the request body is sent (the spec's `body`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// No body.
    None,
    /// A JSON object of the `in: body` parameters, always sent.
    Json,
    /// `application/x-www-form-urlencoded` body parameters.
    Form,
}

/// Where a parameter is sent (the spec's `in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// Substituted into the path template.
    Path,
    /// A query-string parameter.
    Query,
    /// An HTTP header.
    Header,
    /// A field of the request body.
    Body,
}

impl Location {
    /// The spec's word for the location (`path`, `query`, `header` or `body`).
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Body => "body",
        }
    }
}

/// A request parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name as sent on the wire.
    pub wire_name: String,
    /// snake_case Rust field name (the spec's `rust_name`, else derived from the wire name).
    pub rust_name: String,
    /// Where the parameter is sent.
    pub location: Location,
    /// Rust type of the value.
    pub ty: TypeRef,
    /// The spec's type word, for the mock server's checks.
    pub spec_type: String,
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
    /// `Vec<T>` (spec `array`).
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>` (spec `map`).
    Map(Box<TypeRef>),
    /// A generated struct or enum, by name.
    Named(String),
}

/// A generated struct or string enum.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// A struct for an `object` node.
    Struct(StructDef),
    /// An enum for a `string` node with `enum` values.
    Enum(EnumDef),
}

/// A generated struct for an `object` node.
#[derive(Debug, Clone)]
pub struct StructDef {
    /// Rust type name.
    pub name: String,
    /// The node's description, if any.
    pub docs: Option<String>,
    /// Fields, in spec order.
    pub fields: Vec<Field>,
    /// The operation's top-level response struct.
    pub is_root: bool,
    /// Request structs keep required fields non-optional; response fields are all optional.
    pub is_request: bool,
}

/// A field of a generated struct.
#[derive(Debug, Clone)]
pub struct Field {
    /// JSON key as sent on the wire.
    pub wire_name: String,
    /// snake_case Rust field name.
    pub rust_name: String,
    /// Rust type of the value (wrapped in `Option` unless required).
    pub ty: TypeRef,
    /// Whether a request field must be set; always `false` in responses.
    pub required: bool,
    /// Description and example for the field's rustdoc.
    pub docs: FieldDocs,
}

/// A generated string enum that keeps unknown values.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// Rust type name.
    pub name: String,
    /// The node's description, if any.
    pub docs: Option<String>,
    /// The documented values, in spec order.
    pub variants: Vec<EnumVariant>,
}

/// One documented value of a string enum.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// The value as sent on the wire.
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
    /// Cursor or page-number paging.
    pub style: PaginationStyle,
    /// Index of the page-size parameter, if any.
    pub size_param: Option<usize>,
    /// Response fields (rust names) leading to the items array.
    pub items_path: Vec<String>,
    /// Element type of the items array.
    pub item_type: TypeRef,
    /// Response fields leading to the total count (an integer), if any.
    pub total_path: Option<Vec<String>>,
    /// Whether the total is already an `i64` (else `i32`).
    pub total_is_i64: bool,
    /// Query parameters the paginator always sets: (param index, value).
    pub fixed: Vec<(usize, String)>,
}

/// Cursor or page-number paging, with the parameter that advances it.
#[derive(Debug, Clone)]
pub enum PaginationStyle {
    /// `cursor_param` index, and the response path of the next cursor.
    Cursor {
        /// Index of the cursor parameter in `Operation::params`.
        param: usize,
        /// Response fields (rust names) leading to the next cursor.
        field_path: Vec<String>,
    },
    /// `page_param` index.
    Page {
        /// Index of the page-number parameter in `Operation::params`.
        param: usize,
    },
}
