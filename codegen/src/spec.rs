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
    pub action: String,
    pub summary: String,
    #[serde(default)]
    pub summary_en: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub parameters: Vec<NodeSpec>,
    pub response: NodeSpec,
    #[serde(default)]
    pub pagination: Option<PaginationSpec>,
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    #[serde(default)]
    pub example_response: Option<String>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A parameter or a schema node. Parameter-only keys (`in`, `secret`, `style`) are rejected
/// on response nodes by `validate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "in", default)]
    pub location: Option<String>,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub example: Option<serde_yaml::Value>,
    #[serde(default)]
    pub secret: Option<bool>,
    #[serde(default)]
    pub rust_name: Option<String>,
    #[serde(default)]
    pub type_name: Option<String>,
    #[serde(default)]
    pub style: Option<String>,
    #[serde(default)]
    pub items: Option<Box<NodeSpec>>,
    #[serde(default)]
    pub fields: Option<Vec<NodeSpec>>,
    #[serde(default)]
    pub values: Option<Box<NodeSpec>>,
    #[serde(rename = "enum", default)]
    pub enum_values: Option<Vec<EnumValueSpec>>,
}

/// One documented value of a string enum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValueSpec {
    pub value: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// One documented error code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    pub status: u16,
    pub code: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// How to page through a list operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationSpec {
    pub style: String,
    #[serde(default)]
    pub cursor_param: Option<String>,
    #[serde(default)]
    pub cursor_field: Option<String>,
    #[serde(default)]
    pub page_param: Option<String>,
    #[serde(default)]
    pub size_param: Option<String>,
    pub items_field: String,
    #[serde(default)]
    pub total_field: Option<String>,
    #[serde(default)]
    pub fixed: std::collections::BTreeMap<String, String>,
}
