//! Schema nodes (parameters, response trees, shapes): which keys each type takes, field
//! names, enum values, shape references.

use std::collections::{HashMap, HashSet};

use super::Cx;
use crate::load::Loaded;
use crate::names;
use crate::spec::{EnumValue, EnumValueSpec, Node, NodeSpec, ShapeFile, TimeFormat, TypeWord};

/// What a node is, for the keys it may have.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// A top-level request parameter.
    Param,
    /// The response body.
    Root,
    /// A field of an object.
    Field,
    /// An array's `items` or a map's `values`.
    Element,
    /// A shared shape's own definition.
    Shape,
}

/// `at.key`, or `key` at the top of a shape file.
pub(super) fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// Checks a node and everything below it.
pub(super) fn node(cx: &mut Cx<'_>, at: &str, node: Node<'_>, role: Role) {
    if let Some(r) = node.rust_name {
        if matches!(role, Role::Param | Role::Field) {
            if !names::is_valid_field_name(r) {
                cx.err(
                    &join(at, "rust_name"),
                    format!("'{r}' is not a snake_case Rust identifier"),
                );
            }
        } else {
            cx.err(
                &join(at, "rust_name"),
                "only parameters and object fields have a rust_name",
            );
        }
    }
    if let Some(t) = node.type_name {
        if !names::is_valid_type_name(t) {
            cx.err(
                &join(at, "type_name"),
                format!("'{t}' is not a PascalCase Rust identifier"),
            );
        }
    }
    let ty = match (node.ty, node.shape) {
        (Some(_), Some(_)) => {
            cx.err(&join(at, "shape"), "give either type or shape, not both");
            return;
        }
        (None, Some(shape)) => {
            shape_ref(cx, at, shape, &node);
            return;
        }
        (None, None) => {
            cx.err(
                &join(at, "type"),
                format!(
                    "missing; give a type (one of {}) or a shape",
                    TypeWord::WORDS.join(", ")
                ),
            );
            return;
        }
        (Some(ty), None) => ty,
    };
    // Which type-specific keys each type takes.
    let takes = |key: &str| match ty {
        TypeWord::Object => matches!(key, "fields" | "type_name"),
        TypeWord::Array => key == "items",
        TypeWord::Map => key == "values",
        TypeWord::String | TypeWord::Integer | TypeWord::Long => {
            key == "enum" || (key == "type_name" && node.enum_values.is_some())
        }
        TypeWord::Float
        | TypeWord::Double
        | TypeWord::Number
        | TypeWord::Boolean
        | TypeWord::Any => false,
    };
    for (key, present) in [
        ("fields", node.fields.is_some()),
        ("items", node.items.is_some()),
        ("values", node.values.is_some()),
        ("enum", node.enum_values.is_some()),
        ("type_name", node.type_name.is_some()),
    ] {
        if present && !takes(key) {
            cx.err(
                &join(at, key),
                format!("'{key}' is not allowed on a node of type {ty}"),
            );
        }
    }
    if ty == TypeWord::Array && node.items.is_none() {
        cx.err(&join(at, "items"), "an array needs items: {type: ...}");
    }
    if let Some(items) = node.items.filter(|_| takes("items")) {
        element(cx, &join(at, "items"), items);
    }
    if let Some(values) = node.values.filter(|_| takes("values")) {
        element(cx, &join(at, "values"), values);
    }
    if let Some(fields) = node.fields.filter(|_| takes("fields")) {
        object_fields(cx, at, fields);
    }
    if let Some(values) = node.enum_values.filter(|_| takes("enum")) {
        enum_values(cx, &join(at, "enum"), values, ty == TypeWord::String);
    }
    if let Some(format) = node.format {
        format_on(cx, at, format, ty, node.enum_values.is_some());
    }
}

/// Which type each `format` goes with.
fn format_on(cx: &mut Cx<'_>, at: &str, format: TimeFormat, ty: TypeWord, is_enum: bool) {
    let fits = match format {
        TimeFormat::EpochMillis => ty == TypeWord::Long,
        TimeFormat::DateTime | TimeFormat::LocalDateTime => ty == TypeWord::String,
    };
    let wants = match format {
        TimeFormat::EpochMillis => "long",
        TimeFormat::DateTime | TimeFormat::LocalDateTime => "string",
    };
    if !fits || is_enum {
        cx.err(
            &join(at, "format"),
            format!("'format: {format}' is for {wants} nodes without enum, not {ty}"),
        );
    }
}

/// A node that names a shape: the shape must exist, and the type keys are the shape's.
fn shape_ref(cx: &mut Cx<'_>, at: &str, shape: &str, node: &Node<'_>) {
    if !cx.shape_known(shape) {
        cx.err(
            &join(at, "shape"),
            format!(
                "unknown shape '{}' (a shared shape is defined in spec/<area>/shapes/<name>.yaml)",
                shape.trim()
            ),
        );
    }
    for (key, present) in [
        ("fields", node.fields.is_some()),
        ("items", node.items.is_some()),
        ("values", node.values.is_some()),
        ("enum", node.enum_values.is_some()),
        ("type_name", node.type_name.is_some()),
    ] {
        if present {
            cx.err(
                &join(at, key),
                format!("'{key}' is not allowed with shape: the shape defines the type"),
            );
        }
    }
}

/// An array's items or a map's values: a bare node.
fn element(cx: &mut Cx<'_>, at: &str, spec: &NodeSpec) {
    if spec.name.is_some() {
        cx.err(&join(at, "name"), "only object fields have a name");
    }
    node(cx, at, spec.node(), Role::Element);
}

/// The fields of an object: named, unique on the wire and in Rust.
fn object_fields(cx: &mut Cx<'_>, at: &str, fields: &[NodeSpec]) {
    let mut wire_seen = HashSet::new();
    let mut rust_seen: HashMap<String, String> = HashMap::new();
    for (i, f) in fields.iter().enumerate() {
        let Some(name) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
            cx.err(
                &format!("{}[{i}].name", join(at, "fields")),
                "every field needs a name",
            );
            continue;
        };
        let fat = join(at, name);
        if !wire_seen.insert(name.to_string()) {
            cx.err_at(
                &format!("{}[{i}]", join(at, "fields")),
                &fat,
                format!("field '{name}' is declared twice"),
            );
            continue;
        }
        if let Some(rust) = rust_name(cx, &fat, name, f.rust_name.as_deref()) {
            if let Some(other) = rust_seen.insert(rust.clone(), name.to_string()) {
                cx.err_at(
                    &format!("{}[{i}]", join(at, "fields")),
                    &fat,
                    format!("Rust field name '{rust}' collides with field '{other}'; give one a rust_name"),
                );
            }
        }
        node(cx, &fat, f.node(), Role::Field);
    }
}

/// The Rust field name of a parameter or field, if it is an identifier (else reported).
pub(super) fn rust_name(
    cx: &mut Cx<'_>,
    at: &str,
    wire: &str,
    explicit: Option<&str>,
) -> Option<String> {
    let rust = names::rust_field_name(wire, explicit);
    if explicit.is_none() && !names::is_rust_ident(&rust) {
        cx.err(
            at,
            format!("'{wire}' gives the Rust name '{rust}', which is not a Rust identifier; give it a rust_name"),
        );
        return None;
    }
    Some(rust)
}

/// The values of an enum: strings for a `string` enum, numbers with names for `integer` and
/// `long`; distinct values and variant names, none of them `Unknown`.
fn enum_values(cx: &mut Cx<'_>, at: &str, values: &[EnumValueSpec], strings: bool) {
    let mut seen = HashSet::new();
    let mut wire = HashSet::new();
    for v in values {
        match (&v.value, strings) {
            (EnumValue::Number(n), true) => {
                cx.err(
                    at,
                    format!("value {n} of a string enum must be a string ('{n}')"),
                );
                continue;
            }
            (EnumValue::Text(t), false) => {
                cx.err(
                    at,
                    format!("value '{t}' of an integer enum must be a number"),
                );
                continue;
            }
            (EnumValue::Number(n), false) if v.name.is_none() => {
                cx.err(
                    at,
                    format!("value {n} needs a name: the Rust variant for it"),
                );
                continue;
            }
            _ => {}
        }
        if !wire.insert(v.value.to_string()) {
            cx.err(at, format!("value '{}' is listed twice", v.value));
            continue;
        }
        if let Some(name) = v.name.as_deref().filter(|n| !names::is_valid_type_name(n)) {
            cx.err(
                at,
                format!(
                    "name '{name}' of value '{}' is not a PascalCase identifier",
                    v.value
                ),
            );
            continue;
        }
        let ident = names::enum_variant(v);
        if ident == "Unknown" || !seen.insert(ident.clone()) {
            cx.err(
                at,
                format!(
                    "value '{}' gives the variant name '{ident}', which is taken",
                    v.value
                ),
            );
        }
    }
    if values.is_empty() {
        cx.err(at, "needs at least one value");
    }
}

/// A shared shape file: its name, its file name, and its node.
pub(super) fn shape_file(cx: &mut Cx<'_>, shape: &Loaded<ShapeFile>) {
    let name = shape.spec.shape.trim();
    if !names::is_valid_type_name(name) {
        cx.err(
            "shape",
            format!("'{name}' is not a PascalCase Rust type name"),
        );
    } else {
        let expected = heck::ToSnakeCase::to_snake_case(name);
        if shape.stem != expected {
            cx.err(
                "shape",
                format!("file should be named '{expected}.yaml' after shape '{name}'"),
            );
        }
    }
    let spec = &shape.spec;
    let usable = match spec.ty {
        TypeWord::Object => spec.fields.as_ref().is_some_and(|f| !f.is_empty()),
        TypeWord::String | TypeWord::Integer | TypeWord::Long => spec.enum_values.is_some(),
        _ => false,
    };
    if !usable {
        cx.err(
            "type",
            "a shape is an object with fields, or an enum (string, integer or long with enum values)",
        );
    }
    node(cx, "", spec.node(), Role::Shape);
}
