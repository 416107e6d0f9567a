//! Checked specs into the model. Lowering takes the checks as given: every type is keyed by
//! its position, names are left to [`crate::registry`], and an operation's types are listed
//! in spec order, parents first.

use std::collections::BTreeMap;

use crate::load::{Input, Loaded};
use crate::model::*;
use crate::names;
use crate::resolve::{field_path, Shapes};
use crate::spec::{EnumValueSpec, Node, PaginationSpec, ShapeFile, SpecFile};

/// The model of a checked input (type names still empty).
pub fn api(input: &Input) -> Api {
    let shapes = Shapes::new(input);
    let mut lx = Lowering {
        shapes: &shapes,
        types: BTreeMap::new(),
    };
    for shape in &input.shapes {
        lx.shape(shape);
    }
    let mut operations: Vec<Operation> =
        input.operations.iter().map(|op| lx.operation(op)).collect();
    operations.sort_by(|a, b| (&a.area, &a.action).cmp(&(&b.area, &b.action)));
    // Usage flows from the operations into the shapes and types they contain.
    for op in &operations {
        for p in &op.params {
            if let TypeRef::Named(key) = innermost(&p.ty) {
                lx.mark_used(key, Side::Request);
            }
        }
        if let TypeRef::Named(key) = innermost(&op.response) {
            lx.mark_used(key, Side::Response);
        }
    }
    Api {
        operations,
        types: lx.types,
    }
}

/// The element type inside any `Vec`/`Map` wrapping.
fn innermost(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Vec(inner) | TypeRef::Map(inner) => innermost(inner),
        other => other,
    }
}

struct Lowering<'a> {
    shapes: &'a Shapes<'a>,
    types: BTreeMap<TypeKey, TypeDef>,
}

impl Lowering<'_> {
    /// The Rust type of a node at a position. Pure: the same node and position always give
    /// the same type, whether or not its definition was registered yet.
    fn type_of(&self, node: Node<'_>, pos: &Position) -> TypeRef {
        if let Some(shape) = node.shape {
            return TypeRef::Named(TypeKey::Shape(shape.trim().to_string()));
        }
        let Some(ty) = node.ty else {
            return TypeRef::Any;
        };
        if node.enum_values.is_some() {
            return TypeRef::Named(TypeKey::Inline(pos.clone()));
        }
        if let Some(format) = node.format {
            return TypeRef::Time(format);
        }
        match ty {
            TypeWord::String => TypeRef::String,
            TypeWord::Integer => TypeRef::I32,
            TypeWord::Long => TypeRef::I64,
            TypeWord::Float => TypeRef::F32,
            TypeWord::Double | TypeWord::Number => TypeRef::F64,
            TypeWord::Boolean => TypeRef::Bool,
            TypeWord::Any => TypeRef::Any,
            TypeWord::Array => TypeRef::Vec(Box::new(match node.items {
                Some(items) => self.type_of(items.node(), pos),
                None => TypeRef::Any,
            })),
            TypeWord::Map => TypeRef::Map(Box::new(match node.values {
                Some(values) => self.type_of(values.node(), pos),
                None => TypeRef::Any,
            })),
            // An object without documented fields keeps whatever comes.
            TypeWord::Object if node.fields.is_none() => TypeRef::Map(Box::new(TypeRef::Any)),
            TypeWord::Object => TypeRef::Named(TypeKey::Inline(pos.clone())),
        }
    }

    /// Registers the definitions a node needs at `pos`, parents before their parts, and
    /// returns their keys in that order.
    fn register(&mut self, node: Node<'_>, pos: &Position, cx: &Origin<'_>) -> Vec<TypeKey> {
        let mut keys = Vec::new();
        if node.shape.is_some() {
            return keys;
        }
        if let Some(items) = node.items {
            keys.extend(self.register(items.node(), pos, cx));
        }
        if let Some(values) = node.values {
            keys.extend(self.register(values.node(), pos, cx));
        }
        let TypeRef::Named(key) = self.type_of(node, pos) else {
            return keys;
        };
        let kind = match (node.fields, node.enum_values) {
            (Some(fields), _) => {
                let mut nested = Vec::new();
                let fields = fields
                    .iter()
                    .map(|f| {
                        let wire = f.wire_name().to_string();
                        let mut sub = pos.clone();
                        sub.path.push(wire.clone());
                        nested.extend(self.register(f.node(), &sub, cx));
                        Field {
                            rust_name: names::rust_field_name(&wire, f.rust_name.as_deref()),
                            ty: self.type_of(f.node(), &sub),
                            required: f.required.unwrap_or(false),
                            docs: field_docs(f.node()),
                            wire_name: wire,
                        }
                    })
                    .collect();
                keys.push(key.clone());
                keys.append(&mut nested);
                TypeKind::Struct(fields)
            }
            (None, Some(values)) => {
                keys.push(key.clone());
                let repr = match node.ty {
                    Some(TypeWord::Integer) => EnumRepr::I32,
                    Some(TypeWord::Long) => EnumRepr::I64,
                    _ => EnumRepr::String,
                };
                TypeKind::Enum {
                    repr,
                    variants: enum_variants(values),
                }
            }
            (None, None) => return keys,
        };
        let field = match &pos.owner {
            Owner::Request(_) => format!("parameters.{}", pos.path.join(".")),
            Owner::Response(_) if pos.path.is_empty() => "response".to_string(),
            Owner::Response(_) => format!("response.{}", pos.path.join(".")),
            Owner::Shape(_) if pos.path.is_empty() => "shape".to_string(),
            Owner::Shape(_) => pos.path.join("."),
        };
        self.types.insert(
            key.clone(),
            TypeDef {
                key,
                name: String::new(),
                area: cx.area.to_string(),
                source: cx.file.to_string(),
                location: crate::locate::locate(cx.text, &field),
                field,
                docs: clean(node.description),
                kind,
                in_request: false,
                in_response: false,
                notes: Vec::new(),
                type_name: node.type_name.map(|t| t.trim().to_string()),
                parts: Vec::new(),
            },
        );
        keys
    }

    fn shape(&mut self, shape: &Loaded<ShapeFile>) {
        let name = shape.spec.shape.trim().to_string();
        let origin = Origin {
            area: &shape.area,
            file: &shape.file,
            text: &shape.text,
        };
        let pos = Position {
            owner: Owner::Shape(name.clone()),
            path: Vec::new(),
        };
        // The shape's own definition sits at its root position; it is keyed by name.
        let root = TypeKey::Inline(pos.clone());
        let parts = self.register(shape.spec.node(), &pos, &origin);
        if let Some(mut def) = self.types.remove(&root) {
            def.key = TypeKey::Shape(name.clone());
            def.notes = clean_notes(&shape.spec.notes);
            def.parts = parts.into_iter().filter(|k| *k != root).collect();
            self.types.insert(TypeKey::Shape(name), def);
        }
    }

    fn operation(&mut self, op: &Loaded<SpecFile>) -> Operation {
        let spec = &op.spec;
        let action = spec.action.trim().to_string();
        let origin = Origin {
            area: &op.area,
            file: &op.file,
            text: &op.text,
        };
        let mut types = Vec::new();
        let params: Vec<Param> = spec
            .parameters
            .iter()
            .map(|p| {
                let wire = p.name.trim().to_string();
                let pos = Position {
                    owner: Owner::Request(action.clone()),
                    path: vec![wire.clone()],
                };
                types.extend(self.register(p.node(), &pos, &origin));
                let word = match (p.ty, p.shape.as_deref().and_then(|s| self.shapes.get(s))) {
                    (Some(ty), _) => ty,
                    (None, Some(shape)) => shape.spec.ty,
                    (None, None) => TypeWord::Any,
                };
                Param {
                    rust_name: names::rust_field_name(&wire, p.rust_name.as_deref()),
                    location: p.location.unwrap_or(ParamLocation::Query),
                    ty: self.type_of(p.node(), &pos),
                    word,
                    required: p.required.unwrap_or(false),
                    docs: field_docs(p.node()),
                    secret: p.secret.unwrap_or(false),
                    json_style: p.style.is_some(),
                    wire_name: wire,
                }
            })
            .collect();
        let root = Position {
            owner: Owner::Response(action.clone()),
            path: Vec::new(),
        };
        types.extend(self.register(spec.response.node(), &root, &origin));
        let response = self.type_of(spec.response.node(), &root);
        let pagination = spec
            .pagination
            .as_ref()
            .map(|p| self.pagination(p, spec, &params, &root));
        Operation {
            area: op.area.clone(),
            source: op.file.clone(),
            fn_name: names::field_name(&action),
            type_prefix: names::type_name(&action),
            docs: OperationDocs {
                summary: spec.summary.trim().to_string(),
                summary_en: clean(spec.summary_en.as_deref()),
                description: clean(spec.description.as_deref()),
                notes: clean_notes(&spec.notes),
            },
            method: spec.method,
            idempotent: spec
                .idempotent
                .unwrap_or_else(|| spec.method.is_idempotent()),
            path_template: spec.path.clone(),
            path: path_parts(&spec.path, &params),
            body: spec.body,
            response_is_text: response == TypeRef::String,
            response,
            params,
            types,
            errors: spec
                .errors
                .iter()
                .map(|e| ErrorCode {
                    status: e.status,
                    code: e.code.trim().to_string(),
                    variant: names::type_name(e.code.trim()),
                    message: e.message.as_deref().unwrap_or_default().trim().to_string(),
                    description: e
                        .description
                        .as_deref()
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                })
                .collect(),
            pagination,
            example_response: spec.example_response.clone(),
            waiters: crate::waiter::lower(self.shapes, spec),
            action,
        }
    }

    fn pagination(
        &self,
        p: &PaginationSpec,
        spec: &SpecFile,
        params: &[Param],
        root: &Position,
    ) -> Pagination {
        let param = |name: &Option<String>| {
            name.as_ref().and_then(|name| {
                params.iter().position(|q| {
                    &q.wire_name == name
                        && matches!(q.location, ParamLocation::Query | ParamLocation::Body)
                })
            })
        };
        // Rust names along a response path, and the type at its end.
        let resolve = |dotted: &str| -> (Vec<String>, TypeRef) {
            let fields = field_path(self.shapes, spec.response.node(), dotted).unwrap_or_default();
            let mut pos = root.clone();
            let mut rust = Vec::new();
            let mut ty = TypeRef::Any;
            for f in &fields {
                let wire = f.wire_name();
                pos.path.push(wire.to_string());
                rust.push(names::rust_field_name(wire, f.rust_name.as_deref()));
                ty = self.type_of(f.node(), &pos);
                // Inside a shape, positions restart at the shape.
                if let TypeRef::Named(TypeKey::Shape(name)) = innermost(&ty) {
                    pos = Position {
                        owner: Owner::Shape(name.clone()),
                        path: Vec::new(),
                    };
                }
            }
            (rust, ty)
        };
        let style = match p.style {
            PageStyle::Cursor => PaginationStyle::Cursor {
                param: param(&p.cursor_param).unwrap_or_default(),
                field_path: p
                    .cursor_field
                    .as_deref()
                    .map(|f| resolve(f).0)
                    .unwrap_or_default(),
            },
            PageStyle::Page => PaginationStyle::Page {
                param: param(&p.page_param).unwrap_or_default(),
            },
        };
        let (items_path, items_ty) = resolve(&p.items_field);
        let item_type = match items_ty {
            TypeRef::Vec(inner) => *inner,
            other => other,
        };
        let total = p.total_field.as_deref().map(resolve);
        Pagination {
            style,
            size_param: param(&p.size_param),
            items_path,
            item_type,
            total_is_i64: matches!(total, Some((_, TypeRef::I64))),
            total_path: total.map(|(path, _)| path),
            wire: PaginationWire {
                items: split(&p.items_field),
                cursor: p.cursor_field.as_deref().map(split),
                total: p.total_field.as_deref().map(split),
            },
            fixed: p
                .fixed
                .iter()
                .filter_map(|(name, value)| {
                    let i = params
                        .iter()
                        .position(|q| &q.wire_name == name && q.location == ParamLocation::Query)?;
                    Some((i, value.clone()))
                })
                .collect(),
        }
    }

    /// Marks `key`, and every type it contains, as used on `side`.
    fn mark_used(&mut self, key: &TypeKey, side: Side) {
        let Some(def) = self.types.get_mut(key) else {
            return;
        };
        let flag = match side {
            Side::Request => &mut def.in_request,
            Side::Response => &mut def.in_response,
        };
        if *flag {
            return;
        }
        *flag = true;
        let children: Vec<TypeKey> = match &def.kind {
            TypeKind::Struct(fields) => fields
                .iter()
                .filter_map(|f| match innermost(&f.ty) {
                    TypeRef::Named(k) => Some(k.clone()),
                    _ => None,
                })
                .collect(),
            TypeKind::Enum { .. } => Vec::new(),
        };
        for child in children {
            self.mark_used(&child, side);
        }
    }
}

/// The side of an operation a type is used on.
#[derive(Clone, Copy)]
enum Side {
    Request,
    Response,
}

/// Where definitions come from, for the model.
struct Origin<'a> {
    area: &'a str,
    file: &'a str,
    text: &'a str,
}

/// A dotted path of wire names.
fn split(dotted: &str) -> Vec<String> {
    dotted.split('.').map(|s| s.trim().to_string()).collect()
}

fn path_parts(template: &str, params: &[Param]) -> Vec<PathPart> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        if start > 0 {
            parts.push(PathPart::Literal(rest[..start].to_string()));
        }
        let len = rest[start..].find('}').unwrap_or(rest.len() - start);
        let name = &rest[start + 1..start + len];
        if let Some(i) = params
            .iter()
            .position(|p| p.location == ParamLocation::Path && p.wire_name == name)
        {
            parts.push(PathPart::Param(i));
        }
        rest = rest.get(start + len + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        parts.push(PathPart::Literal(rest.to_string()));
    }
    parts
}

fn enum_variants(values: &[EnumValueSpec]) -> Vec<EnumVariant> {
    values
        .iter()
        .map(|v| EnumVariant {
            value: v.value.to_string(),
            ident: names::enum_variant(v),
            docs: clean(v.description.as_deref()),
        })
        .collect()
}

fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn clean_notes(notes: &[String]) -> Vec<String> {
    notes
        .iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

fn field_docs(node: Node<'_>) -> FieldDocs {
    FieldDocs {
        description: clean(node.description),
        example: node.example.and_then(|v| match v {
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
