//! Waiters (`waiters[]` of an operation): their field paths, read the same way by the checks
//! (is the path there, and what is at its end?) and by lowering (which Rust fields lead
//! there?), and their lowering into [`crate::model::Waiter`].
//!
//! A path is dotted wire names from the response root (`pipelineRun.status`), followed
//! through shapes; `name[]` projects over the items of the array `name`
//! (`pipelineRun.stages[].stageInfo.status`), and `name[][]` over the items of its items.

use crate::model::{Acceptor, AcceptorMatch, LeafKind, PathStep, Waiter};
use crate::names;
use crate::resolve::{FieldError, Shapes};
use crate::spec::{AcceptorSpec, Node, NodeSpec, SpecFile, TypeWord, WaiterSpec};

/// Seconds before the second poll when the spec gives no `min_delay` (smithy's default).
pub const DEFAULT_MIN_DELAY: u64 = 2;
/// Longest delay between polls when the spec gives no `max_delay` (smithy's default).
pub const DEFAULT_MAX_DELAY: u64 = 120;
/// Seconds a waiter waits in all when the spec gives no `max_wait`.
pub const DEFAULT_MAX_WAIT: u64 = 600;

/// One segment of a path: a field's wire name and how many `[]` follow it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'p> {
    /// The field's wire name.
    pub name: &'p str,
    /// How many array levels `[]` projects over after the field.
    pub each: usize,
}

/// What a path ends at, as the runtime reads it as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// A plain string.
    Text,
    /// A string enum, with its documented values.
    Enum(Vec<String>),
    /// An integer or long.
    Integer,
    /// A boolean.
    Boolean,
}

impl Leaf {
    /// The Rust-side reading of the value.
    pub fn kind(&self) -> LeafKind {
        match self {
            Leaf::Text => LeafKind::Str,
            Leaf::Enum(_) => LeafKind::Enum,
            Leaf::Integer | Leaf::Boolean => LeafKind::Display,
        }
    }
}

/// A resolved path: the fields it goes through (with their `[]` count) and its end.
#[derive(Debug)]
pub struct Resolved<'a> {
    /// Each field met, and how many array levels follow it.
    pub fields: Vec<(&'a NodeSpec, usize)>,
    /// What the path ends at.
    pub leaf: Leaf,
    /// Whether any segment projects over array items.
    pub projects: bool,
}

/// Splits `a.b[].c` into segments, or says why it is not a path.
pub fn parse(path: &str) -> Result<Vec<Segment<'_>>, String> {
    if path.trim().is_empty() {
        return Err("is empty; give dotted wire names such as pipelineRun.status".into());
    }
    path.split('.')
        .map(|seg| {
            let name = seg.trim_end_matches("[]");
            let each = (seg.len() - name.len()) / 2;
            let ok = !name.is_empty()
                && !name.contains(['[', ']', ' '])
                && name.chars().all(|c| !c.is_control());
            if ok {
                Ok(Segment { name, each })
            } else {
                Err(format!(
                    "'{path}' is not a path: '{seg}' should be a wire name, optionally followed by [] (dotted wire names, such as stages[].status)"
                ))
            }
        })
        .collect()
}

/// Follows `path` from the response root through shapes, or says where it goes wrong.
pub fn resolve<'a>(
    shapes: &Shapes<'a>,
    root: Node<'a>,
    path: &str,
) -> Result<Resolved<'a>, String> {
    let segments = parse(path)?;
    let mut current = root;
    let mut fields = Vec::new();
    let mut before = String::from("the response");
    for seg in &segments {
        let field = shapes.field(current, seg.name).map_err(|e| {
            // Only on failure: what the parent is, for the message.
            let node = shapes.deref(current).unwrap_or(current);
            match e {
                FieldError::UnknownShape => format!("{before} is an unknown shape"),
                FieldError::NotObject if node.ty == Some(TypeWord::Array) => {
                    let array = before.trim_matches('\'');
                    format!(
                        "{before} is an array; write {array}[].{} to look at the field of each item",
                        seg.name
                    )
                }
                FieldError::NotObject => format!(
                    "{before} is {}, not an object with fields, so it has no field '{}'",
                    noun(node),
                    seg.name
                ),
                FieldError::NoField => format!("{before} has no field '{}'", seg.name),
            }
        })?;
        let mut here = field.node();
        for level in 0..seg.each {
            let node = shapes.deref(here).unwrap_or(here);
            match (node.ty, node.items) {
                (Some(TypeWord::Array), Some(items)) => here = items.node(),
                _ => {
                    let brackets = "[]".repeat(level);
                    return Err(format!(
                        "'{}{brackets}' is {}, not an array: [] projects over array items",
                        seg.name,
                        noun(node)
                    ));
                }
            }
        }
        fields.push((field, seg.each));
        current = here;
        before = format!("'{}{}'", seg.name, "[]".repeat(seg.each));
    }
    let end = shapes.deref(current).unwrap_or(current);
    let leaf = match end.ty {
        Some(TypeWord::String) => match end.enum_values {
            Some(values) => Leaf::Enum(values.iter().map(|v| v.value.to_string()).collect()),
            None => Leaf::Text,
        },
        Some(TypeWord::Integer | TypeWord::Long) => Leaf::Integer,
        Some(TypeWord::Boolean) => Leaf::Boolean,
        Some(TypeWord::Array) => {
            return Err(format!(
                "{before} is an array; write {}[] to compare its items",
                before.trim_matches('\'')
            ))
        }
        Some(TypeWord::Float | TypeWord::Double | TypeWord::Number) => {
            return Err(format!(
                "{before} is a floating-point number, which is not compared exactly; a path ends at a string, an enum, an integer or a boolean"
            ))
        }
        Some(TypeWord::Object | TypeWord::Map | TypeWord::Any) | None => {
            return Err(format!(
                "{before} is {}; a path ends at a string, an enum, an integer or a boolean",
                noun(end)
            ))
        }
    };
    let projects = segments.iter().any(|s| s.each > 0);
    Ok(Resolved {
        fields,
        leaf,
        projects,
    })
}

/// A node's kind in words, for messages.
fn noun(node: Node<'_>) -> &'static str {
    match node.ty {
        Some(TypeWord::Object) if node.fields.is_some() => "an object",
        Some(TypeWord::Object) => "an object without documented fields",
        Some(TypeWord::Array) => "an array",
        Some(TypeWord::Map) => "a map",
        Some(TypeWord::Any) => "an untyped value (any)",
        Some(TypeWord::String) if node.enum_values.is_some() => "an enum",
        Some(TypeWord::String) => "a string",
        Some(TypeWord::Boolean) => "a boolean",
        Some(TypeWord::Integer | TypeWord::Long) => "an integer",
        Some(TypeWord::Float | TypeWord::Double | TypeWord::Number) => "a number",
        None => "a shape",
    }
}

/// The waiters of a checked operation, for the model.
pub fn lower(shapes: &Shapes<'_>, spec: &SpecFile) -> Vec<Waiter> {
    spec.waiters
        .iter()
        .map(|w| lower_waiter(shapes, spec, w))
        .collect()
}

fn lower_waiter(shapes: &Shapes<'_>, spec: &SpecFile, w: &WaiterSpec) -> Waiter {
    let name = w.name.trim().to_string();
    Waiter {
        method: names::waiter_method(&name),
        static_name: names::waiter_static(&name),
        description: clean(w.description.as_deref()),
        notes: w
            .notes
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        min_delay: w.min_delay.unwrap_or(DEFAULT_MIN_DELAY),
        max_delay: w.max_delay.unwrap_or(DEFAULT_MAX_DELAY),
        max_wait: w.max_wait.unwrap_or(DEFAULT_MAX_WAIT),
        acceptors: w
            .acceptors
            .iter()
            .map(|a| lower_acceptor(shapes, spec, a))
            .collect(),
        name,
    }
}

fn lower_acceptor(shapes: &Shapes<'_>, spec: &SpecFile, a: &AcceptorSpec) -> Acceptor {
    let matcher = match (&a.path, &a.error) {
        (Some(path), _) => {
            let resolved = resolve(shapes, spec.response.node(), path.trim()).ok();
            let steps = resolved
                .as_ref()
                .map(|r| {
                    r.fields
                        .iter()
                        .map(|(f, each)| PathStep {
                            rust_name: names::rust_field_name(
                                f.wire_name(),
                                f.rust_name.as_deref(),
                            ),
                            each: *each,
                        })
                        .collect()
                })
                .unwrap_or_default();
            AcceptorMatch::Output {
                path: path.trim().to_string(),
                steps,
                leaf: resolved.map_or(LeafKind::Str, |r| r.leaf.kind()),
                comparator: a.comparator.unwrap_or(crate::spec::Comparator::Equals),
                expected: a.expected.iter().flatten().map(|v| v.as_text()).collect(),
            }
        }
        (None, error) => AcceptorMatch::Error {
            code: error.as_deref().unwrap_or_default().trim().to_string(),
        },
    };
    Acceptor {
        state: a.state,
        matcher,
        description: clean(a.description.as_deref()),
    }
}

fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse("a.b[].c[][]").unwrap(),
            [
                Segment { name: "a", each: 0 },
                Segment { name: "b", each: 1 },
                Segment { name: "c", each: 2 },
            ]
        );
        assert!(parse("").is_err());
        assert!(parse("a..b").is_err());
        assert!(parse("a[0].b").is_err());
        assert!(parse("a[]b").is_err());
        assert_eq!(
            names::waiter_method("PipelineRunFinished"),
            "wait_until_pipeline_run_finished"
        );
    }
}
