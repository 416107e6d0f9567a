//! Shared shapes by name, and field paths (`result.items`) followed through them. Used by the
//! checks (is the path there?) and by lowering (what is at its end?), so both read a path
//! the same way.

use std::collections::BTreeMap;

use crate::load::{Input, Loaded};
use crate::spec::{Node, NodeSpec, ShapeFile, TypeWord};

/// Every shared shape, by declared name (the first file wins if a name is declared twice;
/// the checks report the second).
#[derive(Debug, Default)]
pub struct Shapes<'a> {
    by_name: BTreeMap<&'a str, &'a Loaded<ShapeFile>>,
}

impl<'a> Shapes<'a> {
    /// The shapes of `input`.
    pub fn new(input: &'a Input) -> Self {
        let mut by_name = BTreeMap::new();
        for s in &input.shapes {
            by_name.entry(s.spec.shape.trim()).or_insert(s);
        }
        Self { by_name }
    }

    /// The shape named `name`.
    pub fn get(&self, name: &str) -> Option<&'a Loaded<ShapeFile>> {
        self.by_name.get(name.trim()).copied()
    }

    /// A node's own keys, or those of the shape it names.
    pub fn deref(&self, node: Node<'a>) -> Option<Node<'a>> {
        match node.shape {
            Some(name) => self.get(name).map(|s| s.spec.node()),
            None => Some(node),
        }
    }

    /// One step of a path: the field `name` (a wire name) of `node`, through its shape.
    pub fn field(&self, node: Node<'a>, name: &str) -> Result<&'a NodeSpec, FieldError> {
        let node = self.deref(node).ok_or(FieldError::UnknownShape)?;
        let fields = node
            .fields
            .filter(|_| node.ty == Some(TypeWord::Object))
            .ok_or(FieldError::NotObject)?;
        fields
            .iter()
            .find(|f| f.name.as_deref().map(str::trim) == Some(name))
            .ok_or(FieldError::NoField)
    }
}

/// Why [`Shapes::field`] found no field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError {
    /// The node names a shape that does not exist.
    UnknownShape,
    /// The node (its shape's keys, if it names one) is not an object with fields.
    NotObject,
    /// The object has no field of that name.
    NoField,
}

/// Why a dotted field path does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// The segment's parent is not an object with fields.
    NotInObject(String),
    /// The parent object has no such field.
    NoField(String),
}

impl std::fmt::Display for PathError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathError::NotInObject(seg) => write!(f, "'{seg}' is not inside an object"),
            PathError::NoField(seg) => write!(f, "the response has no field '{seg}' there"),
        }
    }
}

/// The fields met following `dotted` (wire names joined by `.`) down from `root`, through
/// shapes. The last one is the field the path names.
pub fn field_path<'a>(
    shapes: &Shapes<'a>,
    root: Node<'a>,
    dotted: &str,
) -> Result<Vec<&'a NodeSpec>, PathError> {
    let mut current = root;
    let mut out = Vec::new();
    for seg in dotted.split('.') {
        let field = shapes.field(current, seg).map_err(|e| match e {
            FieldError::NoField => PathError::NoField(seg.to_string()),
            FieldError::UnknownShape | FieldError::NotObject => {
                PathError::NotInObject(seg.to_string())
            }
        })?;
        out.push(field);
        current = field.node();
    }
    Ok(out)
}
