//! Checks a loaded spec and lowers it into the model. Collects every problem in a file rather
//! than stopping at the first, and never panics.

use std::collections::{HashMap, HashSet};

use crate::error::Diagnostic;
use crate::model::*;
use crate::names;
use crate::spec::{NodeSpec, PaginationSpec, SpecFile};

const TYPES: &str =
    "string, integer, long, float, double, number, boolean, object, array, map, any";

/// Lowers one parsed spec file. `file` is the path shown in messages, `area` the module.
pub fn operation(
    file: &str,
    area: &str,
    text: &str,
    spec: &SpecFile,
) -> Result<Operation, Vec<Diagnostic>> {
    let mut cx = Cx {
        file,
        text,
        diags: Vec::new(),
        types: Vec::new(),
        names: HashSet::new(),
    };
    let op = cx.operation(area, spec);
    if cx.diags.is_empty() {
        Ok(op)
    } else {
        Err(cx.diags)
    }
}

/// Checks across files: actions and method names must be unique.
pub fn whole_api(ops: &[Operation]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for op in ops {
        for key in [op.action.as_str(), op.fn_name.as_str()] {
            if let Some(other) = seen.insert(key, &op.source) {
                if other != op.source {
                    diags.push(Diagnostic {
                        file: op.source.clone(),
                        location: None,
                        field: "action".into(),
                        message: format!("operation '{}' is also defined in {other}", op.action),
                    });
                    break;
                }
            }
        }
    }
    // A list operation also gets `<method>_stream`, which must not be another's method.
    let methods: HashMap<&str, &Operation> = ops.iter().map(|o| (o.fn_name.as_str(), o)).collect();
    for op in ops.iter().filter(|o| o.pagination.is_some()) {
        let stream = format!("{}_stream", op.fn_name);
        if let Some(other) = methods.get(stream.as_str()) {
            diags.push(Diagnostic {
                file: other.source.clone(),
                location: None,
                field: "action".into(),
                message: format!(
                    "method '{stream}' is also the stream method of list operation '{}' in {}; rename one action",
                    op.action, op.source
                ),
            });
        }
    }
    diags
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    diags: Vec<Diagnostic>,
    types: Vec<TypeDef>,
    names: HashSet<String>,
}

impl Cx<'_> {
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.err_at(field, field, message);
    }

    /// Like `err`, but finds the line through `locate_path` (e.g. `parameters[3]`), for
    /// problems where the field path alone is ambiguous (a name declared twice).
    fn err_at(&mut self, locate_path: &str, field: &str, message: impl Into<String>) {
        let location = locate(self.text, locate_path);
        self.diags.push(Diagnostic {
            file: self.file.to_string(),
            location,
            field: field.to_string(),
            message: message.into(),
        });
    }

    fn operation(&mut self, area: &str, spec: &SpecFile) -> Operation {
        let action = spec.action.trim().to_string();
        if !is_pascal_ascii(&action) {
            self.err(
                "action",
                format!("'{action}' is not a PascalCase ASCII action name"),
            );
        }
        let fn_name = names::field_name(&action);
        let type_prefix = names::type_name(&action);
        let expected_file = format!("{}.yaml", heck::ToSnakeCase::to_snake_case(action.as_str()));
        let file_name = self.file.rsplit('/').next().unwrap_or(self.file);
        if !action.is_empty() && file_name != expected_file {
            self.err(
                "action",
                format!("file should be named '{expected_file}' after action '{action}'"),
            );
        }
        if spec.summary.trim().is_empty() {
            self.err("summary", "must not be empty");
        }

        let method = spec.method.trim().to_ascii_uppercase();
        if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&method.as_str()) {
            self.err(
                "method",
                format!(
                    "unknown HTTP method '{}' (expected GET, POST, PUT, DELETE or PATCH)",
                    spec.method
                ),
            );
        }
        let idempotent = spec
            .idempotent
            .unwrap_or(matches!(method.as_str(), "GET" | "PUT" | "DELETE"));
        let body = match spec.body.as_deref().map(str::trim) {
            None | Some("none") => BodyEncoding::None,
            Some("json") => BodyEncoding::Json,
            Some("form") => BodyEncoding::Form,
            Some(other) => {
                self.err(
                    "body",
                    format!("unknown body encoding '{other}' (expected none, json or form)"),
                );
                BodyEncoding::None
            }
        };

        let params = self.params(&type_prefix, spec, body);
        let path = self.path(&spec.path, &params);
        let request_types = std::mem::take(&mut self.types);

        let (response, response_is_text) = self.response(&type_prefix, &spec.response);
        let response_types = std::mem::take(&mut self.types);

        let errors = self.errors(spec);
        let pagination = spec
            .pagination
            .as_ref()
            .and_then(|p| self.pagination(p, &params, &response, &response_types));

        if let Some(example) = &spec.example_response {
            if !response_is_text {
                if let Err(e) = serde_json::from_str::<serde_json::Value>(example) {
                    self.err("example_response", format!("is not valid JSON: {e}"));
                }
            }
        }

        Operation {
            action,
            area: area.to_string(),
            source: self.file.to_string(),
            fn_name,
            type_prefix,
            docs: OperationDocs {
                summary: spec.summary.trim().to_string(),
                summary_en: clean(&spec.summary_en),
                description: clean(&spec.description),
                notes: spec
                    .notes
                    .iter()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect(),
            },
            method,
            idempotent,
            path_template: spec.path.clone(),
            path,
            body,
            params,
            request_types,
            response,
            response_types,
            response_is_text,
            errors,
            pagination,
            example_response: spec.example_response.clone(),
        }
    }

    fn params(&mut self, prefix: &str, spec: &SpecFile, body: BodyEncoding) -> Vec<Param> {
        let mut params = Vec::new();
        let mut wire_seen: HashSet<(String, Location)> = HashSet::new();
        let mut rust_seen: HashMap<String, String> = HashMap::new();
        for (i, p) in spec.parameters.iter().enumerate() {
            let Some(name) = p.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
                self.err(
                    &format!("parameters[{i}].name"),
                    "every parameter needs a name",
                );
                continue;
            };
            let at = format!("parameters.{name}");
            let location = match p.location.as_deref() {
                Some("path") => Location::Path,
                Some("query") => Location::Query,
                Some("header") => Location::Header,
                Some("body") => Location::Body,
                Some(other) => {
                    self.err(
                        &format!("{at}.in"),
                        format!(
                            "unknown location '{other}' (expected path, query, header or body)"
                        ),
                    );
                    continue;
                }
                None => {
                    self.err(
                        &format!("{at}.in"),
                        "missing; say where the parameter goes: path, query, header or body",
                    );
                    continue;
                }
            };
            if !wire_seen.insert((name.to_string(), location)) {
                self.err_at(
                    &format!("parameters[{i}]"),
                    &at,
                    format!(
                        "parameter '{name}' is declared twice in {}",
                        location.as_str()
                    ),
                );
                continue;
            }
            let required = p.required.unwrap_or(false);
            if location == Location::Path && !required {
                self.err(
                    &format!("{at}.required"),
                    "path parameters must be required: true",
                );
            }
            if location == Location::Body && body == BodyEncoding::None {
                self.err(
                    &format!("{at}.in"),
                    "body parameter, but the operation has no body (set body: json or form)",
                );
            }
            let rust_name = self.rust_name(p.rust_name.as_deref(), name, &at);
            if let Some(other) = rust_seen.insert(rust_name.clone(), name.to_string()) {
                self.err_at(&format!("parameters[{i}]"), &at, format!("Rust field name '{rust_name}' collides with parameter '{other}'; give one a rust_name"));
            }
            if p.type_name.is_some() && p.ty != "object" {
                self.err(
                    &format!("{at}.type_name"),
                    "type_name is only for object nodes",
                );
            }
            let json_style = match p.style.as_deref() {
                None => false,
                Some("json") => true,
                Some(other) => {
                    self.err(
                        &format!("{at}.style"),
                        format!("unknown style '{other}' (expected json)"),
                    );
                    false
                }
            };
            let ty = self.node(p, &at, prefix, &[name.to_string()], true);
            // An unknown type is already reported; checks of its location would only repeat it.
            let known_type = TYPES.split(", ").any(|t| t == p.ty.trim());
            let complex = matches!(ty, TypeRef::Vec(_) | TypeRef::Map(_) | TypeRef::Any)
                || (p.ty == "object");
            match location {
                _ if !known_type => {}
                Location::Path if complex || p.ty == "boolean" => {
                    self.err(
                        &format!("{at}.type"),
                        format!(
                            "a path parameter must be a string or a number, not {}",
                            p.ty
                        ),
                    );
                }
                Location::Query | Location::Header if complex && !json_style => {
                    self.err(
                        &format!("{at}.style"),
                        format!("{} in the {} needs style: json", p.ty, location.as_str()),
                    );
                }
                _ => {}
            }
            if json_style && !complex && known_type {
                self.err(
                    &format!("{at}.style"),
                    "style: json is only for array, map, object and any parameters",
                );
            }
            params.push(Param {
                wire_name: name.to_string(),
                rust_name,
                location,
                ty,
                spec_type: p.ty.trim().to_string(),
                required,
                docs: docs(p),
                secret: p.secret.unwrap_or(false),
                json_style,
            });
        }
        params
    }

    /// The Rust field name: the spec's `rust_name`, else the wire name in snake_case.
    fn rust_name(&mut self, explicit: Option<&str>, wire: &str, at: &str) -> String {
        match explicit {
            Some(r) => {
                if !names::is_valid_field_name(r) {
                    self.err(
                        &format!("{at}.rust_name"),
                        format!("'{r}' is not a snake_case Rust identifier"),
                    );
                }
                r.to_string()
            }
            None => {
                let r = names::field_name(wire);
                if !is_rust_ident(&r) {
                    self.err(
                        at,
                        format!("'{wire}' gives the Rust name '{r}', which is not a Rust identifier; give it a rust_name"),
                    );
                }
                r
            }
        }
    }

    fn path(&mut self, template: &str, params: &[Param]) -> Vec<PathPart> {
        let mut parts = Vec::new();
        if !template.starts_with('/') {
            self.err("path", format!("'{template}' must start with '/'"));
        }
        if template.contains(['?', '#', ' ']) {
            self.err(
                "path",
                "must not contain '?', '#' or spaces; declare query parameters instead",
            );
        }
        let mut used = HashSet::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            if start > 0 {
                parts.push(PathPart::Literal(rest[..start].to_string()));
            }
            let Some(len) = rest[start..].find('}') else {
                self.err("path", "unclosed '{' in path template");
                return parts;
            };
            let name = &rest[start + 1..start + len];
            match params
                .iter()
                .position(|p| p.location == Location::Path && p.wire_name == name)
            {
                Some(i) => {
                    if !used.insert(i) {
                        self.err("path", format!("path parameter '{{{name}}}' appears twice"));
                    }
                    parts.push(PathPart::Param(i));
                }
                None => self.err(
                    "path",
                    format!("'{{{name}}}' is not declared as a parameter with in: path"),
                ),
            }
            rest = &rest[start + len + 1..];
        }
        if rest.contains('}') {
            self.err("path", "unmatched '}' in path template");
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_string()));
        }
        for (i, p) in params.iter().enumerate() {
            if p.location == Location::Path && !used.contains(&i) {
                self.err(
                    &format!("parameters.{}", p.wire_name),
                    format!(
                        "path parameter '{}' does not appear in path '{template}'",
                        p.wire_name
                    ),
                );
            }
        }
        parts
    }

    fn response(&mut self, prefix: &str, node: &NodeSpec) -> (TypeRef, bool) {
        for (key, present) in [
            ("in", node.location.is_some()),
            ("secret", node.secret.is_some()),
            ("style", node.style.is_some()),
            ("name", node.name.is_some()),
        ] {
            if present {
                self.err(&format!("response.{key}"), "only parameters have this key");
            }
        }
        // The root object is `{Prefix}Response`; a bare array's items are `{Prefix}Item`, and
        // the name `{Prefix}Response` stays reserved for the alias emitted for it.
        let root = if node.ty.trim() == "object" {
            "Response"
        } else {
            "Item"
        };
        if root != "Response" {
            self.names.insert(format!("{prefix}Response"));
        }
        let ty = self.node(node, "response", prefix, &[root.to_string()], false);
        let is_text = node.ty.trim() == "string";
        (ty, is_text)
    }

    /// Lowers a schema node into a type, registering structs and enums it needs.
    /// `chain` holds the names from the operation down to this node, for type names.
    fn node(
        &mut self,
        node: &NodeSpec,
        at: &str,
        prefix: &str,
        chain: &[String],
        is_request: bool,
    ) -> TypeRef {
        let ty = node.ty.trim();
        let misplaced = |key: &str, present: bool| {
            present.then(|| format!("'{key}' is not allowed on a node of type {ty}"))
        };
        let problems: Vec<(String, String)> = [
            (
                "fields",
                misplaced("fields", node.fields.is_some() && ty != "object"),
            ),
            (
                "items",
                misplaced("items", node.items.is_some() && ty != "array"),
            ),
            (
                "values",
                misplaced("values", node.values.is_some() && ty != "map"),
            ),
            (
                "enum",
                misplaced("enum", node.enum_values.is_some() && ty != "string"),
            ),
            (
                "type_name",
                misplaced("type_name", node.type_name.is_some() && ty != "object"),
            ),
        ]
        .into_iter()
        .filter_map(|(k, m)| m.map(|m| (k.to_string(), m)))
        .collect();
        for (k, m) in problems {
            self.err(&format!("{at}.{k}"), m);
        }
        match ty {
            "string" => match &node.enum_values {
                Some(values) => self.string_enum(node, values, at, prefix, chain),
                None => TypeRef::String,
            },
            "integer" => TypeRef::I32,
            "long" => TypeRef::I64,
            "float" => TypeRef::F32,
            "double" | "number" => TypeRef::F64,
            "boolean" => TypeRef::Bool,
            "any" => TypeRef::Any,
            "array" => match &node.items {
                Some(items) => TypeRef::Vec(Box::new(self.node(
                    items,
                    &format!("{at}.items"),
                    prefix,
                    chain,
                    is_request,
                ))),
                None => {
                    self.err(&format!("{at}.items"), "an array needs items: {type: ...}");
                    TypeRef::Vec(Box::new(TypeRef::Any))
                }
            },
            "map" => match &node.values {
                Some(values) => TypeRef::Map(Box::new(self.node(
                    values,
                    &format!("{at}.values"),
                    prefix,
                    chain,
                    is_request,
                ))),
                None => TypeRef::Map(Box::new(TypeRef::Any)),
            },
            "object" => self.object(node, at, prefix, chain, is_request),
            "" => {
                self.err(
                    &format!("{at}.type"),
                    format!("missing type (expected one of {TYPES})"),
                );
                TypeRef::Any
            }
            other => {
                self.err(
                    &format!("{at}.type"),
                    format!("unknown type '{other}' (expected one of {TYPES})"),
                );
                TypeRef::Any
            }
        }
    }

    fn object(
        &mut self,
        node: &NodeSpec,
        at: &str,
        prefix: &str,
        chain: &[String],
        is_request: bool,
    ) -> TypeRef {
        let Some(fields_spec) = &node.fields else {
            // An object without documented fields: keep whatever comes.
            return TypeRef::Map(Box::new(TypeRef::Any));
        };
        let name = self.type_name(node, at, prefix, chain);
        let mut fields = Vec::new();
        let mut wire_seen = HashSet::new();
        let mut rust_seen: HashMap<String, String> = HashMap::new();
        for (i, f) in fields_spec.iter().enumerate() {
            let Some(fname) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
                self.err(
                    &format!("{at}.fields[{i}].name"),
                    "every field needs a name",
                );
                continue;
            };
            let fat = format!("{at}.{fname}");
            for (key, present) in [
                ("in", f.location.is_some()),
                ("secret", f.secret.is_some()),
                ("style", f.style.is_some()),
            ] {
                if present {
                    self.err(
                        &format!("{fat}.{key}"),
                        "only top-level parameters have this key",
                    );
                }
            }
            if !wire_seen.insert(fname.to_string()) {
                self.err_at(
                    &format!("{at}.fields[{i}]"),
                    &fat,
                    format!("field '{fname}' is declared twice"),
                );
                continue;
            }
            let rust_name = self.rust_name(f.rust_name.as_deref(), fname, &fat);
            if let Some(other) = rust_seen.insert(rust_name.clone(), fname.to_string()) {
                self.err_at(&format!("{at}.fields[{i}]"), &fat, format!("Rust field name '{rust_name}' collides with field '{other}'; give one a rust_name"));
            }
            let mut sub = chain.to_vec();
            sub.push(fname.to_string());
            let ty = self.node(f, &fat, prefix, &sub, is_request);
            fields.push(Field {
                wire_name: fname.to_string(),
                rust_name,
                ty,
                required: is_request && f.required.unwrap_or(false),
                docs: docs(f),
            });
        }
        let is_root = !is_request && name == format!("{prefix}Response");
        self.types.push(TypeDef::Struct(StructDef {
            name: name.clone(),
            docs: clean(&node.description),
            fields,
            is_root,
            is_request,
        }));
        TypeRef::Named(name)
    }

    fn string_enum(
        &mut self,
        node: &NodeSpec,
        values: &[crate::spec::EnumValueSpec],
        at: &str,
        prefix: &str,
        chain: &[String],
    ) -> TypeRef {
        let name = self.type_name(node, at, prefix, chain);
        let mut variants: Vec<EnumVariant> = Vec::new();
        for v in values {
            let ident = names::type_name(&v.value);
            if ident == "Unknown" || variants.iter().any(|o| o.ident == ident) {
                self.err(
                    &format!("{at}.enum"),
                    format!(
                        "value '{}' gives the variant name '{ident}', which is taken",
                        v.value
                    ),
                );
                continue;
            }
            variants.push(EnumVariant {
                value: v.value.clone(),
                ident,
                docs: clean(&v.description),
            });
        }
        if variants.is_empty() {
            self.err(&format!("{at}.enum"), "needs at least one value");
        }
        self.types.push(TypeDef::Enum(EnumDef {
            name: name.clone(),
            docs: clean(&node.description),
            variants,
        }));
        TypeRef::Named(name)
    }

    /// `{Prefix}{Field}`, or longer with parent names until unique in this operation.
    fn type_name(&mut self, node: &NodeSpec, at: &str, prefix: &str, chain: &[String]) -> String {
        if let Some(explicit) = &node.type_name {
            if !names::is_valid_type_name(explicit) {
                self.err(
                    &format!("{at}.type_name"),
                    format!("'{explicit}' is not a PascalCase Rust identifier"),
                );
            }
            let name = format!("{prefix}{explicit}");
            if !self.names.insert(name.clone()) {
                self.err(
                    &format!("{at}.type_name"),
                    format!("type name '{name}' is already used in this operation"),
                );
            }
            return name;
        }
        for start in (0..chain.len()).rev() {
            let suffix: String = chain[start..].iter().map(|c| names::type_name(c)).collect();
            let name = format!("{prefix}{suffix}");
            if !reserved_suffix(&suffix) && self.names.insert(name.clone()) {
                return name;
            }
        }
        let mut n = 2;
        loop {
            let name = format!(
                "{prefix}{}{n}",
                chain
                    .iter()
                    .map(|c| names::type_name(c))
                    .collect::<String>()
            );
            if self.names.insert(name.clone()) {
                return name;
            }
            n += 1;
        }
    }

    fn errors(&mut self, spec: &SpecFile) -> Vec<ErrorCode> {
        let mut out: Vec<ErrorCode> = Vec::new();
        for (i, e) in spec.errors.iter().enumerate() {
            let at = format!("errors[{i}]");
            let code = e.code.trim();
            if code.is_empty() {
                self.err(&format!("{at}.code"), "must not be empty");
                continue;
            }
            if !(100..=599).contains(&e.status) {
                self.err(
                    &format!("{at}.status"),
                    format!("{} is not an HTTP status code", e.status),
                );
            }
            if out.iter().any(|o| o.code == code) {
                self.err(
                    &format!("{at}.code"),
                    format!("'{code}' is listed twice; keep one entry per code"),
                );
                continue;
            }
            let variant = names::type_name(code);
            if variant == "Unknown" {
                self.err(
                    &format!("{at}.code"),
                    "'Unknown' is reserved for undocumented codes",
                );
                continue;
            }
            if let Some(o) = out.iter().find(|o| o.variant == variant) {
                let other = o.code.clone();
                self.err(
                    &format!("{at}.code"),
                    format!("'{code}' and '{other}' give the same variant name '{variant}'"),
                );
                continue;
            }
            out.push(ErrorCode {
                status: e.status,
                code: code.to_string(),
                variant,
                message: e.message.clone().unwrap_or_default().trim().to_string(),
                description: e.description.clone().unwrap_or_default().trim().to_string(),
            });
        }
        out
    }

    fn pagination(
        &mut self,
        p: &PaginationSpec,
        params: &[Param],
        response: &TypeRef,
        types: &[TypeDef],
    ) -> Option<Pagination> {
        let before = self.diags.len();
        let query_param =
            |cx: &mut Self, key: &str, name: &Option<String>, want: &[TypeRef]| -> Option<usize> {
                let name = name.as_ref()?;
                match params
                    .iter()
                    // Most list operations page through query parameters; a few (search, Insight
                    // exports) carry them in the JSON body. The paginator only sets the field.
                    .position(|q| {
                        &q.wire_name == name
                            && matches!(q.location, Location::Query | Location::Body)
                    }) {
                    Some(i) if want.contains(&params[i].ty) => Some(i),
                    Some(_) => {
                        cx.err(
                            &format!("pagination.{key}"),
                            format!("parameter '{name}' has the wrong type for {key}"),
                        );
                        None
                    }
                    None => {
                        cx.err(
                            &format!("pagination.{key}"),
                            format!("'{name}' is not a query or body parameter of this operation"),
                        );
                        None
                    }
                }
            };
        let ints = [TypeRef::I32, TypeRef::I64];
        let size_param = query_param(self, "size_param", &p.size_param, &ints);
        let style = match p.style.as_str() {
            "cursor" => {
                let param = query_param(self, "cursor_param", &p.cursor_param, &[TypeRef::String]);
                if p.cursor_param.is_none() {
                    self.err(
                        "pagination.cursor_param",
                        "cursor pagination needs cursor_param",
                    );
                }
                let field = match &p.cursor_field {
                    Some(f) => {
                        self.response_path("pagination.cursor_field", f, response, types, |t| {
                            *t == TypeRef::String
                        })
                    }
                    None => {
                        self.err(
                            "pagination.cursor_field",
                            "cursor pagination needs cursor_field",
                        );
                        None
                    }
                };
                match (param, field) {
                    (Some(param), Some((field_path, _))) => {
                        Some(PaginationStyle::Cursor { param, field_path })
                    }
                    _ => None,
                }
            }
            "page" => {
                if p.page_param.is_none() {
                    self.err("pagination.page_param", "page pagination needs page_param");
                }
                query_param(self, "page_param", &p.page_param, &ints)
                    .map(|param| PaginationStyle::Page { param })
            }
            other => {
                self.err(
                    "pagination.style",
                    format!("unknown pagination style '{other}' (expected cursor or page)"),
                );
                None
            }
        };
        let items = self.response_path(
            "pagination.items_field",
            &p.items_field,
            response,
            types,
            |t| matches!(t, TypeRef::Vec(_)),
        );
        let total = p.total_field.as_ref().and_then(|t| {
            self.response_path("pagination.total_field", t, response, types, |t| {
                matches!(t, TypeRef::I32 | TypeRef::I64)
            })
        });
        let mut fixed = Vec::new();
        for (name, value) in &p.fixed {
            match params.iter().position(|q| {
                &q.wire_name == name
                    && q.location == Location::Query
                    && q.ty == TypeRef::String
                    && !q.required
            }) {
                Some(i) => fixed.push((i, value.clone())),
                None => self.err(
                    &format!("pagination.fixed.{name}"),
                    format!("'{name}' is not an optional string query parameter of this operation"),
                ),
            }
        }
        if self.diags.len() != before {
            return None;
        }
        let (items_path, items_ty) = items?;
        let TypeRef::Vec(item_type) = items_ty else {
            return None;
        };
        Some(Pagination {
            style: style?,
            size_param,
            items_path,
            item_type: *item_type,
            total_is_i64: matches!(total, Some((_, TypeRef::I64))),
            total_path: total.map(|(p, _)| p),
            fixed,
        })
    }

    /// Resolves a dotted response path to Rust field names and the type at its end.
    fn response_path(
        &mut self,
        at: &str,
        dotted: &str,
        response: &TypeRef,
        types: &[TypeDef],
        accept: impl Fn(&TypeRef) -> bool,
    ) -> Option<(Vec<String>, TypeRef)> {
        let mut current = response.clone();
        let mut path = Vec::new();
        for seg in dotted.split('.') {
            let TypeRef::Named(name) = &current else {
                self.err(at, format!("'{dotted}': '{seg}' is not inside an object"));
                return None;
            };
            let found = types.iter().find_map(|t| match t {
                TypeDef::Struct(s) if &s.name == name => {
                    s.fields.iter().find(|f| f.wire_name == seg)
                }
                _ => None,
            });
            let Some(field) = found else {
                self.err(
                    at,
                    format!("'{dotted}': the response has no field '{seg}' there"),
                );
                return None;
            };
            path.push(field.rust_name.clone());
            current = field.ty.clone();
        }
        if !accept(&current) {
            let want = match at {
                "pagination.items_field" => "an array",
                "pagination.cursor_field" => "a string",
                _ => "an integer or long",
            };
            self.err(at, format!("response field '{dotted}' must be {want}"));
            return None;
        }
        Some((path, current))
    }
}

/// Suffixes that would clash with the operation's own types.
fn reserved_suffix(s: &str) -> bool {
    matches!(s, "Request" | "ErrorCode")
}

/// Whether `s` can be emitted as an identifier (`proc_macro2::Ident::new` panics otherwise):
/// heck keeps any alphanumeric character, and some (`²`, `½`) are not identifier characters.
fn is_rust_ident(s: &str) -> bool {
    syn::parse_str::<syn::Ident>(s).is_ok()
}

fn is_pascal_ascii(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn docs(node: &NodeSpec) -> FieldDocs {
    FieldDocs {
        description: clean(&node.description),
        example: node.example.as_ref().and_then(|v| match v {
            serde_yaml::Value::Null => None,
            serde_yaml::Value::String(s) => Some(s.clone()),
            serde_yaml::Value::Bool(b) => Some(b.to_string()),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            other => serde_yaml::to_string(other)
                .ok()
                .map(|s| s.trim().to_string()),
        }),
    }
}

/// Keys of parameters and schema nodes, as they end field paths.
const SPEC_KEYS: &[&str] = &[
    "type",
    "items",
    "values",
    "fields",
    "enum",
    "type_name",
    "in",
    "secret",
    "style",
    "required",
    "rust_name",
    "name",
    "code",
    "status",
    "description",
    "example",
];

/// Best-effort line of a field path in the YAML text: follows the path's names down the
/// file (`name: x` or `x:` lines, `[i]` for the i-th item of a list), then finds the last key.
/// Each step searches only inside the node found by the step before, so a key missing there
/// is not found in a later sibling. serde_yaml gives no spans for values, so this is a search,
/// and `None` when it is unsure; a missing last step gives the line of its parent.
fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
    fn indent(l: &str) -> usize {
        l.len() - l.trim_start().len()
    }
    /// Column where a line's content starts, after any `- ` sequence markers.
    fn content(l: &str) -> usize {
        let mut t = l.trim_start();
        while let Some(r) = t.strip_prefix('-') {
            if r.is_empty() || r.starts_with(' ') {
                t = r.trim_start();
            } else {
                break;
            }
        }
        l.len() - t.len()
    }
    fn blank(l: &str) -> bool {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    }
    fn is_item(l: &str) -> bool {
        let t = l.trim_start();
        t == "-" || t.starts_with("- ")
    }
    // The node the search is in: lines past its column (or, below a key, list items at its
    // column) belong to it. `None` for the whole file.
    let in_scope = |scope: Option<(usize, bool)>, l: &str| match scope {
        None => true,
        Some((col, below_key)) => {
            blank(l) || indent(l) > col || (indent(l) == col && (!below_key || is_item(l)))
        }
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut pos = 0;
    let mut scope = None;
    // A list item found by `[i]`: its own line starts the node, left of the node's column.
    let mut head = None;
    let mut found = None;
    let segs: Vec<&str> = field.split('.').filter(|s| !s.is_empty()).collect();
    let count = segs.len();
    for (n, seg) in segs.into_iter().enumerate() {
        let (name, index) = match seg.split_once('[') {
            Some((base, rest)) => (base, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        // A segment names a parameter or field (`name: x`) or is a key (`x:`). Keys come
        // first for top-level keys, `items`/`values`, and a last segment that is a spec key.
        let prefer_key = n == 0
            || matches!(name, "items" | "values")
            || (n + 1 == count && SPEC_KEYS.contains(&name));
        // The least indented match in the node: a direct child before a deeper namesake.
        let find = |want_key: bool| {
            let mut best: Option<(usize, bool)> = None;
            for (i, l) in lines.iter().enumerate().skip(pos) {
                if head != Some(i) && !in_scope(scope, l) {
                    break;
                }
                let t = &l[content(l)..];
                // A `name:` line is never the key itself.
                let hit = match t.strip_prefix("name:") {
                    Some(v) => !want_key && v.trim().trim_matches(['"', '\'']) == name,
                    None => want_key && t.starts_with(&format!("{name}:")),
                };
                if hit && best.is_none_or(|(b, _)| content(l) < content(lines[b])) {
                    best = Some((i, want_key));
                }
            }
            best
        };
        let hit = find(prefer_key).or_else(|| find(!prefer_key));
        let Some((i, is_key)) = hit else { break };
        head = None;
        found = Some((i + 1, indent(lines[i]) + 1));
        pos = i + 1;
        scope = Some((content(lines[i]), is_key));
        if let Some(wanted) = index {
            // The wanted-th item of the list below this key.
            let mut item_indent = None;
            let mut seen = 0;
            let mut item = None;
            for (j, l) in lines.iter().enumerate().skip(pos) {
                if !in_scope(scope, l) {
                    break;
                }
                if blank(l) || !is_item(l) {
                    continue;
                }
                let d = *item_indent.get_or_insert(indent(l));
                if indent(l) == d {
                    if seen == wanted {
                        item = Some(j);
                        break;
                    }
                    seen += 1;
                }
            }
            let Some(j) = item else { break };
            found = Some((j + 1, indent(lines[j]) + 1));
            pos = j;
            head = Some(j);
            scope = Some((content(lines[j]), false));
        }
    }
    found
}
