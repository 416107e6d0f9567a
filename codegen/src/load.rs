//! Finds spec files and parses them with serde_yaml.
//!
//! `spec/<area>/<action>.yaml` is an operation, `spec/<area>/shapes/<shape>.yaml` a shared
//! shape. serde's messages name the failing key by index (`parameters[2].in`); they are
//! rewritten to the named field paths every other message uses (`parameters.orgId.in`).

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Errors};
use crate::spec::{ShapeFile, SpecFile};
use crate::Source;

/// The folder below an area that holds its shared shapes.
pub const SHAPES_DIR: &str = "shapes";

/// A parsed file with what messages about it need.
#[derive(Debug)]
pub struct Loaded<T> {
    /// Name shown in messages (`spec/flow/x.yaml`).
    pub file: String,
    /// The YAML text, to locate fields in messages.
    pub text: String,
    /// The area (first folder).
    pub area: String,
    /// The file name without `.yaml`.
    pub stem: String,
    /// The parsed spec.
    pub spec: T,
}

impl Loaded<()> {
    fn with<T>(self, spec: T) -> Loaded<T> {
        Loaded {
            file: self.file,
            text: self.text,
            area: self.area,
            stem: self.stem,
            spec,
        }
    }
}

/// Every parsed spec file.
#[derive(Debug, Default)]
pub struct Input {
    /// Operations, sorted by file.
    pub operations: Vec<Loaded<SpecFile>>,
    /// Shared shapes, sorted by file.
    pub shapes: Vec<Loaded<ShapeFile>>,
    /// File stems of shape files that did not parse (so their users are not reported too).
    pub broken_shapes: Vec<String>,
}

/// Reads every `*.yaml` below `dir`, sorted by path. Returns the sources and the files and
/// folders read (for `rerun-if-changed`).
pub fn read_dir(dir: &Path) -> Result<(Vec<Source>, Vec<PathBuf>), Errors> {
    let mut files = Vec::new();
    let mut inputs = vec![dir.to_path_buf()];
    walk(dir, &mut files, &mut inputs).map_err(|e| io_error(dir, e))?;
    files.sort();
    let root_name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut sources = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
        let display = if root_name.is_empty() {
            relative.clone()
        } else {
            format!("{root_name}/{relative}")
        };
        sources.push(Source {
            relative,
            display,
            text,
        });
        inputs.push(path);
    }
    Ok((sources, inputs))
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, dirs: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            dirs.push(path.clone());
            walk(&path, files, dirs)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(path);
        }
    }
    Ok(())
}

fn io_error(path: &Path, e: std::io::Error) -> Errors {
    Errors(vec![Diagnostic {
        file: path.display().to_string(),
        location: None,
        field: String::new(),
        message: format!("cannot read: {e}"),
    }])
}

/// What a file is, by where it lies.
enum Kind {
    Operation,
    Shape,
}

/// Parses every source; problems are returned alongside what did parse.
pub fn parse_all(sources: &[Source]) -> (Input, Vec<Diagnostic>) {
    let mut input = Input::default();
    let mut diags = Vec::new();
    let mut sorted: Vec<&Source> = sources.iter().collect();
    sorted.sort_by(|a, b| a.relative.cmp(&b.relative));
    for source in sorted {
        let diag = |message: String| Diagnostic {
            file: source.display.clone(),
            location: None,
            field: String::new(),
            message,
        };
        let (area, kind, stem) = match classify(&source.relative) {
            Ok(found) => found,
            Err(message) => {
                diags.push(diag(message));
                continue;
            }
        };
        let file = Loaded {
            file: source.display.clone(),
            text: source.text.clone(),
            area,
            stem: stem.clone(),
            spec: (),
        };
        match kind {
            Kind::Operation => match parse::<SpecFile>(source) {
                Ok(spec) => input.operations.push(file.with(spec)),
                Err(d) => diags.push(d),
            },
            Kind::Shape => match parse::<ShapeFile>(source) {
                Ok(spec) => input.shapes.push(file.with(spec)),
                Err(d) => {
                    input.broken_shapes.push(stem.clone());
                    diags.push(d);
                }
            },
        }
    }
    (input, diags)
}

/// The area, kind and file stem of a path relative to the spec root.
fn classify(relative: &str) -> Result<(String, Kind, String), String> {
    let parts: Vec<&str> = relative.split('/').collect();
    let (folders, file) = parts.split_at(parts.len().saturating_sub(1));
    let stem = file
        .first()
        .map(|f| {
            f.trim_end_matches(".yaml")
                .trim_end_matches(".yml")
                .to_string()
        })
        .unwrap_or_default();
    let area = match folders.first() {
        Some(area) if is_area_name(area) => area.to_string(),
        Some(area) => {
            return Err(format!(
                "folder '{area}' is not a valid area name (lowercase letters, digits, '_')"
            ))
        }
        None => return Err("spec files live in an area folder, e.g. spec/flow/".into()),
    };
    match folders {
        [_] => Ok((area, Kind::Operation, stem)),
        [_, dir] if *dir == SHAPES_DIR => Ok((area, Kind::Shape, stem)),
        _ => Err(format!(
            "spec files live directly in an area folder (spec/<area>/<action>.yaml) or in its \
             {SHAPES_DIR}/ folder (spec/<area>/{SHAPES_DIR}/<shape>.yaml)"
        )),
    }
}

fn is_area_name(s: &str) -> bool {
    // The area is a module name: no Rust keyword (`match`, `async`, `self`, ...).
    s.starts_with(|c: char| c.is_ascii_lowercase()) && crate::names::is_valid_field_name(s)
}

/// Parses one file, locating serde's error and naming its field path.
fn parse<T: serde::de::DeserializeOwned>(source: &Source) -> Result<T, Diagnostic> {
    serde_yaml::from_str::<T>(&source.text).map_err(|e| {
        let location = e.location().map(|l| (l.line(), l.column()));
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        // serde_yaml prefixes the key path it was at ("response.fields[2].type: ...").
        let (field, message) = match message.split_once(": ") {
            Some((path, rest)) if is_key_path(path) => {
                (named_path(&source.text, path), rest.to_string())
            }
            _ => (String::new(), message),
        };
        Diagnostic {
            file: source.display.clone(),
            location,
            field,
            message,
        }
    })
}

/// Whether serde_yaml's message prefix is a key path (`a.b[2].c`), not prose.
fn is_key_path(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
}

/// Rewrites serde_yaml's index path into the named form of the checks: a list item with a
/// `name` becomes that name (`parameters[0]` -> `parameters.orgId`, `fields[6]` -> `gmtCreate`).
fn named_path(text: &str, path: &str) -> String {
    let Ok(root) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return path.to_string();
    };
    let mut out: Vec<String> = Vec::new();
    let mut node = Some(&root);
    for seg in path.split('.') {
        let (key, index) = match seg.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        node = node.and_then(|n| n.get(key));
        let Some(i) = index else {
            out.push(key.to_string());
            continue;
        };
        node = node.and_then(|n| n.get(i));
        match node.and_then(|n| n.get("name")).and_then(|n| n.as_str()) {
            // Fields are named without the `fields` key, as in `response.project.gmtCreate`.
            Some(name) if key == "fields" => out.push(name.to_string()),
            Some(name) => out.push(format!("{key}.{name}")),
            None => out.push(seg.to_string()),
        }
    }
    out.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_become_named_paths() {
        let text = "parameters:\n  - name: org\n    in: path\nresponse:\n  type: object\n  fields:\n    - name: project\n      type: object\n      fields:\n        - name: a\n          type: long\n";
        assert_eq!(named_path(text, "parameters[0].in"), "parameters.org.in");
        assert_eq!(
            named_path(text, "response.fields[0].fields[0].type"),
            "response.project.a.type"
        );
        assert_eq!(named_path(text, "errors[3].code"), "errors[3].code");
        assert_eq!(named_path("{", "a[0]"), "a[0]");
    }
}
