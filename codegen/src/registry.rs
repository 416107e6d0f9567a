//! The type registry: the one place that gives generated types their Rust names.
//!
//! The rule, from a type's position only:
//!
//! - A shared shape is named as declared (`shape: Commit` -> `Commit`).
//! - An operation's own types are `{Action}Request`, `{Action}Call`, `{Action}Response` and
//!   `{Action}ErrorCode`; the items of a bare-array response are `{Action}Item`.
//! - Any other type is `{Owner}{Field}`: the action (or shape) it is written in, then its
//!   `type_name` or the PascalCase of the last field on its path (`GetProjectInfo` +
//!   `project` -> `GetProjectInfoProject`).
//! - If that name is reserved above or given to several types of the same owner, each of
//!   them takes the whole path instead, after `Request` or `Response`
//!   (`UpdateProtectedBranches` + `Response` + `result.testSettingDTO.checkConfig`).
//!
//! So a name depends on its owner's positions, never on field order or on other operations.
//! Two types that still end up with one name in one module (say `GetPipelineRun` + `X` and
//! `GetPipeline` + `RunX`) are an error naming both, to be settled with a `type_name`.

use std::collections::BTreeMap;

use crate::error::Diagnostic;
use crate::model::{Api, Owner, Position, TypeKey, TypeRef};
use crate::names;

/// Names every type of `api`, or reports the names that clash.
pub fn assign_names(api: &mut Api) -> Result<(), Vec<Diagnostic>> {
    // Each operation's fixed names, and whether its root is the items of a bare array.
    let mut reserved: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut item_roots: Vec<TypeKey> = Vec::new();
    for op in &api.operations {
        reserved.insert(
            &op.action,
            vec![
                op.request_type(),
                op.response_type(),
                op.error_type(),
                op.call_type(),
            ],
        );
        if matches!(&op.response, TypeRef::Vec(inner) if **inner == TypeRef::Named(op.response_root()))
        {
            item_roots.push(op.response_root());
        }
    }

    // First choices, grouped by the operation or shape that owns them.
    let mut groups: BTreeMap<&str, Vec<(&TypeKey, &Position, String)>> = BTreeMap::new();
    let mut names: BTreeMap<TypeKey, String> = BTreeMap::new();
    for (key, def) in &api.types {
        let TypeKey::Inline(pos) = key else {
            if let TypeKey::Shape(name) = key {
                names.insert(key.clone(), name.clone());
            }
            continue;
        };
        let prefix = names::type_name(pos.owner.prefix());
        let first = match (&pos.owner, pos.path.is_empty()) {
            (Owner::Response(_), true) if item_roots.contains(key) => format!("{prefix}Item"),
            (_, true) => format!("{prefix}Response"),
            (_, false) => {
                let suffix = def.type_name.clone().unwrap_or_else(|| last_segment(pos));
                format!("{prefix}{suffix}")
            }
        };
        groups
            .entry(pos.owner.prefix())
            .or_default()
            .push((key, pos, first));
    }
    for (owner, candidates) in &groups {
        let taken = reserved.get(owner).map(Vec::as_slice).unwrap_or_default();
        for (key, pos, first) in candidates {
            let explicit = api.types[*key].type_name.is_some();
            let shared = candidates.iter().filter(|(_, _, c)| c == first).count() > 1;
            let clash = !pos.path.is_empty() && (shared || taken.contains(first));
            let name = if clash && !explicit {
                full_path_name(pos)
            } else {
                first.clone()
            };
            names.insert((*key).clone(), name);
        }
    }

    // One name, one type, per module; and no type may take an operation's fixed name.
    let mut diags = Vec::new();
    let mut seen: BTreeMap<(&str, &str), &TypeKey> = BTreeMap::new();
    for (key, name) in &names {
        let def = &api.types[key];
        if let Some(other) = seen.insert((&def.area, name), key) {
            diags.push(clash(api, key, other, name));
        }
    }
    for op in &api.operations {
        let root = op.response_root();
        for fixed in [
            op.request_type(),
            op.response_type(),
            op.error_type(),
            op.call_type(),
        ] {
            let found = seen.get(&(op.area.as_str(), fixed.as_str()));
            // The response root itself is `{Prefix}Response`.
            if let Some(key) = found.filter(|k| ***k != root || item_roots.contains(&root)) {
                let def = &api.types[*key];
                diags.push(Diagnostic {
                    file: def.source.clone(),
                    location: def.location,
                    field: def.field.clone(),
                    message: format!(
                        "type name '{fixed}' is also a type of operation {} in {}; set a type_name",
                        op.action, op.source
                    ),
                });
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    for (key, name) in names {
        if let Some(def) = api.types.get_mut(&key) {
            def.name = name;
        }
    }
    Ok(())
}

fn clash(api: &Api, key: &TypeKey, other: &TypeKey, name: &str) -> Diagnostic {
    let (def, other) = (&api.types[key], &api.types[other]);
    Diagnostic {
        file: def.source.clone(),
        location: def.location,
        field: def.field.clone(),
        message: format!(
            "type name '{name}' is also given to {} ({} in {}); set a type_name on one",
            describe(&other.key),
            other.field,
            other.source
        ),
    }
}

fn last_segment(pos: &Position) -> String {
    pos.path
        .last()
        .map(|s| names::type_name(s))
        .unwrap_or_default()
}

/// `{Owner}{Request|Response}{Seg}{Seg}...`: the whole position as a name.
fn full_path_name(pos: &Position) -> String {
    let side = match pos.owner {
        Owner::Request(_) => "Request",
        Owner::Response(_) => "Response",
        Owner::Shape(_) => "",
    };
    let path: String = pos.path.iter().map(|s| names::type_name(s)).collect();
    format!("{}{side}{path}", names::type_name(pos.owner.prefix()))
}

/// A position in words, for messages.
fn describe(key: &TypeKey) -> String {
    match key {
        TypeKey::Shape(name) => format!("shape {name}"),
        TypeKey::Inline(pos) => {
            let (owner, root) = match &pos.owner {
                Owner::Request(a) => (a, "parameters"),
                Owner::Response(a) => (a, "response"),
                Owner::Shape(s) => (s, "shape"),
            };
            let mut s = format!("{owner} {root}");
            for seg in &pos.path {
                s.push('.');
                s.push_str(seg);
            }
            s
        }
    }
}
