//! Finds spec files and parses them with serde_yaml.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Errors};
use crate::spec::SpecFile;
use crate::Source;

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

/// Parses one source. Returns its area (first folder) and the spec.
pub fn parse(source: &Source) -> Result<(String, SpecFile), Diagnostic> {
    let diag = |location, field: &str, message: String| Diagnostic {
        file: source.display.clone(),
        location,
        field: field.to_string(),
        message,
    };
    let mut parts: Vec<&str> = source.relative.split('/').collect();
    parts.pop();
    let area = match parts.as_slice() {
        [area] if is_area_name(area) => area.to_string(),
        [area] => {
            return Err(diag(
                None,
                "",
                format!(
                    "folder '{area}' is not a valid area name (lowercase letters, digits, '_')"
                ),
            ))
        }
        [] => {
            return Err(diag(
                None,
                "",
                "spec files live in an area folder, e.g. spec/flow/".into(),
            ))
        }
        _ => {
            return Err(diag(
                None,
                "",
                "spec files live directly in an area folder (spec/<area>/<file>.yaml)".into(),
            ))
        }
    };
    match serde_yaml::from_str::<SpecFile>(&source.text) {
        Ok(spec) => Ok((area, spec)),
        Err(e) => {
            let location = e.location().map(|l| (l.line(), l.column()));
            // serde_yaml prefixes the path it was at ("response.fields[2]: ..."); keep it.
            let msg = e.to_string();
            let msg = match msg.rfind(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            Err(diag(location, "", msg))
        }
    }
}

fn is_area_name(s: &str) -> bool {
    // The area is a module name: no Rust keyword (`match`, `async`, `self`, ...).
    s.starts_with(|c: char| c.is_ascii_lowercase()) && crate::names::is_valid_field_name(s)
}
