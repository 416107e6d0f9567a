//! The intermediate model: checked, named, ready to emit. Emitters read only this.

/// Every operation, sorted by area then action.
#[derive(Debug, Clone)]
pub struct Api {
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
    pub docs: OperationDocs,
    pub method: String,
    pub path_template: String,
    pub path: Vec<PathPart>,
    pub body: BodyEncoding,
    pub params: Vec<Param>,
    /// Structs and enums for nested request objects.
    pub request_types: Vec<TypeDef>,
    pub response: TypeRef,
    /// Structs and enums of the response tree.
    pub response_types: Vec<TypeDef>,
    /// Whether the response body is plain text rather than JSON.
    pub response_is_text: bool,
    pub errors: Vec<ErrorCode>,
    pub pagination: Option<Pagination>,
    pub example_response: Option<String>,
}

impl Operation {
    pub fn request_type(&self) -> String {
        format!("{}Request", self.type_prefix)
    }
    pub fn response_type(&self) -> String {
        format!("{}Response", self.type_prefix)
    }
    pub fn error_type(&self) -> String {
        format!("{}ErrorCode", self.type_prefix)
    }
}

#[derive(Debug, Clone, Default)]
pub struct OperationDocs {
    pub summary: String,
    pub summary_en: Option<String>,
    pub description: Option<String>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    /// Index into `Operation::params`.
    Param(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    None,
    Json,
    Form,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    Path,
    Query,
    Header,
    Body,
}

impl Location {
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
    pub wire_name: String,
    pub rust_name: String,
    pub location: Location,
    pub ty: TypeRef,
    /// The spec's type word, for the mock server's checks.
    pub spec_type: String,
    pub required: bool,
    pub docs: FieldDocs,
    pub secret: bool,
    /// Arrays and objects in the query or a header travel as one JSON string.
    pub json_style: bool,
}

#[derive(Debug, Clone, Default)]
pub struct FieldDocs {
    pub description: Option<String>,
    pub example: Option<String>,
}

/// A Rust type for a spec type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    String,
    I32,
    I64,
    F32,
    F64,
    Bool,
    Any,
    Vec(Box<TypeRef>),
    Map(Box<TypeRef>),
    /// A generated struct or enum, by name.
    Named(String),
}

/// A generated struct or string enum.
#[derive(Debug, Clone)]
pub enum TypeDef {
    Struct(StructDef),
    Enum(EnumDef),
}

#[derive(Debug, Clone)]
pub struct StructDef {
    pub name: String,
    pub docs: Option<String>,
    pub fields: Vec<Field>,
    /// The operation's top-level response struct.
    pub is_root: bool,
    /// Request structs keep required fields non-optional; response fields are all optional.
    pub is_request: bool,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub required: bool,
    pub docs: FieldDocs,
}

#[derive(Debug, Clone)]
pub struct EnumDef {
    pub name: String,
    pub docs: Option<String>,
    pub variants: Vec<EnumVariant>,
}

#[derive(Debug, Clone)]
pub struct EnumVariant {
    pub value: String,
    pub ident: String,
    pub docs: Option<String>,
}

/// A documented error code.
#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub status: u16,
    pub code: String,
    pub variant: String,
    pub message: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct Pagination {
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

#[derive(Debug, Clone)]
pub enum PaginationStyle {
    /// `cursor_param` index, and the response path of the next cursor.
    Cursor {
        param: usize,
        field_path: Vec<String>,
    },
    /// `page_param` index.
    Page { param: usize },
}
