//! Rules between files: unique actions and method names, unique shape names, and shapes
//! that do not contain themselves.

use std::collections::{BTreeMap, HashMap};

use crate::error::Diagnostic;
use crate::load::Input;
use crate::locate::locate;
use crate::names;
use crate::resolve::Shapes;
use crate::spec::{Node, NodeSpec};

pub(super) fn across_files(input: &Input, shapes: &Shapes<'_>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let whole = |file: &str, field: &str, message: String| Diagnostic {
        file: file.to_string(),
        location: None,
        field: field.to_string(),
        message,
    };

    // An action, and the method named after it, belong to one file.
    let mut seen: HashMap<String, &str> = HashMap::new();
    for op in &input.operations {
        let action = op.spec.action.trim();
        for key in [action.to_string(), names::field_name(action)] {
            if let Some(other) = seen.insert(key, &op.file) {
                if other != op.file {
                    diags.push(whole(
                        &op.file,
                        "action",
                        format!("operation '{action}' is also defined in {other}"),
                    ));
                    break;
                }
            }
        }
    }
    // Shape names are global.
    let mut names_seen: HashMap<&str, &str> = HashMap::new();
    for s in &input.shapes {
        let name = s.spec.shape.trim();
        if let Some(other) = names_seen.insert(name, &s.file) {
            diags.push(Diagnostic {
                file: s.file.clone(),
                location: locate(&s.text, "shape"),
                field: "shape".into(),
                message: format!("shape '{name}' is also defined in {other}"),
            });
        }
    }

    // A shape may not contain itself: its Rust struct would have no finite size.
    let graph: BTreeMap<&str, Vec<&str>> = input
        .shapes
        .iter()
        .map(|s| {
            let mut refs = Vec::new();
            for f in s.spec.fields.iter().flatten() {
                collect_refs(f.node(), &mut refs);
            }
            (s.spec.shape.trim(), refs)
        })
        .collect();
    for s in &input.shapes {
        let name = s.spec.shape.trim();
        if let Some(cycle) = find_cycle(&graph, name) {
            diags.push(Diagnostic {
                file: s.file.clone(),
                location: locate(&s.text, "shape"),
                field: "shape".into(),
                message: format!(
                    "shape '{name}' contains itself ({}); recursive shapes are not supported",
                    cycle.join(" -> ")
                ),
            });
        }
    }
    let _ = shapes;
    diags
}

/// Shape names a node refers to, at any depth (not through other shapes).
fn collect_refs<'a>(node: Node<'a>, out: &mut Vec<&'a str>) {
    if let Some(s) = node.shape {
        out.push(s.trim());
    }
    let children = node
        .items
        .into_iter()
        .chain(node.values)
        .chain(node.fields.into_iter().flatten());
    for child in children {
        collect_refs(NodeSpec::node(child), out);
    }
}

/// A path from `start` back to itself, if the shape graph has one.
fn find_cycle<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>, start: &'a str) -> Option<Vec<&'a str>> {
    fn visit<'a>(
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        start: &'a str,
        at: &'a str,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> bool {
        for &next in graph.get(at).into_iter().flatten() {
            if next == start {
                path.push(next);
                return true;
            }
            if done.contains(&next) || path.contains(&next) {
                continue;
            }
            path.push(next);
            if visit(graph, start, next, path, done) {
                return true;
            }
            path.pop();
            done.push(next);
        }
        false
    }
    let mut path = vec![start];
    let mut done = Vec::new();
    visit(graph, start, start, &mut path, &mut done).then_some(path)
}
