//! One operation file: its name, parameters, path template, response, errors, pagination
//! and example.

use std::collections::{HashMap, HashSet};

use super::node::{self, rust_name, Role};
use super::Cx;
use crate::load::Loaded;
use crate::names;
use crate::resolve::{field_path, Shapes};
use crate::spec::{
    BodyEncoding, Node, PageStyle, PaginationSpec, ParamLocation, ParamSpec, ParamStyle, SpecFile,
    TypeWord,
};

/// Checks an operation spec.
pub(super) fn operation(cx: &mut Cx<'_>, op: &Loaded<SpecFile>) {
    let spec = &op.spec;
    header(cx, op);
    params(cx, spec);
    path(cx, &spec.path, &spec.parameters);
    if spec.response.name.is_some() {
        cx.err("response.name", "the response body has no name");
    }
    node::node(cx, "response", spec.response.node(), Role::Root);
    errors(cx, spec);
    if let Some(p) = &spec.pagination {
        pagination(cx, p, spec);
    }
    if let Some(example) = &spec.example_response {
        let text_response = spec.response.ty == Some(TypeWord::String);
        if !text_response {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(example) {
                cx.err("example_response", format!("is not valid JSON: {e}"));
            }
        }
    }
}

fn header(cx: &mut Cx<'_>, op: &Loaded<SpecFile>) {
    let action = op.spec.action.trim();
    let pascal_ascii = action.starts_with(|c: char| c.is_ascii_uppercase())
        && action.chars().all(|c| c.is_ascii_alphanumeric());
    if !pascal_ascii {
        cx.err(
            "action",
            format!("'{action}' is not a PascalCase ASCII action name"),
        );
    } else {
        let expected = heck::ToSnakeCase::to_snake_case(action);
        if op.stem != expected {
            cx.err(
                "action",
                format!("file should be named '{expected}.yaml' after action '{action}'"),
            );
        }
    }
    if op.spec.summary.trim().is_empty() {
        cx.err("summary", "must not be empty");
    }
}

fn params(cx: &mut Cx<'_>, spec: &SpecFile) {
    let mut wire_seen: HashSet<(&str, ParamLocation)> = HashSet::new();
    let mut rust_seen: HashMap<String, &str> = HashMap::new();
    for (i, p) in spec.parameters.iter().enumerate() {
        let name = p.name.trim();
        if name.is_empty() {
            cx.err(
                &format!("parameters[{i}].name"),
                "every parameter needs a name",
            );
            continue;
        }
        let at = format!("parameters.{name}");
        let Some(location) = p.location else {
            cx.err(
                &format!("{at}.in"),
                format!(
                    "missing; say where the parameter goes: one of {}",
                    ParamLocation::WORDS.join(", ")
                ),
            );
            continue;
        };
        if !wire_seen.insert((name, location)) {
            cx.err_at(
                &format!("parameters[{i}]"),
                &at,
                format!("parameter '{name}' is declared twice in {location}"),
            );
            continue;
        }
        if location == ParamLocation::Path && p.required != Some(true) {
            cx.err(
                &format!("{at}.required"),
                "path parameters must be required: true",
            );
        }
        if location == ParamLocation::Body && spec.body == BodyEncoding::None {
            cx.err(
                &format!("{at}.in"),
                "body parameter, but the operation has no body (set body: json or form)",
            );
        }
        if let Some(rust) = rust_name(cx, &at, name, p.rust_name.as_deref()) {
            if let Some(other) = rust_seen.insert(rust.clone(), name) {
                cx.err_at(
                    &format!("parameters[{i}]"),
                    &at,
                    format!("Rust field name '{rust}' collides with parameter '{other}'; give one a rust_name"),
                );
            }
        }
        placement(cx, &at, p, location);
        node::node(cx, &at, p.node(), Role::Param);
    }
}

/// Which types can travel where, and how.
fn placement(cx: &mut Cx<'_>, at: &str, p: &ParamSpec, location: ParamLocation) {
    let word = match (p.ty, p.shape.as_deref().and_then(|s| cx.shapes.get(s))) {
        (Some(ty), _) => ty,
        (None, Some(shape)) => shape.spec.ty,
        // Reported by the node checks.
        (None, None) => return,
    };
    // A string enum shape is a string on the wire.
    let structured = word.is_structured() && !(p.shape.is_some() && word == TypeWord::String);
    let json_style = p.style == Some(ParamStyle::Json);
    match location {
        ParamLocation::Path if structured || word == TypeWord::Boolean => cx.err(
            &format!("{at}.type"),
            format!("a path parameter must be a string or a number, not {word}"),
        ),
        ParamLocation::Query | ParamLocation::Header if structured && !json_style => cx.err(
            &format!("{at}.style"),
            format!("{word} in the {location} needs style: json"),
        ),
        _ => {}
    }
    if json_style && !structured {
        cx.err(
            &format!("{at}.style"),
            "style: json is only for array, map, object and any parameters",
        );
    }
}

fn path(cx: &mut Cx<'_>, template: &str, params: &[ParamSpec]) {
    if !template.starts_with('/') {
        cx.err("path", format!("'{template}' must start with '/'"));
    }
    if template.contains(['?', '#', ' ']) {
        cx.err(
            "path",
            "must not contain '?', '#' or spaces; declare query parameters instead",
        );
    }
    let is_path_param = |name: &str| {
        params
            .iter()
            .any(|p| p.location == Some(ParamLocation::Path) && p.name.trim() == name)
    };
    let mut used = HashSet::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            cx.err("path", "unclosed '{' in path template");
            return;
        };
        let name = &rest[start + 1..start + len];
        if !is_path_param(name) {
            cx.err(
                "path",
                format!("'{{{name}}}' is not declared as a parameter with in: path"),
            );
        } else if !used.insert(name) {
            cx.err("path", format!("path parameter '{{{name}}}' appears twice"));
        }
        rest = &rest[start + len + 1..];
    }
    if rest.contains('}') {
        cx.err("path", "unmatched '}' in path template");
    }
    for p in params {
        let name = p.name.trim();
        if p.location == Some(ParamLocation::Path) && !name.is_empty() && !used.contains(name) {
            cx.err(
                &format!("parameters.{name}"),
                format!("path parameter '{name}' does not appear in path '{template}'"),
            );
        }
    }
}

fn errors(cx: &mut Cx<'_>, spec: &SpecFile) {
    let mut codes: HashSet<&str> = HashSet::new();
    let mut variants: HashMap<String, &str> = HashMap::new();
    for (i, e) in spec.errors.iter().enumerate() {
        let at = format!("errors[{i}]");
        let code = e.code.trim();
        if code.is_empty() {
            cx.err(&format!("{at}.code"), "must not be empty");
            continue;
        }
        if !(100..=599).contains(&e.status) {
            cx.err(
                &format!("{at}.status"),
                format!("{} is not an HTTP status code", e.status),
            );
        }
        if !codes.insert(code) {
            cx.err(
                &format!("{at}.code"),
                format!("'{code}' is listed twice; keep one entry per code"),
            );
            continue;
        }
        let variant = names::type_name(code);
        if variant == "Unknown" {
            cx.err(
                &format!("{at}.code"),
                "'Unknown' is reserved for undocumented codes",
            );
        } else if let Some(other) = variants.insert(variant.clone(), code) {
            cx.err(
                &format!("{at}.code"),
                format!("'{code}' and '{other}' give the same variant name '{variant}'"),
            );
        }
    }
}

/// What a pagination key must name.
#[derive(Clone, Copy)]
enum Want {
    Integer,
    String,
    Array,
}

impl Want {
    fn accepts(self, node: Node<'_>) -> bool {
        match self {
            Want::Integer => matches!(node.ty, Some(TypeWord::Integer | TypeWord::Long)),
            Want::String => node.ty == Some(TypeWord::String) && node.enum_values.is_none(),
            Want::Array => node.ty == Some(TypeWord::Array),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Want::Integer => "an integer or long",
            Want::String => "a string",
            Want::Array => "an array",
        }
    }
}

fn pagination(cx: &mut Cx<'_>, p: &PaginationSpec, spec: &SpecFile) {
    let param = |cx: &mut Cx<'_>, key: &str, name: &Option<String>, want: Want| {
        let Some(name) = name else { return };
        // Most list operations page through query parameters; a few (search, Insight exports)
        // carry them in the JSON body. The paginator only sets the field.
        let found = spec.parameters.iter().find(|q| {
            q.name.trim() == name
                && matches!(q.location, Some(ParamLocation::Query | ParamLocation::Body))
        });
        match found {
            Some(q) if want.accepts(q.node()) => {}
            Some(_) => cx.err(
                &format!("pagination.{key}"),
                format!("parameter '{name}' has the wrong type for {key}"),
            ),
            None => cx.err(
                &format!("pagination.{key}"),
                format!("'{name}' is not a query or body parameter of this operation"),
            ),
        }
    };
    param(cx, "size_param", &p.size_param, Want::Integer);
    match p.style {
        PageStyle::Cursor => {
            if p.cursor_param.is_none() {
                cx.err(
                    "pagination.cursor_param",
                    "cursor pagination needs cursor_param",
                );
            }
            param(cx, "cursor_param", &p.cursor_param, Want::String);
            match &p.cursor_field {
                Some(f) => response_field(cx, "pagination.cursor_field", f, spec, Want::String),
                None => cx.err(
                    "pagination.cursor_field",
                    "cursor pagination needs cursor_field",
                ),
            }
        }
        PageStyle::Page => {
            if p.page_param.is_none() {
                cx.err("pagination.page_param", "page pagination needs page_param");
            }
            param(cx, "page_param", &p.page_param, Want::Integer);
        }
    }
    response_field(
        cx,
        "pagination.items_field",
        &p.items_field,
        spec,
        Want::Array,
    );
    if let Some(t) = &p.total_field {
        response_field(cx, "pagination.total_field", t, spec, Want::Integer);
    }
    for name in p.fixed.keys() {
        let ok = spec.parameters.iter().any(|q| {
            q.name.trim() == name
                && q.location == Some(ParamLocation::Query)
                && q.ty == Some(TypeWord::String)
                && q.enum_values.is_none()
                && q.required != Some(true)
        });
        if !ok {
            cx.err(
                &format!("pagination.fixed.{name}"),
                format!("'{name}' is not an optional string query parameter of this operation"),
            );
        }
    }
}

/// A response field named by pagination: it must exist and have the wanted type.
fn response_field(cx: &mut Cx<'_>, at: &str, dotted: &str, spec: &SpecFile, want: Want) {
    let shapes: &Shapes<'_> = cx.shapes;
    match field_path(shapes, spec.response.node(), dotted) {
        Err(e) => cx.err(at, format!("'{dotted}': {e}")),
        Ok(fields) => {
            let last = fields.last().map(|f| f.node());
            if !last.is_some_and(|n| want.accepts(n)) {
                cx.err(
                    at,
                    format!("response field '{dotted}' must be {}", want.noun()),
                );
            }
        }
    }
}
