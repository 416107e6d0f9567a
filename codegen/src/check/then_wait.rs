//! `then_wait`: the waiter that follows a starting operation to the end of its job. Its
//! polling operation and waiter exist, every required parameter of the polling operation
//! is given, and each input is a scalar of the parameter's own type, read from this call's
//! request or response.

use super::Cx;
use crate::load::Loaded;
use crate::resolve::field_path;
use crate::spec::{Node, SpecFile, TimeFormat, TypeWord};

/// What a scalar holds, to compare a value with the parameter it fills: a shared shape by
/// name, or a type word and its time format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar<'a> {
    Shape(&'a str),
    Plain(TypeWord, Option<TimeFormat>),
}

impl std::fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Shape(name) => write!(f, "the shape {name}"),
            Scalar::Plain(ty, None) => write!(f, "{}", a(ty)),
            Scalar::Plain(ty, Some(format)) => write!(f, "{} ({format})", a(ty)),
        }
    }
}

/// A type word with its article: "a long", "an integer".
fn a(ty: impl std::fmt::Display) -> String {
    let word = ty.to_string();
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

/// The scalar a node holds, or what it is instead (for messages).
fn scalar<'a>(cx: &Cx<'a>, node: Node<'a>) -> Result<Scalar<'a>, String> {
    if let Some(name) = node.shape {
        let name = name.trim();
        return match cx.shapes.get(name) {
            Some(shape) if shape.spec.ty == TypeWord::Object => {
                Err(format!("the object shape {name}"))
            }
            _ => Ok(Scalar::Shape(name)),
        };
    }
    match node.ty {
        Some(
            ty @ (TypeWord::String
            | TypeWord::Integer
            | TypeWord::Long
            | TypeWord::Boolean
            | TypeWord::Float
            | TypeWord::Double
            | TypeWord::Number),
        ) => {
            if node.enum_values.is_some() {
                Err("an inline enum (a type of its own operation); make it a shared shape to pass it on".into())
            } else {
                Ok(Scalar::Plain(ty, node.format))
            }
        }
        Some(ty) => Err(a(ty)),
        None => Err("untyped".into()),
    }
}

/// Checks `then_wait` of one operation against the operation it polls.
pub(super) fn then_wait(cx: &mut Cx<'_>, op: &Loaded<SpecFile>) {
    let Some(t) = &op.spec.then_wait else {
        return;
    };
    let name = t.operation.trim();
    let input = cx.input;
    let Some(target) = input
        .operations
        .iter()
        .find(|o| o.spec.action.trim() == name)
    else {
        cx.err(
            "then_wait.operation",
            format!(
                "there is no operation '{name}' (give the action of an operation of area '{}' that has the waiter)",
                op.area
            ),
        );
        return;
    };
    if target.area != op.area {
        cx.err(
            "then_wait.operation",
            format!(
                "'{name}' is in area '{}'; then_wait polls an operation of this operation's area ('{}')",
                target.area, op.area
            ),
        );
        return;
    }
    let waiter = t.waiter.trim();
    if !target.spec.waiters.iter().any(|w| w.name.trim() == waiter) {
        let names: Vec<&str> = target.spec.waiters.iter().map(|w| w.name.trim()).collect();
        let message = if names.is_empty() {
            format!("{name} has no waiters (add one under its waiters first)")
        } else {
            format!(
                "'{waiter}' is not a waiter of {name} (its waiters: {})",
                names.join(", ")
            )
        };
        cx.err("then_wait.waiter", message);
    }
    for p in &target.spec.parameters {
        let wire = p.name.trim();
        if p.required == Some(true) && !t.inputs.keys().any(|k| k.trim() == wire) {
            cx.err(
                "then_wait.inputs",
                format!("no input for {name}'s required parameter '{wire}'"),
            );
        }
    }
    for (key, value) in &t.inputs {
        let key = key.trim();
        let at = format!("then_wait.inputs.{key}");
        let Some(param) = target.spec.parameters.iter().find(|p| p.name.trim() == key) else {
            let names: Vec<&str> = target
                .spec
                .parameters
                .iter()
                .map(|p| p.name.trim())
                .collect();
            cx.err(
                &at,
                format!(
                    "{name} has no parameter '{key}' (its parameters: {})",
                    names.join(", ")
                ),
            );
            continue;
        };
        let value = value.trim();
        let source = match value.split_once('.') {
            Some(("request", wire)) => {
                match op.spec.parameters.iter().find(|p| p.name.trim() == wire) {
                    Some(p) => p.node(),
                    None => {
                        cx.err(
                            &at,
                            format!("'{value}': this operation has no parameter '{wire}'"),
                        );
                        continue;
                    }
                }
            }
            Some(("response", path)) => {
                match field_path(cx.shapes, op.spec.response.node(), path) {
                    Ok(fields) => match fields.last() {
                        Some(field) => field.node(),
                        None => continue,
                    },
                    Err(e) => {
                        cx.err(&at, format!("'{value}': {e}"));
                        continue;
                    }
                }
            }
            _ => {
                cx.err(
                    &at,
                    format!("'{value}' is neither request.<parameter> nor response.<field path>"),
                );
                continue;
            }
        };
        match (scalar(cx, source), scalar(cx, param.node())) {
            (Ok(got), Ok(want)) if got == want => {}
            (Ok(got), Ok(want)) => cx.err(
                &at,
                format!(
                    "'{value}' is {got} but {name}'s parameter '{key}' is {want}; the types must be the same"
                ),
            ),
            (Err(what), _) => cx.err(
                &at,
                format!("'{value}' is {what}; an input is a scalar (a string, number, boolean or enum shape)"),
            ),
            (_, Err(what)) => cx.err(
                &at,
                format!("{name}'s parameter '{key}' is {what}; only scalar parameters can be given"),
            ),
        }
    }
}
