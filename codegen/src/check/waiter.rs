//! Waiters (`waiters[]`): names, delays, acceptors and their paths, and (between files)
//! that every `wait_until_<name>` method is unique.

use std::collections::HashMap;

use super::Cx;
use crate::error::Diagnostic;
use crate::load::Input;
use crate::locate::locate;
use crate::names;
use crate::spec::{AcceptorSpec, AcceptorState, Comparator, ExpectedValue, SpecFile, WaiterSpec};
use crate::waiter::{self, Leaf};

/// Checks the waiters of one operation.
pub(super) fn waiters(cx: &mut Cx<'_>, spec: &SpecFile) {
    let idempotent = spec
        .idempotent
        .unwrap_or_else(|| spec.method.is_idempotent());
    if !spec.waiters.is_empty() && !idempotent {
        cx.err(
            "waiters",
            format!(
                "a waiter polls its operation again and again, so the operation must be idempotent (a GET, or idempotent: true); this {} is not",
                spec.method
            ),
        );
    }
    for (i, w) in spec.waiters.iter().enumerate() {
        let name = w.name.trim();
        let valid = names::is_valid_type_name(name);
        // Named paths, as serde's messages are; a waiter without a usable name by index.
        let at = if valid {
            format!("waiters.{name}")
        } else {
            format!("waiters[{i}]")
        };
        if !valid {
            cx.err(
                &format!("{at}.name"),
                format!("'{name}' is not a PascalCase name (it becomes wait_until_<snake_case>)"),
            );
        }
        delays(cx, &at, w);
        if w.acceptors.is_empty() {
            cx.err(&format!("{at}.acceptors"), "needs at least one acceptor");
        } else if !w
            .acceptors
            .iter()
            .any(|a| a.state == AcceptorState::Success)
        {
            cx.err(
                &format!("{at}.acceptors"),
                "no acceptor has state: success, so the wait could never succeed",
            );
        }
        for (j, a) in w.acceptors.iter().enumerate() {
            acceptor(cx, &format!("{at}.acceptors[{j}]"), a, spec);
        }
    }
}

fn delays(cx: &mut Cx<'_>, at: &str, w: &WaiterSpec) {
    let min = w.min_delay.unwrap_or(waiter::DEFAULT_MIN_DELAY);
    let max = w.max_delay.unwrap_or(waiter::DEFAULT_MAX_DELAY);
    let max_wait = w.max_wait.unwrap_or(waiter::DEFAULT_MAX_WAIT);
    if min == 0 {
        cx.err(
            &format!("{at}.min_delay"),
            "must be at least 1 (second): a waiter never polls without a pause",
        );
    }
    if min > max {
        let key = if w.max_delay.is_some() {
            "max_delay"
        } else {
            "min_delay"
        };
        cx.err(
            &format!("{at}.{key}"),
            format!("min_delay ({min} s) is more than max_delay ({max} s)"),
        );
    }
    if max_wait <= min {
        let key = if w.max_wait.is_some() {
            "max_wait"
        } else {
            "min_delay"
        };
        cx.err(
            &format!("{at}.{key}"),
            format!("max_wait ({max_wait} s) must be more than min_delay ({min} s), or there is no second poll"),
        );
    }
}

fn acceptor(cx: &mut Cx<'_>, at: &str, a: &AcceptorSpec, spec: &SpecFile) {
    match (&a.path, &a.error) {
        (Some(_), Some(_)) => cx.err(
            &format!("{at}.error"),
            "give either path (with comparator and expected) or error, not both",
        ),
        (None, None) => cx.err(
            at,
            "give a path (with comparator and expected) or an error code",
        ),
        (None, Some(code)) => error_acceptor(cx, at, a, code.trim(), spec),
        (Some(path), None) => output_acceptor(cx, at, a, path.trim(), spec),
    }
}

fn error_acceptor(cx: &mut Cx<'_>, at: &str, a: &AcceptorSpec, code: &str, spec: &SpecFile) {
    for (key, present) in [
        ("comparator", a.comparator.is_some()),
        ("expected", a.expected.is_some()),
    ] {
        if present {
            cx.err(
                &format!("{at}.{key}"),
                format!("'{key}' goes with path, not with error"),
            );
        }
    }
    if a.state == AcceptorState::Success {
        cx.err(
            &format!("{at}.state"),
            "an error acceptor means failure or retry: a successful wait returns a response, and an error has none",
        );
    }
    if !spec.errors.iter().any(|e| e.code.trim() == code) {
        let message = if spec.errors.is_empty() {
            format!("'{code}' is not a documented error code: this operation lists none (add it under errors first)")
        } else {
            let codes: Vec<&str> = spec.errors.iter().map(|e| e.code.trim()).collect();
            format!(
                "'{code}' is not one of this operation's documented error codes ({})",
                codes.join(", ")
            )
        };
        cx.err(&format!("{at}.error"), message);
    }
}

fn output_acceptor(cx: &mut Cx<'_>, at: &str, a: &AcceptorSpec, path: &str, spec: &SpecFile) {
    let shapes = cx.shapes;
    let resolved = match waiter::resolve(shapes, spec.response.node(), path) {
        Ok(r) => Some(r),
        Err(message) => {
            cx.err(&format!("{at}.path"), format!("'{path}': {message}"));
            None
        }
    };
    match a.comparator {
        None => cx.err(
            &format!("{at}.comparator"),
            format!(
                "missing; say how the values at path compare with expected: one of {}",
                Comparator::WORDS.join(", ")
            ),
        ),
        Some(c) => {
            if let Some(r) = &resolved {
                if c.is_projection() && !r.projects {
                    cx.err(
                        &format!("{at}.comparator"),
                        format!("{c} compares the items of a projection, but '{path}' has no []; use equals or not_equals, or project with name[]"),
                    );
                } else if !c.is_projection() && r.projects {
                    cx.err(
                        &format!("{at}.comparator"),
                        format!("{c} compares one value, but '{path}' projects over array items ([]); use any_equals or all_equals"),
                    );
                }
            }
        }
    }
    let expected = a.expected.as_deref().unwrap_or_default();
    if expected.is_empty() {
        cx.err(
            &format!("{at}.expected"),
            "needs at least one value to compare with",
        );
    }
    if let Some(r) = &resolved {
        for value in expected {
            if let Some(problem) = mismatch(&r.leaf, value) {
                cx.err(&format!("{at}.expected"), problem);
            }
        }
    }
}

/// Why an expected value can never equal a value at the path's end, if it cannot.
fn mismatch(leaf: &Leaf, value: &ExpectedValue) -> Option<String> {
    let text = value.as_text();
    match (leaf, value) {
        (Leaf::Boolean, ExpectedValue::Bool(_)) => None,
        (Leaf::Boolean, _) => Some(format!(
            "'{text}' is not a boolean: the path ends at a boolean (true or false)"
        )),
        (Leaf::Integer, _) if text.parse::<i64>().is_ok() => None,
        (Leaf::Integer, _) => Some(format!(
            "'{text}' is not an integer: the path ends at an integer"
        )),
        (Leaf::Enum(values), _) if values.contains(&text) => None,
        (Leaf::Enum(values), _) => Some(format!(
            "'{text}' is not a documented value of the enum at the path ({})",
            values.join(", ")
        )),
        (Leaf::Text, ExpectedValue::Text(_)) => None,
        (Leaf::Text, _) => Some(format!(
            "'{text}' is not a string: the path ends at a string, so quote the value (\"{text}\")"
        )),
    }
}

/// Every `wait_until_<name>` method is one waiter's, and no operation's method.
pub(super) fn across_files(input: &Input) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut methods: HashMap<String, String> = HashMap::new();
    for op in &input.operations {
        let f = names::field_name(op.spec.action.trim());
        let owner = format!(
            "the method of operation '{}' in {}",
            op.spec.action.trim(),
            op.file
        );
        methods.insert(f, owner);
    }
    for op in &input.operations {
        for (i, w) in op.spec.waiters.iter().enumerate() {
            let name = w.name.trim();
            if !names::is_valid_type_name(name) {
                // Reported with the file's own checks.
                continue;
            }
            let method = names::waiter_method(name);
            let here = format!("the method of waiter '{name}' in {}", op.file);
            if let Some(other) = methods.get(&method) {
                diags.push(Diagnostic {
                    file: op.file.clone(),
                    location: locate(&op.text, &format!("waiters[{i}].name")),
                    field: format!("waiters.{name}.name"),
                    message: format!("method '{method}' is also {other}; rename the waiter"),
                });
            } else {
                methods.insert(method, here);
            }
        }
    }
    diags
}
